"""Discretisation of continuous sources, R(D,P) curves and surfaces, and ``rdp surface``."""

import argparse
import json
from itertools import pairwise

import numpy as np
import pytest
import references as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.integrate import quad
from strategies import gaussian_problems

from rdp import Discrete, Gaussian, Problem
from rdp.cli import surface as surface_cli


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


def _gaussian_cells_mpmath(mean, variance, n, k):
    """Masses and centroids of n equal cells of [−k, k] (tails merged) at 40 digits."""
    import mpmath as mp

    mp.mp.dps = 40
    edges = [mp.mpf(-k) + 2 * mp.mpf(k) * i / n for i in range(n + 1)]
    edges[0], edges[-1] = mp.mpf("-inf"), mp.mpf("inf")
    phi = [mp.npdf(e) if mp.isfinite(e) else mp.mpf(0) for e in edges]
    cdf = [mp.ncdf(e) for e in edges]
    mass = [cdf[i + 1] - cdf[i] for i in range(n)]
    z = [(phi[i] - phi[i + 1]) / mass[i] for i in range(n)]
    std = mp.sqrt(variance)
    return (np.array([float(m) for m in mass]),
            np.array([float(mean + std * c) for c in z]))  # fmt: skip


@pytest.mark.parametrize(
    ("mean", "variance", "n"), [(0.0, 1.0, 1000), (1.5, 4.0, 7), (-3.0, 0.01, 64)]
)
def test_gaussian_discretize_is_the_closed_form(mean, variance, n):
    """Cell masses and centroids against mpmath at 40 digits (scipy's quadrature, used before,
    was 6e-9 off in the tail cells and took 1.4 ms per cell)."""
    k = max(4.0, float(np.sqrt(2.0 * np.log(n))) + 1.0)
    src = Gaussian(mean, variance).discretize(n)
    mass, centroid = _gaussian_cells_mpmath(mean, variance, n, k)
    np.testing.assert_allclose(src.pmf, mass / mass.sum(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(src.alphabet, centroid, rtol=0, atol=1e-12 * np.sqrt(variance))
    # twin: the cell midpoints are not the centroids
    midpoints = Gaussian(mean, variance).discretize(n, values="midpoint").alphabet
    assert np.abs(midpoints - centroid).max() > 1e-4 * np.sqrt(variance)


def test_gaussian_discretize_is_fast_for_many_cells():
    """10⁵ cells in well under a second each (vectorised), with mass 1 and the source's mean."""
    import time

    start = time.perf_counter()
    src = Gaussian(0.5, 2.0).discretize(100_000)
    assert time.perf_counter() - start < 5.0
    assert src.size == 100_000
    assert src.pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert src.pmf @ src.alphabet == pytest.approx(0.5, abs=1e-12)


def test_from_scipy_and_from_samples():
    """Cells, masses and values against quadrature and numpy; the rate against a convex program."""
    lap = Discrete.from_scipy(stats.laplace(scale=1.0), 32)
    # 32 equal cells on the 1e-6 and 1 − 1e-6 quantiles (±ln(5e5)), tails joined to the end cells
    edges = np.linspace(-np.log(5e5), np.log(5e5), 33)
    cdf = np.concatenate(
        [[0.0], 0.5 + 0.5 * np.sign(edges[1:-1]) * (1 - np.exp(-np.abs(edges[1:-1]))), [1.0]]
    )
    np.testing.assert_allclose(lap.pmf, np.diff(cdf), rtol=1e-9, atol=1e-15)
    outer = np.concatenate([[-np.inf], edges[1:-1], [np.inf]])
    pdf = stats.laplace.pdf
    means = [quad(lambda x: x * pdf(x), a, b)[0] / quad(pdf, a, b)[0] for a, b in pairwise(outer)]
    np.testing.assert_allclose(lap.alphabet, means, rtol=1e-6, atol=1e-9)
    # the tail cells: E[X | X ≤ a] = a − 1 for a < 0 (the Laplace tail is memoryless)
    assert lap.alphabet[0] == pytest.approx(edges[1] - 1, rel=1e-6)
    uni = Discrete.from_scipy(stats.uniform(0, 1), 10, values="midpoint")
    np.testing.assert_allclose(uni.pmf, 0.1, atol=1e-5)
    np.testing.assert_allclose(uni.alphabet, np.linspace(1e-6, 1 - 1e-6, 11)[:-1] + (1 - 2e-6) / 20)
    samples = np.random.default_rng(0).normal(size=5000)
    emp = Discrete.from_samples(samples, bins=20)
    counts, hist_edges = np.histogram(samples, bins=20)
    cell = np.clip(np.digitize(samples, hist_edges) - 1, 0, 19)
    kept = counts > 0
    np.testing.assert_allclose(emp.pmf, counts[kept] / samples.size)
    np.testing.assert_allclose(
        emp.alphabet, [samples[cell == k].mean() for k in np.flatnonzero(kept)]
    )
    # R(D, P) of the 32-symbol Laplace law with squared-W₂ perception, by an independent program
    small = Discrete.from_scipy(stats.laplace(scale=1.0), 12)
    rate = Problem(small, "mse", "w2").rate(0.5, 0.1, tol=1e-7)
    x = small.alphabet
    expected, status = ref.convex_rate(
        small.pmf, x, x, ref.distortion_matrix("mse", x, x), "w2", 0.5, 0.1
    )
    assert status == "optimal"
    assert rate.feasible and rate.lower - 1e-6 <= expected <= rate.upper + 1e-6
    assert rate.rate == pytest.approx(expected, abs=1e-5)


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
    surf = problem.surface(D, P, progress=False)
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
    """Curves and surfaces of a 2-symbol problem, by each method, against Blau & Michaeli Thm 2."""
    problem = Problem(Discrete([0.6, 0.4]), "hamming", "tv")
    D = np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.45])
    P = 0.05
    expected = [ref.bernoulli_tv_rate(0.4, d, P) for d in D]
    for method in ("auto", "fast", "cvxpy"):
        curve = problem.rd_curve(P, D, method=method, progress=False)
        np.testing.assert_allclose(curve.rate, expected, atol=2e-6, err_msg=method)
        assert (curve.lower <= np.asarray(expected) + 2e-6).all()
    assert problem.rd_curve(P, D, progress=False).rate == pytest.approx(expected, abs=1e-9)
    data = json.loads(json.dumps(curve.to_dict()))
    assert data["P"] == P and np.allclose(data["rate"], curve.rate)
    P_grid = [0.0, 0.1]
    surf = problem.surface([0.1, 0.3], P_grid, progress=False)
    assert surf.rate.shape == (2, 2)
    for i, p in enumerate(P_grid):
        assert surf.rate[i] == pytest.approx(
            [ref.bernoulli_tv_rate(0.4, d, p) for d in (0.1, 0.3)], abs=1e-9
        )


@settings(max_examples=15, deadline=None)
@given(spec=gaussian_problems(), R=st.floats(0.05, 3.0), P_frac=st.floats(0.0, 1.0))
def test_gaussian_rd_curve_matches_closed_forms(spec, R, P_frac):
    """rd_curve of N(μ, σ²) at D = D(R) against formulas typed in references.py."""
    var = spec.variance
    P = P_frac * var  # squared W₂ in units of σ², KL in bits
    if spec.kind == "none":
        P = np.inf  # a finite P without a perception measure is an error
    D = np.array([0.5, 1.0, 2.0]) * var * 2.0 ** (-2 * R)
    curve = spec.problem().rd_curve(P, D, progress=False)
    expected = {
        "none": lambda d: ref.gaussian_shannon_rate(d, var),
        "w2": lambda d: ref.gaussian_w2_rate(d, P, var),
        "kl-recon-source": lambda d: ref.gaussian_kl_recon_rate(d, P, var),
    }[spec.kind]
    np.testing.assert_allclose(curve.rate, [expected(d) for d in D], atol=1e-9)


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
