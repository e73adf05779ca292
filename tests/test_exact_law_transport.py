"""W at P = 0 between two point sets with one law of perception 0: the two-sample problem of
``rdp.estimate`` (a source sample, a companion sample holding the reconstruction, the ground
cost from the companion point each source atom stands for). The fast solver keeps that law
exactly (a Sinkhorn step), D_min(0) is one transport solve, and for P > 0 the LP for D_min(P)
is skipped above D_min(0). Checked against the independent convex program of
``tests/references.py`` (mutual information as a sum of relative entropies, the perception
as a second coupling with the explicit ground cost) and against scipy's LP for D_min."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import references as ref
from scipy.optimize import linear_sum_assignment, linprog

from rdp import Problem
from rdp.distortions import squared_distances
from rdp.perceptions import Wasserstein
from rdp.sources import Discrete


def _two_samples(m, d, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((m, d)), rng.standard_normal((m, d))
    return a, b, squared_distances(a, b), squared_distances(b, b)


def _problem(a, b, cost):
    m = a.shape[0]
    return Problem(
        Discrete(np.full(m, 1.0 / m), a), "mse", Wasserstein(order=2, cost=cost),
        reconstruction_alphabet=b,
    )  # fmt: skip


@pytest.mark.parametrize(("d", "seed"), [(2, 0), (3, 1)])
def test_d_min_at_p0_is_the_assignment_and_matches_the_lp(d, seed):
    """D_min(0) of the two-sample problem equals the optimal assignment of the atoms to the
    companion points (scipy's Hungarian method) and scipy's LP over both couplings; the
    twin, the companion moved by 0.1 in every coordinate, does not match the assignment."""
    a, b, delta, cost = _two_samples(12, d, seed)
    d_min = _problem(a, b, cost).min_distortion(0.0)
    rows, cols = linear_sum_assignment(delta)
    assert d_min == pytest.approx(delta[rows, cols].mean(), rel=1e-12)
    n = 12
    eye = np.eye(n)
    a_eq = np.block([
        [np.kron(eye, np.ones((1, n))), np.zeros((n, n * n))],
        [np.zeros((n, n * n)), np.kron(eye, np.ones((1, n)))],
        [np.kron(np.ones((1, n)), eye), -np.kron(np.ones((1, n)), eye)],
    ])  # fmt: skip
    p = np.full(n, 1.0 / n)
    lp = linprog(
        np.concatenate([delta.ravel(), np.zeros(n * n)]),
        A_ub=np.concatenate([np.zeros(n * n), cost.ravel()])[None, :], b_ub=[0.0],
        A_eq=a_eq, b_eq=np.concatenate([p, p, np.zeros(n)]), method="highs",
    )  # fmt: skip
    assert lp.status == 0 and d_min == pytest.approx(lp.fun, rel=1e-9, abs=1e-12)
    twin = _problem(a, b + 0.1, cost).min_distortion(0.0)
    assert abs(twin - delta[rows, cols].mean()) > 1e-3


@pytest.mark.parametrize(("P", "factor"), [(0.0, 1.2), (0.0, 2.0), (0.3, 1.2), (1.0, 1.5)])
def test_two_sample_rate_is_certified_and_matches_an_independent_program(P, factor):
    """R(D, P) of 10 atoms and 10 companion points in R³, D a factor above D_min(0): the fast
    solver certifies a bracket of 1e-6 that holds the independent program's value to 1e-5
    bits; the twin at D × 1.1 lies outside the bracket."""
    a, b, delta, cost = _two_samples(10, 3, 4)
    problem = _problem(a, b, cost)
    D = factor * problem.min_distortion(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = problem.rate(D, P, method="fast", tol=1e-6, progress=False)
    assert result.certified and result.upper - result.lower <= 1e-6
    p = np.full(10, 0.1)
    reference, status = ref.convex_rate_tight(p, a, b, delta, "w2", D, P, ground_cost=cost)
    assert status == "optimal"
    assert result.lower - 1e-5 <= reference <= result.upper + 1e-5
    twin, _ = ref.convex_rate_tight(p, a, b, delta, "w2", 1.1 * D, P, ground_cost=cost)
    assert not result.lower - 1e-5 <= twin <= result.upper + 1e-5
