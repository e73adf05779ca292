"""Every Bernoulli and Gaussian closed form at extreme parameters, against precise references.

p ∈ [1e-12, 1 − 1e-12], P from 0 through 1e-300 to 1e3 bits, D over its whole
range: no exception, no NaN, values monotone in D and P, and equal to a
reference computed another way (``tests/references.py``: search over all
joints in mpmath for the Bernoulli forms, mpmath's Lambert W for the Gaussian
KL balls, the exponential-integral closed form of the 2-D least second moment,
bisection reverse water-filling for vector Gaussians). Each comparison has a
twin showing that it fails on a wrong instance.
"""

import math

import numpy as np
import pytest
import references as ref
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rdp import KL, Bernoulli, Gaussian, GaussianVector, Problem
from rdp.closed_forms import bernoulli_vector, gaussian_kl
from rdp.status import meets

KL_DIRECTIONS = ("source||reconstruction", "reconstruction||source")

# Gaussian KL(p_X‖p_X̂) points are bounds by design (status 'bounds' warns); checked below
pytestmark = pytest.mark.filterwarnings("ignore::rdp.exceptions.UnconvergedWarning")


def agree(value, reference, rtol, atol):
    """|value − reference| ≤ rtol·|reference| + atol, with both finite."""
    return math.isfinite(value) and abs(value - reference) <= rtol * abs(reference) + atol


@st.composite
def bernoulli_p(draw):
    """p with min(p, 1 − p) log-uniform on [1e-12, ½], either side of ½."""
    q = 10.0 ** draw(st.floats(-12.0, math.log10(0.5)), label="log10 min(p, 1-p)")
    return 1.0 - q if draw(st.booleans(), label="p > 1/2") else q


#: Perception budgets in bits: 0, log-uniform on [1e-300, 1e3], and 1e3 itself.
budgets = st.one_of(st.just(0.0), st.floats(-300.0, 3.0).map(lambda e: 10.0**e), st.just(1000.0))


def _bernoulli_tolerance(p):
    """Relative 1e-9 and 1e-12 of H_b(p) (the entropies the formulas subtract), in bits."""
    q = min(p, 1.0 - p)
    return 1e-9, 1e-12 * float(ref.h2(q)) + 1e-300


# ---------------------------------------------------------------- Bernoulli, KL and TV


@settings(max_examples=30, deadline=None)
@given(
    p=bernoulli_p(),
    frac=st.floats(0.0, 1.05),
    P=budgets,
    kind=st.sampled_from(("tv", *KL_DIRECTIONS)),
)
@example(p=0.01, frac=0.005 / 0.0198, P=5.0, kind="source||reconstruction")
@example(p=0.999, frac=0.0, P=0.1, kind="source||reconstruction")
@example(p=1e-12, frac=0.4, P=1000.0, kind="source||reconstruction")
@example(p=1 - 1e-12, frac=0.5, P=1000.0, kind="reconstruction||source")
@example(p=0.042169650342858224, frac=1.0, P=1e-29, kind="source||reconstruction")
def test_bernoulli_rate_matches_search_over_all_joints(p, frac, P, kind):
    q = min(p, 1.0 - p)
    D = frac * 2.0 * q * (1.0 - q)
    perception = KL(kind) if kind != "tv" else "tv"
    problem = Problem(Bernoulli(p), "hamming", perception)
    result = problem.rate(D, P)
    reference = ref.bernoulli_kl_rate_mp(p, D, P, kind)
    rtol, atol = _bernoulli_tolerance(p)
    assert result.status == "exact"
    assert agree(result.rate, reference, rtol, atol), (result.rate, reference)
    # the channel meets both constraints as evaluated from its joint law
    joint = result.channel.joint
    px, qx = joint.sum(axis=1), joint.sum(axis=0)
    assert joint[0, 1] + joint[1, 0] <= D * (1 + 1e-15)
    if kind == "tv":
        assert ref.tv_distance(px, qx) <= P + 4 * np.finfo(float).eps
    else:
        pair = (px, qx) if kind.startswith("source") else (qx, px)
        # within the library's stated floating feasibility tolerance (the marginals of a
        # joint summed in floating point differ from the laws by ulps)
        assert meets(ref.kl_bits(*pair), P), (ref.kl_bits(*pair), P)


def test_bernoulli_reference_twin_rejects_a_wrong_instance():
    # Shannon's R(D) = 0.0353784436 bits at P = 5 bits; the reference at a budget that
    # binds, or at P = 0, differs
    p, D, P = 0.01, 0.005, 5.0
    value = Problem(Bernoulli(p), "hamming", KL(KL_DIRECTIONS[0])).rate(D, P).rate
    rtol, atol = _bernoulli_tolerance(p)
    assert agree(value, ref.bernoulli_kl_rate_mp(p, D, P, KL_DIRECTIONS[0]), rtol, atol)
    for wrong in (
        ref.bernoulli_kl_rate_mp(p, D, 0.0, KL_DIRECTIONS[0]),
        ref.bernoulli_kl_rate_mp(p, D, 0.001, KL_DIRECTIONS[0]),  # Shannon's needs 0.0027 bits
        ref.bernoulli_kl_rate_mp(p, D, 0.002, "tv"),  # and TV 0.0049
    ):
        assert not agree(value, wrong, rtol, atol)
    # at p = 1e-12 the tolerance is relative to H_b(p) ≈ 4e-11 bits, not absolute
    # (Shannon's channel needs 2.8e-13 bits there: both budgets below bind)
    tiny = Problem(Bernoulli(1e-12), "hamming", KL(KL_DIRECTIONS[0])).rate(5e-13, 1e-13).rate
    rtol, atol = _bernoulli_tolerance(1e-12)
    assert agree(tiny, ref.bernoulli_kl_rate_mp(1e-12, 5e-13, 1e-13, KL_DIRECTIONS[0]), rtol, atol)
    assert not agree(
        tiny, ref.bernoulli_kl_rate_mp(1e-12, 5e-13, 5e-14, KL_DIRECTIONS[0]), rtol, atol
    )


@settings(max_examples=30, deadline=None)
@given(
    p=bernoulli_p(),
    fracs=st.lists(st.floats(0.0, 1.05), min_size=2, max_size=5),
    Ps=st.lists(budgets, min_size=2, max_size=4),
    kind=st.sampled_from(("tv", *KL_DIRECTIONS)),
)
@example(p=0.01, fracs=[0.1, 0.25, 0.5], Ps=[0.0, 0.5, 5.0, 1000.0], kind="source||reconstruction")
def test_bernoulli_grid_is_finite_and_monotone(p, fracs, Ps, kind):
    q = min(p, 1.0 - p)
    D = np.sort(np.asarray(fracs)) * 2.0 * q * (1.0 - q)
    P = np.sort(np.asarray(Ps))
    problem = Problem(Bernoulli(p), "hamming", KL(kind) if kind != "tv" else "tv")
    rates = np.array([[problem.rate(d, b).rate for b in P] for d in D])  # (D, P)
    assert np.isfinite(rates).all() and (rates >= 0).all()
    slack = 64 * np.finfo(float).eps * max(float(ref.h2(q)), 1e-300)
    assert (np.diff(rates, axis=0) <= slack).all()  # non-increasing in D
    assert (np.diff(rates, axis=1) <= slack).all()  # non-increasing in P
    d_max = np.array([problem.zero_rate_distortion(b) for b in P])
    assert np.isfinite(d_max).all() and (np.diff(d_max) <= slack).all()
    assert ((q - 1e-15 <= d_max) & (d_max <= 2 * q * (1 - q) * (1 + 1e-15))).all()


@settings(max_examples=20, deadline=None)
@given(p=bernoulli_p(), P=budgets, share=st.floats(0.05, 0.95), kind=st.sampled_from(KL_DIRECTIONS))
@example(p=0.01, P=5.0, share=0.5, kind="source||reconstruction")
def test_bernoulli_distortion_inverts_the_rate(p, P, share, kind):
    problem = Problem(Bernoulli(p), "hamming", KL(kind))
    R = share * float(ref.h2(min(p, 1 - p)))
    D = problem.distortion(R, P).distortion
    assert math.isfinite(D) and 0.0 <= D <= problem.zero_rate_distortion(P)
    _, atol = _bernoulli_tolerance(p)
    assert agree(ref.bernoulli_kl_rate_mp(p, D, P, kind), R, 1e-6, atol)


# ----------------------------------------------------------------- Bernoulli vector


@settings(max_examples=15, deadline=None)
@given(p=bernoulli_p(), frac=st.floats(0.0, 1.05), P=budgets)
@example(p=1e-12, frac=0.4, P=1000.0)
def test_bernoulli_vector_of_identical_components_splits_equally(p, frac, P):
    # two identical components: by convexity the equal split D/2, P/2 is optimal
    q = min(p, 1.0 - p)
    D = frac * 4.0 * q * (1.0 - q)
    value = bernoulli_vector.rate([p, p], D, P)
    reference = 2.0 * ref.bernoulli_kl_rate_mp(p, D / 2, P / 2, "tv")
    _, atol = _bernoulli_tolerance(p)
    assert agree(value, reference, 1e-6, 2 * atol), (value, reference)
    assert not agree(value, reference + 1e-5 * float(ref.h2(q)) + 1e-9, 1e-6, 2 * atol)


# ----------------------------------------------------------------- scalar Gaussian


def _gaussian_rate_reference(kind, D, P):
    """Rate of the jointly Gaussian channel at the least admissible deviation (mpmath)."""
    if kind == "w2":
        t = max(1.0 - math.sqrt(P), 0.0) ** 2
    elif kind == "none":
        t = 0.0
    else:
        t = ref.gaussian_kl_ball_variance_ratio_mp(P, _kl_name(kind))
    return ref.gaussian_rate_at_std_mp(D, t)


GAUSSIAN_KINDS = ("w2", "kl-recon-source", "kl-source-recon")


def _kl_name(kind):
    return {"kl-recon-source": KL_DIRECTIONS[1], "kl-source-recon": KL_DIRECTIONS[0]}[kind]


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(GAUSSIAN_KINDS), frac=st.floats(1e-6, 1.1), P=budgets)
@example(kind="kl-source-recon", frac=0.4999, P=600.0)
@example(kind="kl-recon-source", frac=0.3, P=1000.0)
def test_gaussian_rate_matches_the_lambert_w_reference(kind, frac, P):
    problem = Problem(Gaussian(0.0, 1.0), "mse", KL(_kl_name(kind)) if kind != "w2" else "w2")
    d_max = problem.zero_rate_distortion(P)
    assert math.isfinite(d_max) and 1.0 <= d_max <= 2.0
    D = frac * d_max
    result = problem.rate(D, P)
    assert math.isfinite(result.lower) and math.isfinite(result.upper)
    assert 0.0 <= result.lower <= result.upper
    gaussian_best = _gaussian_rate_reference(kind, D, P)
    if kind == "kl-source-recon":  # bounds: the upper end is the best jointly Gaussian channel
        if result.upper > 0:
            assert agree(result.upper, gaussian_best, 1e-9, 1e-13), (result.upper, gaussian_best)
        else:
            assert D >= d_max
        assert result.lower >= ref.gaussian_shannon_rate(D) - 1e-13
    else:
        assert agree(result.rate, gaussian_best, 1e-9, 1e-13), (result.rate, gaussian_best)


def test_gaussian_reference_twin_rejects_a_wrong_instance():
    # P = 600 bits: s_P ≈ σ/√(2P ln 2) ≈ 0.0347, so at D = 0.9999 the Gaussian channel is
    # not Shannon's (whose deviation 0.01 is outside the ball)
    result = Problem(Gaussian(0.0, 1.0), "mse", KL(KL_DIRECTIONS[0])).rate(0.9999, 600.0)
    right = _gaussian_rate_reference("kl-source-recon", 0.9999, 600.0)
    assert agree(result.upper, right, 1e-9, 1e-13)
    for wrong in (
        ref.gaussian_shannon_rate(0.9999),
        _gaussian_rate_reference("kl-recon-source", 0.9999, 600.0),
        _gaussian_rate_reference("kl-source-recon", 0.9999, 300.0),
    ):
        assert not agree(result.upper, wrong, 1e-9, 1e-13)


@settings(max_examples=20, deadline=None)
@given(kind=st.sampled_from(GAUSSIAN_KINDS), Ps=st.lists(budgets, min_size=2, max_size=4))
def test_gaussian_grid_is_monotone_in_D_and_P(kind, Ps):
    problem = Problem(Gaussian(0.0, 1.0), "mse", KL(_kl_name(kind)) if kind != "w2" else "w2")
    P = np.sort(np.asarray(Ps))
    D = np.array([1e-9, 0.01, 0.3, 0.7, 0.99, 1.0, 1.2, 2.0])
    upper = np.array([[problem.rate(d, b).upper for b in P] for d in D])
    lower = np.array([[problem.rate(d, b).lower for b in P] for d in D])
    assert np.isfinite(upper).all() and (lower <= upper).all() and (lower >= 0).all()
    for values in (upper, lower):
        assert (np.diff(values, axis=0) <= 1e-12 * (1 + np.abs(values[:-1]))).all()
        assert (np.diff(values, axis=1) <= 1e-12 * (1 + np.abs(values[:, :-1]))).all()
    d_max = np.array([problem.zero_rate_distortion(b) for b in P])
    assert (np.diff(d_max) <= 1e-15).all()


@settings(max_examples=25, deadline=None)
@given(P=st.floats(-3.0, math.log10(40.0)).map(lambda e: 10.0**e))
@example(P=10.0)
def test_least_second_moment_in_two_dimensions_matches_the_exponential_integral(P):
    value = gaussian_kl.least_second_moment([0.5, 0.5], P)
    reference = ref.isotropic_2d_least_second_moment_mp(P)
    assert agree(value, reference, 1e-10, 0.0), (value, reference)


def test_least_second_moment_twin_rejects_a_wrong_instance():
    # beyond ν = e^-40 (4.47 bits here) the second moment still halves per bit; 0 is wrong
    value = gaussian_kl.least_second_moment([0.5, 0.5], 10.0)
    assert agree(value, ref.isotropic_2d_least_second_moment_mp(10.0), 1e-10, 0.0)
    assert not agree(0.0, ref.isotropic_2d_least_second_moment_mp(10.0), 1e-10, 0.0)
    assert not agree(value, ref.isotropic_2d_least_second_moment_mp(10.5), 1e-10, 0.0)


# ----------------------------------------------------------------- vector Gaussian


def _reverse_water_filling_rate(lam, D):
    """Shannon's R(D) of N(0, diag λ): Σ ½ log₂(λ_i / min(θ, λ_i)), Σ min(θ, λ_i) = D.

    θ by bisection (Cover & Thomas 2006, Thm 10.3.3).
    """
    lam = np.asarray(lam, dtype=float)
    if D >= lam.sum():
        return 0.0
    lo, hi = 0.0, float(lam.max())
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.minimum(mid, lam).sum() < D else (lo, mid)
    return float(np.sum(0.5 * np.log2(lam / np.minimum(hi, lam))))


@settings(max_examples=20, deadline=None)
@given(
    lam=st.lists(st.floats(0.05, 4.0), min_size=2, max_size=3),
    kind=st.sampled_from(GAUSSIAN_KINDS),
    frac=st.floats(1e-4, 1.1),
    P=budgets,
)
@example(lam=[2.0, 1.0], kind="kl-recon-source", frac=0.9, P=100.0)
@example(lam=[4.0, 1.0, 0.25], kind="kl-recon-source", frac=0.999999, P=1000.0)
def test_vector_gaussian_never_raises_and_brackets_shannon(lam, kind, frac, P):
    perception = KL(_kl_name(kind)) if kind != "w2" else "w2"
    problem = Problem(GaussianVector(np.diag(lam)), "mse", perception)
    d_max = problem.zero_rate_distortion(P)
    assert math.isfinite(d_max) and sum(lam) * (1 - 1e-15) <= d_max <= 2 * sum(lam) * (1 + 1e-12)
    D = frac * d_max
    result = problem.rate(D, P)
    assert math.isfinite(result.upper) and 0.0 <= result.lower <= result.upper
    shannon = _reverse_water_filling_rate(lam, D)
    assert result.upper >= shannon - 1e-9
    assert result.upper - result.lower <= (1e-6 if kind != "kl-source-recon" else 1.0)
    # R(D, P) lies between Shannon's R(D) and R(D, 0)
    assert result.lower <= problem.rate(D, 0.0).upper + 1e-9
    distortion = problem.distortion(1.0, P)
    assert math.isfinite(distortion.upper) and distortion.lower <= distortion.upper


def test_vector_gaussian_with_a_large_budget_is_shannon():
    # KL(p_X̂‖p_X) ≤ 1000 bits: the floors on the starved components cost ≈ e^-700 bits
    lam = [4.0, 1.0, 0.25]
    problem = Problem(GaussianVector(np.diag(lam)), "mse", KL(KL_DIRECTIONS[1]))
    for D in (0.3, 1.575, 4.725):
        result = problem.rate(D, 1000.0)
        assert agree(result.upper, _reverse_water_filling_rate(lam, D), 1e-9, 1e-12)
        assert not agree(result.upper, _reverse_water_filling_rate(lam, 1.01 * D), 1e-9, 1e-12)


@pytest.mark.parametrize("P", [1e-12, 1e-8, 1e-4, 1.0, 25.0])
def test_least_second_moment_in_one_dimension_matches_mpmath(P):
    # 1 − m_P² ≈ √(2P ln 2) for small P: the comparison is also on that deficit
    value = gaussian_kl.least_second_moment([1.0], P)
    reference = ref.gaussian_least_second_moment_mp(P)
    assert agree(1.0 - value, 1.0 - reference, 1e-9, 4 * np.finfo(float).eps)
    assert agree(value, reference, 1e-9, 1e-300)


def test_least_second_moment_in_one_dimension_twin_rejects_a_wrong_instance():
    value = gaussian_kl.least_second_moment([1.0], 1e-8)
    wrong = ref.gaussian_least_second_moment_mp(1e-8 * (1 + 1e-6))
    assert not agree(1.0 - value, 1.0 - wrong, 1e-9, 4 * np.finfo(float).eps)
