"""The conditional discriminator of HiFiC: it sees the image AND the quantised latent.

Mentzer, Toderici, Tschannen & Agustsson, "High-fidelity generative image
compression", NeurIPS 2020, §3.2 and Fig. 2: the latent $\\hat y$ goes
through a 1×1 convolution to 12 channels, is upsampled (nearest neighbour) to
the image size and concatenated with the image; strided convolutions with
leaky ReLUs give a map of logits (a patch discriminator). Conditioning on
$\\hat y$ makes the discriminator judge whether $x'$ is a
plausible image *given the code*, the conditional realism
$P_{X|Y} \\approx P_{X'|Y}$ of the paper's eq. 2. For vectors an MLP
sees the concatenation of input and latent.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

CONDITION_CHANNELS = 12


class ConvDiscriminator(eqx.Module):
    """Patch discriminator of ``(image (1, H, W), latent (C, h, w))`` → logits ``(H/4 · W/4,)``."""

    project: eqx.nn.Conv2d
    layers: list

    def __init__(self, latent_channels: int, filters: int, *, key):
        k = jax.random.split(key, 4)
        self.project = eqx.nn.Conv2d(latent_channels, CONDITION_CHANNELS, 1, key=k[0])
        c = 1 + CONDITION_CHANNELS
        self.layers = [
            eqx.nn.Conv2d(c, filters, 4, stride=2, padding=1, key=k[1]),
            eqx.nn.Conv2d(filters, 2 * filters, 4, stride=2, padding=1, key=k[2]),
            eqx.nn.Conv2d(2 * filters, 1, 1, key=k[3]),
        ]

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        cond = jax.nn.leaky_relu(self.project(y), 0.2)
        cond = jax.image.resize(cond, (cond.shape[0], *x.shape[1:]), method="nearest")
        h = jnp.concatenate([x, cond], axis=0)
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = jax.nn.leaky_relu(h, 0.2)
        return h.ravel()


class DenseDiscriminator(eqx.Module):
    """MLP discriminator of ``(vector (d,), latent (C, 1, 1))`` → one logit."""

    net: eqx.nn.MLP

    def __init__(self, dim: int, latent_channels: int, filters: int, *, key):
        self.net = eqx.nn.MLP(
            dim + latent_channels, 1, filters, 2, activation=jax.nn.leaky_relu, key=key
        )

    def __call__(self, x: jax.Array, y: jax.Array) -> jax.Array:
        return self.net(jnp.concatenate([x, y.ravel()]))


def make_discriminator(config, filters: int, *, key) -> eqx.Module:
    """The discriminator matching a ``CodecConfig``."""
    if config.kind == "conv":
        return ConvDiscriminator(config.latent_channels, filters, key=key)
    return DenseDiscriminator(config.shape[0], config.latent_channels, filters, key=key)
