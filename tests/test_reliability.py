"""No silent wrong answers: hand-typed pmfs, loud failures, ignored options, output paths,
JSON types, size ceilings, unchecked methods, Ctrl-C, messages and SCS honesty.

The references are independent of the code under test: the cvxpy program of
``tests/references.py`` (Clarabel, never through ``rdp``), the Bernoulli closed form of
Blau & Michaeli (2019, Theorem 2), or exact arithmetic.
"""

from __future__ import annotations

import csv
import json
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
import references

import rdp
from rdp import Bernoulli, Discrete, Gaussian, Problem
from rdp.cli.main import main

ROOT = Path(__file__).parents[1]
HAND_TYPED = [0.4, 0.3, 0.2, 0.1]  # sums to 0.9999999999999999 in floating point


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``rdp ARGS`` in-process; returns (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exit_:  # argparse usage errors
        code = exit_.code
    out = capsys.readouterr()
    return int(code), out.out, out.err


def reference_rate(pmf, values, distortion: str, perception: str, D: float, P: float) -> float:
    """R(D, P) in bits of a finite source (reconstruction alphabet = source alphabet) by the
    cvxpy program of ``tests/references.py`` (Blau & Michaeli 2019, Eq. (3))."""
    p = np.asarray(pmf, dtype=float)
    x = np.asarray(values, dtype=float)
    delta = references.distortion_matrix(distortion, x, x)
    value, status = references.convex_rate(p / p.sum(), x, x, delta, perception, D, P)
    assert status == "optimal", status
    return value


# ---------------------------------------------------------------- hand-typed pmfs
def test_hand_typed_pmf_kl_is_feasible_on_the_command_line(capsys):
    """`--pmf 0.4 0.3 0.2 0.1 ... kl-source-recon -D 0.1 -P 0.5` printed INFEASIBLE before."""
    code, out, err = run_cli(
        capsys, "rate", "--source", "discrete", "--pmf", *HAND_TYPED, "--distortion",
        "hamming", "--perception", "kl-source-recon", "-D", 0.1, "-P", 0.5, "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["feasible"] is True
    ref = reference_rate(HAND_TYPED, range(4), "hamming", "kl-source-recon", 0.1, 0.5)
    assert data["lower"] - 1e-6 <= ref <= data["upper"] + 1e-6


@pytest.mark.parametrize("method", ["fast", "cvxpy"])
@pytest.mark.parametrize(
    ("distortion", "perception", "D", "P"),
    [
        ("hamming", "kl-source-recon", 0.1, 0.5),
        ("hamming", "kl-recon-source", 0.1, 0.05),
        ("hamming", "tv", 0.3, 0.0),
        ("mse", "w1", 0.3, 0.0),
        ("mse", "w2", 0.3, 0.0),
        ("mse", "tv", 0.3, 0.02),
    ],
)
def test_hand_typed_pmf_every_perception_and_method(method, distortion, perception, D, P):
    """Every perception kind and both methods give the certified true rate (was inf)."""
    problem = Problem(Discrete(HAND_TYPED), distortion, perception)
    result = problem.rate(D, P, method=method)
    ref = reference_rate(HAND_TYPED, range(4), distortion, perception, D, P)
    assert result.feasible
    assert np.isfinite(result.rate)
    assert result.diagnostics.get("status", "exact") in ("exact", "converged", "optimal")
    assert result.lower - 2e-6 <= ref <= result.upper + 2e-6


def test_random_dirichlet_pmfs_keep_kl_feasible():
    """N ≥ 5 Dirichlet pmfs hit the missing-1e-16 bug 2-4 times in 20 before the fix."""
    rng = np.random.default_rng(10)
    for _ in range(20):
        pmf = rng.dirichlet(np.ones(int(rng.integers(5, 9))))
        problem = Problem(Discrete(pmf), "hamming", "kl-source-recon")
        result = problem.rate(0.2, 0.3, tol=1e-5)
        assert result.feasible, pmf.tolist()
        assert np.isfinite(result.upper)


def test_mass_outside_the_reconstruction_alphabet_comes_from_the_support():
    from rdp.solvers import finite

    same = finite.build(Problem(Discrete(HAND_TYPED), "hamming", "tv"))
    assert same.m_out == 0.0
    # two source values (2 and 3) are no reconstruction value: m_out = 0.2 + 0.1 exactly
    other = finite.build(
        Problem(Discrete(HAND_TYPED), "absolute", "tv", reconstruction_alphabet=[0.0, 1.0])
    )
    assert other.m_out == pytest.approx(0.3, abs=1e-15)


def test_pmf_tolerance_renormalises_once_and_rejects_beyond():
    from rdp._validation import PMF_SUM_TOLERANCE

    assert PMF_SUM_TOLERANCE == 1e-9
    src = Discrete(HAND_TYPED)
    assert float(src.pmf.sum()) == 1.0
    np.testing.assert_allclose(src.pmf, HAND_TYPED, rtol=0, atol=1e-15)
    Discrete([0.5 + 4e-10, 0.5])  # inside the tolerance
    with pytest.raises(ValueError, match="pmf must sum to 1"):
        Discrete([0.5 + 2e-9, 0.5])
    with pytest.raises(ValueError, match="pmf"):
        Discrete([0.3, 0.3, 0.3])


# ---------------------------------------------------------------- loud failure
FOUR = {"source": {"pmf": HAND_TYPED}, "distortion": "mse", "perception": "w1"}


def write_problem(tmp_path, spec=None, name="four.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(FOUR if spec is None else spec))
    return path


def test_surface_marks_unconverged_cells_and_exits_3(tmp_path, capsys):
    path = write_problem(tmp_path)
    out_csv = tmp_path / "s.csv"
    code, out, err = run_cli(
        capsys, "surface", path, "--D-grid", "0.2,0.4", "--P-grid", "0,0.1", "--max-iter", 3,
        "--no-progress", "--out", out_csv,
    )  # fmt: skip
    assert code == 3
    assert err.count("\n") == 1 and "4 of 4 point(s) have no certified value" in err
    rows = list(csv.DictReader(out_csv.open()))
    assert {row["status"] for row in rows} == {"iteration_limit"}
    code, out, err = run_cli(
        capsys, "surface", path, "--D-grid", "0.2", "--P-grid", "0.1", "--max-iter", 3,
        "--no-progress",
    )  # fmt: skip
    assert code == 3 and "UNCERTIFIED" in out


def test_certified_surface_exits_0(tmp_path, capsys):
    code, out, err = run_cli(
        capsys, "surface", write_problem(tmp_path), "--D-grid", "0.5", "--P-grid", "0.1",
        "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert "UNCERTIFIED" not in out and err == ""


def test_api_warns_with_a_dedicated_class():
    problem = Problem(Discrete(HAND_TYPED), "mse", "w1")
    assert issubclass(rdp.UnconvergedWarning, RuntimeWarning)
    with pytest.warns(rdp.UnconvergedWarning, match="no certified value"):
        result = problem.rate(0.3, 0.1, max_iter=2)
    assert result.lower <= result.upper
    with pytest.warns(rdp.UnconvergedWarning):
        problem.surface([0.2, 0.4], [0.1], max_iter=2, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rdp.UnconvergedWarning)
        with pytest.raises(rdp.UnconvergedWarning):
            problem.rate(0.3, 0.1, max_iter=2)


def test_rate_command_marks_unconverged_points(capsys):
    code, out, err = run_cli(
        capsys, "rate", "--source", "discrete", "--pmf", *HAND_TYPED, "--distortion", "mse",
        "--perception", "w1", "-D", 0.3, "-P", 0.1, "--max-iter", 2,
    )  # fmt: skip
    assert code == 3
    assert "UNCERTIFIED" in out and "1 of 1 point(s)" in err


# ---------------------------------------------------------------- ignored options
def test_P_without_perception_is_an_error(capsys):
    code, out, err = run_cli(
        capsys, "rate", "--source", "bernoulli", "--p", 0.1, "-D", 0.05, "-P", 0, "--json"
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--perception" in err
    with pytest.raises(ValueError, match="pass perception="):
        Problem(Bernoulli(0.1), "hamming").rate(0.05, 0)
    # P = inf (or left out) stays allowed, and TV at P = 0 is the closed form's 0.2231
    assert Problem(Bernoulli(0.1), "hamming").rate(0.05, np.inf).rate == pytest.approx(
        Problem(Bernoulli(0.1), "hamming").rate(0.05).rate
    )
    code, out, _ = run_cli(
        capsys, "rate", "--source", "bernoulli", "--p", 0.1, "--perception", "tv", "-D", 0.05,
        "-P", 0, "--json",
    )  # fmt: skip
    assert code == 0
    truth = reference_rate([0.9, 0.1], [0, 1], "hamming", "tv", 0.05, 0.0)
    assert truth == pytest.approx(0.2231, abs=1e-4)  # the value quoted in the issue
    assert json.loads(out)["rate"] == pytest.approx(truth, abs=1e-6)


def test_common_randomness_and_solver_options_are_short_errors():
    problem = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", "tv")
    for kwargs, needle in [
        ({"common_randomness": 0}, "common_randomness is supported for a Gaussian"),
        ({"tol": -1}, "tol must be a number > 0; got -1.0"),
        ({"max_iter": 0}, "max_iter must be an integer >= 1; got 0"),
        ({"max_iter": True}, "max_iter must be an integer >= 1; got True"),
    ]:
        with pytest.raises(ValueError) as info:
            problem.distortion(0.5, 0.1, **kwargs)
        message = str(info.value)
        assert needle in message and "\n" not in message and len(message) < 160
    with pytest.raises(ValueError, match="tol must be finite; got nan"):
        problem.rate(0.3, 0.1, tol=float("nan"))


# ---------------------------------------------------------------- output paths
def test_output_folder_is_created_and_bad_paths_fail_before_work(tmp_path, capsys, monkeypatch):
    path = write_problem(tmp_path)
    code, _, err = run_cli(
        capsys, "surface", path, "--D-grid", "0:1:3", "--P-grid", 0.1, "--no-progress",
        "--out", tmp_path / "nodir" / "deeper" / "s.csv",
    )  # fmt: skip
    assert code == 0, err
    assert len(list(csv.DictReader((tmp_path / "nodir" / "deeper" / "s.csv").open()))) == 3

    import rdp._solving

    def no_work(*args, **kwargs):
        raise AssertionError("the grid was computed before the output path was checked")

    monkeypatch.setattr(rdp._solving, "surface", no_work)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for bad in (blocker / "s.csv", tmp_path / "s.txt", tmp_path):
        code, _, err = run_cli(
            capsys, "surface", path, "--D-grid", "0:1:3", "--P-grid", 0.1, "--out", bad
        )
        assert code == 2 and err.count("\n") == 1 and "--out" in err, err


def test_verify_checks_its_output_path_first(tmp_path, capsys, monkeypatch):
    import rdp.theorems.standard

    def no_work():
        raise AssertionError("the checks ran before the output path was checked")

    monkeypatch.setattr(rdp.theorems.standard, "select", lambda only: {"x": no_work})
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, _, err = run_cli(capsys, "verify", "--out", blocker / "report.json")
    assert code == 2 and err.count("\n") == 1 and "--out" in err


# ---------------------------------------------------------------- JSON types
@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ({"D": {"a": 1}}, "'D' must be numbers"),
        ({"D": True}, "booleans are not numbers"),
        ({"D": "0.1"}, "strings are not numbers"),
        ({"P": None}, "leave P out"),
        ({"source": {"pmf": ["0.5", "0.5"]}}, "pmf must be numbers"),
        ({"source": {"pmf": [True, False]}}, "booleans are not numbers"),
        ({"source": {"kind": "bernoulli", "p": True}}, "p must be a real number"),
        ({"source": {"pmf": {"a": 1}}}, "pmf must be numbers"),
        ({"source": {"pmf": [0.5, 0.5], "alphabet": ["a", "b"]}}, "alphabet must be numbers"),
        ({"distortion": {"a": 1}}, "'distortion' must be a name"),
        ({"distortion": [[0, 1], [1]]}, "rectangular"),
        ({"perception": {"kind": "w1", "cost": [[0, "1"], [1, 0]]}}, "cost must be numbers"),
        ({"units": 3}, "'units' must be a string"),
    ],
)
def test_problem_file_types(tmp_path, capsys, entry, needle):
    spec = {"source": {"pmf": [0.5, 0.5]}, "distortion": "hamming", "perception": "tv",
            "D": 0.1, "P": 0.1, **entry}  # fmt: skip
    code, out, err = run_cli(capsys, "rate", write_problem(tmp_path, spec))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err, err


def test_booleans_are_not_numbers_in_the_api():
    with pytest.raises(ValueError, match="booleans are not numbers"):
        Bernoulli(True)
    with pytest.raises(ValueError, match="booleans are not numbers"):
        Problem(Bernoulli(0.1), "hamming", "tv").rate(True, 0.1)
    with pytest.raises(ValueError, match="strings are not numbers"):
        Gaussian("0", 1)


# ---------------------------------------------------------------- size ceilings
def test_grid_ceiling_before_allocation(tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "surface", write_problem(tmp_path), "--D-grid", "0:1:1000000000", "--P-grid", 0.1
    )
    assert code == 2 and "--max-points" in err and err.count("\n") == 1
    code, _, err = run_cli(
        capsys, "surface", write_problem(tmp_path), "--D-grid", "0:1:400", "--P-grid",
        "0:1:400", "--max-points", 1000,
    )  # fmt: skip
    assert code == 2 and "160,000 grid cells" in err


def test_problem_size_ceiling_with_a_memory_estimate(tmp_path, capsys):
    from rdp.cli._checks import FAST_ARRAYS

    n = 5000
    spec = {"source": {"pmf": (np.ones(n) / n).tolist()}, "distortion": "mse",
            "perception": "w1", "D": 0.1, "P": 0.1}  # fmt: skip
    path = write_problem(tmp_path, spec)
    code, _, err = run_cli(capsys, "rate", path)
    assert code == 2 and err.count("\n") == 1
    need_gb = FAST_ARRAYS * 8 * n * n / 1e9
    assert f"{need_gb:.1f} GB" in err and "--max-memory" in err
    code, _, err = run_cli(capsys, "rate", path, "--max-memory", 0.001, "-D", 0.1)
    assert code == 2


# ---------------------------------------------------------------- unchecked methods
@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.zero_rate_distortion(-1),
        lambda p: p.zero_rate_distortion(float("nan")),
        lambda p: p.min_distortion(-1),
        lambda p: p.min_distortion(None),
    ],
)
def test_public_methods_check_P(call):
    problem = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", "tv")
    with pytest.raises(ValueError, match="P must"):
        call(problem)


# ---------------------------------------------------------------- Ctrl-C
def test_surface_interrupt_writes_finished_rows(tmp_path, capsys, monkeypatch):
    from rdp.solvers.fast import FastSolver

    original = FastSolver.rate_point
    calls = {"n": 0}

    def interrupted_after_three(self, D, P, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return original(self, D, P, **kwargs)

    monkeypatch.setattr(FastSolver, "rate_point", interrupted_after_three)
    out = tmp_path / "s.csv"
    code, _, err = run_cli(
        capsys, "surface", write_problem(tmp_path), "--D-grid", "0.2,0.4,0.6", "--P-grid",
        "0,0.1", "--no-progress", "--out", out,
    )  # fmt: skip
    assert code == 130
    assert err.count("\n") == 1 and "interrupted after 3 of 6 cells" in err
    assert "Traceback" not in err
    partial = tmp_path / "s.partial.csv"
    rows = list(csv.DictReader(partial.open()))
    assert len(rows) == 3 and all(row["status"] != "not_computed" for row in rows)
    assert not out.exists()


def test_reproduce_interrupt_writes_the_index(tmp_path, capsys, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rdp.reproduce.registry import FigureOutput, FigureSpec

    def finished() -> FigureOutput:
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return FigureOutput(fig, {"data": {"x": np.array([0.0, 1.0])}})

    def interrupted() -> FigureOutput:
        raise KeyboardInterrupt

    specs = [
        FigureSpec("first", "First", "caption", "paper", "Fig. 1", finished),
        FigureSpec("second", "Second", "caption", "paper", "Fig. 2", interrupted),
    ]
    monkeypatch.setattr("rdp.reproduce.select_figures", lambda ids: specs)
    code, _, err = run_cli(capsys, "reproduce", "--out", tmp_path / "figs", "--quiet")
    assert code == 130 and err.count("\n") == 1 and "interrupted after 1 of 2" in err
    index = (tmp_path / "figs" / "index.md").read_text()
    assert "## first: First" in index and "second" not in index


def test_keyboard_interrupt_is_one_line_and_130(capsys, monkeypatch):
    from rdp.closed_forms.bernoulli import BernoulliHammingTV

    def interrupt(self, D, P):
        raise KeyboardInterrupt

    monkeypatch.setattr(BernoulliHammingTV, "rate_point", interrupt)
    code, _, err = run_cli(
        capsys, "rate", "--source", "bernoulli", "--p", 0.1, "--perception", "tv", "-D", 0.1,
        "-P", 0.1,
    )  # fmt: skip
    assert code == 130 and err == "rdp rate: interrupted\n"


# ---------------------------------------------------------------- messages
@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda: Discrete([0.5, -0.5, 1.0]), "got -0.5"),
        (
            lambda: Problem(Bernoulli(0.1), "hamming", "tv").rate(np.array([0.1, -1.0])),
            "got [0.1, -1.0]",
        ),
        (lambda: Problem(Bernoulli(0.1), "hamming", "tv").rate(0.1, None), "got None"),
        (lambda: Problem(Discrete([0.5, 0.5]), [[0, 1], [1]]), "rectangular"),
        (lambda: Discrete([0.5, 0.5], ["a", "b"]), "alphabet must be numbers"),
        (lambda: Discrete([0.5, 0.5], [0, "b"]), "alphabet must be numbers"),
        (
            lambda: Problem(Discrete([0.5, 0.5]), "hamming", reconstruction_alphabet=["a", 1]),
            "reconstruction_alphabet must be numbers",
        ),
        (lambda: rdp.MatrixDistortion([[0, -1], [1, 0]]), "got min -1.0"),
    ],
)
def test_messages_in_the_users_terms(build, needle):
    with pytest.raises(ValueError) as info:
        build()
    message = str(info.value)
    assert needle in message
    assert "np.float64" not in message and "array(" not in message and "\n" not in message
    assert "NaN" not in message and "inhomogeneous" not in message


def test_no_method_message_is_short():
    problem = Problem(Discrete(np.ones(40) / 40), "hamming", "tv")
    with pytest.raises(ValueError) as info:
        problem.rate(0.1, 0.1, tol=0)
    assert len(str(info.value)) < 100 and "array(" not in str(info.value)
    assert "array(" not in repr(Discrete(np.ones(40) / 40))


# ---------------------------------------------------------------- docs details
def test_rd_curve_progress_bar_names_the_curve(capsys):
    problem = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", "tv")
    problem.rd_curve(0.1, np.linspace(0.1, 0.5, 3), progress=True)
    err = capsys.readouterr().err
    assert "R(D) curve" in err and "surface" not in err


def test_csv_grid_values_are_the_decimals_typed(tmp_path, capsys):
    out = tmp_path / "s.csv"
    code, _, err = run_cli(
        capsys, "surface", write_problem(tmp_path), "--D-grid", "0:1:11", "--P-grid",
        "0:0.3:4", "--no-progress", "--out", out,
    )  # fmt: skip
    assert code == 0, err
    text = out.read_text()
    assert "0.30000000000000004" not in text
    rows = list(csv.DictReader(out.open()))
    assert sorted({row["D"] for row in rows}, key=float) == [
        "0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"
    ]  # fmt: skip
    assert sorted({row["P"] for row in rows}, key=float) == ["0.0", "0.1", "0.2", "0.3"]


def test_neural_figures_name_their_environment(monkeypatch):
    pytest.importorskip("jax")
    from rdp.neural.figures import figures

    monkeypatch.setenv("RDP_NEURAL_RESULTS", "docs/neural")
    monkeypatch.chdir(ROOT)
    commands = [spec.command for spec in figures()]
    assert commands
    assert all(c.startswith("RDP_NEURAL_RESULTS=docs/neural rdp reproduce ") for c in commands)


# ---------------------------------------------------------------- SCS honesty
def test_scs_answer_is_an_estimate_with_honest_bounds():
    rng = np.random.default_rng(11)
    pmf = rng.dirichlet(np.ones(6))
    problem = Problem(Discrete(pmf), "mse", "tv")
    truth = reference_rate(pmf, range(6), "mse", "tv", 0.3, 0.05)
    with pytest.warns(rdp.UnconvergedWarning):
        result = problem.rate(0.3, 0.05, method="cvxpy", solvers=("SCS",))
    assert result.status == "estimate" and "status" not in result.diagnostics
    assert result.diagnostics["solver"] == "SCS"
    assert result.lower < result.upper
    assert result.lower - 1e-9 <= truth <= result.upper + 1e-9
    assert result.lower <= result.rate <= result.upper
    clarabel = problem.rate(0.3, 0.05, method="cvxpy")
    assert clarabel.status == "converged"
    assert clarabel.diagnostics["solver_status"] == "optimal"
    assert clarabel.diagnostics["solver"] == "CLARABEL"
    assert clarabel.rate == pytest.approx(truth, abs=1e-6)


# ---------------------------------------------------------------- quiet install
def test_license_is_an_spdx_string():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "BSD-3-Clause"
    requires = " ".join(project["build-system"]["requires"])
    assert "setuptools>=77" in requires


def test_surface_and_curve_refuse_P_without_perception():
    """The grid path checks P like a point does (a finite P without a perception measure)."""
    problem = Problem(Bernoulli(0.1), "hamming")
    with pytest.raises(ValueError, match="no perception measure"):
        problem.surface([0.05, 0.1], [0.0, 0.1])
    with pytest.raises(ValueError, match="no perception measure"):
        problem.rd_curve(0.0, [0.05, 0.1])

    def h(a):  # binary entropy in bits; Shannon's R(D) = h(p) − h(D) for D ≤ p
        return -(a * np.log2(a) + (1 - a) * np.log2(1 - a))

    assert problem.rd_curve(np.inf, [0.05]).rate[0] == pytest.approx(h(0.1) - h(0.05), abs=1e-12)
