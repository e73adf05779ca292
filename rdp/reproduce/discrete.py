"""Discrete examples beyond the papers, computed with the finite-alphabet solver.

- A Laplacian discretised on 13 points of [−3, 3] (pmf ∝ e^{−|x|}) with MSE
  distortion and W₁ perception (transport cost |x − x̂| on the symbol values).
- A 3-symbol source p = (0.5, 0.3, 0.2) with the non-symmetric distortion
  matrix ``TERNARY_DISTORTION`` and TV perception.

No closed form exists for either; the values are solutions of the exact
convex program for finite alphabets (Blau & Michaeli, ICML 2019,
arXiv:1901.07821, Eq. (3)), returned by ``problem.rate(D, P, method=DISCRETE_METHOD)``.
"""

from __future__ import annotations

import numpy as np

from rdp.problem import Problem
from rdp.reproduce.blau_michaeli import BLAU_MICHAELI
from rdp.reproduce.family import FamilyGrids, rdp_family
from rdp.reproduce.registry import FigureSpec
from rdp.sources import Discrete

#: Solver used for the discrete figures (see the module docstring).
DISCRETE_METHOD = "cvxpy"

#: Symbol values of the discretised Laplacian.
LAPLACE_ALPHABET = np.linspace(-3.0, 3.0, 13)

#: Source law of the 3-symbol example.
TERNARY_PMF = (0.5, 0.3, 0.2)

#: Δ[i, j]: cost of reconstructing symbol i as j; deliberately not symmetric.
TERNARY_DISTORTION = ((0.0, 1.0, 4.0), (2.0, 0.0, 1.0), (1.0, 3.0, 0.0))


def laplace_problem() -> Problem:
    """Discretised Laplacian on ``LAPLACE_ALPHABET``, MSE, W₁ perception."""
    pmf = np.exp(-np.abs(LAPLACE_ALPHABET))
    return Problem(Discrete(pmf / pmf.sum(), LAPLACE_ALPHABET), "mse", "w1")


def ternary_problem() -> Problem:
    """3-symbol source, non-symmetric distortion matrix, TV perception."""
    return Problem(Discrete(TERNARY_PMF), np.array(TERNARY_DISTORTION), "tv")


LAPLACE_GRIDS = FamilyGrids(
    D=np.linspace(0.05, 2.6, 26),
    P=np.linspace(0.0, 0.6, 2),
    perception_levels=[0.0, 0.1, 0.3],
    rates=[],
    distortions=[],
    surface_D=np.linspace(0.05, 2.6, 16),
    surface_P=np.linspace(0.0, 0.6, 9),
    levels=[0.1, 0.25, 0.5, 1.0, 1.5],
    options={"method": DISCRETE_METHOD},
)

TERNARY_GRIDS = FamilyGrids(
    D=np.linspace(0.0, 1.3, 40),
    P=np.linspace(0.0, 0.3, 2),
    perception_levels=[0.0, 0.05, 0.1, 0.2],
    rates=[],
    distortions=[],
    surface_D=np.linspace(0.0, 1.3, 18),
    surface_P=np.linspace(0.0, 0.3, 10),
    levels=[0.1, 0.25, 0.5, 0.75, 1.0, 1.25],
    options={"method": DISCRETE_METHOD},
)


def figures() -> list[FigureSpec]:
    """The discretised-Laplacian and 3-symbol figures (rate–distortion curves and surface)."""
    note = "Finite alphabet: exact convex program (cvxpy, Clarabel)."
    shared = {
        "paper": f"Beyond the papers: the views of {BLAU_MICHAELI}, Fig. 3",
        "paper_figure": "new example",
        "group": "discrete",
        "views": ("rd", "surface"),
    }
    return [
        *rdp_family(
            "laplace-w1",
            "Discretised Laplacian (13 points), MSE, W₁ perception",
            laplace_problem(),
            LAPLACE_GRIDS,
            **shared,
            note=note,
        ),
        *rdp_family(
            "ternary-tv",
            "3-symbol source, non-symmetric distortion matrix, TV perception",
            ternary_problem(),
            TERNARY_GRIDS,
            **shared,
            note=(
                "p = (0.5, 0.3, 0.2); Δ = [[0, 1, 4], [2, 0, 1], [1, 3, 0]] (rows: source "
                "symbol, columns: reconstruction). " + note
            ),
        ),
    ]
