"""W at P = 0 between two point sets with one law of perception 0: the two-sample problem of
``rdp.estimate`` (a source sample, a companion sample holding the reconstruction, the ground
cost from the companion point each source atom stands for). The fast solver keeps that law
exactly (a Sinkhorn step), D_min(0) is one transport solve, and for P > 0 the LP for D_min(P)
is skipped above D_min(0). Checked against an independent convex program written here
(mutual information as a sum of relative entropies, the perception as a second coupling)
and against scipy's LP for D_min."""

from __future__ import annotations

import warnings

import cvxpy as cp
import numpy as np
import pytest
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


def _reference_rate(p, delta, cost, D, P):
    """min I(J) over joints with rows p, ⟨J, Δ⟩ ≤ D and a coupling π of (p, q) with
    ⟨π, c⟩ ≤ P, q the column law of J: Clarabel at tight tolerances, in bits."""
    n, m = delta.shape
    joint = cp.Variable((n, m), nonneg=True)
    plan = cp.Variable(cost.shape, nonneg=True)
    q = cp.sum(joint, axis=0)
    product = cp.reshape(p, (n, 1), order="C") @ cp.reshape(q, (1, m), order="C")
    constraints = [
        cp.sum(joint, axis=1) == p, cp.sum(cp.multiply(joint, delta)) <= D,
        cp.sum(plan, axis=1) == p, cp.sum(plan, axis=0) == q,
        cp.sum(cp.multiply(plan, cost)) <= P,
    ]  # fmt: skip
    problem = cp.Problem(cp.Minimize(cp.sum(cp.rel_entr(joint, product))), constraints)
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    assert problem.status == "optimal"
    return problem.value / np.log(2)


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
    reference = _reference_rate(p, delta, cost, D, P)
    assert result.lower - 1e-5 <= reference <= result.upper + 1e-5
    twin = _reference_rate(p, delta, cost, 1.1 * D, P)
    assert not result.lower - 1e-5 <= twin <= result.upper + 1e-5
