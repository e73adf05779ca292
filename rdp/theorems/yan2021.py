r"""The cost of perfect perception for one-shot quantizers (Yan et al., ICML 2021).

Setting (Yan et al., ICML 2021, ref. [1] below): MSE distortion; a deterministic encoder
$f$ with K cells (rate $\log_2 K$ bits, no common randomness); a
decoder that may use private noise; perfect perception $p_{\hat X} = p_X$.
With $X^* = \mathbb E[X \mid f(X)]$, $D^*_f = \mathbb E\|X - X^*\|^2$
and $D^*(K)$ the least MSE of any K-level quantizer:

$$
\mathbb E\|X - \hat X\|^2 = D^*_f + \mathbb E\|X^* - \hat X\|^2
\ge D^*_f + W_2^2(p_{X^*}, p_X) \ge 2 D^*(K),
$$

with equality throughout for an MSE-optimal encoder: perfect perception costs
exactly twice the MSE. The decoder that samples $\hat X \sim p(x \mid
f(x))$ always has MSE $2D^*_f$; the best perfect-perception decoder of
an encoder transports $p_{X^*}$ optimally onto $p_X$ and has MSE
$D^*_f + W_2^2(p_{X^*}, p_X)$ (Freirich et al. 2021, Theorem 4), between
$D^*_f$ and $2D^*_f$.

In one dimension every encoder with *interval* cells (in codepoint order) is
already optimally coupled to its centroids, so $W_2^2(p_{X^*}, p_X) =
D^*_f$ for any such encoder; the strict inequalities need cells that are not
intervals, such as the modulo encoder
[`modulo_encoder`][rdp.quantization.encoders.modulo_encoder], or a non-Voronoi
partition in higher dimension.

The encoders, decoders and exact costs are those of
``rdp.quantization`` (``encoders``, ``perfect_perception``,
``wasserstein``); this module holds the checks.

References
----------
1. Z. Yan, F. Wen, R. Ying, C. Ma, P. Liu, "On Perceptual Lossy Compression:
   The Cost of Perceptual Reconstruction and An Optimal Training Framework",
   ICML 2021 (arXiv:2106.02782), Theorems 1–2.
2. D. Freirich, T. Michaeli, R. Meir, "A Theory of the Distortion-Perception
   Tradeoff in Wasserstein Space", NeurIPS 2021 (arXiv:2107.02555).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp.problem import Problem
from rdp.quantization import finite_distribution, kmeans
from rdp.quantization import lloyd_max as _lloyd_max
from rdp.quantization.encoders import PartitionEncoder
from rdp.quantization.perfect_perception import (
    SamplingDecoder,
    TransportDecoder,
    monte_carlo_mse,
    perfect_perception_cost,
)
from rdp.quantization.wasserstein import w2_squared_empirical
from rdp.sources import Gaussian
from rdp.theorems import independent
from rdp.theorems.report import TheoremReport

REFERENCE = (
    "Yan, Wen, Ying, Ma & Liu, On Perceptual Lossy Compression: The Cost of Perceptual "
    "Reconstruction and An Optimal Training Framework, ICML 2021, Theorems 1-2"
)
REFERENCE_BEST_DECODER = (
    "Freirich, Michaeli & Meir, A Theory of the Distortion-Perception Tradeoff in "
    "Wasserstein Space, NeurIPS 2021, Theorem 4 (P = 0)"
)


# ------------------------------------------------------------------------------ checks
def _describe(distribution: Any) -> str:
    if hasattr(distribution, "dist"):
        args = ", ".join(f"{a:g}" for a in distribution.args)
        kwds = ", ".join(f"{k}={v:g}" for k, v in distribution.kwds.items())
        return f"{distribution.dist.name}({', '.join(s for s in (args, kwds) if s)})"
    values, _ = finite_distribution(distribution)
    return f"finite source on {values.size} points in [{values[0]:g}, {values[-1]:g}]"


def check_cost_of_perfect_perception(
    distribution: Any,
    levels: Sequence[int] = tuple(range(2, 17)),
    *,
    encoder_for: Callable[[int], PartitionEncoder] | None = None,
    tolerance: float | None = None,
    label: str | None = None,
) -> TheoremReport:
    r"""Yan et al. 2021: with an MSE-optimal encoder, perfect perception costs exactly 2·D*(K).

    The encoder (``encoder_for(K)``, by default the Lloyd–Max / dynamic-programming
    quantizer of [`rdp.quantization.lloyd_max`][rdp.quantization.lloyd_max]) is given its best
    perfect-perception decoder, whose exact MSE $D^*_f + W_2^2(p_{X^*}, p_X)$
    is computed with $W_2^2$ by quantile functions. $D^*(K)$ comes
    from an independent optimum
    ([`reference_optimal_mse`][rdp.theorems.yan2021.reference_optimal_mse]: an exact dynamic
    program over interval partitions — of the finite support, or of a grid of
    about 2400 cells of a continuous law — or $1/(12K^2)$ times the
    squared width for a uniform law), never from the encoder's own design. The
    deviation is $\max_K |\text{MSE}_K / (2 D^*(K)) - 1|$; ``tolerance``
    defaults to 1e-9 for exact references and 3e-4 for the grid program
    (whose optimum exceeds D*(K) by ≤ 1.1e-4 relative up to K = 16 for the
    normal and Laplace laws).

    A sub-optimal encoder (e.g. a uniform quantizer) must make the check fail.
    """
    rows = []
    deviation = 0.0
    reference, how, exact = reference_optimal_mse(distribution, max(levels))
    if tolerance is None:
        tolerance = 1e-9 if exact else 3e-4
    for K in levels:
        optimum_mse = float(reference[K - 1])
        encoder = (
            encoder_for(K)
            if encoder_for
            else PartitionEncoder.from_quantizer(_lloyd_max(distribution, K))
        )
        cost = perfect_perception_cost(distribution, encoder)
        if optimum_mse > 0:
            ratio = cost.best_decoder_mse / optimum_mse
            deviation = max(deviation, abs(ratio / 2.0 - 1.0))
        else:  # lossless: K covers the support
            ratio = np.nan
            deviation = max(deviation, abs(cost.best_decoder_mse))
        rows.append(
            {
                "K": K,
                "rate_bits": float(np.log2(K)),
                "D_star_K": optimum_mse,
                "encoder_mse": cost.encoder_mse,
                "w2_squared": cost.w2_squared,
                "perfect_perception_mse": cost.best_decoder_mse,
                "ratio": ratio,
            }
        )
    name = f"yan2021/cost-of-perfect-perception[{label or _describe(distribution)}]"
    return TheoremReport.from_deviation(
        name=name,
        statement=(
            "With an MSE-optimal K-level encoder, the least MSE under perfect perception "
            "(p_X̂ = p_X) is exactly 2·D*(K): D*(K) + W₂²(p_X*, p_X) = 2·D*(K)."
        ),
        reference=REFERENCE,
        instance=f"{_describe(distribution)}, K = {list(levels)}",
        quantities={"levels": rows, "D_star_reference": how},
        deviation=deviation,
        tolerance=tolerance,
    )


def reference_optimal_mse(distribution: Any, levels: int) -> tuple[NDArray, str, bool]:
    """(D*(1..levels), how, exact) from an optimum independent of Lloyd's iteration.

    A continuous uniform law: the uniform quantizer is optimal, D*(K) = w²/(12K²).
    Otherwise [`optimal_quantizer_mse`][rdp.theorems.independent.optimal_quantizer_mse] (exact DP
    for a
    finite support, DP on about 2400 cells of a continuous law).
    """
    K = np.arange(1, levels + 1)
    if getattr(getattr(distribution, "dist", None), "name", None) == "uniform":
        lo, hi = distribution.support()
        return (hi - lo) ** 2 / (12.0 * K**2), "w²/(12K²) (uniform law)", True
    finite = finite_distribution(distribution)
    values = independent.optimal_quantizer_mse(
        finite if finite is not None else distribution, levels
    )
    if finite is not None:
        return values, "exact dynamic program over interval partitions", True
    return values, "dynamic program over interval partitions of ~2400 grid cells", False


def check_suboptimal_encoder(
    distribution: Any, encoder: PartitionEncoder, *, label: str | None = None
) -> TheoremReport:
    r"""Sub-optimal f: $D^*_f < D^*_f + W_2^2(p_{X^*}, p_X) < 2D^*_f$, and ≥ 2·D*(K).

    The deviation is the largest of $D^*_f - \text{best}$,
    $\text{best} - 2D^*_f$ and $2D^*(K) - \text{best}$, relative to
    $D^*_f$; the theorem holds when it is < 0 (all strict, the last allows
    equality only for an optimal encoder).
    """
    cost = perfect_perception_cost(distribution, encoder)
    optimum_mse = float(reference_optimal_mse(distribution, encoder.levels)[0][-1])
    best, d_f = cost.best_decoder_mse, cost.encoder_mse
    margins = {
        "lower_margin": (best - d_f) / d_f,
        "upper_margin": (2 * d_f - best) / d_f,
        "converse_margin": (best - 2 * optimum_mse) / d_f,
    }
    deviation = -min(margins["lower_margin"], margins["upper_margin"])
    deviation = max(deviation, -margins["converse_margin"] - 1e-12)
    return TheoremReport.from_deviation(
        name=f"yan2021/suboptimal-encoder[{label or _describe(distribution)}]",
        statement=(
            "For a sub-optimal encoder f the best perfect-perception decoder has MSE "
            "D*_f + W₂²(p_X*, p_X), strictly between D*_f and 2·D*_f (the sampling decoder), "
            "and never below 2·D*(K)."
        ),
        reference=f"{REFERENCE}; {REFERENCE_BEST_DECODER}",
        instance=(
            f"{_describe(distribution)}, encoder with {encoder.levels} codes on "
            f"{encoder.labels.size} pieces"
        ),
        quantities={
            "K": encoder.levels,
            "encoder_mse": d_f,
            "w2_squared": cost.w2_squared,
            "best_decoder_mse": best,
            "sampling_decoder_mse": cost.sampling_decoder_mse,
            "two_D_star_K": 2 * optimum_mse,
            **margins,
        },
        deviation=deviation,
        tolerance=0.0,
        strict=True,
    )


def check_monte_carlo(
    distribution: Any,
    encoder: PartitionEncoder,
    *,
    samples: int = 200_000,
    seed: int = 0,
    z: float = 4.0,
    label: str | None = None,
) -> TheoremReport:
    """Monte Carlo MSE of the sampling and transport decoders vs their exact values, in SEs.

    Also checks perfect perception of the transport decoder's output: its
    sample mean and variance against the source's (in standard errors).
    """
    rng_seeds = np.random.SeedSequence(seed).spawn(2)
    quantities: dict[str, Any] = {"samples": samples, "seed": seed}
    deviation = 0.0
    for name, decoder, s in (
        ("sampling", SamplingDecoder(distribution, encoder), rng_seeds[0]),
        ("transport", TransportDecoder(distribution, encoder), rng_seeds[1]),
    ):
        mean, se = monte_carlo_mse(
            distribution, encoder, decoder, samples=samples, seed=int(s.generate_state(1)[0])
        )
        z_score = abs(mean - decoder.mse) / se
        deviation = max(deviation, z_score)
        quantities[name] = {
            "exact_mse": decoder.mse,
            "monte_carlo_mse": mean,
            "standard_error": se,
            "z": z_score,
        }
    return TheoremReport.from_deviation(
        name=f"yan2021/monte-carlo[{label or _describe(distribution)}]",
        statement=(
            "Simulated encoder + perfect-perception decoder reproduces the exact MSEs "
            "2·D*_f (sampling decoder) and D*_f + W₂² (transport decoder)."
        ),
        reference=REFERENCE,
        instance=f"{_describe(distribution)}, {encoder.levels} codes, n = {samples}, seed = {seed}",
        quantities=quantities,
        deviation=deviation,
        tolerance=z,
    )


def check_empirical_vector(
    samples: ArrayLike,
    levels: int,
    *,
    seed: int = 0,
    tolerance: float = 1e-7,
    label: str = "empirical",
) -> TheoremReport:
    r"""Vector data: for k-means (a Lloyd fixed point), $W_2^2(p_{X^*}, p_X) = D^*_f$ by POT.

    $p_X$ is the empirical measure of ``samples``. The Voronoi coupling
    of a Lloyd fixed point is an optimal transport plan, so the best
    perfect-perception decoder costs exactly $2D^*_f$; a random
    (non-Voronoi) relabelling of the same cells must instead fall strictly
    between $D^*_f$ and $2D^*_f$.
    """
    x = np.asarray(samples, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    vq = kmeans(x, levels, seed=seed)
    w2 = w2_squared_empirical(vq.codebook, vq.cell_probabilities, x)
    rel = abs(w2 / vq.mse - 1.0)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, levels, size=x.shape[0])
    labels[:levels] = np.arange(levels)
    counts = np.bincount(labels, minlength=levels)
    centroids = np.stack([x[labels == k].mean(axis=0) for k in range(levels)])
    d_random = float(((x - centroids[labels]) ** 2).sum(axis=1).mean())
    w2_random = w2_squared_empirical(centroids, counts / x.shape[0], x)
    strict_ok = d_random < d_random + w2_random < 2 * d_random - 1e-12
    deviation = rel if strict_ok else np.inf
    return TheoremReport.from_deviation(
        name=f"yan2021/vector-kmeans[{label}]",
        statement=(
            "For a k-means (Lloyd fixed point) encoder of vector data, W₂²(p_X*, p_X) = D*_f, so "
            "perfect perception costs 2·D*_f; a non-Voronoi encoder costs strictly less than its "
            "2·D*_f."
        ),
        reference=f"{REFERENCE}; POT ot.emd2",
        instance=f"{x.shape[0]} samples in R^{x.shape[1]}, K = {levels}, seed = {seed}",
        quantities={
            "kmeans_mse": vq.mse,
            "w2_squared": w2,
            "relative_gap": rel,
            "random_encoder_mse": d_random,
            "random_encoder_w2_squared": w2_random,
            "random_encoder_best_decoder_mse": d_random + w2_random,
        },
        deviation=deviation,
        tolerance=tolerance,
    )


def information_theoretic_ratio(R: ArrayLike) -> NDArray:
    r"""Gaussian $D(R, 0) / D(R, \infty) = 2 / (1 + \sqrt{1 - 2^{-2R}})$ (R in bits)."""
    R = np.asarray(R, dtype=float)
    return 2.0 / (1.0 + np.sqrt(-np.expm1(-2.0 * R * np.log(2.0))))


def check_information_theoretic_contrast(
    rates: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 3.0, 4.0),
    common_randomness: Sequence[float] = (0.0, 0.25, 1.0, 4.0, np.inf),
    *,
    variance: float = 1.0,
    tolerance: float = 1e-12,
) -> TheoremReport:
    r"""One-shot ratio 2 vs the Gaussian $D(R,0)/D(R,\infty) < 2$ with common randomness.

    Checks, using [`rdp.Problem.distortion`][rdp.problem.Problem.distortion] on
    ``Problem(Gaussian(), 'mse', 'w2')``:
    the ratio equals $2/(1 + \sqrt{1 - 2^{-2R}})$; with $R_c$ bits of
    common randomness $D(R, R_c, 0)$ decreases in $R_c$ from exactly
    $2 D(R, \infty)$ at $R_c = 0$ to $D(R, 0)$ at
    $R_c = \infty$.
    """
    problem = Problem(Gaussian(0.0, variance), "mse", "w2")
    rates = np.asarray(rates, dtype=float)
    shannon = np.atleast_1d(problem.distortion(rates, np.inf).distortion)
    perfect = np.atleast_1d(problem.distortion(rates, 0.0).distortion)
    ratio = perfect / shannon
    deviation = float(np.max(np.abs(ratio / information_theoretic_ratio(rates) - 1.0)))
    table = []
    for i, R in enumerate(rates):
        row = {
            "R_bits": float(R),
            "D_shannon": float(shannon[i]),
            "D_perfect_unlimited_common_randomness": float(perfect[i]),
            "ratio_information_theoretic": float(ratio[i]),
            "ratio_one_shot": 2.0,
        }
        with_rc = [
            float(problem.distortion(R, 0.0, common_randomness=rc).distortion)
            for rc in common_randomness
        ]
        row["ratio_with_common_randomness"] = {
            str(rc): d / float(shannon[i]) for rc, d in zip(common_randomness, with_rc, strict=True)
        }
        if 0.0 in common_randomness:
            deviation = max(
                deviation, abs(with_rc[list(common_randomness).index(0.0)] / shannon[i] / 2 - 1)
            )
        if np.inf in common_randomness:
            idx = list(common_randomness).index(np.inf)
            deviation = max(deviation, abs(with_rc[idx] / perfect[i] - 1))
        order = np.argsort(common_randomness)
        steps = np.diff(np.asarray(with_rc)[order])
        deviation = max(
            deviation, float(np.max(steps, initial=-np.inf)) / shannon[i] if steps.size else 0.0
        )
        table.append(row)
    return TheoremReport.from_deviation(
        name="yan2021/information-theoretic-contrast[gaussian]",
        statement=(
            "With unlimited common randomness the Gaussian D(R,0)/D(R,∞) = 2/(1+√(1−2^{−2R})) < 2; "
            "with R_c bits it rises to exactly 2 at R_c = 0, the one-shot value."
        ),
        reference=(
            "Blau & Michaeli 2019; Zhang et al. NeurIPS 2021, Thm 2; Wagner 2022 "
            "(arXiv:2202.04147); Yan et al. 2021"
        ),
        instance=f"N(0, {variance:g}), R = {rates.tolist()} bits, R_c = {list(common_randomness)}",
        quantities={"rates": table},
        deviation=deviation,
        tolerance=tolerance,
    )
