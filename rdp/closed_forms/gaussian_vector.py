r"""Vector Gaussian source, MSE distortion: R(D, P) and D(R, P) by two-multiplier water-filling.

For $X \sim N(m, \Sigma)$ with eigenvalues $\sigma_1^2 \ge \dots \ge
\sigma_n^2$ of Σ, distortion $\mathbb E\|X - \hat X\|^2$ and squared
$W_2$ or KL perception (either direction), jointly Gaussian
reconstructions that are diagonal in the eigenbasis of Σ are optimal (Qian et
al. 2024), so the problem splits into scalar components coupled only through
the two budgets:

$$
R(D, P) = \min_{R_i \ge 0,\ 0 \le s_i \le \sigma_i} \sum_i R_i
\quad\text{s.t.}\quad \sum_i D_i(R_i, s_i) \le D,\quad \sum_i \varphi_i(s_i) \le P,
$$

$$
D_i(R_i, s_i) = \sigma_i^2 + s_i^2 - 2\sigma_i s_i\sqrt{1 - 2^{-2R_i}},
$$

where $s_i$ is the standard deviation of the i-th reconstruction component
and $\varphi_i$ its perception cost against $N(0, \sigma_i^2)$:
$(\sigma_i - s_i)^2$ for squared $W_2$;
$\tfrac12(t_i - 1 - \ln t_i)$ for $\mathrm{KL}(p_{\hat X}\|p_X)$ and
$\tfrac12(1/t_i - 1 + \ln t_i)$ for $\mathrm{KL}(p_X\|p_{\hat X})$
(nats, $t_i = s_i^2/\sigma_i^2$; converted to bits here). Both costs are
additive over the eigen-components because the laws are diagonal there.

**Two-multiplier water-filling.** With multipliers μ ≥ 0 on the distortion
and ν ≥ 0 on the perception budget, each component solves

$$
h_i(\mu, \nu) = \min_{R_i, s_i}\; R_i + \mu D_i(R_i, s_i) + \nu\varphi_i(s_i).
$$

For fixed $s_i$ the optimal correlation $\rho_i = \sqrt{1 - 2^{-2R_i}}$
solves $\rho/(1-\rho^2) = a_i := 2\ln 2\,\mu\sigma_i s_i$, i.e.
$\rho_i = 2a_i/(1 + \sqrt{1 + 4a_i^2})$ and
$R_i = \tfrac12\log_2\big((1 + \sqrt{1 + 4a_i^2})/2\big)$. Without
perception (ν = 0) this gives reverse water-filling: $D_i = \min(\theta,
\sigma_i^2)$ with water level $\theta = 1/(2\ln 2\,\mu)$ and
$s_i^{(0)} = \sqrt{(\sigma_i^2 - \theta)_+}$. With ν > 0 the minimiser
moves to $s_i \in (s_i^{(0)}, \sigma_i]$, where $h_i$ is unimodal in
$s_i$ (it is convex in the perception level $\varphi_i(s_i)$
because the scalar R(D, P) is convex, and $h_i(s) \ge h_i(s_i^{(0)})$ for
$s < s_i^{(0)}$): a safeguarded Newton–bisection on
$\partial h_i / \partial s$ finds it to machine precision. Every component
then has $s_i > 0$ and hence positive rate — unlike reverse water-filling.

**Certified bounds.** For any μ, ν ≥ 0 the dual function
$g(\mu, \nu) = \sum_i h_i(\mu, \nu) - \mu D - \nu P$ is a lower bound on
R(D, P) (weak duality); an allocation meeting both budgets is an upper bound.
The multipliers are found by nested root-finding (μ so that the distortion
budget is met, ν so that the perception budget is met; both maps are monotone
by concavity of the dual); the upper bound comes from the dual minimiser made
exactly feasible ($s_i$ moved towards $\sigma_i$ until the
perception budget holds, then single-multiplier water-filling of the rates).
D(R, P) is solved the same way with a multiplier on the rate.

The closed-form special cases (reverse water-filling, P = 0, zero rate) live in
``rdp.closed_forms.water_filling`` and are re-exported here.

References
----------
1. J. Qian, S. Salehkalaibar, J. Chen, A. Khisti, W. Yu, W. Shi, Y. Ge,
   W. Tong, "Rate-Distortion-Perception Tradeoff for Gaussian Vector Sources",
   arXiv:2406.18008, 2024.
2. G. Serra, P. A. Stavrou, M. Kountouris, "On the Computation of the
   Gaussian Rate-Distortion-Perception Function", IEEE Journal on Selected
   Areas in Information Theory, 2024, arXiv:2311.09190.
3. T. M. Cover, J. A. Thomas, "Elements of Information Theory", 2nd ed.,
   Wiley 2006, Theorem 10.3.3 (reverse water-filling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, root

from rdp._validation import check_choice
from rdp.channels import GaussianChannel, GaussianVectorChannel
from rdp.closed_forms import gaussian_kl
from rdp.closed_forms.water_filling import (
    _EPS,
    PERCEPTION_KINDS,
    ComponentAllocation,
    _bracket,
    _correlation,
    _distortion_of,
    _multiplier,
    _nonnegative,
    _one_minus_correlation,
    _perception_derivatives,
    _rate_of,
    _tagged,
    _tight_bracket,
    _variances,
    _with_perception,
    perception_cost,
    perfect_perception_allocation,
    reverse_water_filling,
    zero_rate_distortion,
)
from rdp.perceptions import Perception, PerceptionBound, as_bound
from rdp.result import PointSolution
from rdp.sources import GaussianVector
from rdp.status import Status
from rdp.units import LN2

__all__ = [
    "ComponentAllocation",
    "GaussianVectorMSE",
    "perception_cost",
    "perfect_perception_allocation",
    "reverse_water_filling",
    "two_multiplier_water_filling",
    "zero_rate_distortion",
]

REFERENCE = (
    "Qian, Salehkalaibar, Chen, Khisti, Yu, Shi, Ge & Tong, Rate-Distortion-Perception "
    "Tradeoff for Gaussian Vector Sources, arXiv:2406.18008, 2024; Serra, Stavrou & "
    "Kountouris, On the Computation of the Gaussian Rate-Distortion-Perception Function, "
    "IEEE JSAIT 2024 (two-multiplier water-filling over the eigen-components)"
)
REFERENCE_SHANNON = (
    "Reverse water-filling (Cover & Thomas, Elements of Information Theory, Thm 10.3.3)"
)


def _kind_of(perception: Perception) -> str:
    kind = perception.kind
    if kind == "w2" and perception.cost is None:
        return kind
    if kind in PERCEPTION_KINDS and kind != "w2":
        return kind
    raise ValueError(
        "perception must be squared W₂ (Wasserstein(2) without a custom cost), KL (either "
        f"direction) or none for the vector Gaussian closed form; got {perception!r}"
    )


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

    $$
    \max_{\mu, \nu \ge 0}\; \sum_i \min_{R_i, s_i}
    \big[R_i + \mu D_i(R_i, s_i) + \nu \varphi_i(s_i)\big] - \mu D - \nu P
    \;\le\; R(D, P) \;\le\; \sum_i R_i^{\text{feasible}}
    $$

    (for D(R, P) the multiplier λ = 1/μ prices the rate instead). The
    special cases are dispatched first and are exact: D ≥ D_max(P) (rate 0,
    [`zero_rate_distortion`][rdp.closed_forms.water_filling.zero_rate_distortion]), a perception
    budget that reverse
    water-filling already meets (including P = ∞ and 'none',
    [`reverse_water_filling`][rdp.closed_forms.water_filling.reverse_water_filling]), and P = 0
    (``perfect_perception_allocation``). ``diagnostics['regime']`` says
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
    1. J. Qian et al., "Rate-Distortion-Perception Tradeoff for Gaussian
       Vector Sources", arXiv:2406.18008, 2024.
    2. G. Serra, P. A. Stavrou, M. Kountouris, "On the Computation of the
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
    floored = _shannon_with_floor(lam, kind, shannon, D=D, R=R, P=P)
    if floored is not None and _closed(floored, tol, relative=D is None):
        return _tagged(floored, "reverse water-filling with perception floor")
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


def _shannon_with_floor(
    lam: NDArray, kind: str, shannon: ComponentAllocation, *, D: float | None,
    R: float | None, P: float,
) -> ComponentAllocation | None:  # fmt: skip
    """Bounds from Shannon's allocation when the budget is large: its limit as ν → 0.

    Reverse water-filling is a lower bound (the perception constraint only raises
    the rate, or the distortion). When it misses the budget only because some
    components get (nearly) no reconstruction (s_i → 0 costs ∞ in KL), the
    budget left by the others is shared equally among those components as
    least deviations s_i (the scalar KL ball, ``rdp.closed_forms.gaussian``),
    and single-multiplier water-filling at these fixed s_i gives a feasible
    upper bound. For large P this closes the gap to far below ``tol`` (the
    floors are ≈ σ_i e^{−P/k}); the two-multiplier search cannot, since its
    optimal ν underflows. Returns None when no budget is left for the floors.
    """
    from rdp.closed_forms.gaussian import _log_ratio

    s = shannon.reconstruction_stds.copy()
    costs = perception_cost(kind, lam, s)
    short = ~(costs <= P)  # the components whose cost alone exceeds the budget (s ≈ 0)
    left = P - float(costs[~short].sum())
    if kind == "w2" or not short.any() or not left > 0.0:
        return None
    v = abs(_log_ratio(left * LN2 / int(short.sum()), -1.0 if kind == "kl-recon-source" else 1.0))
    floor = np.sqrt(lam) * np.exp(-0.5 * v)
    s = np.where(short, np.maximum(s, floor), s)
    margin = 1.0 - 16.0 * _EPS
    s = _feasible_stds(lam, kind, s, P * margin)
    solved = _rates_for_fixed_stds(lam, s, D=None if D is None else D * margin, R=R)
    if solved is None:
        return None
    rates, rho, distortions = solved
    upper = float(rates.sum()) if D is not None else float(distortions.sum())
    lower = min(shannon.lower, upper)
    return ComponentAllocation(
        lam, rates, s, rho, distortions, perception_cost(kind, lam, s), shannon.level,
        float(lower), upper, {"gap": upper - lower},
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
        [`Wasserstein`][rdp.perceptions.Wasserstein] ``(2)`` (squared W₂, no custom
        cost), [`KL`][rdp.perceptions.KL] in either direction (bits), or
        [`NoPerception`][rdp.perceptions.NoPerception].
    tol : float
        Target gap upper − lower of the two-multiplier solver: in bits for
        R(D, P), relative to the distortion for D(R, P).

    Notes
    -----
    Dispatch per point: D ≥ D_max(P) gives rate 0; no perception, or a budget
    that reverse water-filling already meets, gives Shannon's R(D)
    ([`reverse_water_filling`][rdp.closed_forms.water_filling.reverse_water_filling]); P = 0 gives
    [`perfect_perception_allocation`][rdp.closed_forms.water_filling.perfect_perception_allocation];
    otherwise
    [`two_multiplier_water_filling`][rdp.closed_forms.gaussian_vector.two_multiplier_water_filling]
    with certified bounds.

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
        if self.kind == "kl-source-recon":
            self.name, self.reference = (
                "bounds: gaussian-vector-mse-kl-source-recon",
                (gaussian_kl.REFERENCE),
            )
        self._lam = np.asarray(source.eigenvalues, dtype=float)
        self._component_means = source.eigenvectors.T @ source.mean

    def _budget(self, P: PerceptionBound | float) -> float:
        """The budget in bits (a ``PerceptionBound`` holds KL in nats; a float is bits)."""
        return as_bound(P, self.kind).bits

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
        return PointSolution.bracket(
            float(allocation.lower),
            float(allocation.upper),
            status=Status.BOUNDS,
            channel=self._channel(allocation),
            diagnostics=diagnostics,
            iterations=0,
        )

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: object = None
    ) -> PointSolution:
        """R(D, P) in bits with certified bounds and the achieving channel.

        For KL(p_X‖p_X̂) jointly Gaussian channels are not optimal: the
        allocation's rate is an upper bound (achievable; the returned channel's rate), the
        lower bound is ``rdp.closed_forms.gaussian_kl.vector_lower_bound`` (status 'bounds'),
        and the value is the midpoint of the two, as for the scalar source.
        """
        if D <= 0.0:
            return PointSolution.exact(np.inf, diagnostics={"regime": "zero distortion"})
        if self.kind == "kl-source-recon" and D >= self.zero_rate_distortion(P):
            # rate 0 is achieved (X̂ independent of X inside the ball) and R ≥ 0: exact
            return PointSolution.exact(0.0, diagnostics={"regime": "zero-rate"})
        allocation = two_multiplier_water_filling(
            self._lam, self.kind, P=self._budget(P), D=D, tol=self.tol
        )
        if self.kind == "kl-source-recon":
            lower = gaussian_kl.vector_lower_bound(self._lam, self._budget(P), D=D)
            return self._bounded(allocation, lower)
        return self._solution(allocation)

    def distortion_point(self, R: float, P: PerceptionBound | float) -> PointSolution:
        """D(R, P) with certified bounds and the achieving channel (R in bits)."""
        allocation = two_multiplier_water_filling(
            self._lam, self.kind, P=self._budget(P), R=R, tol=self.tol
        )
        if self.kind == "kl-source-recon":
            lower = gaussian_kl.vector_lower_bound(self._lam, self._budget(P), R=R)
            zero_rate = self.zero_rate_distortion(P)
            if zero_rate < allocation.upper:
                lower = min(lower, zero_rate)
                return PointSolution.bracket(
                    lower, zero_rate, status=Status.BOUNDS, value=0.5 * (lower + zero_rate),
                    diagnostics={"regime": "zero-rate"}, iterations=0,
                )  # fmt: skip
            return self._bounded(allocation, lower)
        return self._solution(allocation)

    def _bounded(self, allocation: ComponentAllocation, lower: float) -> PointSolution:
        """The jointly Gaussian allocation as an upper bound, with an independent lower bound."""
        solution = self._solution(allocation)
        lower = min(lower, solution.upper)
        return PointSolution.bracket(
            lower, solution.upper, status=Status.BOUNDS,
            value=0.5 * (lower + solution.upper),
            channel=solution.channel,
            diagnostics={**solution.diagnostics, "gaussian_lower": solution.lower},
            iterations=0,
        )  # fmt: skip

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """0: any distortion > 0 is reachable at a finite rate with s_i = σ_i (P = 0)."""
        return 0.0

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """D_max(P) = Σσ_i² + least Σ s_i² within the perception budget.

        For KL(p_X‖p_X̂) the least second moment is reached by a non-Gaussian
        law ([`least_second_moment`][rdp.closed_forms.gaussian_kl.least_second_moment], exact).
        """
        if self.kind == "kl-source-recon":
            return float(
                self._lam.sum() + gaussian_kl.least_second_moment(self._lam, self._budget(P))
            )
        return zero_rate_distortion(self._lam, self.kind, self._budget(P)).distortion
