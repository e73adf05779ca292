"""D_max(P) under a transport perception (W₁, W₂, and TV as a transport cost) against an LP.

D_max(P) = min over laws q with W(p_X, q) ≤ P of Σ_j q_j d̄_j, d̄_j = Σ_i p_i Δ_ij
(the zero-rate channel is p_X ⊗ q). The reference is that linear program over the
coupling π ≥ 0 with rows p and cost ⟨π, c⟩ ≤ P, solved by scipy's HiGHS, written here
from the definition; the library finds q by a search over Lagrangian plans that stops
at the breakpoint of the critical multiplier. Twin: the LP at another P is far off.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from rdp import Discrete, Problem

DISTORTIONS = {
    "mse": lambda x, y: (x[:, None] - y[None, :]) ** 2,
    "absolute": lambda x, y: np.abs(x[:, None] - y[None, :]),
    "hamming": lambda x, y: (x[:, None] != y[None, :]).astype(float),
}
COSTS = {
    "w1": lambda x, y: np.abs(x[:, None] - y[None, :]),
    "w2": lambda x, y: (x[:, None] - y[None, :]) ** 2,
    "tv": lambda x, y: (x[:, None] != y[None, :]).astype(float),
}


def lp_zero_rate_distortion(p, delta, cost, P):
    """min Σ_ij π_ij d̄_j over π ≥ 0 with rows p and ⟨π, c⟩ ≤ P."""
    n, m = cost.shape
    dbar = p @ delta
    a_eq = sparse.kron(sparse.eye(n), np.ones((1, m)))
    res = linprog(
        np.tile(dbar, n), A_ub=cost.reshape(1, -1), b_ub=[P], A_eq=a_eq, b_eq=p,
        bounds=(0, None), method="highs",
    )  # fmt: skip
    assert res.status == 0
    return float(res.fun)


CASES = [
    (n, distortion, kind, seed)
    for n, seed in ((5, 0), (12, 1), (40, 2))
    for distortion in DISTORTIONS
    for kind in COSTS
]


@pytest.mark.parametrize(("n", "distortion", "kind", "seed"), CASES)
def test_zero_rate_distortion_matches_the_lp(n, distortion, kind, seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(n))
    x = np.sort(rng.normal(size=n)) if distortion != "hamming" else np.arange(n, dtype=float)
    problem = Problem(Discrete(p, x), distortion, kind)
    delta, cost = DISTORTIONS[distortion](x, x), COSTS[kind](x, x)
    dbar = p @ delta
    for fraction in (0.05, 0.3, 0.7):
        # P between 0 and the transport cost of the least-distortion law (all mass on argmin d̄)
        P = fraction * float(p @ cost[:, np.argmin(dbar)])
        expected = lp_zero_rate_distortion(p, delta, cost, P)
        got = problem.zero_rate_distortion(P)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_zero_rate_distortion_twin_at_another_P_is_far():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(12))
    x = np.sort(rng.normal(size=12))
    delta, cost = DISTORTIONS["mse"](x, x), COSTS["w1"](x, x)
    got = Problem(Discrete(p, x), "mse", "w1").zero_rate_distortion(0.2)
    assert abs(got - lp_zero_rate_distortion(p, delta, cost, 0.3)) > 1e-3
