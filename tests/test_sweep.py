"""``rdp sweep`` / :func:`rdp.sweep`: specs checked first, executors agree bit for bit,
a killed Dask worker or an interrupted run loses nothing, resumes skip finished chunks.

References are independent of the sweep machinery: each point against
:meth:`rdp.Problem.rate` solved on its own (cold start, no chunking), and every
executor's store against the serial run's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")

import rdp  # noqa: E402
from rdp.batch import (  # noqa: E402
    SPEC_SCHEMA,
    SweepStore,
    load_spec,
    open_sweep,
    parse_spec,
    write_sweep,
)
from rdp.batch import run as batch_run  # noqa: E402
from rdp.batch import spec as batch_spec  # noqa: E402
from rdp.batch.store import DONE_DIR  # noqa: E402
from rdp.cli.main import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: 3 p × 2 perceptions × (4 P × 6 D) in 2 × 3 blocks: 24 chunks, closed form and fast solver.
SMALL = {
    "families": [
        {
            "source": {"kind": "bernoulli", "p": [0.1, 0.2, 0.3]},
            "distortion": "hamming",
            "perception": ["tv", "kl-recon-source"],
        }
    ],
    "D": "0:0.5:6",
    "P": [0.0, 0.05, 0.1, 0.2],
    "block": {"D": 3, "P": 2},
}

#: A finite source with the fast solver only: 12 chunks of 4 points, each a few tenths of a second.
SLOW = {
    "families": [
        {
            "name": "ternary",
            "source": {"pmf": [0.5, 0.3, 0.2]},
            "distortion": "hamming",
            "perception": ["tv", "kl-recon-source"],
        }
    ],
    "D": "0.05:0.5:6",
    "P": "0.02:0.2:4",
    "block": {"D": 2, "P": 2},
    "method": "fast",
}


def _results(ds):
    """The store's numbers without the timings (which differ run to run)."""
    return ds.drop_vars("seconds")


@pytest.fixture(scope="module")
def serial_small(tmp_path_factory):
    path = tmp_path_factory.mktemp("serial") / "small.zarr"
    summary = write_sweep(SMALL, path, executor="serial", progress=False)
    assert summary.computed_chunks == summary.chunks == 24
    return open_sweep(path).load()


@pytest.fixture(scope="module")
def serial_slow(tmp_path_factory):
    path = tmp_path_factory.mktemp("serial") / "slow.zarr"
    write_sweep(SLOW, path, executor="serial", progress=False)
    return open_sweep(path).load()


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as local:
        yield local


# ---------------------------------------------------------------------- the dataset
def test_dataset_is_labelled_and_matches_independent_points(serial_small):
    ds = serial_small
    assert dict(ds.sizes) == {"p": 3, "perception": 2, "P": 4, "D": 6}
    assert list(ds.perception.values) == ["tv", "kl-recon-source"]
    for name in ("rate", "lower", "upper", "status", "method", "seconds", "iterations"):
        assert name in ds
    spec = json.loads(ds.attrs["rdp_sweep_spec"])
    assert spec == json.loads(json.dumps(SMALL))
    assert ds.attrs["rdp_version"] == rdp.__version__
    assert (ds.status != "").all()
    assert (ds.seconds > 0).all()
    for p in ds.p.values:
        for perception in ds.perception.values:
            cell = ds.sel(p=p, perception=perception)
            problem = rdp.Problem(rdp.Bernoulli(float(p)), "hamming", perception)
            ref = problem.rate(cell.D.values[None, :], cell.P.values[:, None], warm_start=False)
            assert str(cell.method.values) == ref.method
            # the certified intervals of the two independent solves overlap (up to the
            # solver's default certified gap, 1e-6 bits)
            tol = 1e-6
            assert np.all(cell.lower.values <= np.asarray(ref.upper) + tol)
            assert np.all(np.asarray(ref.lower) <= cell.upper.values + tol)
            assert np.all(cell.lower.values <= cell.rate.values + tol)
            assert np.all(cell.rate.values <= cell.upper.values + tol)
            if perception == "tv":  # closed form: exact, equal to the point solve
                np.testing.assert_allclose(cell.rate.values, np.asarray(ref.rate), rtol=1e-12)


def test_sweep_returns_the_dataset_and_keeps_no_store_by_default(serial_small):
    ds = rdp.sweep(SMALL, executor="serial", progress=False)
    xr.testing.assert_identical(_results(ds), _results(serial_small))


def test_several_families_give_a_datatree(tmp_path):
    problem_file = tmp_path / "ternary.json"
    problem_file.write_text(
        json.dumps({"source": {"pmf": [0.6, 0.3, 0.1]}, "distortion": "hamming"})
    )
    spec = {
        "families": [
            {"name": "files", "problem_file": ["ternary.json"], "perception": "tv"},
            {
                "name": "gauss",
                "source": {"kind": "gaussian", "n": [4, 6]},
                "distortion": "mse",
                "perception": "tv",
            },
        ],
        "D": [0.2, 0.6],
        "P": [0.1],
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    tree = rdp.sweep(tmp_path / "spec.json", tmp_path / "s.zarr", executor="serial")
    assert set(tree.children) == {"files", "gauss"}
    files, gauss = tree["files"].to_dataset(), tree["gauss"].to_dataset()
    assert dict(files.sizes) == {"problem": 1, "P": 1, "D": 2}
    assert list(gauss.n.values) == [4, 6]
    ref = rdp.Problem(rdp.Gaussian().discretize(6), "mse", "tv").rate([0.2, 0.6], 0.1)
    assert np.all(gauss.lower.sel(n=6, P=0.1).values <= np.asarray(ref.upper) + 1e-9)
    assert np.all(np.asarray(ref.lower) <= gauss.upper.sel(n=6, P=0.1).values + 1e-9)


# ---------------------------------------------------------------------- executors
def test_processes_executor_is_bit_for_bit_the_serial_run(tmp_path, serial_small):
    write_sweep(SMALL, tmp_path / "p.zarr", executor="processes", workers=2, progress=False)
    xr.testing.assert_identical(
        _results(open_sweep(tmp_path / "p.zarr").load()), _results(serial_small)
    )


def test_dask_executor_is_bit_for_bit_the_serial_run(tmp_path, serial_small, cluster):
    summary = write_sweep(
        SMALL,
        tmp_path / "d.zarr",
        executor="dask",
        scheduler=cluster.scheduler_address,
        progress=False,
    )
    assert summary.computed_chunks == 24
    xr.testing.assert_identical(
        _results(open_sweep(tmp_path / "d.zarr").load()), _results(serial_small)
    )


def test_dask_worker_killed_mid_sweep_store_equals_serial(tmp_path, serial_slow, cluster):
    from distributed import Client

    store = tmp_path / "killed.zarr"
    killed: dict = {}
    client = Client(cluster.scheduler_address)  # connected before the sweep starts

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = store / DONE_DIR
            if done.is_dir() and any(done.iterdir()):
                busy = [w for w, tasks in client.processing().items() if tasks]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    killed["done_before"] = len(list(done.iterdir()))
                    os.kill(pid, signal.SIGKILL)
                    killed["pid"] = pid
                    return
            time.sleep(0.01)

    watcher = threading.Thread(target=kill_a_busy_worker)
    watcher.start()
    try:
        summary = write_sweep(
            SLOW, store, executor="dask", scheduler=cluster.scheduler_address, progress=False
        )
    finally:
        watcher.join()
        client.close()
    assert "pid" in killed, "no worker was killed"
    assert killed["done_before"] < summary.chunks, "the worker was killed after the sweep"
    assert summary.computed_chunks == summary.chunks == 12
    xr.testing.assert_identical(_results(open_sweep(store).load()), _results(serial_slow))


# ---------------------------------------------------------------------- resume
def test_interrupted_sweep_resumes_where_it_stopped(tmp_path, serial_small, monkeypatch, capsys):
    store = tmp_path / "r.zarr"
    real = batch_run.run_chunk
    calls = {"n": 0}

    def interrupted(chunk):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return real(chunk)

    monkeypatch.setattr(batch_run, "run_chunk", interrupted)
    spec = tmp_path / "small.json"
    spec.write_text(json.dumps(SMALL))
    argv = ["sweep", str(spec), "--out", str(store), "--executor", "serial", "--no-progress"]
    assert main(argv) == 130  # Ctrl-C: one line, finished chunks kept
    assert "rerun the same command to resume" in capsys.readouterr().err
    monkeypatch.setattr(batch_run, "run_chunk", real)
    partial = open_sweep(store).load()
    assert int((partial.status != "").sum()) == 5 * 6  # 5 chunks of 2 × 3 points kept
    summary = write_sweep(SMALL, store, executor="serial", progress=False)
    assert (summary.skipped_chunks, summary.computed_chunks) == (5, 19)
    xr.testing.assert_identical(_results(open_sweep(store).load()), _results(serial_small))
    again = write_sweep(SMALL, store, executor="serial", progress=False)
    assert (again.skipped_chunks, again.computed_chunks) == (24, 0)


def test_killed_command_keeps_finished_chunks_and_resumes(tmp_path, serial_slow):
    spec = tmp_path / "slow.json"
    spec.write_text(json.dumps(SLOW))
    store = tmp_path / "cli.zarr"
    command = [
        sys.executable,
        "-m",
        "rdp",
        "sweep",
        str(spec),
        "--out",
        str(store),
        "--executor",
        "serial",
        "--no-progress",
        "--json",
    ]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        done = store / DONE_DIR
        if done.is_dir() and any(done.iterdir()):
            break
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    kept = len(list((store / DONE_DIR).iterdir()))
    assert 1 <= kept < 12
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["skipped_chunks"] == kept
    assert summary["computed_chunks"] == 12 - kept
    xr.testing.assert_identical(_results(open_sweep(store).load()), _results(serial_slow))


def test_changed_spec_is_refused_unless_overwrite(tmp_path, capsys):
    store = tmp_path / "s.zarr"
    small = {**SMALL, "D": [0.1, 0.2], "P": [0.05]}
    write_sweep(small, store, executor="serial", progress=False)
    changed = {**small, "D": [0.1, 0.3]}
    with pytest.raises(ValueError, match="different sweep spec"):
        write_sweep(changed, store, executor="serial", progress=False)
    spec = tmp_path / "changed.json"
    spec.write_text(json.dumps(changed))
    assert main(["sweep", str(spec), "--out", str(store), "--executor", "serial"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (
        main(
            [
                "sweep",
                str(spec),
                "--out",
                str(store),
                "--executor",
                "serial",
                "--overwrite",
                "--no-progress",
            ]
        )
        == 0
    )
    assert list(open_sweep(store).D.values) == [0.1, 0.3]
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "data.csv").write_text("1,2")
    with pytest.raises(ValueError, match="not part of a sweep store"):
        write_sweep(small, tmp_path / "plain", executor="serial", progress=False)


TINY = {**SMALL, "D": [0.1, 0.2], "P": [0.05]}


def _sweep_cli(spec_path, out, *flags):
    return main(["sweep", str(spec_path), "--out", str(out), "--executor", "serial",
                 "--no-progress", *flags])  # fmt: skip


@pytest.mark.parametrize("flags", [(), ("--overwrite",)], ids=["plain", "overwrite"])
def test_a_folder_that_is_not_a_store_is_never_replaced(tmp_path, capsys, flags):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(TINY))
    mydir = tmp_path / "mydir"
    mydir.mkdir()
    (mydir / "thesis.tex").write_text("\\documentclass{book}")
    assert _sweep_cli(spec, mydir, *flags) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not part of a sweep store" in err and "thesis.tex" in err
    assert "--overwrite" not in err  # the flag would not help: not suggested
    assert sorted(p.name for p in mydir.iterdir()) == ["thesis.tex"]
    assert (mydir / "thesis.tex").read_text() == "\\documentclass{book}"
    with pytest.raises(ValueError, match="not part of a sweep store"):
        write_sweep(TINY, mydir, executor="serial", progress=False, overwrite=True)
    assert sorted(p.name for p in mydir.iterdir()) == ["thesis.tex"]


@pytest.mark.parametrize("flags", [(), ("--overwrite",)], ids=["plain", "overwrite"])
def test_the_current_folder_is_never_replaced(tmp_path, capsys, monkeypatch, flags):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(TINY))
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("keep")
    monkeypatch.chdir(work)
    assert _sweep_cli(spec, ".", *flags) == 2
    assert "not part of a sweep store" in capsys.readouterr().err
    assert sorted(p.name for p in work.iterdir()) == ["notes.txt"]
    (work / "notes.txt").unlink()  # even empty, the current folder is not made a store
    assert _sweep_cli(spec, ".", *flags) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "current folder" in err
    assert work.is_dir() and not any(work.iterdir())


def test_a_parent_of_the_current_folder_is_never_replaced(tmp_path, capsys, monkeypatch):
    store = tmp_path / "s.zarr"
    write_sweep(TINY, store, executor="serial", progress=False)
    spec = tmp_path / "changed.json"
    spec.write_text(json.dumps({**TINY, "D": [0.1, 0.3]}))
    monkeypatch.chdir(store / DONE_DIR)
    assert _sweep_cli(spec, store, "--overwrite") == 2
    assert "current folder" in capsys.readouterr().err
    assert list(open_sweep(store).D.values) == [0.1, 0.2]


def test_a_file_or_a_store_holding_other_files_is_never_replaced(tmp_path, capsys):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(TINY))
    assert _sweep_cli(spec, spec, "--overwrite") == 2
    assert "is a file" in capsys.readouterr().err
    assert json.loads(spec.read_text()) == TINY
    store = tmp_path / "s.zarr"
    write_sweep({**TINY, "D": [0.3]}, store, executor="serial", progress=False)
    (store / "notes.txt").write_text("mine")
    assert _sweep_cli(spec, store, "--overwrite") == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (store / "notes.txt").read_text() == "mine"
    assert list(open_sweep(store).D.values) == [0.3]


def test_an_empty_folder_becomes_the_store(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    summary = write_sweep(TINY, empty, executor="serial", progress=False)
    assert summary.computed_chunks == summary.chunks
    assert list(open_sweep(empty).D.values) == [0.1, 0.2]


def test_a_store_in_an_unwritable_place_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(TINY))
    ran = []
    monkeypatch.setattr(batch_run, "_serial", lambda *a, **k: ran.append(1))
    assert _sweep_cli(spec, "/proc/rdp-sweep.zarr") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err
    assert not ran


# ---------------------------------------------------------------------- reporting
def test_unconverged_points_are_loud_and_kept(tmp_path, capsys):
    spec = {
        "families": [
            {"source": {"kind": "bernoulli", "p": [0.2]}, "perception": "kl-source-recon"}
        ],
        "D": [0.05, 0.1],
        "P": [0.01],
        "method": "fast",
        "options": {"max_iter": 1},
    }
    path = tmp_path / "u.json"
    path.write_text(json.dumps(spec))
    code = main(["sweep", str(path), "--out", str(tmp_path / "u.zarr"), "--executor", "serial",
                 "--no-progress"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 3
    assert "UNCERTIFIED: 2 of 2 point(s)" in captured.out
    assert "2 of 2 point(s) have no certified value" in captured.err
    assert captured.err.count("\n") == 1  # the summary's line, not one warning per chunk
    ds = open_sweep(tmp_path / "u.zarr")
    assert set(np.unique(ds.status.values)) == {"iteration_limit"}
    assert not ds.certified.values.any()
    with pytest.warns(rdp.UnconvergedWarning, match="UNCERTIFIED: 2 of 2"):
        rdp.sweep(spec, executor="serial")


#: The Gaussian KL(p_X||p_X^) problem has bounds only, with gaps of
#: 8.6e-4 to 1.5e-3 bits at these points; they are not certified values.
GAUSSIAN_KL_SPEC = {
    "families": [
        {"source": {"kind": "gaussian"}, "distortion": "mse", "perception": ["kl-source-recon"]}
    ],
    "D": [0.4, 0.5, 0.6],
    "P": [0.05],
}


def test_bounds_wider_than_tol_are_not_called_certified(tmp_path, capsys):
    """``rdp sweep``, ``rdp.sweep``, ``rdp rate`` and ``Problem.rate`` agree on bounds wider
    than tol: the same count, the same warning class, exit status 3."""
    reference = rdp.Problem(rdp.Gaussian(), "mse", "kl-source-recon")
    with pytest.warns(rdp.UnconvergedWarning, match="3 of 3"):
        points = reference.rate([0.4, 0.5, 0.6], 0.05)
    gaps = np.asarray(points.upper) - np.asarray(points.lower)
    assert (gaps > 8e-4).all() and (np.asarray(points.status) == "bounds").all()
    path = tmp_path / "g.json"
    path.write_text(json.dumps(GAUSSIAN_KL_SPEC))
    code = main(["sweep", str(path), "--out", str(tmp_path / "g.zarr"), "--executor", "serial",
                 "--no-progress"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 3
    assert "every point is certified" not in captured.out
    assert "UNCERTIFIED: 3 of 3 point(s) have no certified value (status bounds: 3)" in captured.out
    assert "3 of 3 point(s) have no certified value" in captured.err
    ds = open_sweep(tmp_path / "g.zarr")
    np.testing.assert_allclose(ds.upper.values.ravel() - ds.lower.values.ravel(), gaps, rtol=1e-9)
    assert not ds.certified.values.any()
    with pytest.warns(rdp.UnconvergedWarning, match="3 of 3 point"):
        rdp.sweep(GAUSSIAN_KL_SPEC, executor="serial")
    code = main(["rate", "--source", "gaussian", "--distortion", "mse", "--perception",
                 "kl-source-recon", "-D", "0.5", "-P", "0.05"])  # fmt: skip
    assert code == 3 and "UNCERTIFIED (bounds)" in capsys.readouterr().out


def test_bounds_within_tol_are_certified_in_a_sweep(tmp_path, capsys):
    """The twin: a sweep whose points are certified says so and exits 0 (W2 closed form)."""
    spec = {**GAUSSIAN_KL_SPEC, "families": [
        {"source": {"kind": "gaussian"}, "distortion": "mse", "perception": ["w2"]}
    ]}  # fmt: skip
    path = tmp_path / "w.json"
    path.write_text(json.dumps(spec))
    code = main(["sweep", str(path), "--out", str(tmp_path / "w.zarr"), "--executor", "serial",
                 "--no-progress"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0 and "every point is certified" in captured.out and captured.err == ""
    assert open_sweep(tmp_path / "w.zarr").certified.values.all()


def test_summary_counts_points_and_infeasible(tmp_path):
    spec = {
        "families": [{"source": {"kind": "bernoulli", "p": [0.3]}, "perception": "tv"}],
        "D": [0.0, 0.1, 0.2],
        "P": [0.0],
    }
    summary = write_sweep(spec, tmp_path / "i.zarr", executor="serial", progress=False)
    ref = rdp.Problem(rdp.Bernoulli(0.3), "hamming", "tv").rate([0.0, 0.1, 0.2], 0.0)
    assert summary.points == 3
    assert summary.infeasible == int(np.sum(~np.asarray(ref.feasible)))
    assert summary.uncertified == 0
    assert summary.points_per_second > 0
    assert any("points/s" in line for line in summary.lines())


# ---------------------------------------------------------------------- bad specs
def _family(**changes):
    family = {"source": {"kind": "bernoulli", "p": [0.1]}, "perception": "tv"}
    family.update(changes)
    return family


BAD_SPECS = {
    "unknown top key": ({"families": [_family()], "D": "0:1:3", "P": "0", "colour": 1}, "unknown"),
    "unknown family key": ({"families": [_family(colour=1)], "D": "0:1:3", "P": "0"}, "unknown"),
    "unknown source key": (
        {"families": [_family(source={"kind": "bernoulli", "q": 1})], "D": "1", "P": "0"},
        "unknown",
    ),
    "no families": ({"families": [], "D": "0:1:3", "P": "0"}, "families"),
    "empty D grid": ({"families": [_family()], "D": [], "P": "0"}, "empty"),
    "empty p list": (
        {"families": [_family(source={"kind": "bernoulli", "p": []})], "D": "1", "P": "0"},
        "empty",
    ),
    "grid beyond the limit": ({"families": [_family()], "D": "0:1:5000", "P": "0"}, "limit"),
    "no P grid": ({"families": [_family()], "D": "0:1:3"}, "no P grid"),
    "negative D": ({"families": [_family()], "D": [-0.1, 0.2], "P": "0"}, "≥ 0"),
    "missing problem file": (
        {"families": [{"problem_file": "nope.json"}], "D": "1", "P": "0"},
        "does not exist",
    ),
    "bad parameter": (
        {"families": [_family(source={"kind": "bernoulli", "p": [0.2, 1.5]})], "D": "1", "P": "0"},
        "p=1.5",
    ),
    "bad perception": (
        {"families": [_family(perception=["tv", "lpips"])], "D": "1", "P": "0"},
        "perception",
    ),
    "bad block": ({"families": [_family()], "D": "1", "P": "0", "block": {"D": 0}}, "block"),
    "bad method": ({"families": [_family()], "D": "1", "P": "0", "method": "magic"}, "method"),
    "bad solver option": (
        {"families": [_family()], "D": "1", "P": "0", "method": "fast", "options": {"x": 1}},
        "options",
    ),
    "no perception with a finite P": (
        {"families": [_family(perception=["tv", "none"])], "D": "0.1", "P": "0,0.1"},
        "P grid must be 'inf'",
    ),
    "same name twice": (
        {"families": [_family(name="a"), _family(name="a")], "D": "1", "P": "0"},
        "used by another",
    ),
}


@pytest.mark.parametrize("spec, match", BAD_SPECS.values(), ids=BAD_SPECS.keys())
def test_bad_spec_is_one_line_exit_2_before_any_work(spec, match, tmp_path, capsys):
    with pytest.raises(ValueError, match=match):
        parse_spec(spec)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))
    store = tmp_path / "never.zarr"
    assert main(["sweep", str(path), "--out", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rdp sweep: error:")
    assert not store.exists()


def test_points_beyond_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(batch_spec, "MAX_POINTS", 100)
    spec = {
        "families": [_family(source={"kind": "bernoulli", "p": "0.1:0.4:3"})],
        "D": "0:0.5:6",
        "P": "0:0.2:6",
    }
    with pytest.raises(ValueError, match="108 points, beyond the limit of 100"):
        parse_spec(spec)


def test_yaml_spec_reads_like_json(tmp_path):
    yaml = pytest.importorskip("yaml")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SMALL))
    (tmp_path / "s.json").write_text(json.dumps(SMALL))
    assert load_spec(tmp_path / "s.yaml").fingerprint == load_spec(tmp_path / "s.json").fingerprint


def test_schema_names_every_accepted_key():
    assert set(SPEC_SCHEMA["properties"]) == set(batch_spec.TOP_KEYS)
    family = SPEC_SCHEMA["properties"]["families"]["items"]["properties"]
    assert set(family) == set(batch_spec.FAMILY_KEYS)
    source = set(family["source"]["properties"])
    fields = {
        f for kind in batch_spec.SOURCE_FIELDS.values() for f in kind["swept"] + kind["fixed"]
    }
    assert source == fields | {"kind"}
    assert main(["sweep", "--schema"]) == 0


def test_chunks_tile_the_grid_once(serial_small):
    spec = parse_spec(SMALL)
    chunks = spec.chunks()
    covered = np.zeros((3, 2, 4, 6), dtype=int)
    for chunk in chunks:
        covered[(*chunk.index, chunk.P_slice, chunk.D_slice)] += 1
    assert (covered == 1).all()
    assert len({c.key for c in chunks}) == len(chunks) == 24
    store = SweepStore("unused", spec)
    assert store.spec.points == 144


def test_import_rdp_loads_no_sweep_dependency():
    code = (
        "import sys, rdp, rdp.batch\n"
        "from rdp.cli.main import build_parser\n"
        "build_parser()\n"
        "print(','.join(m for m in ('dask', 'distributed', 'xarray', 'zarr') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_docstring_example_runs():
    import doctest

    result = doctest.testmod(batch_run, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_a_store_without_certified_points_is_not_resumed(tmp_path):
    """A store written before points carried ``certified`` is refused with one line, not
    resumed (its points were never judged by the one predicate); its twin resumes."""
    import shutil

    spec = {"families": [{"source": {"kind": "bernoulli", "p": [0.3]}, "perception": "tv"}],
            "D": [0.1, 0.2], "P": [0.0]}  # fmt: skip
    store = tmp_path / "s.zarr"
    write_sweep(spec, store, executor="serial", progress=False)
    again = write_sweep(spec, store, executor="serial", progress=False)
    assert again.computed_chunks == 0 and again.skipped_chunks == again.chunks
    shutil.rmtree(store / "certified")
    with pytest.raises(ValueError, match=r"earlier rdp \(no certified\).*--overwrite"):
        write_sweep(spec, store, executor="serial", progress=False)
