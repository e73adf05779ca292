"""Percentile bootstrap of the plug-in estimate (Efron & Tibshirani 1993, ch. 13)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray


def resample(samples: NDArray, rng: np.random.Generator) -> NDArray:
    """``samples`` drawn with replacement (same size) from ``rng``."""
    n = samples.shape[0]
    return samples[rng.integers(0, n, n)]


def replicates(
    samples: NDArray,
    statistic: Callable[[NDArray], float],
    resamples: int,
    seed: int | None,
    *,
    done: list[float] | None = None,
    on_replicate: Callable[[list[float]], None] | None = None,
    progress: bool | None = None,
    draw: Callable[[NDArray, np.random.Generator], NDArray] = resample,
) -> NDArray:
    """``statistic`` on resamples ``0 … resamples − 1`` of ``samples``.

    The values in ``done`` are taken as those of the first resamples; ``on_replicate`` is
    called with the list of values after each new one (a checkpoint). ``draw(samples,
    rng)`` makes a resample from the generator of the seed ``[seed, b]`` (default
    ``resample``: the samples drawn with replacement).
    """
    values = list(done or [])[:resamples]
    bar = None
    if resamples > len(values):
        from tqdm.auto import tqdm

        disable = None if progress is None else not progress
        bar = tqdm(
            total=resamples, initial=len(values), desc="bootstrap", unit="resample",
            disable=disable, delay=2,
        )  # fmt: skip
    try:
        for b in range(len(values), resamples):
            rng = np.random.default_rng(None if seed is None else [seed, b])
            values.append(float(statistic(draw(samples, rng))))
            if on_replicate is not None:
                on_replicate(values)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return np.asarray(values, dtype=float)


def percentile_interval(values: NDArray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the bootstrap replicates."""
    alpha = 0.5 * (1.0 - level)
    low, high = np.quantile(values, [alpha, 1.0 - alpha])
    return float(low), float(high)
