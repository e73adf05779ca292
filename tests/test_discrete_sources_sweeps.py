"""Discretisation of continuous sources, R(D,P) curves and surfaces, and ``rdp surface``."""

import argparse
import json

import numpy as np
import pytest
from scipy import stats

from rdp import Discrete, Gaussian, Problem
from rdp.cli import surface as surface_cli
from rdp.sweeps import rd_curve, surface


def test_discretized_gaussian_converges_to_the_closed_form():
    source = Gaussian(0.0, 1.0)
    exact = Problem(source, "mse", "kl-recon-source").rate(0.3, 0.05).rate
    errors = []
    for n in (8, 16, 32):
        result = Problem(source.discretize(n), "mse", "kl-recon-source").rate(0.3, 0.05, tol=1e-5)
        errors.append(abs(result.rate - exact))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 5e-3


def test_discretize_keeps_mass_and_mean():
    src = Gaussian(1.0, 4.0).discretize(40)
    assert src.pmf.sum() == pytest.approx(1.0)
    assert src.pmf @ src.alphabet == pytest.approx(1.0, abs=1e-9)
    assert src.pmf @ (src.alphabet - 1) ** 2 == pytest.approx(4.0, rel=2e-2)


def test_from_scipy_and_from_samples():
    lap = Discrete.from_scipy(stats.laplace(scale=1.0), 32)
    assert lap.size == 32 and lap.pmf.sum() == pytest.approx(1.0)
    assert lap.pmf @ lap.alphabet == pytest.approx(0.0, abs=1e-9)
    uni = Discrete.from_scipy(stats.uniform(0, 1), 10, values="midpoint")
    np.testing.assert_allclose(uni.pmf, 0.1, atol=1e-5)
    samples = np.random.default_rng(0).normal(size=5000)
    emp = Discrete.from_samples(samples, bins=20)
    assert emp.pmf @ emp.alphabet == pytest.approx(samples.mean())
    rate = Problem(lap, "mse", "w2").rate(0.5, 0.1, tol=1e-4)
    assert rate.feasible and 0 < rate.rate < 2


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Gaussian().discretize(1), "n"),
        (lambda: Gaussian().discretize(4, span=-1), "span"),
        (lambda: Discrete.from_scipy(stats.norm(), 8, values="x"), "values"),
        (lambda: Discrete.from_scipy("norm", 8), "scipy"),
        (lambda: Discrete.from_samples([]), "samples"),
    ],
)
def test_discretization_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_surface_matches_pointwise_cvxpy_and_marks_infeasible_cells():
    problem = Problem(Discrete([0.5, 0.3, 0.2]), [[1, 2, 3], [2, 1, 3], [3, 3, 1.0]], "tv")
    D = np.array([0.8, 1.2, 1.5, 2.0])
    P = np.array([0.0, 0.1])
    surf = surface(problem, D, P, progress=False)
    assert surf.rate.shape == (2, 4)
    assert not surf.feasible[:, 0].any()
    assert np.isinf(surf.rate[:, 0]).all()
    np.testing.assert_allclose(surf.min_distortion, [1.0, 1.0])
    for i, p in enumerate(P):
        for j in range(1, 4):
            ref = problem.rate(D[j], p, method="cvxpy").rate
            assert surf.lower[i, j] - 1e-7 <= ref <= surf.upper[i, j] + 1e-7
    assert (np.diff(surf.rate[:, 1:], axis=1) <= 1e-9).all()  # non-increasing in D
    assert (surf.rate[1] <= surf.rate[0] + 1e-9).all()  # non-increasing in P


def test_rd_curve_and_problem_methods():
    problem = Problem(Discrete([0.6, 0.4]), "hamming", "tv")
    curve = rd_curve(problem, 0.05, [0.05, 0.1, 0.3], progress=False)
    same = problem.rd_curve(0.05, [0.05, 0.1, 0.3], progress=False)
    np.testing.assert_allclose(curve.rate, same.rate, atol=1e-6)
    closed = problem.rate([0.05, 0.1, 0.3], 0.05, method="closed-form").rate
    np.testing.assert_allclose(curve.rate, closed, atol=1e-6)
    assert json.loads(json.dumps(curve.to_dict()))["P"] == 0.05
    assert problem.surface([0.1], [0.0, 0.1], progress=False).rate.shape == (2, 1)


def _run_cli(argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    surface_cli.register(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


def test_surface_cli(tmp_path, capsys):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps({"source": {"pmf": [0.5, 0.3, 0.2]}, "distortion": "hamming",
                                "perception": "tv"}))  # fmt: skip
    assert _run_cli(["surface", str(path), "--D-grid", "0.1,0.3", "--P-grid", "0:0.1:2",
                     "--json", "--no-progress"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert len(out["rate"]) == 2 and len(out["rate"][0]) == 2
    csv_path = tmp_path / "s.csv"
    _run_cli(["surface", str(path), "--D-grid", "0.1", "--P-grid", "0.05", "--out", str(csv_path)])
    assert csv_path.read_text().splitlines()[0].startswith("D,P,rate,lower,upper")
    with pytest.raises(ValueError, match="D-grid"):
        _run_cli(["surface", str(path), "--D-grid", "a", "--P-grid", "0"])
    with pytest.raises(ValueError, match="csv"):
        _run_cli(["surface", str(path), "--D-grid", "0.1", "--P-grid", "0", "--out", "x.txt"])
