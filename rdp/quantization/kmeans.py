r"""k-means: a K-level vector quantizer designed on samples (the empirical distribution).

$$
\min_{c_1, \dots, c_K} \frac1n \sum_{i=1}^n \min_k \lVert x_i - c_k \rVert^2
$$

Lloyd's algorithm from k-means++ seeds (``scipy.cluster.vq.kmeans2``),
several restarts, the best kept; the result is then iterated to a fixed point
(nearest-neighbour cells, centroid codevectors), which every optimum is.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.cluster.vq import kmeans2

from rdp.quantization.quantizer import VectorQuantizer


def kmeans(
    samples: ArrayLike,
    levels: int,
    *,
    seed: int | None = 0,
    restarts: int = 10,
    max_iter: int = 300,
) -> VectorQuantizer:
    """The best of ``restarts`` k-means runs on ``samples``, iterated to a Lloyd fixed point.

    Parameters
    ----------
    samples : array_like, shape (n, d) or (n,)
        Training vectors (1-D input is treated as d = 1).
    levels : int
        Number of cells K, 1 ≤ K ≤ n.
    seed : int or None
        Seed of the k-means++ initialisations.
    restarts : int
        Number of independent initialisations.
    max_iter : int
        Most Lloyd iterations per restart.

    Returns
    -------
    VectorQuantizer
        Codebook, empirical cell probabilities and training ``mse`` (summed
        over coordinates). k-means finds a local optimum; for a 1-D finite
        source use [`lloyd_max`][rdp.quantization.lloyd_max], which is exact.

    References
    ----------
    1. S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf.
       Theory 28(2), 1982.
    2. D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful
       seeding", SODA 2007.
    """
    data = np.asarray(samples, dtype=float)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[0] == 0 or not np.isfinite(data).all():
        raise ValueError("samples must be a finite (n, d) or (n,) array with n >= 1")
    n = data.shape[0]
    if isinstance(levels, bool) or int(levels) != levels or not 1 <= levels <= n:
        raise ValueError(f"levels must be an integer in [1, {n}]; got {levels!r}")
    if int(restarts) < 1 or int(max_iter) < 1:
        raise ValueError("restarts and max_iter must be integers >= 1")
    levels = int(levels)
    rng = np.random.default_rng(seed)
    best: tuple[float, NDArray, int, bool] | None = None
    for _ in range(int(restarts)):
        centres, _ = kmeans2(data, levels, minit="++", iter=1, seed=rng)
        centres, labels, iterations, converged = _lloyd(data, centres, int(max_iter))
        mse = float(((data - centres[labels]) ** 2).sum(axis=1).mean())
        if best is None or mse < best[0]:
            best = (mse, centres, iterations, converged)
    mse, centres, iterations, converged = best
    labels = _nearest(data, centres)
    probabilities = np.bincount(labels, minlength=levels) / n
    return VectorQuantizer(
        codebook=centres,
        cell_probabilities=probabilities,
        mse=mse,
        levels=levels,
        iterations=iterations,
        converged=converged,
    )


def _nearest(data: NDArray, centres: NDArray) -> NDArray:
    d2 = (data**2).sum(axis=1)[:, None] - 2.0 * data @ centres.T + (centres**2).sum(axis=1)[None]
    return np.argmin(d2, axis=1)


def _lloyd(data: NDArray, centres: NDArray, max_iter: int) -> tuple[NDArray, NDArray, int, bool]:
    """Lloyd iterations until the labels stop changing; empty cells keep their codevector."""
    labels = _nearest(data, centres)
    for iteration in range(1, max_iter + 1):
        counts = np.bincount(labels, minlength=centres.shape[0])
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, data)
        filled = counts > 0
        centres = centres.copy()
        centres[filled] = sums[filled] / counts[filled, None]
        new = _nearest(data, centres)
        if np.array_equal(new, labels):
            return centres, labels, iteration, True
        labels = new
    return centres, labels, max_iter, False
