"""Result objects returned by :meth:`rdp.Problem.rate` and :meth:`rdp.Problem.distortion`.

A method (closed form or solver) answers one point with a
:class:`PointSolution`; the problem assembles points into a
:class:`RateResult` or :class:`DistortionResult`, broadcasting over array
inputs like numpy does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.channels import Channel


@dataclass(frozen=True)
class PointSolution:
    """One solved point, in bits.

    Parameters
    ----------
    value : float
        The rate (bits) or distortion; ``inf`` for an infeasible rate point.
    lower, upper : float
        Certified bounds on the true value (equal to ``value`` for closed forms).
    feasible : bool
        False when no channel meets the constraints (D below D_min(P)).
    channel : Channel or None
        An optimal (or the achieving, for solvers) test channel when known.
    diagnostics : dict
        Method-specific details (iterations, gap, solver status, region ...).
    """

    value: float
    lower: float
    upper: float
    feasible: bool = True
    channel: Channel | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def exact(
        cls, value: float, channel: Channel | None = None, **diagnostics: Any
    ) -> PointSolution:
        """A closed-form value: lower = upper = value."""
        return cls(float(value), float(value), float(value), True, channel, diagnostics)

    @classmethod
    def infeasible(cls, **diagnostics: Any) -> PointSolution:
        """An infeasible rate point: value, lower and upper are +inf."""
        inf = float("inf")
        return cls(inf, inf, inf, False, None, diagnostics)


@dataclass(frozen=True)
class _Result:
    lower: float | NDArray
    upper: float | NDArray
    feasible: bool | NDArray
    P: float | NDArray
    units: str
    method: str
    reference: str
    channel: Channel | NDArray | None = None
    diagnostics: dict[str, Any] | NDArray | None = None

    @property
    def gap(self) -> float | NDArray:
        """upper − lower (0 for closed forms)."""
        return _unwrap(np.asarray(self.upper) - np.asarray(self.lower))

    def _base_dict(self) -> dict[str, Any]:
        return {
            "lower": to_jsonable(self.lower),
            "upper": to_jsonable(self.upper),
            "feasible": to_jsonable(self.feasible),
            "P": to_jsonable(self.P),
            "units": self.units,
            "method": self.method,
            "reference": self.reference,
        }


@dataclass(frozen=True)
class RateResult(_Result):
    """R(D, P) at one point or over broadcast arrays of points.

    Attributes
    ----------
    rate : float or ndarray
        The rate in ``units`` (bits by default); ``inf`` where infeasible.
    lower, upper : float or ndarray
        Certified bounds on the rate (equal to ``rate`` for closed forms).
    feasible : bool or ndarray
        False where D is below the least distortion reachable under P.
    D, P : float or ndarray
        The broadcast inputs.
    units : str
        'bits' or 'nats' (also the unit of KL perception values).
    method : str
        Which method produced the values ('closed-form: ...', 'fast', 'cvxpy').
    reference : str
        The paper (and equation) behind the method.
    channel : Channel, ndarray of Channel, or None
        The optimal test channel (an object array for array inputs).
    diagnostics : dict or ndarray of dict
        Method-specific details.
    """

    rate: float | NDArray = 0.0
    D: float | NDArray = 0.0

    @property
    def value(self) -> float | NDArray:
        """Alias of :attr:`rate`."""
        return self.rate

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (channels and diagnostics summarised)."""
        out = {"rate": to_jsonable(self.rate), "D": to_jsonable(self.D), **self._base_dict()}
        out["diagnostics"] = to_jsonable(self.diagnostics)
        return out


@dataclass(frozen=True)
class DistortionResult(_Result):
    """D(R, P): the least distortion at rate ≤ R and perception ≤ P.

    Attributes
    ----------
    distortion : float or ndarray
        The least expected distortion.
    lower, upper : float or ndarray
        Certified bounds on the distortion.
    R, P : float or ndarray
        The broadcast inputs (R in ``units``).
    Other attributes as in :class:`RateResult`.
    """

    distortion: float | NDArray = 0.0
    R: float | NDArray = 0.0

    @property
    def value(self) -> float | NDArray:
        """Alias of :attr:`distortion`."""
        return self.distortion

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (channels and diagnostics summarised)."""
        out = {"distortion": to_jsonable(self.distortion), "R": to_jsonable(self.R)}
        out.update(self._base_dict())
        out["diagnostics"] = to_jsonable(self.diagnostics)
        return out


def _unwrap(arr: NDArray) -> Any:
    arr = np.asarray(arr)
    return arr.item() if arr.ndim == 0 else arr


def to_jsonable(value: Any) -> Any:
    """Convert numpy (or other array-like, e.g. jax) values to plain Python for :func:`json.dumps`.

    Dicts and sequences are converted element-wise, arrays become (nested) lists,
    numpy scalars Python scalars; ``inf`` stays a float (``json`` writes ``Infinity``);
    anything else unknown becomes its ``repr``.
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if not isinstance(value, np.ndarray) and hasattr(value, "__array__"):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return to_jsonable(value.item())
        return (
            [to_jsonable(v) for v in value.tolist()]
            if value.dtype != object
            else [to_jsonable(v) for v in value.ravel()]
        )
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value)
    if value is None or isinstance(value, str | int):
        return value
    return repr(value)
