"""Fixed-rate quantiser: rate accounting, forward values, gradients, dither statistics."""

import itertools
import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from rdp.neural.quantizer import UniformQuantizer  # noqa: E402

pytestmark = [pytest.mark.neural, pytest.mark.usefixtures("strict_dtypes")]


@pytest.mark.parametrize(("dims", "levels"), [(1, 2), (3, 3), (2, 5), (16, 2), (4, 4)])
def test_rate_is_dims_times_log2_levels(dims, levels):
    q = UniformQuantizer(dims, levels)
    assert q.rate_bits == pytest.approx(dims * math.log2(levels))


@pytest.mark.parametrize(("dims", "levels"), [(1, 4), (2, 3), (3, 2)])
def test_code_uses_exactly_levels_to_the_dims_words(dims, levels):
    # Dense latents hit every word and never more than L^d of them, so log2(#words) = rate.
    q = UniformQuantizer(dims, levels)
    grid = np.linspace(-1, 1, 41, dtype=np.float32)
    z = jnp.asarray(np.array(list(itertools.product(grid, repeat=dims)), dtype=np.float32))
    idx = np.asarray(q.indices(z))
    assert idx.min() >= 0 and idx.max() <= levels - 1
    words = {tuple(row) for row in idx}
    assert len(words) == levels**dims
    assert math.log2(len(words)) == pytest.approx(q.rate_bits)


def test_forward_value_is_nearest_level_and_gradient_is_straight_through():
    q = UniformQuantizer(1, 5)  # levels -1, -0.5, 0, 0.5, 1
    z = jnp.array([[-0.9], [-0.3], [0.1], [0.26], [0.99]], dtype=jnp.float32)
    expected = np.array([[-1.0], [-0.5], [0.0], [0.5], [1.0]], dtype=np.float32)
    np.testing.assert_allclose(np.asarray(q(z)), expected, atol=1e-6)
    grad = jax.grad(lambda v: jnp.sum(q(v) * jnp.arange(1.0, 6.0)[:, None]))(z)
    np.testing.assert_allclose(np.asarray(grad)[:, 0], np.arange(1.0, 6.0), rtol=1e-6)


def test_soft_to_hard_forward_is_hard_and_gradient_is_finite_positive():
    q = UniformQuantizer(2, 4, mode="soft-to-hard", softness=10.0)
    z = jnp.array([[0.1, -0.7], [0.5, 0.9]], dtype=jnp.float32)
    np.testing.assert_array_equal(np.asarray(q(z)), np.asarray(q.dequantize(q.indices(z))))
    grad = np.asarray(jax.grad(lambda v: jnp.sum(q(v)))(z))
    assert np.all(np.isfinite(grad)) and np.all(grad > 0)


def test_sign_quantizer_is_yans_binary_code():
    q = UniformQuantizer(3, 2)
    z = jnp.array([[-0.2, 0.3, 0.01]], dtype=jnp.float32)
    np.testing.assert_allclose(np.asarray(q(z)), [[-1.0, 1.0, 1.0]])


def test_subtractive_dither_error_is_uniform_and_independent_of_input():
    # Schuchman (1964): with subtractive uniform dither the error is U(-Δ/2, Δ/2), whatever z is.
    q = UniformQuantizer(1, 5, dithered=True)
    step = q.step
    for value in (0.0, 0.13, -0.4):
        z = jnp.full((20_000, 1), value, dtype=jnp.float32)
        keys = jax.random.split(jax.random.PRNGKey(1), z.shape[0])
        err = np.asarray(jax.vmap(lambda zi, k: q(zi, key=k))(z, keys) - z)[:, 0]
        assert np.abs(err).max() <= step / 2 + 1e-6
        assert abs(err.mean()) < 4 * step / np.sqrt(12 * err.size)
        assert err.var() == pytest.approx(step**2 / 12, rel=0.05)


def test_dithered_quantizer_needs_a_key():
    with pytest.raises(ValueError, match="key"):
        UniformQuantizer(1, 3, dithered=True)(jnp.zeros((1,), dtype=jnp.float32))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dims": 0, "levels": 2}, "dims"),
        ({"dims": 1, "levels": 1}, "levels"),
        ({"dims": 1, "levels": 2, "mode": "round"}, "mode"),
    ],
)
def test_invalid_quantizer_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        UniformQuantizer(**kwargs)
