"""Wasserstein GAN losses with a per-sample gradient penalty.

The critic loss of WGAN-GP (Gulrajani et al., "Improved training of
Wasserstein GANs", NeurIPS 2017, Algorithm 1):

$$
L_C = \\mathbb{E}[f(\\tilde x)] - \\mathbb{E}[f(x)]
      + \\lambda\\, \\mathbb{E}\\big[(\\lVert \\nabla f(\\hat x) \\rVert_2 - 1)^2\\big],
\\qquad \\hat x = \\epsilon x + (1-\\epsilon)\\tilde x,\\ \\epsilon \\sim U[0,1].
$$

The penalty needs the gradient of the critic at EACH interpolate
$\\hat x_i$ separately: ``jax.vmap(jax.grad(f))``. The gradient of the
batch mean would be $\\frac1n \\nabla f(\\hat x_i)$, whose norm is off
by the factor ``n``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from rdp.neural.models import Critic


def critic_values(critic: Critic, x: jax.Array, code: jax.Array | None = None) -> jax.Array:
    """Critic value of each sample of a batch, shape ``(n,)``."""
    if critic.code_size:
        return jax.vmap(critic)(x, code)
    return jax.vmap(critic)(x)


def per_sample_gradient_norms(
    critic: Critic, x: jax.Array, code: jax.Array | None = None
) -> jax.Array:
    """$\\lVert \\nabla_x f(x_i[, c_i]) \\rVert_2$ for each sample, shape ``(n,)``."""
    if critic.code_size:
        grads = jax.vmap(jax.grad(lambda xi, ci: critic(xi, ci)))(x, code)
    else:
        grads = jax.vmap(jax.grad(lambda xi: critic(xi)))(x)
    return jnp.sqrt(jnp.sum(grads**2, axis=-1) + 1e-12)


def gradient_penalty(
    critic: Critic,
    real: jax.Array,
    fake: jax.Array,
    key: jax.Array,
    code: jax.Array | None = None,
    one_sided: bool = False,
) -> jax.Array:
    """$\\mathbb{E}[(\\lVert\\nabla f(\\hat x)\\rVert_2 - 1)^2]$ on random interpolates.

    One $\\epsilon_i \\sim U[0, 1]$ per sample; the code (conditional
    critic) is not interpolated: real and fake share it. ``one_sided=True``
    penalises only slopes above 1, $\\mathbb{E}[\\max(0, \\lVert\\nabla f\\rVert_2 - 1)^2]$
    (Petzka, Fischer, Lukovnicov, "On the regularization of Wasserstein GANs",
    ICLR 2018, eq. 8). On scalar data the two-sided penalty puts a barrier
    between a critic of slope +1 and one of slope −1 (the slope must pass 0),
    which traps the critic; the one-sided penalty has no such barrier.
    """
    eps = jax.random.uniform(key, (real.shape[0], 1))
    interpolates = eps * real + (1.0 - eps) * fake
    norms = per_sample_gradient_norms(critic, interpolates, code)
    excess = norms - 1.0
    if one_sided:
        excess = jnp.maximum(excess, 0.0)
    return jnp.mean(excess**2)


def critic_loss(
    critic: Critic,
    real: jax.Array,
    fake: jax.Array,
    key: jax.Array,
    code: jax.Array | None = None,
    gp_weight: float = 10.0,
    one_sided: bool = False,
) -> jax.Array:
    """WGAN-GP critic loss $L_C$ (minimised by the critic); see ``gradient_penalty``."""
    gap = jnp.mean(critic_values(critic, fake, code)) - jnp.mean(critic_values(critic, real, code))
    return gap + gp_weight * gradient_penalty(critic, real, fake, key, code, one_sided)


def generator_adversarial_loss(
    critic: Critic, fake: jax.Array, code: jax.Array | None = None
) -> jax.Array:
    """Generator's adversarial loss $-\\mathbb{E}[f(\\tilde x)]$."""
    return -jnp.mean(critic_values(critic, fake, code))


def mean_squared_error(x: jax.Array, x_hat: jax.Array) -> jax.Array:
    """MSE per coordinate, $\\frac{1}{n\\,\\dim}\\sum_i \\lVert x_i - \\hat x_i\\rVert^2$."""
    return jnp.mean((x - x_hat) ** 2)
