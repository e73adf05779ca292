"""Differential entropy of a law from samples, with a normal interval.

**1-D: bias-corrected m-spacings.**
With the order statistics x₍₁₎ ≤ … ≤ x₍ₙ₎ and a window m, each sample contributes

    tᵢ = log(x₍ᵢ₊ₘ₎ − x₍ᵢ₋ₘ₎) − ψ(kᵢ) + ψ(n + 1),

where the indices are clamped to [1, n] and kᵢ is the number of order-statistic steps the
clamped window spans. The estimate is ĥ = mean(tᵢ) (Vasicek 1976), corrected so that it is
unbiased for every uniform law: for uniform order statistics E log(U₍ᵢ₊ₖ₎ − U₍ᵢ₎) =
ψ(k) − ψ(n + 1). The window m = round(n^{1/3}) keeps the remaining smoothing bias (positive,
of order (m/n)²) well below the standard error. The estimator is asymptotically efficient,
with variance Var(log f(X))/n; the interval is ĥ ± z·s/√n with s the standard deviation of
the tᵢ (Vasicek 1976; Beirlant, Dudewicz, Györfi & van der Meulen 1997, §3.3).

**Points of R^d: nearest neighbours.** With εᵢ the distance of sample i to its nearest
other sample, the Kozachenko–Leonenko estimate is the mean of

    tᵢ = ψ(n) − ψ(1) + log V_d + d log εᵢ,   V_d = π^{d/2}/Γ(d/2 + 1)

(Kozachenko & Leonenko 1987), with the interval ĥ ± z·s/√n as above. Its bias is negative
and grows with d; the terms are not independent, so the interval is narrower than it should
be (both measured in ``docs/estimate.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma, gammaln, ndtri


@dataclass(frozen=True)
class Entropy:
    """A differential entropy estimate in nats, with its normal interval at ``level``."""

    value: float
    lower: float
    upper: float
    level: float
    window: int


def spacing_window(n: int) -> int:
    """The window m = round(n^{1/3}) (at least 1)."""
    return max(1, round(n ** (1.0 / 3.0)))


def spacing_terms(samples: NDArray, window: int) -> NDArray | None:
    """The per-sample terms tᵢ (nats), or None when a window spans no distance (ties)."""
    x = np.sort(np.asarray(samples, dtype=float))
    n = x.size
    i = np.arange(n)
    high = np.minimum(i + window, n - 1)
    low = np.maximum(i - window, 0)
    width = x[high] - x[low]
    if not np.all(width > 0):
        return None
    return np.log(width) - digamma(high - low) + digamma(n + 1)


def neighbour_terms(points: NDArray) -> NDArray | None:
    """The Kozachenko–Leonenko terms tᵢ (nats) of points (n, d), or None when two coincide."""
    from scipy.spatial import cKDTree

    n, d = points.shape
    distance, _ = cKDTree(points).query(points, k=2)
    nearest = distance[:, 1]
    if not np.all(nearest > 0):
        return None
    log_volume = 0.5 * d * np.log(np.pi) - gammaln(0.5 * d + 1)
    return digamma(n) - digamma(1) + log_volume + d * np.log(nearest)


def differential_entropy(samples: NDArray, level: float) -> Entropy | None:
    """h(X) in nats from ``samples`` (n,) or (n, d), with a central ``level`` normal interval.

    None when the samples repeat values (a window of m-spacings of zero width, or two equal
    points): such samples look like a law with atoms, which has no differential entropy.
    """
    x = np.asarray(samples, dtype=float)
    if x.ndim == 1:
        window = spacing_window(x.size)
        terms = spacing_terms(x, window)
    else:
        window = 1  # the nearest neighbour
        terms = neighbour_terms(x)
    if terms is None:
        return None
    value = float(terms.mean())
    half = float(ndtri(0.5 + 0.5 * level)) * float(terms.std(ddof=1)) / np.sqrt(terms.size)
    return Entropy(value, value - half, value + half, level, window)
