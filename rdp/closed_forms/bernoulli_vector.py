r"""Bernoulli vector source, Hamming distortion, sum of per-component TV perception.

A Bernoulli vector $X = (X_1, \dots, X_n)$ has independent components
$X_i \sim \mathrm{Bernoulli}(p_i)$; the distortion is the expected number
of flipped components $\mathbb E \sum_i 1[X_i \ne \hat X_i]$ and the
perception the sum of the components' total-variation distances
$\sum_i \mathrm{TV}(p_{X_i}, p_{\hat X_i})$ (a single-letter perception
function on the components, the setting of Vippathalla, Badiu & Coon,
"Rate-Distortion-Perception Function of Bernoulli Vector Sources",
arXiv:2501.12348, 2025, who give the solution in closed form over three regions
of the (D, P) plane). Derived here:

$$
R(D, P) = \min_{\sum_i D_i \le D,\ \sum_i P_i \le P}\
\sum_i R_{\mathrm{TV}}(p_i; D_i, P_i),
$$

with $R_{\mathrm{TV}}$ the Bernoulli closed form of Blau & Michaeli (2019,
Thm 2). *Converse*: $I(X; \hat X) \ge \sum_i I(X_i; \hat X_i)$ for
independent components, and each component's channel meets its own
$D_i$, $P_i$. *Achievability*: the product of the optimal
component channels. The allocation is a convex program (each
$R_{\mathrm{TV}}$ is jointly convex, Blau & Michaeli Thm 1), solved here
by SLSQP from several starts; the value is that of a feasible allocation (an
upper bound, tight to the optimiser's tolerance). ``tests/test_bernoulli_vector.py``
compares it with the convex program over *all* joint laws of two components
(no product assumption), solved by Clarabel.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from rdp.closed_forms import bernoulli as _tv

REFERENCE = (
    "Vippathalla, Badiu & Coon, Rate-Distortion-Perception Function of Bernoulli Vector "
    "Sources, arXiv:2501.12348, 2025 (allocation over Blau & Michaeli 2019, Thm 2; derived here)"
)


def rate(ps: ArrayLike, D: float, P: float) -> float:
    r"""R(D, P) in bits of the Bernoulli vector with parameters ``ps`` (Hamming, Σ TV ≤ P).

    Examples
    --------
    >>> round(rate([0.1], 0.05, 0.02), 5)      # one component: Blau & Michaeli's formula
    0.19871
    >>> round(rate([0.1, 0.1], 0.1, 0.04), 4)  # two identical components share equally
    0.3974
    """
    p = np.minimum(np.asarray(ps, dtype=float).ravel(), 1.0 - np.asarray(ps, dtype=float).ravel())
    n = p.size
    if n == 1:
        return _tv.rate(float(p[0]), D, P)
    d_cap = np.array([_tv.zero_rate_distortion(q, 0.0) for q in p])
    # SLSQP in scaled units: each allocation as a fraction of its cap, the rate in units of
    # Σ H_b(p_i), the budgets relative to D and P (else tiny p_i stall it at ftol)
    scale = float(sum(_tv.rate(q, 0.0, 0.0) for q in p)) or 1.0
    caps = np.concatenate([d_cap, p])

    def split(y: np.ndarray) -> np.ndarray:
        return np.clip(y, 0.0, 1.0) * caps

    def total(x: np.ndarray) -> float:
        return float(
            sum(
                _tv.rate(q, max(d, 0.0), max(e, 0.0))
                for q, d, e in zip(p, x[:n], x[n:], strict=True)
            )
        )

    best = np.inf
    weights = [p / p.sum(), np.full(n, 1.0 / n), d_cap / d_cap.sum()]
    d_unit, p_unit = max(D, 1e-300), max(P, 1e-300) if np.isfinite(P) else 1.0
    for w in weights:
        x0 = np.concatenate([np.minimum(w * D, d_cap), np.minimum(w * P, p)])
        result = minimize(
            lambda y: total(split(y)) / scale,
            x0 / caps,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * (2 * n),
            constraints=[
                {"type": "ineq", "fun": lambda y: (D - np.sum(split(y)[:n])) / d_unit},
                {"type": "ineq", "fun": lambda y: (P - np.sum(split(y)[n:])) / p_unit},
            ],
            options={"ftol": 1e-13, "maxiter": 500},
        )
        x = split(result.x)
        # make the allocation exactly feasible before evaluating it
        if x[:n].sum() > D:
            x[:n] *= D / x[:n].sum()
        if x[n:].sum() > P:
            x[n:] *= P / x[n:].sum()
        best = min(best, total(x))
    return float(best)
