"""Differential entropy of a 1-D law from samples: bias-corrected m-spacings with an interval.

With the order statistics x₍₁₎ ≤ … ≤ x₍ₙ₎ and a window m, each sample contributes

    tᵢ = log(x₍ᵢ₊ₘ₎ − x₍ᵢ₋ₘ₎) − ψ(kᵢ) + ψ(n + 1),

where the indices are clamped to [1, n] and kᵢ is the number of order-statistic steps the
clamped window spans. The estimate is ĥ = mean(tᵢ) (Vasicek 1976), corrected so that it is
unbiased for every uniform law: for uniform order statistics E log(U₍ᵢ₊ₖ₎ − U₍ᵢ₎) =
ψ(k) − ψ(n + 1). The window m = round(n^{1/3}) keeps the remaining smoothing bias (positive,
of order (m/n)²) well below the standard error. The estimator is asymptotically efficient,
with variance Var(log f(X))/n; the interval is ĥ ± z·s/√n with s the standard deviation of
the tᵢ (Vasicek 1976; Beirlant, Dudewicz, Györfi & van der Meulen 1997, §3.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma, ndtri


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


def differential_entropy(samples: NDArray, level: float) -> Entropy | None:
    """h(X) in nats from 1-D ``samples``, with a central ``level`` normal interval.

    None when the samples repeat a value so often that a window of m-spacings has zero
    width: such samples look like a law with atoms, which has no differential entropy.
    """
    x = np.asarray(samples, dtype=float)
    window = spacing_window(x.size)
    terms = spacing_terms(x, window)
    if terms is None:
        return None
    value = float(terms.mean())
    half = float(ndtri(0.5 + 0.5 * level)) * float(terms.std(ddof=1)) / np.sqrt(x.size)
    return Entropy(value, value - half, value + half, level, window)
