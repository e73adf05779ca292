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
bisection (for KL(p_X̂‖p_X), $r_- = 0$ once
$P \ge \log_2(1/(1-p))$). For p > ½ the symbols are relabelled.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from rdp.channels import DiscreteChannel
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


def lower_end(p: float, P: float, direction: str) -> float:
    r"""r₋(P): the least r ≤ p with KL ≤ P bits (p ≤ ½), ``direction`` as in ``KL``.

    Examples
    --------
    >>> round(lower_end(0.2, 0.05, "source||reconstruction"), 6)
    0.109591
    """
    if P == np.inf:
        return 0.0
    if P <= 0.0 or p <= 0.0:
        return p
    if direction.startswith("source"):

        def excess(r: float) -> float:
            return _kl_bits(p, r) - P
    else:

        def excess(r: float) -> float:
            return _kl_bits(r, p) - P

        if excess(0.0) <= 0:
            return 0.0
    return float(brentq(excess, np.nextafter(0.0, 1.0), p, xtol=1e-300, rtol=1e-15))


def equivalent_tv(p: float, P: float, direction: str) -> float:
    """The TV budget p − r₋(P) whose Bernoulli TV problem has the same R(D, ·) (p ≤ ½)."""
    return float(p - lower_end(p, P, direction))


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
        q = min(self.p, 1.0 - self.p)
        budget = equivalent_tv(q, P, self.direction)
        # keep the returned joint inside the KL ball as evaluated: shrink by a few ulps if needed
        for k in range(60):
            r = q - budget
            kl = _kl_bits(q, r) if self.direction.startswith("source") else _kl_bits(r, q)
            if P == np.inf or kl <= P or budget <= 0:
                break
            budget = max(budget - np.finfo(float).eps * q * 2.0**k, 0.0)
        return budget

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: object = None
    ) -> PointSolution:
        """R(D, P) with the optimal joint law (the TV problem's at the equivalent budget)."""
        budget = self._tv_budget(P)
        value, joint, region = _tv._solve(self.p, D, budget)
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
