"""Bernoulli / Hamming / TV closed form (Blau & Michaeli 2019, Thm 2) vs independent methods."""

import numpy as np
import pytest
import references as ref
from hypothesis import given
from hypothesis import strategies as st
from strategies import bernoulli_points

from rdp import Bernoulli, Discrete, Problem
from rdp.closed_forms.bernoulli import inactive_boundary, zero_rate_distortion

# (p, D, P) covering the three regions and P >= p
GRID = [
    (0.1, 0.01, 0.05),  # perception inactive
    (0.1, 0.05, 0.02),  # middle region
    (0.1, 0.12, 0.02),  # middle region, near zero-rate boundary
    (0.1, 0.02, 0.0),  # perfect perception
    (0.1, 0.15, 0.0),
    (0.1, 0.2, 0.02),  # zero rate
    (0.1, 0.05, 0.2),  # P >= p: Shannon
    (0.3, 0.1, 0.05),
    (0.3, 0.25, 0.1),
    (0.45, 0.2, 0.01),
    (0.8, 0.1, 0.05),  # p > 1/2 (symmetry)
]


@pytest.mark.parametrize(("p", "D", "P"), GRID)
def test_matches_brute_force_over_binary_channels(p, D, P):
    closed = Problem(Bernoulli(p), "hamming", "tv").rate(D, P).rate
    assert closed == pytest.approx(ref.binary_brute_force_rate(p, D, P), abs=2e-6)


@pytest.mark.parametrize(("p", "D", "P"), GRID)
def test_matches_independent_cvxpy_program(p, D, P):
    closed = Problem(Bernoulli(p), "hamming", "tv").rate(D, P).rate
    x = np.array([0.0, 1.0])
    expected, status = ref.convex_rate([1 - p, p], x, x, 1 - np.eye(2), "tv", D, P)
    assert status == "optimal"
    assert closed == pytest.approx(expected, abs=2e-6)


@pytest.mark.parametrize(("p", "D", "P"), GRID)
def test_optimal_channel_meets_constraints_and_achieves_rate(p, D, P):
    result = Problem(Bernoulli(p), "hamming", "tv").rate(D, P)
    joint = result.channel.joint
    assert joint.min() >= 0
    np.testing.assert_allclose(joint.sum(axis=1), [1 - p, p], atol=1e-12)
    assert joint[0, 1] + joint[1, 0] <= D + 1e-12
    assert 0.5 * np.abs(joint.sum(axis=0) - [1 - p, p]).sum() <= P + 1e-12
    assert result.channel.mutual_information() == pytest.approx(result.rate, abs=1e-9)


def test_paper_value_hand_computed():
    # Middle region, p = 0.1, D = 0.05, P = 0.02 from the entropy formula with numpy directly.
    def h(*a):
        a = np.array(a)
        return -(a * np.log2(a)).sum()

    p, D, P = 0.1, 0.05, 0.02
    expected = (
        2 * h(p, 1 - p)
        + h(p - P, 1 - p + P)
        - h((D - P) / 2, p, 1 - p - (D - P) / 2)
        - h((D + P) / 2, 1 - p, p - (D + P) / 2)
    )
    assert Problem(Bernoulli(p), "hamming", "tv").rate(D, P).rate == pytest.approx(expected, 1e-12)


@pytest.mark.parametrize("p", [0.05, 0.1, 0.25, 0.4])
@pytest.mark.parametrize("P", [0.0, 0.01, 0.03])
def test_regions_join_continuously(p, P):
    problem = Problem(Bernoulli(p), "hamming", "tv")
    eps = 1e-9
    for boundary in (inactive_boundary(p, P), zero_rate_distortion(p, P)):
        left, right = problem.rate([max(boundary - eps, 0.0), boundary + eps], P).rate
        assert abs(left - right) < 1e-6


@pytest.mark.parametrize("p", [0.1, 0.3])
def test_P_at_least_p_gives_shannon(p):
    D = np.linspace(0.0, 0.6, 25)
    shannon = Problem(Bernoulli(p), "hamming", "none").rate(D).rate
    for P in (p, p + 0.1, np.inf):
        np.testing.assert_allclose(Problem(Bernoulli(p), "hamming", "tv").rate(D, P).rate, shannon)


def test_two_symbol_discrete_dispatches_to_closed_form():
    result = Problem(Discrete([0.9, 0.1]), "hamming", "tv").rate(0.05, 0.02)
    assert result.method.startswith("closed-form: bernoulli")
    assert result.rate == pytest.approx(
        Problem(Bernoulli(0.1), "hamming", "tv").rate(0.05, 0.02).rate
    )


def test_distortion_inverts_rate():
    problem = Problem(Bernoulli(0.1), "hamming", "tv")
    for P in (0.0, 0.02, 0.05, 0.2):
        for R in (0.05, 0.2, 0.4):
            result = problem.distortion(R, P)
            assert result.lower <= result.distortion <= result.upper
            assert result.upper - result.lower < 1e-8
            assert problem.rate(result.distortion, P).rate == pytest.approx(R, abs=1e-6)


def test_distortion_at_zero_rate_is_zero_rate_boundary():
    problem = Problem(Bernoulli(0.1), "hamming", "tv")
    assert problem.distortion(0.0, 0.02).distortion == pytest.approx(0.18 - 0.8 * 0.02)


@given(first=bernoulli_points(), second=bernoulli_points())
def test_non_increasing_in_D_and_P(first, second):
    p, d1, p1 = first
    _, d2, p2 = second
    problem = Problem(Bernoulli(p), "hamming", "tv")
    lo_d, hi_d = sorted((d1, d2))
    lo_p, hi_p = sorted((p1, p2))
    assert problem.rate(hi_d, lo_p).rate <= problem.rate(lo_d, lo_p).rate + 1e-12
    assert problem.rate(lo_d, hi_p).rate <= problem.rate(lo_d, lo_p).rate + 1e-12


@given(bernoulli_points())
def test_symbol_relabelling_invariance(point):
    p, D, P = point
    a = Problem(Bernoulli(p), "hamming", "tv").rate(D, P).rate
    b = Problem(Bernoulli(1 - p), "hamming", "tv").rate(D, P).rate
    assert a == pytest.approx(b, abs=1e-12)
    assert a == pytest.approx(ref.bernoulli_tv_rate(p, D, P), abs=1e-12)


@given(st.floats(0.01, 0.99), st.floats(0.0, 0.7), st.one_of(st.just(0.0), st.floats(0.0, 0.6)))
def test_returned_joint_is_feasible_in_floating_point(p, D, P):
    """TV and Hamming distortion of the returned joint are ≤ P and D as evaluated."""
    from rdp import TotalVariation

    joint = Problem(Bernoulli(p), "hamming", "tv").rate(D, P).channel.joint
    assert joint[0, 1] + joint[1, 0] <= D
    assert TotalVariation().divergence(joint.sum(axis=1), joint.sum(axis=0)) <= P
