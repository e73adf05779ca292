"""Solve a ``Problem``: choose the method, convert units once, assemble results.

The layout of the library::

    sources, distortions, perceptions  ->  Problem (data)  ->  solve (this module)
        ->  a method: closed form | convex program | fast solver  ->  results

[`Problem`][rdp.problem.Problem] holds the data; this module

1. picks the method through the registry ([`rdp.methods`][rdp.methods]): ``'auto'`` is
   the closed form when one exists, else the default solver;
2. turns each user perception level into a [`PerceptionBound`][rdp.perceptions.PerceptionBound]
   ([`rdp.perceptions.to_bound`][rdp.perceptions.to_bound]: KL from ``units`` to nats) — the only
   unit conversion of P — and converts rates between bits and ``units`` once;
3. runs the points in one loop, passing each point's warm-start state
   (``warm``) to the next as an argument, so a
   result depends on its inputs only, never on earlier calls;
4. assembles [`RateResult`][rdp.result.RateResult],
[`DistortionResult`][rdp.result.DistortionResult],
   [`CurveResult`][rdp.result.CurveResult] or [`SurfaceResult`][rdp.result.SurfaceResult], each
   with ``status``, ``message`` and ``iterations``.

[`Problem.rate`][rdp.problem.Problem.rate], [`rdp.sweeps.surface`][rdp.sweeps.surface] and
[`rdp.plot.data.rate_surface`][rdp.plot.data.rate_surface] are conveniences over these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import (
    check_choice,
    check_nonnegative_array,
    check_perception_bound,
    check_solver_options,
    plain,
)
from rdp.exceptions import SweepInterrupted, warn_uncertified
from rdp.methods import Method, resolve_method
from rdp.perceptions import NoPerception, PerceptionBound, to_bound
from rdp.result import (
    STATUSES,
    CurveResult,
    DistortionResult,
    PointSolution,
    RateResult,
    SurfaceResult,
)
from rdp.units import UNITS, from_units, to_units

if TYPE_CHECKING:
    from rdp.problem import Problem

__all__ = [
    "bound",
    "min_distortion",
    "solve_curve",
    "solve_distortion",
    "solve_grid",
    "solve_rate",
    "zero_rate_distortion",
]


def bound(problem: Problem, P: float, units: str = "bits") -> PerceptionBound:
    """The internal perception bound of ``problem`` at level ``P`` given in ``units``."""
    return to_bound(problem.perception_measure, P, units)


def check_perception_option(problem: Problem, P: Any) -> Any:
    """``P`` unchanged; ``ValueError`` for a finite P on a problem without a perception measure."""
    if isinstance(problem.perception_measure, NoPerception) and np.any(np.asarray(P) != np.inf):
        raise ValueError(
            f"P = {plain(P)} has no effect: this problem has no perception measure; pass "
            "perception='tv', 'w1', 'w2', 'kl-source-recon' or 'kl-recon-source' to Problem, "
            "or leave P out (P = inf)"
        )
    return P


def get_method(problem: Problem, method: str = "auto", **options: Any) -> Method:
    """The method ``method`` ('auto', 'closed-form', 'fast', 'cvxpy', ...) for ``problem``."""
    return resolve_method(problem, method, **options)


def min_distortion(
    problem: Problem, P: float = np.inf, *, method: str = "auto", units: str = "bits"
) -> float:
    """D_min(P): the least distortion reachable at any rate with perception ≤ P."""
    check_choice(units, "units", UNITS)
    P = check_perception_option(problem, check_perception_bound(P))
    return float(get_method(problem, method).min_distortion(bound(problem, P, units)))


def zero_rate_distortion(
    problem: Problem, P: float = np.inf, *, method: str = "auto", units: str = "bits"
) -> float:
    """D_max(P): the least distortion at rate 0 with perception ≤ P."""
    check_choice(units, "units", UNITS)
    P = check_perception_option(problem, check_perception_bound(P))
    return float(get_method(problem, method).zero_rate_distortion(bound(problem, P, units)))


# ---------------------------------------------------------------------- the point loop
def rate_point(method: Method, D: float, P: PerceptionBound, warm: Any = None) -> PointSolution:
    """``method.rate_point(D, P, warm)``; a method without warm starts is called without it."""
    if warm is None:
        return method.rate_point(D, P)
    return method.rate_point(D, P, warm=warm)


def run_points(
    solve: Callable[[int, Any], PointSolution],
    order: Iterable[int],
    *,
    warm_start: bool = True,
    progress: Any = None,
    out: dict[int, PointSolution] | None = None,
) -> dict[int, PointSolution]:
    """Solve the points ``order`` in turn; each starts from the previous one's warm state.

    ``solve(k, warm)`` solves point ``k``. The only path by which points,
    curves and surfaces are solved. ``progress`` is an object with
    ``update(1)`` (a tqdm bar) or None. Points are added to ``out`` (a new dict
    by default) as they finish, so a caller keeps them when the loop is interrupted.
    """
    out = {} if out is None else out
    warm = None
    for k in order:
        point = _normalise(solve(k, warm if warm_start else None))
        if warm_start and point.warm is not None:
            warm = point.warm
        out[k] = point
        if progress is not None:
            progress.update(1)
    return out


def _normalise(point: PointSolution) -> PointSolution:
    """Make ``status`` agree with ``feasible`` (for methods that set only one of them)."""
    if not point.feasible and point.status != "infeasible":
        return point.replace(status="infeasible", message=point.message or "D < D_min(P)")
    legacy = (point.diagnostics or {}).get("status") if point.status == "exact" else None
    if legacy in STATUSES and legacy != "exact":
        return point.replace(status=legacy)
    return point


def _progress_bar(show: bool | None, total: int, desc: str) -> Any:
    if not (total > 20 if show is None else show):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="pt")


def _gather(points: list[PointSolution], shape: tuple[int, ...], attr: str, dtype: Any) -> NDArray:
    out = np.empty(len(points), dtype=dtype)
    for k, point in enumerate(points):
        out[k] = getattr(point, attr)
    return out.reshape(shape)


def _assemble(points: list[PointSolution], shape: tuple[int, ...], convert: Callable) -> dict:
    """Fields of a broadcast result from its points (flat, C order)."""
    fields = {
        "value": convert(_gather(points, shape, "value", float)),
        "lower": convert(_gather(points, shape, "lower", float)),
        "upper": convert(_gather(points, shape, "upper", float)),
        "feasible": _gather(points, shape, "feasible", bool),
        "channel": _gather(points, shape, "channel", object),
        "diagnostics": _gather(points, shape, "diagnostics", object),
        "status": _gather(points, shape, "status", object).astype(str),
        "message": _gather(points, shape, "message", object).astype(str),
        "iterations": _gather(points, shape, "iterations", int),
    }
    return {name: _scalar_or_array(value) for name, value in fields.items()}


def _scalar_or_array(arr: NDArray) -> Any:
    arr = np.asarray(arr)
    return arr.item() if arr.ndim == 0 else arr


# ---------------------------------------------------------------------- R(D, P) and D(R, P)
def solve_rate(
    problem: Problem,
    D: ArrayLike,
    P: ArrayLike = np.inf,
    *,
    method: str = "auto",
    units: str = "bits",
    warm_start: bool = True,
    **options: Any,
) -> RateResult:
    """R(D, P) at one point or on broadcast arrays of points (see ``rate``).

    Points are solved in C order, each warm-started from the previous one
    (``warm_start=False``: every point from a cold start).
    """
    check_choice(units, "units", UNITS)
    D_arr = check_nonnegative_array(D, "D", allow_inf=False)
    P_arr = check_perception_option(problem, check_nonnegative_array(P, "P", allow_inf=True))
    check_solver_options(options)
    solver = get_method(problem, method, **options)
    D_b, P_b = np.broadcast_arrays(D_arr, P_arr)
    d_flat, p_flat = D_b.ravel(), P_b.ravel()
    bounds = {p: bound(problem, p, units) for p in np.unique(p_flat)}

    def solve(k: int, warm: Any) -> PointSolution:
        return rate_point(solver, float(d_flat[k]), bounds[p_flat[k]], warm)

    solved = run_points(solve, range(d_flat.size), warm_start=warm_start)
    return _point_result(
        RateResult, solved, D_b.shape, lambda v: to_units(v, units), solver.reference,
        solver, units, rate="value", D=D_b, P=P_b,
    )  # fmt: skip


def solve_distortion(
    problem: Problem,
    R: ArrayLike,
    P: ArrayLike = np.inf,
    *,
    method: str = "auto",
    units: str = "bits",
    common_randomness: float | None = None,
    tol: float = 1e-10,
    **options: Any,
) -> DistortionResult:
    """D(R, P) at one point or on broadcast arrays (see ``distortion``).

    Uses the method's direct inverse when it has one, otherwise a certified
    bisection on R(D, P) ([`rdp.inversion.invert_rate`][rdp.inversion.invert_rate]).
    """
    from rdp.inversion import invert_rate

    check_choice(units, "units", UNITS)
    R_arr = from_units(check_nonnegative_array(R, "R", allow_inf=True), units)
    P_arr = check_perception_option(problem, check_nonnegative_array(P, "P", allow_inf=True))
    check_solver_options({"tol": tol, **options})
    solver = get_method(problem, method, **options)
    rc_bits = None
    if common_randomness is not None:
        rc = float(check_nonnegative_array(common_randomness, "common_randomness", allow_inf=True))
        if not hasattr(solver, "distortion_point_common_randomness"):
            raise ValueError(
                "common_randomness is supported for a Gaussian source with MSE at P = 0 only "
                "(Wagner 2022); leave it None for unlimited common randomness"
            )
        rc_bits = float(from_units(rc, units))
    R_b, P_b = np.broadcast_arrays(R_arr, P_arr)
    r_flat, p_flat = R_b.ravel(), P_b.ravel()
    bounds = {p: bound(problem, p, units) for p in np.unique(p_flat)}

    def solve(k: int, warm: Any) -> PointSolution:
        r, p = float(r_flat[k]), bounds[p_flat[k]]
        if rc_bits is not None:
            return solver.distortion_point_common_randomness(r, p, rc_bits)
        if hasattr(solver, "distortion_point"):
            return solver.distortion_point(r, p)
        return invert_rate(solver, r, p, tol=tol)

    solved = run_points(solve, range(r_flat.size), warm_start=False)
    reference = solver.common_randomness_reference if rc_bits is not None else solver.reference
    return _point_result(
        DistortionResult, solved, R_b.shape, lambda v: np.asarray(v, dtype=float), reference,
        solver, units, distortion="value", R=to_units(R_b, units), P=P_b,
    )  # fmt: skip


def _point_result(
    cls: type,
    solved: dict[int, PointSolution],
    shape: tuple[int, ...],
    convert: Callable,
    reference: str,
    solver: Method,
    units: str,
    **named: Any,
) -> Any:
    """A ``RateResult`` or ``DistortionResult`` of the points in ``solved`` (C order).

    ``named`` maps the result's own fields: the value's name to ``"value"`` (``rate`` or
    ``distortion``) and the inputs (``D``/``R``, ``P``) to their broadcast arrays. Warns
    when some point has no certified value.
    """
    fields = _assemble([solved[k] for k in range(len(solved))], shape, convert)
    inputs = {
        name: fields[value] if isinstance(value, str) else _scalar_or_array(value)
        for name, value in named.items()
    }
    result = cls(
        lower=fields["lower"],
        upper=fields["upper"],
        feasible=fields["feasible"],
        units=units,
        method=solver.name,
        reference=reference,
        channel=fields["channel"],
        diagnostics=fields["diagnostics"],
        status=fields["status"],
        message=fields["message"],
        iterations=fields["iterations"],
        **inputs,
    )
    warn_uncertified(result)
    return result


# ---------------------------------------------------------------------- curves and surfaces
def solve_grid(
    problem: Problem,
    D_grid: ArrayLike,
    P_grid: ArrayLike,
    *,
    method: str = "auto",
    units: str = "bits",
    warm_start: bool = True,
    progress: bool | None = None,
    **options: Any,
) -> SurfaceResult:
    """R(D, P) on the grid ``P_grid × D_grid`` (rows: P, columns: D).

    One method object solves every cell, sweeping D up and down in turn
    (snake order) so that each cell starts from its neighbour's warm state.

    Parameters
    ----------
    problem : Problem
    D_grid, P_grid : array_like
        1-D grids, D ≥ 0 finite, P in [0, ∞] (KL in ``units``).
    method, units, **options
        As in [`rdp.Problem.rate`][rdp.problem.Problem.rate].
    warm_start : bool
        Start each cell from its neighbour's state (default True).
    progress : bool, optional
        Show a tqdm progress bar (default: more than 20 cells).
    """
    check_choice(units, "units", UNITS)
    D = np.atleast_1d(check_nonnegative_array(D_grid, "D_grid", allow_inf=False)).astype(float)
    P = np.atleast_1d(check_nonnegative_array(P_grid, "P_grid", allow_inf=True)).astype(float)
    if D.ndim != 1 or P.ndim != 1 or D.size == 0 or P.size == 0:
        raise ValueError("D_grid and P_grid must be non-empty 1-D arrays")
    check_perception_option(problem, P)
    check_solver_options(options)
    solver = get_method(problem, method, **options)
    bounds = [bound(problem, p, units) for p in P]
    d_min = np.array([solver.min_distortion(b) for b in bounds], dtype=float)
    d_max = np.array([solver.zero_rate_distortion(b) for b in bounds], dtype=float)
    n = D.size
    ascending = np.argsort(D, kind="stable")
    order = [
        i * n + int(j)
        for i in range(P.size)
        for j in (ascending if i % 2 == 0 else ascending[::-1])
    ]

    def solve(k: int, warm: Any) -> PointSolution:
        i, j = divmod(k, n)
        return rate_point(solver, float(D[j]), bounds[i], warm)

    bar = _progress_bar(progress, P.size * n, "R(D) curve" if P.size == 1 else "R(D,P) surface")
    solved: dict[int, PointSolution] = {}
    try:
        run_points(solve, order, warm_start=warm_start, progress=bar, out=solved)
    except KeyboardInterrupt as err:
        # keep the finished cells; the unfinished ones have status 'not_computed'
        raise SweepInterrupted(_surface(solved, D, P, d_min, d_max, units, solver)) from err
    finally:
        if bar is not None:
            bar.close()
    result = _surface(solved, D, P, d_min, d_max, units, solver)
    warn_uncertified(result)
    return result


_NOT_COMPUTED = PointSolution(
    np.inf, np.inf, np.inf, False, status="infeasible", message="not computed (interrupted)"
)


def _surface(
    solved: dict[int, PointSolution],
    D: NDArray,
    P: NDArray,
    d_min: NDArray,
    d_max: NDArray,
    units: str,
    solver: Method,
) -> SurfaceResult:
    """The surface of the cells in ``solved``; missing cells get status 'not_computed'."""
    n = D.size
    missing = [k for k in range(P.size * n) if k not in solved]
    points = [solved.get(k, _NOT_COMPUTED) for k in range(P.size * n)]
    fields = _assemble(points, (P.size, n), lambda v: to_units(v, units))
    status = np.asarray(fields["status"]).astype(object).reshape(P.size, n)
    for k in missing:
        status[divmod(k, n)] = "not_computed"
    return SurfaceResult(
        D=D,
        P=P,
        rate=np.asarray(fields["value"], dtype=float).reshape(P.size, n),
        lower=np.asarray(fields["lower"], dtype=float).reshape(P.size, n),
        upper=np.asarray(fields["upper"], dtype=float).reshape(P.size, n),
        feasible=np.asarray(fields["feasible"], dtype=bool).reshape(P.size, n),
        min_distortion=d_min,
        zero_rate_distortion=d_max,
        status=status.astype(str),
        units=units,
        method=solver.name,
        message=np.asarray(fields["message"]).astype(str).reshape(P.size, n),
        iterations=np.asarray(fields["iterations"], dtype=int).reshape(P.size, n),
        reference=solver.reference,
    )


def solve_curve(
    problem: Problem,
    P: float,
    D_grid: ArrayLike,
    *,
    method: str = "auto",
    units: str = "bits",
    warm_start: bool = True,
    progress: bool | None = None,
    **options: Any,
) -> CurveResult:
    """R(D, P) for every D in ``D_grid`` at one perception level: one row of ``solve_grid``."""
    return solve_grid(
        problem,
        D_grid,
        [P],
        method=method,
        units=units,
        warm_start=warm_start,
        progress=progress,
        **options,
    ).curve(0)
