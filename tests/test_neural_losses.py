"""WGAN-GP losses: the gradient penalty is computed per sample."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from rdp.neural.losses import (  # noqa: E402
    critic_loss,
    gradient_penalty,
    per_sample_gradient_norms,
)
from rdp.neural.models import Critic  # noqa: E402

pytestmark = [pytest.mark.neural, pytest.mark.usefixtures("strict_dtypes")]


def _loop_norms(critic, x, code=None):
    """Reference: one jax.grad per sample, in a Python loop."""
    out = []
    for i in range(x.shape[0]):
        if code is None:
            g = jax.grad(lambda xi: critic(xi))(x[i])
        else:
            g = jax.grad(lambda xi, i=i: critic(xi, code[i]))(x[i])
        out.append(float(jnp.sqrt(jnp.sum(g**2))))
    return np.array(out)


@pytest.mark.parametrize("code_size", [0, 3])
def test_per_sample_gradient_norms_match_a_loop(code_size):
    key_c, key_x, key_code = jax.random.split(jax.random.PRNGKey(0), 3)
    critic = Critic(5, (16, 16), code_size=code_size, key=key_c)
    x = jax.random.normal(key_x, (7, 5))
    code = jax.random.normal(key_code, (7, code_size)) if code_size else None
    np.testing.assert_allclose(
        np.asarray(per_sample_gradient_norms(critic, x, code)),
        _loop_norms(critic, x, code),
        rtol=1e-5,
    )


def test_gradient_penalty_is_not_the_gradient_of_the_batch_mean():
    key_c, key_r, key_f, key_gp = jax.random.split(jax.random.PRNGKey(1), 4)
    critic = Critic(4, (16,), key=key_c)
    real, fake = jax.random.normal(key_r, (8, 4)), jax.random.normal(key_f, (8, 4)) + 2.0
    gp = float(gradient_penalty(critic, real, fake, key_gp))
    eps = jax.random.uniform(key_gp, (8, 1))
    interp = eps * real + (1 - eps) * fake
    loop = float(np.mean((_loop_norms(critic, interp) - 1.0) ** 2))
    assert gp == pytest.approx(loop, rel=1e-5)
    batch_grad = jax.grad(lambda z: jnp.mean(jax.vmap(critic)(z)))(interp)
    wrong = float(jnp.mean((jnp.sqrt(jnp.sum(batch_grad**2, axis=-1)) - 1.0) ** 2))
    assert abs(wrong - gp) > 1e-3


def test_penalty_of_a_linear_critic_is_exact():
    # f(x) = w·x + b has gradient w everywhere: two-sided penalty (|w|-1)^2, one-sided max(0,.)^2.
    critic = Critic(3, (), key=jax.random.PRNGKey(2))
    w = np.asarray(critic.net.layers[0].weight)[0]
    norm = float(np.linalg.norm(w))
    real = jnp.zeros((4, 3))
    fake = jnp.ones((4, 3))
    key = jax.random.PRNGKey(3)
    assert float(gradient_penalty(critic, real, fake, key)) == pytest.approx((norm - 1) ** 2, 1e-5)
    one_sided = float(gradient_penalty(critic, real, fake, key, one_sided=True))
    assert one_sided == pytest.approx(max(norm - 1, 0.0) ** 2, abs=1e-7)
    gap = float(np.mean(np.asarray(fake) @ w) - np.mean(np.asarray(real) @ w))
    loss = float(critic_loss(critic, real, fake, key, gp_weight=10.0))
    assert loss == pytest.approx(gap + 10 * (norm - 1) ** 2, rel=1e-5)
