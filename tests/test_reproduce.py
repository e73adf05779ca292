"""rdp reproduce: every figure's data against closed forms typed here; index; the command."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra.numpy import arrays
from scipy.special import lambertw
from test_plot import bernoulli_rate, gaussian_w2_distortion, gaussian_w2_rate

from rdp.reproduce import (
    FigureOutput,
    FigureSpec,
    all_figures,
    read_table,
    register_provider,
    reproduce,
    select_figures,
    write_table,
)
from rdp.reproduce import registry as registry_module

ROOT = Path(__file__).resolve().parents[1]
LN2 = np.log(2)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    """Every built-in figure, written once per test session (warnings are errors).

    Under pytest-xdist the workers share one output folder: the first to take the
    lock writes it, the others wait for its ``done`` marker.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        out = tmp_path_factory.mktemp("figures")
        _write_all(out)
        return out
    out = tmp_path_factory.getbasetemp().parent / "rdp-reproduce-figures"
    out.mkdir(exist_ok=True)
    try:
        os.close(os.open(out / "lock", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        deadline = time.monotonic() + 600
        while not (out / "done").exists():
            if (out / "failed").exists():
                pytest.fail("the worker writing the figures failed; see its error")
            if time.monotonic() > deadline:
                raise TimeoutError("another worker did not finish writing the figures") from None
            time.sleep(0.5)
        return out
    try:
        _write_all(out)
    except BaseException:
        (out / "failed").touch()
        raise
    (out / "done").touch()
    return out


def _write_all(out):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reproduce(all_figures(), out, progress=False)


def sample(table, n=25, seed=0):
    """Row indices of up to n rows, spread over the table."""
    size = len(next(iter(table.values())))
    return np.random.default_rng(seed).choice(size, size=min(n, size), replace=False)


def kl_recon_rate(D, P_bits):
    """Gaussian R(D, P) with KL(p_X̂‖p_X) ≤ P (REFERENCES §3), σ² = 1."""
    nats = P_bits * LN2
    s2 = 1.0 if nats == 0 else -lambertw(-np.exp(-(1 + 2 * nats)), 0).real
    s = np.sqrt(s2)
    if s > np.sqrt(abs(1 - D)):
        return 0.5 * np.log2(s2 / (s2 - 0.25 * (1 + s2 - D) ** 2))
    return max(0.5 * np.log2(1 / D), 0.0)


RATE_FORMS = {
    "bernoulli-tv": lambda D, P: bernoulli_rate(0.1, D, P),
    "gaussian-w2": gaussian_w2_rate,
    "gaussian-kl": kl_recon_rate,
}


@pytest.mark.parametrize("family", sorted(RATE_FORMS))
def test_family_data_match_closed_forms(out_dir, family):
    rate = RATE_FORMS[family]
    rd = read_table(out_dir / f"{family}-rd.csv")
    surface = read_table(out_dir / f"{family}-surface.csv")
    rp = read_table(out_dir / f"{family}-sections-rate-perception.csv")
    for table in (rd, surface, rp):
        for i in sample(table):
            assert table["R"][i] == pytest.approx(rate(table["D"][i], table["P"][i]), abs=1e-8)
    assert np.isinf(rd["P"]).any() and (rd["P"] == 0).any()
    dp = read_table(out_dir / f"{family}-sections-distortion-perception.csv")
    for i in sample(dp, n=8):
        # D(R, P) inverts R(D, P): the rate at the reported distortion is R.
        assert rate(dp["D"][i], dp["P"][i]) == pytest.approx(dp["R"][i], abs=1e-6)
    if family == "gaussian-w2":
        for i in sample(dp):
            assert dp["D"][i] == pytest.approx(gaussian_w2_distortion(dp["R"][i], dp["P"][i]))


def test_yan_ratios(out_dir):
    table = read_table(out_dir / "yan-perfect-perception-information-theoretic.csv")
    R = table["R"]
    np.testing.assert_allclose(table["D_shannon"], 2.0 ** (-2 * R))
    np.testing.assert_allclose(
        table["D_perfect_unlimited_cr"] / table["D_shannon"], 2 / (1 + np.sqrt(1 - 2.0 ** (-2 * R)))
    )
    np.testing.assert_allclose(table["D_perfect_cr_0"], 2 * 2.0 ** (-2 * R))
    for rc in (0.25, 1.0):
        expected = 2 * (1 - np.sqrt((1 - 2.0 ** (-2 * R)) * (1 - 2.0 ** (-2 * (R + rc)))))
        np.testing.assert_allclose(table[f"D_perfect_cr_{rc:g}"], expected)


def test_freirich_curve(out_dir):
    table = read_table(out_dir / "freirich-distortion-perception.csv")
    for noise in np.unique(table["noise_variance"]):
        a = 1 / (1 + noise)  # Wiener gain, σ_X² = 1
        mmse, w2 = 1 - a, 1 - np.sqrt(a)
        rows = table["noise_variance"] == noise
        P = table["P"][rows]
        expected = mmse + np.clip(w2 - np.sqrt(P), 0, None) ** 2
        np.testing.assert_allclose(table["D"][rows], expected)
        assert table["D"][rows][P == 0][0] <= 2 * mmse


def test_index_lists_every_figure(out_dir):
    index = (out_dir / "index.md").read_text()
    manifest = json.loads((out_dir / "manifest.json").read_text())
    ids = [spec.id for spec in all_figures()]
    assert [e["id"] for e in manifest["figures"]] == ids
    for figure_id in ids:
        assert "![" in index and f"({figure_id}.png)" in index
        assert f"`rdp reproduce {figure_id}`" in index
        assert (out_dir / f"{figure_id}.pdf").read_bytes().startswith(b"%PDF")
    assert len(re.findall(r"\*\*Reproduces:\*\*", index)) == len(ids)


def test_registry_ids_unique_and_selectable():
    specs = all_figures()
    assert len({s.id for s in specs}) == len(specs)
    assert [s.id for s in select_figures(["freirich-distortion-perception"])] == [
        "freirich-distortion-perception"
    ]
    with pytest.raises(ValueError, match="unknown figure ID"):
        select_figures(["no-such-figure"])


def test_providers_add_figures(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    def make():
        fig = Figure()
        fig.add_subplot().plot([0, 1], [1, 0])
        return FigureOutput(fig, {"data": {"x": np.array([0.0, 1.0])}})

    extra = FigureSpec("extra-test", "t", "c", "paper", "Fig. 0", make, group="neural")
    monkeypatch.setattr(registry_module, "_PROVIDERS", [])
    register_provider(lambda: [extra])
    assert all_figures()[-1] is extra
    reproduce([extra], tmp_path, progress=False)
    reproduce(select_figures(["freirich-distortion-perception"]), tmp_path, progress=False)
    index = (tmp_path / "index.md").read_text()
    assert "extra-test.png" in index and "freirich-distortion-perception.png" in index
    with pytest.raises(ValueError, match="equal-length"):
        FigureOutput(Figure(), {"data": {"x": np.zeros(2), "y": np.zeros(3)}})


def test_missing_optional_provider_is_skipped(monkeypatch):
    monkeypatch.setattr(registry_module, "OPTIONAL_PROVIDER_MODULES", ("rdp.no_such_module",))
    assert "rdp.no_such_module" in registry_module.skipped_providers()
    assert all_figures()


def _rdp(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "rdp", "reproduce", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_command_end_to_end(tmp_path):
    out = tmp_path / "results"
    done = _rdp("bernoulli-tv-rd", "freirich-distortion-perception", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"to {out}" in done.stdout and "index.md" in done.stdout
    assert "figures" in done.stderr  # the tqdm progress bar
    for stem in ("bernoulli-tv-rd", "freirich-distortion-perception"):
        for ext in ("png", "pdf", "csv"):
            assert (out / f"{stem}.{ext}").exists()
    listing = json.loads(_rdp("--list", "--json").stdout)
    assert {f["id"] for f in listing["figures"]} == {s.id for s in all_figures()}
    bad = _rdp("no-such-figure", "--out", str(out))
    assert bad.returncode == 2 and "unknown figure ID" in bad.stderr


def test_yan_one_shot_ratio_is_two(out_dir):
    table = read_table(out_dir / "yan-perfect-perception-one-shot.csv")
    np.testing.assert_allclose(table["D_perfect"] / table["D_star"], 2.0, rtol=1e-8)
    np.testing.assert_allclose(table["R"], np.log2(table["K"]))
    gaussian = table["source"] == "Gaussian"
    K, D = table["K"][gaussian], table["D_star"][gaussian]
    # Max (1960), Table I: the optimal 2- and 4-level quantizers of N(0, 1)
    assert D[K == 2][0] == pytest.approx(1 - 2 / np.pi, rel=1e-9)
    assert D[K == 4][0] == pytest.approx(0.1175, abs=1e-4)
    assert {"Gaussian", "Laplace", "uniform"} <= set(table["source"])


def rate_at_distortion(solve, D):
    """Rate of ``solve(s) -> (distortion, rate)`` at the slope s where the distortion meets D.

    The distortion falls as s grows; bisection on s in [0, 40] keeps the side with
    distortion ≤ D.
    """
    lo, hi = 0.0, 40.0
    for _ in range(26):
        mid = 0.5 * (lo + hi)
        d, _ = solve(mid)
        lo, hi = (mid, hi) if d > D else (lo, mid)
    return solve(hi)[1]


def blahut_arimoto_rate(p, delta, D, iters=800):
    """Shannon R(D) in bits by Blahut–Arimoto with the slope found by bisection."""

    def solve(s):
        q = np.full(delta.shape[1], 1 / delta.shape[1])
        A = np.exp(-s * delta)
        for _ in range(iters):
            Q = q * A
            Q /= Q.sum(axis=1, keepdims=True)
            q = p @ Q
        joint = p[:, None] * Q
        ratio = np.where(joint > 0, Q / np.where(q > 0, q, 1), 1)
        return float((joint * delta).sum()), float((joint * np.log2(ratio)).sum())

    return rate_at_distortion(solve, D)


def perfect_perception_rate(p, delta, D, iters=800):
    """R(D, 0) with q = p: min KL(π‖p⊗p) over couplings of (p, p) with ⟨π, Δ⟩ ≤ D (Sinkhorn)."""

    def solve(s):
        K = np.outer(p, p) * np.exp(-s * delta)
        v = np.ones_like(p)
        for _ in range(iters):
            u = p / (K @ v)
            v = p / (K.T @ u)
        pi = u[:, None] * K * v[None, :]
        ref = np.outer(p, p)
        kl = np.where(pi > 0, pi * np.log2(np.where(pi > 0, pi, 1) / ref), 0).sum()
        return float((pi * delta).sum()), float(kl)

    return rate_at_distortion(solve, D)


DISCRETE = {
    "laplace-w1": lambda: (
        np.exp(-np.abs(np.linspace(-3, 3, 13))) / np.exp(-np.abs(np.linspace(-3, 3, 13))).sum(),
        (np.linspace(-3, 3, 13)[:, None] - np.linspace(-3, 3, 13)[None, :]) ** 2,
    ),
    "ternary-tv": lambda: (
        np.array([0.5, 0.3, 0.2]),
        np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 1.0], [1.0, 3.0, 0.0]]),
    ),
}


@pytest.mark.parametrize("family", sorted(DISCRETE))
def test_discrete_data_against_blahut_arimoto_and_sinkhorn(out_dir, family):
    p, delta = DISCRETE[family]()
    table = read_table(out_dir / f"{family}-rd.csv")
    for P, reference in ((np.inf, blahut_arimoto_rate), (0.0, perfect_perception_rate)):
        rows = np.flatnonzero((table["P"] == P) & (table["R"] > 0.05))
        for i in rows[[0, len(rows) // 2]]:
            assert table["R"][i] == pytest.approx(reference(p, delta, table["D"][i]), abs=2e-3)
    # more perception freedom never costs rate
    levels = np.unique(table["P"])
    curves = np.array([table["R"][table["P"] == P] for P in levels])
    assert np.all(np.diff(curves, axis=0) <= 1e-6)
    surface = read_table(out_dir / f"{family}-surface.csv")
    assert np.isfinite(surface["R"]).all() and (surface["R"] >= -1e-9).all()


@settings(max_examples=30, deadline=None)
@given(
    arrays(
        np.float64,
        st.integers(1, 20),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=64),
    )
)
def test_csv_round_trip(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_table({"x": values, "label": np.array(["a"] * values.size)}, path)
    back = read_table(path)
    np.testing.assert_allclose(back["x"], values, rtol=1e-11, equal_nan=True)
    assert list(back["label"]) == ["a"] * values.size
