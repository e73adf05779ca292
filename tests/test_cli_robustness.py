"""Nothing lost, nothing crashes: output paths checked before work, one line instead of a
traceback, wrong input refused, and messages that say what they mean.

References are independent of the code under test: the files on disk (their
bytes before and after), the rates of Shannon's R(D) and of the Bernoulli TV
closed form written in ``tests/references.py``, and strict JSON parsers (a
``parse_constant`` that refuses ``Infinity``).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import references as ref

from rdp import Bernoulli, Discrete, Gaussian, Problem
from rdp.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
TERNARY = {"source": {"pmf": [0.5, 0.3, 0.2]}, "distortion": "hamming", "perception": "tv"}


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run ``rdp ARGS`` in-process; returns (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exit_:  # argparse usage errors
        code = exit_.code
    out = capsys.readouterr()
    return int(code), out.out, out.err


def ternary_tv_rate(D: float, P: float, pmf=(0.5, 0.3, 0.2)) -> float:
    """R(D, P) of a Hamming/TV problem by the convex program in ``references``."""
    x = np.arange(len(pmf), dtype=float)
    delta = ref.distortion_matrix("hamming", x, x)
    return ref.convex_rate(np.asarray(pmf), x, x, delta, "tv", D, P)[0]


def one_line(code: int, err: str, expected: int = 2) -> None:
    assert code == expected, err
    assert err.count("\n") == 1 and "Traceback" not in err, err


@pytest.fixture
def problem_file(tmp_path) -> Path:
    path = tmp_path / "ternary.json"
    path.write_text(json.dumps(TERNARY))
    return path


@pytest.fixture
def no_work(monkeypatch):
    """Calls that would start the work of each command; any call fails the test."""
    import rdp._solving
    import rdp.golden
    import rdp.reproduce

    def refuse(*args, **kwargs):
        raise AssertionError("work started before the output path was checked")

    monkeypatch.setattr(rdp._solving, "surface", refuse)
    monkeypatch.setattr(rdp.golden, "compute", refuse)
    monkeypatch.setattr(rdp.reproduce, "reproduce", refuse)
    return refuse


# ---------------------------------------------------------------- output paths
def test_unwritable_outputs_are_one_line_before_any_work(tmp_path, capsys, problem_file, no_work):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    calls = [
        ("surface", problem_file, "--D-grid", "0.1", "--P-grid", "0.1", "--out", "/proc/x.csv"),
        ("surface", problem_file, "--D-grid", "0.1", "--P-grid", "0.1", "--out", "/proc/x.json"),
        ("golden", "--out", "/proc/golden"),
        ("golden", "--out", blocker / "golden"),
        ("golden", "--out", blocker),
        ("reproduce", "bernoulli-tv-rd", "--out", "/proc/figures"),
        ("reproduce", "bernoulli-tv-rd", "--out", blocker / "figures"),
        ("verify", "--only", "symbolic", "--out", "/proc/verify.json"),
        ("codec", "train", "--out", "/proc/codec"),
        ("codec", "sweep", "--out", blocker / "codec"),
        ("codec", "gaussian", "--out", "/proc/codec"),
        ("neural", "theory-check", "--out", "/proc/neural"),
    ]
    for call in calls:
        code, _, err = run_cli(capsys, *call)
        one_line(code, err)
        assert "cannot" in err or "is a file" in err, (call, err)
    assert blocker.read_text() == ""


def test_a_missing_output_folder_is_created(tmp_path, capsys, problem_file):
    target = tmp_path / "new" / "deeper" / "s.json"
    code, out, err = run_cli(
        capsys, "surface", problem_file, "--D-grid", "0.1,0.2", "--P-grid", "0.1",
        "--no-progress", "--out", target,
    )  # fmt: skip
    assert code == 0, err
    assert f"wrote 2 cells (1 P x 2 D, rates in bits) to {target}" in out
    data = json.loads(target.read_text())
    truth = [ternary_tv_rate(D, 0.1) for D in (0.1, 0.2)]
    assert np.allclose(np.ravel(data["rate"]), truth, atol=1e-6)


def test_a_write_that_fails_at_the_end_keeps_the_results(
    tmp_path, capsys, problem_file, monkeypatch
):
    import rdp.cli.surface as surface_cli

    target = tmp_path / "s.csv"
    original = surface_cli._write

    def disk_full(result, path, *args, **kwargs):
        if Path(path) == target:
            raise OSError(28, "No space left on device")
        return original(result, path, *args, **kwargs)

    monkeypatch.setattr(surface_cli, "_write", disk_full)
    code, _, err = run_cli(
        capsys, "surface", problem_file, "--D-grid", "0.1,0.2", "--P-grid", "0.1",
        "--no-progress", "--out", target,
    )  # fmt: skip
    one_line(code, err)
    assert "No space left on device" in err
    spare = Path(err.split("the results are in ")[1].strip())
    rows = spare.read_text().splitlines()
    assert len(rows) == 3
    truth = [ternary_tv_rate(D, 0.1) for D in (0.1, 0.2)]
    rates = [float(row["rate"]) for row in csv.DictReader(spare.open())]
    assert np.allclose(rates, truth, atol=1e-6)
    spare.unlink()


def test_golden_tables_that_cannot_be_written_go_to_a_named_folder(tmp_path, monkeypatch):
    import rdp.golden as golden

    original = golden._write_table
    out = tmp_path / "golden"

    def read_only_after_first(folder, name, data):
        if Path(folder) == out and any(out.iterdir()):
            raise OSError(30, "Read-only file system")
        return original(folder, name, data)

    monkeypatch.setattr(golden, "_write_table", read_only_after_first)
    with pytest.raises(ValueError, match="Read-only file system") as caught:
        golden.write_tables(out, ["bernoulli-0.2"])
    spare = Path(str(caught.value).split("are in ")[1])
    here = {p.name for p in out.iterdir()}
    there = {p.name for p in spare.iterdir()}
    expected = {f"{t.name}.{ext}" for t in golden.tables() if "bernoulli-0.2" in t.name
                for ext in ("csv", "json")}  # fmt: skip
    assert len(here) == 2 and here | there == expected and not here & there


# ---------------------------------------------------------------- one line, no traceback
def test_a_closed_pipe_ends_quietly(capsys, monkeypatch):
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    code = main(["rate", "--source", "bernoulli", "--p", "0.1", "-D", "0.05", "--json"])
    assert code == 141
    assert capsys.readouterr().err == ""


def test_a_closed_pipe_ends_quietly_in_a_real_process():
    """``rdp rate ... --json | head -c 10``, with a reader that has left before any output."""
    import os

    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rdp", "rate", "--source", "bernoulli", "--p", "0.1",
         "--perception", "tv", "-D", "0.05", "0.1", "-P", "0.02", "--json"],
        stdout=write_end, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    os.close(write_end)
    os.close(read_end)  # the reader is gone before the first byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


def test_an_unreachable_scheduler_is_one_line_quickly(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from rdp.batch import run as batch_run

    monkeypatch.setattr(batch_run, "SCHEDULER_TIMEOUT", 1.0)
    spec = tmp_path / "spec.json"
    family = {"source": {"kind": "bernoulli", "p": [0.1]}, "perception": ["tv"]}
    spec.write_text(json.dumps({"families": [family], "D": [0.1], "P": [0.0]}))
    store = tmp_path / "s.zarr"
    start = time.perf_counter()
    code, _, err = run_cli(
        capsys, "sweep", spec, "--out", store, "--executor", "dask",
        "--scheduler", "tcp://127.0.0.1:1", "--no-progress",
    )  # fmt: skip
    assert time.perf_counter() - start < 10
    one_line(code, err)
    assert "cannot reach the Dask scheduler" in err and "tcp://127.0.0.1:1" in err
    assert not store.exists()


def test_a_discrete_scipy_law_is_refused_by_name():
    from scipy import stats

    with pytest.raises(ValueError, match="poisson is discrete"):
        Discrete.from_scipy(stats.poisson(3), 10)
    # a continuous law still works: its cells' pmf sums to 1 and the mean is kept
    src = Discrete.from_scipy(stats.norm(loc=0.5), 40)
    assert src.pmf.sum() == pytest.approx(1.0) and src.pmf @ src.alphabet == pytest.approx(0.5)


def test_overflowing_alphabets_are_refused_at_construction():
    with pytest.raises(ValueError, match="alphabet values span 1e\\+200"):
        Problem(Discrete([0.5, 0.5], [0.0, 1e200]), "mse", "tv")
    with pytest.raises(ValueError, match="alphabet values span"):
        Problem(Discrete([0.5, 0.5], [0.0, 1e100]), "hamming", "w2")
    # the same values are fine where nothing is raised to a power beyond float64
    problem = Problem(Discrete([0.5, 0.5], [0.0, 1e100]), "hamming", "tv")
    assert problem.rate(0.1, 0.1).rate == pytest.approx(ref.bernoulli_tv_rate(0.5, 0.1, 0.1))


def test_unpaired_point_arrays_are_one_line(capsys):
    code, _, err = run_cli(
        capsys, "rate", "--source", "bernoulli", "--p", "0.1", "--perception", "tv",
        "-D", "0.1", "0.2", "-P", "0.1", "0.2", "0.3",
    )  # fmt: skip
    one_line(code, err)
    assert "-D has 2 values and -P has 3" in err
    problem = Problem(Bernoulli(0.1), "hamming", "tv")
    with pytest.raises(ValueError, match=r"D \(shape \(2,\)\) and P \(shape \(3,\)\)"):
        problem.rate([0.1, 0.2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"R \(shape \(2,\)\) and P \(shape \(3,\)\)"):
        problem.distortion([0.1, 0.2], [0.1, 0.2, 0.3])
    paired = problem.rate([0.05, 0.1], [0.02, 0.03])
    truth = [ref.bernoulli_tv_rate(0.1, 0.05, 0.02), ref.bernoulli_tv_rate(0.1, 0.1, 0.03)]
    assert np.allclose(paired.rate, truth, atol=1e-12)


def test_workers_without_a_main_guard_explain_the_guard(tmp_path):
    script = tmp_path / "no_guard.py"
    script.write_text(
        textwrap.dedent("""
        import rdp
        problem = rdp.Problem(rdp.Discrete([0.5, 0.3, 0.2]), "hamming", "tv")
        problem.surface([0.1, 0.2], [0.0, 0.1], workers=2, progress=False)
    """)
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env
    )
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: a worker process ended abruptly")
    assert 'if __name__ == "__main__":' in last


# ---------------------------------------------------------------- wrong input refused
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--source", "gaussian", "--p", "0.1"), "--p is not used by --source gaussian"),
        (("--source", "bernoulli", "--p", "0.1", "--variance", "2"), "--variance is not used"),
        (("--source", "discrete", "--pmf", "0.5", "0.5", "--mean", "1"), "--mean is not used"),
        (("--source", "bernoulli", "--p", "0.1", "--max-points", "-3"), "--max-points: must be"),
        (("--source", "bernoulli", "--p", "0.1", "--max-points", "0"), "--max-points: must be"),
    ],
)
def test_options_that_would_be_ignored_are_refused(capsys, args, needle):
    code, out, err = run_cli(capsys, "rate", *args, "-D", "0.1")
    one_line(code, err)
    assert needle in err and out == ""


def test_source_options_next_to_a_problem_file_are_refused(capsys, problem_file):
    code, _, err = run_cli(capsys, "rate", problem_file, "--p", "0.3", "-D", "0.1")
    one_line(code, err)
    assert "--p is not used by a problem file" in err


@pytest.mark.parametrize("grid", ["0,,0.1", "0,0.1,", ",0.1"])
def test_a_grid_with_an_empty_item_is_refused(capsys, problem_file, grid, no_work):
    code, _, err = run_cli(capsys, "surface", problem_file, "--D-grid", "0.1", "--P-grid", grid)
    one_line(code, err)
    assert "empty item" in err


def test_a_sweep_listing_a_measure_twice_is_refused():
    from rdp.batch import parse_spec

    family = {"source": {"kind": "bernoulli", "p": [0.1]}, "perception": ["tv", "TV"]}
    with pytest.raises(ValueError, match="'tv' and 'TV', the same measure"):
        parse_spec({"families": [family], "D": [0.1], "P": [0.0]})
    family["perception"] = ["tv", "kl-recon-source"]
    assert parse_spec({"families": [family], "D": [0.1], "P": [0.0]}).points == 2


def test_a_distortion_matrix_of_the_wrong_shape_is_refused_at_construction():
    with pytest.raises(ValueError, match=r"shape \(2, 3\); this source has 3 symbols"):
        Problem(Discrete([0.5, 0.3, 0.2]), [[0, 1, 1], [1, 0, 1]])
    with pytest.raises(ValueError, match="applies to finite sources"):
        Problem(Gaussian(), [[0, 1], [1, 0]])
    # a 3 x 2 matrix is fine: two reconstruction symbols; R(0.5) of that problem is 0 (D_max)
    problem = Problem(Discrete([0.5, 0.3, 0.2]), [[0, 1], [1, 0], [1, 1]])
    assert problem.rate(0.5).rate == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------- what a user reads
def test_rate_text_shows_the_status_and_the_unit_of_a_kl_bound(capsys):
    code, out, err = run_cli(
        capsys, "rate", "--source", "bernoulli", "--p", "0.1", "--perception", "kl-recon-source",
        "-D", "0.05", "-P", "0.02",
    )  # fmt: skip
    assert code == 0, err
    assert "P=0.02 bits)" in out and "status exact" in out
    code, out, _ = run_cli(
        capsys, "rate", "--source", "bernoulli", "--p", "0.1", "--perception", "tv",
        "-D", "0.05", "-P", "0.02", "--units", "nats",
    )  # fmt: skip
    assert "P=0.02)" in out and "status exact" in out  # TV has no unit


def test_golden_reports_bounds_only_rows_in_one_line_with_exit_3(tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "golden", "--out", tmp_path, "--only", "gaussian-1-mse-kl-source-recon-distortion"
    )
    one_line(code, err, expected=3)
    assert "UnconvergedWarning" not in err and "__main__" not in err
    rows = json.loads((tmp_path / "gaussian-1-mse-kl-source-recon-distortion.json").read_text())
    loose = [r for r in rows["rows"] if r["upper"] - r["lower"] > 1e-6]
    assert loose and f"{len(loose)} of {len(rows['rows'])} point(s)" in err
    code, _, err = run_cli(capsys, "golden", "--out", tmp_path, "--only", "bernoulli-0.1")
    assert code == 0 and err == ""


def _refuse_infinity(name):
    raise ValueError(f"strict JSON has no {name}")


def test_json_strict_writes_null_where_json_writes_infinity(capsys, tmp_path, problem_file):
    args = ("rate", "--source", "gaussian", "-D", "0", "0.25")
    code, out, _ = run_cli(capsys, *args, "--json")
    assert code == 0 and "Infinity" in out
    code, out, _ = run_cli(capsys, *args, "--json-strict")
    assert code == 0
    data = json.loads(out, parse_constant=_refuse_infinity)
    assert data["rate"] == [None, pytest.approx(1.0)]  # Shannon: ½ log₂(1 / 0.25) = 1 bit
    assert data["status"] == ["exact", "exact"] and data["feasible"] == [True, True]
    gaussian = tmp_path / "gaussian.json"
    gaussian.write_text(json.dumps({"source": {"kind": "gaussian"}, "perception": "w2"}))
    target = tmp_path / "s.json"
    code, out, err = run_cli(
        capsys, "surface", gaussian, "--D-grid", "0,0.25", "--P-grid", "0.1", "--no-progress",
        "--json-strict", "--out", target,
    )  # fmt: skip
    assert code == 0, err
    for text in (out, target.read_text()):
        data = json.loads(text, parse_constant=_refuse_infinity)
        assert data["rate"][0][0] is None and data["feasible"][0][0] is True  # R(0, P) = ∞
        assert data["rate"][0][1] == pytest.approx(ref.gaussian_w2_rate(0.25, 0.1), abs=1e-9)


def test_ctrl_c_on_surface_json_writes_the_partial_table_as_json_and_says_where(
    tmp_path, capsys, monkeypatch, problem_file
):
    from rdp.solvers.fast import FastSolver

    original = FastSolver.rate_point
    calls = {"n": 0}

    def interrupted_after_two(self, D, P, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return original(self, D, P, **kwargs)

    monkeypatch.setattr(FastSolver, "rate_point", interrupted_after_two)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(
        capsys, "surface", problem_file, "--D-grid", "0.1,0.2,0.3", "--P-grid", "0.1",
        "--method", "fast", "--no-progress", "--json",
    )  # fmt: skip
    one_line(code, err, expected=130)
    assert "surface.partial.json" in err and out == ""
    data = json.loads((tmp_path / "surface.partial.json").read_text())
    assert data["partial"] is True
    status = np.ravel(data["status"])
    assert list(status[:2]) != ["not_computed"] * 2 and status[2] == "not_computed"
    truth = [ternary_tv_rate(D, 0.1) for D in (0.1, 0.2)]
    assert np.allclose(np.ravel(data["rate"])[:2], truth, atol=1e-6)
    assert not (tmp_path / "surface.partial.csv").exists()


def test_a_file_error_late_in_a_command_is_one_line(tmp_path, capsys, monkeypatch):
    import rdp.reproduce

    def disk_full(specs, out, progress=True):
        raise OSError(28, "No space left on device", str(tmp_path / "figs" / "a.png"))

    monkeypatch.setattr(rdp.reproduce, "reproduce", disk_full)
    code, _, err = run_cli(capsys, "reproduce", "bernoulli-tv-rd", "--out", tmp_path / "figs")
    one_line(code, err)
    assert "No space left on device" in err and "a.png" in err
