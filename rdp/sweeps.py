"""R(D, P) along a curve in D and over a (D, P) surface, with warm starts and a progress bar.

:func:`rd_curve` solves R(·, P) on a grid of distortions at one perception
level; :func:`surface` solves R(D, P) on a grid of both. Both reuse one method
object, so an iterative solver (``method="fast"``) starts each point from the
previous point's multipliers (warm start), sweeping D in snake order over the
surface. Infeasible cells (D < D_min(P)) hold ``rate = inf`` and
``feasible = False``; the boundary D_min(P) is returned per P.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import check_choice, check_nonnegative_array
from rdp.exceptions import SweepInterrupted, warn_uncertified
from rdp.units import UNITS, to_units

_NUMERIC_FIELDS = (
    "D",
    "P",
    "rate",
    "lower",
    "upper",
    "feasible",
    "min_distortion",
    "zero_rate_distortion",
)


def _sweep_dict(result: CurveResult | SurfaceResult) -> dict[str, Any]:
    """The JSON-serialisable dict of a curve or surface (status as nested lists of str)."""
    from rdp.result import to_jsonable

    out = {name: to_jsonable(getattr(result, name)) for name in _NUMERIC_FIELDS}
    out["status"] = np.asarray(result.status).astype(str).tolist()
    out["units"] = result.units
    out["method"] = result.method
    return out


@dataclass(frozen=True)
class CurveResult:
    """R(D, P) on a grid of D at one P.

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
        D_min(P) and D_max(P).
    status : ndarray of str (K,)
        Solver status per point ('converged', 'exact', 'infeasible', 'time_limit', ...).
    units, method : str
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
    diagnostics: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return _sweep_dict(self)


@dataclass(frozen=True)
class SurfaceResult:
    """R(D, P) on a grid: arrays of shape (len(P_grid), len(D_grid)).

    Attributes
    ----------
    D, P : ndarray
        The grids.
    rate, lower, upper : ndarray (len(P), len(D))
        Rate and certified bounds (``inf`` in infeasible cells).
    feasible : ndarray of bool
        False in cells with D < D_min(P).
    min_distortion, zero_rate_distortion : ndarray (len(P),)
        The boundary D_min(P) and the zero-rate distortion D_max(P).
    status : ndarray of str
        Solver status per cell.
    units, method : str
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

    @property
    def gap(self) -> NDArray:
        """upper − lower per cell."""
        with np.errstate(invalid="ignore"):
            return np.where(self.feasible, self.upper - self.lower, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (arrays as nested lists)."""
        return _sweep_dict(self)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per cell (for CSV output)."""
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
                    }
                )
        return out


def rd_curve(
    problem,
    P: float,
    D_grid: ArrayLike,
    *,
    method: str = "auto",
    units: str = "bits",
    progress: bool | None = None,
    **options: Any,
) -> CurveResult:
    """R(D, P) for every D in ``D_grid`` at the perception level ``P``.

    Parameters
    ----------
    problem : Problem
        The problem (any source the chosen method handles).
    P : float
        Perception bound in [0, ∞] (KL in ``units``).
    D_grid : array_like
        Distortions ≥ 0 (solved in increasing order, warm-starting each point).
    method, units, **options
        As in :meth:`rdp.Problem.rate`.
    progress : bool, optional
        Show a tqdm progress bar (default: when the grid has more than 20 points).
    """
    surf = surface(
        problem,
        D_grid,
        [P],
        method=method,
        units=units,
        progress=progress,
        _label="R(D) curve",
        **options,
    )
    return CurveResult(
        D=surf.D,
        P=float(surf.P[0]),
        rate=surf.rate[0],
        lower=surf.lower[0],
        upper=surf.upper[0],
        feasible=surf.feasible[0],
        min_distortion=float(surf.min_distortion[0]),
        zero_rate_distortion=float(surf.zero_rate_distortion[0]),
        status=surf.status[0],
        units=units,
        method=surf.method,
    )


def surface(
    problem,
    D_grid: ArrayLike,
    P_grid: ArrayLike,
    *,
    method: str = "auto",
    units: str = "bits",
    progress: bool | None = None,
    _label: str = "R(D,P) surface",
    **options: Any,
) -> SurfaceResult:
    """R(D, P) on the grid ``P_grid × D_grid`` (rows: P, columns: D).

    The same method object solves every cell, sweeping D up and down in turn
    (snake order) so that each cell starts from its neighbour's solution.

    Parameters
    ----------
    problem : Problem
    D_grid, P_grid : array_like
        1-D grids, D ≥ 0 finite, P in [0, ∞] (KL in ``units``).
    method, units, **options
        As in :meth:`rdp.Problem.rate`.
    progress : bool, optional
        Show a tqdm progress bar (default: more than 20 cells).
    """
    check_choice(units, "units", UNITS)
    D = np.atleast_1d(check_nonnegative_array(D_grid, "D_grid", allow_inf=False)).astype(float)
    P = np.atleast_1d(check_nonnegative_array(P_grid, "P_grid", allow_inf=True)).astype(float)
    if D.ndim != 1 or P.ndim != 1 or D.size == 0 or P.size == 0:
        raise ValueError("D_grid and P_grid must be non-empty 1-D arrays")
    problem._check_perception_option(P)
    solver = problem.method(method, **options)
    shape = (P.size, D.size)
    rate = np.full(shape, np.inf)
    lower = np.full(shape, np.inf)
    upper = np.full(shape, np.inf)
    feasible = np.zeros(shape, dtype=bool)
    status = np.empty(shape, dtype=object)
    d_min = np.empty(P.size)
    d_max = np.empty(P.size)
    order = np.argsort(D)
    show = (D.size * P.size > 20) if progress is None else bool(progress)
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=D.size * P.size, desc=_label, unit="pt")
    status[:] = "not_computed"
    d_min[:] = np.nan
    d_max[:] = np.nan
    try:
        for i, p_value in enumerate(P):
            p_bits = problem._perception_bits(p_value, units)
            d_min[i] = solver.min_distortion(p_bits)
            d_max[i] = solver.zero_rate_distortion(p_bits)
            sweep = order if i % 2 == 0 else order[::-1]
            for j in sweep:
                point = solver.rate_point(float(D[j]), p_bits)
                rate[i, j] = to_units(point.value, units)
                lower[i, j] = to_units(point.lower, units)
                upper[i, j] = to_units(point.upper, units)
                feasible[i, j] = point.feasible
                status[i, j] = (
                    "infeasible"
                    if not point.feasible
                    else str((point.diagnostics or {}).get("status", "exact"))
                )
                if bar is not None:
                    bar.update(1)
    except KeyboardInterrupt as err:
        # keep the finished cells: unfinished ones have status 'not_computed'
        if bar is not None:
            bar.close()
        partial = SurfaceResult(D, P, rate, lower, upper, feasible, d_min, d_max,
                                status.astype(str), units, solver.name)  # fmt: skip
        raise SweepInterrupted(partial) from err
    if bar is not None:
        bar.close()
    result = SurfaceResult(
        D=D,
        P=P,
        rate=rate,
        lower=lower,
        upper=upper,
        feasible=feasible,
        min_distortion=d_min,
        zero_rate_distortion=d_max,
        status=status.astype(str),
        units=units,
        method=solver.name,
    )
    warn_uncertified(result, stacklevel=3 if _label == "R(D,P) surface" else 4)
    return result
