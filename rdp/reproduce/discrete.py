"""Discrete examples beyond the papers, computed with the certified finite-alphabet solver.

- The Laplacian pmf ∝ e^{−|x|} on 65 evenly spaced points of [−6, 6]
  ([`LAPLACE_ALPHABET`][rdp.reproduce.discrete.LAPLACE_ALPHABET], step 0.1875; the
  mass beyond ±6 of the continuous law, e^{−6} ≈ 0.25 %, is not there),
  reconstructed on the same points, with MSE distortion (x − x̂)² and W₁
  perception (transport cost |x − x̂| on the symbol values). This is a finite
  problem in its own right, not the continuous Laplacian: its values approach
  that source's as the grid is refined.
- A 3-symbol source p = (0.5, 0.3, 0.2) with the non-symmetric distortion
  matrix [`TERNARY_DISTORTION`][rdp.reproduce.discrete.TERNARY_DISTORTION] and TV perception.

No closed form exists for either. Each family is solved once on one (D, P) grid
by ``method="fast"`` (the certified solver of ``docs/solver.md``): every point
carries a lower bound from Lagrangian duality and an upper bound, the rate of an
exactly feasible channel, and counts as certified when they are within
[`DISCRETE_TOL`][rdp.reproduce.discrete.DISCRETE_TOL] bits. A point whose solver
stops at [`DISCRETE_MAX_ITER`][rdp.reproduce.discrete.DISCRETE_MAX_ITER]
iterations keeps its bounds and is marked in the figure (a deterministic
iteration limit, not a wall-clock one, so the figures do not depend on the
machine's load). The three views (rate–distortion curves, surface, cross
sections) are cuts of that one surface; D(R, P) is bracketed from its bounds
([`distortion_bracket`][rdp.plot.data.distortion_bracket]), and a bracket wider than
the certified gap is marked as every point without a certified value is (a red ×).
The problem is the finite-alphabet program of Blau & Michaeli (ICML 2019,
arXiv:1901.07821, Eq. (3)).
"""

from __future__ import annotations

import numpy as np

from rdp.problem import Problem
from rdp.reproduce.blau_michaeli import BLAU_MICHAELI
from rdp.reproduce.family import SolvedGrids, rdp_family
from rdp.reproduce.registry import FigureSpec
from rdp.sources import Discrete

#: Solver of the discrete figures (see the module docstring).
DISCRETE_METHOD = "fast"

#: Certified gap (bits) of every point: far below what a figure can show.
DISCRETE_TOL = 1e-3

#: Iteration limit per point; the solver stops there with its bounds (marked in the figure).
DISCRETE_MAX_ITER = 20_000

#: Solver options of the discrete figures. Every point starts cold, so its result depends
#: on (D, P) only (warm starts along the grid did not pay on the Laplacian); the time
#: limit only guards against a hang.
DISCRETE_OPTIONS = {
    "method": DISCRETE_METHOD,
    "tol": DISCRETE_TOL,
    "max_iter": DISCRETE_MAX_ITER,
    "time_limit": 600.0,
    "warm_start": False,
}

#: Number of symbols of the discretised Laplacian.
LAPLACE_POINTS = 65

#: Half-width L of the interval [−L, L] of the discretised Laplacian.
LAPLACE_HALF_WIDTH = 6.0

#: Symbol values of the discretised Laplacian.
LAPLACE_ALPHABET = np.linspace(-LAPLACE_HALF_WIDTH, LAPLACE_HALF_WIDTH, LAPLACE_POINTS)

#: Source law of the 3-symbol example.
TERNARY_PMF = (0.5, 0.3, 0.2)

#: Δ[i, j]: cost of reconstructing symbol i as j; deliberately not symmetric.
TERNARY_DISTORTION = ((0.0, 1.0, 4.0), (2.0, 0.0, 1.0), (1.0, 3.0, 0.0))


def laplace_pmf() -> np.ndarray:
    """The pmf ∝ e^{−|x|} on [`LAPLACE_ALPHABET`][rdp.reproduce.discrete.LAPLACE_ALPHABET]."""
    pmf = np.exp(-np.abs(LAPLACE_ALPHABET))
    return pmf / pmf.sum()


def laplace_problem() -> Problem:
    """Discretised Laplacian (65 points of [−6, 6]), MSE distortion, W₁ perception."""
    return Problem(Discrete(laplace_pmf(), LAPLACE_ALPHABET), "mse", "w1")


def ternary_problem() -> Problem:
    """3-symbol source, non-symmetric distortion matrix, TV perception."""
    return Problem(Discrete(TERNARY_PMF), np.array(TERNARY_DISTORTION), "tv")


# D_max(0) = 2·Var ≈ 3.77 and D_max(∞) = Var ≈ 1.88 for this pmf; W₁ to the point mass
# at 0 is E|X| ≈ 0.99, beyond which P no longer constrains the zero-rate boundary.
LAPLACE_GRIDS = SolvedGrids(
    D=np.round(np.linspace(0.1, 3.7, 25), 10),
    P=np.round(np.linspace(0.0, 1.0, 21), 10),
    perception_levels=[0.0, 0.1, 0.2, 0.4, 0.8],
    rates=[0.25, 0.5, 1.0, 1.5],
    distortions=[0.25, 0.55, 1.0, 1.45],
    max_rate=2.2,
    levels=[0.1, 0.25, 0.5, 1.0, 1.5, 2.0],
    options=DISCRETE_OPTIONS,
)

TERNARY_GRIDS = SolvedGrids(
    D=np.round(np.linspace(0.0, 1.3, 27), 10),
    P=np.round(np.linspace(0.0, 0.3, 31), 10),
    perception_levels=[0.0, 0.05, 0.1, 0.2],
    rates=[0.1, 0.25, 0.5, 1.0],
    distortions=[0.2, 0.4, 0.7, 1.0],
    levels=[0.1, 0.25, 0.5, 0.75, 1.0, 1.25],
    options=DISCRETE_OPTIONS,
)


def figures() -> list[FigureSpec]:
    """The discretised-Laplacian and 3-symbol figures: curves, surface and cross sections."""
    solver = (
        f"Certified solver (method 'fast'): every point within {DISCRETE_TOL:g} bits "
        "between a dual lower bound and the rate of an exactly feasible channel. A red × "
        "with a bar over its bounds marks a point without a certified value: a solver "
        "point stopped at the iteration limit, or a D(R, P) bracket read off the grid "
        "that is wider than the certified gap."
    )
    shared = {
        "paper": f"Beyond the papers: the views of {BLAU_MICHAELI}, Fig. 3",
        "paper_figure": "new example",
        "group": "discrete",
    }
    return [
        *rdp_family(
            "laplace-w1",
            f"Discretised Laplacian ({LAPLACE_POINTS} points), MSE, W₁ perception",
            laplace_problem(),
            LAPLACE_GRIDS,
            **shared,
            note=(
                f"Source: pmf ∝ e^(−|x|) on {LAPLACE_POINTS} evenly spaced points of "
                f"[−{LAPLACE_HALF_WIDTH:g}, {LAPLACE_HALF_WIDTH:g}], reconstructions on the "
                "same points; Δ = (x − x̂)², W₁ with ground cost |x − x̂|. " + solver
            ),
        ),
        *rdp_family(
            "ternary-tv",
            "3-symbol source, non-symmetric distortion matrix, TV perception",
            ternary_problem(),
            TERNARY_GRIDS,
            **shared,
            note=(
                "p = (0.5, 0.3, 0.2); Δ = [[0, 1, 4], [2, 0, 1], [1, 3, 0]] (rows: source "
                "symbol, columns: reconstruction). " + solver
            ),
        ),
    ]
