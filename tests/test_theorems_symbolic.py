"""Tests of rdp.theorems.symbolic: the derivations simplify to the expected identities."""

import numpy as np
import pytest
import sympy as sp

from rdp import Bernoulli, Gaussian, Problem
from rdp.theorems import symbolic


def test_gaussian_perfect_perception_formula():
    derivation = symbolic.gaussian_perfect_perception()
    assert derivation.holds
    sigma, R = sp.Symbol("sigma", positive=True), sp.Symbol("R", positive=True)
    expected = 2 * sigma**2 * (1 - sp.sqrt(1 - 2 ** (-2 * R)))
    assert sp.simplify(derivation.expression - expected) == 0
    # numerically against the library's closed form
    value = float(derivation.expression.subs({sigma: np.sqrt(3.0), R: 0.7}))
    problem = Problem(Gaussian(0.0, 3.0), "mse", "w2")
    assert value == pytest.approx(problem.distortion(0.7, 0.0).distortion, rel=1e-12)


def test_ratio_and_limits():
    derivation, at_zero, at_infinity = symbolic.perfect_perception_ratio()
    assert derivation.holds
    assert at_zero == 2
    assert at_infinity == 1
    R = sp.Symbol("R", positive=True)
    assert float(derivation.expression.subs(R, 1)) == pytest.approx(1.0718, abs=5e-5)


def test_bernoulli_region_continuity():
    inactive, zero = symbolic.bernoulli_region_continuity()
    assert inactive.holds and zero.holds
    assert inactive.residual == sp.zeros(2, 2)
    # numerically: the closed form is continuous across both boundaries
    p, P = 0.1, 0.03
    problem = Problem(Bernoulli(p), "hamming", "tv")
    d_p = P / (1 - 2 * (p - P))
    d_max = 2 * p * (1 - p) - (1 - 2 * p) * P
    for boundary in (d_p, d_max):
        below = problem.rate(boundary - 1e-9, P).rate
        above = problem.rate(boundary + 1e-9, P).rate
        assert below == pytest.approx(above, abs=1e-6)


def test_bernoulli_joint_laws_have_the_right_marginals():
    laws = symbolic.bernoulli_joint_laws()
    p, P, D = laws["symbols"]
    for name in ("inactive", "active", "zero-rate"):
        law = laws[name]
        assert sp.simplify(law[1, 0] + law[1, 1] - p) == 0  # P(X = 1) = p
    active = laws["active"]
    assert sp.simplify(active[0, 1] + active[1, 0] - D) == 0  # Hamming distortion D
    assert sp.simplify(active[0, 1] + active[1, 1] - (p - P)) == 0  # TV(p_X, p_X̂) = P


def test_orthogonality_decomposition():
    derivation = symbolic.orthogonality_decomposition()
    assert derivation.holds
    assert derivation.residual == 0


def test_a_wrong_identity_does_not_hold():
    x = sp.Symbol("x", positive=True)
    wrong = symbolic.Derivation("wrong", x, x + 1, sp.simplify(x - (x + 1)), "test")
    assert not wrong.holds
