"""``rdp.estimate.rate``: R(D, P) of the law behind 1-D samples, with a bootstrap interval."""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import ArrayLike

from rdp._validation import as_real_array, check_choice
from rdp.estimate.bootstrap import percentile_interval, replicates
from rdp.estimate.empirical import MOVABLE, quantise, solve_empirical
from rdp.estimate.result import EstimateResult
from rdp.perceptions import PERCEPTION_NAMES
from rdp.units import UNITS

#: Distortions the estimator accepts.
DISTORTIONS = ("mse", "absolute")
#: Fewest samples accepted.
MIN_SAMPLES = 20


def rate(
    samples: ArrayLike,
    D: float,
    P: float = np.inf,
    *,
    distortion: str = "mse",
    perception: str = "none",
    cells: int = 64,
    particles: int | None = None,
    max_rounds: int = 5,
    bootstrap: int = 50,
    level: float = 0.9,
    seed: int | None = 0,
    units: str = "bits",
    tol: float = 1e-6,
    progress: bool | None = None,
) -> EstimateResult:
    r"""Estimate R(D, P) of the law that produced 1-D ``samples``.

    $$
    R(D, P) = \min_{p_{\hat X | X}} I(X; \hat X)
    \quad\text{s.t.}\quad \mathbb E[\Delta(X, \hat X)] \le D,\;
    d(p_X, p_{\hat X}) \le P
    $$

    (Blau & Michaeli 2019 [1], Eq. (3)) is estimated by its plug-in value: the same problem
    for the empirical law of the samples put on ``cells`` equal-width cells (cell values: the
    cells' sample means). The reconstruction is held on a finite set of points, the
    particles, as in particle estimates of R(D) (Yang, Eckstein & Mandt 2023 [2]). They start
    at the cell values; with a Wasserstein or no perception constraint they then move by
    Lloyd steps (each particle to the conditional mean, for MSE, or median, for absolute
    error, of the sources the optimal channel sends to it) while the certified upper bound
    decreases. For each set of particles the finite problem is solved by the certified fast
    solver (``method="fast"``), so ``estimate`` is the rate of a channel that meets D and P
    for the quantised empirical law: an upper bound on that law's R(D, P).

    The interval is a percentile bootstrap (Efron & Tibshirani 1993 [3]): the whole
    procedure is rerun on ``bootstrap`` resamples of the samples with replacement, drawn
    with ``seed``.

    What is and is not claimed:

    - ``empirical_upper`` (= ``estimate``) is certified for the *quantised empirical law*,
      not for the population; ``empirical_lower`` holds only with the particles fixed.
    - The plug-in estimate is biased at finite sample size; the percentile interval is
      centred on the plug-in and does not correct that bias. Quantising to ``cells`` cells
      discards ``within_cell_mse`` of the samples' spread, and a finite set of particles
      can only raise the rate; both shrink as ``cells`` grows.
    - No lower confidence bound other than the bootstrap's is provided (no Shannon-type or
      dual lower bound).
    - Only 1-D samples (d = 1) are supported.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, 1)
        Finite real samples, n ≥ 20.
    D : float
        Distortion bound, > 0, in the distortion's units (squared or absolute units of the
        samples).
    P : float
        Perception bound in [0, ∞] (``inf``: no constraint). W₁ in the samples' units,
        W₂ as the squared W₂², KL in ``units``.
    distortion : {'mse', 'absolute'}
        Δ(x, x̂) = (x − x̂)² or |x − x̂|.
    perception : {'none', 'w1', 'w2', 'tv', 'kl-source-recon', 'kl-recon-source'}
        The perception measure. W₁ and W₂² use the ground cost |x − x̂| and (x − x̂)².
        TV and KL compare laws on one alphabet: the reconstruction is then held on the cell
        values (``particles`` must be None) and the particles do not move.
    cells : int
        Number of equal-width cells of the empirical law, in [2, 2000] (default 64).
    particles : int, optional
        Number of reconstruction points (default: one per non-empty cell, at the cell
        values); otherwise they start at mid-quantiles of the quantised law.
    max_rounds : int
        Most Lloyd rounds after the first solve (0: particles fixed).
    bootstrap : int
        Bootstrap resamples (0: no interval; ``ci_lower = ci_upper = estimate``).
    level : float
        Coverage of the interval, in (0, 1).
    seed : int, optional
        Seed of the resampling (None: fresh entropy, not reproducible).
    units : {'bits', 'nats'}
        Unit of the rates and of KL perception bounds.
    tol : float
        Certified gap of each finite solve, in ``units``.
    progress : bool, optional
        A progress bar over the bootstrap resamples on stderr (None: on a terminal only).

    Returns
    -------
    EstimateResult
        ``estimate``, the certified ``empirical_lower``/``empirical_upper`` of the finite
        problem, ``ci_lower``/``ci_upper``, ``particles``, ``n_samples``, ``seed`` and
        ``status = 'estimate'``.

    Raises
    ------
    ValueError
        For a bad argument (one line naming it, before any work), or a D below the least
        distortion the empirical problem reaches at P (also in a resample).

    Examples
    --------
    >>> import numpy as np
    >>> from rdp.estimate import rate
    >>> x = np.random.default_rng(1).standard_normal(2000)
    >>> result = rate(x, 0.3, 0.0, perception="w2", bootstrap=0)
    >>> result.status, round(result.estimate, 2)   # N(0, 1)'s closed form: 0.92 bits
    ('estimate', 0.93)

    References
    ----------
    1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
       Rate-Distortion-Perception Tradeoff", ICML 2019, Eq. (3).
    2. Y. Yang, S. Eckstein and S. Mandt, "Estimating the Rate-Distortion Function by
       Wasserstein Gradient Descent", NeurIPS 2023.
    3. B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman &
       Hall, 1993, ch. 13.
    """
    start = time.perf_counter()
    x = _check_samples(samples)
    D = _check_number(D, "D", low=0.0, open_low=True)
    P = _check_number(P, "P", low=0.0, allow_inf=True)
    check_choice(distortion, "distortion", DISTORTIONS)
    check_choice(perception, "perception", tuple(PERCEPTION_NAMES))
    check_choice(units, "units", UNITS)
    cells = _check_int(cells, "cells", 2, 2000)
    if particles is not None:
        if perception not in MOVABLE:
            raise ValueError(
                f"particles must be None with perception {perception!r}: TV and KL compare "
                "laws on one alphabet, so the reconstruction stays on the cell values"
            )
        particles = _check_int(particles, "particles", 1, 2000)
    max_rounds = _check_int(max_rounds, "max_rounds", 0, 1000)
    bootstrap = _check_int(bootstrap, "bootstrap", 0, 100_000)
    level = _check_number(level, "level", low=0.0, open_low=True)
    if not level < 1:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    tol = _check_number(tol, "tol", low=0.0, open_low=True)
    if seed is not None:
        seed = _check_int(seed, "seed", 0, 2**63 - 1)

    def solve(values: np.ndarray):
        cut = quantise(values, cells)
        solution = solve_empirical(
            cut.source, D, P, distortion=distortion, perception=perception,
            particles=particles, max_rounds=max_rounds, units=units, tol=tol,
        )  # fmt: skip
        return cut, solution

    cut, solution = solve(x)
    ci = (solution.upper, solution.upper)
    if bootstrap:
        rng = np.random.default_rng(seed)
        values = replicates(x, lambda v: solve(v)[1].upper, bootstrap, rng, progress=progress)
        ci = percentile_interval(values, level)
    return EstimateResult(
        estimate=solution.upper,
        empirical_lower=solution.lower,
        empirical_upper=solution.upper,
        empirical_status=solution.status,
        ci_lower=ci[0],
        ci_upper=ci[1],
        level=level,
        bootstrap=bootstrap,
        n_samples=int(x.size),
        cells=cut.source.size,
        within_cell_mse=cut.within_cell_mse,
        particles=solution.particles,
        particle_weights=solution.weights,
        rounds=solution.rounds,
        D=D,
        P=P,
        distortion=distortion,
        perception=perception,
        units=units,
        seed=seed,
        seconds=time.perf_counter() - start,
    )


def _check_samples(samples: ArrayLike) -> np.ndarray:
    x = as_real_array(samples, "samples")
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(
            f"samples must be 1-D, shape (n,) or (n, 1); got shape {x.shape} "
            "(samples in R^d with d > 1 are not supported)"
        )
    if x.size < MIN_SAMPLES or not np.isfinite(x).all():
        raise ValueError(
            f"samples must hold at least {MIN_SAMPLES} finite numbers; got {x.size} values"
            + ("" if np.isfinite(x).all() else " with non-finite entries")
        )
    if np.ptp(x) == 0:
        raise ValueError("samples must not all be equal (the law is a point mass: R = 0)")
    return x


def _check_number(
    value: float, name: str, *, low: float, open_low: bool = False, allow_inf: bool = False
) -> float:
    if isinstance(value, bool | str):
        raise ValueError(f"{name} must be a number; got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}") from None
    bad_low = number <= low if open_low else number < low
    if np.isnan(number) or bad_low or (np.isinf(number) and not allow_inf):
        interval = f"({low:g}, " if open_low else f"[{low:g}, "
        raise ValueError(
            f"{name} must be in {interval}{'inf]' if allow_inf else 'inf)'}; got {value!r}"
        )
    return number


def _check_int(value: int, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer in [{low}, {high}]; got {value!r}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}]; got {value!r}")
    return int(value)
