"""Curve plots: rate–distortion, distortion–perception and rate–perception.

Each function takes either a [`CurveFamily`][rdp.plot.data.CurveFamily] (computed
arrays) or a [`Problem`][rdp.problem.Problem] with the grids to evaluate, draws into a
given ``Axes`` or a new figure, and returns the
``Figure``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from rdp.plot import style
from rdp.plot.data import (
    CurveFamily,
    distortion_perception_curves,
    rate_distortion_curves,
    rate_perception_curves,
)
from rdp.problem import Problem


def _family(
    data: CurveFamily | Problem,
    compute: Callable[..., CurveFamily],
    levels: ArrayLike | None,
    grid: ArrayLike | None,
    names: tuple[str, str],
    **options: Any,
) -> CurveFamily:
    if isinstance(data, CurveFamily):
        return data
    if not isinstance(data, Problem):
        raise ValueError(f"data must be a CurveFamily or a Problem; got {type(data).__name__}")
    if levels is None or grid is None:
        raise ValueError(f"with a Problem, give both {names[0]} and {names[1]}")
    return compute(data, levels, grid, **options)


def draw_curve_family(
    curves: CurveFamily,
    ax: Axes,
    *,
    units: dict[str, str] | None = None,
    shannon_label: str = "Shannon R(D) (P = ∞)",
    legend_outside: bool = False,
) -> None:
    """Draw ``curves`` into ``ax``: one colour per parameter, P = ∞ black dashed.

    Where the family carries certified bounds, the band between them is shaded
    in the curve's colour (invisible when they agree), and points without a certified
    value ([`CurveFamily.uncertified`][rdp.plot.data.CurveFamily.uncertified], the one
    predicate [`rdp.status.is_certified`][rdp.status.is_certified]) are marked with a
    red × and a bar spanning their bounds, so they are never drawn silently.
    ``legend_outside`` puts the legend right of the axes (for families of flat
    curves that leave no empty corner).
    """
    finite = ~np.isinf(curves.parameter)
    colors = iter(style.curve_colors(int(finite.sum())))
    suffix = (units or {}).get(curves.parameter_name, "")
    for k, (value, y) in enumerate(zip(curves.parameter, curves.y, strict=True)):
        if np.isinf(value) and curves.parameter_name == "P":
            color = style.SHANNON_COLOR
            ax.plot(
                curves.x,
                y,
                color=color,
                linestyle=style.SHANNON_LINESTYLE,
                label=shannon_label,
                zorder=3,
            )
        else:
            color = next(colors)
            label = f"{curves.parameter_label} = {style.format_value(value)}{suffix}"
            ax.plot(curves.x, y, color=color, label=label)
        _draw_bounds(curves, k, ax, color)
    if curves.uncertified.any():
        ax.plot([], [], **style.UNCERTIFIED_MARKER, label=style.UNCERTIFIED_LABEL)
    ax.set_xlabel(curves.x_label)
    ax.set_ylabel(curves.y_label)
    low, high = float(np.min(curves.x)), float(np.max(curves.x))
    ax.set_xlim(0.0 if 0.0 <= low < 0.05 * high else low, high)
    if legend_outside:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    else:
        ax.legend(loc="best", frameon=True, framealpha=0.85, edgecolor="none")


def _draw_bounds(curves: CurveFamily, k: int, ax: Axes, color: Any) -> None:
    """Shade curve ``k``'s certified band; mark its points without a certified value."""
    if curves.lower is None or curves.upper is None:
        return
    lower, upper = curves.lower[k], curves.upper[k]
    shown = np.isfinite(lower) & np.isfinite(upper)
    if shown.any() and np.any(upper[shown] > lower[shown]):
        ax.fill_between(
            curves.x, np.where(shown, lower, np.nan), np.where(shown, upper, np.nan),
            color=color, alpha=0.3, linewidth=0,
        )  # fmt: skip
    marked = curves.uncertified[k]
    if marked.any():
        x, y = curves.x[marked], curves.y[k][marked]
        ax.vlines(x, lower[marked], np.minimum(upper[marked], np.nanmax(curves.y)), color="red")
        ax.plot(x, y, **style.UNCERTIFIED_MARKER, zorder=4)


def plot_rate_distortion(
    data: CurveFamily | Problem,
    perception_levels: ArrayLike | None = None,
    D: ArrayLike | None = None,
    *,
    ax: Axes | None = None,
    max_rate: float | None = None,
    **options: Any,
) -> Figure:
    """Rate–distortion curves at several perception levels, with Shannon's R(D) dashed.

    Blau & Michaeli (ICML 2019) show that tightening the perception bound P
    raises the rate–distortion curve; P = ∞ is Shannon's curve.

    Parameters
    ----------
    data : CurveFamily or Problem
        From [`rate_distortion_curves`][rdp.plot.data.rate_distortion_curves], or a problem to
        evaluate at ``perception_levels`` × ``D``.
    perception_levels, D : array_like, optional
        Needed when ``data`` is a problem.
    ax : Axes, optional
        Draw into this axes instead of a new figure.
    max_rate : float, optional
        Upper limit of the rate axis (useful when R → ∞ as D → 0).
    **options
        Passed to [`rate`][rdp.problem.Problem.rate].
    """
    curves = _family(
        data, rate_distortion_curves, perception_levels, D, ("perception_levels", "D"), **options
    )
    with style.style():
        fig, ax = style.figure_and_axes(ax)
        draw_curve_family(curves, ax)
        ax.set_ylim(0.0, max_rate)
        ax.set_title("Perception-constrained rate–distortion curves")
    return fig


def plot_distortion_perception(
    data: CurveFamily | Problem,
    rates: ArrayLike | None = None,
    P: ArrayLike | None = None,
    *,
    ax: Axes | None = None,
    **options: Any,
) -> Figure:
    """The distortion–perception tradeoff D(R, P) against P at fixed rates.

    Parameters
    ----------
    data : CurveFamily or Problem
        From [`distortion_perception_curves`][rdp.plot.data.distortion_perception_curves], or a
        problem
        to evaluate at ``rates`` × ``P``.
    rates, P : array_like, optional
        Needed when ``data`` is a problem (rates in bits).
    ax : Axes, optional
        Draw into this axes instead of a new figure.
    **options
        Passed to [`distortion`][rdp.problem.Problem.distortion].
    """
    curves = _family(data, distortion_perception_curves, rates, P, ("rates", "P"), **options)
    with style.style():
        fig, ax = style.figure_and_axes(ax)
        draw_curve_family(curves, ax, units={"R": " bits"}, legend_outside=True)
        ax.set_ylim(bottom=0.0)
        ax.set_title("Distortion–perception tradeoff at fixed rate")
    return fig


def plot_rate_perception(
    data: CurveFamily | Problem,
    distortions: ArrayLike | None = None,
    P: ArrayLike | None = None,
    *,
    ax: Axes | None = None,
    max_rate: float | None = None,
    **options: Any,
) -> Figure:
    """Rate–perception curves R(D, P) against P at fixed distortions.

    Parameters
    ----------
    data : CurveFamily or Problem
        From [`rate_perception_curves`][rdp.plot.data.rate_perception_curves], or a problem to
        evaluate at ``distortions`` × ``P``.
    distortions, P : array_like, optional
        Needed when ``data`` is a problem.
    ax : Axes, optional
        Draw into this axes instead of a new figure.
    max_rate : float, optional
        Upper limit of the rate axis.
    **options
        Passed to [`rate`][rdp.problem.Problem.rate].
    """
    curves = _family(data, rate_perception_curves, distortions, P, ("distortions", "P"), **options)
    with style.style():
        fig, ax = style.figure_and_axes(ax)
        draw_curve_family(curves, ax, legend_outside=True)
        ax.set_ylim(0.0, max_rate)
        ax.set_title("Rate–perception cross sections at fixed distortion")
    return fig
