"""Generalised divisive normalisation (GDN) and its inverse (IGDN).

Ballé, Laparra & Simoncelli, "Density modeling of images using a generalized
normalization transformation", ICLR 2016, eq. 5, in the simplified form of
Ballé, Laparra & Simoncelli, "End-to-end optimized image compression",
ICLR 2017, eq. 2:

$$
y_i = \\frac{x_i}{\\sqrt{\\beta_i + \\sum_j \\gamma_{ij} x_j^2}}
\\quad\\text{(GDN)},\\qquad
x_i = y_i \\sqrt{\\beta_i + \\sum_j \\gamma_{ij} y_j^2}\\quad\\text{(IGDN)},
$$

with $\\beta_i > 0$ and $\\gamma_{ij} \\ge 0$ kept positive by
squaring free parameters. Acts on one ``(channels, height, width)`` array.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp


class GDN(eqx.Module):
    """GDN (``inverse=False``) or IGDN (``inverse=True``) over the channel axis.

    Parameters
    ----------
    channels : int
        Number of channels.
    inverse : bool
        IGDN (multiply) instead of GDN (divide).
    """

    beta_root: jax.Array
    gamma_root: jax.Array
    inverse: bool = eqx.field(static=True)

    def __init__(self, channels: int, *, inverse: bool = False):
        self.beta_root = jnp.ones((channels,), jnp.float32)
        self.gamma_root = jnp.sqrt(0.1 * jnp.eye(channels, dtype=jnp.float32) + 1e-4)
        self.inverse = bool(inverse)

    def __call__(self, x: jax.Array) -> jax.Array:
        beta = self.beta_root**2 + 1e-6
        gamma = self.gamma_root**2
        norm = jnp.sqrt(beta[:, None, None] + jnp.einsum("ij,jhw->ihw", gamma, x * x))
        return x * norm if self.inverse else x / norm
