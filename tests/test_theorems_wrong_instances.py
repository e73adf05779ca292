"""Every ``rdp verify`` check that compares against an independent computation FAILS on a
deliberately wrong instance: a closed form or solver scaled by a constant, a
zero-rate distortion scaled by 0.8, the old jointly Gaussian KL(p_X‖p_X̂) "closed form"."""

from dataclasses import replace

import numpy as np

from rdp import Bernoulli, Discrete, Gaussian, GaussianVector, Problem
from rdp.closed_forms import bernoulli as bernoulli_module
from rdp.closed_forms import gaussian_kl
from rdp.closed_forms.bernoulli import BernoulliHammingTV
from rdp.closed_forms.gaussian import GaussianMSE
from rdp.closed_forms.gaussian_vector import GaussianVectorMSE
from rdp.perceptions import as_bound
from rdp.solvers.fast import FastSolver
from rdp.theorems import blau_michaeli2019 as bm
from rdp.theorems import cross_checks
from rdp.theorems.standard import standard_checks


def _scaled(method_class, monkeypatch, factor=1.2):
    """Multiply every rate (value and bounds) a method returns by ``factor``."""
    original = method_class.rate_point

    def wrong(self, D, P, **kwargs):
        point = original(self, D, P, **kwargs)
        return replace(
            point,
            value=point.value * factor,
            lower=point.lower * factor,
            upper=point.upper * factor,
        )

    monkeypatch.setattr(method_class, "rate_point", wrong)


def test_the_correct_instances_pass():
    names = [
        "blau-michaeli2019/shannon-limit[gaussian-vector-w2]",
        "blau-michaeli2019/zero-rate-boundary[bernoulli-tv]",
        "closed-form/kl-source-recon-counterexample[gaussian]",
        "closed-form/vs-slsqp[gaussian-vector-w2]",
    ]
    checks = standard_checks()
    for name in names:
        assert checks[name]().passed, name


def test_shannon_limit_fails_on_a_wrong_vector_water_filling(monkeypatch):
    """A 20% error in the vector R(D) fails: the reference is not the code under test."""
    _scaled(GaussianVectorMSE, monkeypatch)
    report = standard_checks()["blau-michaeli2019/shannon-limit[gaussian-vector-w2]"]()
    assert not report.passed
    assert report.deviation > 0.05


def test_shannon_limit_fails_on_a_wrong_finite_solver(monkeypatch):
    _scaled(FastSolver, monkeypatch, factor=1.05)
    problem = Problem(Discrete([0.5, 0.3, 0.2], [0.0, 1.0, 2.0]), "absolute", "w1")
    report = bm.check_shannon_limit(problem, [0.2, 0.4], tolerance=1e-6)
    assert not report.passed


def test_zero_rate_boundary_fails_on_a_shrunk_bernoulli_d_max(monkeypatch):
    """D_max scaled by 0.8 fails: the check does not use the method's own D_max."""
    original = bernoulli_module.zero_rate_distortion
    monkeypatch.setattr(bernoulli_module, "zero_rate_distortion", lambda p, P: 0.8 * original(p, P))
    monkeypatch.setattr(
        BernoulliHammingTV,
        "zero_rate_distortion",
        lambda self, P: 0.8 * original(self.p, as_bound(P, self.kind).value),
    )
    report = standard_checks()["blau-michaeli2019/zero-rate-boundary[bernoulli-tv]"]()
    assert not report.passed


def test_zero_rate_boundary_fails_on_a_wrong_solver_d_max(monkeypatch):
    original = FastSolver.zero_rate_distortion
    monkeypatch.setattr(
        FastSolver, "zero_rate_distortion", lambda self, P: 1.01 * original(self, P)
    )
    problem = Problem(Discrete([0.5, 0.3, 0.2], [0.0, 1.0, 2.0]), "hamming", "tv")
    assert not bm.check_zero_rate_boundary(problem, [0.0, 0.2], tolerance=1e-6).passed


def test_zero_rate_boundary_fails_on_a_wrong_gaussian_d_max(monkeypatch):
    monkeypatch.setattr(GaussianMSE, "zero_rate_distortion", lambda self, P: 0.9 * self.variance)
    problem = Problem(Gaussian(0.0, 2.0), "mse", "w2")
    assert not bm.check_zero_rate_boundary(problem).passed


def test_bernoulli_brute_force_detects_a_wrong_closed_form(monkeypatch):
    _scaled(BernoulliHammingTV, monkeypatch, factor=1.01)
    assert not cross_checks.check_bernoulli_brute_force(0.1).passed
    report = standard_checks()["closed-form/vs-fast-solver[bernoulli-tv]"]()
    assert not report.passed


def test_discretisation_detects_a_wrong_gaussian_closed_form(monkeypatch):
    _scaled(GaussianMSE, monkeypatch, factor=1.02)
    report = standard_checks()["closed-form/vs-discretisation[gaussian-kl-recon-source]"]()
    assert not report.passed


def test_discretisation_needs_the_error_to_shrink():
    problem = Problem(Gaussian(), "mse", "kl-recon-source")
    report = cross_checks.check_gaussian_discretisation(
        problem, [(0.4, 0.05)], (64, 32), tolerance=1.0, label="reversed-n"
    )
    assert not report.passed and report.deviation == np.inf


def test_slsqp_detects_a_wrong_vector_closed_form(monkeypatch):
    _scaled(GaussianVectorMSE, monkeypatch, factor=1.001)
    report = cross_checks.check_gaussian_vector_slsqp(
        [2.0, 1.0, 0.25], [(1.25, 0.05)], label="scaled"
    )
    assert not report.passed


def test_counterexample_detects_the_old_gaussian_closed_form(monkeypatch):
    """Claiming lower = upper = the jointly Gaussian rate (the old behaviour) must fail."""
    original = gaussian_kl.rate_bounds

    def gaussian_only(variance, D, P):
        bounds = original(variance, D, P)
        return replace(bounds, lower=bounds.upper)

    monkeypatch.setattr(gaussian_kl, "rate_bounds", gaussian_only)
    report = cross_checks.check_kl_source_recon_counterexample()
    assert not report.passed
    assert report.deviation > 1e-4


F_CASES = [("hellinger", 0.9, 0.1), ("chi2-source-recon", 0.9, 0.5)]


def test_fdivergence_bracket_check_passes_on_the_real_bounds():
    report = cross_checks.check_gaussian_fdivergence_bracket(F_CASES)
    assert report.passed, report.deviation


def test_fdivergence_bracket_check_detects_the_gaussian_rate_claimed_as_exact(monkeypatch):
    """Claiming lower = upper = the jointly Gaussian rate must fail (by about 1e-3 bits)."""
    from rdp.closed_forms import gaussian_fdivergence

    original = gaussian_fdivergence.rate_bounds

    def gaussian_only(variance, D, perception, P):
        bounds = original(variance, D, perception, P)
        return replace(bounds, lower=bounds.upper)

    monkeypatch.setattr(gaussian_fdivergence, "rate_bounds", gaussian_only)
    report = cross_checks.check_gaussian_fdivergence_bracket(F_CASES)
    assert not report.passed
    assert report.deviation > 1e-3


def test_perception_costs_rate_fails_when_perception_lowers_the_rate(monkeypatch):
    original = GaussianVectorMSE.rate_point

    def cheaper_with_perception(self, D, P):
        point = original(self, D, P)
        if np.isinf(P.value):  # the bound object, read in its one unit
            return point
        return replace(point, value=0.9 * point.value, lower=0.9 * point.lower,
                       upper=0.9 * point.upper)  # fmt: skip

    monkeypatch.setattr(GaussianVectorMSE, "rate_point", cheaper_with_perception)
    problem = Problem(GaussianVector(np.diag([2.0, 1.0, 0.25])), "mse", "w2")
    assert not bm.check_perception_costs_rate(problem).passed


def test_bernoulli_problem_is_answered_by_the_closed_form():
    problem = Problem(Bernoulli(0.2), "hamming", "tv")
    assert problem.method().name.startswith("closed-form")


# Twins of the finite-source Blau–Michaeli checks that `rdp verify` runs by default: each
# standard check (its own problem, grid and tolerance) FAILS when the certified solver's
# rates are bent in the way the property forbids.
def _bent(monkeypatch, bend):
    """Replace every point of the fast solver by ``bend(D, P, point)`` (bounds moved alike)."""
    original = FastSolver.rate_point

    def wrong(self, D, P, **kwargs):
        point = original(self, D, P, **kwargs)
        shift = bend(D, self.bound(P).value, point)
        return replace(
            point,
            value=point.value + shift,
            lower=point.lower + shift,
            upper=point.upper + shift,
        )

    monkeypatch.setattr(FastSolver, "rate_point", wrong)


FINITE_LABELS = (
    "discrete-w1", "discrete-tv", "discrete-kl-recon-source", "discrete-hellinger",
    "discrete-js", "discrete-chi2-source-recon", "discrete-chi2-recon-source",
)  # fmt: skip


def test_finite_checks_pass_as_run_by_verify():
    checks = standard_checks()
    for label in FINITE_LABELS:
        for short in ("monotonicity", "convexity", "perception-costs-rate"):
            name = f"blau-michaeli2019/{short}[{label}]"
            assert checks[name]().passed, name


def test_finite_monotonicity_fails_when_the_rate_grows_with_p(monkeypatch):
    _bent(monkeypatch, lambda D, P, point: 0.5 * min(P, 1.0))
    checks = standard_checks()
    for label in FINITE_LABELS:
        report = checks[f"blau-michaeli2019/monotonicity[{label}]"]()
        assert not report.passed, label


def test_finite_convexity_fails_on_a_concave_bump(monkeypatch):
    # the rate becomes 1 − D² (concave) wherever it is finite
    _bent(
        monkeypatch,
        lambda D, P, point: 1.0 - D**2 - point.value if np.isfinite(point.value) else 0.0,
    )
    checks = standard_checks()
    for label in FINITE_LABELS:
        report = checks[f"blau-michaeli2019/convexity[{label}]"]()
        assert not report.passed, label


def test_finite_perception_costs_rate_fails_when_perception_is_free(monkeypatch):
    _bent(monkeypatch, lambda D, P, point: -0.05 if np.isfinite(P) and point.value > 0.1 else 0.0)
    checks = standard_checks()
    for label in FINITE_LABELS:
        report = checks[f"blau-michaeli2019/perception-costs-rate[{label}]"]()
        assert not report.passed, label
