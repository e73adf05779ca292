"""The two-decoder framework on a scalar Gaussian, where the answer is known.

Source :math:`X \\sim N(0, 1)`, codes of ``K`` levels (rate :math:`\\log_2 K`
bits), the training of :mod:`rdp.neural.experiments.yan`. Theory
(Yan, Wen, Ying, Ma & Liu, ICML 2021, arXiv:2106.02782, Theorem 2):

- the least MSE of a ``K``-level code is the Lloyd–Max distortion
  :math:`D^*(K)` (:func:`rdp.quantization.lloyd_max`), so
  :math:`\\mathrm{MSE}(G_1) \\ge D^*(K)`;
- with perfect perception the least MSE is :math:`2 D^*(K)`, reached by an
  MSE-optimal encoder and a G2 that samples :math:`p(x \\mid \\text{code})`.

Because a trained encoder f is not exactly Lloyd–Max, the run also computes,
by quadrature over a fine grid, its own optimum :math:`D^*_f` (the MSE of the
cell centroids), the MSE :math:`2 D^*_f` of sampling :math:`p(x \\mid f(x))`
(the target of the conditional critic), and the least MSE of any perfectly
perceptual decoder for f, :math:`D^*_f + W_2^2(p_{X^*}, p_X)` (Freirich,
Michaeli, Meir, NeurIPS 2021, Theorem 1), with :math:`X^* = E[X \\mid f(X)]`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

from rdp.neural.data import gaussian_vectors
from rdp.neural.experiments._common import experiment_settings, finish, train_two_decoders
from rdp.neural.experiments._results import cached_row, save_row
from rdp.neural.framework import decode, encode
from rdp.neural.models import Encoder
from rdp.neural.quantizer import UniformQuantizer

EXPERIMENT = "theory-check"

#: Quadrature grid on which a learned scalar encoder's cells are evaluated.
GRID = np.linspace(-8.0, 8.0, 40_001)


def encoder_optimum(encoder: Encoder, grid: np.ndarray = GRID) -> dict[str, float]:
    """Exact (quadrature) figures of merit of a learned scalar encoder f for X ~ N(0, 1).

    Returns
    -------
    dict
        ``d_star_f``: :math:`E(X - E[X|f(X)])^2`;
        ``w2sq_centroids``: :math:`W_2^2(p_{X^*}, p_X)` by the quantile coupling;
        ``cells_used``: number of codes with positive probability.
    """
    weights = scipy.stats.norm.pdf(grid)
    weights = weights / weights.sum()
    latent = jax.vmap(encoder.latent)(jnp.asarray(grid[:, None], jnp.float32))
    codes = np.asarray(encoder.quantizer.indices(latent))[:, 0]
    levels, cell = np.unique(codes, return_inverse=True)
    mass = np.bincount(cell, weights=weights, minlength=len(levels))
    centroids = np.bincount(cell, weights=weights * grid, minlength=len(levels)) / mass
    d_star_f = float(np.sum(weights * (grid - centroids[cell]) ** 2))
    order = np.argsort(centroids)
    cdf = np.cumsum(mass[order])
    quantile = np.cumsum(weights) - weights / 2
    atom = order[np.minimum(np.searchsorted(cdf, quantile), len(order) - 1)]
    w2sq = float(np.sum(weights * (grid - centroids[atom]) ** 2))
    return {"d_star_f": d_star_f, "w2sq_centroids": w2sq, "cells_used": len(levels)}


def run_theory_check(
    out: str | os.PathLike,
    preset: str = "quick",
    *,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the scalar-Gaussian check of the two-decoder framework; write results to ``out``.

    For each ``K`` in the preset: train E (K levels) and G1 for MSE, then G2
    with the code-conditioned critic; compare MSE(G1) with the Lloyd–Max
    :math:`D^*(K)` and MSE(G2) with :math:`2 D^*(K)` (see the module
    docstring). Reruns resume from ``out``.

    Returns
    -------
    dict
        The contents written to ``results.json``.
    """
    from rdp.quantization import lloyd_max

    out = Path(out)
    settings, config = experiment_settings(EXPERIMENT, preset, seed)
    dataset = gaussian_vectors(n=int(settings["samples"]), dim=1, seed=seed)
    heldout = dataset.heldout
    start = time.perf_counter()
    base_key = jax.random.PRNGKey(seed)
    rows = []
    for i, levels in enumerate(settings["levels"]):
        name = f"levels-{levels}"
        key = jax.random.fold_in(base_key, int(levels))
        k_stage1, k_stage2, k_eval = jax.random.split(key, 3)
        tag = f"[{i + 1}/{len(settings['levels'])}] K={levels}"
        t0 = time.perf_counter()
        quantizer = UniformQuantizer(1, int(levels), mode=config.quantization)
        encoder, g1, g2 = train_two_decoders(
            dataset.train,
            quantizer,
            config,
            (k_stage1, k_stage2),
            out / "checkpoints" / name,
            tag,
            progress=progress,
        )
        row = cached_row(out, name)
        if row is None:
            codes = encode(encoder, heldout)
            rec1 = np.asarray(decode(g1, codes))
            rec2 = np.asarray(decode(g2, codes, k_eval))
            d_star = float(lloyd_max(scipy.stats.norm(), int(levels)).mse)
            own = encoder_optimum(encoder)
            mse1 = float(np.mean((heldout - rec1) ** 2))
            mse2 = float(np.mean((heldout - rec2) ** 2))
            row = {
                "levels": int(levels),
                "bits": float(np.log2(levels)),
                "d_star": d_star,
                "mse_g1": mse1,
                "mse_g1_over_d_star": mse1 / d_star,
                "mse_g2": mse2,
                "mse_g2_over_2d_star": mse2 / (2 * d_star),
                "ratio": mse2 / mse1,
                "d_star_f": own["d_star_f"],
                "two_d_star_f": 2 * own["d_star_f"],
                "perfect_perception_bound_f": own["d_star_f"] + own["w2sq_centroids"],
                "cells_used": own["cells_used"],
                "w1_g1": float(scipy.stats.wasserstein_distance(rec1[:, 0], heldout[:, 0])),
                "w1_g2": float(scipy.stats.wasserstein_distance(rec2[:, 0], heldout[:, 0])),
                "seconds": time.perf_counter() - t0,
            }
            save_row(out, name, row)
        rows.append(row)
    return finish(
        out,
        EXPERIMENT,
        preset,
        {**settings, "data": "gaussian"},
        rows,
        {"wall_seconds": time.perf_counter() - start},
    )
