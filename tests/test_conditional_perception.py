"""Gaussian D(R, P) under the conditional perception measure (Salehkalaibar et al. 2024)."""

import numpy as np
import pytest
from scipy.optimize import minimize

from rdp.closed_forms import conditional_perception as cp

EIGS = [2.0, 1.0, 0.25]


def _reverse_water_filling(lam, R):
    """θ_i = min(θ, λ_i) with Σ ½log₂(λ_i/θ_i) = R, by bisection (independent of the library)."""
    lam = np.asarray(lam, float)
    lo, hi = 0.0, lam.max()
    for _ in range(200):
        theta = 0.5 * (lo + hi)
        rate = 0.5 * np.log2(lam / np.minimum(theta, lam)).sum()
        lo, hi = (theta, hi) if rate > R else (lo, theta)
    return np.minimum(0.5 * (lo + hi), lam)


@pytest.mark.parametrize("R", [0.2, 1.0, 3.0])
def test_three_db_at_perfect_conditional_realism(R):
    theta = _reverse_water_filling(EIGS, R)
    assert cp.distortion(EIGS, R, 0.0) == pytest.approx(2 * theta.sum(), rel=1e-9)
    assert cp.distortion(EIGS, R, theta.sum()) == pytest.approx(theta.sum(), rel=1e-9)


@pytest.mark.parametrize(("R", "P"), [(0.5, 0.1), (1.0, 0.02), (2.0, 0.05)])
def test_achievable_construction_by_direct_optimisation(R, P):
    """Fix the reverse water-filling Cov(X|U) = diag θ_i and optimise the per-component noise
    deviations s_i by SLSQP: min Σ(θ_i + s_i²) s.t. Σ(√θ_i − s_i)² ≤ P (Gaussian conditionals)."""
    theta = _reverse_water_filling(EIGS, R)
    root = np.sqrt(theta)
    res = minimize(
        lambda s: np.sum(theta + s * s),
        root,  # feasible start: s = √θ meets the constraint with equality to 0 ≤ P
        method="SLSQP",
        bounds=[(0, None)] * 3,
        constraints=[{"type": "ineq", "fun": lambda s: P - np.sum((root - s) ** 2)}],
        options={"ftol": 1e-13, "maxiter": 500},
    )
    # status 8 ("positive directional derivative"): SLSQP cannot descend further at this ftol,
    # which at a feasible point of a convex problem means it stands at the optimum
    assert res.success or res.status == 8, res.message
    assert P - np.sum((root - res.x) ** 2) >= -1e-9  # the reference point is feasible
    assert cp.distortion(EIGS, R, P) == pytest.approx(res.fun, rel=1e-7)


@pytest.mark.parametrize("P", [0.0, 0.05, 0.4, 5.0])
def test_rate_inverts_distortion(P):
    for R in (0.1, 0.8, 2.5):
        assert cp.rate(EIGS, cp.distortion(EIGS, R, P), P) == pytest.approx(R, rel=1e-9)


def test_more_perception_budget_never_hurts():
    values = [cp.distortion(EIGS, 1.0, P) for P in (0.0, 0.01, 0.1, 0.5, 2.0)]
    assert np.all(np.diff(values) <= 1e-15)
