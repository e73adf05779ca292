"""rdp reproduce: every figure's data against closed forms typed here; index; the command."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import io
import json
import os
import re
import time
import warnings
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra.numpy import arrays
from references import (
    bernoulli_tv_rate,
    blahut_arimoto_rate,
    convex_rate,
    distortion_matrix,
    gaussian_kl_recon_rate,
    gaussian_perfect_perception_distortion,
    gaussian_w2_distortion,
    gaussian_w2_rate,
    perfect_perception_rate,
)

from rdp.cli.main import main
from rdp.reproduce import (
    FigureOutput,
    FigureSpec,
    all_figures,
    read_table,
    register_provider,
    reproduce,
    select_figures,
    tables_of,
    write_table,
)
from rdp.reproduce import registry as registry_module
from rdp.status import CERTIFIED_GAP


@dataclass
class Run:
    """One in-process ``rdp reproduce --out OUT`` run: its folder, exit status and output."""

    out: Path
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def reproduce_run(tmp_path_factory):
    """``rdp reproduce`` of every built-in figure, once per test session (warnings are errors).

    Under pytest-xdist every test of this module runs on one worker
    (``--dist loadfile`` in pyproject.toml); should they be spread out anyway
    (``--dist load``), the workers share one output folder: the first to take
    the lock writes it, the others wait for its ``done`` marker.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _run_all(tmp_path_factory.mktemp("figures"))
    out = tmp_path_factory.getbasetemp().parent / "rdp-reproduce-figures"
    out.mkdir(exist_ok=True)
    try:
        os.close(os.open(out / "lock", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        deadline = time.monotonic() + 900
        while not (out / "done").exists():
            if (out / "failed").exists():
                pytest.fail("the worker writing the figures failed; see its error")
            if time.monotonic() > deadline:
                raise TimeoutError("another worker did not finish writing the figures") from None
            time.sleep(0.5)
        return Run(out, **json.loads((out / "done").read_text()))
    try:
        run = _run_all(out)
    except BaseException:
        (out / "failed").touch()
        raise
    (out / "done").write_text(
        json.dumps({"returncode": run.returncode, "stdout": run.stdout, "stderr": run.stderr})
    )
    return run


def _run_all(out):
    stdout, stderr = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(), redirect_stdout(stdout), redirect_stderr(stderr):
        warnings.simplefilter("error")
        code = main(["reproduce", "--out", str(out)])
    return Run(out, code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def out_dir(reproduce_run):
    """The folder of the shared run (which must have succeeded)."""
    assert reproduce_run.returncode == 0, reproduce_run.stderr
    return reproduce_run.out


def sample(table, n=25, seed=0):
    """Row indices of up to n rows, spread over the table."""
    size = len(next(iter(table.values())))
    return np.random.default_rng(seed).choice(size, size=min(n, size), replace=False)


RATE_FORMS = {
    "bernoulli-tv": lambda D, P: bernoulli_tv_rate(0.1, D, P),
    "gaussian-w2": gaussian_w2_rate,
    "gaussian-kl": gaussian_kl_recon_rate,
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
    np.testing.assert_allclose(
        table["D_perfect_unlimited_cr"], gaussian_perfect_perception_distortion(R)
    )
    np.testing.assert_allclose(table["D_perfect_cr_0"], 2 * 2.0 ** (-2 * R))
    for rc in (0.25, 1.0):
        expected = gaussian_perfect_perception_distortion(R, common_randomness=rc)
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


def test_command_end_to_end(reproduce_run, capsys):
    """The shared run's report, files and index; ``--list`` and a bad ID in process."""
    out = reproduce_run.out
    assert reproduce_run.returncode == 0, reproduce_run.stderr
    assert f"to {out}" in reproduce_run.stdout and "index.md" in reproduce_run.stdout
    assert "figures" in reproduce_run.stderr  # the tqdm progress bar
    for spec in all_figures():
        for ext in ("png", "pdf"):
            assert (out / f"{spec.id}.{ext}").exists()
        assert list(out.glob(f"{spec.id}*.csv"))
        assert spec.id in reproduce_run.stdout
    assert main(["reproduce", "--list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert {f["id"] for f in listing["figures"]} == {s.id for s in all_figures()}
    assert main(["reproduce", "no-such-figure", "--out", str(out)]) == 2
    assert "unknown figure ID" in capsys.readouterr().err


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


def _discrete_problem(family):
    """(p, x, Δ, perception) of a discrete figure family, typed here from its caption."""
    if family == "laplace-w1":
        x = np.linspace(-6.0, 6.0, 65)  # pmf ∝ e^{−|x|} on 65 points of [−6, 6]
        p = np.exp(-np.abs(x)) / np.exp(-np.abs(x)).sum()
        return p, x, distortion_matrix("mse", x, x), "w1"
    p = np.array([0.5, 0.3, 0.2])
    delta = np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 1.0], [1.0, 3.0, 0.0]])
    return p, np.arange(3.0), delta, "tv"


def _row(table, P, D):
    """Index of the row with these P and D."""
    return int(np.flatnonzero((table["P"] == P) & np.isclose(table["D"], D))[0])


#: Points (P, D) of each discrete family checked against the independent convex program.
CONVEX_POINTS = {
    "laplace-w1": [(0.1, 1.0)],  # Clarabel needs ~30 s for this 65 × 65 problem
    "ternary-tv": [(0.0, 0.4), (0.05, 0.2), (0.1, 0.7), (0.2, 0.4)],
}


@pytest.mark.parametrize("family", ["laplace-w1", "ternary-tv"])
def test_discrete_rates_bracket_independent_references(out_dir, family):
    """Certified bounds of the figures' data hold the independently computed rate.

    P = ∞ against Blahut–Arimoto and P = 0 against Sinkhorn (both written in
    tests/references.py, accurate to about 1e-3 bits); points where the perception
    constraint is active against the convex program of tests/references.py with
    Clarabel's tolerances at 1e-9.
    """
    p, x, delta, kind = _discrete_problem(family)
    table = read_table(out_dir / f"{family}-rd.csv")
    assert set(table["status"]) <= {"converged", "exact", "iteration_limit"}
    converged = table["status"] == "converged"
    assert np.all(table["upper"][converged] - table["lower"][converged] <= 1e-3 + 1e-9)
    for P, reference in ((np.inf, blahut_arimoto_rate), (0.0, perfect_perception_rate)):
        rows = np.flatnonzero((table["P"] == P) & (table["R"] > 0.05))
        for i in rows[[0, len(rows) // 2, -1]]:
            expected = reference(p, delta, table["D"][i])
            assert table["lower"][i] - 2e-3 <= expected <= table["upper"][i] + 2e-3
    surface = read_table(out_dir / f"{family}-surface.csv")
    for P, D in CONVEX_POINTS[family]:
        i = _row(surface, P, D)
        expected, status = convex_rate(
            p, x, x, delta, kind, D, P, tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9
        )
        assert status == "optimal"
        assert surface["lower"][i] - 1e-6 <= expected <= surface["upper"][i] + 1e-6, (P, D)
    # more perception freedom never costs rate: certified bounds ordered along P
    levels = np.unique(table["P"])
    lower = np.array([table["lower"][table["P"] == P] for P in levels])
    upper = np.array([table["upper"][table["P"] == P] for P in levels])
    assert np.all(lower[1:] <= upper[:-1] + 1e-9)
    assert np.isfinite(surface["R"]).all() and (surface["R"] >= -1e-9).all()


def test_discrete_distortion_sections_against_the_convex_program(out_dir):
    """The D(R, P) brackets of the 3-symbol sections: R(high) ≤ R ≤ R(low), by cvxpy."""
    p, x, delta, kind = _discrete_problem("ternary-tv")
    table = read_table(out_dir / "ternary-tv-sections-distortion-perception.csv")
    assert set(table["status"]) == {"bounds"}
    assert np.all(table["lower"] <= table["upper"])
    for i in sample(table, n=6):
        R, P = table["R"][i], table["P"][i]
        at_high, _ = convex_rate(p, x, x, delta, kind, table["upper"][i], P, tol_gap_abs=1e-9)
        at_low, _ = convex_rate(p, x, x, delta, kind, table["lower"][i], P, tol_gap_abs=1e-9)
        assert at_high <= R + 1e-6 and at_low >= R - 1e-6
        assert table["upper"][i] - table["lower"][i] < 0.02


@pytest.mark.parametrize("family", ["laplace-w1", "ternary-tv"])
def test_discrete_figures_say_what_is_certified(out_dir, family):
    """Stopped points are counted in the index and the manifest, equal to the CSV's statuses."""
    manifest = {e["id"]: e for e in json.loads((out_dir / "manifest.json").read_text())["figures"]}
    index = (out_dir / "index.md").read_text()
    for view, table in (("rd", "rd"), ("surface", "surface")):
        data = read_table(out_dir / f"{family}-{table}.csv")
        stopped = int(np.sum(~np.isin(data["status"], ["converged", "exact", "infeasible"])))
        entry = manifest[f"{family}-{view}"]
        assert entry["stopped"] == stopped
        assert "certified" in entry["note"] and f"- **Points:** {entry['note']}" in index
        if stopped:
            assert "red ×" in entry["note"]
    # the sections: R–P solver points, and D(R, P) brackets marked when wider than the gap
    entry = manifest[f"{family}-sections"]
    rp = read_table(out_dir / f"{family}-sections-rate-perception.csv")
    dp = read_table(out_dir / f"{family}-sections-distortion-perception.csv")
    stopped = int(np.sum(~np.isin(rp["status"], ["converged", "exact", "infeasible"])))
    drawn = dp["status"] != "not_computed"
    wide = int(np.sum(drawn & (dp["upper"] - dp["lower"] > CERTIFIED_GAP)))
    assert entry["stopped"] == stopped + wide
    assert wide > 0  # a bracket read off a grid is wider than 1e-6: the figure says so
    assert f"{wide} of them are wider than the certified gap" in entry["note"]
    assert "red ×" in entry["note"]


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


def test_tables_of_finds_a_figures_data_by_the_figure():
    """The tables of the output that drew a figure; none for a figure no spec drew."""
    from matplotlib.figure import Figure

    (spec,) = select_figures(["freirich-distortion-perception"])
    output = spec.make()
    assert tables_of(output.figure) is output.tables
    assert tables_of(Figure()) is None  # twin: a figure drawn elsewhere has no tables
