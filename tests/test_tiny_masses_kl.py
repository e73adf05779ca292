"""D_min(P) under KL and the convex reference with source masses of 1e-12.

A mass of 1e-12 inside a relative-entropy cone is badly scaled: written that way,
D_min(P) under KL(p_X̂‖p_X) came out 3e-5 too low. References computed another way:

- D_min(P) of a distortion that is 0 on one reconstruction value and 1 elsewhere is
  1 − max{q_1 : KL ≤ P}, and the optimal law keeps the others in the source's
  proportions, so q_1 solves a binary KL equation: a scalar root found by bisection in
  log scale (scipy's brentq), no conic program;
- the reference program ``tests/references.convex_rate`` against the fast solver's
  certified bracket (a different algorithm).

Twins: the binary root for the other KL direction, and a bracket of the other
direction, are far outside the tolerance.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import references as ref
from scipy.optimize import brentq
from scipy.special import rel_entr

from rdp import KL, Discrete, MatrixDistortion, Problem

pytest.importorskip("cvxpy")

X = np.array([0.0, 1.0, 2.0])
#: distortion 0 at reconstruction value 1 (the tiny symbol), 1 elsewhere: the identity
#: map is not the least-distortion map, so D_min(P) needs the convex program
TO_ONE = np.ones((3, 3)) - np.eye(3)[1][None, :]
DIRECTIONS = {
    "kl-source-recon": "source||reconstruction",
    "kl-recon-source": "reconstruction||source",
}


def _binary_kl(a: float, b: float) -> float:
    return float(rel_entr(a, b) + rel_entr(1 - a, 1 - b))


def _d_min_reference(eps: float, kind: str, P_bits: float) -> float:
    """1 − r, r ≥ eps the root of kl(eps‖r) = P (source||recon) or kl(r‖eps) = P.

    The root is found in t = −ln(1 − r), which keeps r near 1 resolved.
    """
    nats = P_bits * np.log(2)
    if kind == "kl-source-recon":
        gap = lambda t: _binary_kl(eps, -np.expm1(-t)) - nats  # noqa: E731
    else:
        gap = lambda t: _binary_kl(-np.expm1(-t), eps) - nats  # noqa: E731
    t = brentq(gap, -np.log1p(-eps), 60.0, xtol=1e-15, rtol=1e-15)
    return float(np.exp(-t))


def _problem(eps: float, kind: str) -> Problem:
    p = np.array([0.56, eps, 0.44 - eps])
    return Problem(Discrete(p, X), MatrixDistortion(TO_ONE), KL(DIRECTIONS[kind]))


@pytest.mark.parametrize("kind", list(DIRECTIONS))
@pytest.mark.parametrize("eps", [1e-12, 1e-9, 1e-3])
@pytest.mark.parametrize("P", [0.05, 0.3])
def test_min_distortion_under_kl_with_a_tiny_mass(kind, eps, P):
    expected = _d_min_reference(eps, kind, P)
    got = _problem(eps, kind).min_distortion(P)
    assert got == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("kind", list(DIRECTIONS))
def test_min_distortion_twin_other_direction_is_far(kind):
    other = next(k for k in DIRECTIONS if k != kind)
    got = _problem(1e-12, kind).min_distortion(0.3)
    assert abs(got - _d_min_reference(1e-12, other, 0.3)) > 1e-3


TINY = np.array([0.56, 1e-12, 0.44 - 1e-12])


@pytest.mark.parametrize("kind", list(DIRECTIONS))
def test_convex_reference_with_a_tiny_mass_inside_the_fast_bracket(kind):
    delta = ref.distortion_matrix("mse", X, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, status = ref.convex_rate_tight(TINY, X, X, delta, kind, 0.5, 0.3)
    assert status == "optimal"
    fast = Problem(Discrete(TINY, X), "mse", KL(DIRECTIONS[kind])).rate(0.5, 0.3)
    assert fast.status == "converged"
    # the reference fixes the 1e-12 row: it lies above R by at most h(1e-12) < 5e-11 bits
    assert fast.lower - 1e-8 <= value <= fast.upper + 1e-8


def test_convex_reference_twin_other_direction_outside_the_bracket():
    delta = ref.distortion_matrix("mse", X, X)
    value, _ = ref.convex_rate_tight(TINY, X, X, delta, "kl-source-recon", 0.5, 0.3)
    fast = Problem(Discrete(TINY, X), "mse", KL("reconstruction||source")).rate(0.5, 0.3)
    assert not fast.lower - 1e-8 <= value <= fast.upper + 1e-8
