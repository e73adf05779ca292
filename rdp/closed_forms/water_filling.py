r"""Water-filling allocations over the eigen-components of a Gaussian vector source.

The pieces of the vector Gaussian R(D, P) that have closed forms (Qian et al.,
arXiv:2406.18008, 2024; Serra, Stavrou & Kountouris, IEEE JSAIT 2024, arXiv:2311.09190;
Cover & Thomas 2006, Thm 10.3.3 for reverse water-filling):

- [`reverse_water_filling`][rdp.closed_forms.water_filling.reverse_water_filling]: Shannon's R(D) /
  D(R) (no perception constraint);
- [`perfect_perception_allocation`][rdp.closed_forms.water_filling.perfect_perception_allocation]:
  P = 0, every component keeps its law;
- [`zero_rate_distortion`][rdp.closed_forms.water_filling.zero_rate_distortion]: D_max(P), the least
  distortion at rate 0;
- [`perception_cost`][rdp.closed_forms.water_filling.perception_cost]: the per-component squared-W₂
  or KL cost φ_i(s_i).

Each returns a [`ComponentAllocation`][rdp.closed_forms.water_filling.ComponentAllocation]
(per-component rates, distortions,
reconstruction deviations, and certified ``lower``/``upper`` bounds). The
general two-budget solver is in ``rdp.closed_forms.gaussian_vector``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from rdp._validation import check_choice
from rdp.closed_forms._stable import expm1mx_array
from rdp.units import LN2

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
    diagnostics : dict
        Solver details: 'regime' (which case applied) and, for the
        two-multiplier solver, the multipliers 'mu', 'nu' and the 'gap'.
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


def perception_cost(kind: str, variances: ArrayLike, stds: ArrayLike) -> NDArray:
    r"""Per-component perception φ_i(s_i) of N(0, s_i²) against N(0, σ_i²).

    $$
    \varphi^{W_2}(s) = (\sigma - s)^2, \quad
    \varphi^{\hat X\|X}(s) = \frac{t - 1 - \ln t}{2\ln 2}, \quad
    \varphi^{X\|\hat X}(s) = \frac{1/t - 1 + \ln t}{2\ln 2},
    \quad t = s^2/\sigma^2
    $$

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
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        u = (s - sigma) * (s + sigma) / sigma**2  # t − 1, exact to rounding near t = 1
        # ln t by log1p(u) near t = 1, by 2 ln(s/σ) below (u rounds to −1 once t < ε)
        log_t = np.where(u > -0.5, np.log1p(np.maximum(u, -0.5)), 2.0 * np.log(s / sigma))
    # t − 1 − ln t = g(e^v) at v = ln t, and 1/t − 1 + ln t = g(e^v) at v = −ln t, with
    # g(e^v) = e^v − 1 − v summed without cancellation near t = 1
    nats = 0.5 * expm1mx_array(log_t if kind == "kl-recon-source" else -log_t)
    return np.where(s > 0, nats / LN2, np.inf)


def _perception_derivatives(kind: str, sigma: NDArray, s: NDArray) -> tuple[NDArray, NDArray]:
    """(φ'(s), φ''(s)) for the perception ``kind``."""
    if kind == "w2":
        return -2.0 * (sigma - s), np.full_like(s, 2.0)
    if kind == "kl-recon-source":
        return (s / sigma**2 - 1.0 / s) / LN2, (1.0 / sigma**2 + 1.0 / s**2) / LN2
    return (1.0 / s - sigma**2 / s**3) / LN2, (3.0 * sigma**2 / s**4 - 1.0 / s**2) / LN2


# --------------------------------------------------------------- reverse water-filling


def reverse_water_filling(
    eigenvalues: ArrayLike, *, D: float | None = None, R: float | None = None
) -> ComponentAllocation:
    r"""Shannon's R(D) (or D(R)) of a Gaussian vector: reverse water-filling.

    $$
    R(D) = \sum_i \tfrac12 \log_2 \frac{\sigma_i^2}{D_i}, \quad
    D_i = \min(\theta, \sigma_i^2), \quad \sum_i D_i = D
    $$

    The water level θ is found exactly: with the k largest components active,
    $\theta = (D - \sum_{i>k}\sigma_i^2)/k$ (given D) or
    $\theta = 2^{-2R/k}(\prod_{i \le k}\sigma_i^2)^{1/k}$ (given R), for
    the k with $\sigma_{k+1}^2 \le \theta < \sigma_k^2$. The optimal
    reconstruction of component i has variance $\sigma_i^2 - D_i$.

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
    1. T. M. Cover, J. A. Thomas, "Elements of Information Theory", 2nd ed.,
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

    With P = 0 every component keeps its law, $s_i = \sigma_i$, so
    $D_i = 2\sigma_i^2(1 - \sqrt{1 - x_i})$ with $x_i = 2^{-2R_i}$.
    Minimising $\sum_i D_i$ subject to $\sum_i R_i = R$ (a convex
    problem: each $D_i$ is convex and decreasing in $R_i$), the
    stationarity condition $\partial D_i/\partial R_i = -2\ln 2\,
    \sigma_i^2 x_i/\sqrt{1 - x_i} = -2\ln 2\,\theta$ for all i gives
    $\sigma_i^4 x_i^2 = \theta^2 (1 - x_i)$, whose root in (0, 1] is

    $$
    x_i = \frac{-\theta^2 + \sqrt{\theta^4 + 4\sigma_i^4\theta^2}}{2\sigma_i^4}
        = \frac{2\theta}{\theta + \sqrt{\theta^2 + 4\sigma_i^4}},
    \qquad D = \sum_i 2\sigma_i^2\left(1 - \sqrt{1 - x_i}\right),
    $$

    with θ > 0 set by $\sum_i R_i = R$ (or $\sum_i D_i = D$). The
    slope is −∞ at $R_i = 0$, so every component gets rate. θ is found
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
    1. J. Qian et al., "Rate-Distortion-Perception Tradeoff for Gaussian
       Vector Sources", arXiv:2406.18008, 2024 (perfect-perception case).
    2. G. Serra, P. A. Stavrou, M. Kountouris, "On the Computation of the
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

    At rate 0, X̂ is independent of X, so $D = \sum_i (\sigma_i^2 + s_i^2)$
    and the least distortion minimises $\sum_i s_i^2$ over the
    perception budget $\sum_i \varphi_i(s_i) \le P$. For squared W₂ this
    is the point of the ball of radius √P around $(\sigma_i)$ closest to
    the origin:

    $$
    D_{\max}(P) = \sum_i \sigma_i^2 + \left[\left(\sqrt{\textstyle\sum_i
    \sigma_i^2} - \sqrt P\right)_+\right]^2 .
    $$

    For KL, stationarity of $\sum_i \sigma_i^2 t_i + \nu\sum_i\varphi_i$
    in $t_i = s_i^2/\sigma_i^2$ gives $t_i = \nu/(\nu + 2\ln2\,
    \sigma_i^2)$ for KL(p_X̂‖p_X) and $1/t_i = (1 + \sqrt{1 + 8\ln 2\,
    \sigma_i^2/\nu})/2$ for KL(p_X‖p_X̂), with ν > 0 set by the budget.

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
    1. J. Qian et al., "Rate-Distortion-Perception Tradeoff for Gaussian
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


def _with_perception(allocation: ComponentAllocation, kind: str) -> ComponentAllocation:
    """The same allocation with its per-component perception costs filled in."""
    perceptions = perception_cost(kind, allocation.variances, allocation.reconstruction_stds)
    return ComponentAllocation(
        allocation.variances, allocation.rates, allocation.reconstruction_stds,
        allocation.correlations, allocation.distortions, perceptions, allocation.level,
        allocation.lower, allocation.upper, allocation.diagnostics,
    )  # fmt: skip
