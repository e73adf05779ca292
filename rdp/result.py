"""Result objects: one point, broadcast arrays of points, curves and surfaces.

A method (closed form or solver) answers one point with a
[`PointSolution`][rdp.result.PointSolution]; the ``Problem`` methods assemble points into a
[`RateResult`][rdp.result.RateResult] or [`DistortionResult`][rdp.result.DistortionResult]
(broadcasting over array
inputs like numpy does), a [`CurveResult`][rdp.result.CurveResult] or a
[`SurfaceResult`][rdp.result.SurfaceResult].

Every result carries the same fields, after scipy's ``OptimizeResult``:

- ``status``: a [`Status`][rdp.status.Status] (``'exact'``, ``'bounds'``, ``'converged'``,
  ``'iteration_limit'``, ``'time_limit'``, ``'inaccurate'``, ``'estimate'``,
  ``'infeasible'``, ``'not_computed'``), whose meaning is stated once in
  [`rdp.status`][rdp.status];
- ``message``: one line saying what happened (empty when there is nothing to say);
- ``iterations``: the iterations (or bisection steps) spent, 0 for closed forms;
- ``tol``: the gap tolerance the points were certified to
  ([`rdp.status.is_certified`][rdp.status.is_certified] decides from status, bracket and
  ``tol``; ``certified`` is that decision for every point), and ``feasibility_tol``,
  the relative slack within which a certified channel meets D and P.

Arrays of points hold these as arrays of the points' shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.channels import Channel
from rdp.status import FEASIBILITY_TOL, Status, is_certified


@dataclass(frozen=True, kw_only=True)
class PointSolution:
    """One solved point, in bits.

    Build it with [`exact`][rdp.result.PointSolution.exact],
    [`bracket`][rdp.result.PointSolution.bracket] or
    [`infeasible`][rdp.result.PointSolution.infeasible]; every argument but the
    numbers is keyword-only, and the status is always stated, never defaulted.

    Parameters
    ----------
    value : float
        The rate (bits) or distortion; ``inf`` for an infeasible rate point.
    lower, upper : float
        Certified bounds on the true value, ``lower ≤ value ≤ upper`` (all three equal
        for status 'exact').
    status : Status or str
        One of [`Status`][rdp.status.Status]; what ``lower``/``upper`` guarantee.
    channel : Channel or None
        An optimal (or the achieving, for solvers) test channel when known.
    diagnostics : dict
        Method-specific details (gap, solver status, region ...); never the status.
    message : str
        What happened, in one line ('' when there is nothing to say).
    iterations : int
        Iterations or bisection steps spent (0 for closed forms).
    warm : object
        State a neighbouring point may start from (``rate_point(..., warm=...)``);
        None for methods without warm starts. Not part of comparisons.

    Raises
    ------
    ValueError
        For an unknown status, a ``nan`` bound, ``lower > upper``, a value outside
        its bracket, status 'exact' with ``lower ≠ upper``, or a ``'status'`` key in
        ``diagnostics``.
    """

    value: float
    lower: float
    upper: float
    status: Status
    channel: Channel | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    iterations: int
    warm: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            status = Status(self.status)
        except ValueError:
            valid = ", ".join(repr(s.value) for s in Status)
            raise ValueError(f"status must be one of {valid}; got {self.status!r}") from None
        object.__setattr__(self, "status", status)
        for name in ("value", "lower", "upper"):
            number = float(getattr(self, name))
            if np.isnan(number):
                raise ValueError(f"{name} must be a number (bits) or inf; got nan")
            object.__setattr__(self, name, number)
        if not self.lower <= self.value <= self.upper:
            raise ValueError(
                f"a point needs lower <= value <= upper; got {self.lower!r}, {self.value!r}, "
                f"{self.upper!r} (status {status.value!r})"
            )
        if status is Status.EXACT and self.lower != self.upper:
            raise ValueError(
                f"status 'exact' needs lower == upper; got [{self.lower!r}, {self.upper!r}] "
                "(use PointSolution.bracket with status 'bounds' or 'converged')"
            )
        if "status" in (self.diagnostics or {}):
            raise ValueError("the status is PointSolution.status, not diagnostics['status']")

    @property
    def feasible(self) -> bool:
        """False for an infeasible (or not computed) point."""
        return self.status not in (Status.INFEASIBLE, Status.NOT_COMPUTED)

    @classmethod
    def exact(
        cls,
        value: float,
        *,
        channel: Channel | None = None,
        diagnostics: dict[str, Any] | None = None,
        message: str = "",
        warm: Any = None,
    ) -> PointSolution:
        """A closed-form value: lower = value = upper, status 'exact', no iterations."""
        value = float(value)
        return cls(
            value=value, lower=value, upper=value, status=Status.EXACT, channel=channel,
            diagnostics=dict(diagnostics or {}), message=message, iterations=0, warm=warm,
        )  # fmt: skip

    @classmethod
    def bracket(
        cls,
        lower: float,
        upper: float,
        *,
        status: Status | str,
        value: float | None = None,
        channel: Channel | None = None,
        diagnostics: dict[str, Any] | None = None,
        message: str = "",
        iterations: int,
        warm: Any = None,
    ) -> PointSolution:
        """A certified bracket ``lower ≤ R ≤ upper`` with its ``status`` stated.

        ``value`` defaults to ``upper`` (the rate of the returned channel, for solvers).
        """
        return cls(
            value=upper if value is None else value, lower=lower, upper=upper, status=status,
            channel=channel, diagnostics=dict(diagnostics or {}), message=message,
            iterations=iterations, warm=warm,
        )  # fmt: skip

    @classmethod
    def infeasible(
        cls, *, message: str = "D < D_min(P)", diagnostics: dict[str, Any] | None = None
    ) -> PointSolution:
        """An infeasible rate point: value, lower and upper are +inf, status 'infeasible'."""
        inf = float("inf")
        return cls(
            value=inf, lower=inf, upper=inf, status=Status.INFEASIBLE,
            diagnostics=dict(diagnostics or {}), message=message, iterations=0,
        )  # fmt: skip

    @classmethod
    def not_computed(cls, *, message: str = "not computed (interrupted)") -> PointSolution:
        """A point never solved: status 'not_computed', value ``inf`` (only R ≥ 0 is known)."""
        inf = float("inf")
        return cls(
            value=inf, lower=0.0, upper=inf, status=Status.NOT_COMPUTED, message=message,
            iterations=0,
        )  # fmt: skip

    def replace(self, **changes: Any) -> PointSolution:
        """A copy with ``changes`` applied (``dataclasses.replace``; validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True, kw_only=True)
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
    status: str | NDArray
    message: str | NDArray
    iterations: int | NDArray
    tol: float

    @property
    def gap(self) -> float | NDArray:
        """upper − lower (0 for closed forms)."""
        return _unwrap(np.asarray(self.upper) - np.asarray(self.lower))

    @property
    def feasibility_tol(self) -> float:
        """The relative slack within which certified channels meet D and P
        ([`rdp.status.FEASIBILITY_TOL`][rdp.status.FEASIBILITY_TOL])."""
        return FEASIBILITY_TOL

    @property
    def certified(self) -> bool | NDArray:
        """Whether each point is certified ([`is_certified`][rdp.status.is_certified], ``tol``)."""
        return is_certified(self.status, self.lower, self.upper, self.tol)

    def _base_dict(self) -> dict[str, Any]:
        return {
            "lower": to_jsonable(self.lower),
            "upper": to_jsonable(self.upper),
            "feasible": to_jsonable(self.feasible),
            "P": to_jsonable(self.P),
            "units": self.units,
            "method": self.method,
            "reference": self.reference,
            "status": to_jsonable(self.status),
            "message": to_jsonable(self.message),
            "iterations": to_jsonable(self.iterations),
            "tol": self.tol,
            "feasibility_tol": FEASIBILITY_TOL,
        }


@dataclass(frozen=True, kw_only=True)
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
    status, message, iterations : str, str, int (or arrays of them)
        How each point was obtained (see [`Status`][rdp.status.Status]).
    tol : float
        The gap tolerance (in ``units``) at which 'converged' and 'bounds' points are
        certified (``certified``).
    """

    rate: float | NDArray
    D: float | NDArray

    # deprecated alias of ``rate`` (no docstring: kept off the API pages)
    @property
    def value(self) -> float | NDArray:
        from rdp._deprecation import deprecated

        deprecated("RateResult.value", "rate")
        return self.rate

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (channels and diagnostics summarised)."""
        out = {"rate": to_jsonable(self.rate), "D": to_jsonable(self.D), **self._base_dict()}
        out["diagnostics"] = to_jsonable(self.diagnostics)
        return out


@dataclass(frozen=True, kw_only=True)
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
    Other attributes as in [`RateResult`][rdp.result.RateResult].
    """

    distortion: float | NDArray
    R: float | NDArray

    # deprecated alias of ``distortion`` (no docstring: kept off the API pages)
    @property
    def value(self) -> float | NDArray:
        from rdp._deprecation import deprecated

        deprecated("DistortionResult.value", "distortion")
        return self.distortion

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (channels and diagnostics summarised)."""
        out = {"distortion": to_jsonable(self.distortion), "R": to_jsonable(self.R)}
        out.update(self._base_dict())
        out["diagnostics"] = to_jsonable(self.diagnostics)
        return out


_SWEEP_FIELDS = (
    "D",
    "P",
    "rate",
    "lower",
    "upper",
    "feasible",
    "min_distortion",
    "zero_rate_distortion",
    "status",
    "message",
    "iterations",
)


def _sweep_dict(result: CurveResult | SurfaceResult) -> dict[str, Any]:
    """The JSON-serialisable dict of a curve or surface (strings as nested lists of str)."""
    out = {}
    for name in _SWEEP_FIELDS:
        value = getattr(result, name)
        if name in ("status", "message"):
            value = np.asarray(value).astype(str).tolist()
        out[name] = to_jsonable(value)
    out["units"] = result.units
    out["tol"] = result.tol
    out["feasibility_tol"] = FEASIBILITY_TOL
    out["method"] = result.method
    out["reference"] = result.reference
    return out


@dataclass(frozen=True, kw_only=True)
class SurfaceResult:
    """R(D, P) on a grid: arrays of shape (len(P), len(D)), rows P and columns D.

    The one surface type of the library: [`Problem.surface`][rdp.problem.Problem.surface]
    returns it; ``rdp surface``, the plots and ``rdp reproduce`` use it.

    Attributes
    ----------
    D, P : ndarray
        The grids (P in ``units`` for KL).
    rate, lower, upper : ndarray (len(P), len(D))
        Rate and certified bounds in ``units`` (``inf`` in infeasible cells).
    feasible : ndarray of bool
        False in cells with D < D_min(P).
    min_distortion, zero_rate_distortion : ndarray (len(P),)
        The boundary D_min(P) and the zero-rate distortion D_max(P); NaN (not known) in a
        row whose program ran out of the method's ``time_limit`` (its cells are solved all
        the same and carry their own status).
    status, message : ndarray of str
        Per cell (see [`Status`][rdp.status.Status]).
    iterations : ndarray of int
        Per cell.
    units, method, reference : str
    tol : float
        The gap tolerance (in ``units``) at which 'converged' and 'bounds' points are
        certified.
    distortion_label, perception_label, rate_label : str
        Axis labels naming the measures (filled by
        [`Problem.surface`][rdp.problem.Problem.surface]; plain 'D', 'P', 'R' for a
        surface read back from a sweep store).
    """

    D: NDArray
    P: NDArray
    rate: NDArray
    lower: NDArray
    upper: NDArray
    feasible: NDArray
    min_distortion: NDArray
    zero_rate_distortion: NDArray
    status: NDArray
    units: str
    method: str
    tol: float
    message: NDArray | None = None
    iterations: NDArray | None = None
    reference: str = ""
    distortion_label: str = "D"
    perception_label: str = "P"
    rate_label: str = "R"

    @property
    def gap(self) -> NDArray:
        """upper − lower per cell (0 in infeasible cells)."""
        with np.errstate(invalid="ignore"):
            return np.where(self.feasible, self.upper - self.lower, 0.0)

    @property
    def feasibility_tol(self) -> float:
        """The relative slack within which certified channels meet D and P
        ([`rdp.status.FEASIBILITY_TOL`][rdp.status.FEASIBILITY_TOL])."""
        return FEASIBILITY_TOL

    @property
    def certified(self) -> NDArray:
        """Mask of the certified cells ([`is_certified`][rdp.status.is_certified] at ``tol``)."""
        return is_certified(self.status, self.lower, self.upper, self.tol)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (arrays as nested lists)."""
        return _sweep_dict(self)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per cell, P-major (for CSV output)."""
        out = []
        for i, P in enumerate(self.P):
            for j, D in enumerate(self.D):
                out.append(
                    {
                        "D": float(D),
                        "P": float(P),
                        "rate": float(self.rate[i, j]),
                        "lower": float(self.lower[i, j]),
                        "upper": float(self.upper[i, j]),
                        "feasible": bool(self.feasible[i, j]),
                        "min_distortion": float(self.min_distortion[i]),
                        "status": str(self.status[i, j]),
                        "iterations": int(np.asarray(self.iterations)[i, j])
                        if self.iterations is not None
                        else 0,
                    }
                )
        return out

    def columns(self) -> dict[str, NDArray]:
        """Long-format columns ``P, D, R`` (P-major; R is ``nan`` where infeasible)."""
        m, n = self.rate.shape
        rate = np.where(self.feasible, self.rate, np.nan)
        return {"P": np.repeat(self.P, n), "D": np.tile(self.D, m), "R": rate.ravel()}

    def to_xarray(self):
        """An ``xarray.Dataset`` with dims ``P`` and ``D`` (needs the ``sweep`` extra).

        Data variables: rate, lower, upper, feasible, status, iterations (P, D)
        and min_distortion, zero_rate_distortion (P); attributes: units,
        method, reference.
        """
        try:
            import xarray as xr
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError(
                "SurfaceResult.to_xarray needs xarray: pip install 'rdp-theory[sweep]'"
            ) from err
        dims = ("P", "D")
        data = {
            "rate": (dims, np.asarray(self.rate, dtype=float)),
            "lower": (dims, np.asarray(self.lower, dtype=float)),
            "upper": (dims, np.asarray(self.upper, dtype=float)),
            "feasible": (dims, np.asarray(self.feasible, dtype=bool)),
            "status": (dims, np.asarray(self.status).astype(str)),
            "min_distortion": (("P",), np.asarray(self.min_distortion, dtype=float)),
            "zero_rate_distortion": (("P",), np.asarray(self.zero_rate_distortion, dtype=float)),
        }
        if self.iterations is not None:
            data["iterations"] = (dims, np.asarray(self.iterations, dtype=int))
        return xr.Dataset(
            data,
            coords={"P": np.asarray(self.P, dtype=float), "D": np.asarray(self.D, dtype=float)},
            attrs={"units": self.units, "method": self.method, "reference": self.reference},
        )

    def curve(self, i: int = 0) -> CurveResult:
        """The row ``P[i]`` as a [`CurveResult`][rdp.result.CurveResult]."""
        return CurveResult(
            D=self.D,
            P=float(self.P[i]),
            rate=self.rate[i],
            lower=self.lower[i],
            upper=self.upper[i],
            feasible=self.feasible[i],
            min_distortion=float(self.min_distortion[i]),
            zero_rate_distortion=float(self.zero_rate_distortion[i]),
            status=self.status[i],
            units=self.units,
            method=self.method,
            message=None if self.message is None else self.message[i],
            iterations=None if self.iterations is None else self.iterations[i],
            reference=self.reference,
            tol=self.tol,
        )


@dataclass(frozen=True, kw_only=True)
class CurveResult:
    """R(D, P) on a grid of D at one P (one row of a [`SurfaceResult`][rdp.result.SurfaceResult]).

    Attributes
    ----------
    D : ndarray (K,)
        Distortion grid.
    P : float
        Perception level (in ``units`` for KL).
    rate, lower, upper : ndarray (K,)
        Rate and certified bounds (``inf`` where infeasible).
    feasible : ndarray of bool (K,)
        False where D < D_min(P).
    min_distortion, zero_rate_distortion : float
        D_min(P) and D_max(P); NaN (not known) when its program ran out of the method's
        ``time_limit`` (the points are solved all the same and carry their own status).
    status, message : ndarray of str (K,)
        Per point (see [`Status`][rdp.status.Status]).
    iterations : ndarray of int (K,)
    units, method, reference : str
    tol : float
        The gap tolerance (in ``units``) at which 'converged' and 'bounds' points are
        certified.
    """

    D: NDArray
    P: float
    rate: NDArray
    lower: NDArray
    upper: NDArray
    feasible: NDArray
    min_distortion: float
    zero_rate_distortion: float
    status: NDArray
    units: str
    method: str
    tol: float
    diagnostics: list[dict[str, Any]] = field(default_factory=list, repr=False)
    message: NDArray | None = None
    iterations: NDArray | None = None
    reference: str = ""

    @property
    def feasibility_tol(self) -> float:
        """The relative slack within which certified channels meet D and P
        ([`rdp.status.FEASIBILITY_TOL`][rdp.status.FEASIBILITY_TOL])."""
        return FEASIBILITY_TOL

    @property
    def certified(self) -> NDArray:
        """Mask of the certified points ([`is_certified`][rdp.status.is_certified] at ``tol``)."""
        return is_certified(self.status, self.lower, self.upper, self.tol)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return _sweep_dict(self)


def _unwrap(arr: NDArray) -> Any:
    arr = np.asarray(arr)
    return arr.item() if arr.ndim == 0 else arr


def to_jsonable(value: Any) -> Any:
    """Convert numpy (or other array-like, e.g. jax) values to plain Python for ``json.dumps``.

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
