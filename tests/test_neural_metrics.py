"""Perception measures: the critic's W₁ against known distances; the Fréchet distance."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from rdp.neural.metrics import frechet_distance, wasserstein1_critic  # noqa: E402

pytestmark = pytest.mark.neural


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(0)
    return rng.normal(size=(4000, 2)).astype(np.float32), rng.normal(size=(4000, 2)).astype(
        np.float32
    )


def test_critic_w1_of_identical_distributions_is_near_zero(samples):
    a, b = samples
    w1 = wasserstein1_critic(a, b, jax.random.PRNGKey(0), hidden=(32, 32), steps=300)
    assert abs(w1) < 0.08


@pytest.mark.parametrize("shift", [0.5, 1.5])
def test_critic_w1_of_a_shifted_distribution_is_near_the_shift(samples, shift):
    # W₁(p, p shifted by a vector s) = ‖s‖ exactly (translation; coupling x -> x + s optimal).
    a, b = samples
    direction = np.array([0.6, 0.8], dtype=np.float32)  # unit vector
    w1 = wasserstein1_critic(
        a, b + shift * direction, jax.random.PRNGKey(1), hidden=(32, 32), steps=300
    )
    assert w1 == pytest.approx(shift, rel=0.15)


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    # Independent reference: for diagonal covariances the Fréchet distance is
    # |Δμ|² + Σ (σ_a,i − σ_b,i)².
    rng = np.random.default_rng(2)
    a = rng.normal(size=(200_000, 2)) * [1.0, 2.0]
    b = rng.normal(size=(200_000, 2)) * [3.0, 0.5] + [1.0, -1.0]
    expected = 2.0 + (1.0 - 3.0) ** 2 + (2.0 - 0.5) ** 2
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.02)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
