"""Blau & Michaeli (ICML 2019) on MNIST: the rate–distortion–perception tradeoff.

For each code (``d`` latent dims × ``L`` levels, rate ``d·log2 L`` bits, with
shared dither) and each perception weight λ, an encoder and a stochastic
decoder are trained on $\\mathrm{MSE} + \\lambda(-\\mathbb{E} f(\\hat x))$
against an unconditional WGAN-GP critic. Each model is measured on held-out
digits: MSE, W₁ to the data by a freshly trained critic, Fréchet distance on
classifier features. Figures ([`rdp.neural.figures`][rdp.neural.figures]): rate against MSE
along λ = 0 and along curves of equal measured perception; an empirical
R(D, P) (equi-rate lines, D–P sections at fixed rate, R–P sections at fixed
D, interpolated between trained points); decoded digits.

Reference: Y. Blau, T. Michaeli, "Rethinking lossy compression: the
rate–distortion–perception tradeoff", ICML 2019, §5 and Fig. 5; settings
after the public replication github.com/zhanggq96/uRDP.
"""

from __future__ import annotations

import math
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
)
from rdp.neural.experiments._results import cached_row, save_row
from rdp.neural.framework import decode, encode, train_joint_perceptual_codec
from rdp.neural.metrics import wasserstein1_critic
from rdp.neural.quantizer import UniformQuantizer

EXPERIMENT = "blau-michaeli"
SAMPLES_FILE = "samples.npz"


def run_blau_michaeli(
    out: str | os.PathLike,
    preset: str = "quick",
    *,
    seed: int = 0,
    data: str | None = None,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    progress: bool = True,
    perception_weights: list[float] | None = None,
) -> dict[str, Any]:
    """Run the rates × perception-weights sweep; write results and figures to ``out``.

    Parameters are those of
    [`rdp.neural.experiments.yan.run_yan`][rdp.neural.experiments.yan.run_yan]. With the
    preset's ``warm_start``, each λ > 0 model starts from the λ = 0 codec of its
    rate and is fine-tuned on MSE + λ·(adversarial loss) (trained first when
    λ = 0 is not among ``perception_weights``, the λ values to run instead of
    the preset's, e.g. extra seeds on a subset). The keys of a model depend on
    the seed, its code and its λ only, so a subset run trains the same models
    as the full grid.
    """
    out = Path(out)
    settings, config = experiment_settings(
        EXPERIMENT, preset, seed, data, perception_weights=perception_weights
    )
    dataset = load_dataset(settings["data"], data_dir, seed=seed)
    start = time.perf_counter()
    base_key = jax.random.PRNGKey(seed)
    features = feature_reference(dataset, settings, cache_dir, out, seed=seed, progress=progress)
    n_eval = features.n_eval
    heldout = dataset.heldout
    # Every rate's λ = 0 codec first (the warm starts), then one λ at a time from the
    # largest down, over all rates: an interrupted run leaves whole λ curves.
    weights = sorted({float(w) for w in settings["perception_weights"]})
    warm = bool(settings.get("warm_start", False))
    codes = [(int(d), int(levels)) for d, levels in settings["codes"]]
    positive = [w for w in weights[::-1] if w > 0]
    if warm:
        # The λ = 0 codecs are the warm starts (not reported). The λ = 0 point reported is
        # the equal-steps baseline: that codec continued for the λ > 0 fine-tunes' steps
        # with MSE only (same optimizer, no critic), so every reported model has had the
        # same number of encoder/decoder steps.
        runs = [(d, levels, 0.0, "codec") for d, levels in codes]
        if weights and weights[0] == 0:
            runs += [(d, levels, 0.0, "baseline") for d, levels in codes]
    else:
        runs = [(d, levels, 0.0, "codec") for d, levels in codes if weights and weights[0] == 0]
    runs += [(d, levels, w, "codec") for w in positive for d, levels in codes]
    reported = set(weights)
    mse_codecs = {}
    rows = []
    shown = one_per_class(dataset.heldout_labels)
    samples = {"originals": heldout[shown], "indices": shown}
    for i, (dims, levels, weight, stage) in enumerate(runs):
        baseline = stage == "baseline"
        name = f"d{dims}-L{levels}-w{weight:g}" + ("-equal-steps" if baseline else "")
        row = cached_row(out, name)
        t0 = time.perf_counter()
        key = jax.random.fold_in(
            jax.random.fold_in(base_key, dims * 1000 + levels), round(weight * 1e6)
        )
        k_train, k_dither, k_noise, k_w1 = jax.random.split(key, 4)
        if baseline:  # its own training stream; evaluated with the λ = 0 codec's keys
            k_train = jax.random.fold_in(k_train, 1)
        quantizer = UniformQuantizer(
            dims, levels, mode=config.quantization, dithered=bool(settings["dithered"])
        )
        tag = f"[{i + 1}/{len(runs)}] {quantizer.rate_bits:.3g} bits λ={weight:g}"
        if baseline:
            tag += " (equal-steps MSE baseline)"
        encoder, decoder, _ = train_joint_perceptual_codec(
            dataset.train,
            quantizer,
            weight,
            config,
            k_train,
            progress=progress,
            checkpoint=out / "checkpoints" / f"{name}.eqx",
            description=tag,
            init=mse_codecs.get((dims, levels)) if warm and (weight > 0 or baseline) else None,
            fine_tune=baseline,
        )
        if weight == 0 and not baseline:
            mse_codecs[(dims, levels)] = (encoder, decoder)
            if warm:
                continue
        if weight not in reported:
            continue
        rec = np.asarray(decode(decoder, encode(encoder, heldout, k_dither), k_noise))
        # Every model's reconstructions of the fixed digits: the figures pick those
        # along λ = 0 and along curves of equal measured perception.
        samples[f"rec_{quantizer.rate_bits:g}_{weight:g}"] = rec[shown]
        # encoder/decoder steps in all, the warm start's included (a column of every row)
        steps = config.autoencoder_steps * warm + config.generator_steps
        if weight == 0 and not baseline:
            steps = config.autoencoder_steps
        if row is None:
            row = {
                "dims": dims,
                "levels": levels,
                "bits": dims * math.log2(levels),
                "perception_weight": weight,
                "mse": float(np.mean((heldout - rec) ** 2)),
                "w1": wasserstein1_critic(
                    heldout[:n_eval],
                    rec[:n_eval],
                    k_w1,
                    hidden=config.critic_hidden,
                    steps=settings["critic_eval_steps"],
                    progress=progress,
                    description=f"{tag} W1 critic",
                ),
                "fd": features.frechet_distance(rec),
                "seed": seed,
                "seconds": time.perf_counter() - t0,
            }
            save_row(out, name, row)
        rows.append({**row, "steps": steps})
    np.savez_compressed(out / SAMPLES_FILE, image_shape=np.array(dataset.image_shape), **samples)
    return finish(
        out,
        EXPERIMENT,
        preset,
        {**settings, "data": dataset.name},
        rows,
        {
            "reference": {"classifier_accuracy": features.accuracy},
            "wall_seconds": time.perf_counter() - start,
        },
    )
