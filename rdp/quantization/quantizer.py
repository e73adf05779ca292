"""The designed quantizers: ``ScalarQuantizer`` and ``VectorQuantizer``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class ScalarQuantizer:
    r"""A K-level scalar quantizer with interval cells and centroid codepoints.

    Cell k is the interval $(t_{k-1}, t_k]$ with $t_{-1} = -\infty$,
    $t_{K-1} = +\infty$; its codepoint is the conditional mean
    $c_k = \mathbb E[X \mid X \in \text{cell } k]$.

    Attributes
    ----------
    thresholds : ndarray, shape (K-1,)
        Increasing cell boundaries.
    codepoints : ndarray, shape (K,)
        Codepoints (centroids of the cells), increasing.
    cell_probabilities : ndarray, shape (K,)
        $P(X \in \text{cell } k)$.
    mse : float
        $\mathbb E[(X - c_{f(X)})^2]$; for [`lloyd_max`][rdp.quantization.lloyd_max]
        this is the least MSE of any K-level quantizer, $D^*(K)$.
    levels : int
        Number of cells K.
    iterations : int
        Lloyd iterations used (0 for the exact dynamic program of discrete sources).
    converged : bool
        Whether the design met its tolerance.
    method : str
        'lloyd-max' (continuous source) or 'dynamic-programming' (finite support).
    """

    thresholds: NDArray
    codepoints: NDArray
    cell_probabilities: NDArray
    mse: float
    levels: int
    iterations: int
    converged: bool
    method: str = "lloyd-max"

    @property
    def rate(self) -> float:
        """log₂ K bits per sample (fixed-length code)."""
        return float(np.log2(self.levels))

    def encode(self, x: ArrayLike) -> NDArray:
        """Cell indices in ``0..K-1`` of the values ``x`` (any shape)."""
        return np.searchsorted(self.thresholds, np.asarray(x, dtype=float), side="left")

    def decode(self, indices: ArrayLike) -> NDArray:
        """Codepoints of the cell indices ``indices`` (any shape)."""
        idx = np.asarray(indices)
        if idx.size and (idx.min() < 0 or idx.max() >= self.levels):
            raise ValueError(f"indices must lie in [0, {self.levels - 1}]")
        return self.codepoints[idx]

    def quantize(self, x: ArrayLike) -> NDArray:
        """``decode(encode(x))``."""
        return self.decode(self.encode(x))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {
            "levels": self.levels,
            "rate": self.rate,
            "mse": self.mse,
            "thresholds": self.thresholds.tolist(),
            "codepoints": self.codepoints.tolist(),
            "cell_probabilities": self.cell_probabilities.tolist(),
            "iterations": self.iterations,
            "converged": self.converged,
            "method": self.method,
        }


@dataclass(frozen=True)
class VectorQuantizer:
    r"""A K-level nearest-neighbour vector quantizer designed on samples (k-means).

    Attributes
    ----------
    codebook : ndarray, shape (K, d)
        Codevectors (centroids of their cells on the training samples).
    cell_probabilities : ndarray, shape (K,)
        Fraction of the training samples in each cell.
    mse : float
        $\frac1n \sum_i \lVert x_i - c_{f(x_i)} \rVert^2$ on the training
        samples (summed over coordinates).
    levels : int
        Number of cells K.
    iterations : int
        Lloyd iterations of the best restart.
    converged : bool
        Whether the best restart reached a fixed point (labels stable, codevectors
        the centroids of their cells).
    """

    codebook: NDArray
    cell_probabilities: NDArray
    mse: float
    levels: int
    iterations: int
    converged: bool

    @property
    def rate(self) -> float:
        """log₂ K bits per vector."""
        return float(np.log2(self.levels))

    @property
    def dimension(self) -> int:
        """Dimension d of the vectors."""
        return int(self.codebook.shape[1])

    def encode(self, x: ArrayLike) -> NDArray:
        """Index of the nearest codevector for each row of ``x`` (shape (n, d) or (d,))."""
        pts = np.atleast_2d(np.asarray(x, dtype=float))
        if pts.shape[-1] != self.dimension:
            raise ValueError(f"x must have {self.dimension} columns; got shape {pts.shape}")
        d2 = ((pts[:, None, :] - self.codebook[None, :, :]) ** 2).sum(axis=-1)
        return np.argmin(d2, axis=1)

    def decode(self, indices: ArrayLike) -> NDArray:
        """Codevectors of ``indices``."""
        idx = np.asarray(indices)
        if idx.size and (idx.min() < 0 or idx.max() >= self.levels):
            raise ValueError(f"indices must lie in [0, {self.levels - 1}]")
        return self.codebook[idx]
