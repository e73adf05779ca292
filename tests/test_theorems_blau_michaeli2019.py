"""Tests of rdp.theorems.blau_michaeli2019: properties of R(D, P) for any Problem."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rdp import Bernoulli, Gaussian, Problem
from rdp.methods import METHODS, register_method
from rdp.perceptions import as_bound
from rdp.result import PointSolution
from rdp.theorems import blau_michaeli2019 as bm


@settings(max_examples=15, deadline=None)
@given(st.floats(0.02, 0.5))
def test_bernoulli_tv_properties(p):
    problem = Problem(Bernoulli(p), "hamming", "tv")
    for report in bm.check_all(problem):
        assert report.passed, report


@settings(max_examples=15, deadline=None)
@given(
    st.floats(0.2, 5.0),
    st.floats(-3.0, 3.0),
    st.sampled_from(["w2", "kl-source-recon", "kl-recon-source"]),
)
def test_gaussian_properties(variance, mean, perception):
    problem = Problem(Gaussian(mean, variance), "mse", perception)
    for report in bm.check_all(problem):
        assert report.passed, report


def test_vector_gaussian_properties():
    from rdp import GaussianVector

    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    problem = Problem(GaussianVector(cov), "mse", "w2")
    D, P = np.linspace(0.3, 3.0, 5), np.linspace(0.0, 2.0, 5)
    for check in (bm.check_monotonicity, bm.check_convexity, bm.check_perception_costs_rate):
        report = check(problem, D, P)
        assert report.passed, report
    # Shannon limit against reverse water-filling computed here: λ = (2.5 ± √1.25)/2
    eig = np.linalg.eigvalsh(cov)
    D0 = 0.5  # below the smaller eigenvalue: every component gets D/2
    expected = 0.5 * np.sum(np.log2(eig / (D0 / 2)))
    assert problem.rate(D0).rate == pytest.approx(expected, rel=1e-9)
    assert bm.check_shannon_limit(problem, [D0, 1.0, 2.0]).passed


def test_shannon_reference_is_independent():
    problem = Problem(Gaussian(0.0, 2.0), "mse", "w2")
    D = np.array([0.5, 1.0, 3.0])
    rate, source = bm.shannon_rate(problem, D)
    np.testing.assert_allclose(rate, [1.0, 0.5, 0.0])
    assert "log" in source


class _Broken:
    """A deliberately wrong method: R increases with P (like a Lambert-W NaN at P = 0 would)."""

    name = "broken"
    reference = "test"

    def rate_point(self, D, P):
        P = as_bound(P, "w2").value  # methods read the bound's value, never the bound
        value = max(0.5 * np.log2(1.0 / D), 0.0) + (0.1 * min(P, 1.0) if D < 1 else 0.0)
        return PointSolution.exact(value)

    def min_distortion(self, P):
        return 0.0

    def zero_rate_distortion(self, P):
        return 1.0


class _NonConvex(_Broken):
    """R with a concave bump in D: monotone but not convex."""

    name = "non-convex"

    def rate_point(self, D, P):
        return PointSolution.exact(max(1.0 - D**2, 0.0))


@pytest.fixture
def broken_methods():
    register_method("broken-test", lambda problem, **kw: _Broken())
    register_method("non-convex-test", lambda problem, **kw: _NonConvex())
    yield
    METHODS.pop("broken-test", None)
    METHODS.pop("non-convex-test", None)


def test_checks_fail_on_wrong_rate_functions(broken_methods):
    problem = Problem(Gaussian(), "mse", "w2")
    D, P = np.linspace(0.1, 1.2, 9), np.linspace(0.0, 1.0, 5)
    report = bm.check_monotonicity(problem, D, P, method="broken-test")
    assert not report.passed and report.deviation > 0.01
    report = bm.check_convexity(problem, D, P, method="non-convex-test")
    assert not report.passed
    report = bm.check_perception_costs_rate(problem, D, P, method="broken-test")
    assert not report.passed  # R(D, 0) < R(D, ∞) for this rate
    report = bm.check_shannon_limit(problem, D, method="non-convex-test")
    assert not report.passed


def test_convexity_needs_a_uniform_grid():
    problem = Problem(Gaussian(), "mse", "w2")
    with pytest.raises(ValueError, match="uniform"):
        bm.check_convexity(problem, [0.1, 0.2, 0.5], [0.0, 0.1, 0.2])


def test_reports_serialise():
    import json

    report = bm.check_monotonicity(Problem(Bernoulli(0.2), "hamming", "tv"))
    text = json.dumps(report.to_dict())
    assert '"passed": true' in text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("distortion", "perception"), [("hamming", "tv"), ("mse", "w2"), ("hamming", "kl-source-recon")]
)
def test_finite_problems_with_the_numerical_solver(distortion, perception):
    """The same checks on a finite source, answered by the numerical solver (when merged).

    Small grids keep the solver calls few; the comparisons use its certified bounds.
    About 15 s wall (12 s of CPU) for the three cases on a 2-core machine, most of it
    the KL(p_X‖p_X̂) case.
    """
    pytest.importorskip("rdp.solvers")
    from rdp import Discrete

    problem = Problem(Discrete([0.5, 0.3, 0.2], [0.0, 1.0, 2.0]), distortion, perception)
    d_max = problem.zero_rate_distortion(0.0)
    D = np.linspace(0.25, 0.75, 3) * d_max
    P = np.linspace(0.0, 0.2, 3)
    for check in (bm.check_monotonicity, bm.check_convexity, bm.check_perception_costs_rate):
        report = check(problem, D, P, tolerance=1e-6)
        assert report.passed, report
    assert bm.check_shannon_limit(problem, D, tolerance=1e-6).passed
    assert bm.check_zero_rate_boundary(problem, [0.0, 0.2], tolerance=1e-6).passed
