"""The codec's committed results redraw into ``rdp reproduce`` figures (no JAX needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rdp.codec.figures import figures

COMMITTED = Path(__file__).parents[1] / "docs" / "codec"


@pytest.fixture
def results_dir(monkeypatch):
    if not (COMMITTED / "results.json").is_file():
        pytest.fail(f"committed codec results missing in {COMMITTED}")
    monkeypatch.setenv("RDP_CODEC_RESULTS", str(COMMITTED))
    return COMMITTED


def test_committed_results_give_three_figures_with_data(results_dir):
    specs = {spec.id: spec for spec in figures()}
    assert set(specs) == {"codec-rd", "codec-gaussian", "codec-samples"}
    results = json.loads((results_dir / "results.json").read_text())
    for spec in specs.values():
        output = spec.make()
        assert output.figure.axes
        rows = results["gaussian_rows"] if spec.id == "codec-gaussian" else results["rows"]
        assert all(len(column) == len(rows) for column in output.tables["data"].values())


def test_committed_gaussian_points_respect_shannon(results_dir):
    """No operational point may beat D(R) (recomputed here from the stored rate)."""
    rows = json.loads((results_dir / "results.json").read_text())["gaussian_rows"]
    for row in rows:
        shannon = 2.0 ** (-2.0 * row["stream_bits"] / 16)
        assert row["mse"] >= 0.97 * shannon
        assert np.isclose(row["gap_db_shannon"], 10 * np.log10(row["mse"] / shannon))


def test_no_results_no_figures(monkeypatch, tmp_path):
    monkeypatch.setenv("RDP_CODEC_RESULTS", str(tmp_path))
    assert figures() == []
