"""The two-decoder framework on a scalar Gaussian, where the answer is known.

Source $X \\sim N(0, 1)$, codes of ``K`` levels (rate $\\log_2 K$
bits), the training of ``rdp.neural.experiments.yan``. Theory
(Yan, Wen, Ying, Ma & Liu, ICML 2021, arXiv:2106.02782, Theorem 2):

- the least MSE of a ``K``-level code is the Lloyd–Max distortion
  $D^*(K)$ ([`rdp.quantization.lloyd_max`][rdp.quantization.lloyd_max]), so
  $\\mathrm{MSE}(G_1) \\ge D^*(K)$;
- with perfect perception the least MSE is $2 D^*(K)$, reached by an
  MSE-optimal encoder and a G2 that samples $p(x \\mid \\text{code})$.

Because a trained encoder f is not exactly Lloyd–Max, the run also computes,
by quadrature over a fine grid, its own optimum $D^*_f$ (the MSE of the
cell centroids), the MSE $2 D^*_f$ of sampling $p(x \\mid f(x))$
(the target of the conditional critic), and the least MSE of any perfectly
perceptual decoder for f, $D^*_f + W_2^2(p_{X^*}, p_X)$ (Freirich,
Michaeli, Meir, NeurIPS 2021, Theorem 1), with $X^* = E[X \\mid f(X)]$.
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
from rdp.neural.models import Decoder, Encoder
from rdp.neural.quantizer import UniformQuantizer

EXPERIMENT = "theory-check"

#: Quadrature grid on which a learned scalar encoder's cells are evaluated.
GRID = np.linspace(-8.0, 8.0, 40_001)


def _cells(encoder: Encoder, grid: np.ndarray):
    """Quadrature weights of N(0, 1) on ``grid``, each grid point's cell, and the cells' codes."""
    weights = scipy.stats.norm.pdf(grid)
    weights = weights / weights.sum()
    latent = jax.vmap(encoder.latent)(jnp.asarray(grid[:, None], jnp.float32))
    index = np.asarray(encoder.quantizer.indices(latent))[:, 0]
    levels, cell = np.unique(index, return_inverse=True)
    codes = np.asarray(encoder.quantizer.dequantize(jnp.asarray(levels)))[:, None]
    return weights, cell, codes


def encoder_optimum(encoder: Encoder, grid: np.ndarray = GRID) -> dict[str, float]:
    """Exact (quadrature) figures of merit of a learned scalar encoder f for X ~ N(0, 1).

    Returns
    -------
    dict
        ``d_star_f``: $E(X - E[X|f(X)])^2$;
        ``w2sq_centroids``: $W_2^2(p_{X^*}, p_X)$ by the quantile coupling;
        ``cells_used``: number of codes with positive probability.
    """
    weights, cell, codes = _cells(encoder, grid)
    mass = np.bincount(cell, weights=weights, minlength=len(codes))
    centroids = np.bincount(cell, weights=weights * grid, minlength=len(codes)) / mass
    d_star_f = float(np.sum(weights * (grid - centroids[cell]) ** 2))
    order = np.argsort(centroids)
    cdf = np.cumsum(mass[order])
    quantile = np.cumsum(weights) - weights / 2
    atom = order[np.minimum(np.searchsorted(cdf, quantile), len(order) - 1)]
    w2sq = float(np.sum(weights * (grid - centroids[atom]) ** 2))
    return {"d_star_f": d_star_f, "w2sq_centroids": w2sq, "cells_used": len(codes)}


def population_measures(
    encoder: Encoder,
    g1: Decoder,
    g2: Decoder,
    key: jax.Array,
    *,
    draws: int = 20_000,
    grid: np.ndarray = GRID,
) -> dict[str, float]:
    r"""MSE of G1 and G2 and W₁(p_{G2}, N(0, 1)) for X ~ N(0, 1), without sampling X.

    Integrals over X are quadratures on ``grid``; G2's private noise is
    sampled, ``draws`` reconstructions per code. With $p_c$,
    $\mu_c$, $\sigma_c^2$ the mass, mean and variance of X on the
    cell of code ``c`` and $m_c$, $v_c$ the mean and variance of
    $G_2(c, Z)$,

    $$
    \mathrm{MSE}(G_2) = \sum_c p_c\,(\sigma_c^2 + v_c + (\mu_c - m_c)^2),
    \qquad
    W_1(p_{G_2}, p_X) = \int \Big|\sum_c p_c F_c(t) - \Phi(t)\Big|\,dt,
    $$

    with $F_c$ the empirical CDF of the draws of code ``c``.
    """
    weights, cell, codes = _cells(encoder, grid)
    mass = np.bincount(cell, weights=weights, minlength=len(codes))
    mean = np.bincount(cell, weights=weights * grid, minlength=len(codes)) / mass
    second = np.bincount(cell, weights=weights * grid**2, minlength=len(codes)) / mass
    variance = second - mean**2
    out1 = np.asarray(decode(g1, jnp.asarray(codes, jnp.float32)))[:, 0]
    mse_g1 = float(np.sum(weights * (grid - out1[cell]) ** 2))
    repeated = jnp.asarray(np.repeat(codes, draws, axis=0), jnp.float32)
    samples = np.asarray(decode(g2, repeated, key))[:, 0].reshape(len(codes), draws)
    m, v = samples.mean(axis=1), samples.var(axis=1)
    mse_g2 = float(np.sum(mass * (variance + v + (mean - m) ** 2)))
    t = grid[::10]
    cdf_g2 = sum(
        p * np.searchsorted(np.sort(row), t, side="right") / draws
        for p, row in zip(mass, samples, strict=True)
    )
    w1_g2 = float(np.trapezoid(np.abs(cdf_g2 - scipy.stats.norm.cdf(t)), t))
    return {"mse_g1": mse_g1, "mse_g2": mse_g2, "w1_g2": w1_g2}


def heldout_measures(
    heldout: np.ndarray, encoder: Encoder, g1: Decoder, g2: Decoder, key: jax.Array
) -> dict[str, float]:
    """MSE (with standard errors) and W₁ to the data of G1 and G2 on held-out samples.

    W₁ is the exact one-dimensional W₁ between empirical distributions. Each
    decoder reconstructs the first half of the held-out set and is compared
    with the second half; the W₁ between the two halves themselves is the
    estimator's floor (what a perfect decoder would show at this sample size).
    """
    codes = encode(encoder, heldout)
    rec1 = np.asarray(decode(g1, codes))
    rec2 = np.asarray(decode(g2, codes, key))
    err1 = np.sum((heldout - rec1) ** 2, axis=1)
    err2 = np.sum((heldout - rec2) ** 2, axis=1)
    n = len(heldout)
    half = n // 2
    x = heldout[:, 0]

    def w1(a, b):
        return float(scipy.stats.wasserstein_distance(a, b))

    return {
        "mse_g1": float(err1.mean()),
        "mse_g1_se": float(err1.std(ddof=1) / np.sqrt(n)),
        "mse_g2": float(err2.mean()),
        "mse_g2_se": float(err2.std(ddof=1) / np.sqrt(n)),
        "w1_g1": w1(rec1[:half, 0], x[half:]),
        "w1_g2": w1(rec2[:half, 0], x[half:]),
        "w1_floor": w1(x[:half], x[half:]),
    }


def run_theory_check(
    out: str | os.PathLike,
    preset: str = "quick",
    *,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the scalar-Gaussian check of the two-decoder framework; write results to ``out``.

    For each ``K`` in the preset: train E (K levels) and G1 for MSE (refined
    by [`refine_lloyd`][rdp.neural.framework.refine_lloyd] when the preset has
    ``lloyd_steps``), then G2 with the code-conditioned critic; compare
    MSE(G1) with the Lloyd–Max $D^*(K)$ and MSE(G2) with
    $2 D^*_f$ (see the module docstring), both exact over X
    ([`population_measures`][rdp.neural.experiments.theory_check.population_measures]), and report
    the held-out estimates with G2's
    W₁ beside its floor (``heldout_measures``). Reruns resume from ``out``.

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
            k_pop, k_held = jax.random.split(k_eval)
            d_star = float(lloyd_max(scipy.stats.norm(), int(levels)).mse)
            own = encoder_optimum(encoder)
            d_f = own["d_star_f"]
            pop = population_measures(encoder, g1, g2, k_pop)
            held = heldout_measures(heldout, encoder, g1, g2, k_held)
            row = {
                "levels": int(levels),
                "bits": float(np.log2(levels)),
                "d_star": d_star,
                "d_star_f": d_f,
                "cells_used": own["cells_used"],
                "mse_g1": pop["mse_g1"],
                "mse_g1_over_d_star": pop["mse_g1"] / d_star,
                "mse_g2": pop["mse_g2"],
                "mse_g2_over_2d_star_f": pop["mse_g2"] / (2 * d_f),
                "mse_g2_over_2d_star": pop["mse_g2"] / (2 * d_star),
                "ratio": pop["mse_g2"] / pop["mse_g1"],
                "perfect_perception_bound_f": d_f + own["w2sq_centroids"],
                "w1_g2_population": pop["w1_g2"],
                "heldout_mse_g1": held["mse_g1"],
                "heldout_mse_g1_se": held["mse_g1_se"],
                "heldout_mse_g2": held["mse_g2"],
                "heldout_mse_g2_se": held["mse_g2_se"],
                "heldout_w1_g1": held["w1_g1"],
                "heldout_w1_g2": held["w1_g2"],
                "heldout_w1_floor": held["w1_floor"],
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
