"""Gaussian / MSE / KL(p_X‖p_X̂): the gated channel (upper bound) and its dual (lower bound).

Each check computes the same quantity another way: the channel's distortion, KL and
rate by brute-force quadrature of the definitions on a fine grid (numerical Z, I as
E ln W/q) rather than the closed forms and the identity I = −βD − E ln Z − E_q ln K
of the module; the bracket against the discretised problem solved for growing n.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from scipy.special import logsumexp

from rdp import Gaussian, Problem
from rdp.closed_forms import gaussian_kl
from rdp.closed_forms.gaussian_kl_channel import evaluate, gated_bounds, nodes
from rdp.units import LN2


def brute_force(beta, t, log_v, width, step=0.01, span=10.0):
    """(D, KL bits, I bits) of W ∝ r(y)e^{−β(x−y)²} from the definitions on a uniform grid."""
    x = np.arange(-span, span + step / 2, step)
    log_phi = -0.5 * x * x - 0.5 * math.log(2 * math.pi)
    log_r = logsumexp(-0.5 * ((x[:, None] - t[None, :]) / width) ** 2 + log_v[None, :], axis=1)
    exponent = -beta * (x[:, None] - x[None, :]) ** 2 + log_r[None, :]
    log_w = exponent - logsumexp(exponent, axis=1)[:, None] - math.log(step)  # density in y
    mass = step * np.exp(log_phi)
    log_q = logsumexp(log_w + np.log(mass)[:, None], axis=0)
    joint = mass[:, None] * np.exp(log_w) * step
    distortion = float((joint * (x[:, None] - x[None, :]) ** 2).sum())
    rate = float((joint * (log_w - log_q[None, :])).sum())
    kl = float((mass * (log_phi - log_q)).sum())
    return distortion, kl / LN2, rate / LN2


def test_channel_quadrature_matches_the_definitions():
    t = np.array([-1.2, 0.0, 0.7])
    log_v = np.log([0.3, 1.0, 0.5])
    values = evaluate(0.9, t, log_v, 0.4, 0.05)
    expected = brute_force(0.9, t, log_v, 0.4)
    got = (values.distortion, values.perception, values.rate)
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12), (got, expected)
    assert abs(values.mass - 1.0) < 1e-12


def test_channel_quadrature_twin_rejects_a_wrong_slope():
    t = np.array([-1.2, 0.0, 0.7])
    log_v = np.log([0.3, 1.0, 0.5])
    values = evaluate(0.9 * 1.001, t, log_v, 0.4, 0.05)
    expected = brute_force(0.9, t, log_v, 0.4)
    got = (values.distortion, values.perception, values.rate)
    assert not np.allclose(got, expected, rtol=1e-6, atol=1e-12)


@cache
def _point():
    return gated_bounds(0.6, 0.05)


def test_gated_channel_is_feasible_and_its_rate_is_the_upper_bound():
    """The returned channel, re-evaluated from its definition, meets D and P; I = upper."""
    bounds = _point()
    assert bounds is not None
    t, _ = nodes(bounds.spacing)
    D, kl, rate = brute_force(bounds.slope, t, bounds.log_weights, bounds.spacing)
    assert D <= 0.6 and kl <= 0.05
    assert abs(rate - bounds.upper) < 1e-9
    assert bounds.lower <= bounds.upper < bounds.lower + 1e-5
    analytic = gaussian_kl.rate_bounds(1.0, 0.6, 0.05)
    assert analytic.lower <= bounds.lower and bounds.upper < analytic.upper - 1e-3


def test_feasibility_twin_rejects_a_channel_with_a_smaller_slope():
    """A slightly smaller slope (a noisier channel) breaks the distortion constraint."""
    bounds = _point()
    t, _ = nodes(bounds.spacing)
    D, _, _ = brute_force(bounds.slope * 0.999, t, bounds.log_weights, bounds.spacing)
    assert D > 0.6


def test_bracket_holds_the_discretised_problem_as_n_grows():
    """The discretised problem (finite solver, n = 128, 256, O(1/n²) extrapolation) lands
    inside the bracket to the extrapolation's accuracy; a bracket moved by 5e-5 does not."""
    from rdp.discretization import kl_source_recon_estimate

    estimate = kl_source_recon_estimate(1.0, 0.6, 0.05, ns=(128, 256))
    bounds = _point()
    tolerance = 2e-5  # the remainder after extrapolating from n = 128, 256 (docs table)
    assert bounds.lower - tolerance <= estimate.extrapolated <= bounds.upper + tolerance
    assert not (bounds.lower + 5e-5 - tolerance <= estimate.extrapolated)


@pytest.mark.filterwarnings("ignore::rdp.exceptions.UnconvergedWarning")
def test_problem_rate_returns_the_refined_bracket_and_its_midpoint():
    """σ² = 2, μ = 1: the bracket of the standardised point, value its midpoint."""
    problem = Problem(Gaussian(1.0, 2.0), "mse", "kl-source-recon")
    result = problem.rate(1.2, 0.05, method="gaussian-kl-gated")
    bounds = _point()
    assert str(result.status) == "bounds"
    assert result.lower == pytest.approx(max(bounds.lower, 0.0), abs=1e-12)
    assert result.upper == pytest.approx(bounds.upper, abs=1e-12)
    assert result.rate == pytest.approx(0.5 * (result.lower + result.upper), abs=1e-15)
    assert result.upper - result.lower <= 1e-4


@pytest.mark.filterwarnings("ignore::rdp.exceptions.UnconvergedWarning")
def test_default_method_keeps_the_analytic_bracket_and_reports_its_midpoint():
    result = Problem(Gaussian(0.0, 1.0), "mse", "kl-source-recon").rate(0.6, 0.05)
    analytic = gaussian_kl.rate_bounds(1.0, 0.6, 0.05)
    assert (result.lower, result.upper) == (analytic.lower, analytic.upper)
    assert result.rate == pytest.approx(0.5 * (analytic.lower + analytic.upper))


def test_gated_method_refuses_other_problems():
    with pytest.raises(ValueError, match="gaussian-kl-gated"):
        Problem(Gaussian(0.0, 1.0), "mse", "kl-recon-source").rate(
            0.6, 0.05, method="gaussian-kl-gated"
        )


@pytest.mark.slow
def test_large_budget_bracket_is_feasible_and_narrow():
    """P = 1 bit (the peaked regime, re-solved at corrected targets): the returned channel,
    re-evaluated from its definition, meets D and P, and the bracket is within 1e-3 bits;
    the analytic bracket there is 4e-3 wide (the twin: it would fail the width check)."""
    bounds = gated_bounds(0.8, 1.0)
    assert bounds is not None
    t, _ = nodes(bounds.spacing)
    D, kl, rate = brute_force(bounds.slope, t, bounds.log_weights, bounds.spacing)
    assert D <= 0.8 and kl <= 1.0
    assert abs(rate - bounds.upper) < 1e-8
    analytic = gaussian_kl.rate_bounds(1.0, 0.8, 1.0)
    lower, upper = max(bounds.lower, analytic.lower), min(bounds.upper, analytic.upper)
    assert lower <= upper <= lower + 1e-3
    assert analytic.upper - analytic.lower > 1e-3
