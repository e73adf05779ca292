"""Encoder, decoder and critic shapes; the straight-through tanh keeps saturated units alive."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
eqx = pytest.importorskip("equinox")

from rdp.neural.models import Critic, Decoder, Encoder  # noqa: E402
from rdp.neural.quantizer import UniformQuantizer  # noqa: E402

pytestmark = [pytest.mark.neural, pytest.mark.usefixtures("strict_dtypes")]


def _saturated_encoder(straight_through):
    enc = Encoder(
        4,
        UniformQuantizer(3, 2),
        (8,),
        straight_through_tanh=straight_through,
        key=jax.random.PRNGKey(0),
    )
    last = enc.net.layers[-1]
    return eqx.tree_at(lambda e: e.net.layers[-1].bias, enc, last.bias + 50.0)


def test_straight_through_tanh_passes_gradient_through_saturation():
    x = jnp.ones((4,), dtype=jnp.float32)
    for straight_through, alive in ((False, False), (True, True)):
        enc = _saturated_encoder(straight_through)
        np.testing.assert_array_equal(np.asarray(enc(x)), np.ones(3, dtype=np.float32))
        grad = eqx.filter_grad(lambda e: jnp.sum(e(x)))(enc).net.layers[-1].bias
        assert (np.abs(np.asarray(grad)).min() > 0.5) == alive


def test_decoder_noise_and_conditional_critic():
    dec = Decoder(3, 5, (8,), noise_size=2, key=jax.random.PRNGKey(1))
    code = jnp.ones((3,), dtype=jnp.float32)
    a = dec(code, key=jax.random.PRNGKey(2))
    b = dec(code, key=jax.random.PRNGKey(3))
    assert a.shape == (5,) and not np.allclose(np.asarray(a), np.asarray(b))
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0
    with pytest.raises(ValueError, match="key"):
        dec(code)
    critic = Critic(5, (8,), code_size=3, key=jax.random.PRNGKey(4))
    assert critic(a, code).shape == ()
    with pytest.raises(ValueError, match="code"):
        critic(a)


def test_convolutional_models_map_images_to_codes_and_back():
    key = jax.random.PRNGKey(0)
    quantizer = UniformQuantizer(6, 2)
    enc = Encoder(64, quantizer, (16,), conv_channels=(2, 4), key=key)
    dec = Decoder(6, 64, (16,), noise_size=3, conv_channels=(4, 2), key=key)
    critic = Critic(64, (16,), code_size=6, conv_channels=(2, 4), key=key)
    x = jnp.linspace(0.0, 1.0, 64, dtype=jnp.float32)
    code = enc(x)
    assert code.shape == (6,) and set(np.unique(np.asarray(code))) <= {-1.0, 1.0}
    out = dec(code, key=jax.random.PRNGKey(1))
    assert out.shape == (64,) and bool(jnp.all((out > 0) & (out < 1)))
    # the critic's gradient reaches the image (the gradient penalty needs it)
    grad = jax.grad(lambda im: critic(im, code))(out)
    assert grad.shape == (64,) and float(jnp.linalg.norm(grad)) > 0
    with pytest.raises(ValueError, match="square images"):
        Encoder(60, quantizer, (16,), conv_channels=(2,), key=key)


@pytest.mark.parametrize("conv", [(), (4,)])
def test_decoder_started_at_the_mean_outputs_the_mean_sample(conv):
    """``mean_output_init``: whatever the code and noise, the new decoder outputs ≈ the
    mean training sample (per pixel for an MLP, the mean over pixels for a deconv net)."""
    from rdp.neural.framework import _start_at_mean

    rng = np.random.default_rng(0)
    train = (rng.random((200, 16)) * np.linspace(0.05, 0.9, 16)).astype(np.float32)
    dec = Decoder(3, 16, (8,), noise_size=2, conv_channels=conv, key=jax.random.PRNGKey(1))
    started = _start_at_mean(dec, train)
    codes = jnp.asarray(rng.uniform(-1, 1, (5, 3)), jnp.float32)
    keys = jax.random.split(jax.random.PRNGKey(2), 5)
    before = np.asarray(jax.vmap(lambda c, k: dec(c, key=k))(codes, keys))
    out = np.asarray(jax.vmap(lambda c, k: started(c, key=k))(codes, keys))
    target = train.mean(axis=0) if not conv else np.full(16, train.mean())
    # a deconv output bias is one value: the pixel mean only on average over the image
    tol = 0.01 if not conv else 0.05
    assert np.max(np.abs(out - target)) < tol
    assert np.max(np.abs(before - target)) > 5 * tol  # a random decoder is not there
