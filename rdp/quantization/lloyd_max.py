r"""Optimal scalar quantizers: Lloyd–Max (continuous sources) and an exact dynamic program (finite).

A K-level quantizer of a real random variable X has MSE
$\mathbb E[(X - Q(X))^2]$; the least value over all K-level quantizers is
$D^*(K)$. Its necessary conditions (Lloyd 1957/1982; Max 1960) are

$$
t_k = \tfrac12 (c_k + c_{k+1}), \qquad c_k = \mathbb E[X \mid t_{k-1} < X \le t_k],
$$

and for a log-concave density (normal, Laplace, uniform, ...) the fixed point is
unique, hence the global optimum (Fleischer 1964; Trushkin 1982). For a finite
support the optimal cells are contiguous runs of the sorted support, and the
best partition is found exactly by dynamic programming over cut points
(Bruce 1965; Wu 1991), so "optimal" is true, not a local optimum.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from rdp.quantization.moments import cell_statistics
from rdp.quantization.quantizer import ScalarQuantizer
from rdp.sources import Bernoulli, Discrete


def lloyd_max(
    distribution: Any,
    levels: int,
    *,
    tol: float = 1e-13,
    max_iter: int = 100_000,
) -> ScalarQuantizer:
    r"""The MSE-optimal K-level scalar quantizer of a 1-D distribution.

    $$
    D^*(K) = \min_{t_0 < \dots < t_{K-2},\; c_0, \dots, c_{K-1}}
    \sum_{k} \int_{t_{k-1}}^{t_k} (x - c_k)^2 \, dF(x)
    $$

    Parameters
    ----------
    distribution : scipy.stats frozen distribution, Discrete, Bernoulli, array or (values, weights)
        A frozen continuous ``scipy.stats`` distribution with finite variance
        (Lloyd–Max with exact cell statistics, ``rdp.quantization.moments``);
        a finite source: [`rdp.Discrete`][rdp.sources.Discrete],
        [`rdp.Bernoulli`][rdp.sources.Bernoulli], a frozen
        discrete ``scipy.stats`` distribution with finite support, a 1-D array of
        samples (the empirical distribution) or a pair ``(values, weights)``
        (exact dynamic program).
    levels : int
        Number of cells K ≥ 1 (at most the number of support points of a finite source).
    tol : float
        Lloyd stops when no threshold moves more than ``tol`` times the source's
        standard deviation.
    max_iter : int
        Most Lloyd iterations.

    Returns
    -------
    ScalarQuantizer
        Thresholds, centroid codepoints, cell probabilities and ``mse`` = D*(K).

    Examples
    --------
    >>> from scipy import stats
    >>> round(lloyd_max(stats.norm(), 2).mse, 4)  # 1 - 2/π
    0.3634

    References
    ----------
    1. J. Max, "Quantizing for minimum distortion", IRE Trans. Inf. Theory
       6(1), 1960 (Table I).
    2. S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf.
       Theory 28(2), 1982.
    3. X. Wu, "Optimal quantization by matrix searching", J. Algorithms 12, 1991
       (dynamic programming for finite alphabets).
    """
    levels = _check_levels(levels)
    if tol <= 0 or not np.isfinite(tol):
        raise ValueError(f"tol must be a finite number > 0; got {tol!r}")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be an integer >= 1; got {max_iter!r}")
    finite = finite_distribution(distribution)
    if finite is not None:
        return _dynamic_program(*finite, levels)
    return _lloyd_continuous(distribution, levels, tol, int(max_iter))


def _check_levels(levels: int) -> int:
    if isinstance(levels, bool) or int(levels) != levels or levels < 1:
        raise ValueError(f"levels must be an integer >= 1; got {levels!r}")
    return int(levels)


def finite_distribution(distribution: Any) -> tuple[NDArray, NDArray] | None:
    """(sorted distinct support values, their positive weights) of a finite source, else None.

    ``None`` means ``distribution`` is a continuous ``scipy.stats`` distribution.
    Accepts what [`lloyd_max`][rdp.quantization.lloyd_max.lloyd_max] accepts; duplicate values are
    merged.
    """
    if isinstance(distribution, Bernoulli | Discrete):
        d = distribution.to_discrete()
        values, weights = d.alphabet, d.pmf
    elif hasattr(distribution, "dist") and hasattr(distribution.dist, "pmf"):
        lo, hi = distribution.support()
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError("a discrete scipy.stats distribution must have a finite support")
        values = np.arange(lo, hi + 1, dtype=float)
        weights = distribution.pmf(values)
    elif hasattr(distribution, "dist") and hasattr(distribution, "pdf"):
        return None
    elif isinstance(distribution, tuple) and len(distribution) == 2:
        values = np.asarray(distribution[0], dtype=float)
        weights = np.asarray(distribution[1], dtype=float)
    else:
        values = np.asarray(distribution, dtype=float)
        if values.ndim != 1:
            raise ValueError(
                "distribution must be a frozen scipy.stats distribution, a Discrete/Bernoulli "
                f"source, 1-D samples or (values, weights); got an array of shape {values.shape}"
            )
        weights = np.ones(values.size)
    if values.ndim != 1 or values.shape != weights.shape or values.size == 0:
        raise ValueError("values and weights must be 1-D arrays of the same non-zero length")
    if not (np.isfinite(values).all() and np.isfinite(weights).all()) or (weights < 0).any():
        raise ValueError("values must be finite and weights finite and non-negative")
    if weights.sum() <= 0:
        raise ValueError("weights must have a positive sum")
    keep = weights > 0
    values, weights = values[keep], weights[keep] / weights[keep].sum()
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    unique, inverse = np.unique(values, return_inverse=True)
    merged = np.bincount(inverse, weights=weights)
    return unique, merged


def _dynamic_program(values: NDArray, weights: NDArray, levels: int) -> ScalarQuantizer:
    """Exact optimum over partitions of the sorted support into ``levels`` contiguous cells."""
    n = values.size
    if levels > n:
        raise ValueError(
            f"levels must be at most the number of support points ({n}) of a finite source; "
            f"got {levels}"
        )
    centred = values - np.dot(weights, values)
    w = np.concatenate([[0.0], np.cumsum(weights)])
    s1 = np.concatenate([[0.0], np.cumsum(weights * centred)])
    s2 = np.concatenate([[0.0], np.cumsum(weights * centred**2)])

    def cost(i: NDArray, j: NDArray) -> NDArray:
        """Within-cell squared error of the run values[i:j] (j > i)."""
        mass = w[j] - w[i]
        first = s1[j] - s1[i]
        return np.maximum(s2[j] - s2[i] - first * first / mass, 0.0)

    # best[k, j]: least error of the first j points in k+1 cells; cut[k, j]: start of the last cell
    best = np.full((levels, n + 1), np.inf)
    cut = np.zeros((levels, n + 1), dtype=int)
    ends = np.arange(1, n + 1)
    best[0, 1:] = cost(np.zeros(n, dtype=int), ends)
    for k in range(1, levels):
        for j in range(k + 1, n + 1):
            starts = np.arange(k, j)
            total = best[k - 1, starts] + cost(starts, np.full(starts.size, j))
            arg = int(np.argmin(total))
            best[k, j], cut[k, j] = total[arg], starts[arg]
    bounds = [n]
    for k in range(levels - 1, 0, -1):
        bounds.append(cut[k, bounds[-1]])
    bounds.append(0)
    bounds = bounds[::-1]
    probs, cents, errors = [], [], []
    for i, j in itertools.pairwise(bounds):
        mass = weights[i:j].sum()
        centre = np.dot(weights[i:j], values[i:j]) / mass
        probs.append(mass)
        cents.append(centre)
        errors.append(np.dot(weights[i:j], (values[i:j] - centre) ** 2))
    codepoints = np.array(cents)
    # thresholds: codepoint midpoints, kept between the boundary support points
    mid = 0.5 * (codepoints[:-1] + codepoints[1:])
    cuts = np.array(bounds[1:-1], dtype=int)
    left, right = values[cuts - 1], values[cuts]
    thresholds = np.clip(mid, left, np.nextafter(right, -np.inf))
    return ScalarQuantizer(
        thresholds=thresholds,
        codepoints=codepoints,
        cell_probabilities=np.array(probs),
        mse=float(np.sum(errors)),
        levels=levels,
        iterations=0,
        converged=True,
        method="dynamic-programming",
    )


#: Lloyd steps before the fixed-point equations are polished by a quasi-Newton root finder.
WARM_UP_ITERATIONS = 10


def _newton_polish(lloyd_map, thresholds: NDArray, xtol: float) -> NDArray:
    """Solve ``lloyd_map(t) = t`` by MINPACK's hybrid method from ``thresholds``.

    Lloyd's iteration converges linearly and slowly for many levels; the root
    finder reaches the same fixed point in a few Jacobian evaluations. The
    result is kept only if it is increasing and a closer fixed point; Lloyd's
    iteration then confirms it (its next step must be below the tolerance).
    """
    start_residual = np.max(np.abs(lloyd_map(thresholds) - thresholds))
    solution = optimize.root(
        lambda t: lloyd_map(t) - t, thresholds, method="hybr", options={"xtol": 1e-15}
    )
    candidate = solution.x
    if not np.all(np.isfinite(candidate)) or np.any(np.diff(candidate) <= 0):
        return thresholds
    residual = np.max(np.abs(lloyd_map(candidate) - candidate))
    return candidate if residual < start_residual else thresholds


def _lloyd_continuous(distribution: Any, levels: int, tol: float, max_iter: int) -> ScalarQuantizer:
    variance = float(distribution.var())
    if not np.isfinite(variance) or variance <= 0:
        raise ValueError(
            "distribution must have a finite positive variance for MSE quantization; "
            f"got {variance}"
        )
    scale = np.sqrt(variance)

    def lloyd_map(t: NDArray) -> NDArray:
        """One Lloyd step: the midpoints of the centroids of the cells cut at ``t``."""
        lower = np.concatenate([[-np.inf], t])
        upper = np.concatenate([t, [np.inf]])
        _, centroids, _ = cell_statistics(distribution, lower, upper)
        return 0.5 * (centroids[:-1] + centroids[1:])

    thresholds = np.asarray(distribution.ppf(np.arange(1, levels) / levels), dtype=float)
    converged = levels == 1
    iterations = 0
    while not converged and iterations < max_iter:
        new = lloyd_map(thresholds)
        iterations += 1
        step = float(np.max(np.abs(new - thresholds)))
        thresholds = new
        if step <= tol * scale:
            converged = True
        elif iterations == WARM_UP_ITERATIONS:
            thresholds = _newton_polish(lloyd_map, thresholds, tol * scale)
    lower = np.concatenate([[-np.inf], thresholds])
    upper = np.concatenate([thresholds, [np.inf]])
    probs, centroids, spreads = cell_statistics(distribution, lower, upper)
    return ScalarQuantizer(
        thresholds=thresholds,
        codepoints=centroids,
        cell_probabilities=probs,
        mse=float(np.sum(spreads)),
        levels=levels,
        iterations=iterations if levels > 1 else 0,
        converged=converged,
        method="lloyd-max",
    )
