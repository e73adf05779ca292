"""D_min(P) and D_max(P) keep the fast method's time limit.

The D_min program (HiGHS for TV and W balls, Clarabel for KL) and the zero-rate search get
the time the point has. Out of time, a rate point has status ``time_limit`` with only
R ≥ 0 known — or is infeasible below Σ_i p_i min_j Δ_ij, a lower bound on D_min(P) — and
a direct ``min_distortion`` / ``zero_rate_distortion`` call raises ``TimeLimitError`` (the
D_min one with that lower bound). Values are checked against linear programs solved here
by HiGHS; each out-of-time case has a twin with time enough.
"""

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from rdp import Discrete, Problem, UnconvergedWarning
from rdp.exceptions import TimeLimitError
from rdp.solvers.fast import FastSolver
from rdp.status import is_certified

N = 30
X = np.linspace(-2.0, 2.0, N)
PMF = np.random.default_rng(3).dirichlet(np.ones(N))
#: The least distortion sends x to x + 0.3, which moves the law: D_min(P) > Σ p min Δ.
DELTA = (X[:, None] - X[None, :] - 0.3) ** 2
FLOOR = float(PMF @ DELTA.min(axis=1))
#: Deadlines that have passed before any program starts.
NO_TIME = 1e-9


def _problem(kind):
    return Problem(Discrete(PMF, X), DELTA, kind)


def _transport_cost(kind):
    if kind == "tv":
        return 1.0 - np.eye(N)
    return np.abs(X[:, None] - X[None, :])


def _lp_min_distortion(kind, P):
    """min ⟨J, Δ⟩ over channels J (rows p) whose output law is reached from p by a plan π
    of cost ⟨π, c⟩ ≤ P: one LP in (J, π)."""
    cost = _transport_cost(kind)
    rows = sparse.kron(sparse.eye(N), np.ones((1, N)))
    cols = sparse.kron(np.ones((1, N)), sparse.eye(N))
    zero = sparse.csr_matrix((N, N * N))
    a_eq = sparse.vstack(
        [sparse.hstack([rows, zero]), sparse.hstack([zero, rows]), sparse.hstack([cols, -cols])]
    )
    res = linprog(
        np.concatenate([DELTA.ravel(), np.zeros(N * N)]),
        A_ub=np.concatenate([np.zeros(N * N), cost.ravel()])[None, :], b_ub=[P],
        A_eq=a_eq, b_eq=np.concatenate([PMF, PMF, np.zeros(N)]), bounds=(0, None),
        method="highs",
    )  # fmt: skip
    assert res.status == 0
    return float(res.fun)


def _lp_zero_rate_distortion(kind, P):
    """min ⟨q, d̄⟩, d̄ = pᵀΔ, over output laws q = πᵀ1 of plans π (rows p) of cost ≤ P."""
    cost = _transport_cost(kind)
    dbar = PMF @ DELTA
    res = linprog(
        np.tile(dbar, N), A_ub=cost.ravel()[None, :], b_ub=[P],
        A_eq=sparse.kron(sparse.eye(N), np.ones((1, N))), b_eq=PMF, bounds=(0, None),
        method="highs",
    )  # fmt: skip
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize(("kind", "P"), [("w1", 0.1), ("tv", 0.1), ("kl-source-recon", 0.05)])
def test_min_distortion_out_of_time_raises_with_a_lower_bound(kind, P):
    with pytest.raises(TimeLimitError, match="D_min") as err:
        FastSolver(_problem(kind), time_limit=NO_TIME).min_distortion(P)
    assert err.value.lower == pytest.approx(FLOOR, rel=1e-14)
    # twin: with time enough D_min(P) is found, and it lies above the bound (so returning
    # the bound as D_min would have been a wrong number)
    d_min = FastSolver(_problem(kind)).min_distortion(P)
    assert d_min > 2 * err.value.lower
    if kind != "kl-source-recon":
        assert d_min == pytest.approx(_lp_min_distortion(kind, P), rel=1e-7)


@pytest.mark.parametrize("kind", ["w1", "kl-recon-source"])
def test_rate_point_out_of_time_in_the_dmin_program_says_time_limit(kind):
    P = 0.1
    exact = FastSolver(_problem(kind))
    d_min = exact.min_distortion(P)
    D = 0.5 * (FLOOR + d_min)  # infeasible, which only D_min(P) tells
    point = FastSolver(_problem(kind), time_limit=NO_TIME).rate_point(D, P)
    assert point.status == "time_limit" and not is_certified(point.status, point.lower, point.upper)
    assert point.lower == 0.0 and point.upper == np.inf
    assert "D_min" in point.message
    # twin: with time enough the same point is proven infeasible
    assert exact.rate_point(D, P).status == "infeasible"
    # below the lower bound Σ p min Δ the point is infeasible even out of time
    below = FastSolver(_problem(kind), time_limit=NO_TIME).rate_point(0.5 * FLOOR, P)
    assert below.status == "infeasible"
    assert exact.rate_point(0.5 * FLOOR, P).status == "infeasible"


@pytest.mark.parametrize("kind", ["w1", "tv"])
def test_zero_rate_distortion_out_of_time_raises(kind):
    P = 0.1
    with pytest.raises(TimeLimitError, match="D_max"):
        FastSolver(_problem(kind), time_limit=NO_TIME).zero_rate_distortion(P)
    # twin: with time enough it is the LP's value
    d_max = FastSolver(_problem(kind)).zero_rate_distortion(P)
    assert d_max == pytest.approx(_lp_zero_rate_distortion(kind, P), rel=1e-9)


def test_a_curve_out_of_time_in_the_dmin_program_marks_its_points():
    """An out-of-time D_min program no longer stops the whole curve: its D_min is NaN (not
    known), every point is still returned, the infeasible ones below Σ p min Δ as such and
    the rest as ``time_limit``. Twin: with time enough the curve's D_min is the LP's."""
    P = 0.1
    D = np.array([0.5 * FLOOR, 0.2, 0.6])
    with pytest.warns(UnconvergedWarning, match="time_limit"):
        curve = _problem("w1").rd_curve(P, D, method="fast", time_limit=NO_TIME, progress=False)
    assert np.isnan(curve.min_distortion) and np.isnan(curve.zero_rate_distortion)
    assert list(curve.status) == ["infeasible", "time_limit", "time_limit"]
    full = _problem("w1").rd_curve(P, D, method="fast", progress=False)
    assert full.min_distortion == pytest.approx(_lp_min_distortion("w1", P), rel=1e-7)
    assert full.status[0] == "infeasible"
    assert all(
        is_certified(s, lo, hi)
        for s, lo, hi in zip(full.status[1:], full.lower[1:], full.upper[1:], strict=True)
    )
