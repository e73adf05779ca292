"""A smoke run of benchmarks/bench_discrete.py: tiny sizes, in process, no timing assertions."""

import csv
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_discrete.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_discrete", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_benchmark_writes_csv_and_report(bench, tmp_path):
    bench.main(["--quick", "--in-process", "--out", str(tmp_path), "--limit", "30"])
    with (tmp_path / "discrete.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    fast = [r for r in rows if r["method"] == "fast"]
    ref = [r for r in rows if r["method"] == "cvxpy"]
    assert {r["family"] for r in fast} == set(bench.QUICK)
    assert all(r["status"] in ("converged", "exact") for r in fast)
    assert all(float(r["gap"]) <= 1e-6 for r in fast)
    # the cvxpy reference lies in the certified interval (an independent program)
    assert ref and all(r["agrees"] == "yes" for r in ref if r["status"].endswith("converged"))
    assert any(r["status"].endswith("converged") for r in ref)
    text = (tmp_path / "discrete.md").read_text()
    assert "| dirichlet-tv | 8 |" in text and "Load average" in text
    # the report can be rebuilt from the CSV alone
    (tmp_path / "discrete.md").unlink()
    bench.main(["--report-only", "--out", str(tmp_path)])
    assert "| gauss-w2 | 8 |" in (tmp_path / "discrete.md").read_text()
    # --markdown into a folder that does not exist yet (build/ in a fresh checkout)
    nested = tmp_path / "build" / "reports" / "benchmarks.md"
    bench.main(["--report-only", "--out", str(tmp_path), "--markdown", str(nested)])
    assert nested.read_text() == (tmp_path / "discrete.md").read_text()


def test_every_family_builds_a_problem(bench):
    for family in bench.FAMILIES:
        cov = bench.COVARIANCES.get(bench.FAMILIES[family]["source"])
        n = 8 if cov is None else 3 ** cov.shape[0]  # a grid of side 3 in R^d
        D, P = bench.target_point(family, n)
        assert D > 0 and P >= 0


def test_surface_record_carries_its_provenance(bench, tmp_path):
    bench.main(
        ["--surface", "2", "--surface-workers", "2", "--surface-only", "--out", str(tmp_path)]
    )
    import json

    record = json.loads((tmp_path / "surface-2-workers2.json").read_text())
    assert not (tmp_path / "discrete.csv").exists()  # --surface-only stops there
    assert record["cells"] == 4 and record["workers"] == 2
    assert record["certified"] == 4 and 0 <= record["max_gap"] <= 1e-6
    assert record["command"].endswith("--surface 2 --surface-workers 2")
    for key in ("date", "commit", "load_at_start", "load_at_end"):
        assert record[key], key
