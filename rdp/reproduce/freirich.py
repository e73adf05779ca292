r"""Freirich, Michaeli & Meir (NeurIPS 2021): the distortion–perception function.

For MSE distortion and W₂ perception, an estimator of X from an observation Y
with MMSE estimate $X^* = \mathbb E[X | Y]$ and MMSE $D^*$ can
reach, at perception $W_2^2(p_X, p_{\hat X}) \le P$, at best

$$
D(P) = D^* + \left[\left(W_2(p_X, p_{X^*}) - \sqrt P\right)_+\right]^2,
$$

a parabola in $\sqrt P$ from $D(0) = D^* + W_2^2(p_X, p_{X^*})
\le 2D^*$ down to $D^*$ at $\sqrt P = W_2(p_X, p_{X^*})$
(Freirich, Michaeli & Meir, NeurIPS 2021, arXiv:2107.02555, Theorems 3–4). The
instance drawn here is Gaussian denoising: $X \sim N(0, \sigma_X^2)$,
$Y = X + N$, $N \sim N(0, \sigma_N^2)$, for which
$X^* = aY$ with $a = \sigma_X^2/(\sigma_X^2 + \sigma_N^2)$,
$D^* = \sigma_X^2(1 - a)$ and
$W_2(p_X, p_{X^*}) = \sigma_X(1 - \sqrt a)$.
"""

from __future__ import annotations

import numpy as np

from rdp.plot import style
from rdp.reproduce.registry import FigureOutput, FigureSpec
from rdp.theorems.freirich2021 import distortion_perception_function, gaussian_w2_squared

FREIRICH = (
    "D. Freirich, T. Michaeli and R. Meir, A Theory of the Distortion-Perception Tradeoff in "
    "Wasserstein Space, NeurIPS 2021"
)

#: Noise variances σ_N² of the denoising instances (σ_X² = 1).
NOISE_VARIANCES = (0.25, 1.0, 4.0)


def gaussian_denoising(signal_variance: float, noise_variance: float) -> tuple[float, float]:
    r"""(D*, W₂²(p_X, p_X*)) for denoising N(0, σ_X²) observed in N(0, σ_N²) noise.

    The MMSE estimate is $X^* = aY$ with the Wiener gain
    $a = \sigma_X^2/(\sigma_X^2 + \sigma_N^2)$, so $D^* = \sigma_X^2(1 - a)$
    and $X^* \sim N(0, a\sigma_X^2)$; W₂² between the two Gaussian laws is
    computed by [`gaussian_w2_squared`][rdp.theorems.freirich2021.gaussian_w2_squared].
    """
    gain = signal_variance / (signal_variance + noise_variance)
    w2_squared = gaussian_w2_squared([[signal_variance]], [[gain * signal_variance]])
    return signal_variance * (1.0 - gain), float(w2_squared)


def make() -> FigureOutput:
    """D(P) against P and against √P for three Gaussian denoising instances."""
    P = np.linspace(0.0, 0.6, 301)
    columns: dict[str, list] = {"noise_variance": [], "P": [], "D": [], "D_star": [], "W2": []}
    fig = style.new_figure(2)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    with style.style():
        for color, noise in zip(
            style.curve_colors(len(NOISE_VARIANCES)), NOISE_VARIANCES, strict=True
        ):
            mmse, w2_squared = gaussian_denoising(1.0, noise)
            w2 = float(np.sqrt(w2_squared))
            D = distortion_perception_function(mmse, w2_squared, P)
            label = f"σ_N² = {noise:g}: D* = {mmse:.3g}, W₂(p_X, p_X*) = {w2:.3g}"
            left.plot(P, D, color=color, label=label)
            right.plot(np.sqrt(P), D, color=color)
            for ax in (left, right):
                ax.axhline(mmse, color=color, linestyle=":", linewidth=1.0)
            right.plot([0.0, w2], [mmse + w2**2, mmse], "o", color=color, markersize=4)
            columns["noise_variance"] += [noise] * P.size
            columns["P"] += list(P)
            columns["D"] += list(D)
            columns["D_star"] += [mmse] * P.size
            columns["W2"] += [w2] * P.size
        left.set_xlabel(style.perception_label("W₂² (squared Wasserstein-2)"))
        left.set_ylabel(style.distortion_label("MSE"))
        left.set_title("D(P) = D* + [(W₂(p_X, p_X*) − √P)₊]²")
        right.set_xlabel("√P = W₂ bound")
        right.set_ylabel(style.distortion_label("MSE"))
        right.set_title("the same curves against √P: parabolas, D(0) ≤ 2D*")
        for ax in (left, right):
            ax.set_ylim(bottom=0.0)
        right.set_xlim(0.0, float(np.sqrt(P.max())))
        left.set_xlim(0.0, float(P.max()))
        fig.legend(loc="outside lower center", ncols=3, frameon=False)
        fig.suptitle("Distortion–perception function of Gaussian denoising (σ_X² = 1)")
    return FigureOutput(fig, {"data": {k: np.asarray(v) for k, v in columns.items()}})


def figures() -> list[FigureSpec]:
    """The distortion–perception figure."""
    return [
        FigureSpec(
            id="freirich-distortion-perception",
            title="The distortion–perception function D(P) of Gaussian denoising",
            caption=(
                "Least MSE of an estimator of X ~ N(0, 1) from Y = X + N with W₂²(p_X, p_X̂) ≤ P, "
                "for three noise levels. Each curve falls from D(0) = D* + W₂²(p_X, p_X*) to the "
                "MMSE D* (dotted) at √P = W₂(p_X, p_X*) and is flat beyond; against √P "
                "(right) it is a parabola, the quadratic shape of the theorem. Dots mark D(0) "
                "and the point where the perception constraint stops binding."
            ),
            paper=FREIRICH,
            paper_figure="Theorems 3–4: the D(P) curve (Gaussian denoising instance)",
            make=make,
        )
    ]
