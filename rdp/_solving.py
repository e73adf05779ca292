"""How a ``Problem`` is solved: the one implementation behind its methods.

[`Problem.rate`][rdp.problem.Problem.rate], [`distortion`][rdp.problem.Problem.distortion],
[`rd_curve`][rdp.problem.Problem.rd_curve], [`surface`][rdp.problem.Problem.surface],
[`min_distortion`][rdp.problem.Problem.min_distortion] and
[`zero_rate_distortion`][rdp.problem.Problem.zero_rate_distortion] are the API, with their
defaults and documentation; each calls the function of the same name here
(``Problem.method``: ``choose_method``), which

1. picks the method through the registry ([`rdp.methods`][rdp.methods]): ``'auto'`` is
   the closed form when one exists, else the default solver;
2. turns each user perception level into a [`PerceptionBound`][rdp.perceptions.PerceptionBound]
   ([`rdp.perceptions.to_bound`][rdp.perceptions.to_bound]: KL from ``units`` to nats) — the only
   unit conversion of P — and converts rates between bits and ``units`` once;
3. runs the points in one loop, passing each point's warm-start state
   (``warm``) to the next as an argument, so a result depends on its inputs only,
   never on earlier calls;
4. assembles [`RateResult`][rdp.result.RateResult],
   [`DistortionResult`][rdp.result.DistortionResult],
   [`CurveResult`][rdp.result.CurveResult] or [`SurfaceResult`][rdp.result.SurfaceResult], each
   with ``status``, ``message`` and ``iterations``.

The functions here take every argument explicitly (no defaults): the defaults live
on the ``Problem`` methods only.
"""

from __future__ import annotations

import math
import pickle
import queue
import signal
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._labels import axis_labels
from rdp._parallel import (
    check_workers,
    explain_broken_pool,
    one_blas_thread,
    process_pool,
    spawn_context,
)
from rdp._validation import (
    broadcast_points,
    check_choice,
    check_nonnegative_array,
    check_perception_bound,
    check_solver_options,
    plain,
)
from rdp.exceptions import SweepInterrupted, TimeLimitError, warn_uncertified
from rdp.methods import Method, resolve_factory, stated_tol
from rdp.perceptions import NoPerception, PerceptionBound, to_bound
from rdp.result import (
    CurveResult,
    DistortionResult,
    PointSolution,
    RateResult,
    SurfaceResult,
)
from rdp.status import CERTIFIED_GAP
from rdp.units import UNITS, from_units, to_units

if TYPE_CHECKING:
    from rdp.problem import Problem

__all__ = ["distortion", "min_distortion", "rate", "rd_curve", "surface", "zero_rate_distortion"]


def _bound(problem: Problem, P: float, units: str) -> PerceptionBound:
    """The internal perception bound of ``problem`` at level ``P`` given in ``units``."""
    return to_bound(problem.perception_measure, P, units)


def choose_method(problem: Problem, name: str, **options: Any) -> Method:
    """[`Problem.method`][rdp.problem.Problem.method]: the registry's choice for ``problem``."""
    return resolve_factory(problem, name, **options)[1]


def check_perception_option(problem: Problem, P: Any) -> Any:
    """``P`` unchanged; ``ValueError`` for a finite P on a problem without a perception measure."""
    if isinstance(problem.perception_measure, NoPerception) and np.any(np.asarray(P) != np.inf):
        raise ValueError(
            f"P = {plain(P)} has no effect: this problem has no perception measure; pass "
            "perception='tv', 'w1', 'w2', 'kl-source-recon' or 'kl-recon-source' to Problem, "
            "or leave P out (P = inf)"
        )
    return P


def min_distortion(problem: Problem, P: float, *, method: str, units: str) -> float:
    """[`Problem.min_distortion`][rdp.problem.Problem.min_distortion]."""
    check_choice(units, "units", UNITS)
    P = check_perception_option(problem, check_perception_bound(P))
    return float(choose_method(problem, method).min_distortion(_bound(problem, P, units)))


def zero_rate_distortion(problem: Problem, P: float, *, method: str, units: str) -> float:
    """[`Problem.zero_rate_distortion`][rdp.problem.Problem.zero_rate_distortion]."""
    check_choice(units, "units", UNITS)
    P = check_perception_option(problem, check_perception_bound(P))
    return float(choose_method(problem, method).zero_rate_distortion(_bound(problem, P, units)))


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
        point = solve(k, warm if warm_start else None)
        if warm_start and point.warm is not None:
            warm = point.warm
        out[k] = point
        if progress is not None:
            progress.update(1)
    return out


def _progress_bar(show: bool | None, total: int, desc: str, delay: float = 0.0) -> Any:
    """A tqdm bar on stderr over ``total`` points, or None.

    ``show`` None: for more than 20 points, and only when stderr is a terminal; True:
    always; False: never. The bar appears after ``delay`` seconds of work.
    """
    if not (total > 20 if show is None else show):
        return None
    from tqdm.auto import tqdm

    disable = None if show is None else False  # None: tqdm stays quiet off a terminal
    return tqdm(total=total, desc=desc, unit="pt", disable=disable, delay=delay)


def _point_progress(method: Method, show: bool | None) -> None:
    """Tell a method with a per-point progress bar (``progress`` attribute) whether to show it."""
    if hasattr(method, "progress"):
        method.progress = show


#: Seconds of work on an array of points before its progress bar appears.
ARRAY_PROGRESS_DELAY = 2.0
#: Arrays of more points than this get a progress bar (fewer: each point's own, if any).
ARRAY_PROGRESS_MIN = 20


def _array_bar(show: bool | None, total: int, desc: str) -> Any:
    """The bar of ``rate()`` or ``distortion()`` over more than ARRAY_PROGRESS_MIN points."""
    if total <= ARRAY_PROGRESS_MIN or show is False:
        return None
    return _progress_bar(show, total, desc, ARRAY_PROGRESS_DELAY)


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
def rate(
    problem: Problem,
    D: ArrayLike,
    P: ArrayLike,
    *,
    method: str,
    units: str,
    warm_start: bool,
    progress: bool | None,
    **options: Any,
) -> RateResult:
    """[`Problem.rate`][rdp.problem.Problem.rate]: the points in C order, each warm-started."""
    check_choice(units, "units", UNITS)
    D_arr = check_nonnegative_array(D, "D", allow_inf=False)
    P_arr = check_perception_option(problem, check_nonnegative_array(P, "P", allow_inf=True))
    check_solver_options(options)
    solver = choose_method(problem, method, **options)
    D_b, P_b = broadcast_points(D_arr, P_arr, ("D", "P"))
    d_flat, p_flat = D_b.ravel(), P_b.ravel()
    bounds = {p: _bound(problem, p, units) for p in np.unique(p_flat)}

    def solve_point(k: int, warm: Any) -> PointSolution:
        return rate_point(solver, float(d_flat[k]), bounds[p_flat[k]], warm)

    bar = _array_bar(progress, d_flat.size, "R(D, P) points")
    _point_progress(solver, progress if bar is None else False)
    try:
        solved = run_points(solve_point, range(d_flat.size), warm_start=warm_start, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    return _point_result(
        RateResult, solved, D_b.shape, lambda v: to_units(v, units), solver.reference,
        solver, units, float(to_units(stated_tol(solver), units)), rate="value", D=D_b, P=P_b,
    )  # fmt: skip


def distortion(
    problem: Problem,
    R: ArrayLike,
    P: ArrayLike,
    *,
    method: str,
    units: str,
    common_randomness: float | None,
    tol: float,
    progress: bool | None,
    **options: Any,
) -> DistortionResult:
    """[`Problem.distortion`][rdp.problem.Problem.distortion]: a direct inverse or a bisection."""
    from rdp.inversion import invert_rate

    check_choice(units, "units", UNITS)
    R_arr = from_units(check_nonnegative_array(R, "R", allow_inf=True), units)
    P_arr = check_perception_option(problem, check_nonnegative_array(P, "P", allow_inf=True))
    check_solver_options({"tol": tol, **options})
    solver = choose_method(problem, method, **options)
    rc_bits = None
    if common_randomness is not None:
        rc = float(check_nonnegative_array(common_randomness, "common_randomness", allow_inf=True))
        if not hasattr(solver, "distortion_point_common_randomness"):
            raise ValueError(
                "common_randomness is supported for a Gaussian source with MSE at P = 0 only "
                "(Wagner 2022); leave it None for unlimited common randomness"
            )
        rc_bits = float(from_units(rc, units))
    R_b, P_b = broadcast_points(R_arr, P_arr, ("R", "P"))
    r_flat, p_flat = R_b.ravel(), P_b.ravel()
    bounds = {p: _bound(problem, p, units) for p in np.unique(p_flat)}

    def solve_point(k: int, warm: Any) -> PointSolution:
        r, p = float(r_flat[k]), bounds[p_flat[k]]
        if rc_bits is not None:
            return solver.distortion_point_common_randomness(r, p, rc_bits)
        if hasattr(solver, "distortion_point"):
            return solver.distortion_point(r, p)
        return invert_rate(solver, r, p, tol=tol)

    bar = _array_bar(progress, r_flat.size, "D(R, P) points")
    _point_progress(solver, progress if bar is None else False)
    try:
        solved = run_points(solve_point, range(r_flat.size), warm_start=False, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    reference = solver.common_randomness_reference if rc_bits is not None else solver.reference
    return _point_result(
        DistortionResult, solved, R_b.shape, lambda v: np.asarray(v, dtype=float), reference,
        solver, units, max(CERTIFIED_GAP, tol), distortion="value", R=to_units(R_b, units),
        P=P_b,
    )  # fmt: skip


def _point_result(
    cls: type,
    solved: dict[int, PointSolution],
    shape: tuple[int, ...],
    convert: Callable,
    reference: str,
    solver: Method,
    units: str,
    tol: float,
    **named: Any,
) -> Any:
    """A ``RateResult`` or ``DistortionResult`` of the points in ``solved`` (C order).

    ``tol`` is the gap tolerance (in the value's unit) the points are certified to.

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
        tol=tol,
        **inputs,
    )
    warn_uncertified(result)
    return result


# ---------------------------------------------------------------------- curves and surfaces
def surface(
    problem: Problem,
    D_grid: ArrayLike,
    P_grid: ArrayLike,
    *,
    method: str,
    units: str,
    warm_start: bool,
    progress: bool | None,
    workers: int | None,
    **options: Any,
) -> SurfaceResult:
    """[`Problem.surface`][rdp.problem.Problem.surface]: the cells in snake order, by chains.

    One method object solves every cell, sweeping D up and down in turn (snake
    order) so that each cell starts from its neighbour's warm state. With
    ``workers > 1`` the rows are dealt to ``workers`` chains (chain ``w`` takes rows
    ``w, w + workers, w + 2 workers, …``), each solved in snake order by its own
    method object in a spawned process with one BLAS thread.
    """
    check_choice(units, "units", UNITS)
    workers = check_workers(workers)
    D = np.atleast_1d(check_nonnegative_array(D_grid, "D_grid", allow_inf=False)).astype(float)
    P = np.atleast_1d(check_nonnegative_array(P_grid, "P_grid", allow_inf=True)).astype(float)
    if D.ndim != 1 or P.ndim != 1 or D.size == 0 or P.size == 0:
        raise ValueError("D_grid and P_grid must be non-empty 1-D arrays")
    check_perception_option(problem, P)
    check_solver_options(options)
    factory, solver = resolve_factory(problem, method, **options)
    bounds = [_bound(problem, p, units) for p in P]
    labels = axis_labels(problem, units)
    chains = min(workers, P.size)
    if chains > 1:
        _check_pickles(workers, problem, factory, options, bounds)
    d_min = np.array([_within_limit(solver.min_distortion, b) for b in bounds], dtype=float)
    d_max = np.array([_within_limit(solver.zero_rate_distortion, b) for b in bounds], dtype=float)
    n = D.size
    ascending = np.argsort(D, kind="stable")
    bar = _progress_bar(progress, P.size * n, "R(D) curve" if P.size == 1 else "R(D,P) surface")
    _point_progress(solver, progress if bar is None else False)
    solved: dict[int, PointSolution] = {}
    try:
        if chains > 1:
            tasks = [
                (factory, problem, options, D, ascending, rows, [bounds[i] for i in rows])
                for rows in (list(range(w, P.size, chains)) for w in range(chains))
            ]
            _run_chains(tasks, chains, warm_start, bar, solved)
        else:
            order = _snake(range(P.size), n, ascending)

            def solve_cell(k: int, warm: Any) -> PointSolution:
                i, j = divmod(k, n)
                return rate_point(solver, float(D[j]), bounds[i], warm)

            run_points(solve_cell, order, warm_start=warm_start, progress=bar, out=solved)
    except KeyboardInterrupt as err:
        # keep the finished cells; the unfinished ones have status 'not_computed'
        raise SweepInterrupted(_surface(solved, D, P, d_min, d_max, units, solver, labels)) from err
    finally:
        if bar is not None:
            bar.close()
    result = _surface(solved, D, P, d_min, d_max, units, solver, labels)
    warn_uncertified(result)
    return result


def _within_limit(program: Callable[[PerceptionBound], float], bound: PerceptionBound) -> float:
    """``program(bound)``, or NaN ("not known") when it ran out of the method's time limit.

    A row whose D_min or D_max program runs out of ``time_limit`` does not stop the whole
    surface: every cell of the row is still solved (and marked ``time_limit`` where its own
    programs run out), and the row's ``min_distortion`` / ``zero_rate_distortion`` entry is
    NaN.
    """
    try:
        return float(program(bound))
    except TimeLimitError:
        return math.nan


def _snake(rows: Iterable[int], n: int, ascending: NDArray) -> list[int]:
    """Flat indices of the cells of ``rows`` (n each), D up and down in turn (snake order)."""
    return [
        i * n + int(j)
        for r, i in enumerate(rows)
        for j in (ascending if r % 2 == 0 else ascending[::-1])
    ]


# ---------------------------------------------------------------------- chains in processes
def _check_pickles(workers: int, *objects: Any) -> None:
    """``ValueError`` naming ``workers`` when the problem, factory or options do not pickle."""
    try:
        pickle.dumps(objects)
    except Exception as err:  # PicklingError, TypeError, AttributeError: whatever pickle raises
        raise ValueError(
            f"workers = {workers} solves the rows in other processes, which needs a problem, "
            f"method factory and options that pickle; this one does not ({err}); "
            "use workers = 1"
        ) from None


class _Ticks:
    """A progress object for ``run_points`` in a worker: one queue item per finished cell."""

    def update(self, count: int) -> None:
        _WORKER["ticks"].put(count)


class _ChainStopped(Exception):
    """Raised in a worker when the parent asked the chains to stop (Ctrl-C)."""


class _LightCells(dict):
    """Cells of one chain as they finish, without channel, diagnostics or warm state.

    A surface keeps neither channels nor diagnostics, so they are dropped before
    they cross the process boundary.
    """

    def __setitem__(self, k: int, point: PointSolution) -> None:
        super().__setitem__(k, point.replace(channel=None, diagnostics={}, warm=None))


#: State of a chain worker process, set once by ``_start_chain_worker``.
_WORKER: dict[str, Any] = {}


def _start_chain_worker(ticks: Any, stop: Any) -> None:
    """Initialise a worker: the parent's tick queue and stop event; Ctrl-C is the parent's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ticks.cancel_join_thread()  # never block the worker's exit on unread ticks
    _WORKER.update(ticks=ticks, stop=stop)


def _solve_chain(
    factory: Callable[..., Method],
    problem: Problem,
    options: dict[str, Any],
    D: NDArray,
    ascending: NDArray,
    rows: list[int],
    bounds: list[PerceptionBound],
    warm_start: bool,
) -> dict[int, PointSolution]:
    """Solve the cells of ``rows`` in snake order in a worker; stop early when asked to.

    ``bounds[r]`` is the perception bound of row ``rows[r]``. Returns the finished
    cells (flat index -> light point).
    """
    solver = factory(problem, **options)
    _point_progress(solver, False)  # the parent's bar counts the cells
    n = D.size
    row_bound = dict(zip(rows, bounds, strict=True))

    def solve_cell(k: int, warm: Any) -> PointSolution:
        if _WORKER["stop"].is_set():
            raise _ChainStopped
        i, j = divmod(k, n)
        return rate_point(solver, float(D[j]), row_bound[i], warm)

    solved = _LightCells()
    with one_blas_thread():
        try:
            order = _snake(rows, n, ascending)
            run_points(solve_cell, order, warm_start=warm_start, progress=_Ticks(), out=solved)
        except _ChainStopped:
            pass
    return dict(solved)


def _run_chains(
    tasks: list[tuple], workers: int, warm_start: bool, bar: Any, solved: dict[int, PointSolution]
) -> None:
    """Run the chains ``tasks`` in a pool of ``workers`` processes; finished cells go to ``solved``.

    The bar moves by one per cell as the workers report them. On any exit (done,
    an error, Ctrl-C) the workers are told to stop after their current cell, the
    pool is shut down, and every cell of the chains that returned is kept.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    context = spawn_context()
    ticks, stop = context.Queue(), context.Event()
    pool = process_pool(workers, initializer=_start_chain_worker, initargs=(ticks, stop))
    futures: list = []
    shown = 0
    try:
        with explain_broken_pool():
            futures = [pool.submit(_solve_chain, *task, warm_start) for task in tasks]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                shown += _drain(ticks, bar)
            for future in futures:
                future.result()  # a worker's error is raised here
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            if future.done() and not future.cancelled() and future.exception() is None:
                solved.update(future.result())
        ticks.close()
    if bar is not None and len(solved) > shown:
        bar.update(len(solved) - shown)


def _drain(ticks: Any, bar: Any) -> int:
    """Move ``bar`` by the ticks waiting in the queue; return how many there were."""
    count = 0
    while True:
        try:
            count += ticks.get_nowait()
        except queue.Empty:
            break
    if bar is not None and count:
        bar.update(count)
    return count


_NOT_COMPUTED = PointSolution.not_computed()


def _surface(
    solved: dict[int, PointSolution],
    D: NDArray,
    P: NDArray,
    d_min: NDArray,
    d_max: NDArray,
    units: str,
    solver: Method,
    labels: tuple[str, str, str],
) -> SurfaceResult:
    """The surface of the cells in ``solved``; missing cells get status 'not_computed'."""
    n = D.size
    points = [solved.get(k, _NOT_COMPUTED) for k in range(P.size * n)]
    fields = _assemble(points, (P.size, n), lambda v: to_units(v, units))
    return SurfaceResult(
        D=D,
        P=P,
        rate=np.asarray(fields["value"], dtype=float).reshape(P.size, n),
        lower=np.asarray(fields["lower"], dtype=float).reshape(P.size, n),
        upper=np.asarray(fields["upper"], dtype=float).reshape(P.size, n),
        feasible=np.asarray(fields["feasible"], dtype=bool).reshape(P.size, n),
        min_distortion=d_min,
        zero_rate_distortion=d_max,
        status=np.asarray(fields["status"]).astype(str).reshape(P.size, n),
        units=units,
        method=solver.name,
        tol=float(to_units(stated_tol(solver), units)),
        message=np.asarray(fields["message"]).astype(str).reshape(P.size, n),
        iterations=np.asarray(fields["iterations"], dtype=int).reshape(P.size, n),
        reference=solver.reference,
        distortion_label=labels[0],
        perception_label=labels[1],
        rate_label=labels[2],
    )


def rd_curve(
    problem: Problem,
    P: float,
    D_grid: ArrayLike,
    *,
    method: str,
    units: str,
    warm_start: bool,
    progress: bool | None,
    **options: Any,
) -> CurveResult:
    """[`Problem.rd_curve`][rdp.problem.Problem.rd_curve]: the one row of a surface at ``P``."""
    return surface(
        problem,
        D_grid,
        [P],
        method=method,
        units=units,
        warm_start=warm_start,
        progress=progress,
        workers=1,
        **options,
    ).curve(0)
