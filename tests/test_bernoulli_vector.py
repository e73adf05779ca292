"""Bernoulli vector / Hamming / Σ TV: the component allocation against the joint convex program."""

import itertools

import cvxpy as cp
import numpy as np
import pytest

from rdp import Bernoulli, Problem
from rdp.closed_forms import bernoulli_vector


def joint_program(ps, D, P):
    """min I(X; X̂) over all joint laws of (X₁, X₂) → (X̂₁, X̂₂), no product assumption (Clarabel)."""
    symbols = list(itertools.product([0, 1], repeat=len(ps)))
    px = np.array(
        [np.prod([q if b else 1 - q for q, b in zip(ps, s, strict=True)]) for s in symbols]
    )
    hamming = np.array(
        [[sum(a != b for a, b in zip(s, t, strict=True)) for t in symbols] for s in symbols]
    )
    J = cp.Variable((len(symbols), len(symbols)), nonneg=True)
    q = cp.sum(J, axis=0)
    tv = 0
    for i, p_i in enumerate(ps):
        ones = np.array([s[i] for s in symbols], dtype=float)
        tv = tv + cp.abs(ones @ q - p_i)
    prod = cp.reshape(px, (len(symbols), 1), order="F") @ cp.reshape(
        q, (1, len(symbols)), order="F"
    )
    problem = cp.Problem(
        cp.Minimize(cp.sum(cp.rel_entr(J, prod)) / np.log(2)),
        [cp.sum(J, axis=1) == px, cp.sum(cp.multiply(J, hamming)) <= D, tv <= P],
    )
    problem.solve(solver=cp.CLARABEL)
    return problem.value


@pytest.mark.parametrize(
    ("ps", "D", "P"),
    [
        ((0.1, 0.3), 0.1, 0.02),
        ((0.2, 0.2), 0.15, 0.0),
        ((0.1, 0.4), 0.2, 0.1),
        ((0.3, 0.45), 0.3, 0.5),
    ],
)
def test_allocation_equals_the_joint_convex_program(ps, D, P):
    assert bernoulli_vector.rate(ps, D, P) == pytest.approx(joint_program(ps, D, P), abs=2e-6)


def test_one_component_is_blau_michaeli():
    problem = Problem(Bernoulli(0.2), "hamming", "tv")
    for D, P in [(0.05, 0.01), (0.1, 0.1), (0.3, 0.0)]:
        assert bernoulli_vector.rate([0.2], D, P) == pytest.approx(problem.rate(D, P).rate)


def test_identical_components_share_equally():
    single = Problem(Bernoulli(0.1), "hamming", "tv").rate(0.05, 0.02).rate
    assert bernoulli_vector.rate([0.1, 0.1, 0.1], 0.15, 0.06) == pytest.approx(3 * single, abs=1e-7)
