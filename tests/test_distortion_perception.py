"""The W₁ distortion–perception LP (Freirich, Weinberger & Meir, arXiv:2402.02265)."""

import numpy as np
import pytest

from rdp import Discrete, Problem
from rdp.closed_forms.distortion_perception import distortion_perception_w1


def _instance(seed, nx=4, ny=3):
    rng = np.random.default_rng(seed)
    joint = rng.dirichlet(np.ones(nx * ny)).reshape(nx, ny)
    x = np.sort(rng.normal(size=nx))
    return joint, (x[:, None] - x[None, :]) ** 2, np.abs(x[:, None] - x[None, :])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_convex_non_increasing_piecewise_linear(seed):
    joint, delta, metric = _instance(seed)
    P = np.linspace(0.0, 1.0, 41)
    D = np.array([distortion_perception_w1(joint, delta, metric, p).distortion for p in P])
    assert np.all(np.diff(D) <= 1e-12)
    second = np.diff(D, 2)
    assert np.all(second >= -1e-10)  # convex
    assert np.sum(second > 1e-9) <= 2 * (delta.shape[0] + 1)  # few breakpoints: piecewise linear
    bayes = float(np.sum(np.min(joint.T @ delta, axis=1)))  # the Bayes estimator, no constraint
    assert np.all(D >= bayes - 1e-12)
    assert distortion_perception_w1(joint, delta, metric, np.inf).distortion == pytest.approx(bayes)


@pytest.mark.parametrize("P", [0.0, 0.1, 0.3])
def test_identity_observation_is_the_rate_infinity_end_of_rdp(P):
    """Y = X: D(P) = D_min(P) of R(D, P), computed by the finite solver's own routine."""
    pmf = np.array([0.5, 0.3, 0.2])
    values = np.array([0.0, 1.0, 2.0])
    problem = Problem(Discrete(pmf, values), "absolute", "w1")
    metric = np.abs(values[:, None] - values[None, :])
    lp = distortion_perception_w1(np.diag(pmf), metric, metric, P).distortion
    assert lp == pytest.approx(problem.min_distortion(P, method="fast"), abs=1e-9)


def test_optimal_estimator_meets_the_budget():
    joint, delta, metric = _instance(5)
    result = distortion_perception_w1(joint, delta, metric, 0.05)
    assert np.allclose(result.estimator.sum(axis=1), 1.0)
    import ot

    w1 = ot.emd2(joint.sum(axis=1), result.reconstruction_pmf, metric)
    assert w1 <= 0.05 + 1e-9
    expected = np.sum(joint.T @ delta * result.estimator)
    assert result.distortion == pytest.approx(expected, abs=1e-12)
