"""Output-constrained Gaussian → Gaussian D(R, R_c) (Xie, Li, Chen & Zhang, arXiv:2403.14849)."""

from dataclasses import replace

import numpy as np
import pytest

from rdp import Gaussian
from rdp.closed_forms import output_constrained as oc
from rdp.closed_forms.gaussian import perfect_perception_distortion
from rdp.theorems import cross_checks


@pytest.mark.parametrize("R", [0.1, 0.5, 1.0, 3.0])
@pytest.mark.parametrize("rc", [0.0, 0.4, np.inf])
def test_same_law_is_wagners_perfect_realism(R, rc):
    """Target = source law: Wagner's D(R, R_c, 0), coded independently in gaussian.py."""
    got = oc.distortion(R, rc, source=(0.5, 2.0))
    assert got == pytest.approx(perfect_perception_distortion(2.0, R, rc), rel=1e-12)


def test_endpoints_and_monotonicity():
    source, target = (0.0, 1.0), (1.0, 4.0)
    # R = 0: independent reconstruction, D = (μ − μ̂)² + σ² + σ̂²
    assert oc.distortion(0.0, np.inf, source=source, target=target) == pytest.approx(6.0)
    # R = ∞: the optimal coupling (comonotone), D = (μ − μ̂)² + (σ − σ̂)² = W₂²
    assert oc.distortion(np.inf, 0.0, source=source, target=target) == pytest.approx(2.0)
    values = [oc.distortion(1.0, rc, source=source, target=target) for rc in (0, 0.5, 2, np.inf)]
    assert np.all(np.diff(values) < 0)


@pytest.mark.parametrize("rc", [0.0, 0.7, np.inf])
def test_rate_inverts_distortion(rc):
    for R in (0.05, 0.8, 2.5):
        D = oc.distortion(R, rc, source=(0, 1), target=(1, 4))
        assert oc.rate(D, rc, source=(0, 1), target=(1, 4)) == pytest.approx(R, rel=1e-9)


def test_converges_to_sinkhorn_on_discretisations():
    """R_c = ∞: the finite output-constrained curve (Sinkhorn) approaches the formula, O(1/n²)."""
    errors = []
    for n in (32, 64, 128):
        D, info = cross_checks.sinkhorn_output_constrained(
            Gaussian(0, 1).discretize(n), Gaussian(1, 4).discretize(n), [0.5, 1.0, 3.0]
        )
        closed = np.array([oc.distortion(i, source=(0, 1), target=(1, 4)) for i in info])
        errors.append(np.abs(D - closed).max())
    assert errors[2] < errors[1] / 3 < errors[0] / 9
    assert errors[2] < 1e-3


def test_check_fails_on_a_wrong_formula(monkeypatch):
    assert cross_checks.check_output_constrained_sinkhorn().passed
    original = oc.distortion
    monkeypatch.setattr(oc, "distortion", lambda *a, **k: 1.01 * original(*a, **k))
    report = cross_checks.check_output_constrained_sinkhorn()
    assert not report.passed
    assert replace(report, passed=True).passed  # the report object itself is well formed
