"""Operational measurements of a trained codec on held-out data.

- rate from real bitstreams (``rdp.codec.compression.code_dataset``):
  bits per input of each ``.rdpc`` message, of one message for the whole set,
  and the model's $-\\log_2$ likelihood beside them;
- distortion: MSE per pixel (coordinate) and PSNR;
- perception: Fréchet distance (FID-like; Heusel et al., NeurIPS 2017) and
  kernel inception distance (KID; Bińkowski, Sutherland, Arbel & Gretton,
  "Demystifying MMD GANs", ICLR 2018: the unbiased MMD² with the cubic
  polynomial kernel $k(a, b) = (a^\\top b / m + 1)^3$) between
  classifier features of originals and reconstructions, and W₁ by a freshly
  trained critic
  ([`rdp.neural.metrics.wasserstein1_critic`][rdp.neural.metrics.wasserstein1_critic]).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from rdp.codec.compression import code_dataset
from rdp.codec.model import Codec


def reconstruct_batch(codec: Codec, xs: np.ndarray, batch: int = 256, seed: int = 0) -> np.ndarray:
    """Test-time reconstructions of every row of ``xs``.

    A dithered codec uses the dither seed ``seed + i`` for row ``i``, as
    ``code_dataset`` does.
    """
    from rdp.codec.compression import dataset_seeds
    from rdp.codec.dither import dithers

    fn = eqx.filter_jit(eqx.filter_vmap(lambda c, x, u: c.reconstruct(x, u), in_axes=(None, 0, 0)))
    offsets = None
    if codec.config.dither:
        offsets = dithers(dataset_seeds(len(xs), seed), codec.config.latent_shape)
    out = []
    for i in range(0, len(xs), batch):
        u = None if offsets is None else jnp.asarray(offsets[i : i + batch])
        out.append(np.asarray(fn(codec, jnp.asarray(xs[i : i + batch]), u)))
    return np.concatenate(out)


def kernel_inception_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    subsets: int = 10,
    subset_size: int = 500,
    seed: int = 0,
) -> float:
    """KID: mean over random subsets of the unbiased MMD² with the cubic polynomial kernel."""
    a = np.asarray(features_a, np.float64)
    b = np.asarray(features_b, np.float64)
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ValueError("KID needs at least 2 samples of each set")
    dim = a.shape[1]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx = (x @ x.T / dim + 1.0) ** 3
        kyy = (y @ y.T / dim + 1.0) ** 3
        kxy = (x @ y.T / dim + 1.0) ** 3
        off = m * (m - 1)
        values.append(
            (kxx.sum() - np.trace(kxx)) / off + (kyy.sum() - np.trace(kyy)) / off - 2 * kxy.mean()
        )
    return float(np.mean(values))


def evaluate(
    codec: Codec,
    heldout: np.ndarray,
    *,
    classifier=None,
    critic_steps: int = 0,
    seed: int = 0,
) -> dict[str, float]:
    """Rate, distortion and perception of ``codec`` on ``heldout`` (shape ``(n, *shape)``).

    Returns a dict with ``file_bits``, ``payload_bits``, ``stream_bits``,
    ``model_bits`` (per input, see ``code_dataset``),
    ``bpp`` (range-coded payload bits per pixel), ``file_bpp`` (whole
    files, header included), the excess of payload and stream
    over the model bits in percent, ``mse``, ``psnr``, and with a
    classifier ``fid`` and ``kid``; with ``critic_steps > 0`` also ``w1``.
    """
    heldout = np.asarray(heldout, np.float32)
    recon = reconstruct_batch(codec, heldout, seed=seed)
    pixels = codec.config.pixels
    rates = code_dataset(codec, heldout, seed=seed)
    per_mse = np.mean((recon - heldout).reshape(len(heldout), -1) ** 2, axis=1)
    result = {
        **rates,
        "bpp": rates["payload_bits"] / pixels,
        "file_bpp": rates["file_bits"] / pixels,
        "payload_gap_percent": 100.0
        * (rates["payload_bits"] - rates["model_bits"])
        / rates["model_bits"],
        "stream_gap_percent": 100.0
        * (rates["stream_bits"] - rates["model_bits"])
        / rates["model_bits"],
        "mse": float(np.mean(per_mse)),
        "psnr": float(np.mean(10.0 * np.log10(1.0 / np.maximum(per_mse, 1e-12)))),
    }
    flat_x = heldout.reshape(len(heldout), -1)
    flat_r = recon.reshape(len(recon), -1)
    if classifier is not None:
        from rdp.neural.metrics import classifier_features, frechet_distance

        fx = classifier_features(classifier, flat_x)
        fr = classifier_features(classifier, flat_r)
        result["fid"] = frechet_distance(fx, fr)
        result["kid"] = kernel_inception_distance(fx, fr, seed=seed)
    if critic_steps > 0:
        from rdp.neural.metrics import wasserstein1_critic

        result["w1"] = wasserstein1_critic(
            flat_x, flat_r, jax.random.PRNGKey(seed), steps=critic_steps
        )
    return result
