r"""Gaussian source, MSE, an f-divergence perception: certified bounds, not a closed form.

For squared Hellinger, Jensen–Shannon, χ² in either direction and a user's
[`FDivergence`][rdp.perceptions.FDivergence], with $D_f(q\|p) = \int p\,f(q/p)$,
p = N(μ, σ²) the source law and q the reconstruction law
(``docs/closed-forms/gaussian-fdivergence.md`` has the proofs):

**Upper bound (achievable).** The best jointly Gaussian channel: the formula of
[`rdp.closed_forms.gaussian`][rdp.closed_forms.gaussian] at $s_P$, the least
deviation s with $D_f(N(\mu, s^2)\|N(\mu, \sigma^2)) \le P$
([`gaussian_divergence`][rdp.closed_forms.gaussian_fdivergence.gaussian_divergence]
in closed form for Hellinger and both χ², by quadrature otherwise), improved by
mixing it with the zero-rate channel $\hat X \sim q^\star$ independent of X
(both meet the constraint; the mixture's rate is at most the mixed rates).

**Lower bound.** $I(X;\hat X) \ge R_G(D; m)$ with $m^2 = \mathbb E(\hat X-\mu)^2$
(the linear-estimation bound of ``docs/closed-forms/gaussian-kl.md``), increasing in
m above $\sqrt{(\sigma^2 - D)_+}$, so $R(D, P) \ge R_G(D; m_P)$ with $m_P^2$ the
least second moment of the f-divergence ball. Its Lagrange dual

$$
m_P^2 \;\ge\; \sigma^2\,\frac{\alpha - P - \mathbb E\, f^*(\alpha - \beta Z^2)}{\beta}
\qquad (Z \sim N(0, 1),\ \beta > 0,\ \alpha \le f'(\infty))
$$

holds for every (α, β) (weak duality; $f^*$ the convex conjugate); rdp takes the
(α, β) of the KKT law $q^\star = \varphi\, (f^*)'(\alpha - \beta z^2)$ and evaluates the
expectation by Gauss–Legendre quadrature with an error allowance
([`least_second_moment`][rdp.closed_forms.gaussian_fdivergence.least_second_moment]).

[`GaussianFDivergenceBounds`][rdp.closed_forms.gaussian_fdivergence.GaussianFDivergenceBounds]
is the method (``method="closed-form"``) that returns these bounds, status ``bounds``,
``rate`` the midpoint.

References
----------
1. G. Zhang, J. Qian, J. Chen and A. Khisti, "Universal rate-distortion-perception
   representations for lossy compression", NeurIPS 2021, Theorem 2 (the jointly
   Gaussian channel and its rate).
2. G. Serra, P. A. Stavrou and M. Kountouris, "On the computation of the Gaussian
   rate-distortion-perception function", IEEE JSAIT 2024, arXiv:2311.09190 (Gaussian
   reconstructions under squared Hellinger and other divergences).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar

from rdp.closed_forms import gaussian as _gaussian
from rdp.closed_forms.gaussian import GaussianSourceMSE
from rdp.closed_forms.gaussian_kl import RateBounds
from rdp.perceptions import (
    CHI2_RECON_SOURCE,
    CHI2_SOURCE_RECON,
    F_KINDS,
    HELLINGER,
    Perception,
    PerceptionBound,
    as_bound,
    to_bound,
)
from rdp.result import PointSolution
from rdp.status import Status

REFERENCE = (
    "bounds: upper = best jointly Gaussian channel (Zhang, Qian, Chen & Khisti, NeurIPS 2021, "
    "Thm 2; Gaussian reconstructions as in Serra, Stavrou & Kountouris, JSAIT 2024) mixed "
    "with the zero-rate law, lower = linear-estimation bound at the least second moment of "
    "the f-divergence ball by Lagrange duality (derived in docs/closed-forms/"
    "gaussian-fdivergence.md)"
)

# ------------------------------------------------------------------ quadrature
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(24)
#: Upper end of the quadrature in standard units: φ(40) < 1e-347 underflows.
_TOP = 40.0
_BASE_CUTS = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 13.0, 16.0, 20.0, 28.0)


def _cuts(scales: tuple[float, ...] = ()) -> NDArray:
    """Break points on [0, 40]: fixed ones, and a geometric ladder (×2) from each scale/8."""
    points = {0.0, _TOP, *_BASE_CUTS}
    for scale in scales:
        if np.isfinite(scale) and scale > 1e-300:
            if scale < _TOP:
                points.add(float(scale))
            step = scale / 8.0
            while step < _TOP:
                points.add(float(step))
                step *= 2.0
    return np.array(sorted(points))


def _expect(h, cuts: NDArray, split: int = 1) -> float:
    """E h(|Z|) = 2∫₀^40 φ(z) h(z) dz, Z ~ N(0, 1), by 24-node Gauss–Legendre per piece.

    Each piece between consecutive ``cuts`` is split into ``split`` equal parts; h takes
    an array of |z| and is evaluated once on all nodes. Terms where φ underflows are 0.
    """
    if split > 1:
        t = np.linspace(0.0, 1.0, split + 1)[:-1]
        starts = (cuts[:-1, None] + (cuts[1:] - cuts[:-1])[:, None] * t[None, :]).ravel()
        cuts = np.append(starts, cuts[-1])
    lo, hi = cuts[:-1], cuts[1:]
    half = 0.5 * (hi - lo)
    z = (0.5 * (hi + lo))[:, None] + half[:, None] * _NODES[None, :]
    phi = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    with np.errstate(all="ignore"):
        values = np.asarray(h(z), dtype=float)
        terms = np.where(phi > 0, phi * values, 0.0)
    return float(2.0 * (half[:, None] * _WEIGHTS[None, :] * terms).sum())


def _expect_checked(h, cuts: NDArray) -> tuple[float, float]:
    """(E h, error allowance): the rule on pieces split in 2 and its change from 1 piece.

    The allowance is 10 × |change| plus 1e-15 relative: Gauss–Legendre converges
    geometrically on these smooth integrands, so the finer value is far closer than
    the change between the two.
    """
    coarse, fine = _expect(h, cuts), _expect(h, cuts, split=2)
    if not (np.isfinite(coarse) and np.isfinite(fine)):
        return float("nan"), float("inf")
    return fine, 10.0 * abs(fine - coarse) + 1e-15 * abs(fine)


# ------------------------------------------------------- Gaussian reconstructions


def gaussian_divergence(perception: Perception, ratio: float) -> float:
    r"""$D_f(N(\mu, r^2\sigma^2)\,\|\,N(\mu, \sigma^2))$ for the std ratio r = s/σ ∈ (0, 1].

    In the measure's internal unit (Jensen–Shannon in **nats**, others unit-free).
    Closed forms (standard Gaussian integrals), written without cancellation near r = 1:

    - squared Hellinger: $1 - \sqrt{2r/(1 + r^2)}$ (the Bhattacharyya coefficient);
    - $\chi^2(p_{\hat X}\|p_X)$: $1/(r\sqrt{2 - r^2}) - 1$ (finite for r² < 2);
    - $\chi^2(p_X\|p_{\hat X})$: $r^2/\sqrt{2r^2 - 1} - 1$ for r² > ½, **infinite**
      for r² ≤ ½ ($p^2/q$ is not integrable);

    and Jensen–Shannon or a user's f by Gauss–Legendre quadrature of
    $\mathbb E_p f(q/p)$ with $\ln(q/p)(z) = -\ln r - \tfrac12 z^2 (r^{-2} - 1)$.
    The value decreases in r on (0, 1] (``docs/closed-forms/gaussian-fdivergence.md``).

    Examples
    --------
    >>> from rdp import ChiSquared, Hellinger
    >>> round(gaussian_divergence(Hellinger(), 0.5), 9)   # 1 − √0.8
    0.105572809
    >>> gaussian_divergence(ChiSquared("source||reconstruction"), 0.7)
    inf
    """
    r = float(ratio)
    if not 0.0 < r <= 1.0:
        raise ValueError(f"ratio must be in (0, 1]; got {ratio!r}")
    if r == 1.0:
        return 0.0
    kind = perception.kind
    if kind == HELLINGER:  # 1 − √u with 1 − u = (1 − r)²/(1 + r²)
        u = 2.0 * r / (1.0 + r * r)
        return float((1.0 - r) ** 2 / (1.0 + r * r) / (1.0 + math.sqrt(u)))
    if kind in (CHI2_RECON_SOURCE, CHI2_SOURCE_RECON):
        r2 = r * r
        if kind == CHI2_RECON_SOURCE:  # 1/√u − 1, u = r²(2 − r²), 1 − u = (1 − r²)²
            u, gap = r2 * (2.0 - r2), (1.0 - r2) ** 2
        else:  # r²/√(2r² − 1) − 1 = 1/√u − 1, u = (2r² − 1)/r⁴, 1 − u = (1 − r²)²/r⁴
            if r2 <= 0.5:
                return float("inf")
            u, gap = (2.0 * r2 - 1.0) / (r2 * r2), (1.0 - r2) ** 2 / (r2 * r2)
        root = math.sqrt(u)
        return float(gap / (root * (1.0 + root)))
    value, error = _quadrature_divergence(perception, r)
    if not (np.isfinite(value) and error <= 1e-8 * max(abs(value), 1e-300) + 1e-14):
        raise ValueError(
            f"the {perception.label} divergence of N(0, {r * r:.6g}) from N(0, 1) has no "
            "accurate finite value by quadrature"
        )
    return max(value, 0.0)


def _quadrature_divergence(perception: Perception, r: float) -> tuple[float, float]:
    """(E_p f(q/p), error allowance) by quadrature, q = N(0, r²), p = N(0, 1)."""
    gen = perception.generator  # type: ignore[union-attr]
    shrink = 1.0 / (r * r) - 1.0

    def integrand(z: NDArray) -> NDArray:
        return gen.f(np.exp(-math.log(r) - 0.5 * z * z * shrink))

    value, error = _expect_checked(integrand, _cuts((r, 1.0)))
    # the rule stops at |z| = 40; beyond, φ f(q/p) must be negligible (it is unless
    # f(0) = ∞ and p/q grows fast enough to nearly cancel φ, as in Neyman's χ² near
    # r² = ½): otherwise the value is not trusted
    with np.errstate(all="ignore"):
        tail = [float(np.asarray(gen.f(np.exp(-math.log(r) - 0.5 * z * z * shrink))).ravel()[0])
                for z in (np.array([0.75 * _TOP]), np.array([_TOP]))]  # fmt: skip
    log_phi = -0.5 * (0.75 * _TOP) ** 2 - 0.5 * math.log(2.0 * math.pi)  # at the first probe
    largest = max(tail)
    if not all(np.isfinite(tail)) or (largest > 0 and math.log(largest) + log_phi > -46.0):
        return value, float("inf")
    return value, error


def _admissible_excess(perception: Perception, r: float, P: float) -> float:
    """D_f(N(0, r²)‖N(0, 1)) − P with the quadrature's error allowance added (1e300 where
    no accurate finite value is found: such an r is never taken as admissible)."""
    if perception.kind in (HELLINGER, CHI2_RECON_SOURCE, CHI2_SOURCE_RECON) or r == 1.0:
        value = gaussian_divergence(perception, r)
        return min(value, 1e300) - P
    value, error = _quadrature_divergence(perception, r)
    if not (np.isfinite(value) and error <= 1e-8 * max(abs(value), 1e-300) + 1e-14):
        return 1e300
    return value + error - P


def _divergence_at_zero(perception: Perception) -> float:
    """D_f(δ_μ ‖ p) = f(0) + f'(∞): the value as the reconstruction deviation tends to 0."""
    gen = perception.generator  # type: ignore[union-attr]
    return float(gen.f0 + gen.slope_inf)


@lru_cache(maxsize=1024)
def _gaussian_ratio(perception: Perception, P: float) -> float:
    """s_P/σ for an internal bound P (nats for JS): the least ratio whose divergence ≤ P."""
    if P <= 0.0:
        return 1.0
    if P >= _divergence_at_zero(perception):  # the point mass at μ is admitted
        return 0.0
    lo = 1.0 / math.sqrt(2.0) if perception.kind == CHI2_SOURCE_RECON else 0.0

    def excess(r: float) -> float:
        return _admissible_excess(perception, r, P)

    a, b = lo, 1.0
    # the divergence tends to f(0) + f'(∞) > P at r → 0 and to ∞ at r → 1/√2 (Neyman χ²):
    # move from r = 1 towards that end until the sign changes
    for k in range(1, 80):
        trial = lo + (1.0 - lo) * 2.0 ** (-k)
        if excess(trial) < 0.0:
            b = trial
        else:
            a = trial
            break
    else:  # pragma: no cover - admissible at lo + 2^-79: that is as close as it gets
        return float(b)
    root = brentq(excess, a, b, xtol=1e-15, rtol=4.0 * np.finfo(float).eps)
    # the ratio actually returned must meet the bound as evaluated: step up to it
    r = root
    for k in range(60):
        if excess(r) <= 0.0:
            return float(r)
        r = min(1.0, root + np.finfo(float).eps * 2.0**k)
    return 1.0  # pragma: no cover - r = 1 has divergence 0


def gaussian_std(std: float, perception: Perception, P: float) -> float:
    r"""$s_P$: the least deviation of a Gaussian reconstruction N(μ, s²) with divergence ≤ P.

    P in the user's unit (bits for Jensen–Shannon). The divergence from N(μ, σ²)
    decreases in s on (0, σ] and increases on [σ, ∞), so the admissible deviations
    form an interval around σ and s_P is its left end (0 when the point mass at μ is
    admitted, i.e. P ≥ f(0) + f'(∞): 1 for Hellinger, 1 bit for JS). For
    $\chi^2(p_X\|p_{\hat X})$ the divergence is infinite for s ≤ σ/√2, so
    $s_P > \sigma/\sqrt2$ at every P. The returned s meets the bound as evaluated.

    Examples
    --------
    >>> from rdp import Hellinger
    >>> round(gaussian_std(1.0, Hellinger(), 1 - np.sqrt(0.8)), 6)
    0.5
    """
    bound = to_bound(perception, P)
    return float(std) * _gaussian_ratio(perception, bound.value)


# ------------------------------------------------------- least second moment


@dataclass(frozen=True)
class SecondMoment:
    r"""The least second moment $m_P^2/\sigma^2$ of an f-divergence ball, bracketed.

    Attributes
    ----------
    lower : float
        The dual value at (α, β): a proven lower bound on $m_P^2/\sigma^2$.
    upper : float
        The second moment of the law $q^\star$ (normalised) whose divergence is at most
        P: an achievable value (``inf`` when the check fails).
    alpha, beta : float
        The multipliers ($q^\star(z) = \varphi(z)\,(f^*)'(\alpha - \beta z^2)$, standard units).
    divergence : float
        $D_f(q^\star\|p)$ of the normalised law, internal unit.
    atom : float
        Mass of $q^\star$ at μ (0 unless the normalisation needs α = f'(∞)).
    """

    lower: float
    upper: float
    alpha: float
    beta: float
    divergence: float
    atom: float


class _Ball:
    """The f-divergence ball of radius P around N(0, 1): its KKT family and dual."""

    def __init__(self, perception: Perception, P: float) -> None:
        self.gen = perception.generator  # type: ignore[union-attr]
        self.P = P
        self.top = float(self.gen.slope_inf)  # f* = ∞ beyond f'(∞)
        slope0 = float(np.asarray(self.gen.derivative(np.array([1e-9]))).ravel()[0])
        self.kink = slope0 if np.isfinite(slope0) and slope0 > -1e8 else -np.inf
        self.centre = float(np.asarray(self.gen.derivative(np.array([1.0]))).ravel()[0])

    def cuts(self, alpha: float, beta: float) -> NDArray:
        scales = [1.0 / math.sqrt(beta)]
        if np.isfinite(self.top) and alpha < self.top:
            scales.append(math.sqrt((self.top - alpha) / beta))
        if alpha > self.kink:  # where t* reaches 0
            scales.append(math.sqrt((alpha - self.kink) / beta))
        return _cuts(tuple(scales))

    def t_star(self, alpha: float, beta: float, z: NDArray) -> NDArray:
        return self.gen.maximiser(alpha - beta * z * z)

    def mass(self, alpha: float, beta: float) -> float:
        return _expect(lambda z: self.t_star(alpha, beta, z), self.cuts(alpha, beta))

    def alpha(self, beta: float) -> float:
        """The α that normalises q, or just below f'(∞) when even that leaves mass over.

        At α = f'(∞) the density may have an integrable singularity at μ that the
        quadrature would not resolve (and f*'s argument loses digits near it): α stays
        1e-7 (relative) below, where the peak has a resolved width, and the rest of the
        mass goes to an atom at μ. The law is valid and the dual bound holds either way.
        """
        lo = self.centre  # t*(f'(1)) = 1, so E t*(f'(1) − βZ²) < 1
        if np.isfinite(self.top):
            hi = self.top - 1e-7 * max(1.0, abs(self.top))
            if not self.mass(hi, beta) > 1.0:
                return hi
        else:
            hi, step = lo + 1.0, 1.0
            while self.mass(hi, beta) <= 1.0:
                step *= 2.0
                hi = lo + step
        return brentq(lambda a: self.mass(a, beta) - 1.0, lo, hi, xtol=1e-15, rtol=1e-15)

    def law(self, beta: float) -> tuple[float, float, float, float, float]:
        r"""(α, second moment, divergence, atom, error) of the normalised KKT law at β.

        The law is $\varphi\, t^*/M$ with M its mass, or $\varphi\, t^* + (1 - M)\delta_\mu$
        when M < 1; ``error`` is the largest relative error allowance of the quadratures.
        """
        alpha = self.alpha(beta)
        cuts = self.cuts(alpha, beta)
        mass, e_mass = _expect_checked(lambda z: self.t_star(alpha, beta, z), cuts)
        atom, scale = 0.0, 1.0 / mass
        if mass < 1.0 and np.isfinite(self.top):  # the rest as an atom at μ (cost f'(∞))
            atom, scale = 1.0 - mass, 1.0
        moment, e_moment = _expect_checked(
            lambda z: z * z * scale * self.t_star(alpha, beta, z), cuts
        )
        div, e_div = _expect_checked(
            lambda z: self.gen.f(scale * self.t_star(alpha, beta, z)), cuts
        )
        if atom > 0:
            div += self.top * atom
        error = max(e / max(abs(v), 1e-300) for e, v in ((e_mass, mass), (e_moment, moment),
                                                       (e_div, div)))  # fmt: skip
        return alpha, moment, div, atom, error

    def dual(self, alpha: float, beta: float) -> float:
        """(α − P − E f*(α − βZ²))/β with E f* taken at its upper error allowance."""
        value, error = _expect_checked(
            lambda z: self.gen.conjugate(alpha - beta * z * z)[0], self.cuts(alpha, beta)
        )
        if not np.isfinite(value):
            return 0.0
        return (alpha - self.P - (value + error)) / beta


@lru_cache(maxsize=1024)
def _least(perception: Perception, P: float) -> SecondMoment:
    if P <= 0.0:
        return SecondMoment(1.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    if P >= _divergence_at_zero(perception):  # the point mass at μ
        return SecondMoment(0.0, 0.0, 0.0, np.inf, _divergence_at_zero(perception), 1.0)
    ball = _Ball(perception, P)
    target = P * (1.0 - 1e-9)  # the law found must meet P with room for rounding

    def excess(log_beta: float) -> float:
        return ball.law(math.exp(log_beta))[2] - target

    lo, hi = -2.0, 2.0
    while excess(lo) > 0.0 and lo > -60.0:
        lo -= 4.0
    while excess(hi) < 0.0 and hi < 60.0:
        hi += 4.0
    log_beta = brentq(excess, lo, hi, xtol=1e-13, rtol=1e-14)
    beta = math.exp(log_beta)
    alpha, moment, div, atom, error = ball.law(beta)
    lower = min(max(ball.dual(alpha, beta), 0.0), 1.0)
    # the target leaves 1e-9·P of room: the law is feasible when the quadratures are
    # accurate to far less than that (else only the Gaussian law's moment is used)
    feasible = div <= P and error < 1e-11
    upper = moment * (1.0 + 1e-11) if feasible else float("inf")
    return SecondMoment(lower, upper, alpha, beta, div, atom)


def least_second_moment(perception: Perception, P: float) -> SecondMoment:
    r"""$\min \mathbb E_q(x-\mu)^2/\sigma^2$ over laws q with $D_f(q\|p) \le P$, bracketed.

    P in the user's unit (bits for Jensen–Shannon). The ball is convex and contains p
    (Slater's condition for P > 0); pointwise minimisation of the Lagrangian
    $\mathbb E_q x^2 + \lambda(D_f(q\|p) - P) + \nu(1 - \int q)$ over q gives, with
    α = ν/λ, β = 1/λ, the dual function of the module docstring and the law
    $q^\star = \varphi\,(f^*)'(\alpha - \beta z^2)$ (plus an atom at μ when
    α = f'(∞)). β is set by root-finding so that $D_f(q^\star\|p) = P(1 - 10^{-9})$
    and α normalises $q^\star$; ``lower`` is the dual value there, ``upper`` the
    second moment of $q^\star$ (both in units of σ²). Their difference is the
    numerical error (about 1e-9 relative).

    Examples
    --------
    >>> from rdp import ChiSquared
    >>> b = least_second_moment(ChiSquared("reconstruction||source"), 0.1)
    >>> round(b.lower, 7), b.upper - b.lower < 1e-8
    (0.5712094, True)
    """
    return _least(perception, to_bound(perception, P).value)


# --------------------------------------------------------------------- bounds


def _mixed_rate(variance: float, D: float, s: float, zero_rate: float) -> float:
    """min over D₁ < D of R_G(D₁; s)(D₀ − D)/(D₀ − D₁): the channel at D₁ mixed with the
    independent zero-rate law at D₀ = ``zero_rate`` (a tangent from (D₀, 0))."""
    if not D < zero_rate:
        return 0.0

    def slope(d1: float) -> float:
        return _gaussian.rate(variance, d1, s)[0] / (zero_rate - d1)

    res = minimize_scalar(
        slope, bounds=(1e-9 * D, D), method="bounded", options={"xatol": 1e-13 * variance}
    )
    best = min(float(res.fun), slope(D))
    return float(best * (zero_rate - D))


def _mixed_distortion(variance: float, R: float, s: float, zero_rate: float) -> float:
    """min over θ ∈ (0, 1] of θ D_G(R/θ; s) + (1 − θ) D₀ (convex in θ: a perspective)."""

    def mixed(theta: float) -> float:
        return theta * _gaussian.distortion(variance, R / theta, s)[0] + (1 - theta) * zero_rate

    if R == 0.0:
        return min(zero_rate, _gaussian.distortion(variance, 0.0, s)[0])
    res = minimize_scalar(mixed, bounds=(1e-9, 1.0), method="bounded", options={"xatol": 1e-13})
    return float(min(float(res.fun), mixed(1.0)))


def _ball_scales(variance: float, perception: Perception, P: float) -> tuple[float, float, float]:
    """(m_P, s_P, D_max) of the f-ball at P (user unit) around N(μ, variance).

    m_P: the dual lower bound on the least deviation of a law in the ball; s_P: the least
    deviation of a Gaussian law in it; D_max = σ² + the achievable least second moment
    (the better of the zero-rate law q* and the Gaussian at s_P).
    """
    if perception.kind not in F_KINDS:
        raise ValueError(f"perception must be an f-divergence other than KL; got {perception!r}")
    sigma = math.sqrt(variance)
    value = to_bound(perception, P).value
    ball = _least(perception, value)
    s_P = sigma * _gaussian_ratio(perception, value)
    m_P = sigma * math.sqrt(ball.lower)
    zero_rate = variance * (1.0 + min(ball.upper, (s_P / sigma) ** 2))
    return m_P, s_P, zero_rate


def rate_bounds(variance: float, D: float, perception: Perception, P: float) -> RateBounds:
    r"""Bounds on R(D, P) in bits, N(μ, variance) source, MSE D, $D_f \le P$ (user unit).

    ``lower`` is $R_G(D; m_P)$ at the dual lower bound on the least second moment;
    ``upper`` the smaller of the best jointly Gaussian channel's rate $R_G(D; s_P)$ and
    its mixture with the zero-rate law $q^\star$ (0 once D ≥ σ² + the second moment of
    $q^\star$). ``reconstruction_std`` is 0 when the mixture attains ``upper``.

    Examples
    --------
    >>> from rdp import Hellinger
    >>> b = rate_bounds(1.0, 0.5, Hellinger(), 0.01)
    >>> round(b.lower, 5), round(b.upper, 5)
    (0.51515, 0.51552)
    """
    m_P, s_P, zero_rate = _ball_scales(variance, perception, P)
    lower = _gaussian.rate(variance, D, m_P)[0]
    if D >= zero_rate:
        return RateBounds(0.0, 0.0, 0.0, 0.0, m_P, s_P)
    upper, s, rho = _gaussian.rate(variance, D, s_P)
    mixed = _mixed_rate(variance, D, s_P, zero_rate)
    if mixed < upper * (1.0 - 1e-12):  # the mixture, where it does better than rounding
        upper, s, rho = mixed, 0.0, 0.0
    return RateBounds(min(lower, upper), upper, s, rho, m_P, s_P)


def distortion_bounds(variance: float, R: float, perception: Perception, P: float) -> RateBounds:
    r"""Bounds on D(R, P), the inverse of ``rate_bounds`` (R in bits, P in the user's unit)."""
    m_P, s_P, zero_rate = _ball_scales(variance, perception, P)
    lower = _gaussian.distortion(variance, R, m_P)[0]
    upper, s, rho = _gaussian.distortion(variance, R, s_P)
    mixed = _mixed_distortion(variance, R, s_P, zero_rate)
    if mixed < upper * (1.0 - 1e-12):
        upper, s, rho = mixed, 0.0, 0.0
    return RateBounds(min(lower, upper), upper, s, rho, m_P, s_P)


# --------------------------------------------------------------------- method


#: Analytic brackets narrower than this (bits) are kept as they are by the gated method.
REFINE_MIN_GAP = 1e-6


@lru_cache(maxsize=4096)
def _gated(perception: Perception, D: float, P: float):
    """The gated channel at the standardised point (None where it fails)."""
    from rdp.closed_forms.gaussian_fdivergence_channel import gated_channel

    try:
        return gated_channel(perception, D, P)
    except (ValueError, FloatingPointError, ArithmeticError):  # pragma: no cover - analytic kept
        return None


class GaussianFDivergenceBounds(GaussianSourceMSE):
    """Gaussian / MSE / an f-divergence (not KL): certified bounds, status ``bounds``.

    ``lower`` and ``upper`` are those of
    [`rate_bounds`][rdp.closed_forms.gaussian_fdivergence.rate_bounds] (and
    [`distortion_bounds`][rdp.closed_forms.gaussian_fdivergence.distortion_bounds]);
    ``rate`` (the value) is the midpoint of ``[lower, upper]``. The channel is the
    jointly Gaussian one when it attains ``upper`` (None otherwise). With
    ``refine=True`` (the method ``"gaussian-f-gated"``), where the analytic bracket on
    R(D, P) is wider than ``REFINE_MIN_GAP``, ``upper`` is at most the rate of the
    gated channel of
    [`gated_channel`][rdp.closed_forms.gaussian_fdivergence_channel.gated_channel] and
    ``lower`` at least its dual bound (about a second per point).
    """

    reference = REFERENCE

    def __init__(
        self, mean: float, variance: float, perception: Perception, *, refine: bool = False
    ) -> None:
        if perception.kind not in F_KINDS:
            raise ValueError(
                f"perception must be Hellinger, JensenShannon, ChiSquared or FDivergence; "
                f"got {perception!r}"
            )
        super().__init__(mean, variance, perception)
        self.name = f"bounds: gaussian-mse-{perception.kind}"
        self.refine = bool(refine)
        if self.refine:
            self.name += ", gated channel"
            self.reference = REFERENCE + "; gated channel and its dual bound (derived there)"

    def _bounded(self, bounds: RateBounds, gated=None) -> PointSolution:
        lower, upper = min(bounds.lower, bounds.upper), bounds.upper
        channel = None
        if bounds.reconstruction_std > 0:
            channel = self._channel(bounds.reconstruction_std, bounds.correlation)
        diagnostics = {
            "min_reconstruction_std": bounds.gaussian_std,
            "least_second_moment_std": bounds.least_std,
            "upper": "jointly Gaussian channel" if channel else "mixture with zero-rate law",
            "value": "midpoint of [lower, upper]",
        }
        if gated is not None and gated.rate < upper:
            upper, channel = gated.rate, None
            lower = min(max(lower, gated.lower), upper)
            diagnostics.update(
                upper="gated channel (rdp.closed_forms.gaussian_fdivergence_channel)",
                gated_slope=gated.slope,
                gated_distortion=gated.distortion,
                gated_perception=gated.perception,
                gated_seconds=gated.seconds,
            )
        return PointSolution.bracket(
            lower,
            upper,
            value=0.5 * (lower + upper),
            status=Status.BOUNDS,
            channel=channel,
            diagnostics=diagnostics,
            iterations=0,
        )

    def _bits(self, P: PerceptionBound | float) -> float:
        return as_bound(P, self.kind).bits

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: object = None
    ) -> PointSolution:
        """Bounds on R(D, P), and the jointly Gaussian channel when it attains ``upper``."""
        if D <= 0.0:  # a continuous source needs infinite rate for zero error
            return PointSolution.exact(np.inf)
        bits = self._bits(P)
        bounds = rate_bounds(self.variance, D, self.perception, bits)
        gated = None
        if self.refine and bits > 0 and bounds.upper - bounds.lower > REFINE_MIN_GAP:
            gated = _gated(self.perception, float(D / self.variance), float(bits))
        return self._bounded(bounds, gated)

    def distortion_point(self, R: float, P: PerceptionBound | float) -> PointSolution:
        """Bounds on D(R, P) (analytic) and the channel of the upper bound."""
        return self._bounded(distortion_bounds(self.variance, R, self.perception, self._bits(P)))

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """σ² + m_P², m_P² the least second moment of the ball (its achievable end)."""
        return float(_ball_scales(self.variance, self.perception, self._bits(P))[2])


def gated_method(problem, **options) -> GaussianFDivergenceBounds:
    """Factory of the method ``"gaussian-f-gated"``: the bracket narrowed by the gated
    channel and its dual bound (Gaussian / MSE / an f-divergence other than KL;
    ``ValueError`` otherwise)."""
    from rdp.distortions import SquaredError
    from rdp.sources import Gaussian

    if options:
        raise ValueError(f"method 'gaussian-f-gated' takes no options; got {sorted(options)}")
    source, perception = problem.source, problem.perception_measure
    if not (
        isinstance(source, Gaussian)
        and isinstance(problem.distortion_measure, SquaredError)
        and perception.kind in F_KINDS
    ):
        raise ValueError(
            "method 'gaussian-f-gated' applies to a Gaussian source with MSE and an "
            "f-divergence perception (hellinger, js, chi2-*, FDivergence) only"
        )
    return GaussianFDivergenceBounds(source.mean, source.variance, perception, refine=True)
