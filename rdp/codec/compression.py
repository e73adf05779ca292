"""Compress and decompress single inputs into ``.rdpc`` bytes, and code whole data sets.

Encoder and decoder compute the same categorical tables from the same
integers (the model's factorised CDFs; with a hyperprior, the Gaussian
parameters from the decoded hyper-latent), so decoding recovers the symbols
exactly and the reconstruction equals ``reconstruct``
bit for bit (the same compiled functions run on both sides).

A dithered codec (``config.dither``) draws its shared offsets from the seed
the file carries (``rdp.codec.dither``): each latent element then has its
own table $P(q \\mid u)$, and a decoder given another seed gets other
tables and another reconstruction.
"""

from __future__ import annotations

import secrets

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from rdp.codec import coding
from rdp.codec.container import CodecFileError, Container
from rdp.codec.dither import SEED_MAX, dither, dithers
from rdp.codec.entropy_models import gaussian_table
from rdp.codec.model import Codec


@eqx.filter_jit
def _quantize(codec: Codec, x, offset=None):
    return codec.quantize(x, offset)


@eqx.filter_jit
def _gaussian_parameters(codec: Codec, z_hat):
    return codec.gaussian_parameters(z_hat)


@eqx.filter_jit
def _decode(codec: Codec, y_hat, offset=None):
    return codec.decode(y_hat, offset)


@eqx.filter_jit
def _model_bits(codec: Codec, x, offset=None):
    return codec.model_bits(x, offset)


def offset_for(codec: Codec, seed: int | None) -> np.ndarray | None:
    """The shared dither of one input of ``codec`` drawn from ``seed`` (None without dither)."""
    if not codec.config.dither:
        return None
    if seed is None:
        raise ValueError("a dithered codec needs the dither seed")
    return dither(seed, codec.config.latent_shape)


def reconstruct(codec: Codec, x: np.ndarray, seed: int | None = None) -> np.ndarray:
    """Test-time reconstruction of one input through the compiled path ``decompress`` uses.

    ``seed``: the dither seed (dithered codecs only).
    """
    offset = offset_for(codec, seed)
    y_hat, _ = _quantize(codec, jnp.asarray(x, jnp.float32), offset)
    return np.asarray(_decode(codec, y_hat, offset))


def model_bits(codec: Codec, x: np.ndarray, seed: int | None = None) -> float:
    """$-\\log_2 P(\\hat y[, \\hat z])$ of one input under the model."""
    return float(_model_bits(codec, jnp.asarray(x, jnp.float32), offset_for(codec, seed)))


def _support(symbols: np.ndarray) -> tuple[int, int]:
    # At least two symbols: the coder cannot represent a certain event (probability 1).
    if symbols.size == 0:
        return 0, 1
    lo, hi = int(symbols.min()), max(int(symbols.max()), int(symbols.min()) + 1)
    if lo < -(2**15) or hi >= 2**15:
        raise ValueError("latent symbols exceed the 16-bit range of the format")
    return lo, hi


def _factorized_tables(codec: Codec, shape, lo: int, hi: int, cache=None) -> np.ndarray:
    if cache is None:
        per_channel = codec.prior.table(lo, hi)  # (C, K)
    else:
        if (lo, hi) not in cache:
            cache[(lo, hi)] = codec.prior.table(lo, hi)
        per_channel = cache[(lo, hi)]
    spatial = int(np.prod(shape[1:]))
    return np.repeat(per_channel, spatial, axis=0)


def _y_tables(codec: Codec, z_hat, lo: int, hi: int, cache=None, offset=None) -> np.ndarray:
    shape = codec.config.latent_shape
    if offset is not None:
        return codec.prior.table(lo, hi, offsets=np.asarray(offset).reshape(shape[0], -1))
    if z_hat is None:
        return _factorized_tables(codec, shape, lo, hi, cache)
    mean, scale = _gaussian_parameters(codec, jnp.asarray(z_hat, jnp.float32))
    return gaussian_table(np.asarray(mean), np.asarray(scale), lo, hi)


def check_input(codec: Codec, x: np.ndarray) -> np.ndarray:
    """``x`` as float32 of the model's input shape (images may omit the channel axis)."""
    x = np.asarray(x, np.float32)
    shape = codec.config.shape
    if x.shape == shape[1:] and codec.config.kind == "conv":
        x = x[None]
    if x.shape != shape:
        raise ValueError(f"input has shape {x.shape}; this model codes inputs of shape {shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("input has non-finite values")
    return x


def compress(codec: Codec, model_id: bytes, x: np.ndarray, seed: int | None = None) -> bytes:
    """One input → ``.rdpc`` bytes.

    ``seed``: the shared dither's seed, stored in the file (dithered codecs
    only; default a fresh random 32-bit number, so that successive files use
    independent dithers). Ignored by a codec without dither. The file records
    the input's shape (an image may omit its channel axis), which
    ``decompress`` gives back.
    """
    given = tuple(np.shape(x))
    x = check_input(codec, x)
    if codec.config.dither and seed is None:
        seed = secrets.randbits(32)
    offset = offset_for(codec, seed)
    y_hat, z_hat = _quantize(codec, jnp.asarray(x), offset)
    y_sym = np.asarray(y_hat).astype(np.int64)
    encoder = coding.Encoder()
    z_range = (0, 1)
    if z_hat is not None:
        z_sym = np.asarray(z_hat).astype(np.int64)
        z_range = _support(z_sym)
        encoder.encode(z_sym, _factorized_tables(codec, z_sym.shape, *z_range), z_range[0])
        z_hat = z_sym.astype(np.float32)
    y_range = _support(y_sym)
    encoder.encode(y_sym, _y_tables(codec, z_hat, *y_range, offset=offset), y_range[0])
    seed = int(seed) if offset is not None else 0
    box = Container(model_id, given, y_range, z_range, encoder.words(), seed)
    return box.to_bytes()


def decompress(codec: Codec, model_id: bytes, data: bytes) -> np.ndarray:
    """``.rdpc`` bytes → the reconstruction, exactly ``reconstruct`` of the original.

    The reconstruction has the shape of the input that was compressed: the
    model's, or without the channel axis for an image given as (height, width).
    """
    box = Container.from_bytes(data)
    if box.model_id != model_id:
        raise CodecFileError(
            f"file was made by model {box.model_id.hex()}, not by this model ({model_id.hex()})"
        )
    channel_free = codec.config.kind == "conv" and box.shape == codec.config.shape[1:]
    if box.shape != codec.config.shape and not channel_free:
        raise CodecFileError(f"file holds shape {box.shape}; this model codes {codec.config.shape}")
    offset = offset_for(codec, box.seed)
    try:
        decoder = coding.Decoder(box.words)
        z_hat = None
        if codec.config.hyper_shape is not None:
            zs = codec.config.hyper_shape
            lo, hi = box.z_range
            z_hat = decoder.decode(_factorized_tables(codec, zs, lo, hi), lo).reshape(zs)
            z_hat = z_hat.astype(np.float32)
        ys = codec.config.latent_shape
        lo, hi = box.y_range
        y_sym = decoder.decode(_y_tables(codec, z_hat, lo, hi, offset=offset), lo).reshape(ys)
    except (ValueError, RuntimeError) as err:
        raise CodecFileError(f"corrupted file (entropy decoding failed: {err})") from None
    x_hat = np.asarray(_decode(codec, jnp.asarray(y_sym, jnp.float32), offset))
    return x_hat.reshape(box.shape)


def header_bytes(shape: tuple[int, ...]) -> int:
    """Bytes of an ``.rdpc`` file besides the range coder's words (header and CRC)."""
    return len(Container(bytes(8), tuple(shape), (0, 1), (0, 1), np.zeros(0)).to_bytes())


def dataset_seeds(count: int, seed: int = 0) -> list[int]:
    """Dither seeds of a data set's inputs: a counter from ``seed`` (mod 2³²)."""
    return [(seed + i) % (SEED_MAX + 1) for i in range(count)]


def code_dataset(codec: Codec, xs: np.ndarray, batch: int = 256, seed: int = 0) -> dict[str, float]:
    """Code every row of ``xs`` for real and report bits per input.

    Returns, per input: ``model_bits`` (the model's $-\\log_2$
    likelihood), ``file_bits`` (size of its own ``.rdpc`` file, header
    included), ``payload_bits`` (that file's range-coder words only) and
    ``stream_bits`` (all inputs in one message with one support for the whole
    set, divided by their number: the termination and header amortised). A
    dithered codec codes input ``i`` with the dither seed ``seed + i``
    (``dataset_seeds``), as ``compress`` would with that seed.
    """
    xs = np.asarray(xs, np.float32)
    quantize = eqx.filter_jit(
        eqx.filter_vmap(lambda c, x, u: c.quantize(x, u), in_axes=(None, 0, 0))
    )
    bits_fn = eqx.filter_jit(
        eqx.filter_vmap(lambda c, x, u: c.model_bits(x, u), in_axes=(None, 0, 0))
    )
    offsets = None
    if codec.config.dither:
        offsets = dithers(dataset_seeds(len(xs), seed), codec.config.latent_shape)
    ys, zs, mbits = [], [], []
    for i in range(0, len(xs), batch):
        chunk = jnp.asarray(xs[i : i + batch])
        u = None if offsets is None else jnp.asarray(offsets[i : i + batch])
        y, z = quantize(codec, chunk, u)
        ys.append(np.asarray(y).astype(np.int64))
        zs.append(None if z is None else np.asarray(z).astype(np.int64))
        mbits.append(np.asarray(bits_fn(codec, chunk, u)))
    y_all = np.concatenate(ys)
    z_all = None if zs[0] is None else np.concatenate(zs)
    cache: dict = {}
    # Each input's own file, exactly as compress() writes it (same supports and tables).
    header = header_bytes(codec.config.shape)
    payload = []
    for i, y in enumerate(y_all):
        item = coding.Encoder()
        z_hat = None
        if z_all is not None:
            lo, hi = _support(z_all[i])
            item.encode(z_all[i], _factorized_tables(codec, z_all[i].shape, lo, hi, cache), lo)
            z_hat = z_all[i].astype(np.float32)
        lo, hi = _support(y)
        u = None if offsets is None else offsets[i]
        item.encode(y, _y_tables(codec, z_hat, lo, hi, cache, offset=u), lo)
        payload.append(32 * item.words().size)
    # One stream for the whole set, with one support.
    stream = coding.Encoder()
    y_lo, y_hi = _support(y_all)
    if offsets is not None:
        for y, u in zip(y_all, offsets, strict=True):
            stream.encode(y, _y_tables(codec, None, y_lo, y_hi, offset=u), y_lo)
    elif z_all is None:
        tables = _factorized_tables(codec, y_all.shape[1:], y_lo, y_hi)
        for y in y_all:
            stream.encode(y, tables, y_lo)
    else:
        z_lo, z_hi = _support(z_all)
        z_tables = _factorized_tables(codec, z_all.shape[1:], z_lo, z_hi)
        for y, z in zip(y_all, z_all, strict=True):
            stream.encode(z, z_tables, z_lo)
            stream.encode(y, _y_tables(codec, z.astype(np.float32), y_lo, y_hi), y_lo)
    n = len(xs)
    return {
        "model_bits": float(np.mean(np.concatenate(mbits))),
        "file_bits": 8.0 * header + float(np.mean(payload)),
        "payload_bits": float(np.mean(payload)),
        "stream_bits": (32.0 * stream.words().size + 64.0) / n,
    }
