"""The learned codec: transforms, quantisation and an entropy model in one module.

Training (Ballé et al., ICLR 2017, §2): the latent $y = g_a(x)$ is
perturbed by additive uniform noise $\\tilde y = y + u$,
$u \\sim U(-\\tfrac12, \\tfrac12)$, whose density equals the entropy
model's bin mass, so $-\\log_2 P(\\tilde y)$ is a differentiable rate.
The synthesis sees either the noisy latent or the rounded one with a
straight-through gradient (``decoder_quantization``; Minnen & Singh,
"Channel-wise autoregressive entropy models for learned image compression",
ICIP 2020, §3.3, found the latter better). At test time $\\hat y =
\\operatorname{round}(y)$ and the reconstruction is
$\\hat x = \\operatorname{clip}(g_s(\\hat y), 0, 1)$ for images.

With ``hyper_channels > 0`` a hyper-latent $z = h_a(y)$, coded with a
factorised prior, gives the mean and scale of a Gaussian per element of
$y$ (Ballé et al. 2018; Minnen et al. 2018); otherwise $y$ itself
has the factorised prior.

With ``dither=True`` (factorised prior only) the quantiser is universal:
encoder and decoder share offsets $u$ (``rdp.codec.dither``), the
symbols are $q = \\operatorname{round}(y - u)$ and the decoder sees
$\\hat y = q + u$, whose error is exactly the training noise; the
synthesis then trains on the noisy latent (``decoder_quantization="noise"``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import equinox as eqx
import jax
import jax.numpy as jnp

from rdp.codec.entropy_models import FactorizedDensity, gaussian_likelihood
from rdp.codec.transforms import (
    ConvAnalysis,
    ConvSynthesis,
    DenseAnalysis,
    DenseSynthesis,
    HyperAnalysis,
    HyperSynthesis,
)

DECODER_QUANTIZATIONS = ("ste", "noise")


@dataclass(frozen=True)
class CodecConfig:
    """Architecture of a codec (JSON-serialisable; stored in the model file).

    Attributes
    ----------
    kind : {"conv", "dense"}
        Convolutional image codec or fully connected vector codec.
    shape : tuple of int
        One input: ``(1, H, W)`` (H, W divisible by 4) or ``(d,)``.
    filters : int
        Width of the hidden layers.
    latent_channels : int
        Channels ``C`` of the latent.
    hyper_channels : int
        Channels of the hyper-latent; 0 = factorised prior on the latent.
    normalization : {"gdn", "relu"}
        Nonlinearity of the image transforms.
    decoder_quantization : {"ste", "noise"}
        What the synthesis sees in training (rounded with straight-through gradient, or noisy).
    dither : bool
        Shared subtractive dither (needs ``decoder_quantization="noise"`` and no hyperprior).
    """

    kind: str = "conv"
    shape: tuple[int, ...] = (1, 28, 28)
    filters: int = 32
    latent_channels: int = 8
    hyper_channels: int = 0
    normalization: str = "gdn"
    decoder_quantization: str = "ste"
    dither: bool = False

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(int(s) for s in self.shape))
        if self.kind not in ("conv", "dense"):
            raise ValueError(f"kind must be 'conv' or 'dense'; got {self.kind!r}")
        if self.kind == "conv" and (
            len(self.shape) != 3 or self.shape[0] != 1 or self.shape[1] % 4 or self.shape[2] % 4
        ):
            raise ValueError(
                f"a conv codec needs shape (1, H, W) with H, W divisible by 4; got {self.shape}"
            )
        if self.kind == "dense" and (len(self.shape) != 1 or self.hyper_channels):
            raise ValueError("a dense codec needs shape (d,) and no hyperprior")
        if self.decoder_quantization not in DECODER_QUANTIZATIONS:
            raise ValueError(f"decoder_quantization must be one of {DECODER_QUANTIZATIONS}")
        if self.dither and (self.decoder_quantization != "noise" or self.hyper_channels):
            raise ValueError(
                "dither needs decoder_quantization='noise' (the test-time error is the training "
                "noise) and the factorised prior (no hyperprior)"
            )

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        """Shape ``(C, h, w)`` of the latent."""
        if self.kind == "dense":
            return (self.latent_channels, 1, 1)
        return (self.latent_channels, self.shape[1] // 4, self.shape[2] // 4)

    @property
    def hyper_shape(self) -> tuple[int, int, int] | None:
        """Shape of the hyper-latent, or ``None`` without a hyperprior."""
        if not self.hyper_channels:
            return None
        _, h, w = self.latent_shape
        return (self.hyper_channels, (h + 1) // 2, (w + 1) // 2)

    @property
    def pixels(self) -> int:
        """Pixels (or coordinates) of one input."""
        size = 1
        for s in self.shape:
            size *= s
        return size

    def to_dict(self) -> dict:
        """Plain dict for JSON."""
        return dataclasses.asdict(self)


class Codec(eqx.Module):
    """A learned lossy codec; methods act on ONE input (vmap to batch).

    Parameters
    ----------
    config : CodecConfig
        Architecture.
    key : jax.Array
        PRNG key of the initial weights.
    """

    analysis: eqx.Module
    synthesis: eqx.Module
    prior: FactorizedDensity
    hyper_analysis: HyperAnalysis | None
    hyper_synthesis: HyperSynthesis | None
    config: CodecConfig = eqx.field(static=True)

    def __init__(self, config: CodecConfig, *, key):
        k = jax.random.split(key, 5)
        c = config
        if c.kind == "conv":
            self.analysis = ConvAnalysis(c.filters, c.latent_channels, c.normalization, key=k[0])
            self.synthesis = ConvSynthesis(c.filters, c.latent_channels, c.normalization, key=k[1])
        else:
            self.analysis = DenseAnalysis(c.shape[0], c.filters, c.latent_channels, key=k[0])
            self.synthesis = DenseSynthesis(c.shape[0], c.filters, c.latent_channels, key=k[1])
        if c.hyper_channels:
            self.hyper_analysis = HyperAnalysis(
                c.latent_channels, c.filters, c.hyper_channels, key=k[2]
            )
            self.hyper_synthesis = HyperSynthesis(
                c.latent_channels, c.filters, c.hyper_channels, key=k[3]
            )
            self.prior = FactorizedDensity(c.hyper_channels, key=k[4])
        else:
            self.hyper_analysis = self.hyper_synthesis = None
            self.prior = FactorizedDensity(c.latent_channels, key=k[4])
        self.config = config

    # -- training -------------------------------------------------------------------------
    def train_forward(self, x: jax.Array, key: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        """``(x̃, bits, ỹ)``: reconstruction, model bits under uniform noise, decoder's latent."""
        ky, kz = jax.random.split(key)
        y = self.analysis(x)
        y_noisy = y + jax.random.uniform(ky, y.shape, minval=-0.5, maxval=0.5)
        if self.config.decoder_quantization == "ste":
            y_dec = y + jax.lax.stop_gradient(jnp.round(y) - y)
        else:
            y_dec = y_noisy
        if self.hyper_analysis is None:
            bits = -jnp.sum(jnp.log2(self.prior.likelihood(y_noisy)))
        else:
            z = self.hyper_analysis(y)
            z_noisy = z + jax.random.uniform(kz, z.shape, minval=-0.5, maxval=0.5)
            mean, scale = self.hyper_synthesis(z_noisy, y.shape)
            bits = -jnp.sum(jnp.log2(gaussian_likelihood(y_noisy, mean, scale)))
            bits = bits - jnp.sum(jnp.log2(self.prior.likelihood(z_noisy)))
        return self._output(self.synthesis(y_dec), clip=False), bits, y_dec

    # -- test time ------------------------------------------------------------------------
    def _offset(self, offset: jax.Array | None) -> jax.Array | float:
        """The shared dither of one input (0 without dither); checks it is given iff needed."""
        if self.config.dither:
            if offset is None:
                raise ValueError("a dithered codec needs the shared offsets (rdp.codec.dither)")
            return offset
        if offset is not None:
            raise ValueError("this codec does not dither; pass no offsets")
        return 0.0

    def quantize(
        self, x: jax.Array, offset: jax.Array | None = None
    ) -> tuple[jax.Array, jax.Array | None]:
        """Test-time symbols ``(q, ẑ)`` (integer-valued; ``ẑ`` None without hyperprior).

        ``q = round(g_a(x) − u)`` with the shared ``offset`` u of a dithered codec.
        """
        y = jnp.round(self.analysis(x) - self._offset(offset))
        if self.hyper_analysis is None:
            return y, None
        return y, jnp.round(self.hyper_analysis(y))

    def gaussian_parameters(self, z_hat: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Mean and scale of each latent element given the decoded hyper-latent."""
        return self.hyper_synthesis(z_hat, self.config.latent_shape)

    def decode(self, q: jax.Array, offset: jax.Array | None = None) -> jax.Array:
        """Reconstruction from the symbols, ``g_s(q + u)`` (clipped to [0, 1] for images)."""
        return self._output(self.synthesis(q + self._offset(offset)), clip=True)

    def reconstruct(self, x: jax.Array, offset: jax.Array | None = None) -> jax.Array:
        """The test-time reconstruction ``decode(quantize(x))`` (with the shared offsets)."""
        return self.decode(self.quantize(x, offset)[0], offset)

    def model_bits(self, x: jax.Array, offset: jax.Array | None = None) -> jax.Array:
        """Test-time $-\\log_2 P(\\hat y[, \\hat z])$ under the model, in bits.

        With dither, $P(q \\mid u)$ is the prior's mass on the bin centred
        at $\\hat y = q + u$.
        """
        y_hat, z_hat = self.quantize(x, offset)
        if z_hat is None:
            return -jnp.sum(jnp.log2(self.prior.likelihood(y_hat + self._offset(offset))))
        mean, scale = self.gaussian_parameters(z_hat)
        return -jnp.sum(jnp.log2(gaussian_likelihood(y_hat, mean, scale))) - jnp.sum(
            jnp.log2(self.prior.likelihood(z_hat))
        )

    def _output(self, x: jax.Array, clip: bool) -> jax.Array:
        if self.config.kind == "conv" and clip:
            return jnp.clip(x, 0.0, 1.0)
        return x
