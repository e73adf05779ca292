"""The committed golden tables (docs/data/golden/) are reproduced by the library."""

import csv
import json
import math
from pathlib import Path

import pytest

from rdp.cli.main import main
from rdp.golden import compute, tables

GOLDEN = Path(__file__).resolve().parents[1] / "docs" / "data" / "golden"
TABLES = {t.name: t for t in tables()}


def test_every_table_is_committed_as_csv_and_json():
    committed = {p.stem for p in GOLDEN.glob("*.json")}
    assert committed == set(TABLES)
    assert {p.stem for p in GOLDEN.glob("*.csv")} == set(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_library_reproduces_the_committed_values(name):
    stored = json.loads((GOLDEN / f"{name}.json").read_text())
    fresh = compute(TABLES[name])
    assert len(fresh["rows"]) == len(stored["rows"])
    value_key = "rate" if "rate" in stored["rows"][0] else "distortion"
    for old, new in zip(stored["rows"], fresh["rows"], strict=True):
        for key in old:
            if key in ("lower", "upper", value_key):
                continue
            assert old[key] == new[key]  # the same grid point, status and certificate
        if old.get("status") == "converged":  # solver bounds: both intervals hold the true value
            assert new["lower"] <= old["upper"] + 1e-8
            assert old["lower"] <= new["upper"] + 1e-8
            assert new["upper"] - new["lower"] <= 1e-6
            continue
        for key in ("lower", "upper", value_key):
            a, b = old[key], new[key]
            if math.isinf(a):
                assert a == b
            else:
                assert b == pytest.approx(a, rel=1e-9, abs=1e-12), (key, old)


@pytest.mark.parametrize("name", ["gaussian-1-mse-w2", "bernoulli-0.1-hamming-tv"])
def test_csv_matches_json(name):
    stored = json.loads((GOLDEN / f"{name}.json").read_text())
    with (GOLDEN / f"{name}.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(stored["rows"])
    for row, ref in zip(rows, stored["rows"], strict=True):
        assert float(row["rate"]) == ref["rate"]


def test_cli_writes_a_selected_table(tmp_path, capsys):
    assert main(["golden", "--out", str(tmp_path), "--only", "bernoulli-0.1"]) == 0
    assert (tmp_path / "bernoulli-0.1-hamming-tv.csv").exists()
    assert "wrote 2 files" in capsys.readouterr().out
    assert main(["golden", "--only", "nothing-like-this", "--out", str(tmp_path)]) == 2


def _status_problems(rows) -> list[str]:
    """Rows whose status is no ``rdp.status.Status`` or whose ``certified`` disagrees with it.

    The certificate is recomputed from the row's own bracket: exact and infeasible rows
    are certified, converged and bounds rows when upper − lower ≤ 1e-6 (the stated
    gap), any other status is not.
    """
    from rdp.status import Status

    known = {str(s) for s in Status}
    found = []
    for row in rows:
        status = row.get("status")
        if status not in known:
            found.append(f"status {status!r}")
            continue
        gap = row["upper"] - row["lower"]
        expected = status in ("exact", "infeasible") or (
            status in ("converged", "bounds") and gap <= 1e-6 * (1 + 1e-9)
        )
        if row.get("certified") is not expected:
            found.append(f"certified {row.get('certified')!r} for {status} with gap {gap:.3g}")
    return found


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_committed_row_carries_a_status_and_its_certificate(name):
    stored = json.loads((GOLDEN / f"{name}.json").read_text())
    assert not _status_problems(stored["rows"])


def test_a_row_without_a_model_status_is_caught():
    """Twin: the old closed-form rows (no status) and a status 'certified' are refused."""
    rows = [
        {"R": 1.0, "distortion": 2.0, "lower": 2.0, "upper": 2.0},
        {"D": 0.1, "rate": 1.0, "lower": 1.0, "upper": 1.0, "status": "certified"},
        {"D": 0.1, "rate": 1.0, "lower": 0.9, "upper": 1.0, "status": "bounds", "certified": True},
    ]
    assert len(_status_problems(rows)) == 3
