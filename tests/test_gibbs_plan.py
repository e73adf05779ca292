"""The Gibbs-form transport plan of W balls between points of R^d (rdp.solvers.fast.gibbs)."""

import numpy as np
import pytest

from rdp.solvers.fast.gibbs import GibbsPlan
from rdp.solvers.fast.plans import transport_step


def _points(n: int, seed: int):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    p = rng.dirichlet(np.ones(n))
    cost = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    return p, cost


def _steps(plan, hs, Pn, etas):
    mu = 0.0
    for h, eta in zip(hs, etas, strict=True):
        plan, mu = plan.step(h, Pn, mu, eta)
    return plan


def test_gibbs_plan_equals_the_dense_multiplicative_steps():
    """k plan steps in Gibbs form (candidates re-selected on the way) against the same
    steps on a stored dense plan started at π_ij = p_i / M (``transport_step``)."""
    p, cost = _points(40, 0)
    rng = np.random.default_rng(1)
    hs = [rng.uniform(0.5, 2.0, 40) for _ in range(12)]
    etas = [8.0, 16.0, 16.0, 32.0] * 3
    Pn = 0.3
    gibbs = _steps(GibbsPlan(p, cost), hs, Pn, etas).tidy()
    dense, mu = p[:, None] * np.full((40, 40), 1 / 40), 0.0
    for h, eta in zip(hs, etas, strict=True):
        dense, mu = transport_step(dense, h, cost, Pn, mu, eta)
    assert np.allclose(gibbs.pi, dense, rtol=1e-7, atol=1e-15)
    assert np.allclose(gibbs.column_sums(), dense.sum(axis=0), rtol=1e-7, atol=1e-15)
    assert float((gibbs.pi * cost).sum()) <= Pn * (1 + 1e-9)
    # twin: one step fewer is a different plan
    fewer = _steps(GibbsPlan(p, cost), hs[:-1], Pn, etas[:-1])
    assert not np.allclose(fewer.pi, dense, rtol=1e-3, atol=1e-6)


def test_gibbs_plan_on_candidates_matches_its_dense_form():
    """Once the plan concentrates it is stepped on candidate columns (narrower than M);
    the result equals the dense Gibbs step (no candidates) to the weight of the dropped
    entries (below e^-100 of their row's largest)."""
    p, cost = _points(60, 2)
    rng = np.random.default_rng(3)
    hs = [rng.uniform(0.8, 1.25, 60) for _ in range(40)]
    etas = [64.0] * 40
    Pn = 0.05
    narrow = _steps(GibbsPlan(p, cost), hs[:-1], Pn, etas[:-1]).tidy()
    assert narrow.cols is not None and narrow.cols.shape[1] < 60
    wide = object.__new__(GibbsPlan)
    wide.__dict__.update(narrow.__dict__)
    wide.cols, wide.cost_c, wide.cost2_c, wide.pad = None, cost, None, None
    a, mu_a = narrow.step(hs[-1], Pn, 1.0, etas[-1])
    b, mu_b = wide.step(hs[-1], Pn, 1.0, etas[-1])
    assert mu_a == pytest.approx(mu_b, rel=1e-9)
    assert np.allclose(a.pi, b.pi, rtol=1e-9, atol=1e-30)
    assert np.allclose(a.pi.sum(axis=1), p, rtol=1e-12)


def test_gibbs_potentials_bound_the_exact_transport_cost():
    """⟨φ, p⟩ + ⟨ψ, q⟩ from the plan's potentials is below W_c(p, q) by POT's network
    simplex for other laws q, and close to it for the plan's own column law; twin:
    shifting ψ up by 0.05 (an infeasible pair) exceeds W on the plan's own law."""
    ot = pytest.importorskip("ot")
    p, cost = _points(50, 4)
    rng = np.random.default_rng(5)
    plan = _steps(GibbsPlan(p, cost), [rng.uniform(0.8, 1.25, 50) for _ in range(30)], 0.2,
                  [64.0] * 30)  # fmt: skip
    own = plan.column_sums()
    w_own = float(ot.emd2(p, own / own.sum(), cost))
    assert plan.lower_bound(own) <= w_own + 1e-12
    assert plan.lower_bound(own) >= w_own - 0.02 * w_own
    for seed in range(5):
        q = np.random.default_rng(10 + seed).dirichlet(np.ones(50))
        assert plan.lower_bound(q) <= float(ot.emd2(p, q, cost)) + 1e-12
    psi = plan.G / plan.M + 0.05
    phi = (cost - (plan.G / plan.M)[None, :]).min(axis=1)
    assert float(p @ phi + own @ psi) > w_own
