"""Yan et al. (ICML 2021) on MNIST: the cost of perfect perception is twice the MSE.

For each rate ``R`` bits (``R`` latent signs, Yan et al.'s binary code):

1. train an encoder E and a deterministic decoder G1 for MSE;
2. freeze E and train a stochastic decoder G2(code, noise) with the
   adversarial loss of a critic conditioned on the code, and no distortion
   term;
3. measure on held-out digits MSE(G1), MSE(G2), their ratio (Theorem 2 of
   Yan et al. says 2 for an MSE-optimal encoder and a G2 that samples
   p(x | code)), and the perception of each: W₁ by a fresh critic and the
   Fréchet distance on features of a small classifier.

Their Fig. 2 plots the rate against MSE(G1) (R(D, ∞)), MSE(G2) (R(D, 0)) and
2·MSE(G1) (R(D/2, ∞)); ``rdp.neural.plots.yan_figure`` draws the same.

Reference: Z. Yan, F. Wen, R. Ying, C. Ma, P. Liu, "On perceptual lossy
compression: the cost of perceptual reconstruction and an optimal training
framework", ICML 2021, Theorem 2 and Fig. 2.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import jax
import numpy as np

from rdp.neural.data import load_dataset
from rdp.neural.experiments._common import (
    experiment_settings,
    feature_reference,
    finish,
    one_per_class,
    train_two_decoders,
)
from rdp.neural.experiments._results import cached_row, save_row
from rdp.neural.framework import decode, encode
from rdp.neural.metrics import frechet_distance, wasserstein1_critic
from rdp.neural.quantizer import UniformQuantizer

EXPERIMENT = "yan"
SAMPLES_FILE = "samples.npz"


def run_yan(
    out: str | os.PathLike,
    preset: str = "quick",
    *,
    seed: int = 0,
    data: str | None = None,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    progress: bool = True,
    bits: list[int] | None = None,
) -> dict[str, Any]:
    """Run the Yan et al. experiment; write results, samples and figures to ``out``.

    Parameters
    ----------
    out : path
        Output directory (results.json, results.csv, samples.npz, figures,
        checkpoints). A rerun resumes: finished rates are read back and
        interrupted training continues from its last checkpoint.
    preset : {"quick", "cpu", "gpu"}
        Settings from ``rdp.neural.experiments.presets.PRESETS``.
    seed : int
        Seed of every PRNG key.
    data : str, optional
        Data set name (default: the preset's); see
        [`rdp.neural.data.load_dataset`][rdp.neural.data.load_dataset].
    data_dir : path, optional
        Directory of full MNIST for ``data="mnist"``.
    cache_dir : path, optional
        Where the feature classifier is cached (default ``$RDP_CACHE_DIR`` or ``out/cache``).
    progress : bool
        Show progress bars.
    bits : list of int, optional
        Rates (bits per image) to run instead of the preset's.

    Returns
    -------
    dict
        The contents written to ``results.json``.
    """
    out = Path(out)
    settings, config = experiment_settings(EXPERIMENT, preset, seed, data, bits)
    dataset = load_dataset(settings["data"], data_dir, seed=seed)
    start = time.perf_counter()
    base_key = jax.random.PRNGKey(seed)

    features = feature_reference(dataset, settings, cache_dir, out, seed=seed, progress=progress)
    n_eval = features.n_eval
    heldout = dataset.heldout
    half = n_eval // 2
    reference = {
        "classifier_accuracy": features.accuracy,
        "fd_real_halves": frechet_distance(features.features[:half], features.features[half:]),
    }

    shown = one_per_class(dataset.heldout_labels)
    rows, samples = [], {"originals": heldout[shown], "indices": shown}
    for i, bits in enumerate(settings["bits"]):
        name = f"bits-{bits}"
        key = jax.random.fold_in(base_key, int(bits))
        k_stage1, k_stage2, k_eval, k_w1a, k_w1b = jax.random.split(key, 5)
        quantizer = UniformQuantizer(int(bits), 2, mode=config.quantization)
        tag = f"[{i + 1}/{len(settings['bits'])}] {bits} bits"
        t0 = time.perf_counter()
        encoder, g1, g2 = train_two_decoders(
            dataset.train,
            quantizer,
            config,
            (k_stage1, k_stage2),
            out / "checkpoints" / name,
            tag,
            progress=progress,
        )
        codes = encode(encoder, heldout)
        rec1 = np.asarray(decode(g1, codes))
        rec2 = np.asarray(decode(g2, codes, k_eval))
        samples[f"g1_{bits}"] = rec1[shown]
        samples[f"g2_{bits}"] = rec2[shown]
        row = cached_row(out, name)
        if row is None:
            mse1 = float(np.mean((heldout - rec1) ** 2))
            mse2 = float(np.mean((heldout - rec2) ** 2))
            w1 = {}
            for label, rec, k in (("g1", rec1, k_w1a), ("g2", rec2, k_w1b)):
                w1[label] = wasserstein1_critic(
                    heldout[:n_eval],
                    rec[:n_eval],
                    k,
                    hidden=config.critic_hidden,
                    steps=settings["critic_eval_steps"],
                    progress=progress,
                    description=f"{tag} W1 critic {label.upper()}",
                )
            row = {
                "bits": int(bits),
                "mse_g1": mse1,
                "mse_g2": mse2,
                "ratio": mse2 / mse1,
                "w1_g1": w1["g1"],
                "w1_g2": w1["g2"],
                "fd_g1": features.frechet_distance(rec1),
                "fd_g2": features.frechet_distance(rec2),
                "seconds": time.perf_counter() - t0,
            }
            save_row(out, name, row)
        rows.append(row)
    np.savez_compressed(out / SAMPLES_FILE, image_shape=np.array(dataset.image_shape), **samples)
    return finish(
        out,
        EXPERIMENT,
        preset,
        {**settings, "data": dataset.name},
        rows,
        {"reference": reference, "wall_seconds": time.perf_counter() - start},
    )
