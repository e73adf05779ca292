"""Finite sources of points in R^d: construction, distortions, ground costs, and R(D, P).

Every check compares with a value computed another way (a brute-force loop, an
assignment found by enumeration, sampling, the one-dimensional code path, the convex
reference) and has a twin showing that it fails on a wrong instance.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from rdp import (
    Discrete,
    Euclidean,
    Gaussian,
    GaussianVector,
    Hamming,
    Problem,
    SquaredError,
    Wasserstein,
)

ROTATED = np.array([[1.0, 0.6], [0.6, 0.5]])


# ---------------------------------------------------------------- the source objects
def test_points_alphabet_shape_and_dimension():
    src = Discrete([0.5, 0.25, 0.25], [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    assert src.alphabet.shape == (3, 2) and src.dimension == 2
    column = Discrete([0.5, 0.5], [[1.0], [2.0]])  # (N, 1) is read as real values
    assert column.alphabet.shape == (2,) and column.dimension == 1


@pytest.mark.parametrize(
    "alphabet", [[[0.0, 1.0]], [[[0.0]], [[1.0]]], [[0.0, np.nan], [1.0, 2.0]], np.zeros((2, 0))]
)
def test_bad_points_alphabet_is_one_clear_error(alphabet):
    with pytest.raises(ValueError, match="alphabet") as info:
        Discrete([0.5, 0.5], alphabet)
    assert "\n" not in str(info.value)


def test_diagonal_grid_masses_are_products_of_normal_cdf_differences():
    """Masses of a diagonal N(0, diag(1, 1/4)) grid against scipy's normal CDF, cell by cell."""
    n, k = 6, 3.0
    src = GaussianVector(np.diag([1.0, 0.25])).discretize(n, span=k)
    edges = np.linspace(-k, k, n + 1)
    edges[0], edges[-1] = -np.inf, np.inf
    one = np.diff(stats.norm.cdf(edges))
    assert np.allclose(src.pmf, np.outer(one, one).ravel(), rtol=1e-12, atol=1e-15)
    # the points: x-axis with std 1, y-axis with std 1/2 (C order: y varies fastest)
    axis = Gaussian().discretize(n, span=k).alphabet
    assert np.allclose(src.alphabet[:, 0], np.repeat(axis, n))
    assert np.allclose(src.alphabet[:, 1], np.tile(0.5 * axis, n))
    wrong = GaussianVector(np.diag([1.0, 0.3])).discretize(n, span=k)
    assert not np.allclose(wrong.alphabet[:, 1], np.tile(0.5 * axis, n))


@pytest.mark.parametrize("covariance", [np.eye(2), np.diag([1.0, 0.25]), ROTATED])
def test_grid_masses_and_centroids_match_samples(covariance):
    """Each cell's mass and centroid against 400,000 draws of the Gaussian, binned by the
    grid's own cells (read from the eigen-coordinates); a wrong covariance fails."""
    mean = np.array([0.5, -1.0])
    law = GaussianVector(covariance, mean)
    n, k = 4, 2.0
    src = law.discretize(n, span=k)
    rng = np.random.default_rng(1)
    draws = rng.multivariate_normal(mean, covariance, size=400_000)
    diagonal = np.array_equal(covariance, np.diag(np.diag(covariance)))
    basis = (
        np.diag(np.sqrt(np.diag(covariance)))
        if diagonal
        else law.eigenvectors * np.sqrt(law.eigenvalues)
    )
    z = np.linalg.solve(basis, (draws - mean).T).T
    edges = np.linspace(-k, k, n + 1)
    cell = [np.clip(np.searchsorted(edges, z[:, c]) - 1, 0, n - 1) for c in range(2)]
    labels = np.ravel_multi_index(cell, (n, n))
    freq = np.bincount(labels, minlength=n * n) / draws.shape[0]
    assert np.abs(freq - src.pmf).max() < 4e-3
    means = np.stack([np.bincount(labels, weights=draws[:, c]) for c in range(2)], axis=1)
    means /= np.bincount(labels)[:, None]
    assert np.abs(means - src.alphabet).max() < 0.03
    assert np.allclose(src.pmf @ src.alphabet, mean, atol=1e-12)
    other = GaussianVector(covariance * 1.3, mean).discretize(n, span=k)
    assert np.abs(means - other.alphabet).max() > 0.05


@pytest.mark.parametrize("covariance", [np.diag([1.0, 0.25]), ROTATED])
def test_grid_covariance_tends_to_the_source_covariance(covariance):
    errors = []
    for n in (4, 8, 16, 32):
        src = GaussianVector(covariance).discretize(n)
        centred = src.alphabet - src.pmf @ src.alphabet
        errors.append(np.abs(centred.T @ (centred * src.pmf[:, None]) - covariance).max())
    assert all(b < a for a, b in itertools.pairwise(errors)) and errors[-1] < 0.01


def test_bad_grid_input_is_one_clear_error():
    law = GaussianVector(np.eye(2))
    for kwargs, word in (
        ({"n": 1}, "n"),
        ({"n": (4, 4, 4)}, "n must be one integer or 2"),
        ({"n": 4, "values": "median"}, "values"),
        ({"n": 4, "span": -1.0}, "span"),
    ):
        with pytest.raises(ValueError, match=word) as info:
            law.discretize(**kwargs)
        assert "\n" not in str(info.value)


def test_lattice_cells_from_samples_match_histogramdd():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5000, 2)) * [1.0, 0.5]
    src = Discrete.from_samples(x, 7)
    counts, edges = np.histogramdd(x, bins=7)
    assert np.allclose(np.sort(src.pmf), np.sort(counts[counts > 0] / x.shape[0]))
    assert np.allclose(src.pmf @ src.alphabet, x.mean(axis=0))  # cell means keep the mean
    # every cell value lies inside its lattice cell
    for point in src.alphabet:
        for c in range(2):
            assert edges[c][0] <= point[c] <= edges[c][-1]
    coarse = Discrete.from_samples(x, 6)
    assert coarse.size != src.size


def test_kmeans_cells_are_nearest_neighbour_cells_with_their_means():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3000, 2))
    src = Discrete.from_samples(x, 12, method="kmeans", seed=0)
    assert src.size == 12 and src.dimension == 2
    labels = np.argmin(((x[:, None, :] - src.alphabet[None]) ** 2).sum(axis=2), axis=1)
    # a Lloyd fixed point: cell frequencies and means are those of the nearest-neighbour cells
    assert np.allclose(np.bincount(labels, minlength=12) / x.shape[0], src.pmf)
    means = np.stack([np.bincount(labels, weights=x[:, c]) for c in range(2)], axis=1)
    assert np.allclose(means / np.bincount(labels)[:, None], src.alphabet, atol=1e-12)
    # lattice cells are no nearest-neighbour cells: the same check fails on them
    lattice = Discrete.from_samples(x, 4)
    nearest = np.argmin(((x[:, None, :] - lattice.alphabet[None]) ** 2).sum(axis=2), axis=1)
    freq = np.bincount(nearest, minlength=lattice.size) / x.shape[0]
    assert not np.allclose(freq, lattice.pmf)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"samples": np.zeros((5, 2, 2))},
        {"samples": [[0.0, np.inf], [1.0, 2.0]]},
        {"samples": np.ones((9, 2)), "method": "grid"},
        {"samples": np.ones((9, 2)), "bins": [3, 3, 3]},
        {"samples": np.ones((9, 2)), "bins": 2.5, "method": "kmeans"},
    ],
)
def test_bad_samples_are_one_clear_error(kwargs):
    with pytest.raises(ValueError) as info:
        Discrete.from_samples(**kwargs)
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- distortions and costs
def _pair():
    rng = np.random.default_rng(5)
    return rng.normal(size=(7, 3)), rng.normal(size=(5, 3))


def test_point_distortions_against_a_loop():
    x, y = _pair()
    loop = np.array([[np.linalg.norm(a - b) for b in y] for a in x])
    assert np.allclose(SquaredError().matrix(x, y), loop**2, rtol=1e-13)
    assert np.allclose(Euclidean().matrix(x, y), loop, rtol=1e-13)
    assert np.allclose(Euclidean().matrix(x[:, 0], y[:, 0]), np.abs(x[:, :1] - y[:, 0]))
    same = np.array([[float(not np.array_equal(a, b)) for b in x[:3]] for a in x])
    assert np.array_equal(Hamming().matrix(x, x[:3]), same)
    assert not np.allclose(SquaredError().matrix(x, y), loop)


def test_absolute_error_on_points_and_mixed_dimensions_are_clear_errors():
    x, y = _pair()
    with pytest.raises(ValueError, match="euclidean"):
        Problem(Discrete(np.full(7, 1 / 7), x), "absolute")
    with pytest.raises(ValueError, match="R\\^3"):
        SquaredError().matrix(x, y[:, :2])
    with pytest.raises(ValueError, match="reconstruction_alphabet"):
        Problem(Discrete(np.full(7, 1 / 7), x), "mse", reconstruction_alphabet=y[:, :2])
    with pytest.raises(ValueError, match="labels"):
        Problem(Discrete(np.full(7, 1 / 7), x), np.ones((7, 4)), "tv")


@pytest.mark.parametrize("order", [1, 2])
def test_wasserstein_on_points_against_enumerated_assignments(order):
    """Uniform laws on 5 points each: W is the best of the 120 assignments."""
    x, y = _pair()
    x, y = x[:5], y
    best = min(
        np.mean([np.linalg.norm(x[i] - y[j]) ** order for i, j in enumerate(perm)])
        for perm in itertools.permutations(range(5))
    )
    u = np.full(5, 0.2)
    w = Wasserstein(order).divergence(u, u, source_alphabet=x, reconstruction_alphabet=y)
    assert w == pytest.approx(best, rel=1e-10)
    worst = max(
        np.mean([np.linalg.norm(x[i] - y[j]) ** order for i, j in enumerate(perm)])
        for perm in itertools.permutations(range(5))
    )
    assert w != pytest.approx(worst, rel=1e-3)


# ---------------------------------------------------------------- R(D, P) on points
def _line_in_plane(angle: float, offset: float = 0.0) -> tuple[Discrete, Discrete]:
    line = Discrete.from_scipy(stats.norm(), 7)
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    plane = Discrete(line.pmf, line.alphabet[:, None] * direction + offset * normal)
    return line, plane


@pytest.mark.parametrize(
    ("distortion", "perception", "D", "P"),
    [
        ("mse", "w2", 0.4, 0.05),
        ("euclidean", "w1", 0.5, 0.1),
        ("mse", "tv", 0.4, 0.1),
        ("mse", "kl-recon-source", 0.4, 0.05),
    ],
)
def test_points_on_a_line_give_the_one_dimensional_answer(distortion, perception, D, P):
    """A source on a rotated line in R^2 has the R(D, P) of the same law on the real line,
    which the solver computes there with its one-dimensional kernels (sorted alphabets,
    exact quantile transport); a line whose points are stretched does not."""
    line, plane = _line_in_plane(0.7)
    one = "absolute" if distortion == "euclidean" else distortion
    ref = Problem(line, one, perception).rate(D, P, tol=1e-7)
    got = Problem(plane, distortion, perception).rate(D, P, tol=1e-7)
    assert got.status == ref.status == "converged"
    assert got.lower <= ref.upper + 1e-9 and ref.lower <= got.upper + 1e-9
    stretched = Discrete(plane.pmf, plane.alphabet * 1.2)
    other = Problem(stretched, distortion, perception).rate(D, P, tol=1e-7)
    assert other.lower > ref.upper + 1e-4


@pytest.mark.parametrize("perception", ["w2", "w1", "tv", "kl-recon-source", "kl-source-recon"])
def test_fast_solver_agrees_with_the_convex_reference_on_a_2d_grid(perception):
    src = GaussianVector(ROTATED, [0.3, 0.0]).discretize(3, span=2.0)
    problem = Problem(src, "mse", perception)
    D, P = 0.5, 0.08
    fast = problem.rate(D, P, tol=1e-6)
    ref = problem.rate(D, P, method="cvxpy")
    assert fast.status == "converged"
    assert fast.lower <= ref.upper + 1e-6 and ref.lower <= fast.upper + 1e-6
    assert abs(fast.rate - ref.rate) < 1e-4
    # the channel is a joint on the points, and it meets the constraints it claims
    joint = fast.channel.joint
    assert fast.channel.source_alphabet.shape == (9, 2)
    assert np.allclose(joint.sum(axis=1), src.pmf)
    assert (joint * SquaredError().matrix(src.alphabet, src.alphabet)).sum() <= D * (1 + 1e-9)
    looser = problem.rate(D * 1.5, P, tol=1e-6)
    assert looser.upper < fast.lower


def test_rotating_the_points_leaves_the_rate_unchanged():
    src = GaussianVector(np.diag([1.0, 0.25])).discretize(4, span=2.5)
    turn = np.array([[np.cos(0.4), -np.sin(0.4)], [np.sin(0.4), np.cos(0.4)]])
    rotated = Discrete(src.pmf, src.alphabet @ turn.T)
    a = Problem(src, "mse", "w2").rate(0.4, 0.05, tol=1e-7)
    b = Problem(rotated, "mse", "w2").rate(0.4, 0.05, tol=1e-7)
    assert a.lower <= b.upper + 1e-9 and b.lower <= a.upper + 1e-9
    sheared = Discrete(src.pmf, src.alphabet @ np.array([[1.0, 0.5], [0.0, 1.0]]).T)
    c = Problem(sheared, "mse", "w2").rate(0.4, 0.05, tol=1e-7)
    assert abs(c.rate - a.rate) > 1e-3


# ---------------------------------------------------------------- the plan as a certificate
def _w2_problem():
    from rdp.solvers import finite

    src = GaussianVector(ROTATED).discretize(4, span=2.0)
    return finite.build(Problem(src, "mse", "w2")), src


def test_a_coupling_witnesses_the_transport_cost_and_a_cheaper_claim_fails():
    import ot

    from rdp.solvers import certificate

    fp, _ = _w2_problem()
    rng = np.random.default_rng(6)
    q = rng.dirichlet(np.ones(fp.shape[1]))
    plan = ot.emd(fp.p, q, fp.cost)
    exact = float(ot.emd2(fp.p, q, fp.cost))
    assert certificate.witness_meets(fp, plan, q, exact * (1 + 1e-9))
    assert not certificate.witness_meets(fp, plan, q, exact * 0.99)
    # marginal errors are charged at the largest cost: a plan of another law fails
    other = rng.dirichlet(np.ones(fp.shape[1]))
    assert not certificate.witness_meets(fp, plan, other, exact * 1.01)


def test_repair_by_plan_returns_an_exactly_feasible_channel():
    """The repaired channel passes the check with the exact transport cost (no witness),
    and its rate is at least the fast solver's certified lower bound."""
    from rdp.solvers import certificate

    fp, src = _w2_problem()
    D, P = 0.5, 0.05
    rng = np.random.default_rng(7)
    joint = fp.p[:, None] * rng.dirichlet(np.ones(fp.shape[1]), size=fp.shape[0])
    plan = fp.p[:, None] * np.eye(fp.shape[0]) * 0.9 + 0.1 * fp.p[:, None] / fp.shape[1]
    value, repaired = certificate.repair_by_plan(fp, joint, plan, D, P)
    assert repaired is not None
    assert certificate.is_feasible(fp, repaired, D, P)  # exact W₂² by network simplex
    lower = Problem(src, "mse", "w2").rate(D, P).lower
    assert value / np.log(2) >= lower - 1e-9
    # a claim of a tighter ball than the plan's least cost allows is refused
    assert certificate.repair_by_plan(fp, joint, plan, D, 0.0)[1] is None


def test_plot_reconstruction_law_draws_the_law_of_each_perception_level():
    """At P = 0 the reconstruction law is the source law (W₂² = 0), so the two scatters of
    that panel have equal marker areas; without a constraint it shrinks and they differ."""
    from rdp.plot import plot_reconstruction_law

    src = GaussianVector(np.diag([1.0, 0.25])).discretize(5)
    fig = plot_reconstruction_law(Problem(src, "mse", "w2"), 0.4, [0.0, np.inf], tol=1e-4)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    zero, free = (ax.collections for ax in axes)
    assert np.allclose(zero[0].get_sizes(), zero[1].get_sizes(), atol=1e-6)
    assert not np.allclose(free[0].get_sizes(), free[1].get_sizes(), atol=1e-3)
    with pytest.raises(ValueError, match="R\\^2"):
        plot_reconstruction_law(Problem(Gaussian().discretize(5), "mse", "w2"), 0.4, [0.1])
    with pytest.raises(ValueError, match="columns must be a positive integer"):
        plot_reconstruction_law(Problem(src, "mse", "w2"), 0.4, [0.1], columns=0)
