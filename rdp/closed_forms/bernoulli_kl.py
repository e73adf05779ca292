r"""Bernoulli source, Hamming distortion, KL perception (either direction): exact R(D, P).

Derived here (reduction to Blau & Michaeli's TV closed form). A joint law of
(X, X̂) on {0, 1}² with X ~ Bernoulli(p) is fixed by a = P(X=0, X̂=1) and
b = P(X=1, X̂=0); the reconstruction is Bernoulli(r), r = p + a − b. TV,
KL(p_X‖p_X̂) and KL(p_X̂‖p_X) all constrain only r, each to an interval
around p:

$$
|r - p| \le P_{TV}, \qquad
\mathrm{KL}(\mathrm{B}(p)\|\mathrm{B}(r)) \le P, \qquad
\mathrm{KL}(\mathrm{B}(r)\|\mathrm{B}(p)) \le P .
$$

For p ≤ ½ let $f(r) = \min\{I : \text{marginals } (p, r),\ a + b \le D\}$;
f is convex with its minimiser $\hat r = (p - D)/(1 - 2D) \le p$
(Shannon's test channel), so over any interval $[r_-, r_+] \ni p$ the
optimum is at $\max(\hat r, r_-)$ and the upper end never binds. The
TV closed form (Blau & Michaeli 2019, Thm 2) is exactly this with
$r_- = p - P_{TV}$. Hence

$$
R_{\mathrm{KL}}(D, P) = R_{\mathrm{TV}}\big(D,\; p - r_-(P)\big),
$$

with $r_-(P) \in [0, p]$ the lower end of the KL ball, found by
Brent's method on $\ln(-\ln(r/p))$, where it is well conditioned for every
p and P (``log_lower_end``; for KL(p_X̂‖p_X), $r_- = 0$ once
$P \ge \log_2(1/(1-p))$). r₋ can lie below the least float (≈ p·e^{−P ln 2/p}
for KL(p_X‖p_X̂)); the budget p − r₋ = −p·expm1(ln(r₋/p)) is still exact to
rounding, and then equals p: Shannon's R(D) up to a change of order r₋.
For p > ½ the symbols are relabelled.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from rdp.channels import DiscreteChannel
from rdp.closed_forms import _stable
from rdp.closed_forms import bernoulli as _tv
from rdp.perceptions import KL_RECON_SOURCE, KL_SOURCE_RECON, PerceptionBound, as_bound
from rdp.result import PointSolution
from rdp.units import LN2

REFERENCE = (
    "Reduction to Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-"
    "Perception Tradeoff, ICML 2019, Theorem 2 (derived here: KL, like TV, constrains only "
    "the reconstruction's Bernoulli parameter)"
)


def _kl_bits(a: float, b: float) -> float:
    """KL(Bernoulli(a) ‖ Bernoulli(b)) in bits."""
    out = 0.0
    for x, y in ((a, b), (1.0 - a, 1.0 - b)):
        if x > 0:
            out += np.inf if y <= 0 else x * np.log(x / y)
    return float(out / LN2)


def _kl_nats(p: float, v: float, direction: str) -> float:
    r"""KL between Bernoulli(p) and Bernoulli(r), r = p e^v ≤ p (v ≤ 0), in nats, p ≤ ½.

    With x = r/p = e^v and y = (1 − r)/(1 − p) = 1 + t, t = −p·expm1(v)/(1 − p)
    ≥ 0, the weights p and 1 − p have px + (1 − p)y = 1, so

    $$
    \mathrm{KL}(B(p)\|B(r)) = p\,g(x) + (1-p)\,g(y), \qquad
    \mathrm{KL}(B(r)\|B(p)) = p\,\psi(x) + (1-p)\,\psi(y),
    $$

    g(x) = x − 1 − ln x, ψ(x) = x ln x − x + 1: sums of non-negative terms, each
    evaluated without cancellation (``rdp.closed_forms._stable``).
    """
    t = -p * math.expm1(v) / (1.0 - p)
    if direction.startswith("source"):
        return p * _stable.expm1mx(v) + (1.0 - p) * _stable.log1pmx(t)
    return p * _stable.xexpmx(v) + (1.0 - p) * _stable.xlog1pmx(t)


def log_lower_end(p: float, P: float, direction: str) -> float:
    r"""ln(r₋/p): the log of the KL ball's lower end relative to p (p ≤ ½, P in bits).

    ``v = ln(r₋/p) ≤ 0`` solves KL = P, found by Brent's method in
    $s = \ln(-v)$, where ln KL is close to linear (KL ≈ p v²/(2(1 − p)) for
    small |v|; for KL(p_X‖p_X̂), KL ≈ p|v| for large |v|), so the root is well
    conditioned from P = 1e-300 to 1e300 bits and for p down to the least
    float. r₋ = p e^v itself may underflow (≈ p e^{−P ln 2/p} for KL(p_X‖p_X̂)):
    v does not.

    Limits: −∞ when P = ∞, and for KL(p_X̂‖p_X) when P ≥ log₂(1/(1 − p)) (then
    r₋ = 0 exactly: KL(B(0)‖B(p)) = −ln(1 − p)); 0 when P = 0. When the first
    term of KL = p v²/(2(1 − p))·(1 + O(v)) puts |v| below 1e-30, that term is
    solved instead (relative error below 1e-30). For KL(p_X̂‖p_X) with P within
    rounding of log₂(1/(1 − p)) the search stops at v = −2048, where KL ≤ P as
    evaluated and r = p e^v is 0 in floating point.

    Examples
    --------
    >>> round(math.exp(log_lower_end(0.2, 0.05, "source||reconstruction")) * 0.2, 6)
    0.109591
    >>> round(log_lower_end(0.01, 5.0, "source||reconstruction"), 6)   # r₋ ≈ 1e-153
    -347.568574
    """
    if P == np.inf:
        return -math.inf
    if P <= 0.0 or p <= 0.0:
        return 0.0
    nats = P * LN2
    source = direction.startswith("source")
    if not source and nats >= -math.log1p(-p):
        return -math.inf
    if source and not nats / p < 1e300:
        return -math.inf  # v < −1e300: r₋ = 0 in floating point
    small = -math.sqrt(2.0 * (1.0 - p) * nats / p)
    if small > -1e-30:
        return small

    def excess(s: float) -> float:  # increasing in s: KL grows as r moves away from p
        kl = _kl_nats(p, -math.exp(s), direction)
        return math.log(kl) - math.log(nats) if kl > 0.0 else -math.inf

    lo = math.log(-small) - 1.0
    hi = max(lo, math.log(nats / p + 2.0) if source else 0.0) + 1.0
    while excess(lo) > 0.0:
        lo -= 2.0 * (hi - lo)
    ceiling = math.log(2048.0)
    while excess(hi) < 0.0:
        if hi >= ceiling:  # KL(p_X̂‖p_X) near its limit: v < −2048, r₋ = 0 in floats
            return -2048.0
        lo, hi = hi, min(hi + 2.0 * (hi - lo), ceiling)
    return -math.exp(brentq(excess, lo, hi, xtol=1e-15, rtol=4.0 * np.finfo(float).eps))


def lower_end(p: float, P: float, direction: str) -> float:
    r"""r₋(P): the least r ≤ p with KL ≤ P bits (p ≤ ½), ``direction`` as in ``KL``.

    r₋ = p·exp(``log_lower_end``); it underflows to 0 when the ball reaches
    below the least float (large P/p for KL(p_X‖p_X̂)).

    Examples
    --------
    >>> round(lower_end(0.2, 0.05, "source||reconstruction"), 6)
    0.109591
    """
    return float(p * math.exp(log_lower_end(p, P, direction)))


def equivalent_tv(p: float, P: float, direction: str) -> float:
    """The TV budget p − r₋(P) = −p·expm1(v) whose Bernoulli TV problem has the same R(D, ·)."""
    return float(-p * math.expm1(log_lower_end(p, P, direction)))


def rate(p: float, D: float, P: float, direction: str) -> float:
    """R(D, P) in bits for Bernoulli(p), Hamming distortion, KL ≤ P bits in ``direction``.

    Examples
    --------
    >>> round(rate(0.2, 0.1, 0.05, "source||reconstruction"), 6)
    0.252933
    """
    q = min(p, 1.0 - p)
    return _tv.rate(q, D, equivalent_tv(q, P, direction))


class BernoulliHammingKL:
    """Closed-form method for Bernoulli / Hamming / KL (either direction)."""

    reference = REFERENCE

    def __init__(self, p: float, alphabet: np.ndarray, direction: str) -> None:
        self.p = p
        self.alphabet = alphabet
        self.direction = direction
        self.kind = kind = KL_SOURCE_RECON if direction.startswith("source") else KL_RECON_SOURCE
        self.name = f"closed-form: bernoulli-hamming-{kind}"

    def _tv_budget(self, P: PerceptionBound | float) -> float:
        P = as_bound(P, self.kind).bits  # a bound holds KL in nats; the formulas take bits
        return equivalent_tv(min(self.p, 1.0 - self.p), P, self.direction)

    def _inside_ball(self, joint: np.ndarray, P: float, D: float) -> np.ndarray:
        """Move a little mass so that the joint's KL, as a user evaluates it, is ≤ P bits.

        The equivalent budget can round up (r₋ below the least float, or within an
        ulp of it): shifting δ from the cell (m, 1 − m) to (m, m), m the minority
        symbol, raises its reconstruction mass by δ towards p (KL falls) and lowers
        the Hamming distortion by δ; δ starts at a few ulps of min(p, 1 − p) or the
        shortfall r₋ − r and doubles. The rate moves by O(δ log 1/δ).

        Where no such shift reaches the ball (P below what floating point resolves
        near the source law, e.g. 1e-29 bits), the joint of the perfect-perception
        problem (output law = source law, KL 0) at the same D is returned: its rate
        exceeds R(D, P) by at most the rate change over a TV budget of r₋ − r, below
        the precision of the value. A joint outside the ball is never returned.
        """
        from rdp.perceptions import KL

        measure = KL(self.direction)

        def kl(j: np.ndarray) -> float:
            return measure.divergence(j.sum(axis=1), j.sum(axis=0))

        if P == np.inf or kl(joint) <= P:
            return joint
        m = 1 if self.p <= 0.5 else 0
        q = min(self.p, 1.0 - self.p)
        shortfall = max(lower_end(q, P, self.direction) - joint[:, m].sum(), 0.0)
        delta = max(shortfall, 4.0 * np.finfo(float).eps * q)
        for _ in range(60):
            moved = joint.copy()
            step = min(delta, moved[m, 1 - m])
            moved[m, 1 - m] -= step
            moved[m, m] += step
            if kl(moved) <= P:
                return moved
            if step < delta:
                break
            delta *= 2.0
        perfect = _tv._solve(self.p, D, 0.0)[1]
        if kl(perfect) <= P:
            return perfect
        raise RuntimeError(  # pragma: no cover - the perfect-perception law has KL 0
            f"no joint law within the KL ball P = {P!r} bits at D = {D!r} was found"
        )

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: object = None
    ) -> PointSolution:
        """R(D, P) with the optimal joint law (the TV problem's at the equivalent budget)."""
        budget = self._tv_budget(P)
        value, joint, region = _tv._solve(self.p, D, budget)
        joint = self._inside_ball(joint, as_bound(P, self.kind).bits, D)
        channel = DiscreteChannel(joint, self.alphabet, self.alphabet)
        return PointSolution.exact(
            value, channel=channel, diagnostics={"region": region, "equivalent_tv": budget}
        )

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """0: X̂ = X has KL 0."""
        return 0.0

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """D_max(P) of the TV problem at the equivalent budget."""
        return _tv.zero_rate_distortion(self.p, self._tv_budget(P))
