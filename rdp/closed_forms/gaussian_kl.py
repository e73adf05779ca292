r"""Gaussian source, MSE, perception KL(p_X‖p_X̂): certified bounds, not a closed form.

For this KL direction a jointly Gaussian reconstruction is **not** optimal: at a
fixed reconstruction variance a Gaussian q is not a stationary point of
$\mathrm{KL}(p\|q)$ in q (p/q would have to be of the form a + b·x²).
Counterexample (``docs/closed-forms/gaussian-kl.md``): X ~ N(0, 1),
$\hat X = 0.55117295\,X + Z$ with Z an independent two-component Gaussian
mixture reaches D ≈ 0.6, KL ≈ 0.05 bits with I(X; X̂) = 0.408894 bits, below
the jointly Gaussian optimum 0.4091172 bits. So this module returns bounds.

**Upper bound (achievable).** The best jointly Gaussian channel (reconstruction
deviation $s_P$ of [`min_reconstruction_std`][rdp.closed_forms.gaussian.min_reconstruction_std]),
and rate 0 once D ≥ D_max(P) below.

**Lower bound (derived here).** Let $m^2 = \mathbb E(\hat X - \mu)^2$
and $c = \mathbb E[(X-\mu)(\hat X-\mu)] \ge (\sigma^2 + m^2 - D)/2$. For
every a, $h(X \mid \hat X) \le h(X - a\hat X) \le \tfrac12\log 2\pi e\,
\mathbb E(X - \mu - a(\hat X - \mu))^2$; the best a gives

$$
I(X; \hat X) \ge \tfrac12 \log_2
\frac{\sigma^2 m^2}{\sigma^2 m^2 - \tfrac14(\sigma^2 + m^2 - D)^2}
$$

(when σ² + m² > D), which is the jointly Gaussian rate at deviation m: it
increases in m for $m \ge \sqrt{(\sigma^2 - D)_+}$ and decreases below.
The least second moment admitted by $\mathrm{KL}(p_X\|q) \le P$ is
exact: the convex problem $\min_q \mathbb E_q (x-\mu)^2$ s.t.
$\mathrm{KL}(p\|q) \le P$ has the Lagrangian minimiser

$$
q_\nu(x) = \frac{p(x)}{Z(\nu)\,(\nu + (x-\mu)^2)},\qquad
Z(\nu) = \mathbb E_p \frac{1}{\nu + (X-\mu)^2},\qquad
\mathrm{KL}(p\|q_\nu) = \ln Z(\nu) + \mathbb E_p \ln(\nu + (X-\mu)^2),
$$

with $\mathbb E_{q_\nu}(x-\mu)^2 = 1/Z(\nu) - \nu$ and ν > 0 set by
KL = P (KKT conditions are sufficient for this convex problem). Hence
$R(D, P) \ge R_{\text{Gauss}}(D;\, m_P)$ with $m_P$ that least
second moment, i.e. the jointly Gaussian formula with $s_P$ replaced by
$m_P < s_P$; and the zero-rate distortion is exactly
$D_{\max}(P) = \sigma^2 + m_P^2$ (X̂ ~ q_ν independent of X).

For a vector source the same bound holds per eigen-component (with
$\mathrm{KL}(p_{X_i}\|q_i) \le \mathrm{KL}(p_X\|q) \le P$ by data
processing, and $I(X;\hat X) \ge \sum_i I(X_i; \hat X_i)$ for independent
components); the components are coupled by the distortion budget through a
Lagrange multiplier, and every multiplier gives a valid (dual) lower bound.
D_max(P) uses the exact vector minimiser $q \propto p/(\nu + \|x - m\|^2)$.

[`GaussianKLSourceBounds`][rdp.closed_forms.gaussian_kl.GaussianKLSourceBounds] is the
method (``method="closed-form"``) that returns these bounds, status ``bounds``. A
numerical estimate by discretisation is
[`rdp.discretization.kl_source_recon_estimate`][rdp.discretization.kl_source_recon_estimate].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, special
from scipy.optimize import brentq, minimize_scalar

from rdp.closed_forms import _stable
from rdp.closed_forms import gaussian as _gaussian
from rdp.closed_forms.gaussian import GaussianSourceMSE
from rdp.perceptions import KL, Perception, PerceptionBound, as_bound
from rdp.result import PointSolution
from rdp.status import Status
from rdp.units import LN2

REFERENCE = (
    "bounds: upper = best jointly Gaussian channel (Zhang, Qian, Chen & Khisti, NeurIPS 2021, "
    "Thm 2, with the KL(p_X||p_X^) ball), lower = linear-estimation entropy bound at the least "
    "second moment of the KL ball (derived here, docs/closed-forms/gaussian-kl.md)"
)

#: The perception measure of this module.
_KL_SR = KL("source||reconstruction")

# ------------------------------------------------------------ least second moment


def _products(lam: NDArray, u: float, nu: float) -> tuple[NDArray, float]:
    """(1 + 2uλ_i/ν) and Π(1 + 2uλ_i/ν)^{−1/2} = E e^{−(u/ν)‖X‖²} for X ~ N(0, diag λ)."""
    terms = 1.0 + 2.0 * u * lam / nu
    return terms, float(np.exp(-0.5 * np.log(terms).sum()))


def _log_quad(f, nu: float) -> float:
    """∫₀^∞ f(u) du as ∫ f(e^y) e^y dy over y ∈ [min(ln ν, 0) − 40, 4] (f ≤ e^{−u}·O(1))."""
    lo = min(float(np.log(nu)), 0.0) - 40.0
    value, _ = integrate.quad(
        lambda y: f(np.exp(y)) * np.exp(y), lo, 4.0, epsabs=0.0, epsrel=1e-12, limit=400
    )
    return float(value)


def _kl_and_moment(lam: NDArray, nu: float) -> tuple[float, float]:
    r"""(KL(p‖q_ν) in nats, E_{q_ν}‖X‖²) for X ~ N(0, diag λ), in forms free of cancellation.

    With R = ‖X‖² and $\mathbb E e^{-sR} = \prod_i (1 + 2s\lambda_i)^{-1/2}$:
    $\nu Z = \int_0^\infty e^{-u}\, \mathbb E e^{-uR/\nu}\, du$,
    $\mathbb E \ln(1 + R/\nu) = \int_0^\infty e^{-u}(1 - \mathbb E e^{-uR/\nu})\,
    du/u$ (Frullani), KL = ln(νZ) + E ln(1 + R/ν), and
    $\mathbb E_q R = \mathbb E[R/(1 + R/\nu)]/(\nu Z)$ with
    $\mathbb E[R e^{-sR}] = \sum_i \lambda_i (1 + 2s\lambda_i)^{-1}\,
    \mathbb E e^{-sR}$.
    """
    nu_z = _log_quad(lambda u: np.exp(-u) * _products(lam, u, nu)[1], nu)

    def log_term(u: float) -> float:
        terms = 1.0 + 2.0 * u * lam / nu
        return np.exp(-u) * -np.expm1(-0.5 * np.log(terms).sum()) / u

    def first(u: float) -> float:
        terms, laplace = _products(lam, u, nu)
        return np.exp(-u) * float((lam / terms).sum()) * laplace

    return float(np.log(nu_z) + _log_quad(log_term, nu)), _log_quad(first, nu) / nu_z


def least_second_moment(variances: ArrayLike, P: float) -> float:
    r"""min E‖X̂ − m‖² over laws q with KL(p_X‖q) ≤ P bits, X ~ N(m, diag(variances)).

    The minimiser is $q_\nu \propto p/(\nu + \|x - m\|^2)$ (module
    docstring); ν is found by root-finding on KL(p‖q_ν) = P. In dimension ≥ 3,
    $Z(0) = \mathbb E\|X - m\|^{-2} < \infty$, and budgets beyond
    $\mathrm{KL}(p\|q_0)$ are met by $q = \lambda p/\|x - m\|^2$
    plus an atom at m, with $\mathbb E_q\|X - m\|^2 = \lambda =
    \exp(\mathbb E_p \ln\|X - m\|^2 - P)$ (P in nats). Returns Σ variances
    at P = 0 and 0 at P = ∞.

    Examples
    --------
    >>> round(least_second_moment([1.0], 0.05), 6)   # below s_P² = 0.704273 of a Gaussian q
    0.697226
    """
    lam = np.atleast_1d(np.asarray(variances, dtype=float))
    scale = float(lam.max())
    return scale * _least_second_moment(tuple(sorted((lam / scale).tolist())), float(P))


@lru_cache(maxsize=1024)
def _least_second_moment(variances: tuple[float, ...], P: float) -> float:
    lam = np.asarray(variances, dtype=float)
    total = float(lam.sum())
    if P == np.inf:
        return 0.0
    if P <= 0.0:
        return total
    nats = P * LN2
    lam_n = lam / total  # standardised: Σ λ = 1
    ratio = _fourth_cumulant_ratio(lam)
    if nats < 1e-14:  # large-ν expansion: KL ≈ Var(R)/(2ν²), E_q R ≈ E R − Var(R)/ν
        return float(total * max(1.0 - np.sqrt(2.0 * nats * ratio), 0.0))
    lo, hi = -40.0, float(np.log(np.sqrt(ratio / (2.0 * nats)))) + 2.0
    if _kl_and_moment(lam_n, np.exp(lo))[0] < nats:
        # Budget beyond KL(p‖q_ν) at ν = e^-40 (about 19 nats in dimension 1, 3 nats in
        # dimension 2). For every ν, E_{q_ν}R + ν = 1/Z = exp(E ln(ν + R) − KL(p‖q_ν)),
        # so at the root m_P² = exp(E ln R − P + ε) − ν with ε = E ln(1 + ν/R) ≥ 0.
        # For ν < e^-40: ε ≤ √(2πν/λ_min) < 5e-9/√λ_min in dimension 1 and
        # ε ≤ f_R(0)(ν ln(1/ν) + 2ν) < 1e-16/√(λ₁λ₂) in dimension 2 (f_R(0) = 1/(2√(λ₁λ₂))
        # bounds the density of R), and ν/m_P² < e^{−P} is smaller still: m_P² is
        # exp(E ln R − P) to a relative ε, which moves D_max = Σλ + m_P² by less than an
        # ulp. In dimension ≥ 3, E[1/R] < ∞ and beyond KL(p‖q_0) the minimiser
        # λp/R plus an atom at m has exactly this second moment.
        return float(total * np.exp(_mean_log_norm(tuple(lam_n.tolist())) - nats))
    # dimension 1 (the scalar bounds and the per-component vector lower bound): a form
    # that stays accurate for large ν, i.e. small P, where ln(νZ) + E ln(1 + R/ν) cancels
    kl_and_moment = _scalar_kl_and_moment if lam.size == 1 else partial(_kl_and_moment, lam_n)
    log_nu = brentq(lambda v: kl_and_moment(np.exp(v))[0] - nats, lo, hi, xtol=1e-12, rtol=1e-13)
    return float(total * min(max(kl_and_moment(np.exp(log_nu))[1], 0.0), 1.0))


def _scalar_kl_and_moment(nu: float) -> tuple[float, float]:
    r"""(KL(p‖q_ν) in nats, E_{q_ν}X²) for X ~ N(0, 1), without cancellation at any ν.

    With w = X²/ν, $a = \mathbb E[w/(1+w)] = 1 - \nu Z$ and
    $\ln(1+w) - w/(1+w) = ((1+w)\ln(1+w) - w)/(1+w)$:

    $$
    \mathrm{KL} = \ln(1-a) + \mathbb E\ln(1+w)
      = \mathbb E\frac{(1+w)\ln(1+w) - w}{1+w} - (-a - \ln(1-a)),
    \qquad \mathbb E_{q_\nu}X^2 = \frac1Z - \nu = \frac{\nu a}{1-a},
    $$

    two non-negative terms of order 1/ν² each (their difference is ≈ 1/ν²,
    not 1/ν as in ``_kl_and_moment``), each expectation a quadrature over x with
    the non-negative integrand summed without cancellation (``_stable``). For
    ν < 1, where a is near 1, νZ = √(πν/2)·erfcx(√(ν/2)) is used instead
    (E 1/(ν + X²) in closed form).
    """
    root = math.sqrt(nu)
    cuts = sorted({0.0, min(root, 40.0), min(4.0 * root, 40.0), 1.0, 8.0, 40.0})

    def mean(g) -> float:
        total = 0.0
        for lo, hi in pairwise(cuts):
            if hi > lo:
                total += integrate.quad(
                    lambda x: math.exp(-0.5 * x * x) * g(x * x / nu), lo, hi,
                    epsabs=0.0, epsrel=1e-13, limit=200,
                )[0]  # fmt: skip
        return total * math.sqrt(2.0 / math.pi)

    excess = mean(lambda w: _stable.xlog1pmx(w) / (1.0 + w))
    if nu < 1.0:  # a near 1: 1 − a = νZ = √(πν/2)·erfcx(√(ν/2)) in closed form
        nu_z = math.sqrt(0.5 * math.pi * nu) * float(special.erfcx(math.sqrt(0.5 * nu)))
        return float(excess + math.log(nu_z) + (1.0 - nu_z)), float(nu * (1.0 - nu_z) / nu_z)
    a = mean(lambda w: w / (1.0 + w))
    return float(excess - _stable.log1pmx(-a)), float(nu * a / (1.0 - a))


@lru_cache(maxsize=256)
def _mean_log_norm(variances: tuple[float, ...]) -> float:
    r"""E ln‖X‖² for X ~ N(0, diag(variances)), by Frullani's integral.

    $\ln R = \int_0^\infty (e^{-u} - e^{-uR})\,du/u$, so
    $\mathbb E \ln R = \int_{-\infty}^{\infty} (e^{-e^y} - \prod_i(1 + 2e^y\lambda_i)^{-1/2})\,dy$
    with u = e^y. The integrand is O(e^y) as y → −∞ and decays only like
    $e^{-yd/2}$ as y → ∞ (d the dimension), so the range is y ∈ [−40, 80]: both
    tails are below 1e-17 for Σλ = 1.
    """
    lam = np.asarray(variances, dtype=float)
    value, _ = integrate.quad(
        lambda y: np.exp(-np.exp(y)) - _products(lam, np.exp(y), 1.0)[1],
        -40.0,
        80.0,
        epsabs=0.0,
        epsrel=1e-13,
        limit=800,
    )
    return float(value)


def _fourth_cumulant_ratio(lam: NDArray) -> float:
    """Var(‖X‖²)/(E‖X‖²)² = 2Σλ²/(Σλ)²: large-ν expansion KL ≈ Var/(2ν²), E_q = Σλ − Var/ν."""
    return float(2.0 * (lam**2).sum() / lam.sum() ** 2)


# --------------------------------------------------------------------- scalar


@dataclass(frozen=True)
class RateBounds:
    """Certified bounds on R(D, P) (or D(R, P)) for a Gaussian source with KL(p_X‖p_X̂).

    Attributes
    ----------
    lower, upper : float
        Valid lower and upper bounds (bits, or distortion for D(R, P)).
    reconstruction_std : float
        Deviation of the jointly Gaussian channel that attains ``upper``
        (0 when ``upper`` comes from an independent reconstruction).
    correlation : float
        Its correlation with the source.
    least_std : float
        $m_P$: the root of the least second moment of the KL ball.
    gaussian_std : float
        $s_P$: the least deviation of a Gaussian reconstruction in the ball.
    """

    lower: float
    upper: float
    reconstruction_std: float
    correlation: float
    least_std: float
    gaussian_std: float


def zero_rate_distortion(variance: float, P: float) -> float:
    """D_max(P) = σ² + m_P² (exact): X̂ ~ q_ν independent of X."""
    if P == np.inf:
        return float(variance)
    return float(variance + variance * least_second_moment([1.0], P))


def rate_bounds(variance: float, D: float, P: float) -> RateBounds:
    r"""Bounds on R(D, P) in bits, N(μ, variance) source, MSE D, KL(p_X‖p_X̂) ≤ P bits.

    ``lower`` is the jointly Gaussian formula at $m_P$ (the least
    second moment of the KL ball), ``upper`` the best jointly Gaussian channel,
    or 0 when D ≥ σ² + m_P² (an independent X̂ ~ q_ν attains it).

    Examples
    --------
    >>> b = rate_bounds(1.0, 0.6, 0.05)
    >>> round(b.lower, 6), round(b.upper, 7)
    (0.407608, 0.4091172)
    """
    sigma = float(np.sqrt(variance))
    m_P = sigma * float(np.sqrt(least_second_moment([1.0], P) if P > 0 else 1.0))
    if P == np.inf:
        m_P = 0.0
    s_P = _gaussian.min_reconstruction_std(sigma, _KL_SR, P)
    lower = _gaussian.rate(variance, D, m_P)[0]
    if D >= zero_rate_distortion(variance, P):
        return RateBounds(0.0, 0.0, 0.0, 0.0, m_P, s_P)
    upper, s, rho = _gaussian.rate(variance, D, s_P)
    return RateBounds(min(lower, upper), upper, s, rho, m_P, s_P)


def distortion_bounds(variance: float, R: float, P: float) -> RateBounds:
    r"""Bounds on D(R, P), the inverse of ``rate_bounds`` (R in bits)."""
    sigma = float(np.sqrt(variance))
    m_P = 0.0 if P == np.inf else sigma * float(np.sqrt(least_second_moment([1.0], P)))
    s_P = _gaussian.min_reconstruction_std(sigma, _KL_SR, P)
    lower = _gaussian.distortion(variance, R, m_P)[0]
    upper, s, rho = _gaussian.distortion(variance, R, s_P)
    zero_rate = zero_rate_distortion(variance, P)
    if zero_rate < upper:
        return RateBounds(min(lower, zero_rate), zero_rate, 0.0, 0.0, m_P, s_P)
    return RateBounds(min(lower, upper), upper, s, rho, m_P, s_P)


# --------------------------------------------------------------------- vector


def _component_min(lam: float, s: float, mu: float) -> float:
    """min_{D ≥ 0} R_G(D; s) + μ D for one component (R_G: jointly Gaussian rate at deviation s)."""
    sigma = np.sqrt(lam)
    candidates = [lam + s * s]
    theta = 1.0 / (2.0 * LN2 * mu)
    if theta < lam:
        candidates.append(theta)
    if s > 0:
        a = 2.0 * LN2 * mu * sigma * s
        rho = 2.0 * a / (1.0 + np.hypot(1.0, 2.0 * a))
        candidates.append(lam + s * s - 2.0 * sigma * s * rho)
        candidates.append(max(lam - s * s, 0.0))
    return min(_gaussian.rate(lam, d, s)[0] + mu * d if d > 0 else np.inf for d in candidates)


def vector_lower_bound(
    eigenvalues: ArrayLike, P: float, *, D: float | None = None, R: float | None = None
) -> float:
    r"""Dual lower bound on R(D, P) (or on D(R, P)) of a Gaussian vector with KL(p_X‖p_X̂) ≤ P.

    Per component $R_i \ge R_G(D_i; m_i)$ with $m_i^2$ the least
    second moment of the scalar KL ball of radius P; for every μ > 0,

    $$
    R(D, P) \ge \sum_i \min_{D_i} [R_G(D_i; m_i) + \mu D_i] - \mu D,
    \qquad D(R, P) \ge \Big(\sum_i \min_{D_i}[R_G(D_i; m_i) + \mu D_i] - R\Big)/\mu,
    $$

    maximised over μ by a bounded scalar search (any μ is valid).
    """
    lam = np.sort(np.asarray(eigenvalues, dtype=float).ravel())[::-1]
    if (D is None) == (R is None):
        raise ValueError("give exactly one of D and R")
    if P == np.inf:
        m = np.zeros_like(lam)
    else:
        m = np.array([np.sqrt(v * least_second_moment([1.0], P)) for v in lam])

    def dual(log_mu: float) -> float:
        mu = float(np.exp(log_mu))
        inner = sum(_component_min(v, s, mu) for v, s in zip(lam, m, strict=True))
        return inner - mu * D if D is not None else (inner - R) / mu

    centre = float(np.log(1.0 / (2.0 * LN2 * lam.mean())))
    grid = centre + np.linspace(-25.0, 25.0, 101)
    values = np.array([dual(v) for v in grid])
    k = int(np.argmax(values))
    res = minimize_scalar(
        lambda v: -dual(v),
        bounds=(grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(max(values[k], -res.fun, 0.0))


# --------------------------------------------------------------------- method

#: Largest perception budget (bits) the gated channel refines (method
#: ``"gaussian-kl-gated"``). Above 0.3 bits the optimal law has a sharp central peak:
#: the finite problem is re-solved twice at corrected targets (tens of seconds a point).
REFINE_MAX_P = 3.0
#: Analytic brackets narrower than this (bits) are kept as they are (the refinement
#: costs seconds; the analytic bracket is already this tight at small P or small D).
REFINE_MIN_GAP = 1e-5


@lru_cache(maxsize=4096)
def _refined(D: float, P: float):
    """The gated channel's bounds at the standardised point (None where they fail)."""
    from rdp.closed_forms.gaussian_kl_channel import gated_bounds

    try:
        return gated_bounds(D, P)
    except (ValueError, FloatingPointError, ArithmeticError):  # pragma: no cover - kept analytic
        return None


class GaussianKLSourceBounds(GaussianSourceMSE):
    """Gaussian / MSE / KL(p_X‖p_X̂): certified bounds (status ``bounds``), not a closed form.

    ``lower`` is the analytic bound (least second moment of the KL ball) and ``upper``
    the best jointly Gaussian channel's rate
    ([`rate_bounds`][rdp.closed_forms.gaussian_kl.rate_bounds]). With ``refine=True``
    (the method ``"gaussian-kl-gated"``), for 0 < P ≤ ``REFINE_MAX_P`` bits where the
    analytic bracket is wider than ``REFINE_MIN_GAP``, ``lower`` is also at least the
    dual bound and ``upper`` at most the rate of the optimised gated channel of
    [`gated_bounds`][rdp.closed_forms.gaussian_kl_channel.gated_bounds] (seconds per
    point). ``rate`` (the value) is the midpoint of ``[lower, upper]``.
    """

    reference = REFERENCE
    name = "bounds: gaussian-mse-kl-source-recon"

    def __init__(
        self, mean: float, variance: float, perception: Perception, *, refine: bool = False
    ) -> None:
        if not (isinstance(perception, KL) and perception.kind == _KL_SR.kind):
            raise ValueError(f"perception must be KL('source||reconstruction'); got {perception!r}")
        super().__init__(mean, variance, perception)
        self.refine = bool(refine)
        if self.refine:
            self.name = "bounds: gaussian-mse-kl-source-recon, gated channel"
            self.reference = REFERENCE + "; gated channel and its dual bound (derived here)"

    def _bounded(self, bounds: RateBounds, refined=None) -> PointSolution:
        channel = self._channel(bounds.reconstruction_std, bounds.correlation)
        lower, upper = bounds.lower, bounds.upper
        diagnostics = {
            "min_reconstruction_std": bounds.gaussian_std,
            "least_second_moment_std": bounds.least_std,
            "value": "midpoint of [lower, upper]",
        }
        if refined is not None:
            lower = max(lower, refined.lower)
            if refined.upper < upper:  # the gated channel: not a jointly Gaussian one
                upper, channel = refined.upper, None
                diagnostics["upper"] = "gated channel (rdp.closed_forms.gaussian_kl_channel)"
            diagnostics.update(
                gated_slope=refined.slope,
                gated_gamma=refined.gamma,
                gated_distortion=refined.distortion,
                gated_perception=refined.perception,
                gated_seconds=refined.seconds,
            )
        lower = min(lower, upper)  # both hold; quadrature rounding never inverts them
        return PointSolution.bracket(  # no closed form is claimed: a certified bracket
            lower,
            upper,
            value=0.5 * (lower + upper),
            status=Status.BOUNDS,
            channel=channel if channel is not None and bounds.reconstruction_std > 0 else None,
            diagnostics=diagnostics,
            iterations=0,
        )

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: object = None
    ) -> PointSolution:
        """Bounds on R(D, P), and the jointly Gaussian channel when it attains ``upper``."""
        if D <= 0.0:  # a continuous source needs infinite rate for zero error
            return PointSolution.exact(np.inf)
        bits = as_bound(P, self.kind).bits
        bounds = rate_bounds(self.variance, D, bits)
        refined = None
        gap = bounds.upper - bounds.lower
        if self.refine and 0.0 < bits <= REFINE_MAX_P and gap > REFINE_MIN_GAP:
            refined = _refined(float(D / self.variance), float(bits))
        return self._bounded(bounds, refined)

    def distortion_point(self, R: float, P: PerceptionBound | float) -> PointSolution:
        """Bounds on D(R, P) (analytic) and the channel of the upper bound."""
        return self._bounded(distortion_bounds(self.variance, R, as_bound(P, self.kind).bits))

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """σ² + m_P² (exact), m_P² the least second moment of the KL ball
        ([`least_second_moment`][rdp.closed_forms.gaussian_kl.least_second_moment])."""
        return zero_rate_distortion(self.variance, as_bound(P, self.kind).bits)


def gated_method(problem, **options) -> GaussianKLSourceBounds:
    """Factory of the method ``"gaussian-kl-gated"``: the refined bracket (Gaussian / MSE /
    KL(p_X‖p_X̂) only; ``ValueError`` for any other problem)."""
    from rdp.distortions import SquaredError
    from rdp.sources import Gaussian

    if options:
        raise ValueError(f"method 'gaussian-kl-gated' takes no options; got {sorted(options)}")
    source, perception = problem.source, problem.perception_measure
    if not (
        isinstance(source, Gaussian)
        and isinstance(problem.distortion_measure, SquaredError)
        and isinstance(perception, KL)
        and perception.kind == _KL_SR.kind
    ):
        raise ValueError(
            "method 'gaussian-kl-gated' applies to a Gaussian source with MSE and "
            "KL('source||reconstruction') only"
        )
    return GaussianKLSourceBounds(source.mean, source.variance, perception, refine=True)
