"""Numerical kernels of the fast solver against independent references (POT, dense numpy)."""

import numpy as np
import ot
import pytest
from scipy import sparse
from scipy.optimize import linprog

from rdp import Discrete, Problem
from rdp.solvers import finite
from rdp.solvers._kernels import DenseKernels, HammingKernels, Line
from rdp.solvers.fast import FastSolver


@pytest.mark.parametrize("order", [1, 2, 3])
def test_line_cost_matches_the_linear_program(order):
    rng = np.random.default_rng(order)
    for _ in range(10):
        n, m = rng.integers(2, 25, 2)
        x, y = rng.normal(size=n), rng.normal(size=m)
        p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
        q[rng.random(m) < 0.3] = 0.0  # empty reconstruction symbols
        q[0] += 0.01
        q /= q.sum()
        line = Line(x, y, order)
        cost = np.abs(x[:, None] - y[None, :]) ** order
        exact = ot.emd2(p, q, cost)
        assert line.cost(p, q) == pytest.approx(exact, abs=1e-10)


def test_hamming_kernel_matches_the_dense_kernel():
    rng = np.random.default_rng(0)
    source = Discrete([0.5, 0.3, 0.2], [0.0, 1.0, 2.0])
    problem = Problem(source, "hamming", "none", reconstruction_alphabet=[0.0, 1.0, 5.0, 7.0])
    fast = FastSolver(problem)
    shifted = fast.context.shifted
    kernels = HammingKernels.detect(shifted)
    assert kernels is not None
    v, w = rng.dirichlet(np.ones(4)), rng.random(3)
    for s in (0.0, 0.7, 5.0):
        structured, dense = kernels.at(s), DenseKernels(shifted).at(s)
        np.testing.assert_allclose(structured.matvec(v), dense.matvec(v), rtol=1e-13)
        np.testing.assert_allclose(structured.rmatvec(w), dense.rmatvec(w), rtol=1e-13)
        kv = dense.matvec(v)
        for a, b in zip(structured.moments(v, kv), dense.moments(v, kv), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(
            structured.joint(fast.fp.p, v, kv), dense.joint(fast.fp.p, v, kv), rtol=1e-13
        )


@pytest.mark.parametrize("family", ["dense", "hamming"])
def test_a_kernel_keeps_its_slope_whatever_is_asked_later(family):
    """A kernel obtained at slope s stays e^{−sΔ'} (the dense product by numpy) after the
    kernels at other slopes are asked for; the kernel at the last slope asked is not it."""
    rng = np.random.default_rng(11)
    shifted = 1.0 - np.eye(5)  # Hamming: both families apply
    kernels = DenseKernels(shifted) if family == "dense" else HammingKernels.detect(shifted)
    v = rng.dirichlet(np.ones(5))
    held = kernels.at(0.7)
    later = kernels.at(3.0)
    assert kernels.at(0.7).s == 0.7 and later.s == 3.0
    np.testing.assert_allclose(held.matvec(v), np.exp(-0.7 * shifted) @ v, rtol=1e-14)
    assert not np.allclose(later.matvec(v), np.exp(-0.7 * shifted) @ v, rtol=1e-6)
    if family == "dense":
        with pytest.raises(ValueError, match="read-only"):
            held.k[0, 0] = 2.0


def test_structured_upper_bound_is_the_mutual_information_of_a_feasible_channel():
    rng = np.random.default_rng(4)
    problem = Problem(Discrete(rng.dirichlet(np.ones(30))), "hamming", "none")
    fast = FastSolver(problem)
    kernel = fast.context.kernels
    assert isinstance(kernel, HammingKernels)
    v = rng.dirichlet(np.ones(30))
    upper, (weights, slope) = kernel.feasible_upper(fast.fp.p, v, 1.0, 0.2, fast.context.row_min)
    joint = kernel.joint_at(fast.fp.p, weights, slope)
    assert slope >= 1.0
    assert (joint * fast.fp.delta).sum() <= 0.2
    np.testing.assert_allclose(joint.sum(axis=1), fast.fp.p, atol=1e-14)
    assert upper == pytest.approx(finite.mutual_information_nats(joint), abs=1e-12)


def _support_instance(rng, least_size):
    """A random law p (n rows), cost (n × m), direction g and a bound P strictly inside
    the range of the transport cost."""
    n, m = rng.integers(least_size, 12, 2)
    p = rng.dirichlet(np.ones(n))
    cost = rng.random((n, m))
    g = rng.normal(size=m)
    low, high = float(p @ cost.min(axis=1)), float(p @ cost.max(axis=1))
    return p, cost, g, low + float(rng.uniform(0.05, 0.9)) * (high - low)


def _support_lp(p, cost, g, P):
    """max <g, π^T 1> over plans π with rows p and <π, c> <= P: the LP, solved by HiGHS."""
    n, m = cost.shape
    rows = sparse.kron(sparse.eye(n), np.ones((1, m)))
    res = linprog(-np.tile(g, n), A_ub=cost.reshape(1, -1), b_ub=[P], A_eq=rows,
                  b_eq=p, bounds=(0, None), method="highs")  # fmt: skip
    return -res.fun


def test_transport_support_is_the_linear_program_value():
    rng = np.random.default_rng(7)
    for _ in range(5):
        p, cost, g, P = _support_instance(rng, 2)
        exact = _support_lp(p, cost, g, P)
        value, mu = finite._transport_support(g - g.max(), p, cost, P)
        value += g.max()
        assert value == pytest.approx(exact, abs=1e-9)
        assert value >= exact - 1e-12  # an upper bound on σ, as the certificate needs
        # a guessed multiplier (a previous call's, near or far) only changes the bracket
        for guess in (mu, 1.05 * mu, 1e-3, 1.0, 1e3):
            warm, _ = finite._transport_support(g - g.max(), p, cost, P, guess=guess)
            assert warm + g.max() == pytest.approx(exact, abs=1e-9)


@pytest.mark.parametrize("block", [1, 5, 17])
def test_transport_support_by_blocks_of_rows_is_the_linear_program_value(monkeypatch, block):
    """Evaluated by blocks of rows from a cost given as rows (as for the line's default
    cost), σ is the LP value; twin: a cost of wrong rows (the blocks shifted by one row)
    gives another value."""
    monkeypatch.setattr(finite, "_BLOCK", block)
    rng = np.random.default_rng(11 + block)
    for _ in range(4):
        p, cost, g, P = _support_instance(rng, 3)
        exact = _support_lp(p, cost, g, P)
        value, _ = finite._transport_support(g - g.max(), p, cost.__getitem__, P)
        assert value + g.max() == pytest.approx(exact, abs=1e-9)
        rolled = np.roll(cost, 1, axis=0)
        wrong, _ = finite._transport_support(g - g.max(), p, rolled.__getitem__, P)
        exact_wrong = _support_lp(p, rolled, g, P)
        assert wrong + g.max() == pytest.approx(exact_wrong, abs=1e-9)
        if abs(exact_wrong - exact) > 1e-6:
            assert wrong + g.max() != pytest.approx(exact, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_north_west_corner_is_an_optimal_coupling_on_the_line(seed):
    """The monotone coupling has marginals (p, q) and the least cost Σ J |x − y|² of the
    linear program over couplings (POT's exact solver); a wrong coupling (the product
    law p ⊗ q, also in the polytope) costs more."""
    from rdp.solvers.certificate import north_west_corner

    rng = np.random.default_rng(seed)
    n, m = rng.integers(2, 40, size=2)
    p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
    q[rng.integers(0, m, size=m // 4)] = 0.0  # empty columns are walked past
    q /= q.sum()
    x, y = np.sort(rng.normal(size=n)), np.sort(rng.normal(size=m))
    cost = (x[:, None] - y[None, :]) ** 2
    joint = north_west_corner(p, q)
    assert joint.min() >= 0
    np.testing.assert_allclose(joint.sum(axis=1), p, atol=1e-15)
    np.testing.assert_allclose(joint.sum(axis=0), q, atol=1e-15)
    best = float((ot.emd(p, q, cost) * cost).sum())
    assert float((joint * cost).sum()) == pytest.approx(best, rel=1e-9, abs=1e-14)
    assert float((np.outer(p, q) * cost).sum()) > best + 1e-6
