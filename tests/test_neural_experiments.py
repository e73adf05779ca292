"""``rdp neural EXPERIMENT --preset quick`` end to end: results, figures, resumption."""

import argparse
import json
import math

import numpy as np
import pytest

pytest.importorskip("jax")

from rdp.cli import neural as neural_cli
from rdp.neural.analysis import markdown_table
from rdp.neural.figures import HOW_TO_RUN, available_figures

pytestmark = pytest.mark.neural


def _run_cli(argv):
    parser = argparse.ArgumentParser(prog="rdp")
    neural_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture(scope="module")
def results_root(tmp_path_factory):
    # The quick presets are dominated by XLA compilation; skip its optimisation passes.
    jax = pytest.importorskip("jax")
    previous = jax.config.read("jax_disable_most_optimizations")
    jax.config.update("jax_disable_most_optimizations", True)
    try:
        yield _make_results(tmp_path_factory)
    finally:
        jax.config.update("jax_disable_most_optimizations", previous)


def _make_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("neural")
    cache = root / "cache"
    for experiment in ("theory-check", "yan", "blau-michaeli"):
        argv = [
            "neural",
            experiment,
            "--preset",
            "quick",
            "--out",
            str(root / experiment),
            "--no-progress",
            "--json",
        ]
        if experiment != "theory-check":
            argv += ["--cache-dir", str(cache)]
        assert _run_cli(argv) == 0
    return root


def _results(root, experiment):
    return json.loads((root / experiment / "results.json").read_text())


def test_theory_check_quick(results_root):
    res = _results(results_root, "theory-check")
    (row,) = res["rows"]
    assert row["levels"] == 2
    # Lloyd–Max for N(0,1) with two levels: D* = 1 - 2/π (centroids ±sqrt(2/π)).
    assert row["d_star"] == pytest.approx(1 - 2 / math.pi, rel=1e-6)
    assert row["d_star_f"] >= row["d_star"] * (1 - 1e-3)
    assert row["ratio"] == pytest.approx(row["mse_g2"] / row["mse_g1"])
    # Freirich et al. 2021, Thm 4: the best perfectly perceptual decoder of f's code has
    # MSE D*_f + W₂²(p_X*, p_X) ∈ [D*_f, 2 D*_f]; equal to 2 D*_f when f's cells are intervals
    # (the monotone coupling maps each centroid onto its own cell), as for two cells here.
    bound = row["perfect_perception_bound_f"]
    assert row["d_star_f"] <= bound <= 2 * row["d_star_f"] * (1 + 1e-9)
    assert row["cells_used"] == 2 and bound == pytest.approx(2 * row["d_star_f"], rel=1e-3)
    assert (results_root / "theory-check" / "figure-theory-check.png").stat().st_size > 0
    assert (results_root / "theory-check" / "results.csv").read_text().startswith("levels,")


def test_yan_quick(results_root):
    res = _results(results_root, "yan")
    (row,) = res["rows"]
    assert row["bits"] == 4
    assert res["settings"]["data"] == "digits"
    for key in ("mse_g1", "mse_g2", "w1_g1", "w1_g2", "fd_g1", "fd_g2"):
        assert math.isfinite(row[key])
    assert 0 < row["mse_g1"] < 1 and 0 < row["mse_g2"] < 1
    assert (results_root / "yan" / "figure-yan-samples.png").is_file()
    assert list((results_root / "cache").glob("classifier-digits-*.eqx"))


def test_blau_michaeli_quick(results_root):
    res = _results(results_root, "blau-michaeli")
    assert [(r["bits"], r["perception_weight"]) for r in res["rows"]] == [(2.0, 0.0), (2.0, 0.01)]
    assert all(math.isfinite(r["mse"]) and math.isfinite(r["fd"]) for r in res["rows"])


def test_blau_michaeli_baseline_gets_the_fine_tunes_steps(results_root):
    # The λ = 0 point is the λ = 0 codec continued with MSE only for as many steps as the
    # λ > 0 fine-tunes: the step counts saved by the training loop in the checkpoints.
    from rdp.neural.experiments.presets import preset

    training = preset("blau-michaeli", "quick")["training"]
    folder = results_root / "blau-michaeli" / "checkpoints"

    def steps(name):
        return json.loads((folder / f"{name}.eqx.json").read_text())["step"]

    assert steps("d2-L2-w0") == training["autoencoder_steps"]
    assert steps("d2-L2-w0-equal-steps") == steps("d2-L2-w0.01") == training["generator_steps"]
    assert training["generator_steps"] > 0
    rows = _results(results_root, "blau-michaeli")["rows"]
    total = training["autoencoder_steps"] + training["generator_steps"]
    assert [r["steps"] for r in rows] == [total, total]


def test_blau_michaeli_resumes_to_the_same_results(results_root, tmp_path):
    # Interrupted after the λ = 0 codec (checkpointed) and before its equal-steps baseline
    # and the λ > 0 model: the rerun warm-starts both from the λ = 0 checkpoint and must
    # give the uninterrupted rows.
    import shutil

    out = tmp_path / "bm"
    shutil.copytree(results_root / "blau-michaeli" / "checkpoints", out / "checkpoints")
    for pattern in ("*w0.01.eqx*", "*w0-equal-steps.eqx*"):
        for path in (out / "checkpoints").glob(pattern):
            path.unlink()
    argv = ["neural", "blau-michaeli", "--preset", "quick", "--out", str(out), "--no-progress"]
    jax = pytest.importorskip("jax")
    previous = jax.config.read("jax_disable_most_optimizations")
    jax.config.update("jax_disable_most_optimizations", True)  # as the fixture's run
    try:
        assert _run_cli([*argv, "--cache-dir", str(results_root / "cache")]) == 0
    finally:
        jax.config.update("jax_disable_most_optimizations", previous)
    drop = {"seconds"}
    before = _results(results_root, "blau-michaeli")["rows"]
    after = json.loads((out / "results.json").read_text())["rows"]
    assert [{k: v for k, v in r.items() if k not in drop} for r in after] == [
        {k: v for k, v in r.items() if k not in drop} for r in before
    ]
    with np.load(out / "samples.npz") as npz:
        assert {"rec_2_0", "rec_2_0.01"} <= set(npz.files)


def test_rerun_resumes_from_saved_models(results_root, capsys):
    before = _results(results_root, "theory-check")["rows"]
    argv = [
        "neural",
        "theory-check",
        "--preset",
        "quick",
        "--out",
        str(results_root / "theory-check"),
        "--no-progress",
    ]
    assert _run_cli(argv) == 0
    assert _results(results_root, "theory-check")["rows"] == before
    assert "| levels |" in capsys.readouterr().out


def test_available_figures_for_reproduce(results_root, tmp_path):
    figures = available_figures(results_root)
    assert {f.experiment for f in figures} == {"theory-check", "yan", "blau-michaeli"}
    assert all(f.path.is_file() and f.caption for f in figures)
    assert available_figures(tmp_path) == []
    assert "rdp neural" in HOW_TO_RUN
    table = markdown_table(_results(results_root, "yan"))
    assert table.splitlines()[0].startswith("| bits | mse_g1 | mse_g2 | ratio")


def test_w1_critic_against_the_exact_empirical_distance():
    """The WGAN-GP critic's W₁ estimate: ≈ 0 for one law, ≈ the shift for N(0,1) vs N(1,1).

    The reference is the exact W₁ of the held-out halves (the estimator's own
    evaluation sets), by :func:`scipy.stats.wasserstein_distance`.
    """
    from scipy.stats import wasserstein_distance

    jax = pytest.importorskip("jax")
    from rdp.neural.metrics import wasserstein1_critic

    rng = np.random.default_rng(0)
    real, same, shifted = rng.normal(size=(3, 1000, 1))
    shifted = shifted + 1.0
    options = {"hidden": (32, 32), "steps": 200, "learning_rate": 1e-3, "one_sided": True}
    for fake, key in ((same, 0), (shifted, 1)):
        estimate = wasserstein1_critic(real, fake, jax.random.PRNGKey(key), **options)
        exact = wasserstein_distance(real[500:, 0], fake[500:, 0])
        assert estimate == pytest.approx(exact, abs=0.12), (key, estimate, exact)
    assert wasserstein_distance(real[500:, 0], shifted[500:, 0]) > 0.8


def test_theory_check_rejects_data_option(tmp_path):
    with pytest.raises(ValueError, match="--data"):
        _run_cli(["neural", "theory-check", "--out", str(tmp_path), "--data", "digits"])
