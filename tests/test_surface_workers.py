"""Surfaces solved in several processes: ``Problem.surface(workers=...)`` and the CLI.

With ``workers = W > 1`` the rows of the grid are dealt to W chains solved in
spawned processes, each with its own warm starts; every cell is certified on its
own, so a parallel surface must agree with the serial one *as intervals*
(certified [lower, upper] overlapping cell by cell), with the same statuses.
References: the serial path, re-implemented here as a plain loop over
``rate_point`` (bit for bit), and Blau & Michaeli 2019, Theorem 2 for a binary
source (``references.bernoulli_tv_rate``).
"""

import json
import multiprocessing
from dataclasses import replace

import numpy as np
import pytest
import references as ref
from test_reliability import run_cli

import rdp._solving
from rdp import Discrete, Gaussian, Problem
from rdp.exceptions import SweepInterrupted
from rdp.methods import METHODS, register_method
from rdp.solvers.fast import fast_solver

TOL = 1e-6
D_GRID = np.array([0.05, 0.15, 0.3, 0.5, 0.8])
P_GRID = np.array([0.0, 0.05, 0.1, 0.3])


def gaussian_problem() -> Problem:
    return Problem(Gaussian().discretize(16), "mse", "w2")


@pytest.fixture(scope="module")
def serial_and_parallel():
    problem = gaussian_problem()
    kwargs = dict(method="fast", tol=TOL, progress=False)
    serial = problem.surface(D_GRID, P_GRID, **kwargs)
    parallel = problem.surface(D_GRID, P_GRID, workers=2, **kwargs)
    return serial, parallel


def assert_intervals_overlap(a, b, slack: float = 1e-9) -> None:
    """The certified intervals of two surfaces overlap in every feasible cell."""
    assert np.array_equal(a.feasible, b.feasible)
    f = a.feasible
    assert (np.maximum(a.lower, b.lower)[f] <= np.minimum(a.upper, b.upper)[f] + slack).all()


# ---------------------------------------------------------------------- workers = 2
def test_two_workers_agree_with_the_serial_surface_cell_by_cell(serial_and_parallel):
    serial, parallel = serial_and_parallel
    assert np.array_equal(parallel.status, serial.status)
    assert set(np.unique(parallel.status)) <= {"converged", "exact", "infeasible"}
    assert_intervals_overlap(serial, parallel)
    assert (parallel.gap <= TOL * (1 + 1e-9)).all()
    # the boundary is computed once in the parent: the same numbers
    assert np.array_equal(parallel.min_distortion, serial.min_distortion)
    assert np.array_equal(parallel.zero_rate_distortion, serial.zero_rate_distortion)
    assert (parallel.method, parallel.reference, parallel.units) == (
        serial.method, serial.reference, serial.units,
    )  # fmt: skip
    for name in ("rate", "lower", "upper", "feasible", "status", "message", "iterations"):
        assert getattr(parallel, name).shape == (P_GRID.size, D_GRID.size), name
        assert getattr(parallel, name).dtype.kind == getattr(serial, name).dtype.kind, name


def test_the_overlap_check_catches_cells_put_in_the_wrong_row(serial_and_parallel):
    """Twin of the test above: rows swapped (what a wrong chain → row map gives) must fail."""
    serial, parallel = serial_and_parallel
    rows = [1, 0, 3, 2]
    swapped = replace(parallel, lower=parallel.lower[rows], upper=parallel.upper[rows])
    with pytest.raises(AssertionError):
        assert_intervals_overlap(serial, swapped)


# ---------------------------------------------------------------------- workers = 1
def plain_serial_loop(problem: Problem, warm_start: bool = True):
    """Today's serial path written out: one method object, rows in snake order, warm starts."""
    solver = problem.method("fast", tol=TOL)
    rate = np.full((P_GRID.size, D_GRID.size), np.nan)
    iterations = np.zeros((P_GRID.size, D_GRID.size), dtype=int)
    warm = None
    for i, P in enumerate(P_GRID):
        bound = problem.bound(P)
        for j in range(D_GRID.size) if i % 2 == 0 else reversed(range(D_GRID.size)):
            point = solver.rate_point(D_GRID[j], bound, warm=warm) if warm is not None else (
                solver.rate_point(D_GRID[j], bound)
            )  # fmt: skip
            if warm_start and point.warm is not None:
                warm = point.warm
            rate[i, j], iterations[i, j] = point.value, point.iterations
    return rate, iterations


def test_one_worker_is_the_serial_path_bit_for_bit(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("workers=1 must not start processes")

    monkeypatch.setattr(rdp._solving, "process_pool", no_pool)
    problem = gaussian_problem()
    result = problem.surface(D_GRID, P_GRID, method="fast", tol=TOL, progress=False, workers=1)
    rate, iterations = plain_serial_loop(problem)
    assert np.array_equal(result.rate, rate)
    assert np.array_equal(result.iterations, iterations)
    # twin: the same loop without warm starts is another computation, and the check sees it
    _, cold_iterations = plain_serial_loop(problem, warm_start=False)
    assert not np.array_equal(result.iterations, cold_iterations)


def test_one_row_or_one_core_takes_the_serial_path(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("one chain must not start processes")

    monkeypatch.setattr(rdp._solving, "process_pool", no_pool)
    problem = gaussian_problem()
    serial = problem.surface(D_GRID, [0.1], method="fast", tol=TOL, progress=False)
    one_row = problem.surface(D_GRID, [0.1], method="fast", tol=TOL, progress=False, workers=4)
    assert np.array_equal(one_row.rate, serial.rate)
    monkeypatch.setattr("rdp._parallel.os.cpu_count", lambda: 1)
    one_core = problem.surface(D_GRID, [0.0, 0.1], method="fast", progress=False, workers=None)
    assert one_core.rate.shape == (2, D_GRID.size)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("workers", [0, -2, 2.5, 2.0, "2", True])
def test_bad_workers_are_refused_before_any_work(workers, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("no method may be built before the check")

    monkeypatch.setattr(rdp._solving, "resolve_factory", no_work)
    with pytest.raises(ValueError, match=r"workers must be an integer ≥ 1"):
        gaussian_problem().surface(D_GRID, P_GRID, workers=workers)


def test_a_problem_that_does_not_pickle_is_refused_naming_workers(monkeypatch):
    class LocalDiscrete(Discrete):  # a local class: pickle cannot find it by name
        pass

    def no_pool(*args, **kwargs):
        raise AssertionError("no process may start")

    monkeypatch.setattr(rdp._solving, "process_pool", no_pool)
    problem = Problem(LocalDiscrete([0.5, 0.3, 0.2]), "hamming", "tv")
    with pytest.raises(ValueError, match=r"workers = 2 .* pickle"):
        problem.surface([0.1, 0.2], [0.0, 0.1], method="fast", workers=2)
    # the same problem is fine in one process
    assert problem.surface([0.1, 0.2], [0.0, 0.1], method="fast", workers=1).rate.shape == (2, 2)


# ---------------------------------------------------------------------- Ctrl-C
class _CellsThenWait:
    """The fast solver, but each chain's 3rd cell waits until the parent says stop."""

    def __init__(self, problem: Problem, **options):
        self._solver = fast_solver(problem, **options)
        self.name, self.reference = self._solver.name, self._solver.reference
        self.min_distortion = self._solver.min_distortion
        self.zero_rate_distortion = self._solver.zero_rate_distortion
        self.calls = 0

    def rate_point(self, D, P, warm=None):
        self.calls += 1
        if self.calls == 3:  # in a worker: wait for the stop event set on Ctrl-C
            assert rdp._solving._WORKER["stop"].wait(timeout=60), "the parent never said stop"
        return self._solver.rate_point(D, P, warm=warm)


def cells_then_wait(problem: Problem, **options) -> _CellsThenWait:
    return _CellsThenWait(problem, **options)


class _InterruptAfter:
    """A progress bar that raises KeyboardInterrupt once ``after`` cells are reported."""

    def __init__(self, after: int):
        self.after, self.n = after, 0

    def update(self, count: int) -> None:
        self.n += count
        if self.n >= self.after:
            raise KeyboardInterrupt

    def close(self) -> None:
        pass


def test_ctrl_c_keeps_the_finished_cells_and_shuts_the_pool_down(monkeypatch, serial_and_parallel):
    register_method("test-cells-then-wait", cells_then_wait)
    try:
        monkeypatch.setattr(rdp._solving, "_progress_bar", lambda *a: _InterruptAfter(4))
        before = set(multiprocessing.active_children())
        problem = gaussian_problem()
        with pytest.raises(SweepInterrupted) as caught:
            problem.surface(D_GRID, P_GRID, method="test-cells-then-wait", tol=TOL, workers=2)
    finally:
        METHODS.pop("test-cells-then-wait")
    assert set(multiprocessing.active_children()) <= before  # every worker has exited
    partial = caught.value.partial
    done = partial.status != "not_computed"
    # each chain (rows 0, 2 and rows 1, 3) finished its first three cells, D going up, then
    # stopped: two before the interrupt, the third while the parent was stopping the chains
    expected = np.zeros_like(done)
    expected[[0, 1], :3] = True
    assert np.array_equal(done, expected)
    assert np.isinf(partial.rate[~done]).all()
    serial = serial_and_parallel[0]
    kept = replace(serial, lower=np.where(done, partial.lower, serial.lower),
                   upper=np.where(done, partial.upper, serial.upper))  # fmt: skip
    assert_intervals_overlap(serial, kept)


class _FailsOnSecondCell(_CellsThenWait):
    """The fast solver, but each chain's second cell raises."""

    def rate_point(self, D, P, warm=None):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("cell failed in a worker")
        return self._solver.rate_point(D, P, warm=warm)


def fails_on_second_cell(problem: Problem, **options) -> _FailsOnSecondCell:
    return _FailsOnSecondCell(problem, **options)


def test_an_error_in_a_worker_is_raised_in_the_caller():
    register_method("test-fails-on-second-cell", fails_on_second_cell)
    before = set(multiprocessing.active_children())
    try:
        with pytest.raises(RuntimeError, match="cell failed in a worker"):
            gaussian_problem().surface(
                D_GRID, P_GRID, method="test-fails-on-second-cell",
                progress=False, workers=2,
            )  # fmt: skip
    finally:
        METHODS.pop("test-fails-on-second-cell")
    assert set(multiprocessing.active_children()) <= before


# ---------------------------------------------------------------------- the command line
BINARY = {"source": {"pmf": [0.6, 0.4]}, "distortion": "hamming", "perception": "tv"}


def test_cli_workers_matches_the_closed_form_of_a_binary_source(tmp_path, capsys):
    path = tmp_path / "binary.json"
    path.write_text(json.dumps(BINARY))
    D, P = [0.02, 0.1, 0.2, 0.3], [0.0, 0.05, 0.1]
    grid = ("--D-grid", ",".join(map(str, D)), "--P-grid", ",".join(map(str, P)))
    code, out, err = run_cli(
        capsys, "surface", path, *grid, "--method", "fast", "--workers", 2, "--json",
        "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    lower, upper = np.array(data["lower"]), np.array(data["upper"])
    exact = np.array([[ref.bernoulli_tv_rate(0.4, d, p) for d in D] for p in P])
    assert (lower <= exact + 1e-6).all() and (exact <= upper + 1e-6).all()
    # twin: the rows in the wrong order do not match the theorem
    assert not ((lower[::-1] <= exact + 1e-6).all() and (exact <= upper[::-1] + 1e-6).all())


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "two"])
def test_cli_bad_workers_is_one_line_exit_2_before_any_work(value, tmp_path, capsys):
    missing = tmp_path / "no-such-problem.json"  # the workers check comes before reading it
    code, _, err = run_cli(
        capsys, "surface", missing, "--D-grid", "0.1", "--P-grid", "0", "--workers", value
    )
    assert code == 2
    assert err.count("\n") == 1 and "--workers" in err and "Traceback" not in err
    assert "no-such-problem" not in err
