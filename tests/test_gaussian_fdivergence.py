"""Gaussian / MSE / f-divergence perception: the bounds of rdp.closed_forms.gaussian_fdivergence.

Each check computes the quantity another way: divergences between Gaussians by
scipy's adaptive quadrature of the definitions (not the module's closed forms or its
Gauss–Legendre rule); s_P by a brute-force grid over s; the least second moment against
laws built independently (the χ² minimiser solved from its two equations with scipy,
random feasible mixtures); the bracket against the discretised problem solved by the
certified finite solver as n grows. Each has a twin that fails on a wrong instance.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from scipy import integrate, optimize

from rdp import ChiSquared, FDivergence, Gaussian, Hellinger, JensenShannon, Problem
from rdp.closed_forms import gaussian_fdivergence as gf
from rdp.status import Status

LN2 = math.log(2.0)
MEASURES = {
    "hellinger": Hellinger(),
    "js": JensenShannon(),
    "chi2-recon-source": ChiSquared("reconstruction||source"),
    "chi2-source-recon": ChiSquared("source||reconstruction"),
}


def phi(x, s=1.0):
    return np.exp(-0.5 * (x / s) ** 2) / (s * math.sqrt(2 * math.pi))


def definition(name: str, s: float) -> float:
    """D(N(0, s²) ‖ N(0, 1)) by adaptive quadrature of the textbook definition (JS in nats)."""

    def integrand(x):
        p, q = phi(x), phi(x, s)
        if name == "hellinger":
            return 0.5 * (math.sqrt(q) - math.sqrt(p)) ** 2
        if name == "chi2-recon-source":
            return (q - p) ** 2 / p if p > 0 else 0.0
        if name == "chi2-source-recon":
            return (p - q) ** 2 / q if q > 0 else 0.0
        m = 0.5 * (p + q)
        terms = [a * math.log(a / m) for a in (p, q) if a > 0]
        return 0.5 * sum(terms)

    body = integrate.quad(integrand, 0.0, 40.0, epsabs=1e-15, epsrel=1e-12, limit=400)[0]
    return 2.0 * (body + integrate.quad(integrand, 40.0, np.inf, epsabs=1e-15, limit=400)[0])


@pytest.mark.parametrize("name", list(MEASURES))
@pytest.mark.parametrize("s", [0.3, 0.75, 0.95])
def test_divergence_between_gaussians_matches_quadrature(name, s):
    if name == "chi2-source-recon" and s * s <= 0.5:
        assert gf.gaussian_divergence(MEASURES[name], s) == math.inf
        return
    got = gf.gaussian_divergence(MEASURES[name], s)
    assert got == pytest.approx(definition(name, s), rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("name", list(MEASURES))
def test_divergence_twin_rejects_another_deviation(name):
    got = gf.gaussian_divergence(MEASURES[name], 0.9)
    assert got != pytest.approx(definition(name, 0.9 * 1.01), rel=1e-6)


def test_neyman_chi2_is_infinite_below_the_threshold_and_finite_above():
    """χ²(p_X‖N(0, s²)) = ∫p²/q − 1 diverges iff s² ≤ ½: the quadrature grows with the range."""
    measure = MEASURES["chi2-source-recon"]
    assert gf.gaussian_divergence(measure, 0.7071) == math.inf
    finite = gf.gaussian_divergence(measure, 0.75)
    assert finite == pytest.approx(definition("chi2-source-recon", 0.75), 1e-9)
    # the twin: below the threshold the integral over [0, L] keeps growing with L
    s = 0.69

    def partial(top):
        def ratio(x):  # p²/q in logs: both underflow long before the ratio does
            return math.exp(-x * x * (1.0 - 0.5 / (s * s)) + math.log(s / math.sqrt(2 * math.pi)))

        return integrate.quad(ratio, 0.0, top, limit=400)[0]

    assert partial(30.0) > 10.0 * partial(10.0)


def brute_force_std(name: str, P_internal: float) -> float:
    """The least s on a grid of step 1e-4 whose divergence (by quadrature) is ≤ P."""
    grid = 1.0 - 1e-4 * np.arange(10000)
    best = 1.0
    for s in grid:
        if name == "chi2-source-recon" and s * s <= 0.5:
            break
        if definition(name, s) > P_internal:
            break
        best = s
    return float(best)


@pytest.mark.parametrize(("name", "P"), [("hellinger", 0.05), ("js", 0.05),
                                         ("chi2-recon-source", 0.3),
                                         ("chi2-source-recon", 0.3)])  # fmt: skip
def test_min_gaussian_std_matches_a_grid_search(name, P):
    internal = P * LN2 if name == "js" else P
    got = gf.gaussian_std(1.0, MEASURES[name], P)
    grid = brute_force_std(name, internal)
    assert grid - 1e-4 - 1e-12 < got <= grid
    assert definition(name, got) <= internal * (1 + 1e-9)


def test_min_gaussian_std_twin_rejects_js_read_in_nats():
    """Reading the JS level in nats instead of bits moves s_P off the grid's answer."""
    got = gf.gaussian_std(1.0, MEASURES["js"], 0.05 / LN2)  # 0.05 nats as if in bits
    grid = brute_force_std("js", 0.05 * LN2)
    assert not grid - 1e-4 < got <= grid


def test_point_mass_admitted_at_the_top_of_bounded_measures():
    """H² ≤ 1 and JS ≤ 1 bit: at those levels s_P = 0 and the least second moment is 0."""
    assert gf.gaussian_std(1.0, MEASURES["hellinger"], 1.0) == 0.0
    assert gf.gaussian_std(1.0, MEASURES["js"], 1.0) == 0.0
    assert gf.least_second_moment(MEASURES["hellinger"], 1.0).lower == 0.0
    assert gf.gaussian_std(1.0, MEASURES["hellinger"], 0.999) > 0.0
    assert gf.least_second_moment(MEASURES["hellinger"], 0.999).lower > 0.0


@cache
def pearson_minimiser(P: float) -> float:
    """min E_q z² over χ²(q‖N(0,1)) ≤ P, solved independently: q = φ(a − b z²)_+ with
    ∫q = 1 and ∫q²/φ = 1 + P (the stationarity condition of the Lagrangian), by fsolve."""

    def moments(a, b):
        top = math.sqrt(a / b)
        k = [2 * integrate.quad(lambda z, j=j: z**j * phi(z) * (a - b * z * z), 0, top,
                                epsabs=1e-15, epsrel=1e-13)[0] for j in (0, 2)]  # fmt: skip
        chi = 2 * integrate.quad(lambda z: phi(z) * (a - b * z * z) ** 2, 0, top,
                                 epsabs=1e-15, epsrel=1e-13)[0]  # fmt: skip
        return k[0], k[1], chi

    def equations(v):
        a, b = np.exp(v)
        mass, _, chi = moments(a, b)
        return [mass - 1.0, chi - (1.0 + P)]

    a, b = np.exp(optimize.fsolve(equations, [0.0, math.log(max(P, 1e-3))], xtol=1e-13))
    return moments(a, b)[1]


@pytest.mark.parametrize("P", [0.1, 1.0, 5.0])
def test_least_second_moment_of_pearson_ball_matches_an_independent_solution(P):
    got = gf.least_second_moment(MEASURES["chi2-recon-source"], P)
    reference = pearson_minimiser(P)
    assert got.lower <= reference * (1 + 1e-9)
    assert got.lower == pytest.approx(reference, rel=1e-8)
    assert got.upper == pytest.approx(reference, rel=1e-8)


def test_least_second_moment_twin_rejects_another_budget():
    got = gf.least_second_moment(MEASURES["chi2-recon-source"], 1.0)
    assert got.lower != pytest.approx(pearson_minimiser(1.1), rel=1e-4)


def feasible_mixtures(name: str, P_internal: float, rng, count=60):
    """Random symmetric two-scale Gaussian mixtures inside the ball (by quadrature)."""
    laws = []
    for _ in range(count):
        w = rng.uniform(0.05, 0.95)
        s1, s2 = rng.uniform(0.05, 1.0), rng.uniform(0.5, 1.3)

        def density(x, w=w, s1=s1, s2=s2):
            return w * phi(x, s1) + (1 - w) * phi(x, s2)

        def integrand(x, density=density):
            p, q = phi(x), density(x)
            if name == "hellinger":
                return 0.5 * (math.sqrt(q) - math.sqrt(p)) ** 2
            if name == "chi2-recon-source":
                return (q - p) ** 2 / p if p > 0 else 0.0
            if name == "chi2-source-recon":
                return (p - q) ** 2 / q if q > 0 else 0.0
            m = 0.5 * (p + q)
            return 0.5 * sum(a * math.log(a / m) for a in (p, q) if a > 0)

        div = 2 * integrate.quad(integrand, 0, 40, limit=400, epsrel=1e-10)[0]
        if div <= P_internal:
            laws.append((div, w * s1 * s1 + (1 - w) * s2 * s2))
    return laws


@pytest.mark.parametrize("name", list(MEASURES))
def test_every_feasible_mixture_has_at_least_the_dual_second_moment(name):
    P = {"hellinger": 0.05, "js": 0.05, "chi2-recon-source": 0.3, "chi2-source-recon": 0.3}[name]
    internal = P * LN2 if name == "js" else P
    lower = gf.least_second_moment(MEASURES[name], P).lower
    laws = feasible_mixtures(name, internal, np.random.default_rng(3))
    assert len(laws) >= 5
    assert all(moment >= lower for _, moment in laws)
    # and the dual is tight: the minimiser beats the best mixture, the Gaussian law too
    assert lower <= min(m for _, m in laws) and lower <= gf.gaussian_std(1, MEASURES[name], P) ** 2


def test_dual_twin_a_budget_too_large_is_beaten_by_a_feasible_mixture():
    """The dual computed at 4× the budget is below the best feasible mixture's moment for
    that 4× budget — so computed at the true budget it would be violated if wrong."""
    lower_small = gf.least_second_moment(MEASURES["hellinger"], 0.05).lower
    laws = feasible_mixtures("hellinger", 0.2, np.random.default_rng(3))
    assert any(moment < lower_small for _, moment in laws)


@pytest.mark.parametrize("name", ["hellinger", "chi2-recon-source", "chi2-source-recon"])
def test_user_generator_gives_the_named_bounds(name):
    """FDivergence with the same f (numerical conjugate) against the named measure."""
    fs = {
        "hellinger": (lambda t: 0.5 * (np.sqrt(t) - 1) ** 2, "reconstruction||source", 0.5),
        "chi2-recon-source": (lambda t: (t - 1.0) ** 2, "reconstruction||source", np.inf),
        "chi2-source-recon": (lambda t: (t - 1.0) ** 2, "source||reconstruction", np.inf),
    }
    f, direction, slope = fs[name]
    user = FDivergence(f, direction=direction, slope_at_infinity=slope)
    a, b = gf.rate_bounds(1.0, 0.8, user, 0.1), gf.rate_bounds(1.0, 0.8, MEASURES[name], 0.1)
    assert a.lower == pytest.approx(b.lower, rel=1e-7)
    assert a.upper == pytest.approx(b.upper, rel=1e-7)
    # the twin: twice the generator is a different ball
    twice = FDivergence(lambda t: 2.0 * f(t), direction=direction, slope_at_infinity=2 * slope)
    assert gf.rate_bounds(1.0, 0.8, twice, 0.1).lower != pytest.approx(b.lower, rel=1e-4)


@cache
def extrapolated(name: str, D: float, P: float) -> float:
    """The discretised problem at n = 256, 512, extrapolated assuming O(1/n²)."""
    mids = []
    for n in (256, 512):
        r = Problem(Gaussian(0, 1).discretize(n), "mse", name).rate(
            D, P, method="fast", tol=1e-9, progress=False
        )
        assert r.status == Status.CONVERGED
        mids.append(0.5 * (r.lower + r.upper))
    return mids[1] + (mids[1] - mids[0]) / 3.0


CASES = [("hellinger", 0.9, 0.1), ("chi2-source-recon", 0.9, 0.5)]


@pytest.mark.parametrize(("name", "D", "P"), CASES)
def test_discretised_problem_converges_into_the_bracket(name, D, P):
    bounds = gf.rate_bounds(1.0, D, MEASURES[name], P)
    value = extrapolated(name, D, P)
    allowance = 2e-6  # the next term of the extrapolation
    assert bounds.lower - allowance <= value <= bounds.upper + allowance


@pytest.mark.parametrize(("name", "D", "P"), CASES)
def test_discretised_twin_rejects_a_shifted_bracket(name, D, P):
    bounds = gf.rate_bounds(1.0, D, MEASURES[name], P)
    value = extrapolated(name, D, P)
    shifted = bounds.lower + 1e-4  # a lower bound 1e-4 bits too high would not hold
    assert not shifted - 2e-6 <= value


@pytest.mark.parametrize("name", list(MEASURES))
def test_problem_routes_to_the_bounds_and_scales_with_the_variance(name):
    """N(μ, σ²) at D is the standard problem at D/σ² (the divergences are affine-invariant)."""
    P = 0.1
    result = Problem(Gaussian(3.0, 4.0), "mse", name).rate(4.0 * 0.8, P)
    standard = gf.rate_bounds(1.0, 0.8, MEASURES[name], P)
    assert result.status == Status.BOUNDS
    assert result.method == f"bounds: gaussian-mse-{name}"
    assert (result.lower, result.upper) == pytest.approx((standard.lower, standard.upper), 1e-9)
    assert result.rate == pytest.approx(0.5 * (standard.lower + standard.upper), rel=1e-12)
    if result.channel is not None:  # the jointly Gaussian channel meets D
        assert result.channel.mse() <= 4.0 * 0.8 * (1 + 1e-9)
        assert result.channel.mutual_information() == pytest.approx(result.upper, rel=1e-9)
    twin = gf.rate_bounds(1.0, 0.8 * 4.0, MEASURES[name], P)  # D not rescaled
    assert (twin.lower, twin.upper) != pytest.approx((result.lower, result.upper), 1e-6)


@pytest.mark.parametrize("name", list(MEASURES))
def test_distortion_bounds_invert_the_rate_bounds(name):
    """D(R, P) bounds and R(D, P) bounds describe one bracket: R_lower(D_lower(R)) = R."""
    measure, P, R = MEASURES[name], 0.1, 0.3
    d = gf.distortion_bounds(1.0, R, measure, P)
    assert d.lower <= d.upper
    assert gf.rate_bounds(1.0, d.lower, measure, P).lower == pytest.approx(R, abs=1e-8)
    assert gf.rate_bounds(1.0, d.upper, measure, P).upper <= R + 1e-8
    assert gf.rate_bounds(1.0, d.upper * 0.99, measure, P).upper > R  # twin: a smaller D fails


def test_mixture_with_the_zero_rate_law_lowers_the_upper_bound_near_d_max():
    """Near D_max the mixed channel beats the Gaussian one; its rate is the chord value."""
    measure, P = MEASURES["hellinger"], 0.1
    zero = 1.0 + gf.least_second_moment(measure, P).upper
    s = gf.gaussian_std(1.0, measure, P)
    D = zero - 0.005
    b = gf.rate_bounds(1.0, D, measure, P)
    from rdp.closed_forms.gaussian import rate

    gaussian = rate(1.0, D, s)[0]
    assert b.reconstruction_std == 0.0 and b.upper < gaussian
    # the chord through (D₁, R_G(D₁)) and (D₀, 0) at any D₁ < D is above the reported upper
    for d1 in np.linspace(0.3 * D, D, 30):
        assert b.upper <= rate(1.0, d1, s)[0] * (zero - D) / (zero - d1) * (1 + 1e-9)
    assert b.lower <= b.upper


# ------------------------------------------------------------------ the gated channel


def brute_force_channel(name, beta, t, log_v, width, step=0.01, span=10.0):
    """(D, D_f, I(W) bits) of W' = (1 − δ)W + δφ, W ∝ r(y)e^{−β(x−y)²}, from the definitions
    on a uniform grid (numerical Z, the output law q' summed, I(W) as E ln W/q)."""
    from scipy.special import logsumexp

    from rdp.closed_forms.gaussian_fdivergence_channel import MIX

    x = np.arange(-span, span + step / 2, step)
    log_phi = -0.5 * x * x - 0.5 * math.log(2 * math.pi)
    log_r = logsumexp(-0.5 * ((x[:, None] - t[None, :]) / width) ** 2 + log_v[None, :], axis=1)
    exponent = -beta * (x[:, None] - x[None, :]) ** 2 + log_r[None, :]
    log_w = exponent - logsumexp(exponent, axis=1)[:, None] - math.log(step)  # density in y
    mass = step * np.exp(log_phi)
    w = np.exp(log_w)
    q = mass @ w
    joint = mass[:, None] * w * step
    d_w = float((joint * (x[:, None] - x[None, :]) ** 2).sum())
    rate = float((joint * (log_w - np.log(q)[None, :])).sum()) / LN2
    mixed = (1 - MIX) * q + MIX * np.exp(log_phi)
    gen = MEASURES[name].generator
    div = float(step * (np.exp(log_phi) * gen.f(mixed / np.exp(log_phi))).sum())
    return (1 - MIX) * d_w + 2 * MIX, div, rate


def _channel_pieces():
    t = np.array([-1.2, 0.0, 0.7])
    return t, np.log([0.3, 1.0, 0.5])


@pytest.mark.parametrize("name", list(MEASURES))
def test_gated_channel_quadrature_matches_the_definitions(name):
    from rdp.closed_forms.gaussian_fdivergence_channel import MIX, divergence

    t, log_v = _channel_pieces()
    got = divergence(MEASURES[name], 0.9, t, log_v, 0.4, 0.05)
    expected = brute_force_channel(name, 0.9, t, log_v, 0.4)
    assert got.distortion == pytest.approx(expected[0], rel=1e-9)
    assert got.perception == pytest.approx(expected[1], rel=1e-8)
    assert got.rate / (1 - MIX) == pytest.approx(expected[2], rel=1e-9)
    # the twin: a slope off by 0.1 % is told apart
    other = divergence(MEASURES[name], 0.9 * 1.001, t, log_v, 0.4, 0.05)
    assert (other.distortion, other.perception, other.rate) != pytest.approx(
        (got.distortion, got.perception, got.rate), rel=1e-6
    )


@pytest.mark.parametrize(("name", "D", "P"), CASES)
def test_gated_channel_meets_the_constraints_and_lands_above_the_discretised_value(name, D, P):
    """Re-evaluated by the brute-force definitions, the returned channel meets D and P; its
    rate is above the extrapolated discretised R and well below the Gaussian channel's."""
    from rdp.closed_forms.gaussian_fdivergence_channel import MIX, gated_channel, nodes

    gated = gated_channel(MEASURES[name], D, P)
    assert gated is not None
    t, _ = nodes(gated.spacing)
    d, div, rate = brute_force_channel(name, gated.slope, t, gated.log_weights, gated.spacing)
    assert d <= D * (1 + 1e-8) and div <= P * (1 + 1e-7)
    assert gated.rate == pytest.approx((1 - MIX) * rate, rel=1e-7)
    value = extrapolated(name, D, P)
    analytic = gf.rate_bounds(1.0, D, MEASURES[name], P)
    assert value - 2e-6 <= gated.rate < analytic.upper - 1e-3
    assert gated.rate - analytic.lower < 2e-4
    assert not gated.rate - 1e-4 >= value  # the twin: an upper bound 1e-4 lower would fail


@pytest.mark.parametrize(("name", "D", "P"), CASES)
def test_gated_dual_bound_is_below_the_channel_and_the_discretised_limit(name, D, P):
    """The dual bound (weak duality) stays below the gated channel's rate and below the
    extrapolated discretised R; it is far above the analytic lower bound."""
    from rdp.closed_forms.gaussian_fdivergence_channel import gated_channel

    gated = gated_channel(MEASURES[name], D, P)
    analytic = gf.rate_bounds(1.0, D, MEASURES[name], P)
    value = extrapolated(name, D, P)
    assert analytic.lower + 5e-6 < gated.lower <= gated.rate
    assert gated.lower <= value + 3e-6  # the next term of the extrapolation
    assert not gated.lower + 1e-5 <= value + 3e-6  # twin: a bound 1e-5 higher would not hold


def test_gated_dual_twin_a_wrong_distortion_exceeds_the_channel():
    """Evaluated at 0.97 D (a wrong instance), the dual bound rises above the rate of the
    channel that meets D: the ordering check above would catch such a mix-up."""
    from rdp.closed_forms.gaussian_fdivergence_channel import (
        divergence,
        dual_bound,
        gated_channel,
        nodes,
    )

    gated = gated_channel(MEASURES["hellinger"], 0.9, 0.1)
    t, _ = nodes(gated.spacing)
    values = divergence(MEASURES["hellinger"], gated.slope, t, gated.log_weights,
                        gated.spacing, gated.step).channel  # fmt: skip
    assert dual_bound(MEASURES["hellinger"], values, 0.9, 0.1) <= gated.rate
    assert dual_bound(MEASURES["hellinger"], values, 0.97 * 0.9, 0.1) > gated.rate


def test_gated_method_narrows_the_bracket_from_both_ends():
    problem = Problem(Gaussian(0.0, 4.0), "mse", "hellinger")
    analytic = problem.rate(3.6, 0.1)
    gated = problem.rate(3.6, 0.1, method="gaussian-f-gated")
    assert gated.method == "bounds: gaussian-mse-hellinger, gated channel"
    assert gated.lower > analytic.lower + 1e-6 and gated.upper < analytic.upper - 1e-3
    assert gated.upper - gated.lower < 1e-4
    assert gated.rate == pytest.approx(0.5 * (gated.lower + gated.upper), rel=1e-12)
    with pytest.raises(ValueError, match="gaussian-f-gated"):
        Problem(Gaussian(0.0, 1.0), "mse", "w2").rate(0.5, 0.1, method="gaussian-f-gated")
