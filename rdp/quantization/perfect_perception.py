r"""Perfect-perception decoders of a one-shot encoder and their exact MSE (Yan et al. 2021).

A deterministic encoder $f$ with K codes, followed by a decoder that may use
private noise and whose output has the source law ($p_{\hat X} = p_X$).
With $X^* = E[X \mid f(X)]$ and $D^*_f = E\|X - X^*\|^2$:

- the sampling decoder [`SamplingDecoder`][rdp.quantization.perfect_perception.SamplingDecoder]
  draws $\hat X \sim p(x \mid f(x))$ and has MSE $2 D^*_f$;
- the best decoder [`TransportDecoder`][rdp.quantization.perfect_perception.TransportDecoder]
  transports $p_{X^*}$ optimally onto $p_X$ and has MSE
  $D^*_f + W_2^2(p_{X^*}, p_X)$, between $D^*_f$ and $2 D^*_f$ [2].

[`perfect_perception_cost`][rdp.quantization.perfect_perception.perfect_perception_cost]
gives both exactly; [`monte_carlo_mse`][rdp.quantization.perfect_perception.monte_carlo_mse]
simulates them. The theorem that, for an MSE-optimal encoder, both equal
$2 D^*(K)$ is checked by [`rdp.theorems.yan2021`][rdp.theorems.yan2021].

References
----------
1. Z. Yan, F. Wen, R. Ying, C. Ma, P. Liu, "On Perceptual Lossy Compression:
   The Cost of Perceptual Reconstruction and An Optimal Training Framework",
   ICML 2021 (arXiv:2106.02782), Theorems 1–2.
2. D. Freirich, T. Michaeli, R. Meir, "A Theory of the Distortion-Perception
   Tradeoff in Wasserstein Space", NeurIPS 2021 (arXiv:2107.02555), Theorem 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp.quantization.encoders import CodeStatistics, PartitionEncoder, code_statistics
from rdp.quantization.lloyd_max import finite_distribution
from rdp.quantization.wasserstein import w2_squared_to_source

__all__ = [
    "PerfectPerceptionCost",
    "SamplingDecoder",
    "TransportDecoder",
    "draw",
    "monte_carlo_mse",
    "perfect_perception_cost",
]


@dataclass(frozen=True)
class PerfectPerceptionCost:
    r"""The MSE of the perfect-perception decoders of one encoder.

    Attributes
    ----------
    levels : int
        K; the rate is $\log_2 K$ bits.
    encoder_mse : float
        $D^*_f = E\|X - X^*\|^2$ (conditional-mean decoder, no perception constraint).
    w2_squared : float
        $W_2^2(p_{X^*}, p_X)$.
    sampling_decoder_mse : float
        MSE of $\hat X \sim p(x \mid f(x))$: exactly $2D^*_f$.
    best_decoder_mse : float
        MSE of the best perfect-perception decoder: $D^*_f + W_2^2(p_{X^*}, p_X)$.
    statistics : CodeStatistics
    """

    levels: int
    encoder_mse: float
    w2_squared: float
    sampling_decoder_mse: float
    best_decoder_mse: float
    statistics: CodeStatistics

    @property
    def rate(self) -> float:
        """log₂ K bits."""
        return float(np.log2(self.levels))


def perfect_perception_cost(distribution: Any, encoder: PartitionEncoder) -> PerfectPerceptionCost:
    r"""Exact MSE of the sampling decoder and of the best perfect-perception decoder of ``encoder``.

    $$
    E\|X - \hat X\|^2 = D^*_f + E\|X^* - \hat X\|^2, \qquad
    \text{sampling: } E\|X^* - \hat X\|^2 = D^*_f, \qquad
    \text{best: } E\|X^* - \hat X\|^2 = W_2^2(p_{X^*}, p_X).
    $$

    The first equality holds because $\hat X$ and $X$ are
    conditionally independent given $f(X)$ and
    $E[X - X^* \mid f(X)] = 0$
    ([`orthogonality_decomposition`][rdp.theorems.symbolic.orthogonality_decomposition]).
    """
    stats_ = code_statistics(distribution, encoder)
    w2 = w2_squared_to_source(distribution, stats_.centroids, stats_.probabilities)
    return PerfectPerceptionCost(
        levels=encoder.levels,
        encoder_mse=stats_.mse,
        w2_squared=w2,
        sampling_decoder_mse=2.0 * stats_.mse,
        best_decoder_mse=stats_.mse + w2,
        statistics=stats_,
    )


class SamplingDecoder:
    """The perfect-perception decoder of an encoder: draw X̂ from p(x | code), privately.

    Its output has law p_X exactly; its MSE is 2·D*_f (``mse``).
    """

    def __init__(self, distribution: Any, encoder: PartitionEncoder) -> None:
        self.distribution = distribution
        self.encoder = encoder
        self.mse = perfect_perception_cost(distribution, encoder).sampling_decoder_mse
        self._finite = finite_distribution(distribution)

    def sample(self, codes: ArrayLike, rng: np.random.Generator) -> NDArray:
        """One X̂ per code in ``codes``."""
        codes = np.asarray(codes, dtype=int)
        if self._finite is not None:
            values, weights = self._finite
            member = self.encoder.encode(values)
            out = np.empty(codes.shape)
            for k in np.unique(codes):
                w = np.where(member == k, weights, 0.0)
                sel = codes == k
                out[sel] = rng.choice(values, size=int(sel.sum()), p=w / w.sum())
            return out
        edges = np.concatenate([[-np.inf], self.encoder.breakpoints, [np.inf]])
        cdf = self.distribution.cdf(edges)
        piece_mass = np.diff(cdf)
        out = np.empty(codes.shape)
        for k in np.unique(codes):
            pieces = np.flatnonzero(self.encoder.labels == k)
            sel = codes == k
            chosen = rng.choice(
                pieces, size=int(sel.sum()), p=piece_mass[pieces] / piece_mass[pieces].sum()
            )
            u = cdf[chosen] + piece_mass[chosen] * rng.random(chosen.size)
            out[sel] = self.distribution.ppf(u)
        return out


class TransportDecoder:
    """The best perfect-perception decoder: X̂ drawn from the optimal transport of p_X* onto p_X.

    In 1-D the code of the j-th smallest centroid is sent to the j-th quantile
    interval of p_X; for a finite source, to the rows of ``ot.emd``'s plan.
    Its MSE is D*_f + W₂²(p_X*, p_X) (``mse``).
    """

    def __init__(self, distribution: Any, encoder: PartitionEncoder) -> None:
        self.distribution = distribution
        self.encoder = encoder
        cost = perfect_perception_cost(distribution, encoder)
        self.mse = cost.best_decoder_mse
        stats_ = cost.statistics
        self._finite = finite_distribution(distribution)
        if self._finite is not None:
            values, probs = self._finite
            m = (stats_.centroids[:, None] - values[None, :]) ** 2
            import ot

            self._plan = ot.emd(stats_.probabilities, probs, m, numItermax=1_000_000)
        else:
            order = np.argsort(stats_.centroids, kind="stable")
            cumulative = np.concatenate([[0.0], np.cumsum(stats_.probabilities[order])])
            cumulative[-1] = 1.0
            self._start = np.empty(encoder.levels)
            self._width = np.empty(encoder.levels)
            self._start[order] = cumulative[:-1]
            self._width[order] = np.diff(cumulative)

    def sample(self, codes: ArrayLike, rng: np.random.Generator) -> NDArray:
        """One X̂ per code in ``codes``."""
        codes = np.asarray(codes, dtype=int)
        if self._finite is not None:
            values, _ = self._finite
            out = np.empty(codes.shape)
            for k in np.unique(codes):
                row = np.maximum(self._plan[k], 0.0)
                sel = codes == k
                out[sel] = rng.choice(values, size=int(sel.sum()), p=row / row.sum())
            return out
        u = self._start[codes] + self._width[codes] * rng.random(codes.shape)
        return self.distribution.ppf(u)


def draw(distribution: Any, n: int, rng: np.random.Generator) -> NDArray:
    """``n`` samples of a frozen ``scipy.stats`` law or a finite source."""
    finite = finite_distribution(distribution)
    if finite is not None:
        values, weights = finite
        return rng.choice(values, size=n, p=weights)
    return np.asarray(distribution.rvs(size=n, random_state=rng), dtype=float)


def monte_carlo_mse(
    distribution: Any,
    encoder: PartitionEncoder,
    decoder: SamplingDecoder | TransportDecoder,
    *,
    samples: int = 200_000,
    seed: int = 0,
) -> tuple[float, float]:
    """(mean, standard error) of the squared error of ``decoder`` on fresh seeded samples."""
    rng = np.random.default_rng(seed)
    x = draw(distribution, samples, rng)
    x_hat = decoder.sample(encoder.encode(x), rng)
    err = (x - x_hat) ** 2
    return float(err.mean()), float(err.std(ddof=1) / np.sqrt(samples))
