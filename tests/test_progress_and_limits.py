"""Long work says so: the fast solver's time limit, and progress bars for points and arrays.

The bounds a time limit leaves are checked against the convex program at tight
tolerance; each progress bar has a twin (``progress=False``, or stderr not a terminal)
that stays quiet.
"""

import json
import time
import warnings

import numpy as np
import pytest
import references as ref

import rdp._solving
import rdp.solvers.distortion_range
import rdp.solvers.fast.progress
from rdp import Discrete, Problem, UnconvergedWarning
from rdp.cli.main import main
from rdp.solvers.fast import FastSolver

PMF = np.array([0.1, 0.2, 0.3, 0.25, 0.15])
X = np.arange(5.0)


def _problem():
    return Problem(Discrete(PMF, X), "mse", "w2")


def test_default_time_limit_is_documented():
    assert FastSolver(_problem()).time_limit == 120.0
    assert "time_limit" in FastSolver.__doc__ and "120" in Problem.rate.__doc__


def test_time_limit_ends_with_honest_bounds():
    """An unreachable tol stops at the time limit; its bracket holds the convex optimum."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnconvergedWarning)
        result = _problem().rate(1.0, 0.2, method="fast", tol=1e-15, time_limit=0.3)
    assert result.status == "time_limit"
    assert result.diagnostics["time_s"] < 10
    delta = (X[:, None] - X[None, :]) ** 2
    value, status = ref.convex_rate_tight(PMF, X, X, delta, "w2", 1.0, 0.2)
    assert status == "optimal"
    assert result.lower - 1e-7 <= value <= result.upper + 1e-7
    joint = result.channel.joint
    assert (joint * delta).sum() <= 1.0 * (1 + 1e-12)
    # twin: a wrong reference (the rate at a smaller D) is outside the bracket
    wrong, _ = ref.convex_rate_tight(PMF, X, X, delta, "w2", 0.7, 0.2)
    assert not result.lower - 1e-7 <= wrong <= result.upper + 1e-7


def test_cli_time_limit(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"source": {"pmf": PMF.tolist()}, "distortion": "mse",
                                "perception": "w2", "D": 1.0, "P": 0.2}))  # fmt: skip
    code = main(["rate", str(path), "--method", "fast", "--tol", "1e-15", "--time-limit", "0.3",
                 "--json", "--no-progress"])  # fmt: skip
    out = capsys.readouterr()
    assert code == 3
    assert json.loads(out.out)["status"] == "time_limit"


def test_long_point_shows_a_progress_bar(monkeypatch, capsys):
    """A point past PROGRESS_AFTER seconds shows iterations and its gap on stderr."""
    monkeypatch.setattr(rdp.solvers.fast.progress, "PROGRESS_AFTER", 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnconvergedWarning)
        _problem().rate(1.0, 0.2, method="fast", tol=1e-15, time_limit=0.3, progress=True)
    err = capsys.readouterr().err
    assert "R(D, P) point" in err and "gap" in err and "bits" in err
    for quiet in (False, None):  # twins: asked not to, and stderr is not a terminal
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnconvergedWarning)
            _problem().rate(1.0, 0.2, method="fast", tol=1e-15, time_limit=0.3, progress=quiet)
        assert "R(D, P) point" not in capsys.readouterr().err


def test_arrays_of_points_show_a_progress_bar(monkeypatch, capsys):
    monkeypatch.setattr(rdp._solving, "ARRAY_PROGRESS_DELAY", 0.0)
    D = np.linspace(0.5, 1.5, 25)
    _problem().rate(D, 0.2, method="fast", progress=True)
    assert "R(D, P) points" in capsys.readouterr().err
    R = np.linspace(0.2, 1.0, 21)
    Problem(Discrete(PMF, X), "hamming").distortion(R, method="fast", tol=1e-6, progress=True)
    assert "D(R, P) points" in capsys.readouterr().err
    # twins: a terminal-only bar off a terminal, and fewer points than the threshold
    _problem().rate(D, 0.2, method="fast")
    _problem().rate(D[:5], 0.2, method="fast", progress=None)
    assert "points" not in capsys.readouterr().err


@pytest.mark.parametrize("flag", [[], ["--no-progress"]])
def test_cli_rate_takes_no_progress(tmp_path, capsys, flag):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"source": {"pmf": PMF.tolist()}, "distortion": "hamming",
                                "D": 0.2}))  # fmt: skip
    assert main(["rate", str(path), "--json", *flag]) == 0
    assert "points" not in capsys.readouterr().err


def test_time_limit_is_read_every_iteration():
    """A check period of 10⁶ iterations does not delay the stop: it comes at the next
    iteration past the limit, with a certificate evaluated there."""
    solver = FastSolver(_problem(), tol=1e-15, time_limit=0.3, check_every=10**6, max_iter=10**8)
    start = time.perf_counter()
    point = solver.rate_point(1.0, solver.bound(0.2))
    assert time.perf_counter() - start < 5.0
    assert point.status == "time_limit" and np.isfinite(point.upper)
    delta = (X[:, None] - X[None, :]) ** 2
    value, _ = ref.convex_rate_tight(PMF, X, X, delta, "w2", 1.0, 0.2)
    assert point.lower - 1e-7 <= value <= point.upper + 1e-7


def test_zero_rate_law_is_skipped_below_its_lower_bound(monkeypatch):
    """Below min_j Σ_i p_i Δ_ij (≤ D_max(P)) no zero-rate search runs (it took 22 s of a
    W₁ point at N = 3000); at D_max it does and returns rate 0 (twin)."""
    calls = []
    original = rdp.solvers.distortion_range.zero_rate_law
    monkeypatch.setattr(
        rdp.solvers.distortion_range, "zero_rate_law", lambda *a: calls.append(a) or original(*a)
    )
    solver = FastSolver(_problem())
    dbar_min = float((PMF @ (X[:, None] - X[None, :]) ** 2).min())
    assert solver.rate_point(1.0, solver.bound(0.2)).upper > 0 and not calls
    d_max = solver.zero_rate_distortion(0.2)
    assert calls and d_max >= dbar_min
    point = solver.rate_point(d_max * 1.001, solver.bound(0.2))
    assert point.upper == 0.0 and point.status == "exact"
