"""Bernoulli source, Hamming distortion, total-variation perception: exact R(D, P).

Blau & Michaeli, "Rethinking Lossy Compression: The Rate-Distortion-Perception
Tradeoff", ICML 2019, arXiv:1901.07821, Theorem 2. For p > ½ the closed form is
applied to 1 − p by relabelling the symbols (Hamming distortion and TV are
invariant under the swap).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import xlogy

from rdp.channels import DiscreteChannel
from rdp.perceptions import TV, PerceptionBound, as_bound
from rdp.result import PointSolution
from rdp.units import LN2, binary_entropy

REFERENCE = (
    "Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception "
    "Tradeoff, ICML 2019, Theorem 2"
)


def inactive_boundary(p: float, P: float) -> float:
    r"""D_p = P / (1 − 2(p − P)): below it the perception constraint is inactive.

    Valid for 0 ≤ P < p ≤ ½ (Blau & Michaeli 2019, Theorem 2).
    """
    return P / (1.0 - 2.0 * (p - P))


def zero_rate_distortion(p: float, P: float) -> float:
    r"""D_max(P): the zero-rate distortion, 2pq − (q − p)P for P < p, else p (p ≤ ½)."""
    p = min(p, 1.0 - p)
    if P >= p:
        return p
    return 2.0 * p * (1.0 - p) - (1.0 - 2.0 * p) * P


def rate(p: float, D: float, P: float) -> float:
    r"""R(D, P) in bits for Bernoulli(p), Hamming distortion, TV perception.

    With p ≤ ½, q = 1 − p and $D_p = P / (1 - 2(p - P))$, for P < p:

    $$
    R(D, P) = \begin{cases}
        H_b(p) - H_b(D) & D \le D_p \\
        2H_b(p) + H_b(p-P) - H_t\!\left(\frac{D-P}{2}, p\right)
            - H_t\!\left(\frac{D+P}{2}, q\right) & D_p < D < 2pq - (q-p)P \\
        0 & D \ge 2pq - (q-p)P
    \end{cases}
    $$

    and for P ≥ p, $R = H_b(p) - H_b(D)$ for D < p, else 0.

    Parameters
    ----------
    p : float
        Source parameter in [0, 1] (p > ½ is mapped to 1 − p).
    D : float
        Hamming distortion bound, ≥ 0.
    P : float
        TV bound, ≥ 0 (``inf`` allowed).

    References
    ----------
    1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
       Rate-Distortion-Perception Tradeoff", ICML 2019, Theorem 2.

    Examples
    --------
    >>> round(rate(0.1, 0.05, 0.02), 5)   # middle region
    0.19871
    >>> rate(0.1, 0.2, 0.02)              # beyond 2pq - (q - p)P = 0.164
    0.0
    """
    return float(_solve(p, D, P)[0])


def _solve(p: float, D: float, P: float) -> tuple[float, np.ndarray, str]:
    """(rate, joint pmf [[x=0], [x=1]] x [x̂=0, x̂=1] for p ≤ ½, region name)."""
    flipped = p > 0.5
    p = 1.0 - p if flipped else p
    q = 1.0 - p
    d_max = zero_rate_distortion(p, P)
    if D >= d_max:
        r_hat = 0.0 if P >= p else p - P
        joint = np.outer([q, p], [1.0 - r_hat, r_hat])
        value, region = 0.0, "zero-rate"
    elif P >= p or p == 0.5 or D <= inactive_boundary(p, P):
        value = float(binary_entropy(p) - binary_entropy(D))
        r_hat = (p - D) / (1.0 - 2.0 * D)
        joint = np.array(
            [[(1.0 - r_hat) * (1.0 - D), r_hat * D], [(1.0 - r_hat) * D, r_hat * (1.0 - D)]]
        )
        region = "perception-inactive"
    else:
        value = float(
            2.0 * binary_entropy(p)
            + binary_entropy(p - P)
            - _ternary_entropy_bits((D - P) / 2.0, p, q)
            - _ternary_entropy_bits((D + P) / 2.0, q, p)
        )
        joint = np.array([[q - (D - P) / 2.0, (D - P) / 2.0], [(D + P) / 2.0, p - (D + P) / 2.0]])
        region = "perception-active"
    joint = _exactly_feasible(np.clip(joint, 0.0, None), np.array([q, p]), D, P)
    if flipped:
        joint = joint[::-1, ::-1]
    return max(value, 0.0), joint, region


def _ternary_entropy_bits(a: float, b: float, b_complement: float) -> float:
    """H_t(a, b) in bits with 1 − b given: the third mass b_complement − a, not 1 − a − b.

    For b = 1 − p (p ≪ 1) the rounded 1 − a − b has an absolute error of 1e-16, a
    relative error of 1e-16/p in the small third mass (2e-9 of the rate at p = 1e-7);
    and x ln x for a mass x near 1 is x·log1p(−(1 − x)) with 1 − x known exactly.
    """
    c = b_complement - a
    middle = b * math.log1p(-b_complement) if b > 0.5 else float(xlogy(b, b))
    last = c * math.log1p(-(b + a)) if c > 0.5 else float(xlogy(c, c))
    return float(-(xlogy(a, a) + middle + last) / LN2)


def _exactly_feasible(joint: np.ndarray, pmf: np.ndarray, D: float, P: float) -> np.ndarray:
    """Move a few ulps of mass so that the joint meets D and P as evaluated in floating point.

    Shifting δ from both off-diagonal cells to the diagonal lowers the Hamming
    distortion by 2δ and keeps both marginals; shifting δ from the larger
    off-diagonal cell to its row's diagonal lowers TV by δ. The rate moves by O(δ).
    """
    from rdp.perceptions import TotalVariation

    def distortion(j: np.ndarray) -> float:
        return float(j[0, 1] + j[1, 0])

    def tv(j: np.ndarray) -> float:
        return TotalVariation().divergence(j.sum(axis=1), j.sum(axis=0))

    scale = np.finfo(float).eps
    for k in range(60):
        if distortion(joint) <= D or min(joint[0, 1], joint[1, 0]) <= 0:
            break
        delta = scale * 2.0**k
        joint = joint + np.array([[delta, -delta], [-delta, delta]])
    for k in range(60):
        if P == np.inf or tv(joint) <= P:
            break
        delta = scale * 2.0**k
        if joint[1, 0] >= joint[0, 1]:
            joint = joint + np.array([[0.0, 0.0], [-delta, delta]])
        else:
            joint = joint + np.array([[delta, -delta], [0.0, 0.0]])
    return np.clip(joint, 0.0, None)


class BernoulliHammingTV:
    """Closed-form method for Bernoulli / Hamming / TV (or no perception)."""

    reference = REFERENCE

    def __init__(self, p: float, alphabet: np.ndarray, kind: str = TV) -> None:
        self.p = p
        self.alphabet = alphabet
        self.kind = kind  # 'tv', or 'none' without a perception constraint
        self.name = "closed-form: bernoulli-hamming-tv"

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: object = None
    ) -> PointSolution:
        """R(D, P) with the optimal joint law as a ``DiscreteChannel`` (TV needs no unit)."""
        value, joint, region = _solve(self.p, D, as_bound(P, self.kind).value)
        channel = DiscreteChannel(joint, self.alphabet, self.alphabet)
        return PointSolution.exact(value, channel=channel, diagnostics={"region": region})

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """0: X̂ = X meets every perception bound."""
        return 0.0

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """2pq − (q − p)P for P < min(p, q), else min(p, q)."""
        return zero_rate_distortion(self.p, as_bound(P, self.kind).value)
