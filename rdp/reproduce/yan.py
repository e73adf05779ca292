r"""Yan et al. (ICML 2021): the cost of perfect perception, one-shot versus information-theoretic.

One-shot: a deterministic encoder with K cells (rate log₂ K, no common
randomness) followed by a decoder that samples X̂ ~ p(x | code) reaches
perfect perception (p_X̂ = p_X) at exactly twice the least MSE of a K-level
quantizer: D(R, 0)/D(R, ∞) = 2 for every source (Yan, Wen, Ying, Ma & Liu,
ICML 2021, arXiv:2106.02782, Theorems 1–2; see docs/references.md).

Information-theoretic (Blau & Michaeli's R(D, P), unlimited common
randomness), Gaussian source:

$$
\frac{D(R, 0)}{D(R, \infty)} = \frac{2}{1 + \sqrt{1 - 2^{-2R}}} < 2,
$$

and with R_c bits of common randomness (Wagner 2022)
$D(R, R_c, 0) = 2\sigma^2(1 - \sqrt{(1 - 2^{-2R})(1 - 2^{-2(R + R_c)})})$,
which is exactly 2·D(R, ∞) at R_c = 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from rdp.plot import style
from rdp.problem import Problem
from rdp.quantization import PartitionEncoder, lloyd_max, perfect_perception_cost
from rdp.reproduce.registry import FigureOutput, FigureSpec
from rdp.sources import Discrete, Gaussian

YAN = (
    "Z. Yan, F. Wen, R. Ying, C. Ma and P. Liu, On Perceptual Lossy Compression: The Cost of "
    "Perceptual Reconstruction and An Optimal Training Framework, ICML 2021"
)
WAGNER = (
    "A. B. Wagner, The Rate-Distortion-Perception Trade-off: The Role of Common Randomness, "
    "arXiv:2202.04147, 2022"
)

#: Finite common-randomness rates R_c (bits) drawn for the Gaussian source.
COMMON_RANDOMNESS = (0.0, 0.25, 1.0)

#: Quantizer sizes K of the one-shot points (rate log₂ K bits).
LEVELS = (2, 3, 4, 6, 8, 11, 16)


def sources() -> dict[str, Any]:
    """Sources of the one-shot points.

    Unit-variance Gaussian, Laplace and uniform laws (frozen ``scipy.stats``,
    Lloyd–Max with exact cell statistics) and a skewed discrete source, a
    geometric law truncated to 24 atoms, pmf ∝ 0.8^k (exact dynamic program).
    """
    root3 = float(np.sqrt(3.0))
    atoms = np.arange(24.0)
    pmf = 0.8**atoms
    return {
        "Gaussian": stats.norm(),
        "Laplace": stats.laplace(scale=1.0 / np.sqrt(2.0)),
        "uniform": stats.uniform(-root3, 2.0 * root3),
        "geometric (discrete)": Discrete(pmf / pmf.sum(), atoms),
    }


def one_shot_points() -> dict[str, np.ndarray]:
    """D*(K) and the exact perfect-perception MSE of the optimal K-level encoder, per source.

    D*(K) is the Lloyd–Max optimum ([`rdp.quantization.lloyd_max`][rdp.quantization.lloyd_max]); the
    perfect-perception MSE is that of the best decoder with p_X̂ = p_X for
    this encoder, D*_f + W₂²(p_X*, p_X), with W₂² computed by quantile functions
    ([`perfect_perception_cost`][rdp.quantization.perfect_perception.perfect_perception_cost]).
    """
    rows: dict[str, list] = {"source": [], "K": [], "R": [], "D_star": [], "D_perfect": []}
    for name, law in sources().items():
        for K in LEVELS:
            quantizer = lloyd_max(law, K)
            cost = perfect_perception_cost(law, PartitionEncoder.from_quantizer(quantizer))
            rows["source"].append(name)
            rows["K"].append(K)
            rows["R"].append(float(np.log2(K)))
            rows["D_star"].append(quantizer.mse)
            rows["D_perfect"].append(cost.best_decoder_mse)
    return {key: np.asarray(value) for key, value in rows.items()}


def information_theoretic_ratios(R: np.ndarray) -> dict[str, np.ndarray]:
    """Gaussian D(R, 0), D(R, ∞) and D(R, R_c, 0) through the public Problem API."""
    problem = Problem(Gaussian(0.0, 1.0), "mse", "w2")
    shannon = np.asarray(problem.distortion(R, np.inf).distortion)
    out = {
        "R": R,
        "D_shannon": shannon,
        "D_perfect_unlimited_cr": np.asarray(problem.distortion(R, 0.0).distortion),
    }
    for rc in COMMON_RANDOMNESS:
        out[f"D_perfect_cr_{rc:g}"] = np.asarray(
            problem.distortion(R, 0.0, common_randomness=rc).distortion
        )
    return out


def make() -> FigureOutput:
    """Distortion against rate (left) and the ratio D(R, 0)/D(R, ∞) (right)."""
    R = np.linspace(0.02, 4.0, 200)
    curves = information_theoretic_ratios(R)
    points = one_shot_points()
    fig = style.new_figure(2)
    fig.set_size_inches(style.PANEL_SIZE[0] * 2, style.PANEL_SIZE[1] * 1.6)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    shannon = curves["D_shannon"]
    colors = style.curve_colors(len(COMMON_RANDOMNESS) + 1)
    with style.style():
        left.plot(
            R,
            shannon,
            color=style.SHANNON_COLOR,
            linestyle=style.SHANNON_LINESTYLE,
            label="D(R, ∞) (Shannon)",
        )
        left.plot(R, 2 * shannon, color=style.SHANNON_COLOR, linestyle=":", label="2·D(R, ∞)")
        left.plot(
            R,
            curves["D_perfect_unlimited_cr"],
            color=colors[-1],
            label="D(R, 0), unlimited common randomness",
        )
        right.plot(
            R,
            curves["D_perfect_unlimited_cr"] / shannon,
            color=colors[-1],
            label="Gaussian, unlimited common randomness",
        )
        for color, rc in zip(colors, COMMON_RANDOMNESS, strict=False):
            key = f"D_perfect_cr_{rc:g}"
            if rc == 0.0:
                continue
            left.plot(R, curves[key], color=color, linestyle="-.", label=f"D(R, R_c = {rc:g}, 0)")
            right.plot(
                R,
                curves[key] / shannon,
                color=color,
                linestyle="-.",
                label=f"Gaussian, R_c = {rc:g}",
            )
        right.axhline(
            2.0,
            color=style.SHANNON_COLOR,
            linestyle=":",
            label="2 (Yan et al.), and Gaussian with R_c = 0",
        )
        gaussian = points["source"] == "Gaussian"
        left.plot(
            points["R"][gaussian],
            points["D_star"][gaussian],
            "o",
            mfc="white",
            color=style.CATEGORICAL[0],
            label="one-shot: Lloyd–Max D*(K), R = log₂ K",
        )
        left.plot(
            points["R"][gaussian],
            points["D_perfect"][gaussian],
            "o",
            color=style.CATEGORICAL[0],
            label="one-shot, perfect perception",
        )
        sizes = (11.0, 8.0, 5.5, 3.0)  # nested markers: all four sources stay visible at 2
        for marker, color, size, name in zip(
            style.MARKERS, style.CATEGORICAL, sizes, sources(), strict=False
        ):
            rows = points["source"] == name
            right.plot(
                points["R"][rows],
                points["D_perfect"][rows] / points["D_star"][rows],
                marker,
                color=color,
                mfc="none" if size > 4 else color,
                markeredgewidth=1.3,
                linestyle="none",
                label=f"one-shot optimal quantizer, {name}",
                markersize=size,
            )
        left.set_yscale("log")
        left.set_xlabel(style.rate_label())
        left.set_ylabel(style.distortion_label("MSE"))
        left.set_title("Gaussian N(0, 1): distortion at perfect perception")
        right.set_xlabel(style.rate_label())
        right.set_ylabel("D(R, 0) / D(R, ∞)")
        right.set_ylim(0.9, 2.1)
        right.set_title("The cost of perfect perception")
        for ax in (left, right):
            ax.set_xlim(0.0, float(R.max()) + 0.1)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    return FigureOutput(fig, {"information-theoretic": curves, "one-shot": points})


def figures() -> list[FigureSpec]:
    """The cost-of-perfect-perception figure."""
    return [
        FigureSpec(
            id="yan-perfect-perception",
            title="The cost of perfect perception: one-shot quantizers versus R(D, P)",
            caption=(
                "Right: D(R, 0)/D(R, ∞). For optimal one-shot quantizers with K cells "
                "(R = log₂ K) and the decoder sampling X̂ ~ p(x | code) the ratio is exactly 2 "
                "for every source (Yan et al. 2021). In the information-theoretic setting with "
                "unlimited common randomness the Gaussian ratio is 2/(1 + √(1 − 2^(−2R))) < 2; "
                "with R_c bits of common randomness it rises towards 2, reached at R_c = 0 "
                "(Wagner 2022). Left: the distortions themselves for N(0, 1)."
            ),
            paper=f"{YAN}; {WAGNER}",
            paper_figure="Yan et al. Theorems 1–2 (ratio 2); Wagner Thm. (finite R_c)",
            make=make,
        )
    ]
