r"""Gaussian D(R, P) with the *conditional* perception measure and no common randomness.

Salehkalaibar, Chen, Khisti & Yu ("Rate-Distortion-Perception Tradeoff Based on
the Conditional-Distribution Perception Measure", IEEE Trans. IT 70(12), 2024,
arXiv:2401.12207) measure perception between the laws of the source and of
the reconstruction *given the encoder output* U, with no shared randomness,
and prove a single-letter characterization: for squared error and squared
$W_2$ the decoder adds noise to the MMSE estimate $\mathbb E[X|U]$.
For a Gaussian vector with eigenvalues $\lambda_i$ this gives (derived
here from their characterization):

$$
D_C(R, P) = D(R) + \Big[\big(\sqrt{D(R)} - \sqrt P\big)_+\Big]^2,
$$

with $D(R)$ Shannon's distortion–rate function (reverse water-filling):
perfect conditional realism (P = 0) costs exactly a factor 2 (3 dB), and the
constraint is inactive for $P \ge D(R)$.

*Converse.* With $v(u) = \mathrm{tr\,Cov}(X | U = u)$ and
$s(u)^2 = \mathrm{tr\,Cov}(\hat X | U = u)$,
$D \ge \mathbb E v + \mathbb E s^2$ and, by the triangle inequality in
$L^2$ for the centred laws, $W_2^2(p_{X|u}, p_{\hat X|u}) \ge
(\sqrt{v(u)} - s(u))^2$. Minimising $\mathbb E s^2$ subject to
$\mathbb E(\sqrt v - s)^2 \le P$ gives $s = c\sqrt v$ with
$c = (1 - \sqrt{P/\mathbb E v})_+$, hence
$D \ge \theta + (\sqrt\theta - \sqrt P)_+^2$ with $\theta = \mathbb E v
\ge D(R)$ (Shannon), and the right side increases in θ.
*Achievability.* Reverse water-filling U with $\mathrm{Cov}(X|U) =
\mathrm{diag}(\theta_i)$, and $\hat X = \mathbb E[X|U] + c\,\mathrm{Cov}(X|U)^{1/2} Z$
with Z standard normal: conditional W₂² = $(1 - c)^2 D(R)$, D = $(1 + c^2) D(R)$.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rdp.closed_forms.water_filling import reverse_water_filling

REFERENCE = (
    "Salehkalaibar, Chen, Khisti & Yu, Rate-Distortion-Perception Tradeoff Based on the "
    "Conditional-Distribution Perception Measure, IEEE Trans. IT 70(12), 2024 "
    "(arXiv:2401.12207); Gaussian formula derived here from their characterization"
)


def distortion(eigenvalues: ArrayLike, R: float, P: float) -> float:
    r"""D_C(R, P) for N(m, Σ) (eigenvalues of Σ), MSE, conditional squared-W₂ perception ≤ P.

    Examples
    --------
    >>> distortion([1.0], 1.0, 0.0)      # 2 · σ² 2^{-2R}: the 3 dB penalty
    0.5
    >>> distortion([1.0], 1.0, 1.0)      # P ≥ D(R): Shannon
    0.25
    """
    if R < 0 or P < 0:
        raise ValueError(f"need R ≥ 0 and P ≥ 0; got R={R!r}, P={P!r}")
    shannon = reverse_water_filling(np.atleast_1d(np.asarray(eigenvalues, float)), R=R).distortion
    return float(shannon + max(np.sqrt(shannon) - np.sqrt(P), 0.0) ** 2)


def rate(eigenvalues: ArrayLike, D: float, P: float) -> float:
    r"""R_C(D, P) in bits: Shannon's R at θ with θ + (√θ − √P)₊² = D (the inverse).

    Examples
    --------
    >>> round(rate([1.0], 0.5, 0.0), 12)
    1.0
    """
    lam = np.atleast_1d(np.asarray(eigenvalues, float))
    if D <= 0:
        return float("inf")
    # θ + (√θ − √P)₊² = D, increasing in θ: θ = D when D ≤ P, else 2θ − 2√(Pθ) + P = D
    if D <= P:
        theta = D
    else:
        root = (np.sqrt(P) + np.sqrt(2.0 * D - P)) / 2.0
        theta = root * root
    return float(reverse_water_filling(lam, D=min(theta, float(lam.sum()))).rate)
