"""Analysis, synthesis and hyper transforms of the learned codec.

All modules act on ONE sample (equinox convention); batch with ``jax.vmap``.

- Images ``(1, H, W)`` with ``H, W`` divisible by 4: two stride-2 convolutions
  take the image to a latent ``(C, H/4, W/4)`` (Ballé et al., ICLR 2017;
  Mentzer et al. 2020 use the same layout with more stages), with GDN/IGDN or
  ReLU between layers;
- hyper analysis/synthesis (Ballé et al., "Variational image compression
  with a scale hyperprior", ICLR 2018; mean–scale form of Minnen, Ballé &
  Toderici, NeurIPS 2018): one more stride-2 stage to a hyper-latent, and back
  to a mean and a scale per latent element;
- vectors ``(d,)``: fully connected transforms, for the Gaussian theory check.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from rdp.codec.layers import GDN

NORMALIZATIONS = ("gdn", "relu")


def _norm(kind: str, channels: int, inverse: bool):
    if kind == "gdn":
        return GDN(channels, inverse=inverse)
    if kind == "relu":
        return eqx.nn.Lambda(jax.nn.relu)
    raise ValueError(f"normalization must be one of {NORMALIZATIONS}; got {kind!r}")


class ConvAnalysis(eqx.Module):
    """Image ``(1, H, W)`` → latent ``(C, H/4, W/4)``: conv5/2, norm, conv5/2, norm, conv3."""

    layers: list

    def __init__(self, filters: int, latent_channels: int, normalization: str, *, key):
        k = jax.random.split(key, 3)
        self.layers = [
            eqx.nn.Conv2d(1, filters, 5, stride=2, padding=2, key=k[0]),
            _norm(normalization, filters, False),
            eqx.nn.Conv2d(filters, filters, 5, stride=2, padding=2, key=k[1]),
            _norm(normalization, filters, False),
            eqx.nn.Conv2d(filters, latent_channels, 3, stride=1, padding=1, key=k[2]),
        ]

    def __call__(self, x: jax.Array) -> jax.Array:
        for layer in self.layers:
            x = layer(x)
        return x


class ConvSynthesis(eqx.Module):
    """Latent ``(C, h, w)`` → image ``(1, 4h, 4w)``: conv3, inverse norm, two transposed conv5/2."""

    layers: list

    def __init__(self, filters: int, latent_channels: int, normalization: str, *, key):
        k = jax.random.split(key, 3)
        self.layers = [
            eqx.nn.Conv2d(latent_channels, filters, 3, stride=1, padding=1, key=k[0]),
            _norm(normalization, filters, True),
            eqx.nn.ConvTranspose2d(
                filters, filters, 5, stride=2, padding=2, output_padding=1, key=k[1]
            ),
            _norm(normalization, filters, True),
            eqx.nn.ConvTranspose2d(filters, 1, 5, stride=2, padding=2, output_padding=1, key=k[2]),
        ]

    def __call__(self, y: jax.Array) -> jax.Array:
        for layer in self.layers:
            y = layer(y)
        return y


class HyperAnalysis(eqx.Module):
    """Latent ``(C, h, w)`` → hyper-latent ``(Cz, ⌈h/2⌉, ⌈w/2⌉)``."""

    layers: list

    def __init__(self, latent_channels: int, filters: int, hyper_channels: int, *, key):
        k = jax.random.split(key, 2)
        self.layers = [
            eqx.nn.Conv2d(latent_channels, filters, 3, stride=1, padding=1, key=k[0]),
            eqx.nn.Lambda(jax.nn.relu),
            eqx.nn.Conv2d(filters, hyper_channels, 5, stride=2, padding=2, key=k[1]),
        ]

    def __call__(self, y: jax.Array) -> jax.Array:
        for layer in self.layers:
            y = layer(y)
        return y


class HyperSynthesis(eqx.Module):
    """Hyper-latent → (mean, scale) of each latent element, cropped to the latent's shape."""

    layers: list

    def __init__(self, latent_channels: int, filters: int, hyper_channels: int, *, key):
        k = jax.random.split(key, 2)
        self.layers = [
            eqx.nn.ConvTranspose2d(
                hyper_channels, filters, 5, stride=2, padding=2, output_padding=1, key=k[0]
            ),
            eqx.nn.Lambda(jax.nn.relu),
            eqx.nn.Conv2d(filters, 2 * latent_channels, 3, stride=1, padding=1, key=k[1]),
        ]

    def __call__(self, z: jax.Array, latent_shape: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
        out = z
        for layer in self.layers:
            out = layer(out)
        out = out[:, : latent_shape[1], : latent_shape[2]]
        mean, raw_scale = jnp.split(out, 2, axis=0)
        return mean, jax.nn.softplus(raw_scale)


def _mlp(sizes, key) -> eqx.nn.Sequential:
    keys = jax.random.split(key, len(sizes) - 1)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(eqx.nn.Linear(sizes[i], sizes[i + 1], key=keys[i]))
        if i < len(sizes) - 2:
            layers.append(eqx.nn.Lambda(jax.nn.relu))
    return eqx.nn.Sequential(layers)


class DenseAnalysis(eqx.Module):
    """Vector ``(d,)`` → latent ``(C, 1, 1)`` by an MLP (for the Gaussian check)."""

    net: eqx.nn.Sequential

    def __init__(self, dim: int, filters: int, latent_channels: int, *, key):
        self.net = _mlp([dim, filters, filters, latent_channels], key)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.net(x)[:, None, None]


class DenseSynthesis(eqx.Module):
    """Latent ``(C, 1, 1)`` → vector ``(d,)`` by an MLP."""

    net: eqx.nn.Sequential

    def __init__(self, dim: int, filters: int, latent_channels: int, *, key):
        self.net = _mlp([latent_channels, filters, filters, dim], key)

    def __call__(self, y: jax.Array) -> jax.Array:
        return self.net(y[:, 0, 0])
