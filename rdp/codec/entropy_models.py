"""Entropy models of quantised latents: deep factorised and Gaussian conditional.

Both give the probability of an integer symbol $k$ as the mass of the
bin $[k - \\tfrac12, k + \\tfrac12)$ under a continuous density
convolved with nothing else, so the same number serves as the training
likelihood under additive uniform noise (Ballé et al., ICLR 2017, §2) and as
the probability the entropy coder uses at test time:

$$
P(k) = c(k + \\tfrac12) - c(k - \\tfrac12).
$$

- ``FactorizedDensity``: one learned univariate CDF $c$ per
  channel, a composition of monotone layers (Ballé, Minnen, Singh, Hwang,
  Johnston, "Variational image compression with a scale hyperprior",
  ICLR 2018, Appendix 6.1: filters (1, 3, 3, 3, 1), softplus matrices, tanh
  gates);
- ``gaussian_likelihood``: a Gaussian of per-element mean and scale
  (Minnen, Ballé & Toderici, NeurIPS 2018), scales bounded below by
  ``SCALE_MIN``.

``FactorizedDensity.table`` and ``gaussian_table`` turn either into
categorical tables over a finite support ``[lo, hi]`` whose end bins absorb
the tails, for the entropy coder.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from scipy.special import expit, ndtr

#: Lower bound on the Gaussian scale (Ballé et al. 2018 use 0.11).
SCALE_MIN = 0.11
#: Lower bound on any bin probability in the training likelihood.
LIKELIHOOD_MIN = 1e-9


class FactorizedDensity(eqx.Module):
    """A learned, monotone univariate CDF per channel ("deep factorized" prior).

    Parameters
    ----------
    channels : int
        Number of channels (one density each).
    filters : tuple of int
        Hidden widths of the CDF network (Ballé et al. 2018 use ``(3, 3, 3)``).
    init_scale : float
        Initial spread of the density.
    key : jax.Array
        PRNG key (biases).
    """

    matrices: list
    biases: list
    factors: list

    def __init__(self, channels: int, filters=(3, 3, 3), init_scale: float = 10.0, *, key):
        sizes = (1, *filters, 1)
        scale = init_scale ** (1.0 / (len(sizes) - 1))
        keys = jax.random.split(key, len(sizes) - 1)
        self.matrices, self.biases, self.factors = [], [], []
        for i in range(len(sizes) - 1):
            init = math.log(math.expm1(1.0 / scale / sizes[i + 1]))
            self.matrices.append(jnp.full((channels, sizes[i + 1], sizes[i]), init, jnp.float32))
            self.biases.append(
                jax.random.uniform(keys[i], (channels, sizes[i + 1], 1), minval=-0.5, maxval=0.5)
            )
            if i < len(sizes) - 2:
                self.factors.append(jnp.zeros((channels, sizes[i + 1], 1), jnp.float32))

    @property
    def channels(self) -> int:
        """Number of channels."""
        return int(self.matrices[0].shape[0])

    def logits(self, x: jax.Array) -> jax.Array:
        """Logit of the CDF, $\\operatorname{logit} c_j(x)$; ``x`` of shape ``(C, n)``."""
        h = x[:, None, :]
        for i, (matrix, bias) in enumerate(zip(self.matrices, self.biases, strict=True)):
            h = jnp.einsum("coi,cin->con", jax.nn.softplus(matrix), h) + bias
            if i < len(self.factors):
                h = h + jnp.tanh(self.factors[i]) * jnp.tanh(h)
        return h[:, 0, :]

    def cdf(self, x: jax.Array) -> jax.Array:
        """CDF $c_j(x)$ of each channel; ``x`` of shape ``(C, n)``."""
        return jax.nn.sigmoid(self.logits(x))

    def likelihood(self, y: jax.Array) -> jax.Array:
        """Bin mass $c_j(y + \\frac12) - c_j(y - \\frac12)$ of ``y`` of shape ``(C, ...)``.

        Computed on the side of the median where the sigmoids are far from 1,
        so that small masses in the upper tail keep their precision.
        """
        flat = y.reshape(y.shape[0], -1)
        upper = self.logits(flat + 0.5)
        lower = self.logits(flat - 0.5)
        sign = -jnp.sign(upper + lower)
        sign = jax.lax.stop_gradient(jnp.where(sign == 0, 1.0, sign))
        mass = jnp.abs(jax.nn.sigmoid(sign * upper) - jax.nn.sigmoid(sign * lower))
        return jnp.maximum(mass, LIKELIHOOD_MIN).reshape(y.shape)

    def table(self, lo: int, hi: int, offsets: np.ndarray | None = None) -> np.ndarray:
        """Categorical tables over symbols ``lo..hi``; end bins take the tails.

        Without ``offsets``: one row per channel, ``(C, hi − lo + 1)``, with
        $P(k) = c(k + \\tfrac12) - c(k - \\tfrac12)$. With ``offsets``
        ``(C, n)`` (the shared dither $u$ of each element): one row per
        element, ``(C·n, hi − lo + 1)`` in channel-major order, with
        $P(k \\mid u) = c(k + u + \\tfrac12) - c(k + u - \\tfrac12)$.
        Rows are non-negative and sum to 1 (float64).
        """
        count = hi - lo + 2
        # Evaluate on a grid padded to a power of two (at least 64 edges), so that one
        # compiled function serves every support of a similar width.
        size = max(64, 1 << (count - 1).bit_length())
        if offsets is None:
            logits = np.asarray(_edge_logits(self, size, jnp.float32(lo - 0.5)), np.float64)
        else:
            offsets = jnp.asarray(offsets, jnp.float32)
            logits = _offset_edge_logits(self, size, jnp.float32(lo - 0.5), offsets)
            logits = np.asarray(logits, np.float64).reshape(-1, size)
        cdf = expit(logits[:, :count])
        cdf[:, 0], cdf[:, -1] = 0.0, 1.0
        return np.clip(np.diff(cdf, axis=1), 0.0, None)


@eqx.filter_jit
def _edge_logits(density: FactorizedDensity, size: int, first: jax.Array) -> jax.Array:
    edges = first + jnp.arange(size, dtype=jnp.float32)
    return density.logits(jnp.broadcast_to(edges, (density.channels, size)))


@eqx.filter_jit
def _offset_edge_logits(
    density: FactorizedDensity, size: int, first: jax.Array, offsets: jax.Array
) -> jax.Array:
    edges = (first + jnp.arange(size, dtype=jnp.float32))[None, None, :] + offsets[:, :, None]
    channels, n = offsets.shape
    return density.logits(edges.reshape(channels, n * size)).reshape(channels, n, size)


def gaussian_likelihood(y: jax.Array, mean: jax.Array, scale: jax.Array) -> jax.Array:
    """Bin mass of ``y`` under N(mean, max(scale, SCALE_MIN)²), symmetric form for precision."""
    scale = jnp.maximum(scale, SCALE_MIN)
    centred = jnp.abs(y - mean)
    upper = jax.scipy.special.ndtr((0.5 - centred) / scale)
    lower = jax.scipy.special.ndtr((-0.5 - centred) / scale)
    return jnp.maximum(upper - lower, LIKELIHOOD_MIN)


def gaussian_table(mean: np.ndarray, scale: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Categorical tables ``(n, hi − lo + 1)`` of the Gaussian bins; tails at the ends."""
    mean = np.asarray(mean, np.float64).reshape(-1, 1)
    scale = np.maximum(np.asarray(scale, np.float64).reshape(-1, 1), SCALE_MIN)
    edges = np.arange(lo, hi + 2, dtype=np.float64) - 0.5
    cdf = ndtr((edges[None, :] - mean) / scale)
    cdf[:, 0], cdf[:, -1] = 0.0, 1.0
    return np.clip(np.diff(cdf, axis=1), 0.0, None)
