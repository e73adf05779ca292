"""Tests of rdp.theorems.freirich2021: the distortion–perception function."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rdp.theorems import freirich2021


def test_scalar_gaussian_by_hand():
    """X ~ N(0,1), Y = X + N(0, s²): D* = s²/(1+s²), σ*² = 1/(1+s²), W₂² = (1 − σ*)²."""
    s2 = 0.5
    out = freirich2021.gaussian_geodesic_estimator(1.0, 1.0, s2, 0.0)
    sigma_star = np.sqrt(1 / (1 + s2))
    assert out["mmse"] == pytest.approx(s2 / (1 + s2), rel=1e-12)
    assert out["w2_squared"] == pytest.approx((1 - sigma_star) ** 2, rel=1e-10)
    # P = 0: X̂ = X*/σ* ~ N(0,1); MSE = 2 − 2σ*
    assert out["mse"] == pytest.approx(2 - 2 * sigma_star, rel=1e-10)
    assert out["mse"] <= 2 * out["mmse"]


def test_gaussian_w2_formula_commuting_case():
    """Diagonal covariances: W₂² = Σ (√a_i − √b_i)²."""
    a, b = np.diag([1.0, 4.0]), np.diag([9.0, 0.25])
    assert freirich2021.gaussian_w2_squared(a, b) == pytest.approx((1 - 3) ** 2 + (2 - 0.5) ** 2)


def test_standard_gaussian_and_discrete_instances_pass():
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    report = freirich2021.check_distortion_perception_gaussian(cov, np.eye(2), 0.3 * np.eye(2))
    assert report.passed, report
    points = np.array([0.0, 1.0, 3.0, 6.0])
    channel = np.array([[0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])
    report = freirich2021.check_distortion_perception_discrete(
        points, [0.4, 0.3, 0.2, 0.1], channel
    )
    assert report.passed, report
    rows = report.quantities["points"]
    assert rows[0]["mse"] <= 2 * rows[0]["mmse"]  # D(0) ≤ 2D*
    # D(P) is non-increasing and reaches D* once √P ≥ W₂
    mses = [r["mse"] for r in rows]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(mses[:5]))
    assert rows[-1]["mse"] == pytest.approx(rows[-1]["mmse"], rel=1e-12)


def test_wrong_coupling_is_detected():
    """With an independent (not optimal) coupling the construction misses D(P)."""
    points = np.array([0.0, 1.0, 3.0, 6.0])
    pmf = np.array([0.4, 0.3, 0.2, 0.1])
    channel = np.array([[0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])
    right = freirich2021.discrete_geodesic_estimator(points, pmf, channel, 0.1)
    wrong = freirich2021.discrete_geodesic_estimator(
        points, pmf, channel, 0.1, coupling="independent"
    )
    assert right["mse"] == pytest.approx(right["formula"], rel=1e-10)
    assert wrong["mse"] > wrong["formula"] * 1.01


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 5), st.integers(2, 4), st.floats(0.0, 2.0))
def test_geodesic_matches_formula_on_random_finite_models(seed, n, m, fraction):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, 2))
    pmf = rng.dirichlet(np.ones(n))
    channel = rng.dirichlet(np.ones(m), size=n)
    base = freirich2021.discrete_geodesic_estimator(points, pmf, channel, 0.0)
    P = fraction * base["w2_squared"]
    out = freirich2021.discrete_geodesic_estimator(points, pmf, channel, P)
    assert out["mse"] == pytest.approx(out["formula"], rel=1e-8, abs=1e-12)
    assert out["perception"] <= P + 1e-9
    assert base["w2_squared"] <= base["mmse"] + 1e-12  # hence D(0) ≤ 2D*


def test_negative_perception_rejected():
    with pytest.raises(ValueError, match="P"):
        freirich2021.distortion_perception_function(1.0, 0.5, -0.1)


def _finite_model():
    points = np.array([0.0, 1.0, 2.0, 4.0, 7.0])
    pmf = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
    channel = np.array(
        [[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.05, 0.15, 0.8]]
    )
    return points, pmf, channel


def test_no_estimator_beats_the_formula_on_a_rich_alphabet():
    """The LP over every estimator on a fine grid (plus the geodesic support) stays ≥ D(P)."""
    from rdp.closed_forms.distortion_perception import distortion_perception_w1

    points, pmf, channel = _finite_model()
    joint = pmf[:, None] * channel
    base = freirich2021.discrete_geodesic_estimator(points, pmf, channel, 0.0)
    for P in (0.0, 0.3, 1.0):
        grid = np.linspace(-0.5, 7.5, 161)
        cost = (points[:, None] - grid[None, :]) ** 2
        lp = distortion_perception_w1(joint, cost, cost, P).distortion
        formula = freirich2021.distortion_perception_function(base["mmse"], base["w2_squared"], P)
        assert lp >= float(formula) - 1e-9


def test_nothing_does_better_fails_on_a_wrong_formula(monkeypatch):
    points, pmf, channel = _finite_model()
    assert freirich2021.check_nothing_does_better(points, pmf, channel).passed
    original = freirich2021.distortion_perception_function
    monkeypatch.setattr(
        freirich2021, "distortion_perception_function", lambda *a: 0.99 * original(*a)
    )
    assert not freirich2021.check_nothing_does_better(points, pmf, channel).passed
