"""``rdp.estimate.rate`` and ``rdp.estimate.distortion``: R(D, P) and D(R, P) of the law
behind samples (real numbers or points of R^d), with a bootstrap interval and a Shannon
lower side."""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import as_real_array, check_choice
from rdp.estimate.bootstrap import percentile_interval, replicates, resample
from rdp.estimate.checkpoint import Checkpoint, key
from rdp.estimate.empirical import (
    MOVABLE,
    EmpiricalSolution,
    Quantised,
    invert_empirical,
    quantise,
    resample_halves,
    sample_atoms,
    solve_empirical,
    split_atoms,
)
from rdp.estimate.entropy import differential_entropy
from rdp.estimate.result import DistortionEstimateResult, EstimateResult
from rdp.estimate.shannon import distortion_lower_bound, rate_lower_bound
from rdp.perceptions import PERCEPTION_NAMES
from rdp.units import UNITS

#: Distortions the estimator accepts.
DISTORTIONS = ("mse", "absolute")
#: Fewest samples accepted.
MIN_SAMPLES = 20
#: Default number of cells of 1-D samples.
DEFAULT_CELLS = 64
#: Default number of source atoms of points of R^d without perception constraint (all the
#: samples up to this many).
ATOMS = 10_000
#: Default number of source atoms of points of R^d under W₂²: as many companion points hold
#: the reconstruction, so the finite problem is ATOMS_W2 × ATOMS_W2.
ATOMS_W2 = 2000
#: Most lattice cells (``cells`` to the power d) accepted for points of R^d.
MAX_LATTICE = 4096
#: Most source atoms accepted for points of R^d.
MAX_ATOMS = 100_000
#: Default number of particles of points of R^d without perception constraint.
PARTICLES = 256
#: Most particles accepted.
MAX_PARTICLES = 20_000


def rate(
    samples: ArrayLike,
    D: float,
    P: float = np.inf,
    *,
    distortion: str = "mse",
    perception: str = "none",
    cells: int | None = None,
    atoms: int | None = None,
    particles: int | None = None,
    max_rounds: int = 5,
    bootstrap: int = 50,
    level: float = 0.9,
    seed: int | None = 0,
    units: str = "bits",
    tol: float = 1e-6,
    progress: bool | None = None,
    checkpoint: str | os.PathLike | None = None,
) -> EstimateResult:
    r"""Estimate R(D, P) of the law that produced ``samples`` (real numbers or points of R^d).

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
    procedure is rerun on ``bootstrap`` resamples of the samples with replacement, resample
    b drawn from the seed ``[seed, b]``.

    The lower side is the Shannon lower bound (Shannon 1959 [4]; Berger 1971 [5],
    Thm 4.3.3), which holds for R(D) and so for R(D, P) at every P:

    $$
    R(D, P) \ge R(D) \ge h(X) - \tfrac12 \log(2\pi e D) \;\text{(MSE)},\qquad
    R(D, P) \ge R(D) \ge h(X) - \log(2 e D) \;\text{(absolute error)},
    $$

    with h(X) estimated from m-spacings (Vasicek 1976 [6]) and its normal interval.

    What is and is not claimed:

    - ``empirical_upper`` (= ``estimate``) is certified for the *quantised empirical law*,
      not for the population; ``empirical_lower`` holds only with the particles fixed.
    - The plug-in estimate is biased at finite sample size; the percentile interval is
      centred on the plug-in and does not correct that bias. Quantising to ``cells`` cells
      discards ``within_cell_mse`` of the samples' spread, and a finite set of particles
      can only raise the rate; both shrink as ``cells`` grows.
    - ``shannon_lower_ci`` is a lower confidence limit for the population's R(D, P) (from
      the entropy's interval); it is tight for a Gaussian law with MSE and no perception
      constraint, and strictly below R(D, P) when the perception constraint binds. When the
      samples repeat values (a law with atoms) there is no lower side: the fields are None
      and ``lower_side`` says so.
    - Points of R^d (d ≥ 2) take MSE (‖x − x̂‖² summed over the coordinates) with no
      perception constraint or W₂ (ground cost ‖x − x̂‖²). They are not put on cells: the
      source is a seeded random subsample of ``atoms`` of the samples (all of them when
      there are fewer), each at its own position with mass 1/``atoms``. Without perception
      the reconstruction is ``particles`` points (default 256) started at atoms and moved
      by Lloyd steps. Under W₂² a second, disjoint subsample of as many points (the
      companion) holds the reconstruction and stands for p_X in the constraint:
      W₂²(p_X̂, q̂_B) ≤ P with q̂_B the companion's empirical law (at most n/2 atoms then).
      At P = 0 this is the entropic transport problem between two independent empirical
      laws (Mena & Niles-Weed 2019 [8]); with one sample on both sides the channel could
      keep an atom where it is at no distortion, a downward bias of 1.1 bits measured in
      d = 16. The empirical law with M atoms is not the population law: its R(D, P) is at
      most log M, and fitting the particles to the samples lowers the rate (a downward
      plug-in bias); K particles cap the rate at log K. These are measured against the
      vector Gaussian closed forms up to d = 16 in ``docs/estimate.md``. The Shannon
      lower bound is h(X) − (d/2) log(2πeD/d) with h(X) from nearest-neighbour distances
      (Kozachenko & Leonenko 1987 [7]).

    Parameters
    ----------
    samples : array_like, shape (n,), (n, 1) or (n, d)
        Finite real samples, or points of R^d, n ≥ 20.
    D : float
        Distortion bound, > 0, in the distortion's units (squared or absolute units of the
        samples).
    P : float
        Perception bound in [0, ∞] (``inf``: no constraint). W₁ in the samples' units,
        W₂ as the squared W₂², KL in ``units``.
    distortion : {'mse', 'absolute'}
        Δ(x, x̂) = (x − x̂)² or |x − x̂|.
    perception : str
        The perception measure: 'none', 'w1', 'w2', or one that compares two laws on one
        alphabet — 'tv', 'kl-source-recon', 'kl-recon-source' and the f-divergences
        'hellinger', 'js', 'chi2-source-recon', 'chi2-recon-source'. W₁ and W₂² use the
        ground cost |x − x̂| and (x − x̂)². With the others the reconstruction is held on
        the cell values (``particles`` must be None) and the particles do not move.
    cells : int, optional
        Number of equal-width cells of the empirical law of real samples, in [2, 2000]
        (default 64). For points of R^d, given only to ask for the older quantised
        estimate: a lattice of ``cells`` equal-width cells per coordinate (at most 4096
        cells in all) whose cell values are the particles (``atoms`` and ``particles``
        must be None); it cannot resolve the law beyond d = 2.
    atoms : int, optional
        Points of R^d only: the number of source atoms M in [2, 100000], a random
        subsample of the samples drawn from ``seed`` (default 10⁴ without perception, all
        the samples when there are fewer; 2000 with W₂², at most n/2, the other samples
        providing the companion sample of M reconstruction points).
    particles : int, optional
        Number of reconstruction points, in [1, 20000] (default: one per non-empty cell, at
        the cell values); otherwise they start at mid-quantiles of the quantised law. For
        points of R^d they start at the first atoms of the (random) subsample; default 256
        without perception. Under W₂² in R^d the reconstruction is the companion sample and
        ``particles`` must be None.
    max_rounds : int
        Most Lloyd rounds after the first solve (0: particles fixed).
    bootstrap : int
        Bootstrap resamples (0: no interval; ``ci_lower = ci_upper = estimate``).
    level : float
        Coverage of the intervals, in (0, 1).
    seed : int, optional
        Seed of the resampling (None: fresh entropy, not reproducible).
    units : {'bits', 'nats'}
        Unit of the rates, entropies and KL perception bounds.
    tol : float
        Certified gap of each finite solve, in ``units``.
    progress : bool, optional
        A progress bar over the bootstrap resamples on stderr (None: on a terminal only).
    checkpoint : path, optional
        A file that keeps the solve and each bootstrap replicate as it is done; a run with
        the same samples and settings resumes from it (more resamples extend it). Needs a
        ``seed``.

    Returns
    -------
    EstimateResult
        ``estimate``, the certified ``empirical_lower``/``empirical_upper`` of the finite
        problem, ``ci_lower``/``ci_upper``, the Shannon lower side, ``particles``,
        ``n_samples``, ``seed`` and ``status = 'estimate'``.

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
    >>> round(result.shannon_lower, 2)   # ≈ R(0.3) = ½ log₂(1/0.3) = 0.87 bits ≤ R(D, P)
    0.88

    References
    ----------
    1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
       Rate-Distortion-Perception Tradeoff", ICML 2019, Eq. (3).
    2. Y. Yang, S. Eckstein and S. Mandt, "Estimating the Rate-Distortion Function by
       Wasserstein Gradient Descent", NeurIPS 2023.
    3. B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman &
       Hall, 1993, ch. 13.
    4. C. E. Shannon, "Coding Theorems for a Discrete Source with a Fidelity Criterion",
       IRE National Convention Record, 1959.
    5. T. Berger, "Rate Distortion Theory", Prentice-Hall, 1971, Thm 4.3.3.
    6. O. Vasicek, "A Test for Normality Based on Sample Entropy", J. R. Stat. Soc. B 38,
       1976.
    7. L. F. Kozachenko and N. N. Leonenko, "Sample Estimate of the Entropy of a Random
       Vector", Problems of Information Transmission 23(2), 1987.
    8. G. Mena and J. Niles-Weed, "Statistical bounds for entropic optimal transport:
       sample complexity and the central limit theorem", NeurIPS 2019.
    """
    start = time.perf_counter()
    D = _check_number(D, "D", low=0.0, open_low=True)
    setup = _Setup(
        samples, P, distortion, perception, cells, atoms, particles, max_rounds, bootstrap, level,
        seed, units, tol, checkpoint, {"D": D},
    )  # fmt: skip

    def solve(values: NDArray) -> tuple[Quantised, EmpiricalSolution]:
        cut = setup.empirical(values)
        return cut, solve_empirical(cut.source, D, setup.P, companion=cut.companion, **setup.solver)

    main = setup.resume_main()
    if main is None:
        cut, solution = solve(setup.x)
        main = setup.keep_main(cut, solution, {"D": D})
    values = setup.bootstrap(lambda v: solve(v)[1].upper, progress)
    ci = percentile_interval(values, setup.level) if values.size else (main["upper"],) * 2
    side = setup.lower_side(lambda h: rate_lower_bound(h, D, setup.distortion, setup.d), "rate")
    return EstimateResult(
        estimate=main["upper"],
        empirical_lower=main["lower"],
        empirical_upper=main["upper"],
        empirical_status=main["status"],
        D=D,
        ci_lower=ci[0],
        ci_upper=ci[1],
        **setup.common(main, side, time.perf_counter() - start),
    )


def distortion(
    samples: ArrayLike,
    R: float,
    P: float = np.inf,
    *,
    distortion: str = "mse",
    perception: str = "none",
    cells: int | None = None,
    atoms: int | None = None,
    particles: int | None = None,
    max_rounds: int = 5,
    bootstrap: int = 50,
    level: float = 0.9,
    seed: int | None = 0,
    units: str = "bits",
    tol: float = 1e-6,
    rtol: float = 1e-3,
    progress: bool | None = None,
    checkpoint: str | os.PathLike | None = None,
) -> DistortionEstimateResult:
    r"""Estimate D(R, P) of the law that produced ``samples`` (real numbers or points of R^d).

    $$
    D(R, P) = \min_{p_{\hat X | X}} \mathbb E[\Delta(X, \hat X)]
    \quad\text{s.t.}\quad I(X; \hat X) \le R,\; d(p_X, p_{\hat X}) \le P
    $$

    (Blau & Michaeli 2019 [1]) is estimated by its plug-in value: R(D, P) is non-increasing
    in D, so the least D at which the estimate of [`rate`][rdp.estimate.estimator.rate]
    (with the same cells or atoms, particles and Lloyd steps) is at most R is found by bisection, to
    the relative width ``rtol``. At that D the quantised empirical law has a channel of
    certified rate ≤ R meeting D and P: ``estimate`` is an upper bound on that law's
    D(R, P). The interval is the percentile bootstrap of the whole search; the lower side
    is the Shannon lower bound on D(R), hence on D(R, P) (Berger 1971 [2], Thm 4.3.3):

    $$
    D(R, P) \ge D(R) \ge \frac{e^{2(h(X) - R)}}{2\pi e} \;\text{(MSE)},\qquad
    D(R, P) \ge D(R) \ge \frac{e^{h(X) - R}}{2e} \;\text{(absolute error; nats)}.
    $$

    Parameters
    ----------
    samples : array_like, shape (n,), (n, 1) or (n, d)
        Finite real samples, or points of R^d, n ≥ 20.
    R : float
        Rate bound in ``units``, > 0.
    P, distortion, perception, cells, atoms, particles, max_rounds, bootstrap, level, seed, \
units, tol, progress, checkpoint
        As in [`rate`][rdp.estimate.estimator.rate].
    rtol : float
        Relative width of the bisection bracket at which the search stops, in (0, 0.5].

    Returns
    -------
    DistortionEstimateResult
        ``estimate`` (distortion units), ``empirical_rate``, ``ci_lower``/``ci_upper``, the
        Shannon lower side and ``status = 'estimate'``.

    Examples
    --------
    >>> import numpy as np
    >>> from rdp.estimate import distortion
    >>> x = np.random.default_rng(1).standard_normal(2000)
    >>> result = distortion(x, 1.0, 0.0, perception="w2", bootstrap=0, rtol=1e-2)
    >>> round(result.estimate, 2)   # N(0, 1)'s closed form: 2 (1 − √(3/4)) = 0.27
    0.27

    References
    ----------
    1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
       Rate-Distortion-Perception Tradeoff", ICML 2019, Thm 1.
    2. T. Berger, "Rate Distortion Theory", Prentice-Hall, 1971, Thm 4.3.3.
    """
    start = time.perf_counter()
    R = _check_number(R, "R", low=0.0, open_low=True)
    rtol = _check_number(rtol, "rtol", low=0.0, open_low=True)
    if not rtol <= 0.5:
        raise ValueError(f"rtol must be in (0, 0.5]; got {rtol!r}")
    setup = _Setup(
        samples, P, distortion, perception, cells, atoms, particles, max_rounds, bootstrap, level,
        seed, units, tol, checkpoint, {"R": R, "rtol": rtol},
    )  # fmt: skip

    def search(values: NDArray):
        cut = setup.empirical(values)
        return cut, invert_empirical(
            cut.source, R, setup.P, rtol=rtol, companion=cut.companion, **setup.solver
        )

    main = setup.resume_main()
    if main is None:
        cut, found = search(setup.x)
        main = setup.keep_main(
            cut, found.solution, {"D": found.D, "search_lower": found.search_lower}
        )
    values = setup.bootstrap(lambda v: search(v)[1].D, progress)
    ci = percentile_interval(values, setup.level) if values.size else (main["D"],) * 2
    r_nats = R if setup.units == "nats" else R * math.log(2)
    side = setup.lower_side(
        lambda h: distortion_lower_bound(h, r_nats, setup.distortion, setup.d), "distortion"
    )
    return DistortionEstimateResult(
        estimate=main["D"],
        empirical_rate=main["upper"],
        empirical_status=main["status"],
        search_lower=main["search_lower"],
        rtol=rtol,
        R=R,
        ci_lower=ci[0],
        ci_upper=ci[1],
        **setup.common(main, side, time.perf_counter() - start),
    )


class _Setup:
    """The checked arguments shared by ``rate`` and ``distortion``, the checkpoint, the
    bootstrap and the Shannon lower side."""

    def __init__(
        self, samples: ArrayLike, P: float, distortion: str, perception: str, cells: int | None,
        atoms: int | None,
        particles: int | None, max_rounds: int, bootstrap: int, level: float,
        seed: int | None, units: str, tol: float, checkpoint: Any, target: dict[str, float],
    ) -> None:  # fmt: skip
        self.x = _check_samples(samples)
        self.P = _check_number(P, "P", low=0.0, allow_inf=True)
        self.distortion = check_choice(distortion, "distortion", DISTORTIONS)
        self.perception = check_choice(perception, "perception", tuple(PERCEPTION_NAMES))
        self.units = check_choice(units, "units", UNITS)
        self.d = 1 if self.x.ndim == 1 else int(self.x.shape[1])
        if self.d > 1 and (distortion != "mse" or perception not in ("none", "w2")):
            raise ValueError(
                f"samples in R^d (here d = {self.d}) take distortion 'mse' and "
                f"perception 'none' or 'w2'; got {distortion!r} and {perception!r}"
            )
        if self.d == 1:
            if atoms is not None:
                raise ValueError(
                    "atoms applies to points of R^d; real samples are put on equal-width "
                    f"cells (cells); got atoms={atoms!r}"
                )
            self.cells = _check_int(DEFAULT_CELLS if cells is None else cells, "cells", 2, 2000)
        elif cells is not None:  # a lattice of cells per coordinate, asked for
            if atoms is not None or particles is not None:
                raise ValueError(
                    "cells (a lattice of cells per coordinate for points of R^d) takes "
                    "neither atoms nor particles: the reconstruction is the cell values; "
                    f"got atoms={atoms!r}, particles={particles!r}"
                )
            high = int(MAX_LATTICE ** (1 / self.d) + 1e-9)
            self.cells = _check_int(cells, "cells", 2, high)
        else:  # the number of source atoms, at most the number of samples
            default = ATOMS if perception == "none" else ATOMS_W2
            atoms = _check_int(default if atoms is None else atoms, "atoms", 2, MAX_ATOMS)
            # under W₂² half the samples at most are atoms, the others their companion
            usable = int(self.x.shape[0]) // (1 if perception == "none" else 2)
            self.cells = min(atoms, usable)
        self.lattice = self.d > 1 and cells is not None
        # points of R^d under W₂²: atoms and an independent companion sample
        self.two_sample = self.d > 1 and not self.lattice and perception != "none"
        if particles is not None and self.two_sample:
            raise ValueError(
                "particles must be None for points of R^d under W₂²: the reconstruction is "
                f"the companion sample, as many points as atoms; got particles={particles!r}"
            )
        if particles is not None:
            if perception not in MOVABLE:
                raise ValueError(
                    f"particles must be None with perception {perception!r}: it compares "
                    "laws on one alphabet, so the reconstruction stays on the cell values"
                )
            particles = _check_int(particles, "particles", 1, MAX_PARTICLES)
        elif self.d > 1 and perception == "none" and not self.lattice:
            particles = min(PARTICLES, self.cells)
        max_rounds = _check_int(max_rounds, "max_rounds", 0, 1000)
        self.resamples = _check_int(bootstrap, "bootstrap", 0, 100_000)
        self.level = _check_number(level, "level", low=0.0, open_low=True)
        if not self.level < 1:
            raise ValueError(f"level must be in (0, 1); got {level!r}")
        tol = _check_number(tol, "tol", low=0.0, open_low=True)
        self.seed = None if seed is None else _check_int(seed, "seed", 0, 2**63 - 1)
        # the atoms of points of R^d: one subsample per call, the same for every resample
        self.atom_seed = None if self.seed is None else [self.seed, 2**32]
        # under W₂² the positions of the atoms and of the companion sample, drawn once
        self.order = (
            np.random.default_rng(self.atom_seed).permutation(self.x.shape[0])
            if self.two_sample
            else None
        )
        self.solver = {
            "distortion": self.distortion, "perception": self.perception,
            "particles": particles, "max_rounds": max_rounds, "units": self.units, "tol": tol,
        }  # fmt: skip
        self.checkpoint = None
        if checkpoint is not None:
            if self.seed is None:
                raise ValueError("checkpoint needs a seed (resamples must be drawn again)")
            settings = {**self.solver, **target, "P": self.P, "cells": self.cells,
                        "seed": self.seed}  # fmt: skip
            if self.d > 1 and not self.lattice:  # atoms, not lattice cells, of that count
                settings["atoms"] = settings.pop("cells")
            self.checkpoint = Checkpoint(checkpoint, key(self.x, settings))

    def empirical(self, values: NDArray) -> Quantised:
        """The finite source: equal-width cells on the line (or a lattice in R^d, when
        ``cells`` is given), sample atoms in R^d."""
        if self.d == 1 or self.lattice:
            return quantise(values, self.cells)
        if self.two_sample:  # W₂²: atoms and an independent companion sample
            return split_atoms(values, self.cells, self.order)
        rng = np.random.default_rng(self.atom_seed)
        return sample_atoms(values, min(self.cells, values.shape[0]), rng)

    def resume_main(self) -> dict[str, Any] | None:
        return None if self.checkpoint is None else self.checkpoint.main

    def keep_main(
        self, cut: Quantised, solution: EmpiricalSolution, extra: dict[str, float]
    ) -> dict[str, Any]:
        main = {
            "lower": solution.lower, "upper": solution.upper, "status": solution.status,
            "particles": solution.particles.tolist(), "weights": solution.weights.tolist(),
            "rounds": solution.rounds, "cells": cut.source.size,
            "within_cell_mse": cut.within_cell_mse, **extra,
        }  # fmt: skip
        if self.checkpoint is not None:
            self.checkpoint.main = main
            self.checkpoint.save()
        return main

    def bootstrap(self, statistic: Any, progress: bool | None) -> NDArray:
        keep = None
        if self.checkpoint is not None:
            checkpoint = self.checkpoint

            def keep(values: list[float]) -> None:
                checkpoint.replicates = list(values)
                checkpoint.save()

        done = None if self.checkpoint is None else self.checkpoint.replicates
        draw = resample
        if self.two_sample:  # each half resampled from its own pool (``resample_halves``)

            def draw(samples: NDArray, rng: np.random.Generator) -> NDArray:
                return resample_halves(samples, self.cells, self.order, rng)

        return replicates(
            self.x, statistic, self.resamples, self.seed, done=done, on_replicate=keep,
            progress=progress, draw=draw,
        )  # fmt: skip

    def lower_side(self, bound: Any, what: str) -> dict[str, Any]:
        """The entropy estimate and the Shannon lower bound at it and at its lower end."""
        entropy = differential_entropy(self.x, self.level)
        if entropy is None:
            return {
                "entropy": None, "entropy_ci_lower": None, "entropy_ci_upper": None,
                "shannon_lower": None, "shannon_lower_ci": None,
                "lower_side": "none: the samples repeat values (a law with atoms has no "
                "differential entropy), so only the upper estimate is available",
            }  # fmt: skip
        scale = 1.0 if self.units == "nats" else 1.0 / math.log(2)
        # both bounds increase with h: at the entropy's lower limit they stay lower bounds
        convert = scale if what == "rate" else 1.0
        d = self.d
        if d > 1:
            formula = {
                "rate": f"R(D, P) ≥ R(D) ≥ h(X) − ({d}/2) log(2πeD/{d})",
                "distortion": f"D(R, P) ≥ D(R) ≥ ({d}/(2πe)) exp(2(h(X) − R)/{d})",
            }[what]
            method = "nearest-neighbour distances (Kozachenko–Leonenko)"
        else:
            formula = {
                ("rate", "mse"): "R(D, P) ≥ R(D) ≥ h(X) − ½ log(2πeD)",
                ("rate", "absolute"): "R(D, P) ≥ R(D) ≥ h(X) − log(2eD)",
                ("distortion", "mse"): "D(R, P) ≥ D(R) ≥ exp(2(h(X) − R))/(2πe)",
                ("distortion", "absolute"): "D(R, P) ≥ D(R) ≥ exp(h(X) − R)/(2e)",
            }[what, self.distortion]
            method = f"m-spacings (m = {entropy.window})"
        return {
            "entropy": entropy.value * scale,
            "entropy_ci_lower": entropy.lower * scale,
            "entropy_ci_upper": entropy.upper * scale,
            "shannon_lower": bound(entropy.value) * convert,
            "shannon_lower_ci": bound(entropy.lower) * convert,
            "lower_side": f"Shannon lower bound {formula}, h(X) from {method}; "
            f"shannon_lower_ci at the lower end of the entropy's {self.level:.0%} interval",
        }

    def common(self, main: dict[str, Any], side: dict[str, Any], seconds: float) -> dict:
        return {
            "level": self.level, "bootstrap": self.resamples, "n_samples": int(self.x.shape[0]),
            "dimension": self.d,
            "cells": int(main["cells"]), "within_cell_mse": float(main["within_cell_mse"]),
            "particles": np.asarray(main["particles"], dtype=float),
            "particle_weights": np.asarray(main["weights"], dtype=float),
            "rounds": int(main["rounds"]), "P": self.P, "distortion": self.distortion,
            "perception": self.perception, "units": self.units, "seed": self.seed,
            "seconds": seconds, **side,
        }  # fmt: skip


def _check_samples(samples: ArrayLike) -> np.ndarray:
    """Samples of shape (n,) (also given as (n, 1)) or points of R^d, shape (n, d)."""
    x = as_real_array(samples, "samples")
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ValueError(
            f"samples must have shape (n,) or (n, d) (points of R^d); got shape {x.shape}"
        )
    n = x.shape[0]
    if n < MIN_SAMPLES or not np.isfinite(x).all():
        raise ValueError(
            f"samples must hold at least {MIN_SAMPLES} finite samples; got {n}"
            + ("" if np.isfinite(x).all() else " with non-finite entries")
        )
    if np.all(np.ptp(x, axis=0) == 0):
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
