r"""One-shot encoders of a 1-D source whose cells need not be intervals, and what they keep.

A [`PartitionEncoder`][rdp.quantization.encoders.PartitionEncoder] cuts the real
line at breakpoints and labels the pieces, a code possibly owning several pieces
([`modulo_encoder`][rdp.quantization.encoders.modulo_encoder]);
[`code_statistics`][rdp.quantization.encoders.code_statistics] gives the law of
$X^* = E[X \mid f(X)]$ it leaves of the source, exactly (cell moments of a
continuous law, sums over a finite support).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp.quantization.lloyd_max import finite_distribution
from rdp.quantization.moments import cell_statistics
from rdp.quantization.quantizer import ScalarQuantizer

__all__ = [
    "CodeStatistics",
    "PartitionEncoder",
    "code_statistics",
    "modulo_encoder",
    "uniform_encoder",
]


@dataclass(frozen=True)
class PartitionEncoder:
    """A deterministic 1-D encoder: the real line cut at ``breakpoints``, pieces labelled.

    Piece i is $(b_{i-1}, b_i]$ (with $b_{-1} = -\\infty$,
    $b_{M-1} = +\\infty$) and is sent to code ``labels[i]``; a code may
    own several pieces, so cells need not be intervals.

    Parameters
    ----------
    breakpoints : ndarray, shape (M-1,)
        Increasing cut points.
    labels : ndarray of int, shape (M,)
        Code of each piece, every code in ``0..K-1`` used.
    """

    breakpoints: NDArray
    labels: NDArray

    def __post_init__(self) -> None:
        b = np.asarray(self.breakpoints, dtype=float).ravel()
        lab = np.asarray(self.labels).ravel()
        if lab.size != b.size + 1:
            raise ValueError(f"labels must have len(breakpoints) + 1 = {b.size + 1} entries")
        if np.any(np.diff(b) <= 0) or not np.isfinite(b).all():
            raise ValueError("breakpoints must be finite and strictly increasing")
        if not np.issubdtype(lab.dtype, np.integer) or lab.min() < 0:
            raise ValueError("labels must be non-negative integers")
        if set(lab.tolist()) != set(range(int(lab.max()) + 1)):
            raise ValueError("labels must use every code 0..K-1")
        object.__setattr__(self, "breakpoints", b)
        object.__setattr__(self, "labels", lab.astype(int))

    @classmethod
    def from_quantizer(cls, quantizer: ScalarQuantizer) -> PartitionEncoder:
        """The encoder of a scalar quantizer (interval cells, code k = cell k)."""
        return cls(quantizer.thresholds, np.arange(quantizer.levels))

    @property
    def levels(self) -> int:
        """Number of codes K."""
        return int(self.labels.max()) + 1

    def encode(self, x: ArrayLike) -> NDArray:
        """Codes of the values ``x``."""
        return self.labels[np.searchsorted(self.breakpoints, np.asarray(x, float), side="left")]


def modulo_encoder(
    levels: int, step: float, pieces: int, *, centre: float = 0.0
) -> PartitionEncoder:
    """A wrapped (modulo) uniform encoder: ``pieces`` cells of width ``step``, codes cycling.

    Piece i (of ``pieces``, centred on ``centre``) gets code ``i mod levels``;
    its cells are unions of separated intervals, hence not optimally coupled to
    their centroids — a sub-optimal encoder for which the best perfect-perception
    decoder beats the sampling decoder.
    """
    if pieces < levels:
        raise ValueError(f"pieces must be >= levels ({levels}); got {pieces}")
    edges = centre + step * (np.arange(1, pieces) - pieces / 2)
    return PartitionEncoder(edges, np.arange(pieces) % levels)


def uniform_encoder(levels: int, step: float, *, centre: float = 0.0) -> PartitionEncoder:
    """Uniform thresholds ``centre + step·(k − K/2)``: interval cells, sub-optimal in general."""
    return modulo_encoder(levels, step, levels, centre=centre)


@dataclass(frozen=True)
class CodeStatistics:
    r"""What an encoder leaves of the source: the law of $X^* = E[X | f(X)]$.

    Attributes
    ----------
    probabilities : ndarray, shape (K,)
        $P(f(X) = k)$.
    centroids : ndarray, shape (K,) or (K, d)
        $x^*_k = E[X | f(X) = k]$.
    within : ndarray, shape (K,)
        $E[\|X - x^*_k\|^2 ; f(X) = k]$, summing to $D^*_f$.
    """

    probabilities: NDArray
    centroids: NDArray
    within: NDArray

    @property
    def mse(self) -> float:
        """D*_f = E‖X − X*‖²: the MSE of the encoder with its conditional-mean decoder."""
        return float(self.within.sum())


def code_statistics(distribution: Any, encoder: PartitionEncoder) -> CodeStatistics:
    """The law of X* = E[X | f(X)] for a 1-D source (continuous: exact; finite: exact sums).

    Parameters
    ----------
    distribution : scipy.stats frozen distribution or finite source
        As accepted by [`rdp.quantization.lloyd_max`][rdp.quantization.lloyd_max].
    encoder : PartitionEncoder
    """
    K = encoder.levels
    finite = finite_distribution(distribution)
    if finite is not None:
        values, weights = finite
        codes = encoder.encode(values)
        prob = np.bincount(codes, weights=weights, minlength=K)
        first = np.bincount(codes, weights=weights * values, minlength=K)
        centroids = np.divide(first, prob, out=np.zeros(K), where=prob > 0)
        within = np.bincount(codes, weights=weights * (values - centroids[codes]) ** 2, minlength=K)
        return CodeStatistics(prob, centroids, within)
    lower = np.concatenate([[-np.inf], encoder.breakpoints])
    upper = np.concatenate([encoder.breakpoints, [np.inf]])
    p, m, v = cell_statistics(distribution, lower, upper)
    prob = np.bincount(encoder.labels, weights=p, minlength=K)
    centroids = np.bincount(encoder.labels, weights=p * m, minlength=K) / prob
    spread = v + p * (m - centroids[encoder.labels]) ** 2
    return CodeStatistics(prob, centroids, np.bincount(encoder.labels, weights=spread, minlength=K))
