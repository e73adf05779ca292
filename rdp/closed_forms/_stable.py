r"""Cancellation-free pieces of the KL divergences that the closed forms solve for.

Each function below is a non-negative quantity of the form "a function minus its
first-order Taylor polynomial"; evaluated as written it loses all precision when
its argument is small (the two terms agree to many digits). Below a threshold
the Taylor series is summed instead, so that each is accurate to a few ulps
over its whole range, including arguments of 1e-200 and −1e300:

- ``expm1mx(v)`` $= e^v - 1 - v$,
- ``log1pmx(t)`` $= t - \ln(1 + t)$,
- ``xlog1pmx(t)`` $= (1 + t)\ln(1 + t) - t$,
- ``xexpmx(v)`` $= v e^v - e^v + 1$, i.e. ``xlog1pmx`` at $t = e^v - 1$;
- ``expm1mx_array``: ``expm1mx`` elementwise.

With $g(x) = x - 1 - \ln x$ and $\psi(x) = x\ln x - x + 1$ these are
$g(e^v)$, $g(1 + t)$, $\psi(1 + t)$ and $\psi(e^v)$; KL divergences between two
Bernoulli or two centred Gaussian laws are sums of such terms with
non-negative weights.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray


def expm1mx(v: float) -> float:
    r"""$e^v - 1 - v = \sum_{k \ge 2} v^k/k!$ (≥ 0; ``inf`` at v = −∞ or +∞)."""
    if abs(v) < 0.5:
        term, total = v * v / 2.0, 0.0
        for k in range(3, 20):
            total += term
            term *= v / k
        return total
    return math.expm1(v) - v if v < 700.0 else math.inf


def log1pmx(t: float) -> float:
    r"""$t - \ln(1 + t) = \sum_{k \ge 2} (-1)^k t^k / k$ for t > −1 (≥ 0)."""
    if abs(t) < 0.25:
        power, total = t * t, 0.0
        for k in range(2, 32):
            total += power / k if k % 2 == 0 else -power / k
            power *= t
        return total
    return t - math.log1p(t)


def xlog1pmx(t: float) -> float:
    r"""$(1 + t)\ln(1 + t) - t = \sum_{k \ge 2} (-1)^k t^k / (k(k-1))$ for t ≥ −1 (≥ 0)."""
    if abs(t) < 0.25:
        power, total = t * t, 0.0
        for k in range(2, 30):
            term = power / (k * (k - 1))
            total += term if k % 2 == 0 else -term
            power *= t
        return total
    if t == -1.0:
        return 1.0
    return (1.0 + t) * math.log1p(t) - t


def xexpmx(v: float) -> float:
    r"""$v e^v - e^v + 1 = 1 - e^v(1 - v) = \sum_{k \ge 2} (k-1) v^k / k!$ for v ≤ 0 (∈ [0, 1])."""
    if v == -math.inf:
        return 1.0
    if abs(v) < 0.5:
        term, total = v * v / 2.0, 0.0  # term = v^k / k!
        for k in range(2, 20):
            total += (k - 1) * term
            term *= v / (k + 1)
        return total
    return 1.0 - math.exp(v) * (1.0 - v)


def expm1mx_array(v: NDArray) -> NDArray:
    """``expm1mx`` elementwise on an array (``inf`` where v is ±∞ or overflows)."""
    v = np.asarray(v, dtype=float)
    small = np.abs(v) < 0.5
    w = np.where(small, v, 0.0)
    k = np.arange(2, 20)
    series = (w[..., None] ** k / np.cumprod(np.concatenate([[2.0], k[1:]]))).sum(axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        direct = np.where(v < 700.0, np.expm1(np.minimum(v, 700.0)) - v, np.inf)
    return np.where(small, series, np.where(np.isnan(v), np.nan, direct))
