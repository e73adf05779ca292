"""The three standard views of one problem's R(D, P), as figure specs.

For a problem and its grids, ``rdp_family`` returns the specs of

- ``<slug>-rd``: perception-constrained rate–distortion curves, Shannon's dashed;
- ``<slug>-surface``: the R(D, P) surface with equi-rate lines, and its level sets;
- ``<slug>-sections``: cross sections at fixed R (the distortion–perception
  tradeoff) and at fixed D (rate against perception).

This is the layout of Blau & Michaeli (ICML 2019), Fig. 3, for the Bernoulli
source; the same views serve every other problem. With
[`FamilyGrids`][rdp.reproduce.family.FamilyGrids] each view evaluates the problem
on its own grids (closed forms); with
[`SolvedGrids`][rdp.reproduce.family.SolvedGrids] a solver evaluates it once on one
(D, P) grid and the three views are cuts of that surface, with the solver's
certified bounds carried into the data and the figures.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from rdp.exceptions import UnconvergedWarning
from rdp.plot import (
    CurveFamily,
    distortion_perception_curves,
    plot_distortion_perception,
    plot_level_sets,
    plot_rate_distortion,
    plot_rate_perception,
    plot_surface,
    rate_distortion_curves,
    rate_perception_curves,
    style,
)
from rdp.plot.data import (
    surface_distortion_perception,
    surface_rate_distortion,
    surface_rate_perception,
)
from rdp.problem import Problem
from rdp.reproduce.registry import FigureOutput, FigureSpec
from rdp.result import SurfaceResult


@dataclass(frozen=True)
class FamilyGrids:
    """Where to evaluate each view.

    Attributes
    ----------
    D : array_like
        Distortion grid of the rate–distortion curves.
    P : array_like
        Perception grid of the cross sections.
    perception_levels : array_like
        P of each rate–distortion curve (Shannon's P = ∞ is added).
    rates : array_like
        R (bits) of each distortion–perception cross section.
    distortions : array_like
        D of each rate–perception cross section.
    surface_D, surface_P : array_like
        The (coarser) grid of the surface and its level sets.
    max_rate : float or None
        Rate-axis limit of the rate–distortion curves and the surface, where
        R → ∞ as D → 0.
    levels : int or array_like
        Equi-rate levels (bits) of the surface, or how many.
    options : dict
        Passed to ``problem.rate`` / ``problem.distortion`` (e.g. solver tolerances).
    """

    D: ArrayLike
    P: ArrayLike
    perception_levels: ArrayLike
    rates: ArrayLike
    distortions: ArrayLike
    surface_D: ArrayLike
    surface_P: ArrayLike
    max_rate: float | None = None
    levels: int | ArrayLike = 8
    options: dict | None = None


@dataclass(frozen=True)
class SolvedGrids:
    """One (D, P) grid on which a solver evaluates a problem for all three views.

    Attributes
    ----------
    D : array_like
        Distortion grid (ascending) of the surface; the rate–distortion curves and
        the rate–perception sections are drawn on it.
    P : array_like
        Finite perception grid of the surface and of the sections.
    perception_levels : array_like
        P of each rate–distortion curve, each on ``P`` (Shannon's P = ∞ is added,
        solved as one more row).
    rates : array_like
        R (bits) of each distortion–perception section: D(R, P) is bracketed from
        the surface's certified bounds ([`distortion_bracket`][rdp.plot.data.distortion_bracket]).
    distortions : array_like
        D of each rate–perception section, each on ``D``.
    max_rate : float or None
        Rate-axis limit.
    levels : int or array_like
        Equi-rate levels (bits) of the surface, or how many.
    options : dict
        Passed to [`Problem.surface`][rdp.problem.Problem.surface]: ``method`` and the
        solver's ``tol``, ``max_iter``, ``time_limit``.
    """

    D: ArrayLike
    P: ArrayLike
    perception_levels: ArrayLike
    rates: ArrayLike
    distortions: ArrayLike
    max_rate: float | None = None
    levels: int | ArrayLike = 8
    options: dict | None = None


def solved_surfaces(
    problem: Problem, grids: SolvedGrids
) -> Callable[[], tuple[SurfaceResult, SurfaceResult]]:
    """A function returning (surface on ``D × P``, the row P = ∞), solved on its first call.

    The three views of a family share it, so the solver runs once per process.
    Points without a certificate are not warned about here: the figures mark them
    and count them in their note.
    """
    cache: list[tuple[SurfaceResult, SurfaceResult]] = []

    def solved() -> tuple[SurfaceResult, SurfaceResult]:
        if not cache:
            options = grids.options or {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnconvergedWarning)
                surface = problem.surface(grids.D, grids.P, progress=False, **options)
                shannon = problem.surface(grids.D, [np.inf], progress=False, **options)
            cache.append((surface, shannon))
        return cache[0]

    return solved


def _stacked(surface: SurfaceResult, row: SurfaceResult) -> SurfaceResult:
    """``surface`` with the rows of ``row`` (same D grid) appended, for cutting curves."""
    stack = {
        name: np.concatenate([getattr(surface, name), getattr(row, name)])
        for name in ("P", "rate", "lower", "upper", "feasible", "status", "min_distortion",
                     "zero_rate_distortion", "message", "iterations")
    }  # fmt: skip
    return replace(surface, **stack)


def _note(
    grids: SolvedGrids, statuses: np.ndarray, uncertified: np.ndarray, what: str = "solver points"
) -> tuple[str, int]:
    """The figure note on a set of solved points, and how many have no certified value."""
    statuses = np.asarray(statuses).astype(str).ravel()
    marked = np.asarray(uncertified, dtype=bool).ravel()
    count = int(marked.sum())
    options = grids.options or {}
    how = f"method {options.get('method', 'auto')!r}"
    if "tol" in options:
        how += f", certified gap ≤ {options['tol']:g} bits"
    if count:
        found = ", ".join(sorted(set(statuses[marked])))
        return (
            f"{statuses.size - count} of {statuses.size} {what} certified ({how}); {count} "
            f"have no certified value ({found}) and carry bounds only: red × with a bar over "
            "their bounds.",
            count,
        )
    return f"all {statuses.size} {what} certified ({how}).", 0


def solved_rate_distortion_figure(
    problem: Problem, grids: SolvedGrids, title: str, solved: Callable
) -> Callable[[], FigureOutput]:
    """``make`` of the rate–distortion view, cut from the solved surface."""

    def make() -> FigureOutput:
        surface, shannon = solved()
        levels = [*np.atleast_1d(grids.perception_levels), np.inf]
        curves = surface_rate_distortion(_stacked(surface, shannon), levels)
        fig = plot_rate_distortion(curves, max_rate=grids.max_rate)
        fig.axes[0].set_title(title)
        note, stopped = _note(grids, curves.status, curves.uncertified)
        return FigureOutput(fig, {"data": curves.columns()}, note, stopped)

    return make


def solved_surface_figure(
    problem: Problem, grids: SolvedGrids, title: str, solved: Callable
) -> Callable[[], FigureOutput]:
    """``make`` of the surface + level-set view of the solved surface."""

    def make() -> FigureOutput:
        surface, _ = solved()
        output = _draw_surface(surface, grids.max_rate, grids.levels, title)
        note, stopped = _note(grids, surface.status, ~surface.certified)
        return FigureOutput(output.figure, output.tables, note, stopped)

    return make


def solved_sections_figure(
    problem: Problem, grids: SolvedGrids, title: str, solved: Callable
) -> Callable[[], FigureOutput]:
    """``make`` of the two cross sections, cut from the solved surface."""

    def make() -> FigureOutput:
        surface, _ = solved()
        dp = surface_distortion_perception(surface, grids.rates)
        rp = surface_rate_perception(surface, grids.distortions)
        output = _draw_sections(dp, rp, title)
        note, stopped = _note(grids, rp.status, rp.uncertified, "solver points of the R–P sections")
        drawn = dp.status != "not_computed"
        wide = int((dp.uncertified & drawn).sum())  # the one predicate, as the figure marks
        note += (
            f" D(R, P): {int(drawn.sum())} brackets (shaded) read off the surface's certified "
            "bounds by monotonicity and convexity in D; the line is the upper end, achieved "
            "by time sharing."
        )
        if wide:
            note += (
                f" {wide} of them are wider than the certified gap ({dp.tol:g}) and carry "
                "bounds only: red × with a bar over their bounds."
            )
        missing = int((~drawn).sum())
        if missing:
            note += f" {missing} D(R, P) point(s) lie outside the D grid and are not drawn."
        return FigureOutput(output.figure, output.tables, note, stopped + wide)

    return make


def rate_distortion_figure(
    problem: Problem, grids: FamilyGrids, title: str
) -> Callable[[], FigureOutput]:
    """``make`` function of the rate–distortion view."""

    def make() -> FigureOutput:
        curves = rate_distortion_curves(
            problem, grids.perception_levels, grids.D, **(grids.options or {})
        )
        fig = plot_rate_distortion(curves, max_rate=grids.max_rate)
        fig.axes[0].set_title(title)
        return FigureOutput(fig, {"data": curves.columns()})

    return make


def surface_figure(problem: Problem, grids: FamilyGrids, title: str) -> Callable[[], FigureOutput]:
    """``make`` function of the surface + level-set view (two panels)."""

    def make() -> FigureOutput:
        surface = problem.surface(
            grids.surface_D, grids.surface_P, progress=False, **(grids.options or {})
        )
        return _draw_surface(surface, grids.max_rate, grids.levels, title)

    return make


def _draw_surface(
    surface: SurfaceResult, max_rate: float | None, levels: int | ArrayLike, title: str
) -> FigureOutput:
    """The surface and level-set panels; cells without a certified value get a red ×."""
    fig = style.new_figure(2)
    fig.set_size_inches(style.PANEL_SIZE[0] * 2.3, style.PANEL_SIZE[1] * 1.25)
    grid = fig.add_gridspec(1, 2, width_ratios=[1.25, 1.0])
    plot_surface(
        surface, ax=fig.add_subplot(grid[0], projection="3d"), max_rate=max_rate, levels=levels
    )
    plot_level_sets(surface, ax=fig.add_subplot(grid[1]), levels=levels)  # marks uncertified
    fig.suptitle(title)
    columns = surface.columns()
    columns.update(
        lower=np.where(surface.feasible, surface.lower, np.nan).ravel(),
        upper=np.where(surface.feasible, surface.upper, np.nan).ravel(),
        status=np.asarray(surface.status).astype(str).ravel(),
    )
    return FigureOutput(fig, {"data": columns})


def sections_figure(problem: Problem, grids: FamilyGrids, title: str) -> Callable[[], FigureOutput]:
    """``make`` function of the two cross-section panels."""

    def make() -> FigureOutput:
        options = grids.options or {}
        dp = distortion_perception_curves(problem, grids.rates, grids.P, **options)
        rp = rate_perception_curves(problem, grids.distortions, grids.P, **options)
        return _draw_sections(dp, rp, title)

    return make


def _draw_sections(dp: CurveFamily, rp: CurveFamily, title: str) -> FigureOutput:
    """The distortion–perception and rate–perception panels side by side."""
    fig = style.new_figure(2)
    plot_distortion_perception(dp, ax=fig.add_subplot(1, 2, 1))
    plot_rate_perception(rp, ax=fig.add_subplot(1, 2, 2))
    fig.suptitle(title)
    return FigureOutput(
        fig, {"distortion-perception": dp.columns(), "rate-perception": rp.columns()}
    )


def rdp_family(
    slug: str,
    name: str,
    problem: Problem,
    grids: FamilyGrids | SolvedGrids,
    *,
    paper: str,
    paper_figure: str,
    group: str = "analytic",
    note: str = "",
    views: tuple[str, ...] = ("rd", "surface", "sections"),
) -> list[FigureSpec]:
    """The rate–distortion, surface and cross-section figure specs of ``problem``.

    Parameters
    ----------
    slug : str
        ID prefix, e.g. ``'bernoulli-tv'``.
    name : str
        Human name of the problem for titles and captions.
    problem : Problem
        The problem to draw.
    grids : FamilyGrids or SolvedGrids
        Where to evaluate: each view on its own grids, or one solved surface cut three ways.
    paper, paper_figure : str
        What the family reproduces (``paper_figure`` is prefixed with the panel).
    group : str
        'analytic' or 'discrete'.
    note : str
        Appended to every caption (e.g. the closed form used).
    views : tuple of str
        Which of 'rd', 'surface', 'sections' to include.
    """
    levels = ", ".join(style.format_value(p) for p in np.atleast_1d(grids.perception_levels))
    if isinstance(grids, SolvedGrids):
        solved = solved_surfaces(problem, grids)
        factories = {
            "rd": solved_rate_distortion_figure,
            "surface": solved_surface_figure,
            "sections": solved_sections_figure,
        }

        def factory(view: str) -> Callable[..., Callable[[], FigureOutput]]:
            return lambda problem, grids, title: factories[view](problem, grids, title, solved)

    else:

        def factory(view: str) -> Callable[..., Callable[[], FigureOutput]]:
            return {
                "rd": rate_distortion_figure,
                "surface": surface_figure,
                "sections": sections_figure,
            }[view]

    # view: (title after the name, caption before the note, panel name, make factory)
    panels = {
        "rd": (
            "perception-constrained rate–distortion curves",
            f"R(D, P) against D for P ∈ {{{levels}}} (solid, dark = strict perception) and "
            "Shannon's R(D) = R(D, ∞) (black, dashed). Tightening the perception bound "
            "raises the rate–distortion curve; at P = 0 the zero-rate distortion is largest. ",
            "rate–distortion curves",
            factory("rd"),
        ),
        "surface": (
            "the R(D, P) surface and its equi-rate level sets",
            "Left: R(D, P) over the (D, P) plane with equi-rate lines. Right: the same "
            "lines in the (D, P) plane; the shaded region is where the rate is 0 "
            "(D ≥ D_max(P)). The lines bend where the perception constraint becomes "
            "active. ",
            "surface and level sets",
            factory("surface"),
        ),
        "sections": (
            "distortion–perception and rate–perception cross sections",
            "Left: D(R, P) against P at fixed rates — the distortion–perception tradeoff, "
            "flat once the perception bound is inactive. Right: R(D, P) against P at fixed "
            "distortions. ",
            "cross sections",
            factory("sections"),
        ),
    }
    return [
        FigureSpec(
            id=f"{slug}-{view}",
            title=f"{name}: {title}",
            caption=(caption + note).strip(),
            paper=paper,
            paper_figure=f"{paper_figure}: {panel}",
            make=make_figure(problem, grids, name),
            group=group,
        )
        for view, (title, caption, panel, make_figure) in panels.items()
        if view in views
    ]
