"""Results of estimates from samples: R(D, P) and D(R, P), named fields, JSON-serialisable."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from numpy.typing import NDArray

from rdp.result import to_jsonable
from rdp.status import Status

_REFERENCE = (
    "Blau & Michaeli, ICML 2019 (R(D, P)); Yang, Eckstein & Mandt, NeurIPS 2023 "
    "(particle estimates of R(D)); Efron & Tibshirani 1993 (percentile bootstrap); "
    "Shannon 1959 and Berger 1971, Thm 4.3.3 (Shannon lower bound); Vasicek 1976 "
    "(m-spacing entropy estimate)"
)


@dataclass(frozen=True, kw_only=True)
class _Estimate:
    """Fields shared by both estimates (documented on each class)."""

    ci_lower: float
    ci_upper: float
    level: float
    bootstrap: int
    n_samples: int
    dimension: int
    cells: int
    within_cell_mse: float
    particles: NDArray
    particle_weights: NDArray
    rounds: int
    P: float
    distortion: str
    perception: str
    units: str
    seed: int | None
    seconds: float
    entropy: float | None
    entropy_ci_lower: float | None
    entropy_ci_upper: float | None
    shannon_lower: float | None
    shannon_lower_ci: float | None
    lower_side: str
    status: str = field(default=Status.ESTIMATE.value)
    reference: str = _REFERENCE

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field."""
        return {name: to_jsonable(getattr(self, name)) for name in self.__dataclass_fields__}

    def to_json(self, **kwargs: Any) -> str:
        """The result as a JSON string (``kwargs`` go to ``json.dumps``)."""
        return json.dumps(self.to_dict(), **kwargs)


@dataclass(frozen=True, kw_only=True)
class EstimateResult(_Estimate):
    """R(D, P) of the law behind a sample: a plug-in estimate, its bracket and interval.

    Attributes
    ----------
    estimate : float
        The plug-in estimate, in ``units``: the rate of the best channel found for the
        quantised empirical law (``empirical_upper``).
    empirical_lower, empirical_upper : float
        The certified solver's bracket for the *finite* problem: the quantised empirical law
        with the reconstruction held on ``particles``. ``empirical_upper`` is the rate of a
        channel meeting D and P for the quantised empirical law, so it bounds that law's
        R(D, P) from above; ``empirical_lower`` bounds only the problem with these particles
        (moving them could go lower).
    empirical_status : str
        The solver's status for that bracket ('converged' when certified).
    D : float
        The distortion bound (squared or absolute units of the samples).
    shannon_lower, shannon_lower_ci : float or None
        The Shannon lower bound at ``entropy`` and at ``entropy_ci_lower``, in ``units``:
        max(0, h(X) − ½ log(2πeD)) for MSE, max(0, h(X) − log(2eD)) for absolute error, a
        lower side of R(D) and therefore of R(D, P). The second is a lower confidence limit
        at one-sided level (1 + level)/2. None when there is no entropy estimate: then only
        the upper estimate is available.
    ci_lower, ci_upper : float
        The percentile bootstrap interval at ``level`` for the population value; equal to
        ``estimate`` when ``bootstrap = 0`` (no interval computed).
    level : float
        Nominal coverage of the interval.
    bootstrap : int
        Number of bootstrap resamples.
    n_samples, cells : int
        Sample size and number of non-empty cells of the quantised empirical law (for
        points of R^d: of distinct source atoms).
    dimension : int
        The dimension d of the samples (1, or d for points of R^d).
    within_cell_mse : float
        Mean squared distance of the samples to their cell's mean: the part of the samples'
        spread that the cells do not see (0 for points of R^d, kept at their positions).
    particles, particle_weights : ndarray
        The reconstruction points, shape (M,) or (M, d), and the channel's output law on
        them.
    rounds : int
        Lloyd rounds tried after the first solve (of the last solve, for D(R, P)).
    P : float
        The perception bound (KL in ``units``).
    distortion, perception, units : str
        The measures' names and the unit of rates and entropies.
    seed : int or None
        Seed of the bootstrap resampling (resample b is drawn from ``[seed, b]``).
    seconds : float
        Wall-clock time of the whole estimate (of this call, when resumed from a checkpoint).
    entropy, entropy_ci_lower, entropy_ci_upper : float or None
        The differential entropy h(X) of the samples' law (m-spacing estimate, in
        ``units``) and its normal interval at ``level``; None when the samples repeat
        values so that no entropy estimate exists.
    lower_side : str
        What the lower side is, or why there is none.
    status : str
        Always ``'estimate'`` ([`Status.ESTIMATE`][rdp.status.Status]): a statistical
        estimate, never certified for the population.
    reference : str
        The papers behind the method.
    """

    estimate: float
    empirical_lower: float
    empirical_upper: float
    empirical_status: str
    D: float


@dataclass(frozen=True, kw_only=True)
class DistortionEstimateResult(_Estimate):
    """D(R, P) of the law behind a sample: a plug-in estimate and its interval.

    Attributes
    ----------
    estimate : float
        The plug-in estimate of D(R, P), in the distortion's units: the least D found (to
        the relative tolerance ``rtol``) at which the quantised empirical law has a channel
        of rate at most R meeting D and P.
    empirical_rate : float
        The certified rate (``units``) of that channel, at most R.
    empirical_status : str
        The finite solver's status at ``estimate`` ('converged' when certified).
    search_lower : float
        The largest D tried at which no such channel was found: the bisection's other end.
    rtol : float
        The relative width ``(estimate − search_lower) / estimate`` at which the search
        stopped.
    R : float
        The rate bound, in ``units``.
    shannon_lower, shannon_lower_ci : float or None
        The Shannon lower bound at ``entropy`` and at ``entropy_ci_lower``, in the
        distortion's units: e^{2(h(X) − R)}/(2πe) for MSE, e^{h(X) − R}/(2e) for absolute
        error (h and R in nats), a lower side of D(R) and therefore of D(R, P). The second is
        a lower confidence limit at one-sided level (1 + level)/2. None when there is no
        entropy estimate: then only the upper estimate is available.
    ci_lower, ci_upper : float
        The percentile bootstrap interval at ``level`` for the population value; equal to
        ``estimate`` when ``bootstrap = 0`` (no interval computed).
    level : float
        Nominal coverage of the interval.
    bootstrap : int
        Number of bootstrap resamples.
    n_samples, cells : int
        Sample size and number of non-empty cells of the quantised empirical law (for
        points of R^d: of distinct source atoms).
    dimension : int
        The dimension d of the samples (1, or d for points of R^d).
    within_cell_mse : float
        Mean squared distance of the samples to their cell's mean: the part of the samples'
        spread that the cells do not see (0 for points of R^d, kept at their positions).
    particles, particle_weights : ndarray
        The reconstruction points, shape (M,) or (M, d), and the channel's output law on
        them.
    rounds : int
        Lloyd rounds tried after the first solve (of the last solve, for D(R, P)).
    P : float
        The perception bound (KL in ``units``).
    distortion, perception, units : str
        The measures' names and the unit of rates and entropies.
    seed : int or None
        Seed of the bootstrap resampling (resample b is drawn from ``[seed, b]``).
    seconds : float
        Wall-clock time of the whole estimate (of this call, when resumed from a checkpoint).
    entropy, entropy_ci_lower, entropy_ci_upper : float or None
        The differential entropy h(X) of the samples' law (m-spacing estimate, in
        ``units``) and its normal interval at ``level``; None when the samples repeat
        values so that no entropy estimate exists.
    lower_side : str
        What the lower side is, or why there is none.
    status : str
        Always ``'estimate'`` ([`Status.ESTIMATE`][rdp.status.Status]): a statistical
        estimate, never certified for the population.
    reference : str
        The papers behind the method.
    """

    estimate: float
    empirical_rate: float
    empirical_status: str
    search_lower: float
    rtol: float
    R: float
