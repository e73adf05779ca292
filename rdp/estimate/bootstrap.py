"""Percentile bootstrap of the plug-in estimate (Efron & Tibshirani 1993, ch. 13)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray


def replicates(
    samples: NDArray,
    statistic: Callable[[NDArray], float],
    resamples: int,
    rng: np.random.Generator,
    *,
    progress: bool | None = None,
) -> NDArray:
    """``statistic`` on ``resamples`` draws of ``samples`` with replacement (same size)."""
    bar = None
    if resamples:
        from tqdm.auto import tqdm

        disable = None if progress is None else not progress
        bar = tqdm(total=resamples, desc="bootstrap", unit="resample", disable=disable, delay=2)
    out = np.empty(resamples)
    n = samples.shape[0]
    try:
        for b in range(resamples):
            out[b] = statistic(samples[rng.integers(0, n, n)])
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return out


def percentile_interval(values: NDArray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the bootstrap replicates."""
    alpha = 0.5 * (1.0 - level)
    low, high = np.quantile(values, [alpha, 1.0 - alpha])
    return float(low), float(high)
