"""The result of an estimate of R(D, P) from samples: named fields, JSON-serialisable."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from numpy.typing import NDArray

from rdp.result import to_jsonable
from rdp.status import Status


@dataclass(frozen=True, kw_only=True)
class EstimateResult:
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
    ci_lower, ci_upper : float
        The percentile bootstrap interval at ``level`` for the population R(D, P); equal to
        ``estimate`` when ``bootstrap = 0`` (no interval computed).
    level : float
        Nominal coverage of the interval.
    bootstrap : int
        Number of bootstrap resamples.
    n_samples, cells : int
        Sample size and number of non-empty cells of the quantised empirical law.
    within_cell_mse : float
        Mean squared distance of the samples to their cell's mean: the part of the samples'
        spread that the cells do not see.
    particles, particle_weights : ndarray
        The reconstruction points and the optimal channel's output law on them.
    rounds : int
        Lloyd rounds tried after the first solve.
    D, P : float
        The constraints (distortion in the measure's units; KL perception in ``units``).
    distortion, perception, units : str
        The measures' names and the unit of the rates.
    seed : int or None
        Seed of the bootstrap resampling.
    seconds : float
        Wall-clock time of the whole estimate.
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
    ci_lower: float
    ci_upper: float
    level: float
    bootstrap: int
    n_samples: int
    cells: int
    within_cell_mse: float
    particles: NDArray
    particle_weights: NDArray
    rounds: int
    D: float
    P: float
    distortion: str
    perception: str
    units: str
    seed: int | None
    seconds: float
    status: str = field(default=Status.ESTIMATE.value)
    reference: str = (
        "Blau & Michaeli, ICML 2019 (R(D, P)); Yang, Eckstein & Mandt, NeurIPS 2023 "
        "(particle estimates of R(D)); Efron & Tibshirani 1993 (percentile bootstrap)"
    )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field."""
        return {name: to_jsonable(getattr(self, name)) for name in self.__dataclass_fields__}

    def to_json(self, **kwargs: Any) -> str:
        """The result as a JSON string (``kwargs`` go to ``json.dumps``)."""
        return json.dumps(self.to_dict(), **kwargs)
