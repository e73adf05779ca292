"""The three standard views of one problem's R(D, P), as figure specs.

For a problem and its grids, ``rdp_family`` returns the specs of

- ``<slug>-rd``: perception-constrained rate–distortion curves, Shannon's dashed;
- ``<slug>-surface``: the R(D, P) surface with equi-rate lines, and its level sets;
- ``<slug>-sections``: cross sections at fixed R (the distortion–perception
  tradeoff) and at fixed D (rate against perception).

This is the layout of Blau & Michaeli (ICML 2019), Fig. 3, for the Bernoulli
source; the same views serve every other problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rdp.plot import (
    distortion_perception_curves,
    plot_distortion_perception,
    plot_level_sets,
    plot_rate_distortion,
    plot_rate_perception,
    plot_surface,
    rate_distortion_curves,
    rate_perception_curves,
    rate_surface,
    style,
)
from rdp.problem import Problem
from rdp.reproduce.registry import FigureOutput, FigureSpec


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
        surface = rate_surface(problem, grids.surface_D, grids.surface_P, **(grids.options or {}))
        fig = style.new_figure(2)
        fig.set_size_inches(style.PANEL_SIZE[0] * 2.3, style.PANEL_SIZE[1] * 1.25)
        grid = fig.add_gridspec(1, 2, width_ratios=[1.25, 1.0])
        plot_surface(
            surface,
            ax=fig.add_subplot(grid[0], projection="3d"),
            max_rate=grids.max_rate,
            levels=grids.levels,
        )
        plot_level_sets(surface, ax=fig.add_subplot(grid[1]), levels=grids.levels)
        fig.suptitle(title)
        return FigureOutput(fig, {"data": surface.columns()})

    return make


def sections_figure(problem: Problem, grids: FamilyGrids, title: str) -> Callable[[], FigureOutput]:
    """``make`` function of the two cross-section panels."""

    def make() -> FigureOutput:
        options = grids.options or {}
        dp = distortion_perception_curves(problem, grids.rates, grids.P, **options)
        rp = rate_perception_curves(problem, grids.distortions, grids.P, **options)
        fig = style.new_figure(2)
        plot_distortion_perception(dp, ax=fig.add_subplot(1, 2, 1))
        plot_rate_perception(rp, ax=fig.add_subplot(1, 2, 2))
        fig.suptitle(title)
        return FigureOutput(
            fig, {"distortion-perception": dp.columns(), "rate-perception": rp.columns()}
        )

    return make


def rdp_family(
    slug: str,
    name: str,
    problem: Problem,
    grids: FamilyGrids,
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
    grids : FamilyGrids
        Where to evaluate.
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
    # view: (title after the name, caption before the note, panel name, make factory)
    panels = {
        "rd": (
            "perception-constrained rate–distortion curves",
            f"R(D, P) against D for P ∈ {{{levels}}} (solid, dark = strict perception) and "
            "Shannon's R(D) = R(D, ∞) (black, dashed). Tightening the perception bound "
            "raises the rate–distortion curve; at P = 0 the zero-rate distortion is largest. ",
            "rate–distortion curves",
            rate_distortion_figure,
        ),
        "surface": (
            "the R(D, P) surface and its equi-rate level sets",
            "Left: R(D, P) over the (D, P) plane with equi-rate lines. Right: the same "
            "lines in the (D, P) plane; the shaded region is where the rate is 0 "
            "(D ≥ D_max(P)). The lines bend where the perception constraint becomes "
            "active. ",
            "surface and level sets",
            surface_figure,
        ),
        "sections": (
            "distortion–perception and rate–perception cross sections",
            "Left: D(R, P) against P at fixed rates — the distortion–perception tradeoff, "
            "flat once the perception bound is inactive. Right: R(D, P) against P at fixed "
            "distortions. ",
            "cross sections",
            sections_figure,
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
