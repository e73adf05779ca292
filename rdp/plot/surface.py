"""The R(D, P) surface in 3-D and its equi-rate level sets in the (D, P) plane.

Blau & Michaeli (ICML 2019, Fig. 3) draw the rate–distortion–perception
function of a Bernoulli source as a surface over the (D, P) plane with its
equi-rate lines; these functions draw the same views for any problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike, NDArray

from rdp.plot import style
from rdp.problem import Problem
from rdp.result import SurfaceResult


def _surface(
    data: SurfaceResult | Problem, D: ArrayLike | None, P: ArrayLike | None, **options: Any
) -> SurfaceResult:
    if isinstance(data, SurfaceResult):
        return data
    if not isinstance(data, Problem):
        raise ValueError(f"data must be a SurfaceResult or a Problem; got {type(data).__name__}")
    if D is None or P is None:
        raise ValueError("with a Problem, give both the D and the P grids")
    return data.surface(D, P, **{"progress": False, **options})


def equi_rate_levels(surface: SurfaceResult, levels: int | ArrayLike = 8) -> NDArray:
    """Rate levels for the level sets: about ``levels`` round values in (0, max R)."""
    if not np.isscalar(levels):
        return np.asarray(levels, dtype=float)
    finite = surface.rate[np.isfinite(surface.rate)]
    top = float(finite.max()) if finite.size else 1.0
    ticks = MaxNLocator(nbins=int(levels) + 1).tick_values(0.0, top)
    return ticks[(ticks > 0.0) & (ticks < top)]


def plot_surface(
    data: SurfaceResult | Problem,
    D: ArrayLike | None = None,
    P: ArrayLike | None = None,
    *,
    levels: int | ArrayLike = 8,
    max_rate: float | None = None,
    ax: Axes | None = None,
    elev: float = 25.0,
    azim: float = -60.0,
    **options: Any,
) -> Figure:
    """The R(D, P) surface in 3-D, with its equi-rate lines drawn on it.

    Parameters
    ----------
    data : SurfaceResult or Problem
        From [`Problem.surface`][rdp.problem.Problem.surface], or a problem evaluated on ``D × P``.
    D, P : array_like, optional
        Grids, needed when ``data`` is a problem.
    levels : int or array_like
        Number of equi-rate lines, or the rates (bits) at which to draw them.
    max_rate : float, optional
        Clip the rate axis at this value (where R → ∞ as D → 0).
    ax : Axes3D, optional
        A 3-D axes to draw into.
    elev, azim : float
        Viewing angles in degrees.
    **options
        Passed to [`rate`][rdp.problem.Problem.rate].
    """
    surface = _surface(data, D, P, **options)
    rate = surface.rate.copy()
    if max_rate is not None:
        rate[rate > max_rate] = np.nan
    DD, PP = np.meshgrid(surface.D, surface.P)
    values = equi_rate_levels(surface, levels)
    if max_rate is not None:
        values = values[values <= max_rate]
    with style.style():
        fig, ax = style.figure_and_axes(ax, projection="3d")
        ax.plot_surface(
            DD,
            PP,
            np.ma.masked_invalid(rate),
            cmap=style.SURFACE_CMAP,
            linewidth=0,
            antialiased=True,
            alpha=0.85,
            rcount=60,
            ccount=60,
        )
        masked = np.ma.masked_invalid(rate)
        if values.size:
            ax.contour(DD, PP, masked, levels=values, colors="black", linewidths=0.9)
        ax.set_xlabel(style.short_label(surface.distortion_label))
        ax.set_ylabel(style.short_label(surface.perception_label))
        ax.set_zlabel(style.short_label(surface.rate_label))
        ax.set_zlim(0.0, max_rate if max_rate is not None else None)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(nbins=4))
        ax.view_init(elev=elev, azim=azim)
        ax.set_title("R(D, P) with equi-rate lines")
    return fig


def plot_level_sets(
    data: SurfaceResult | Problem,
    D: ArrayLike | None = None,
    P: ArrayLike | None = None,
    *,
    levels: int | ArrayLike = 8,
    ax: Axes | None = None,
    colorbar: bool = True,
    **options: Any,
) -> Figure:
    """Equi-rate level sets {(D, P) : R(D, P) = r} in the (D, P) plane.

    The zero-rate region (D ≥ D_max(P)) and the infeasible region
    (D < D_min(P)) are shaded and named in the legend; cells without a certified
    value ([`rdp.status.is_certified`][rdp.status.is_certified]) get a red ×.

    Parameters
    ----------
    data : SurfaceResult or Problem
        From [`Problem.surface`][rdp.problem.Problem.surface], or a problem evaluated on ``D × P``.
    D, P : array_like, optional
        Grids, needed when ``data`` is a problem.
    levels : int or array_like
        Number of level sets, or the rates (bits) at which to draw them.
    ax : Axes, optional
        Draw into this axes instead of a new figure.
    colorbar : bool
        Add a colour bar of the rate.
    **options
        Passed to [`rate`][rdp.problem.Problem.rate].
    """
    surface = _surface(data, D, P, **options)
    values = equi_rate_levels(surface, levels)
    DD, PP = np.meshgrid(surface.D, surface.P)
    with style.style():
        fig, ax = style.figure_and_axes(ax)
        handles = []
        if not surface.feasible.all():
            ax.contourf(
                DD,
                PP,
                (~surface.feasible).astype(float),
                levels=[0.5, 1.5],
                colors=[style.INFEASIBLE_COLOR],
            )
            handles.append(Patch(color=style.INFEASIBLE_COLOR, label="infeasible (D < D_min(P))"))
        lines = ax.contour(
            DD,
            PP,
            np.ma.masked_invalid(surface.rate),
            levels=values,
            cmap=style.SURFACE_CMAP,
            linewidths=1.6,
        )
        ax.clabel(lines, fmt=lambda r: f"{r:.3g}", fontsize=7)
        boundary = np.minimum(surface.zero_rate_distortion, surface.D.max())
        ax.fill_betweenx(
            surface.P,
            boundary,
            surface.D.max(),
            facecolor=style.ZERO_RATE_COLOR,
            edgecolor="none",
            zorder=2,
        )
        ax.plot(boundary, surface.P, color="0.4", linewidth=1.0, zorder=2)
        handles.insert(0, Patch(color=style.ZERO_RATE_COLOR, label="R = 0 (D ≥ D_max(P))"))
        marked = ~surface.certified  # the one predicate, rdp.status.is_certified
        if marked.any():
            rows, cols = np.nonzero(marked)
            (mark,) = ax.plot(
                surface.D[cols], surface.P[rows], **style.UNCERTIFIED_MARKER, zorder=5,
                label=style.UNCERTIFIED_LABEL,
            )  # fmt: skip
            handles.append(mark)
        if colorbar:
            fig.colorbar(lines, ax=ax, label=surface.rate_label)
        ax.set_xlabel(surface.distortion_label)
        ax.set_ylabel(surface.perception_label)
        ax.set_xlim(surface.D.min(), surface.D.max())
        ax.set_ylim(surface.P.min(), surface.P.max())
        ax.legend(handles=handles, loc="upper right", frameon=True)
        ax.set_title("Equi-rate level sets of R(D, P)")
    return fig
