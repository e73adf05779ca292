"""Gaussian / MSE closed forms (Zhang et al., NeurIPS 2021, Thm 2) against independent methods."""

import cvxpy as cp
import numpy as np
import pytest
import references as ref
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import norm

from rdp import KL, Gaussian, Problem
from rdp.closed_forms.gaussian import min_reconstruction_std

LN2 = np.log(2)


def w2sq(sigma, s):
    return (sigma - s) ** 2


def kl_recon_source_nats(sigma, s):
    t = s**2 / sigma**2
    return 0.5 * (t - 1 - np.log(t))


def kl_source_recon_nats(sigma, s):
    t = s**2 / sigma**2
    return 0.5 * (1 / t - 1 + np.log(t))


def jointly_gaussian_rate(variance, D, admissible):
    """Min over jointly Gaussian channels (reconstruction std s, correlation ρ) of −½log₂(1−ρ²)
    s.t. σ² + s² − 2ρσs ≤ D and admissible(s); scanned densely in s, then Brent-polished."""
    sigma = np.sqrt(variance)

    def rate_at(s):
        if s <= 0:
            return 0.0 if variance <= D else np.inf
        rho = max((variance + s * s - D) / (2 * sigma * s), 0.0)
        return np.inf if rho >= 1 else -0.5 * np.log2(1 - rho * rho)

    s_grid = np.linspace(0, 3 * sigma, 30001)
    ok = np.array([admissible(s) for s in s_grid])
    values = np.array([rate_at(s) if a else np.inf for s, a in zip(s_grid, ok, strict=True)])
    k = int(np.argmin(values))
    lo, hi = s_grid[max(k - 1, 0)], s_grid[min(k + 1, s_grid.size - 1)]
    # a finite penalty outside the admissible set: Brent's parabolic step on inf gives NaN
    # (and RuntimeWarnings); any penalty above the rates scanned leaves the minimum alone
    penalty = 1e6

    def objective(s: float) -> float:
        value = rate_at(s) if admissible(s) else np.inf
        return value if np.isfinite(value) else penalty

    res = minimize_scalar(objective, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
    return min(values[k], res.fun if res.fun < penalty else np.inf)


CASES = [(0.3, 0.1), (0.5, 0.05), (0.8, 0.3), (0.2, 0.0), (1.2, 0.01), (0.6, 2.0), (1.5, 0.5)]


@pytest.mark.parametrize("variance", [1.0, 2.5])
@pytest.mark.parametrize(("D", "P"), CASES)
def test_w2_matches_jointly_gaussian_optimisation(variance, D, P):
    D = D * variance
    sigma = np.sqrt(variance)
    expected = jointly_gaussian_rate(variance, D, lambda s: w2sq(sigma, s) <= P + 1e-15)
    got = Problem(Gaussian(0.0, variance), "mse", "w2").rate(D, P).rate
    assert got == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("direction", ["reconstruction||source", "source||reconstruction"])
@pytest.mark.parametrize(("D", "P"), CASES)
def test_kl_matches_jointly_gaussian_optimisation(direction, D, P):
    kl = kl_recon_source_nats if direction == "reconstruction||source" else kl_source_recon_nats
    expected = jointly_gaussian_rate(1.0, D, lambda s: s > 0 and kl(1.0, s) <= P + 1e-15)
    result = Problem(Gaussian(), "mse", KL(direction)).rate(D, P, units="nats")
    # KL(p_X‖p_X̂) has bounds only: the jointly Gaussian channel is its upper end
    got = result.upper if direction == "source||reconstruction" else result.rate
    assert got == pytest.approx(expected * LN2, abs=1e-7)


@pytest.mark.parametrize("direction", ["reconstruction||source", "source||reconstruction"])
@pytest.mark.parametrize("P_nats", [0.0, 1e-30, 1e-12, 1e-9, 1e-6, 0.01, 0.3, 2.0, 20.0])
def test_lambert_w_least_std_solves_the_kl_equation(direction, P_nats):
    kl = kl_recon_source_nats if direction == "reconstruction||source" else kl_source_recon_nats
    s = min_reconstruction_std(1.0, KL(direction), P_nats / LN2)
    if P_nats == 0.0:
        assert s == pytest.approx(1.0, abs=1e-7)
        return
    root = brentq(lambda t: kl(1.0, t) - P_nats, 1e-150, 1.0, xtol=1e-15)
    assert s == pytest.approx(root, rel=1e-6, abs=1e-12)


def test_zero_rate_point_and_large_P_is_shannon():
    problem = Problem(Gaussian(0, 2.0), "mse", "w2")
    D = np.linspace(0.05, 3.0, 40)
    shannon = np.maximum(0.5 * np.log2(2.0 / D), 0)
    np.testing.assert_allclose(problem.rate(D, 1e6).rate, shannon, atol=1e-12)
    np.testing.assert_allclose(Problem(Gaussian(0, 2.0), "mse").rate(D).rate, shannon)
    assert problem.zero_rate_distortion(0.0) == pytest.approx(4.0)  # σ² + σ²: independent copy


@pytest.mark.parametrize("R", [0.0, 0.25, 1.0, 2.0, 4.0])
def test_perfect_perception_formula(R):
    # Zhang et al. 2021, Thm 2 at P = 0: D(R, 0) = 2σ²(1 − √(1 − 2^{−2R}))
    problem = Problem(Gaussian(3.0, 2.0), "mse", "w2")
    assert problem.distortion(R, 0.0).distortion == pytest.approx(
        2 * 2.0 * (1 - np.sqrt(1 - 2 ** (-2 * R))), rel=1e-12, abs=1e-15
    )


@pytest.mark.parametrize(("R", "ratio"), [(1.0, 1.0718), (2.0, 1.0161)])
def test_perfect_perception_ratio_paper_values(R, ratio):
    problem = Problem(Gaussian(), "mse", "w2")
    got = problem.distortion(R, 0.0).distortion / problem.distortion(R).distortion
    assert got == pytest.approx(ratio, abs=1e-4)


@pytest.mark.parametrize("R", [0.3, 1.0, 3.0])
def test_common_randomness_limits(R):
    problem = Problem(Gaussian(0, 1.5), "mse", "w2")
    shannon = problem.distortion(R).distortion
    none_shared = problem.distortion(R, 0.0, common_randomness=0.0).distortion
    unlimited = problem.distortion(R, 0.0, common_randomness=np.inf).distortion
    assert none_shared == pytest.approx(2 * shannon, rel=1e-12)
    assert unlimited == pytest.approx(problem.distortion(R, 0.0).distortion, rel=1e-12)
    middle = problem.distortion(R, 0.0, common_randomness=0.5).distortion
    assert unlimited < middle < none_shared


def test_common_randomness_needs_perfect_perception():
    with pytest.raises(ValueError, match="P = 0"):
        Problem(Gaussian(), "mse", "w2").distortion(1.0, 0.1, common_randomness=0.0)


@given(
    variance=st.floats(0.1, 10),
    R=st.floats(0.0, 6.0),
    P_rel=st.floats(0.0, 2.0),
    kind=st.sampled_from(["w2", "kl-recon-source", "none"]),
)
def test_distortion_inverts_rate(variance, R, P_rel, kind):
    problem = Problem(Gaussian(0, variance), "mse", kind)
    P = P_rel * variance if kind == "w2" else np.inf if kind == "none" else P_rel
    D = problem.distortion(R, P).distortion
    assert problem.rate(D, P).rate == pytest.approx(R, abs=1e-7 * max(1, R))


@given(
    variance=st.floats(0.1, 10),
    d=st.tuples(st.floats(0.001, 3.0), st.floats(0.001, 3.0)),
    p=st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 2.0)),
    kind=st.sampled_from(["w2", "kl-source-recon", "kl-recon-source"]),
)
def test_non_increasing_in_D_and_P(variance, d, p, kind):
    problem = Problem(Gaussian(0, variance), "mse", kind)
    (d1, d2), (p1, p2) = sorted(np.array(d) * variance), sorted(p)
    assert problem.rate(d2, p1).rate <= problem.rate(d1, p1).rate + 1e-12
    assert problem.rate(d1, p2).rate <= problem.rate(d1, p1).rate + 1e-12


@pytest.mark.parametrize(("D", "P"), [(0.3, 0.05), (0.8, 0.0), (0.5, 0.3)])
def test_channel_meets_constraints(D, P):
    result = Problem(Gaussian(1.0, 1.0), "mse", "w2").rate(D, P)
    ch = result.channel
    assert ch.mse() <= D + 1e-12
    assert w2sq(1.0, ch.reconstruction_std) <= P + 1e-12
    assert ch.mutual_information() == pytest.approx(result.rate, abs=1e-12)
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 1.0, 400_000)
    xhat = ch.sample(x, rng)
    assert np.mean((x - xhat) ** 2) == pytest.approx(ch.mse(), rel=0.01)
    assert np.std(xhat) == pytest.approx(ch.reconstruction_std, rel=0.01)


def discretized_w2_rate(D, P, n):
    """The convex program of Blau & Michaeli 2019, Eq. (3), on an n-point quantile discretisation of
    N(0, 1) (same grid for X and X̂), squared-error distortion and a W₂² coupling constraint."""
    edges = norm.ppf(np.linspace(0, 1, n + 1))
    px = np.full(n, 1.0 / n)
    mids = norm.ppf((np.arange(n) + 0.5) / n)
    x = np.array(
        [(norm.pdf(edges[i]) - norm.pdf(edges[i + 1])) * n for i in range(n)]
    )  # conditional means of the cells
    x[np.isnan(x)] = mids[np.isnan(x)]
    cost = (x[:, None] - x[None, :]) ** 2
    value, status = ref.convex_rate(px, x, x, cost, "w2", D, P)
    assert status in ("optimal", "optimal_inaccurate")
    return value, float(x.var() * n / n)


@pytest.mark.slow
@pytest.mark.parametrize(("D", "P"), [(0.4, 0.05), (0.6, 0.02)])
def test_close_to_finely_discretized_convex_program(D, P):
    errors = []
    for n in (16, 32):
        value, _ = discretized_w2_rate(D, P, n)
        errors.append(abs(value - Problem(Gaussian(), "mse", "w2").rate(D, P).rate))
    assert errors[-1] < 0.02
    assert errors[-1] < errors[0]


# ------------------------------------------- KL(p_X‖p_X̂): bounds, not a closed form


def _mixture_channel_quadrature():
    """I(X; X̂), D and KL(p_X‖p_X̂) by quadrature for the issue's counterexample.

    X ~ N(0, 1), X̂ = aX + Z, Z ~ w₁N(0, v₁) + w₂N(0, v₂) independent of X: the
    reconstruction law is the mixture Σ w_k N(0, a² + v_k) and h(X̂ | X) = h(Z), so
    I = h(X̂) − h(Z), both differential entropies of Gaussian mixtures by adaptive
    quadrature (scipy.integrate.quad), independent of the library.
    """
    from scipy import integrate

    a = 0.55117295
    weights = np.array([0.871524, 0.128476])
    noise = np.array([0.372403, 0.575949])

    def mix(y, variances):
        return float(np.sum(weights * norm.pdf(y, scale=np.sqrt(variances))))

    def entropy(variances):
        f = lambda y: -mix(y, variances) * np.log2(mix(y, variances))  # noqa: E731
        return 2 * integrate.quad(f, 0, 16, epsabs=1e-14, epsrel=1e-13, limit=400)[0]

    mutual_information = entropy(a * a + noise) - entropy(noise)
    distortion = (1 - a) ** 2 + float(weights @ noise)

    def kl_integrand(y):
        p = norm.pdf(y)
        return p * np.log2(p / mix(y, a * a + noise))

    kl = 2 * integrate.quad(kl_integrand, 0, 16, epsabs=1e-15, epsrel=1e-13, limit=400)[0]
    return mutual_information, distortion, kl


def test_counterexample_beats_the_jointly_gaussian_rate():
    """The issue's channel: below the old "closed form", within the new bounds."""
    mutual_information, distortion, kl = _mixture_channel_quadrature()
    assert mutual_information == pytest.approx(0.408894, abs=2e-6)
    assert distortion <= 0.6 + 1e-6 and kl <= 0.05 + 1e-6
    old_closed_form = jointly_gaussian_rate(
        1.0, 0.6, lambda s: s > 0 and kl_source_recon_nats(1.0, s) <= 0.05 * LN2
    )
    assert mutual_information < old_closed_form - 2e-4  # the old value was not a lower bound
    result = Problem(Gaussian(), "mse", "kl-source-recon").rate(distortion, kl)
    assert result.status == "bounds"
    assert result.lower <= mutual_information <= result.upper
    assert result.lower < result.upper
    assert result.upper == pytest.approx(old_closed_form, abs=1e-6)  # achievable: Gaussian


def test_least_second_moment_against_direct_optimisation():
    """min E_q X̂² s.t. KL(p‖q) ≤ P over laws on a fine grid (cvxpy), vs the q ∝ p/(ν + x²) form."""
    from rdp.closed_forms.gaussian_kl import least_second_moment

    x = np.linspace(-9, 9, 1801)
    p = norm.pdf(x) * (x[1] - x[0])
    p /= p.sum()
    for P_bits in (0.01, 0.05, 0.5):
        q = cp.Variable(x.size, nonneg=True)
        problem = cp.Problem(
            cp.Minimize(x**2 @ q),
            [cp.sum(q) == 1, cp.sum(cp.kl_div(p, q)) <= P_bits * LN2],
        )
        problem.solve(solver=cp.CLARABEL)
        assert least_second_moment([1.0], P_bits) == pytest.approx(problem.value, abs=2e-4)
        assert least_second_moment([4.0], P_bits) == pytest.approx(4 * problem.value, abs=1e-3)


@pytest.mark.parametrize(("D", "P"), [(0.6, 0.05), (0.3, 0.01), (0.9, 0.5), (1.2, 0.2)])
def test_kl_source_recon_bounds_are_ordered_and_above_shannon(D, P):
    problem = Problem(Gaussian(0.0, 1.0), "mse", "kl-source-recon")
    result = problem.rate(D, P)
    shannon = max(0.5 * np.log2(1.0 / D), 0.0)
    gaussian = jointly_gaussian_rate(
        1.0, D, lambda s: s > 0 and kl_source_recon_nats(1.0, s) <= P * LN2 + 1e-15
    )
    assert shannon - 1e-12 <= result.lower <= result.upper <= gaussian + 1e-7
    d = problem.distortion(result.upper, P)
    assert d.lower <= D + 1e-9 <= d.upper + 2e-9


def test_kl_source_recon_zero_rate_region_uses_the_non_gaussian_law():
    problem = Problem(Gaussian(0.0, 1.0), "mse", "kl-source-recon")
    d_max = problem.zero_rate_distortion(0.05)
    s_P = min_reconstruction_std(1.0, KL("source||reconstruction"), 0.05)
    assert d_max < 1.0 + s_P**2  # the Gaussian reconstruction is not the least-moment law
    assert problem.rate(d_max, 0.05).upper == 0.0
    assert problem.rate(0.99 * d_max, 0.05).lower > 0.0


@pytest.mark.slow
def test_kl_source_recon_estimate_converges_inside_the_bounds():
    from rdp.discretization import kl_source_recon_estimate

    estimate = kl_source_recon_estimate(1.0, 0.6, 0.05, ns=(32, 64, 128))
    changes = np.abs(np.diff(0.5 * (np.array(estimate.lower) + np.array(estimate.upper))))
    assert changes[1] < changes[0] / 2  # converging in n
    assert estimate.bounds.lower - 1e-4 <= estimate.extrapolated <= estimate.bounds.upper


@given(
    variance=st.floats(0.1, 10),
    d=st.floats(0.01, 2.5),
    p=st.one_of(st.just(0.0), st.floats(0.0, 1.0)),
    kind=st.sampled_from(["w2", "kl-recon-source"]),
)
@example(variance=0.234375, d=1.0, p=2.0**-8, kind="kl-recon-source")  # was 8.7e-19 over P
def test_returned_channel_is_feasible_in_floating_point(variance, d, p, kind):
    """The channel meets D and P as evaluated (no slip, not even of 4e-16)."""
    D, P = d * variance, (p * variance if kind == "w2" else p)
    channel = Problem(Gaussian(0, variance), "mse", kind).rate(D, P).channel
    assert channel.mse() <= D
    s = channel.reconstruction_std
    if kind == "w2":
        assert (np.sqrt(variance) - s) ** 2 <= P
    elif s < np.sqrt(variance):  # at s = σ the law is the source's (KL = 0 up to rounding of t)
        assert kl_recon_source_nats(np.sqrt(variance), s) / LN2 <= P


def test_kl_source_recon_has_its_own_bounds_method():
    """KL(p_X‖p_X̂) goes to the bounds method; the closed-form class refuses it."""
    from rdp.closed_forms import closed_form
    from rdp.closed_forms.gaussian import GaussianMSE
    from rdp.closed_forms.gaussian_kl import GaussianKLSourceBounds, rate_bounds

    method = closed_form(Problem(Gaussian(0.0, 2.0), "mse", "kl-source-recon"))
    assert isinstance(method, GaussianKLSourceBounds)
    point = method.rate_point(0.6, 0.05)
    expected = rate_bounds(2.0, 0.6, 0.05)
    assert (point.lower, point.upper) == (expected.lower, expected.upper)
    assert point.lower < point.upper
    with pytest.raises(ValueError, match="KL"):
        GaussianMSE(0.0, 2.0, KL("source||reconstruction"))
    with pytest.raises(ValueError, match="perception"):
        GaussianKLSourceBounds(0.0, 2.0, KL("reconstruction||source"))
