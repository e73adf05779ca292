"""Encoder, stochastic decoder and (conditional) critic as equinox modules.

All modules act on ONE sample (equinox convention); batch with ``jax.vmap``.
Fully connected networks by default: they train in milliseconds per step on a
CPU and are the encoder of the uRDP replication of Blau & Michaeli (2019):
784→512→256→…→d with a tanh output, followed by a fixed-rate quantiser. With
``conv_channels`` the encoder and critic start with stride-2 convolutions
(``ConvNet``) and the decoder ends with transposed convolutions
(``DeconvNet``), as in the papers' public code (the ``gpu`` presets).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp

from rdp.neural.quantizer import UniformQuantizer


def _mlp(in_size: int, out_size: int, hidden: Sequence[int], activation, key) -> eqx.nn.Sequential:
    sizes = [in_size, *hidden, out_size]
    keys = jax.random.split(key, len(sizes) - 1)
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(eqx.nn.Linear(a, b, key=keys[i]))
        if i < len(sizes) - 2:
            layers.append(eqx.nn.Lambda(activation))
    return eqx.nn.Sequential(layers)


def _side(size: int, layers: int) -> int:
    side = math.isqrt(size)
    if side * side != size or side % (2**layers):
        raise ValueError(
            f"convolutional models need square images whose side is divisible by "
            f"2**{layers}; got {size} values"
        )
    return side


class ConvNet(eqx.Module):
    """Stride-2 4×4 convolutions on a square one-channel image, then an MLP.

    Acts on a flat vector: the first ``side²`` values are the image, any
    further ones (a code, for a conditional critic) join the MLP after the
    convolutions. The encoders and critics of the papers' public code
    (Blau & Michaeli's uRDP replication, Yan et al.) are of this form.
    """

    convs: list
    head: eqx.nn.Sequential
    side: int = eqx.field(static=True)
    activation: object = eqx.field(static=True)

    def __init__(self, in_size, extra_size, out_size, channels, hidden, activation, *, key):
        self.side = _side(in_size, len(channels))
        keys = jax.random.split(key, len(channels) + 1)
        sizes = [1, *channels]
        self.convs = [
            eqx.nn.Conv2d(a, b, kernel_size=4, stride=2, padding=1, key=k)
            for a, b, k in zip(sizes[:-1], sizes[1:], keys[:-1], strict=True)
        ]
        flat = channels[-1] * (self.side // 2 ** len(channels)) ** 2
        self.head = _mlp(flat + extra_size, out_size, hidden, activation, keys[-1])
        self.activation = activation

    def __call__(self, x: jax.Array) -> jax.Array:
        image, extra = x[: self.side**2], x[self.side**2 :]
        h = image.reshape(1, self.side, self.side)
        for conv in self.convs:
            h = self.activation(conv(h))
        return self.head(jnp.concatenate([h.reshape(-1), extra]))


class DeconvNet(eqx.Module):
    """An MLP to a small feature map, then stride-2 4×4 transposed convolutions to an image.

    The decoder of the papers' public code; the output is the flat image.
    """

    head: eqx.nn.Sequential
    deconvs: list
    start: int = eqx.field(static=True)
    channels: tuple = eqx.field(static=True)

    def __init__(self, in_size, out_size, channels, hidden, *, key):
        side = _side(out_size, len(channels))
        self.start = side // 2 ** len(channels)
        self.channels = tuple(channels)
        keys = jax.random.split(key, len(channels) + 1)
        self.head = _mlp(in_size, channels[0] * self.start**2, hidden, jax.nn.relu, keys[0])
        sizes = [*channels, 1]
        self.deconvs = [
            eqx.nn.ConvTranspose2d(a, b, kernel_size=4, stride=2, padding=1, key=k)
            for a, b, k in zip(sizes[:-1], sizes[1:], keys[1:], strict=True)
        ]

    def __call__(self, x: jax.Array) -> jax.Array:
        h = jax.nn.relu(self.head(x)).reshape(self.channels[0], self.start, self.start)
        for i, deconv in enumerate(self.deconvs):
            h = deconv(h)
            if i < len(self.deconvs) - 1:
                h = jax.nn.relu(h)
        return h.reshape(-1)


class Encoder(eqx.Module):
    """Deterministic encoder $x \\mapsto Q(\\tanh(f_\\theta(x)))$ with a fixed-rate code.

    Parameters
    ----------
    in_size : int
        Input dimension.
    quantizer : UniformQuantizer
        ``d`` latent dims × ``L`` levels; the rate is ``quantizer.rate_bits``.
    hidden : sequence of int
        Hidden layer widths (ReLU).
    key : jax.Array
        PRNG key for the initial weights.
    """

    net: eqx.Module
    quantizer: UniformQuantizer
    straight_through_tanh: bool = eqx.field(static=True)

    def __init__(
        self,
        in_size: int,
        quantizer: UniformQuantizer,
        hidden: Sequence[int],
        *,
        straight_through_tanh: bool = False,
        conv_channels: Sequence[int] = (),
        key,
    ):
        if conv_channels:
            self.net = ConvNet(
                in_size, 0, quantizer.dims, conv_channels, hidden, jax.nn.relu, key=key
            )
        else:
            self.net = _mlp(in_size, quantizer.dims, hidden, jax.nn.relu, key)
        self.quantizer = quantizer
        self.straight_through_tanh = bool(straight_through_tanh)

    def latent(self, x: jax.Array) -> jax.Array:
        """Continuous latent $\\tanh(f_\\theta(x)) \\in (−1, 1)^d$ before quantisation.

        With ``straight_through_tanh`` the gradient passes the tanh straight
        through, as it passes the rounding (the identity straight-through
        estimator of the sign, Bengio et al. 2013): a saturated unit still
        receives a gradient and can flip its bit. Binary MNIST codes need it
        (with the tanh derivative every unit saturated and all codes were
        equal); multi-level codes do not (passing it through drives the
        latent to the two end levels).
        """
        pre = self.net(x)
        if self.straight_through_tanh:
            return jax.lax.stop_gradient(jnp.tanh(pre)) + (pre - jax.lax.stop_gradient(pre))
        return jnp.tanh(pre)

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Quantised code values (decoder side), shape ``(d,)``; ``key`` draws shared dither."""
        return self.quantizer(self.latent(x), key=key)


class Decoder(eqx.Module):
    """Decoder $(c, z) \\mapsto g_\\phi(c, z)$, stochastic when ``noise_size > 0``.

    The private noise $z \\sim N(0, I)$ makes the reconstruction random
    given the code, which perfect perception requires (Blau & Michaeli 2019,
    Theorem 2; Yan et al. 2021, Theorem 2).

    Parameters
    ----------
    code_size, out_size : int
        Dimensions of the code and of the reconstruction.
    hidden : sequence of int
        Hidden layer widths (ReLU).
    noise_size : int
        Dimension of the private noise (0: deterministic decoder).
    output : {"sigmoid", "linear"}
        Output map: sigmoid for pixels in [0, 1], linear for real sources.
    key : jax.Array
        PRNG key for the initial weights.
    """

    net: eqx.Module
    noise_size: int = eqx.field(static=True)
    output: str = eqx.field(static=True)

    def __init__(
        self,
        code_size: int,
        out_size: int,
        hidden: Sequence[int],
        *,
        noise_size: int = 0,
        output: str = "sigmoid",
        conv_channels: Sequence[int] = (),
        key,
    ):
        if output not in ("sigmoid", "linear"):
            raise ValueError(f"output must be 'sigmoid' or 'linear'; got {output!r}")
        if conv_channels:
            self.net = DeconvNet(code_size + noise_size, out_size, conv_channels, hidden, key=key)
        else:
            self.net = _mlp(code_size + noise_size, out_size, hidden, jax.nn.relu, key)
        self.noise_size = int(noise_size)
        self.output = output

    def __call__(self, code: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Reconstruction of one code; ``key`` draws the private noise."""
        if self.noise_size:
            if key is None:
                raise ValueError("a stochastic decoder needs key= for its private noise")
            code = jnp.concatenate([code, jax.random.normal(key, (self.noise_size,))])
        out = self.net(code)
        return jax.nn.sigmoid(out) if self.output == "sigmoid" else out


class Critic(eqx.Module):
    """WGAN critic $f(x)$ or, conditioned on the code, $f(x, c)$.

    The conditional critic is the one of Yan et al. (ICML 2021, §5): it sees
    the code with the image, so the generator must match $p(x \\mid c)$
    for every code, not only the marginal $p(x)$.

    Parameters
    ----------
    in_size : int
        Sample dimension.
    hidden : sequence of int
        Hidden layer widths (leaky ReLU).
    code_size : int
        Dimension of the conditioning code (0: unconditional critic).
    key : jax.Array
        PRNG key for the initial weights.
    """

    net: eqx.Module
    code_size: int = eqx.field(static=True)

    def __init__(
        self,
        in_size: int,
        hidden: Sequence[int],
        *,
        code_size: int = 0,
        conv_channels: Sequence[int] = (),
        key,
    ):
        if conv_channels:
            self.net = ConvNet(
                in_size, code_size, 1, conv_channels, hidden, jax.nn.leaky_relu, key=key
            )
        else:
            self.net = _mlp(in_size + code_size, 1, hidden, jax.nn.leaky_relu, key)
        self.code_size = int(code_size)

    def __call__(self, x: jax.Array, code: jax.Array | None = None) -> jax.Array:
        """Scalar critic value of one sample (and its code when conditional)."""
        if self.code_size:
            if code is None:
                raise ValueError("a conditional critic needs the code")
            x = jnp.concatenate([x, code])
        return self.net(x)[0]


class Classifier(eqx.Module):
    """Small MLP classifier whose penultimate layer gives Fréchet-distance features."""

    features: eqx.nn.Sequential
    head: eqx.nn.Linear

    def __init__(self, in_size: int, num_classes: int, hidden: Sequence[int], *, key):
        k1, k2 = jax.random.split(key)
        self.features = _mlp(in_size, hidden[-1], hidden[:-1], jax.nn.relu, k1)
        self.head = eqx.nn.Linear(hidden[-1], num_classes, key=k2)

    def embed(self, x: jax.Array) -> jax.Array:
        """Feature vector of one sample (penultimate layer, after ReLU)."""
        return jax.nn.relu(self.features(x))

    def __call__(self, x: jax.Array) -> jax.Array:
        """Class logits of one sample."""
        return self.head(self.embed(x))
