"""The ``rdp`` command: in process through ``rdp.cli.main.main``, plus subprocess smoke tests.

Most tests call :func:`rdp.cli.main.main` with ``capsys`` (the CLI's own code
path, without paying the package import in a fresh interpreter per call); the
two ``test_subprocess_*`` tests run ``python -m rdp`` for real.
"""

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
import references as ref

from rdp.cli.main import main


@pytest.fixture
def rdp(capsys):
    """``rdp(*args)``: run the command in process; returns returncode, stdout, stderr."""

    def run(*args):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse: --help, usage errors
            code = exit_.code
        captured = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)

    return run


def rdp_subprocess(*args):
    return subprocess.run(
        [sys.executable, "-m", "rdp", *args], capture_output=True, text=True, timeout=120
    )


def test_bernoulli_rate_json(rdp):
    out = rdp(
        "rate",
        "--source",
        "bernoulli",
        "--p",
        "0.1",
        "--distortion",
        "hamming",
        "--perception",
        "tv",
        "-D",
        "0.05",
        "-P",
        "0.02",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"rate", "lower", "upper", "feasible", "method", "units"} <= set(data)
    assert data["units"] == "bits" and data["feasible"] is True
    assert data["lower"] <= data["rate"] <= data["upper"]
    # middle region of Blau & Michaeli 2019, Thm 2, typed independently in references.py
    assert data["rate"] == pytest.approx(ref.bernoulli_tv_rate(0.1, 0.05, 0.02), abs=1e-12)
    assert data["rate"] == pytest.approx(ref.binary_brute_force_rate(0.1, 0.05, 0.02), abs=2e-6)


def test_gaussian_rate_and_distortion_text_and_json(rdp):
    out = rdp(
        "rate",
        "--source",
        "gaussian",
        "--mean",
        "1",
        "--variance",
        "2",
        "--distortion",
        "mse",
        "--perception",
        "w2",
        "-D",
        "0.5",
        "-P",
        "0.1",
    )
    assert out.returncode == 0, out.stderr
    assert "bits" in out.stdout and "Zhang" in out.stdout
    out = rdp(
        "distortion",
        "--source",
        "gaussian",
        "--perception",
        "w2",
        "-R",
        "1.0",
        "-P",
        "0.0",
        "--json",
    )
    data = json.loads(out.stdout)
    assert data["distortion"] == pytest.approx(2 * (1 - 0.75**0.5))


def test_kl_names_and_nats(rdp):
    out = rdp(
        "rate",
        "--source",
        "gaussian",
        "--perception",
        "kl-recon-source",
        "-D",
        "0.3",
        "-P",
        "0.05",
        "--units",
        "nats",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["units"] == "nats"


def test_several_points_give_lists(rdp):
    out = rdp(
        "rate",
        "--source",
        "bernoulli",
        "--p",
        "0.1",
        "--perception",
        "tv",
        "-D",
        "0.01",
        "0.05",
        "0.3",
        "-P",
        "0.02",
        "--json",
    )
    data = json.loads(out.stdout)
    assert len(data["rate"]) == 3 and data["rate"][-1] == 0.0


def test_problem_file(tmp_path, rdp):
    path = tmp_path / "problem.json"
    path.write_text(
        json.dumps(
            {
                "source": {"pmf": [0.9, 0.1]},
                "distortion": "hamming",
                "perception": "tv",
                "D": 0.05,
                "P": 0.02,
            }
        )
    )
    data = json.loads(rdp("rate", str(path), "--json").stdout)
    assert data["rate"] == pytest.approx(ref.bernoulli_tv_rate(0.1, 0.05, 0.02), abs=1e-12)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("rate", "--source", "bernoulli", "--p", "1.5", "-D", "0.1"), "p must be a probability"),
        (("rate", "--source", "bernoulli", "--p", "0.1", "-D", "-1"), "D must be non-negative"),
        (("rate", "--source", "gaussian", "--variance", "-1", "-D", "0.1"), "variance must be > 0"),
        (("rate", "--source", "gaussian", "--perception", "wx", "-D", "0.1"), "invalid choice"),
        (
            (
                "rate",
                "--source",
                "discrete",
                "--pmf",
                "0.5",
                "0.6",
                "--distortion",
                "hamming",
                "-D",
                "0.1",
            ),
            "pmf must sum to 1",
        ),
        (
            (
                "rate",
                "--source",
                "gaussian-vector",
                "--covariance",
                "[[1, 2], [2, 1]]",
                "-D",
                "0.1",
            ),
            "positive definite",
        ),
        (("rate", "/nonexistent/problem.json"), "cannot read problem file"),
        (("rate", "--source", "bernoulli", "-D", "0.1"), "--p is required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, needle, rdp):
    out = rdp(*args)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [(), ("rate",), ("distortion",)])
def test_help_is_complete_with_examples(command, rdp):
    out = rdp(*command, "--help")
    assert out.returncode == 0
    assert "examples:" in out.stdout
    assert "rdp" in out.stdout


def test_subprocess_rate_json_and_exit_status():
    """``python -m rdp`` for real: the entry point, stdout JSON and exit status 0."""
    out = rdp_subprocess(
        "rate", "--source", "bernoulli", "--p", "0.1", "--perception", "tv",
        "-D", "0.05", "-P", "0.02", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rate"] == pytest.approx(
        ref.bernoulli_tv_rate(0.1, 0.05, 0.02), abs=1e-12
    )


def test_subprocess_bad_input_exit_2():
    """A usage error in a real process: one line on stderr, no traceback, status 2."""
    out = rdp_subprocess("rate", "--source", "bernoulli", "--p", "1.5", "-D", "0.1")
    assert out.returncode == 2
    assert "p must be a probability" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
