r"""Scalar Gaussian source, MSE distortion: exact R(D, P) and D(R, P).

With reconstruction standard deviation at least $s_P$ (the smallest one
the perception bound admits), the optimal channel is jointly Gaussian with the
source (Zhang, Qian, Chen, Khisti, "Universal Rate-Distortion-Perception
Representations for Lossy Compression", NeurIPS 2021, Theorem 2 for squared
$W_2$; REFERENCES §3):

$$
R(D, P) = \begin{cases}
  \tfrac12 \log_2 \dfrac{\sigma^2 s_P^2}{\sigma^2 s_P^2 - \tfrac14(\sigma^2 + s_P^2 - D)^2}
    & s_P > \sqrt{|\sigma^2 - D|} \\
  \max\!\left(\tfrac12 \log_2 \dfrac{\sigma^2}{D}, 0\right) & \text{otherwise}
\end{cases}
$$

$$
D(R, P) = \sigma^2 2^{-2R} + \left[\left(s_P - \sigma\sqrt{1 - 2^{-2R}}\right)_+\right]^2
$$

where $s_P = (\sigma - \sqrt P)_+$ for squared $W_2$,
$s_P^2 = \sigma^2 \cdot (-W_0(-e^{-(1+2P)}))$ for
$\mathrm{KL}(p_{\hat X}\|p_X) \le P$, and
$s_P^2 = \sigma^2 / (-W_{-1}(-e^{-(1+2P)}))$ for
$\mathrm{KL}(p_X\|p_{\hat X}) \le P$ (P in nats, Lambert W branches).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from rdp.channels import GaussianChannel
from rdp.closed_forms import _stable
from rdp.perceptions import (
    KL,
    KL_RECON_SOURCE,
    NONE,
    W2,
    Perception,
    PerceptionBound,
    Wasserstein,
    as_bound,
    to_bound,
)
from rdp.result import PointSolution
from rdp.units import LN2

REFERENCE_W2 = (
    "Zhang, Qian, Chen & Khisti, Universal Rate-Distortion-Perception Representations "
    "for Lossy Compression, NeurIPS 2021, Theorem 2"
)
REFERENCE_KL = (
    "Gaussian R(D,P) with the jointly Gaussian channel (Zhang et al. 2021, Thm 2) and the "
    "KL(p_X^||p_X) ball's least reconstruction deviation by Lambert W"
)
REFERENCE_SHANNON = (
    "Shannon R(D) = ½ log(σ²/D) (Cover & Thomas, Elements of Information Theory, Thm 10.3.2)"
)
REFERENCE_COMMON_RANDOMNESS = (
    "Wagner, The Rate-Distortion-Perception Trade-off: The Role of Common Randomness, "
    "arXiv:2202.04147, 2022 (Gaussian, perfect realism)"
)


def min_reconstruction_std(std: float, perception: Perception, P: float) -> float:
    r"""s_P: the least reconstruction standard deviation admitted by ``perception`` ≤ P.

    Parameters
    ----------
    std : float
        Source standard deviation σ.
    perception : Perception
        Squared-W₂ ([`Wasserstein`][rdp.perceptions.Wasserstein] of order 2), a
        [`KL`][rdp.perceptions.KL] direction, or none.
    P : float
        Perception bound: W₂² in the source's squared units, KL in **bits**.

    Notes
    -----
    For N(μ, s²) against N(μ, σ²): W₂² = (σ − s)²; with t = s²/σ²,
    KL(p_X̂‖p_X) = ½(t − 1 − ln t) nats and KL(p_X‖p_X̂) = ½(1/t − 1 + ln t)
    nats. Solving each at equality on the branch t ≤ 1 gives the Lambert-W
    expressions in the module docstring.

    Examples
    --------
    >>> from rdp import KL, Wasserstein
    >>> min_reconstruction_std(1.0, Wasserstein(2), 0.25)
    0.5
    >>> min_reconstruction_std(1.0, KL("reconstruction||source"), 0.0)
    1.0
    """
    return _min_std(std, to_bound(perception, P, "bits"))


def _min_std(std: float, bound: PerceptionBound) -> float:
    """s_P for an internal bound (KL in nats)."""
    if bound.kind == NONE or bound.value == np.inf:
        return 0.0
    if bound.kind == W2:
        return float(max(std - np.sqrt(bound.value), 0.0))
    sign = -1.0 if bound.kind == KL_RECON_SOURCE else 1.0
    v = _log_ratio(bound.value, sign)
    # t = s²/σ² = e^v for KL(p_X̂‖p_X), e^{−v} for KL(p_X‖p_X̂); s = σ e^{∓|v|/2}
    return float(std * math.exp(-0.5 * abs(v)))


def _log_ratio(nats: float, sign: float) -> float:
    r"""The root v (of sign ``sign``) of $e^v - 1 - v = 2P$, P ≥ 0 nats.

    Both Gaussian KL balls reduce to it: with t = s²/σ²,
    KL(p_X̂‖p_X) = ½(t − 1 − ln t) is this at v = ln t ≤ 0 and KL(p_X‖p_X̂) =
    ½(1/t − 1 + ln t) at v = −ln t ≥ 0. The Lambert-W expressions of the module
    docstring are its closed form; they are not used numerically because their
    argument −e^{−(1+2P)} loses all precision near P = 0 and underflows for
    P > 372 nats (W₋₁ then returns −∞, i.e. s_P = 0 instead of ≈ σ/√(2P)).
    Instead Brent's method runs in u = ln|v|, where ln(e^v − 1 − v) is close to
    linear (≈ 2u − ln 2 for small |v|, ≈ u for v → −∞, e^u for v → +∞), with
    e^v − 1 − v summed without cancellation (``rdp.closed_forms._stable``). When
    2√P < 1e-30 the series e^v − 1 − v = v²/2·(1 + O(v)) gives v = ±2√P to a
    relative error below 1e-30; beyond P = 1e300 nats, v = ln 2P or −2P.
    """
    if nats <= 0.0:
        return 0.0
    if nats > 1e300:  # v = ln(2P + 1 + v) ≈ ln 2P, or v = −(1 + 2P − e^v) ≈ −2P, to 1e-297
        return math.log(2.0) + math.log(nats) if sign > 0 else -2.0 * nats
    small = 2.0 * math.sqrt(nats)
    if small < 1e-30:
        return sign * small

    def excess(u: float) -> float:  # increasing in u
        return math.log(_stable.expm1mx(sign * math.exp(u))) - math.log(2.0 * nats)

    # e^v − 1 − v ≤ v²/2 for v ≤ 0 and ≥ v²/2 for v ≥ 0 (with e^v − 1 − v ≥ |v| − 1 for
    # v ≤ 0 and ≤ e^v for v ≥ 0), so the root lies between these two guesses
    if sign < 0:
        guesses = (math.log(small), math.log(2.0 * nats + 1.0))
    else:
        guesses = (math.log(small), math.log(math.log1p(2.0 * nats)))
    lo, hi = min(guesses) - 1e-3, max(guesses) + 1e-3
    return sign * math.exp(brentq(excess, lo, hi, xtol=1e-15, rtol=4.0 * np.finfo(float).eps))


def rate_given_std(variance: float, s: float, D: float) -> float:
    r"""R in bits of the jointly Gaussian channel with reconstruction std ``s`` at MSE ``D``.

    $$
    R = \tfrac12 \log_2 \frac{\sigma^2 s^2}{\sigma^2 s^2 - \tfrac14(\sigma^2 + s^2 - D)^2}
    $$
    """
    sigma = np.sqrt(variance)
    # 1 − ρ = (D − (σ − s)²)/(2σs) and 1 + ρ = ((σ + s)² − D)/(2σs): no cancellation in
    # 1 − ρ² when ρ → 1 (D ≪ σ², where the rate is large)
    below, above = D - (sigma - s) ** 2, (sigma + s) ** 2 - D
    if above <= 2.0 * sigma * s:  # ρ ≤ 0
        return 0.0
    if below <= 0.0:  # ρ ≥ 1
        return float("inf")
    return float(-0.5 * np.log2(below * above / (4.0 * variance * s * s)))


def rate(variance: float, D: float, s_P: float) -> tuple[float, float, float]:
    """(R(D, P) in bits, optimal reconstruction std, correlation) for the Gaussian source."""
    sigma = np.sqrt(variance)
    if D <= 0.0:
        return float("inf"), sigma, 1.0
    if s_P > np.sqrt(abs(variance - D)):
        rho = (variance + s_P * s_P - D) / (2.0 * sigma * s_P)
        return rate_given_std(variance, s_P, D), s_P, float(rho)
    if D >= variance:  # rate 0: X̂ independent of X with the least admissible deviation s_P
        return 0.0, float(s_P), 0.0
    s = float(np.sqrt(variance - D))
    return float(0.5 * np.log2(variance / D)), s, s / sigma


def distortion(variance: float, R: float, s_P: float) -> tuple[float, float, float]:
    r"""(D(R, P), optimal reconstruction std, correlation): σ²2^{−2R} + [(s_P − σρ)₊]²."""
    sigma = np.sqrt(variance)
    if R == np.inf:
        return 0.0, sigma, 1.0
    rho = float(np.sqrt(-np.expm1(-2.0 * R * LN2)))
    s = max(sigma * rho, s_P)
    return float(variance * 2.0 ** (-2.0 * R) + (s - sigma * rho) ** 2), s, rho


def perfect_perception_distortion(variance: float, R: float, common_randomness: float) -> float:
    r"""D(R, R_c, 0) for the Gaussian source: perfect realism with R_c bits of common randomness.

    $$
    D(R, R_c, 0) = 2\sigma^2\left(1 - \sqrt{(1 - 2^{-2R})(1 - 2^{-2(R + R_c)})}\right)
    $$

    R_c = ∞ gives D(R, 0) = 2σ²(1 − √(1 − 2^{−2R})); R_c = 0 gives exactly
    2σ²2^{−2R} = 2·D(R, ∞).

    References
    ----------
    1. A. B. Wagner, "The Rate-Distortion-Perception Trade-off: The Role of
       Common Randomness", arXiv:2202.04147, 2022.

    Examples
    --------
    >>> perfect_perception_distortion(1.0, 1.0, 0.0)   # 2 σ² 2^{-2R}
    0.5
    >>> round(perfect_perception_distortion(1.0, 1.0, float("inf")), 6)
    0.267949
    """
    first = -np.expm1(-2.0 * R * LN2)
    second = 1.0 if common_randomness == np.inf else -np.expm1(-2.0 * (R + common_randomness) * LN2)
    return float(2.0 * variance * (1.0 - np.sqrt(first * second)))


class GaussianSourceMSE:
    """What the Gaussian / MSE methods share: the source, the perception, the channel family.

    [`GaussianMSE`][rdp.closed_forms.gaussian.GaussianMSE] (closed forms) and
    [`GaussianKLSourceBounds`][rdp.closed_forms.gaussian_kl.GaussianKLSourceBounds]
    (certified bounds for KL(p_X‖p_X̂)) add the points.
    """

    common_randomness_reference = REFERENCE_COMMON_RANDOMNESS

    def __init__(self, mean: float, variance: float, perception: Perception) -> None:
        self.mean = mean
        self.variance = variance
        self.perception = perception
        self.kind = perception.kind

    def _channel(self, s: float, rho: float) -> GaussianChannel:
        return GaussianChannel(self.mean, float(np.sqrt(self.variance)), float(s), float(rho))

    def distortion_point_common_randomness(
        self, R: float, P: PerceptionBound | float, rc: float
    ) -> PointSolution:
        """D(R, R_c, 0) (Wagner 2022); only P = 0 has a closed form."""
        if as_bound(P, self.kind).value != 0.0:
            raise ValueError(
                f"common_randomness is supported at P = 0 (perfect realism) only; got P = {P!r}"
            )
        value = perfect_perception_distortion(self.variance, R, rc)
        return PointSolution.exact(value, diagnostics={"common_randomness": rc})

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """0 (reached only at infinite rate)."""
        return 0.0


class GaussianMSE(GaussianSourceMSE):
    """Closed-form method for Gaussian / MSE / (squared W₂, KL(p_X̂‖p_X), or none).

    KL(p_X‖p_X̂) has no closed form: its method is
    [`GaussianKLSourceBounds`][rdp.closed_forms.gaussian_kl.GaussianKLSourceBounds].
    """

    def __init__(self, mean: float, variance: float, perception: Perception) -> None:
        super().__init__(mean, variance, perception)
        if isinstance(perception, Wasserstein):
            self.reference, kind = REFERENCE_W2, "w2"
        elif isinstance(perception, KL):
            if perception.kind != KL_RECON_SOURCE:
                raise ValueError(
                    "GaussianMSE has closed forms for KL(p_X^||p_X) only; KL(p_X||p_X^) has "
                    "bounds (rdp.closed_forms.gaussian_kl.GaussianKLSourceBounds)"
                )
            self.reference, kind = REFERENCE_KL, perception.name
        else:
            self.reference, kind = REFERENCE_SHANNON, "none"
        self.name = f"closed-form: gaussian-mse-{kind}"

    def _perception_of(self, s: float) -> float:
        """The perception of N(μ, s²) against the source, as a user would evaluate it."""
        sigma = float(np.sqrt(self.variance))
        if isinstance(self.perception, Wasserstein):
            return (sigma - s) ** 2
        if isinstance(self.perception, KL):  # ½(t − 1 − ln t), t = s²/σ², without cancellation
            from rdp.closed_forms.water_filling import perception_cost

            return float(perception_cost(self.perception.kind, [self.variance], [s])[0])
        return 0.0

    def _feasible_channel(self, s: float, rho: float, D: float, P: float) -> GaussianChannel:
        """The channel with s and ρ nudged by a few ulps so that it meets D and P as evaluated.

        s moves towards σ until the perception is ≤ P less a margin (so that another
        evaluation order, e.g. s²/σ² instead of s·s/σ², still gives ≤ P), then ρ up until
        the MSE is ≤ D; the rate moves by O(ulp). The margin is 8 ulps of P, plus, for KL,
        16 ulps absolute: ½(t − 1 − ln t) near t = 1 cancels terms of size 1, so its
        rounding error is absolute, not relative to P (hypothesis found a 1-ulp excess at
        P = 2⁻⁸ bits).
        """
        sigma = float(np.sqrt(self.variance))
        eps = np.finfo(float).eps
        absolute = 16.0 * eps if isinstance(self.perception, KL) else 0.0
        goal = P * (1.0 - 8.0 * eps) - absolute
        for k in range(60):
            if P == np.inf or s >= sigma or self._perception_of(s) <= goal:
                break
            s = min(sigma, s + eps * sigma * 2.0**k)
        channel = self._channel(s, rho)
        for k in range(60):
            if channel.mse() <= D or rho >= 1.0 or s == 0.0:
                break
            rho = min(1.0, rho + eps * 2.0**k)
            channel = self._channel(s, rho)
        return channel

    def _s_P(self, P: float) -> float:
        return min_reconstruction_std(float(np.sqrt(self.variance)), self.perception, P)

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: object = None
    ) -> PointSolution:
        """R(D, P) with the optimal jointly Gaussian channel."""
        P = as_bound(P, self.kind).bits  # the functions below take KL in bits
        s_P = self._s_P(P)
        value, s, rho = rate(self.variance, D, s_P)
        active = s_P > np.sqrt(abs(self.variance - D))
        channel = self._feasible_channel(s, rho, D, P) if np.isfinite(value) else None
        return PointSolution.exact(
            value,
            channel=channel,
            diagnostics={"perception_active": bool(active), "min_reconstruction_std": s_P},
        )

    def distortion_point(self, R: float, P: PerceptionBound | float) -> PointSolution:
        """D(R, P) with the optimal jointly Gaussian channel."""
        P = as_bound(P, self.kind).bits  # the functions below take KL in bits
        s_P = self._s_P(P)
        value, s, rho = distortion(self.variance, R, s_P)
        return PointSolution.exact(
            value, channel=self._channel(s, rho), diagnostics={"min_reconstruction_std": s_P}
        )

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """σ² + s_P²: X̂ independent of X with the least admissible deviation."""
        return float(self.variance + self._s_P(as_bound(P, self.kind).bits) ** 2)
