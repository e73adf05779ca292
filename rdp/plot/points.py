"""Where the mass goes: the optimal reconstruction law of a source of points in the plane.

For a finite source in R² ([`Discrete`][rdp.sources.Discrete] with an (N, 2) alphabet) the
optimal channel of R(D, P) has an output law $p_{\\hat X}$ on the reconstruction points.
Without a perception constraint it collapses towards the centre (reverse water-filling
shrinks every direction); as P tightens it spreads back out until, at P = 0, it is the
source law itself (Blau & Michaeli, ICML 2019, Sec. 3). One panel per perception level
shows that law over the source law.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from rdp.plot import style
from rdp.problem import Problem
from rdp.sources import Discrete

#: Marker area (points²) of a symbol carrying all the mass.
_FULL_AREA = 2500.0


def plot_reconstruction_law(
    problem: Problem, D: float, P: ArrayLike, *, columns: int | None = None, **options: Any
) -> Figure:
    """The optimal reconstruction law at distortion ``D`` for each perception level in ``P``.

    Parameters
    ----------
    problem : Problem
        A finite problem whose source is a [`Discrete`][rdp.sources.Discrete] on points of R²
        (e.g. ``GaussianVector(Σ).discretize(n)``).
    D : float
        The distortion level of every panel.
    P : array_like
        Perception levels, one panel each (``inf``: no constraint).
    columns : int, optional
        Panels per row (default: all in one row, at most 4).
    **options
        Passed to [`rate`][rdp.problem.Problem.rate] (``tol``, ``time_limit``, ...).

    Returns
    -------
    Figure
        Each panel: the source law in grey and the reconstruction law of the returned
        channel in colour, marker areas proportional to mass, titled with P and the
        certified rate bracket (bits).
    """
    source = problem.source
    if not isinstance(source, Discrete) or source.dimension != 2:
        raise ValueError("problem.source must be a Discrete source of points in R^2 (shape (N, 2))")
    levels = np.atleast_1d(np.asarray(P, dtype=float))
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError("P must be one perception level or a 1-D array of them")
    if columns is not None and (
        isinstance(columns, bool) or int(columns) != columns or columns < 1
    ):
        raise ValueError(f"columns must be a positive integer; got {columns!r}")
    results = [problem.rate(D, float(level), **{"progress": False, **options}) for level in levels]
    y = np.asarray(problem.reconstruction_alphabet, dtype=float)
    ncols = min(levels.size, 4) if columns is None else int(columns)
    nrows = int(np.ceil(levels.size / ncols))
    fig = style.new_figure(ncols, nrows=nrows)
    color = style.curve_colors(3)[1]
    with style.style():
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
        for ax, level, result in zip(axes.ravel(), levels, results, strict=False):
            ax.scatter(*source.alphabet.T, s=_FULL_AREA * source.pmf, color="0.75", lw=0)
            if result.feasible and result.channel is not None:
                q = result.channel.reconstruction_pmf
                ax.scatter(*y.T, s=_FULL_AREA * q, color=color, alpha=0.8, lw=0)
                rate = f"R ∈ [{result.lower:.3f}, {result.upper:.3f}] bits"
            else:
                rate = "infeasible (D < D_min(P))"
            ax.set_title(f"P = {style.format_value(level)}\n{rate}", fontsize="small")
            ax.set_aspect("equal")
        for ax in axes.ravel()[levels.size :]:
            ax.set_visible(False)
        fig.suptitle(
            f"reconstruction law (colour) over the source law (grey), D = {D:g}",
            fontsize="medium",
        )
    return fig
