"""Fixed-rate scalar quantisation of a latent vector.

Each of ``d`` latent coordinates in [−1, 1] is mapped to one of ``L``
uniformly spaced levels $c_j = -1 + 2j/(L-1)$, so a code is one of
$L^d$ words and the rate is

$$
R = d \\log_2 L \\quad \\text{bits per sample.}
$$

Gradients pass the rounding either straight through (Bengio et al. 2013;
van den Oord et al. 2017) or through a soft assignment annealed to the hard
one (Agustsson et al., "Soft-to-hard vector quantization for end-to-end
learning compressible representations", NeurIPS 2017, eq. 4). With shared
dither (common randomness between encoder and decoder, as in the uRDP
replication of Blau & Michaeli 2019 and Theis & Agustsson 2021) a uniform
offset $u \\sim U(-\\Delta/2, \\Delta/2)^d$, $\\Delta = 2/(L-1)$,
is added before rounding and subtracted after; the decoder knows ``u``.
With ``L = 2`` the quantiser is the sign of Yan et al. (ICML 2021).
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp

QUANTIZATION_MODES = ("straight-through", "soft-to-hard")


class UniformQuantizer(eqx.Module):
    """``d`` latent dimensions × ``L`` uniform levels in [−1, 1].

    Construct as ``UniformQuantizer(dims, levels, mode=..., dithered=..., softness=...)``.

    Attributes
    ----------
    dims : int
        Latent dimensions ``d`` (>= 1).
    levels : int
        Levels per dimension ``L`` (>= 2).
    mode : {"straight-through", "soft-to-hard"}
        How the gradient passes the rounding.
    dithered : bool
        Use shared uniform dither (common randomness); then ``__call__`` needs a key.
    softness : float
        Inverse temperature σ of the soft assignment
        $\\operatorname{softmax}_j(-\\sigma (z - c_j)^2)$ (soft-to-hard only).
    """

    dims: int = eqx.field(static=True)
    levels: int = eqx.field(static=True)
    mode: str = eqx.field(static=True, default="straight-through")
    dithered: bool = eqx.field(static=True, default=False)
    softness: float = eqx.field(static=True, default=20.0)

    def __check_init__(self):
        if int(self.dims) < 1:
            raise ValueError(f"dims must be an integer >= 1; got {self.dims!r}")
        if int(self.levels) < 2:
            raise ValueError(f"levels must be an integer >= 2; got {self.levels!r}")
        if self.mode not in QUANTIZATION_MODES:
            raise ValueError(f"mode must be one of {QUANTIZATION_MODES}; got {self.mode!r}")

    @property
    def rate_bits(self) -> float:
        """Rate $d \\log_2 L$ in bits per sample."""
        return self.dims * math.log2(self.levels)

    @property
    def step(self) -> float:
        """Spacing $\\Delta = 2/(L-1)$ of the levels."""
        return 2.0 / (self.levels - 1)

    @property
    def codepoints(self) -> jax.Array:
        """The ``L`` levels, shape ``(L,)``."""
        return jnp.linspace(-1.0, 1.0, self.levels)

    def codewords(self, limit: int = 4096) -> jax.Array:
        """All ``L^d`` code values (decoder-side, no dither), shape ``(L^d, d)``.

        Raises ``ValueError`` when there are more than ``limit`` words.
        """
        count = self.levels**self.dims
        if count > limit:
            raise ValueError(f"{count} code words exceed limit={limit}")
        grids = jnp.meshgrid(*([self.codepoints] * self.dims), indexing="ij")
        return jnp.stack([g.reshape(-1) for g in grids], axis=-1)

    def dither(self, key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
        """Shared dither $u \\sim U(-\\Delta/2, \\Delta/2)$ of the given shape."""
        return jax.random.uniform(key, shape, minval=-self.step / 2, maxval=self.step / 2)

    def indices(self, z: jax.Array, dither: jax.Array | None = None) -> jax.Array:
        """The transmitted code: integer level indices in ``{0, …, L−1}``, same shape as ``z``."""
        shifted = z if dither is None else z + dither
        shifted = jnp.clip(shifted, -1.0, 1.0)
        return jnp.round((shifted + 1.0) / self.step).astype(jnp.int32)

    def dequantize(self, indices: jax.Array, dither: jax.Array | None = None) -> jax.Array:
        """Decoder side: level values of ``indices``, minus the shared dither if any."""
        values = -1.0 + self.step * indices.astype(jnp.float32)
        return values if dither is None else values - dither

    def stochastic(self, z: jax.Array, key: jax.Array) -> jax.Array:
        r"""Stochastic rounding of ``z`` for training, gradient passed straight through.

        ``z`` is rounded to one of its two neighbouring levels with probabilities
        that make the result unbiased (the offset $u \sim U(-\Delta/2,
        \Delta/2)$ is added before rounding and not subtracted). With ``L = 2``
        this is the stochastic binarisation $P(b = +1) = (1 + z)/2$ of
        Raiko et al. (ICLR 2015) and Toderici et al. ("Variable rate image
        compression with recurrent neural networks", ICLR 2016, §3.1): the
        decoder sees codes whose noise shrinks as the latent saturates, which
        drives the encoder to use every bit. Not the dithered quantiser (the
        decoder does not know ``u``); evaluation uses the deterministic code.
        """
        u = self.dither(key, z.shape)
        hard = self.dequantize(self.indices(z, u))
        return jax.lax.stop_gradient(hard) + (z - jax.lax.stop_gradient(z))

    def __call__(self, z: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Quantise ``z`` (values in [−1, 1], last axis ``d``) with a gradient estimator.

        The forward value is exactly
        [`dequantize`][rdp.neural.quantizer.UniformQuantizer.dequantize] of
        [`indices`][rdp.neural.quantizer.UniformQuantizer.indices].
        """
        if z.shape[-1] != self.dims:
            raise ValueError(f"latent must have last axis {self.dims}; got shape {z.shape}")
        dither = None
        if self.dithered:
            if key is None:
                raise ValueError("a dithered quantizer needs key= (the shared randomness)")
            dither = self.dither(key, z.shape)
        hard = self.dequantize(self.indices(z, dither), dither)
        if self.mode == "straight-through":
            surrogate = z
        else:
            shifted = z if dither is None else z + dither
            logits = -self.softness * (shifted[..., None] - self.codepoints) ** 2
            surrogate = jax.nn.softmax(logits, axis=-1) @ self.codepoints
            if dither is not None:
                surrogate = surrogate - dither
        # Forward value exactly ``hard``; gradient that of ``surrogate``.
        return jax.lax.stop_gradient(hard) + (surrogate - jax.lax.stop_gradient(surrogate))
