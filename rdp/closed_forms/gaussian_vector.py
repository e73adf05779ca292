r"""Vector Gaussian source, MSE distortion: R(D, P) and D(R, P) by two-multiplier water-filling.

For :math:`X \sim N(m, \Sigma)` with eigenvalues :math:`\sigma_1^2 \ge \dots \ge
\sigma_n^2` of Σ, distortion :math:`\mathbb E\|X - \hat X\|^2` and squared
:math:`W_2` or KL perception (either direction), jointly Gaussian
reconstructions that are diagonal in the eigenbasis of Σ are optimal (Qian et
al. 2024), so the problem splits into scalar components coupled only through
the two budgets:

.. math::
    R(D, P) = \min_{R_i \ge 0,\ 0 \le s_i \le \sigma_i} \sum_i R_i
    \quad\text{s.t.}\quad \sum_i D_i(R_i, s_i) \le D,\quad \sum_i \varphi_i(s_i) \le P,

    D_i(R_i, s_i) = \sigma_i^2 + s_i^2 - 2\sigma_i s_i\sqrt{1 - 2^{-2R_i}},

where :math:`s_i` is the standard deviation of the i-th reconstruction component
and :math:`\varphi_i` its perception cost against :math:`N(0, \sigma_i^2)`:
:math:`(\sigma_i - s_i)^2` for squared :math:`W_2`;
:math:`\tfrac12(t_i - 1 - \ln t_i)` for :math:`\mathrm{KL}(p_{\hat X}\|p_X)` and
:math:`\tfrac12(1/t_i - 1 + \ln t_i)` for :math:`\mathrm{KL}(p_X\|p_{\hat X})`
(nats, :math:`t_i = s_i^2/\sigma_i^2`; converted to bits here). Both costs are
additive over the eigen-components because the laws are diagonal there.

**Two-multiplier water-filling.** With multipliers μ ≥ 0 on the distortion
and ν ≥ 0 on the perception budget, each component solves

.. math:: h_i(\mu, \nu) = \min_{R_i, s_i}\; R_i + \mu D_i(R_i, s_i) + \nu\varphi_i(s_i).

For fixed :math:`s_i` the optimal correlation :math:`\rho_i = \sqrt{1 - 2^{-2R_i}}`
solves :math:`\rho/(1-\rho^2) = a_i := 2\ln 2\,\mu\sigma_i s_i`, i.e.
:math:`\rho_i = 2a_i/(1 + \sqrt{1 + 4a_i^2})` and
:math:`R_i = \tfrac12\log_2\big((1 + \sqrt{1 + 4a_i^2})/2\big)`. Without
perception (ν = 0) this gives reverse water-filling: :math:`D_i = \min(\theta,
\sigma_i^2)` with water level :math:`\theta = 1/(2\ln 2\,\mu)` and
:math:`s_i^{(0)} = \sqrt{(\sigma_i^2 - \theta)_+}`. With ν > 0 the minimiser
moves to :math:`s_i \in (s_i^{(0)}, \sigma_i]`, where :math:`h_i` is unimodal in
:math:`s_i` (it is convex in the perception level :math:`\varphi_i(s_i)`
because the scalar R(D, P) is convex, and :math:`h_i(s) \ge h_i(s_i^{(0)})` for
:math:`s < s_i^{(0)}`): a safeguarded Newton–bisection on
:math:`\partial h_i / \partial s` finds it to machine precision. Every component
then has :math:`s_i > 0` and hence positive rate — unlike reverse water-filling.

**Certified bounds.** For any μ, ν ≥ 0 the dual function
:math:`g(\mu, \nu) = \sum_i h_i(\mu, \nu) - \mu D - \nu P` is a lower bound on
R(D, P) (weak duality); an allocation meeting both budgets is an upper bound.
The multipliers are found by nested root-finding (μ so that the distortion
budget is met, ν so that the perception budget is met; both maps are monotone
by concavity of the dual); the upper bound comes from the dual minimiser made
exactly feasible (:math:`s_i` moved towards :math:`\sigma_i` until the
perception budget holds, then single-multiplier water-filling of the rates).
D(R, P) is solved the same way with a multiplier on the rate.

References
----------
.. [1] J. Qian, S. Salehkalaibar, J. Chen, A. Khisti, W. Yu, W. Shi, Y. Ge,
   W. Tong, "Rate-Distortion-Perception Tradeoff for Gaussian Vector Sources",
   arXiv:2406.18008, 2024.
.. [2] G. Serra, P. A. Stavrou, M. Kountouris, "On the Computation of the
   Gaussian Rate-Distortion-Perception Function", IEEE Journal on Selected
   Areas in Information Theory, 2024, arXiv:2311.09190.
.. [3] T. M. Cover, J. A. Thomas, "Elements of Information Theory", 2nd ed.,
   Wiley 2006, Theorem 10.3.3 (reverse water-filling).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, root

from rdp._validation import check_choice
from rdp.channels import GaussianChannel, GaussianVectorChannel
from rdp.perceptions import KL, NoPerception, Perception, Wasserstein
from rdp.result import PointSolution
from rdp.sources import GaussianVector
from rdp.units import LN2

REFERENCE = (
    "Qian, Salehkalaibar, Chen, Khisti, Yu, Shi, Ge & Tong, Rate-Distortion-Perception "
    "Tradeoff for Gaussian Vector Sources, arXiv:2406.18008, 2024; Serra, Stavrou & "
    "Kountouris, On the Computation of the Gaussian Rate-Distortion-Perception Function, "
    "IEEE JSAIT 2024 (two-multiplier water-filling over the eigen-components)"
)
REFERENCE_SHANNON = (
    "Reverse water-filling (Cover & Thomas, Elements of Information Theory, Thm 10.3.3)"
)

#: Perception kinds understood by the solvers ('none' means no constraint).
PERCEPTION_KINDS = ("w2", "kl-recon-source", "kl-source-recon", "none")

_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class ComponentAllocation:
    """A per-eigen-component allocation of rate, distortion and perception.

    Attributes
    ----------
    variances : ndarray, shape (n,)
        Component variances σ_i² (eigenvalues of the covariance, descending).
    rates : ndarray, shape (n,)
        R_i in bits.
    reconstruction_stds : ndarray, shape (n,)
        Reconstruction standard deviations s_i.
    correlations : ndarray, shape (n,)
        ρ_i = corr(X_i, X̂_i) = √(1 − 2^{−2R_i}).
    distortions : ndarray, shape (n,)
        D_i = σ_i² + s_i² − 2σ_i s_i ρ_i.
    perceptions : ndarray, shape (n,)
        φ_i(s_i) (squared W₂, or KL in bits; zeros for 'none').
    level : float
        The water level θ (reverse water-filling), the P = 0 parameter θ, or
        1/(2 ln 2 μ) for the two-multiplier solution.
    lower, upper : float
        Certified bounds on the optimal value (rate for R(D, P) problems,
        distortion for D(R, P) problems).
    """

    variances: NDArray
    rates: NDArray
    reconstruction_stds: NDArray
    correlations: NDArray
    distortions: NDArray
    perceptions: NDArray
    level: float
    lower: float
    upper: float
    diagnostics: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Total rate Σ R_i in bits."""
        return float(self.rates.sum())

    @property
    def distortion(self) -> float:
        """Total distortion Σ D_i = E‖X − X̂‖²."""
        return float(self.distortions.sum())

    @property
    def perception(self) -> float:
        """Total perception Σ φ_i."""
        return float(self.perceptions.sum())


# --------------------------------------------------------------------------- helpers


def _variances(eigenvalues: ArrayLike) -> NDArray:
    lam = np.asarray(eigenvalues, dtype=float).ravel()
    if lam.size == 0 or not np.isfinite(lam).all() or (lam <= 0).any():
        raise ValueError(f"eigenvalues must be finite and > 0; got {eigenvalues!r}")
    return np.sort(lam)[::-1]


def _nonnegative(value: float, name: str, allow_inf: bool = True) -> float:
    out = float(value)
    if np.isnan(out) or out < 0 or (not allow_inf and np.isinf(out)):
        bound = "[0, inf]" if allow_inf else "[0, inf)"
        raise ValueError(f"{name} must be in {bound}; got {value!r}")
    return out


def _multiplier(log_value: float) -> float:
    """exp(log_value) kept within [e^-700, e^575] so that products with costs stay finite."""
    return float(np.exp(np.clip(log_value, -700.0, 575.0)))


def _correlation(a: NDArray) -> NDArray:
    """ρ solving ρ/(1 − ρ²) = a, a ≥ 0."""
    return 2.0 * a / (1.0 + np.hypot(1.0, 2.0 * a))


def _rate_of(a: NDArray) -> NDArray:
    """R = −½ log₂(1 − ρ²) = ½ log₂((1 + √(1 + 4a²))/2), stable for all a ≥ 0."""
    return 0.5 * np.log2(0.5 * (1.0 + np.hypot(1.0, 2.0 * a)))


def _one_minus_correlation(a: NDArray) -> NDArray:
    """1 − ρ = (1 − ρ²)/(1 + ρ) = ρ/(a(1 + ρ)) (1 − ρ² = ρ/a), accurate as ρ → 1."""
    rho = _correlation(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = rho / (a * (1.0 + rho))
    return np.where(a > 0, out, 1.0)


def _distortion_of(sigma: NDArray, s: NDArray, a: NDArray) -> NDArray:
    """σ² + s² − 2σsρ written as (σ − s)² + 2σs(1 − ρ) (no cancellation)."""
    return (sigma - s) ** 2 + 2.0 * sigma * s * _one_minus_correlation(a)


def _correlation_of_rate(rates: NDArray) -> NDArray:
    return np.sqrt(-np.expm1(-2.0 * LN2 * rates))


def perception_cost(kind: str, variances: ArrayLike, stds: ArrayLike) -> NDArray:
    r"""Per-component perception φ_i(s_i) of N(0, s_i²) against N(0, σ_i²).

    .. math::
        \varphi^{W_2}(s) = (\sigma - s)^2, \quad
        \varphi^{\hat X\|X}(s) = \frac{t - 1 - \ln t}{2\ln 2}, \quad
        \varphi^{X\|\hat X}(s) = \frac{1/t - 1 + \ln t}{2\ln 2},
        \quad t = s^2/\sigma^2

    Parameters
    ----------
    kind : {'w2', 'kl-recon-source', 'kl-source-recon', 'none'}
        Squared W₂, KL(p_X̂‖p_X), KL(p_X‖p_X̂) (both in bits), or no perception.
    variances, stds : array_like, shape (n,)
        σ_i² and s_i ≥ 0.

    Returns
    -------
    ndarray, shape (n,)
        φ_i(s_i) (``inf`` for KL at s_i = 0).
    """
    check_choice(kind, "kind", PERCEPTION_KINDS)
    sigma = np.sqrt(np.asarray(variances, dtype=float))
    s = np.asarray(stds, dtype=float)
    if kind == "none":
        return np.zeros_like(s)
    if kind == "w2":
        return (sigma - s) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (s - sigma) * (s + sigma) / sigma**2  # t − 1
        log_t = np.log1p(u)
        # near t = 1 use the Taylor series (u − log(1+u) and log(1+u) − u/(1+u)) to avoid
        # cancellation: coefficients (−1)^k/k and (−1)^k (k−1)/k of u^k, k = 2..9
        k = np.arange(2, 10)
        powers = u[..., None] ** k
        if kind == "kl-recon-source":
            exact = u - log_t
            series = (powers * ((-1.0) ** k / k)).sum(axis=-1)
        else:
            exact = -u / (1.0 + u) + log_t
            series = (powers * ((-1.0) ** k * (k - 1) / k)).sum(axis=-1)
        nats = 0.5 * np.where(np.abs(u) < 1e-3, series, exact)
    return np.where(s > 0, nats / LN2, np.inf)


def _perception_derivatives(kind: str, sigma: NDArray, s: NDArray) -> tuple[NDArray, NDArray]:
    """(φ'(s), φ''(s)) for the perception ``kind``."""
    if kind == "w2":
        return -2.0 * (sigma - s), np.full_like(s, 2.0)
    if kind == "kl-recon-source":
        return (s / sigma**2 - 1.0 / s) / LN2, (1.0 / sigma**2 + 1.0 / s**2) / LN2
    return (1.0 / s - sigma**2 / s**3) / LN2, (3.0 * sigma**2 / s**4 - 1.0 / s**2) / LN2


def _kind_of(perception: Perception) -> str:
    if isinstance(perception, NoPerception):
        return "none"
    if isinstance(perception, Wasserstein):
        if perception.order != 2 or perception.cost is not None:
            raise ValueError(
                "perception must be squared W₂ (Wasserstein(2) without a custom cost), KL or none "
                f"for the vector Gaussian closed form; got {perception!r}"
            )
        return "w2"
    if isinstance(perception, KL):
        return perception.name
    raise ValueError(
        "perception must be squared W₂, KL (either direction) or none for the vector Gaussian "
        f"closed form; got {type(perception).__name__}"
    )


# --------------------------------------------------------------- reverse water-filling


def reverse_water_filling(
    eigenvalues: ArrayLike, *, D: float | None = None, R: float | None = None
) -> ComponentAllocation:
    r"""Shannon's R(D) (or D(R)) of a Gaussian vector: reverse water-filling.

    .. math::
        R(D) = \sum_i \tfrac12 \log_2 \frac{\sigma_i^2}{D_i}, \quad
        D_i = \min(\theta, \sigma_i^2), \quad \sum_i D_i = D

    The water level θ is found exactly: with the k largest components active,
    :math:`\theta = (D - \sum_{i>k}\sigma_i^2)/k` (given D) or
    :math:`\theta = 2^{-2R/k}(\prod_{i \le k}\sigma_i^2)^{1/k}` (given R), for
    the k with :math:`\sigma_{k+1}^2 \le \theta < \sigma_k^2`. The optimal
    reconstruction of component i has variance :math:`\sigma_i^2 - D_i`.

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Component variances σ_i² > 0 (any order).
    D : float, optional
        Total distortion E‖X − X̂‖² ≥ 0 (give exactly one of D and R).
    R : float, optional
        Total rate in bits ≥ 0.

    Returns
    -------
    ComponentAllocation
        Per-component rates, distortions, reconstruction deviations and θ
        (lower = upper = the optimal rate, or distortion when R is given).

    References
    ----------
    .. [1] T. M. Cover, J. A. Thomas, "Elements of Information Theory", 2nd ed.,
       Wiley 2006, Theorem 10.3.3.

    Examples
    --------
    >>> a = reverse_water_filling([4.0, 1.0], D=1.0)   # θ = 0.5: ½log₂8 + ½log₂2
    >>> round(a.rate, 6), a.level
    (2.0, 0.5)
    """
    lam = _variances(eigenvalues)
    if (D is None) == (R is None):
        raise ValueError("give exactly one of D and R")
    n = lam.size
    tails = np.concatenate([np.cumsum(lam[::-1])[::-1], [0.0]])  # tails[k] = Σ_{i ≥ k} λ_i
    log_prefix = np.concatenate([[0.0], np.cumsum(np.log2(lam))])
    nxt = np.concatenate([lam[1:], [0.0]])
    if D is not None:
        D = _nonnegative(D, "D", allow_inf=False)
        if D >= tails[0]:
            theta = float(lam[0])
        elif D == 0.0:
            theta = 0.0
        else:
            theta = 0.0
            for k in range(1, n + 1):
                candidate = (D - tails[k]) / k
                if candidate >= nxt[k - 1]:
                    theta = candidate
                    break
    else:
        R = _nonnegative(R, "R")
        if R == 0.0:
            theta = float(lam[0])
        elif R == np.inf:
            theta = 0.0
        else:
            theta = 0.0
            for k in range(1, n + 1):
                candidate = 2.0 ** ((log_prefix[k] - 2.0 * R) / k)
                if candidate >= nxt[k - 1]:
                    theta = float(min(candidate, lam[k - 1]))
                    break
    distortions = np.minimum(theta, lam)
    with np.errstate(divide="ignore"):
        rates = np.where(distortions < lam, 0.5 * np.log2(lam / distortions), 0.0)
    stds = np.sqrt(lam - distortions)
    rho = np.where(lam > distortions, stds / np.sqrt(lam), 0.0)
    value = float(rates.sum()) if D is not None else float(distortions.sum())
    return ComponentAllocation(
        lam, rates, stds, rho, distortions, np.zeros(n), float(theta), value, value
    )


# ------------------------------------------------------------------ perfect perception


def _perfect_perception_at(lam: NDArray, theta: float) -> tuple[NDArray, NDArray, NDArray]:
    """(rates, distortions, x) of the P = 0 allocation with parameter θ."""
    x = 2.0 * theta / (theta + np.sqrt(theta * theta + 4.0 * lam * lam))
    rates = -0.5 * np.log2(x)
    distortions = 2.0 * lam * x / (1.0 + np.sqrt(1.0 - x))
    return rates, distortions, x


def perfect_perception_allocation(
    eigenvalues: ArrayLike, *, R: float | None = None, D: float | None = None
) -> ComponentAllocation:
    r"""D(R, 0) (or R(D, 0)) of a Gaussian vector under perfect perception p_X̂ = p_X.

    With P = 0 every component keeps its law, :math:`s_i = \sigma_i`, so
    :math:`D_i = 2\sigma_i^2(1 - \sqrt{1 - x_i})` with :math:`x_i = 2^{-2R_i}`.
    Minimising :math:`\sum_i D_i` subject to :math:`\sum_i R_i = R` (a convex
    problem: each :math:`D_i` is convex and decreasing in :math:`R_i`), the
    stationarity condition :math:`\partial D_i/\partial R_i = -2\ln 2\,
    \sigma_i^2 x_i/\sqrt{1 - x_i} = -2\ln 2\,\theta` for all i gives
    :math:`\sigma_i^4 x_i^2 = \theta^2 (1 - x_i)`, whose root in (0, 1] is

    .. math::
        x_i = \frac{-\theta^2 + \sqrt{\theta^4 + 4\sigma_i^4\theta^2}}{2\sigma_i^4}
            = \frac{2\theta}{\theta + \sqrt{\theta^2 + 4\sigma_i^4}},
        \qquad D = \sum_i 2\sigma_i^2\left(1 - \sqrt{1 - x_i}\right),

    with θ > 0 set by :math:`\sum_i R_i = R` (or :math:`\sum_i D_i = D`). The
    slope is −∞ at :math:`R_i = 0`, so every component gets rate. θ is found
    by bracketing to machine precision; the bracket end that meets the budget
    gives ``upper`` and the other (the exact optimum of a neighbouring budget)
    gives ``lower``.

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Component variances σ_i² > 0.
    R : float, optional
        Total rate in bits (give exactly one of R and D).
    D : float, optional
        Total distortion.

    Returns
    -------
    ComponentAllocation
        ``level`` is θ; lower/upper bound the distortion (R given) or the
        rate (D given).

    References
    ----------
    .. [1] J. Qian et al., "Rate-Distortion-Perception Tradeoff for Gaussian
       Vector Sources", arXiv:2406.18008, 2024 (perfect-perception case).
    .. [2] G. Serra, P. A. Stavrou, M. Kountouris, "On the Computation of the
       Gaussian Rate-Distortion-Perception Function", IEEE JSAIT 2024
       (perfect realism).

    Examples
    --------
    >>> import numpy as np
    >>> a = perfect_perception_allocation([1.0], R=1.0)
    >>> bool(np.isclose(a.distortion, 2 * (1 - np.sqrt(0.75))))
    True
    """
    lam = _variances(eigenvalues)
    if (D is None) == (R is None):
        raise ValueError("give exactly one of D and R")
    n = lam.size
    if R is not None:
        R = _nonnegative(R, "R")
        if R == 0.0 or R == np.inf:
            x = np.ones(n) if R == 0.0 else np.zeros(n)
            rates = np.full(n, R / n) if R == 0 else np.full(n, np.inf)
            distortions = 2.0 * lam * x
            value = float(distortions.sum())
            return ComponentAllocation(
                lam, rates, np.sqrt(lam), np.sqrt(1 - x), distortions, np.zeros(n),
                np.inf if R == 0 else 0.0, value, value,
            )  # fmt: skip

        def excess(log_theta: float) -> float:
            return float(_perfect_perception_at(lam, np.exp(log_theta))[0].sum() - R)
    else:
        D = _nonnegative(D, "D", allow_inf=False)
        if D >= 2.0 * lam.sum() or D == 0.0:
            if D == 0.0:
                rates, distortions = np.full(n, np.inf), np.zeros(n)
            else:
                rates, distortions = np.zeros(n), 2.0 * lam
            value = float(rates.sum())
            rho = np.where(np.isinf(rates), 1.0, 0.0)
            return ComponentAllocation(
                lam, rates, np.sqrt(lam), rho, distortions, np.zeros(n),
                0.0 if D == 0 else np.inf, value, value,
            )  # fmt: skip

        def excess(log_theta: float) -> float:
            return float(D - _perfect_perception_at(lam, np.exp(log_theta))[1].sum())

    # excess is decreasing in log θ; it is positive (rate/distortion budget unmet) at small θ
    lo, hi = _bracket(excess, np.log(lam.mean()))
    lo, hi = _tight_bracket(excess, lo, hi)
    feasible_side, other_side = hi, lo  # at hi the budget holds (rate ≤ R, or distortion ≤ D)
    rates, distortions, x = _perfect_perception_at(lam, np.exp(feasible_side))
    o_rates, o_distortions, _ = _perfect_perception_at(lam, np.exp(other_side))
    if R is not None:
        upper, lower = float(distortions.sum()), float(o_distortions.sum())
    else:
        rates, distortions, x = _perfect_perception_at(lam, np.exp(other_side))
        o_rates = _perfect_perception_at(lam, np.exp(feasible_side))[0]
        upper, lower = float(rates.sum()), float(o_rates.sum())
    return ComponentAllocation(
        lam, rates, np.sqrt(lam), np.sqrt(1.0 - x), distortions, np.zeros(n),
        float(np.exp(feasible_side)), min(lower, upper), max(lower, upper),
    )  # fmt: skip


def _bracket(f: Callable[[float], float], start: float, step: float = 0.5) -> tuple[float, float]:
    """(lo, hi) with f(lo) > 0 ≥ f(hi) for a decreasing f, from ``start`` by doubling steps."""
    width = step
    if f(start) > 0:
        lo, hi = start, start + width
        for _ in range(64):
            if f(hi) <= 0:
                return lo, hi
            width *= 2.0
            lo, hi = hi, hi + width
    else:
        lo, hi = start - width, start
        for _ in range(64):
            if f(lo) > 0:
                return lo, hi
            width *= 2.0
            lo, hi = lo - width, lo
    raise RuntimeError("could not bracket the root")


def _tight_bracket(f: Callable[[float], float], lo: float, hi: float) -> tuple[float, float]:
    """Shrink [lo, hi] (f(lo) > 0 ≥ f(hi), f decreasing) to a few floats around the root.

    Brent's method locates the root; a bracket around it is then re-established
    by doubling a step of a few ulps and closed by bisection, so that the
    returned ends keep the signs f(lo) > 0 ≥ f(hi).
    """
    if lo == hi:
        return lo, hi
    root = brentq(f, lo, hi, xtol=1e-300, rtol=4 * _EPS, maxiter=500)
    step = 8.0 * _EPS * max(abs(root), 1e-300)
    a, b = lo, hi
    while step < hi - lo:
        a_try, b_try = max(lo, root - step), min(hi, root + step)
        if f(a_try) > 0 and f(b_try) <= 0:
            a, b = a_try, b_try
            break
        step *= 4.0
    for _ in range(200):
        mid = 0.5 * (a + b)
        if mid <= a or mid >= b:
            break
        if f(mid) > 0:
            a = mid
        else:
            b = mid
    return a, b


# --------------------------------------------------------------- zero-rate distortion


def zero_rate_distortion(eigenvalues: ArrayLike, kind: str, P: float) -> ComponentAllocation:
    r"""D_max(P): the least distortion at rate 0 under perception ≤ P.

    At rate 0, X̂ is independent of X, so :math:`D = \sum_i (\sigma_i^2 + s_i^2)`
    and the least distortion minimises :math:`\sum_i s_i^2` over the
    perception budget :math:`\sum_i \varphi_i(s_i) \le P`. For squared W₂ this
    is the point of the ball of radius √P around :math:`(\sigma_i)` closest to
    the origin:

    .. math:: D_{\max}(P) = \sum_i \sigma_i^2 + \left[\left(\sqrt{\textstyle\sum_i
        \sigma_i^2} - \sqrt P\right)_+\right]^2 .

    For KL, stationarity of :math:`\sum_i \sigma_i^2 t_i + \nu\sum_i\varphi_i`
    in :math:`t_i = s_i^2/\sigma_i^2` gives :math:`t_i = \nu/(\nu + 2\ln2\,
    \sigma_i^2)` for KL(p_X̂‖p_X) and :math:`1/t_i = (1 + \sqrt{1 + 8\ln 2\,
    \sigma_i^2/\nu})/2` for KL(p_X‖p_X̂), with ν > 0 set by the budget.

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Component variances σ_i².
    kind : {'w2', 'kl-recon-source', 'kl-source-recon', 'none'}
        Perception (KL in bits).
    P : float
        Perception budget ≥ 0 (``inf``: none).

    Returns
    -------
    ComponentAllocation
        Zero rates; ``lower`` = ``upper`` = D_max(P).

    References
    ----------
    .. [1] J. Qian et al., "Rate-Distortion-Perception Tradeoff for Gaussian
       Vector Sources", arXiv:2406.18008, 2024.
    """
    lam = _variances(eigenvalues)
    check_choice(kind, "kind", PERCEPTION_KINDS)
    P = _nonnegative(P, "P")
    sigma = np.sqrt(lam)
    n = lam.size
    if kind == "none" or P == np.inf:
        s = np.zeros(n)
    elif kind == "w2":
        norm = float(np.sqrt(lam.sum()))
        s = sigma * max(1.0 - np.sqrt(P) / norm, 0.0)
    elif P == 0.0:
        s = sigma.copy()
    else:

        def t_of(nu: float) -> NDArray:
            if kind == "kl-recon-source":
                return nu / (nu + 2.0 * LN2 * lam)
            return 2.0 / (1.0 + np.sqrt(1.0 + 8.0 * LN2 * lam / nu))

        def slack(log_nu: float) -> float:
            return float(
                P - perception_cost(kind, lam, sigma * np.sqrt(t_of(np.exp(log_nu)))).sum()
            )

        # slack increases with ν (t → 1); find the smallest ν meeting the budget
        lo, hi = _bracket(lambda v: -slack(v), np.log(lam.mean()))
        lo, hi = _tight_bracket(lambda v: -slack(v), lo, hi)
        s = sigma * np.sqrt(t_of(np.exp(hi)))
    distortions = lam + s * s
    value = float(distortions.sum())
    return ComponentAllocation(
        lam, np.zeros(n), s, np.zeros(n), distortions, perception_cost(kind, lam, s),
        np.inf, value, value,
    )  # fmt: skip


# ----------------------------------------------------------- two-multiplier solver


@dataclass(frozen=True)
class _Inner:
    """Minimiser of R_i + μD_i + νφ_i for every component."""

    s: NDArray
    rho: NDArray
    rates: NDArray
    distortions: NDArray
    perceptions: NDArray


def _inner(lam: NDArray, kind: str, mu: float, nu: float) -> _Inner:
    """Per-component minimiser of R_i + μ D_i(R_i, s_i) + ν φ_i(s_i) (see module docstring)."""
    sigma = np.sqrt(lam)
    theta = 1.0 / (2.0 * LN2 * mu)
    s0 = np.sqrt(np.maximum(lam - theta, 0.0))
    if nu == 0.0:
        s = s0
    else:
        lo = np.maximum(s0, sigma * 1e-300**0.25)
        hi = sigma.copy()
        s = np.clip(np.maximum(s0, 0.5 * (s0 + sigma)), lo, hi)
        c = 2.0 * LN2 * mu * sigma
        for _ in range(200):
            a = c * s
            rho = _correlation(a)
            dphi, d2phi = _perception_derivatives(kind, sigma, s)
            one_minus_rho = _one_minus_correlation(a)
            grad = 2.0 * mu * (s - sigma + sigma * one_minus_rho) + nu * dphi
            drho = (1.0 - rho * rho) ** 2 / (1.0 + rho * rho) * c
            curv = 2.0 * mu * (1.0 - sigma * drho) + nu * d2phi
            lo = np.where(grad < 0, s, lo)
            hi = np.where(grad >= 0, s, hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                newton = s - grad / curv
            ok = (curv > 0) & (newton >= lo) & (newton <= hi)
            new = np.where(ok, newton, 0.5 * (lo + hi))
            done = np.abs(new - s) <= 2.0 * _EPS * sigma
            s = new
            if np.all(done) or np.all(hi - lo <= 2.0 * _EPS * sigma):
                break
    a = 2.0 * LN2 * mu * sigma * s
    rho = _correlation(a)
    return _Inner(s, rho, _rate_of(a), _distortion_of(sigma, s, a), perception_cost(kind, lam, s))


def _rates_for_fixed_stds(
    lam: NDArray, s: NDArray, *, D: float | None = None, R: float | None = None
) -> tuple[NDArray, NDArray, NDArray] | None:
    """Optimal rates for fixed reconstruction deviations under a distortion or rate budget.

    Single-multiplier water-filling: ρ_i/(1 − ρ_i²) = 2 ln2 μ σ_i s_i. Returns
    (rates, correlations, distortions) meeting the budget, or None when the
    distortion budget is below Σ(σ_i − s_i)² (unreachable at any rate).
    """
    sigma = np.sqrt(lam)

    def at(log_mu: float) -> tuple[NDArray, NDArray, NDArray]:
        a = 2.0 * LN2 * _multiplier(log_mu) * sigma * s
        return _rate_of(a), _correlation(a), _distortion_of(sigma, s, a)

    if D is not None:
        if D <= float(((sigma - s) ** 2).sum()):
            return None

        def excess(log_mu: float) -> float:  # > 0 while the distortion budget is unmet
            return float(at(log_mu)[2].sum() - D)

        lo, hi = _bracket(excess, np.log(1.0 / lam.mean()))
        lo, hi = _tight_bracket(excess, lo, hi)
        return at(hi) if excess(hi) <= 0 else at(lo)

    def over(log_mu: float) -> float:  # > 0 when the rate budget is exceeded
        return float(at(log_mu)[0].sum() - R)

    lo, hi = _bracket(lambda v: -over(v), np.log(1.0 / lam.mean()))
    lo, hi = _tight_bracket(lambda v: -over(v), lo, hi)
    return at(lo) if over(lo) <= 0 else at(hi)


def _feasible_stds(lam: NDArray, kind: str, s: NDArray, P: float) -> NDArray:
    """Move s towards σ (s + t(σ − s), least t ∈ [0, 1]) until Σ φ_i ≤ P."""
    sigma = np.sqrt(lam)
    if perception_cost(kind, lam, s).sum() <= P:
        return s

    def excess(t: float) -> float:
        return float(perception_cost(kind, lam, s + t * (sigma - s)).sum() - P)

    t = brentq(excess, 0.0, 1.0, xtol=1e-300, rtol=4 * _EPS, maxiter=500)
    for _ in range(64):
        if excess(t) <= 0 or t >= 1.0:
            break
        t = min(1.0, t + max(4 * _EPS * t, 1e-300))
    return s + min(t, 1.0) * (sigma - s)


def two_multiplier_water_filling(
    eigenvalues: ArrayLike,
    kind: str,
    *,
    P: float,
    D: float | None = None,
    R: float | None = None,
    tol: float = 1e-9,
) -> ComponentAllocation:
    r"""R(D, P) (or D(R, P)) of a Gaussian vector with both budgets, with certified bounds.

    Solves the per-component problem of the module docstring with multipliers
    μ (distortion) and ν (perception):

    .. math::
        \max_{\mu, \nu \ge 0}\; \sum_i \min_{R_i, s_i}
        \big[R_i + \mu D_i(R_i, s_i) + \nu \varphi_i(s_i)\big] - \mu D - \nu P
        \;\le\; R(D, P) \;\le\; \sum_i R_i^{\text{feasible}}

    (for D(R, P) the multiplier λ = 1/μ prices the rate instead). The
    special cases are dispatched first and are exact: D ≥ D_max(P) (rate 0,
    :func:`zero_rate_distortion`), a perception budget that reverse
    water-filling already meets (including P = ∞ and 'none',
    :func:`reverse_water_filling`), and P = 0
    (:func:`perfect_perception_allocation`). ``diagnostics['regime']`` says
    which case applied.

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Component variances σ_i².
    kind : {'w2', 'kl-recon-source', 'kl-source-recon', 'none'}
        Perception: squared W₂, KL (bits) in the named direction, or none.
    P : float
        Perception budget in [0, ∞] (ignored for 'none').
    D, R : float
        Exactly one: the distortion budget (solve for the rate) or the rate
        budget in bits (solve for the distortion).
    tol : float
        Target gap upper − lower: in bits for R(D, P); relative to the
        distortion (gap ≤ tol · upper) for D(R, P).

    Returns
    -------
    ComponentAllocation
        The feasible allocation (upper bound) with ``lower`` from the dual;
        ``diagnostics`` holds the multipliers and the gap.

    References
    ----------
    .. [1] J. Qian et al., "Rate-Distortion-Perception Tradeoff for Gaussian
       Vector Sources", arXiv:2406.18008, 2024.
    .. [2] G. Serra, P. A. Stavrou, M. Kountouris, "On the Computation of the
       Gaussian Rate-Distortion-Perception Function", IEEE JSAIT 2024.
    """
    lam = _variances(eigenvalues)
    check_choice(kind, "kind", PERCEPTION_KINDS)
    if (D is None) == (R is None):
        raise ValueError("give exactly one of D and R")
    P = np.inf if kind == "none" else _nonnegative(P, "P")
    if D is not None:
        D = _nonnegative(D, "D", allow_inf=False)
        zero = zero_rate_distortion(lam, kind, P)
        if D >= zero.distortion:
            return _tagged(zero, "zero-rate", value=0.0)
        shannon = reverse_water_filling(lam, D=D)
    else:
        R = _nonnegative(R, "R")
        if R == 0.0:
            return _tagged(zero_rate_distortion(lam, kind, P), "zero-rate")
        shannon = reverse_water_filling(lam, R=R)
    shannon = _with_perception(shannon, kind)
    if (D is not None and D == 0.0) or (R is not None and R == np.inf):
        return _tagged(shannon, "infinite rate")
    if shannon.perception <= P:
        return _tagged(shannon, "reverse water-filling")
    if P == 0.0:
        return _tagged(perfect_perception_allocation(lam, D=D, R=R), "perfect perception")
    if P < 1e-12:
        near = _near_perfect_perception(lam, kind, D=D, R=R, P=P, tol=tol)
        if near is not None:
            return _tagged(near, "two-multiplier water-filling")
    theta = shannon.level
    warm = {"log_mu": float(np.log(1.0 / (2.0 * LN2 * theta)))}

    def solve(xtol_outer: float, xtol_inner: float) -> tuple[float, float]:
        if D is not None:

            def multipliers(log_x: float) -> tuple[float, float]:
                nu = _multiplier(log_x)

                def excess(log_mu: float) -> float:  # decreasing in μ
                    return float(_inner(lam, kind, _multiplier(log_mu), nu).distortions.sum() - D)

                lo, hi = _bracket(excess, warm["log_mu"], step=0.05)
                warm["log_mu"] = brentq(excess, lo, hi, xtol=xtol_inner, rtol=4 * _EPS)
                return _multiplier(warm["log_mu"]), nu
        else:

            def multipliers(log_x: float) -> tuple[float, float]:
                # log_x = log β with ν = βμ

                def deficit(log_mu: float) -> float:  # decreasing in μ
                    mu, nu = _multiplier(log_mu), _multiplier(log_x + log_mu)
                    return float(R - _inner(lam, kind, mu, nu).rates.sum())

                lo, hi = _bracket(deficit, warm["log_mu"], step=0.05)
                warm["log_mu"] = brentq(deficit, lo, hi, xtol=xtol_inner, rtol=4 * _EPS)
                return _multiplier(warm["log_mu"]), _multiplier(log_x + warm["log_mu"])

        def perception_excess(log_x: float) -> float:  # decreasing in log ν (or log β)
            mu, nu = multipliers(log_x)
            return float(_inner(lam, kind, mu, nu).perceptions.sum() - P)

        start = warm.get("log_x", warm["log_mu"])
        lo, hi = _bracket(perception_excess, start, step=1.0)
        warm["log_x"] = brentq(perception_excess, lo, hi, xtol=xtol_outer, rtol=4 * _EPS)
        return multipliers(warm["log_x"])

    fast = _fast_multipliers(lam, kind, warm["log_mu"], D=D, R=R, P=P)
    if fast is not None:
        allocation = _bounds_from_multipliers(lam, kind, *fast, D=D, R=R, P=P)
        if _closed(allocation, tol, relative=D is None):
            return _tagged(allocation, "two-multiplier water-filling")
        mu_fast, nu_fast = fast  # warm start for the bracketing below
        warm["log_mu"] = float(np.log(mu_fast))
        warm["log_x"] = float(np.log(nu_fast if D is not None else nu_fast / mu_fast))
    for xtol_outer, xtol_inner in ((1e-9, 1e-12), (1e-14, 1e-15)):
        mu, nu = solve(xtol_outer, xtol_inner)
        allocation = _bounds_from_multipliers(lam, kind, mu, nu, D=D, R=R, P=P)
        if _closed(allocation, tol, relative=D is None):
            break
    return _tagged(allocation, "two-multiplier water-filling")


def _tagged(
    allocation: ComponentAllocation, regime: str, value: float | None = None
) -> ComponentAllocation:
    """``allocation`` with its regime recorded (and lower = upper = ``value`` if given)."""
    lower = allocation.lower if value is None else value
    upper = allocation.upper if value is None else value
    return ComponentAllocation(
        allocation.variances, allocation.rates, allocation.reconstruction_stds,
        allocation.correlations, allocation.distortions, allocation.perceptions,
        allocation.level, float(lower), float(upper),
        {**allocation.diagnostics, "regime": regime},
    )  # fmt: skip


def _closed(allocation: ComponentAllocation, tol: float, *, relative: bool) -> bool:
    """Whether the certified gap is within ``tol`` (times the value when ``relative``)."""
    gap = allocation.upper - allocation.lower
    return bool(gap <= (tol * allocation.upper if relative else tol))


def _near_perfect_perception(
    lam: NDArray, kind: str, *, D: float | None, R: float | None, P: float, tol: float
) -> ComponentAllocation | None:
    """Bounds for a tiny budget P from the P = 0 multiplier μ₀ = 1/(2 ln2 θ) and large ν.

    At P ≈ 0 the budgets can no longer be resolved in floating point, so
    root-finding on them stalls; but weak duality holds for any (μ, ν): the
    dual value at μ₀ and ν ~ 1/√P is within O(√P) of R(D, 0) ≥ R(D, P).
    Returns the first allocation whose certified gap is within ``tol``.
    """
    mu = 1.0 / (2.0 * LN2 * perfect_perception_allocation(lam, D=D, R=R).level)
    scale = float(lam.sum()) if kind == "w2" else 1.0
    for c in (1.0, 1e-2, 1e2, 1e-4, 1e4):
        nu = _multiplier(np.log(mu * c) + 0.5 * (np.log(scale) - np.log(P)))
        allocation = _bounds_from_multipliers(lam, kind, mu, nu, D=D, R=R, P=P)
        if _closed(allocation, tol, relative=D is None):
            return allocation
    return None


def _fast_multipliers(
    lam: NDArray, kind: str, log_mu: float, *, D: float | None, R: float | None, P: float
) -> tuple[float, float] | None:
    """(μ, ν) meeting both budgets by Powell's hybrid method in (log μ, log ν), or None.

    A fast first attempt; the bounds it leads to are certified either way, and
    the caller falls back to nested bracketing when it fails or the gap is wide.
    """

    def residual(x: NDArray) -> list[float]:
        inner = _inner(lam, kind, _multiplier(x[0]), _multiplier(x[1]))
        first = np.log(inner.distortions.sum() / D) if D is not None else inner.rates.sum() - R
        return [float(first), float(np.log(inner.perceptions.sum() / P))]

    def perception_excess(log_nu: float) -> float:  # at the starting μ; decreasing in ν
        return float(
            _inner(lam, kind, _multiplier(log_mu), _multiplier(log_nu)).perceptions.sum() - P
        )

    try:
        with np.errstate(all="ignore"):
            lo, hi = _bracket(perception_excess, log_mu, step=2.0)
            log_nu = brentq(perception_excess, lo, hi, xtol=1e-3)
            solution = root(residual, [log_mu, log_nu], method="hybr", options={"xtol": 1e-13})
    except (ValueError, FloatingPointError, RuntimeError):  # pragma: no cover - defensive
        return None
    # the residual may stall above zero where the budgets are resolved only to rounding
    # (P near 0); the caller accepts the multipliers only if the certified gap is within tol
    if not np.all(np.isfinite(solution.x)):
        return None
    return _multiplier(solution.x[0]), _multiplier(solution.x[1])


def _bounds_from_multipliers(
    lam: NDArray, kind: str, mu: float, nu: float, *, D: float | None, R: float | None, P: float
) -> ComponentAllocation:
    """Dual lower bound at (μ, ν) and the repaired feasible allocation (upper bound)."""
    inner = _inner(lam, kind, mu, nu)
    total_r, total_d, total_p = (
        float(inner.rates.sum()),
        float(inner.distortions.sum()),
        float(inner.perceptions.sum()),
    )
    if D is not None:
        lower = total_r + mu * (total_d - D) + nu * (total_p - P)
    else:
        lower = total_d + (total_r - R) / mu + (nu / mu) * (total_p - P)
    # aim a few ulps inside both budgets, so that the channel meets them however its
    # distortion and perception are re-evaluated (the bound moves by O(1e-15))
    margin = 1.0 - 16.0 * _EPS
    s = _feasible_stds(lam, kind, inner.s, P * margin)
    solved = _rates_for_fixed_stds(lam, s, D=None if D is None else D * margin, R=R)
    if solved is None:  # pragma: no cover - the dual point has Σ D_i = D at finite rate
        raise RuntimeError("could not build a feasible allocation from the dual solution")
    rates, rho, distortions = solved
    upper = float(rates.sum()) if D is not None else float(distortions.sum())
    lower = min(lower, upper)
    return ComponentAllocation(
        lam, rates, s, rho, distortions, perception_cost(kind, lam, s),
        float(1.0 / (2.0 * LN2 * mu)), float(lower), upper,
        {"mu": mu, "nu": nu, "gap": upper - lower},
    )  # fmt: skip


# ------------------------------------------------------------------------ the method


class GaussianVectorMSE:
    """Closed-form method for GaussianVector / MSE / (squared W₂, KL either way, or none).

    Parameters
    ----------
    source : GaussianVector
        The source N(m, Σ); its eigen-decomposition fixes the components.
    perception : Perception
        :class:`~rdp.perceptions.Wasserstein` ``(2)`` (squared W₂, no custom
        cost), :class:`~rdp.perceptions.KL` in either direction (bits), or
        :class:`~rdp.perceptions.NoPerception`.
    tol : float
        Target gap upper − lower of the two-multiplier solver: in bits for
        R(D, P), relative to the distortion for D(R, P).

    Notes
    -----
    Dispatch per point: D ≥ D_max(P) gives rate 0; no perception, or a budget
    that reverse water-filling already meets, gives Shannon's R(D)
    (:func:`reverse_water_filling`); P = 0 gives
    :func:`perfect_perception_allocation`; otherwise
    :func:`two_multiplier_water_filling` with certified bounds.

    Examples
    --------
    >>> import numpy as np
    >>> from rdp import GaussianVector, Problem
    >>> problem = Problem(GaussianVector(np.diag([4.0, 1.0, 0.25])), "mse", "w2")
    >>> result = problem.rate(1.25, 0.05)
    >>> round(result.rate, 6), result.upper - result.lower <= 1e-9
    (2.117047, True)
    >>> round(problem.rate(1.25).rate, 6)   # no perception: reverse water-filling
    2.0
    """

    def __init__(self, source: GaussianVector, perception: Perception, *, tol: float = 1e-9):
        if not isinstance(source, GaussianVector):
            raise ValueError(f"source must be a GaussianVector; got {type(source).__name__}")
        if not tol > 0:
            raise ValueError(f"tol must be > 0; got {tol!r}")
        self.source = source
        self.perception = perception
        self.kind = _kind_of(perception)
        self.tol = float(tol)
        self.reference = REFERENCE_SHANNON if self.kind == "none" else REFERENCE
        self.name = f"closed-form: gaussian-vector-mse-{self.kind}"
        self._lam = np.asarray(source.eigenvalues, dtype=float)
        self._component_means = source.eigenvectors.T @ source.mean

    def _budget(self, P: float) -> float:
        return np.inf if self.kind == "none" else float(P)

    def _channel(self, allocation: ComponentAllocation) -> GaussianVectorChannel:
        sigma = np.sqrt(self._lam)
        components = tuple(
            GaussianChannel(float(m), float(sd), float(s), float(r))
            for m, sd, s, r in zip(
                self._component_means,
                sigma,
                allocation.reconstruction_stds,
                allocation.correlations,
                strict=True,
            )
        )
        return GaussianVectorChannel(self.source.eigenvectors, components)

    def _solution(self, allocation: ComponentAllocation) -> PointSolution:
        diagnostics = {
            "component_rates": allocation.rates.tolist(),
            "component_distortions": allocation.distortions.tolist(),
            "reconstruction_stds": allocation.reconstruction_stds.tolist(),
            "perception": allocation.perception,
            "level": allocation.level,
            **allocation.diagnostics,
        }
        return PointSolution(
            float(allocation.upper),
            float(allocation.lower),
            float(allocation.upper),
            True,
            self._channel(allocation),
            diagnostics,
        )

    def rate_point(self, D: float, P: float) -> PointSolution:
        """R(D, P) in bits with certified bounds and the achieving channel."""
        if D <= 0.0:
            return PointSolution.exact(np.inf, None, regime="zero distortion")
        allocation = two_multiplier_water_filling(
            self._lam, self.kind, P=self._budget(P), D=D, tol=self.tol
        )
        return self._solution(allocation)

    def distortion_point(self, R: float, P: float) -> PointSolution:
        """D(R, P) with certified bounds and the achieving channel (R in bits)."""
        allocation = two_multiplier_water_filling(
            self._lam, self.kind, P=self._budget(P), R=R, tol=self.tol
        )
        return self._solution(allocation)

    def min_distortion(self, P: float) -> float:
        """0: any distortion > 0 is reachable at a finite rate with s_i = σ_i (P = 0)."""
        return 0.0

    def zero_rate_distortion(self, P: float) -> float:
        """D_max(P) = Σσ_i² + least Σ s_i² within the perception budget."""
        return zero_rate_distortion(self._lam, self.kind, self._budget(P)).distortion


def _with_perception(allocation: ComponentAllocation, kind: str) -> ComponentAllocation:
    """The same allocation with its per-component perception costs filled in."""
    perceptions = perception_cost(kind, allocation.variances, allocation.reconstruction_stds)
    return ComponentAllocation(
        allocation.variances, allocation.rates, allocation.reconstruction_stds,
        allocation.correlations, allocation.distortions, perceptions, allocation.level,
        allocation.lower, allocation.upper, allocation.diagnostics,
    )  # fmt: skip
