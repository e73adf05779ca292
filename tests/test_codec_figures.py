"""The codec's committed results redraw into ``rdp reproduce`` figures (no JAX needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rdp.codec.figures import figures, load_blau_michaeli

COMMITTED = Path(__file__).parents[1] / "docs" / "codec"


@pytest.fixture
def results_dir(monkeypatch):
    if not (COMMITTED / "results.json").is_file():
        pytest.fail(f"committed codec results missing in {COMMITTED}")
    monkeypatch.setenv("RDP_CODEC_RESULTS", str(COMMITTED))
    return COMMITTED


def test_committed_results_give_the_figures_with_data(results_dir):
    specs = {spec.id: spec for spec in figures()}
    expected = {"codec-rd", "codec-gaussian", "codec-samples", "codec-vs-blau-michaeli"}
    if (results_dir / "gaussian-dither.json").is_file():
        expected.add("codec-gaussian-dither")
    assert set(specs) == expected
    results = json.loads((results_dir / "results.json").read_text())
    for spec in specs.values():
        output = spec.make()
        assert output.figure.axes
        rows = results["gaussian_rows"] if spec.id == "codec-gaussian" else results["rows"]
        if spec.id == "codec-gaussian-dither":
            rows = json.loads((results_dir / "gaussian-dither.json").read_text())["rows"]
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


BM_FIXTURE = """dims,levels,bits,perception_weight,mse,w1,fd,seed
2,2,2,0.0,0.061,5.1,541.2,0
2,2,2,0.015,0.114,1.4,60.7,0
8,4,16,0.0,0.031,3.0,120.0,0
8,4,16,0.015,0.052,1.1,20.0,0
8,4,16,0.015,0.054,1.3,22.0,1
"""


def _codec_results(tmp_path, monkeypatch):
    folder = tmp_path / "codec"
    folder.mkdir()
    (folder / "results.json").write_text((COMMITTED / "results.json").read_text())
    monkeypatch.setenv("RDP_CODEC_RESULTS", str(folder))
    return folder


def _spec(figure_id):
    return next(spec for spec in figures() if spec.id == figure_id)


def test_blau_michaeli_points_drawn_on_the_codec_axes_when_present(tmp_path, monkeypatch):
    _codec_results(tmp_path, monkeypatch)
    bm = tmp_path / "bm"
    bm.mkdir()
    (bm / "results.csv").write_text(BM_FIXTURE)
    monkeypatch.setenv("RDP_BLAU_MICHAELI_RESULTS", str(tmp_path / "nothing") + ":" + str(bm))
    spec = _spec("codec-vs-blau-michaeli")
    assert f"drawn from {bm / 'results.csv'}" in spec.caption
    ax_d, _, bm_d, bm_p = spec.make().figure.axes
    lines = {line.get_label(): line for line in bm_d.get_lines()}
    line = lines["Blau–Michaeli λ = 0.015"]
    np.testing.assert_allclose(line.get_xdata(), [0.114, 0.053])  # seeds 0 and 1 averaged
    np.testing.assert_allclose(line.get_ydata(), [2 / 784, 16 / 784])
    w1 = {line.get_label(): line for line in bm_p.get_lines()}
    np.testing.assert_allclose(w1["Blau–Michaeli λ = 0 (MSE only)"].get_xdata(), [5.1, 3.0])
    assert w1["Blau–Michaeli λ = 0 (MSE only)"].get_color() == "black"  # λ = 0 is black
    codec = {line.get_label(): line for line in ax_d.get_lines()}
    assert codec["codec β = 0 (MSE only)"].get_color() == "black"  # and so is β = 0
    assert not any("not found" in t.get_text() for t in bm_d.texts)
    # the codec's rate is its payload, as in the CSV's bpp column (not the file's file_bpp)
    rows = json.loads((COMMITTED / "results.json").read_text())["rows"]
    zero = sorted(
        (r for r in rows if r["beta"] == 0 and r["normalization"] == "gdn" and not r["hyperprior"]
         and not r.get("finetune")),
        key=lambda r: r["bpp"],
    )  # fmt: skip
    np.testing.assert_allclose(
        codec["codec β = 0 (MSE only)"].get_ydata(), [r["bpp"] for r in zero]
    )
    assert "payload" in ax_d.get_ylabel() and "file" not in ax_d.get_ylabel()


def test_blau_michaeli_absent_gives_codec_points_and_a_visible_note(tmp_path, monkeypatch):
    _codec_results(tmp_path, monkeypatch)
    monkeypatch.setenv("RDP_BLAU_MICHAELI_RESULTS", str(tmp_path / "nothing"))
    spec = _spec("codec-vs-blau-michaeli")
    assert "ABSENT" in spec.caption
    ax_d, _, bm_d, _ = spec.make().figure.axes
    assert any("not found" in t.get_text() for t in bm_d.texts)
    assert not any("Blau" in line.get_label() for line in bm_d.get_lines())
    assert any(line.get_label().startswith("codec") for line in ax_d.get_lines())


def test_blau_michaeli_table_needs_bits_and_mse(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("bits,w1\n2,1.0\n")
    with pytest.raises(ValueError, match="mse"):
        load_blau_michaeli(path)
    path.write_text("rate_bits,mse,fid,lambda,seed\n4,0.05,10.0,0.1,0\n")
    (row,) = load_blau_michaeli(path)
    assert row["bits"] == 4 and row["fid"] == 10.0 and row["weight"] == 0.1
    assert np.isnan(row["w1"])


def test_gaussian_dither_figure_from_stored_rows(tmp_path, monkeypatch):
    folder = _codec_results(tmp_path, monkeypatch)
    rows = []
    for variant, beta in [("deterministic", 0.0), ("dithered-perception", 30.0)]:
        for rate in (0.5, 1.0):
            rows.append(
                {
                    "variant": variant,
                    "beta": beta,
                    "rate_per_dim": rate,
                    "mse": 0.9 * rate,
                    "gap_db_rp": 1.0 + rate,
                }
            )
    payload = {"settings": {"dim": 16}, "rows": rows}
    (folder / "gaussian-dither.json").write_text(json.dumps(payload))
    output = _spec("codec-gaussian-dither").make()
    ax, _ = output.figure.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert "Shannon D(R)" in labels and "dithered-perception, β = 30" in labels
    np.testing.assert_allclose(output.tables["data"]["gap_db_rp"], [1.5, 2.0, 1.5, 2.0])


def _grid_d_rp(rate, p):
    """D(R, P) of N(0, 1) by a grid over jointly Gaussian channels (not rdp's closed form)."""
    rho = np.sqrt(1 - 2.0 ** (-2 * rate))
    s = np.linspace(max(0.0, 1 - np.sqrt(p)), 1.0, 20001)
    return float(np.min(1 + s * s - 2 * rho * s))


def test_committed_dither_check_points_against_independent_bounds(results_dir):
    """Every committed point is above D(R) and its stored D(R, P) matches a grid search."""
    path = results_dir / "gaussian-dither.json"
    if not path.is_file():
        pytest.skip("no committed gaussian-dither.json")
    results = json.loads(path.read_text())
    dim = results["settings"]["dim"]
    rows = results["rows"]
    for r in rows:
        assert r["rate_per_dim"] == pytest.approx(r["stream_bits"] / dim)
        assert r["mse"] >= 0.97 * 2.0 ** (-2 * r["rate_per_dim"])
        assert r["d_rp"] == pytest.approx(_grid_d_rp(r["rate_per_dim"], r["p_per_dim"]), abs=1e-6)
        assert r["gap_db_rp"] == pytest.approx(10 * np.log10(r["mse"] / r["d_rp"]))
        assert r["p_per_dim"] * dim == max(
            r["w2sq_gaussian_fit"], r["w2sq_marginals"], r["w2sq_sliced"]
        )
    # The realism term did its work wherever the β = 0 codec is visibly unrealistic
    # (P above 0.01 per coordinate, 7× the estimators' floor on source samples): the
    # largest β lowers P. (Below that, at high rate, the sliced loss's batch noise wins.)
    top = max(r["beta"] for r in rows)
    checked = 0
    for lam in {r["lambda"] for r in rows}:
        by = {(r["variant"], r["beta"]): r for r in rows if r["lambda"] == lam}
        if by[("dithered", 0.0)]["p_per_dim"] > 0.01:
            checked += 1
            p_top = by[("dithered-perception", top)]["p_per_dim"]
            assert p_top < by[("dithered", 0.0)]["p_per_dim"]
    assert checked >= 2
