"""Vector Gaussian / MSE closed form (Qian et al. 2024; Serra et al. 2024) vs independent methods.

The references here are computed without the module under test: a generic
constrained optimiser (SLSQP from several starts) over the per-component
allocation, the scalar Gaussian closed form, reverse water-filling and the
P = 0 formula by plain bisection, and Gaussian W₂/KL between full covariance
matrices.
"""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize
from strategies import eigenvalues as eigenvalues_st

from rdp import KL, Gaussian, GaussianVector, Problem, Wasserstein
from rdp.closed_forms.gaussian_vector import (
    GaussianVectorMSE,
    perfect_perception_allocation,
    reverse_water_filling,
    two_multiplier_water_filling,
    zero_rate_distortion,
)

LN2 = np.log(2.0)
PERCEPTIONS = ["w2", "kl-recon-source", "kl-source-recon"]


# ----------------------------------------------------------- independent references


def phi(kind, sigma, s):
    """Per-component perception of N(0, s²) against N(0, σ²) (KL in bits)."""
    if kind == "w2":
        return (sigma - s) ** 2
    t = (s / sigma) ** 2
    if kind == "kl-recon-source":
        return 0.5 * (t - 1 - np.log(t)) / LN2
    return 0.5 * (1 / t - 1 + np.log(t)) / LN2


def slsqp_rate(eigenvalues, kind, D, P, starts=4, seed=0):
    """min Σ r_i s.t. Σ(σ² + s² − 2σs√(1−2^{−2r})) ≤ D, Σ φ(s) ≤ P, by SLSQP from several starts.

    Returns the best rate among the runs that meet both constraints (to 1e-10)."""
    lam = np.asarray(eigenvalues, dtype=float)
    sigma = np.sqrt(lam)
    n = lam.size
    rng = np.random.default_rng(seed)

    def unpack(z):
        return z[:n], z[n:]

    def distortion(z):
        r, s = unpack(z)
        return np.sum(lam + s * s - 2 * sigma * s * np.sqrt(1 - 2.0 ** (-2 * r)))

    cons = [
        {"type": "ineq", "fun": lambda z: D - distortion(z)},
        {"type": "ineq", "fun": lambda z: P - np.sum(phi(kind, sigma, unpack(z)[1]))},
    ]
    bounds = [(1e-9, 30.0)] * n + [(1e-6 * sg, sg) for sg in sigma]
    best = np.inf
    for _ in range(starts):
        z0 = np.concatenate([rng.uniform(0.1, 3.0, n), sigma * rng.uniform(0.5, 1.0, n)])
        res = minimize(
            lambda z: np.sum(z[:n]),
            z0,
            jac=lambda z: np.concatenate([np.ones(n), np.zeros(n)]),
            method="SLSQP",
            bounds=bounds,
            constraints=cons,
            options={"ftol": 1e-14, "maxiter": 1000},
        )
        if distortion(res.x) <= D + 1e-10 and np.sum(phi(kind, sigma, res.x[n:])) <= P + 1e-10:
            best = min(best, float(np.sum(res.x[:n])))
    return best


def bisection_reverse_water_filling(eigenvalues, D):
    """R(D) = Σ ½ log(σ²/min(θ, σ²)) with Σ min(θ, σ²) = D, θ by bisection."""
    lam = np.asarray(eigenvalues, dtype=float)
    theta = brentq(lambda t: np.minimum(t, lam).sum() - D, 0.0, lam.max(), xtol=1e-15)
    return float(np.sum(0.5 * np.log2(lam / np.minimum(theta, lam))))


def textbook_perfect_perception_distortion(eigenvalues, R):
    """D(R, 0) from the P = 0 water-filling: x_i = (−θ² + √(θ⁴ + 4σ_i⁴θ²))/(2σ_i⁴), Σ R_i = R."""
    lam = np.asarray(eigenvalues, dtype=float)

    def x_of(theta):
        return (-(theta**2) + np.sqrt(theta**4 + 4 * lam**2 * theta**2)) / (2 * lam**2)

    log_theta = brentq(lambda lt: np.sum(-0.5 * np.log2(x_of(np.exp(lt)))) - R, -30, 8)
    x = x_of(np.exp(log_theta))
    return float(np.sum(2 * lam * (1 - np.sqrt(1 - x))))


def gaussian_w2_squared(cov_a, cov_b):
    """W₂²(N(m, A), N(m, B)) = tr(A + B − 2(A^½ B A^½)^½) (Dowson & Landau 1982)."""
    root_a = scipy.linalg.sqrtm(cov_a).real
    cross = scipy.linalg.sqrtm(root_a @ cov_b @ root_a).real
    return float(np.trace(cov_a + cov_b - 2 * cross))


def gaussian_kl_bits(cov_p, cov_q):
    """KL(N(m, P) ‖ N(m, Q)) in bits."""
    n = cov_p.shape[0]
    inv_q = np.linalg.inv(cov_q)
    nats = 0.5 * (
        np.trace(inv_q @ cov_p) - n + np.linalg.slogdet(cov_q)[1] - np.linalg.slogdet(cov_p)[1]
    )
    return float(nats / LN2)


def random_rotation(n, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def problem(eigenvalues, kind, rotation_seed=None):
    cov = np.diag(eigenvalues)
    if rotation_seed is not None:
        q = random_rotation(len(eigenvalues), rotation_seed)
        cov = q @ cov @ q.T
    return Problem(GaussianVector(cov), "mse", kind)


EIGS = [4.0, 1.0, 0.25]


# ----------------------------------------------------- (a) generic constrained optimiser


def test_inner_minimum_is_global_on_a_dense_grid():
    """The dual bound needs each component's min over (R_i, s_i) of R + μD + νφ exactly:
    compare the solver's minimiser with a dense grid in s (R optimal for each s, in closed
    form ρ/(1−ρ²) = 2 ln2 μσs) over random (σ², μ, ν)."""
    from rdp.closed_forms.gaussian_vector import _inner

    rng = np.random.default_rng(5)
    for case in range(150):
        kind = PERCEPTIONS[case % 3]
        variance = rng.uniform(0.05, 5.0)
        mu, nu = np.exp(rng.uniform(-4, 4)), np.exp(rng.uniform(-6, 6))
        inner = _inner(np.array([variance]), kind, mu, nu)
        found = inner.rates[0] + mu * inner.distortions[0] + nu * inner.perceptions[0]
        sigma = np.sqrt(variance)
        s = np.linspace(1e-6, 1.0, 20001) * sigma
        a = 2 * LN2 * mu * sigma * s
        rho = 2 * a / (1 + np.sqrt(1 + 4 * a * a))
        grid = (
            -0.5 * np.log2(1 - rho**2)
            + mu * (variance + s * s - 2 * sigma * s * rho)
            + nu * phi(kind, sigma, s)
        )
        assert found <= grid.min() + 1e-12


@pytest.mark.parametrize("kind", PERCEPTIONS)
@pytest.mark.parametrize(("D", "P"), [(1.0, 0.1), (3.0, 0.3), (0.4, 0.02)])
def test_rate_matches_slsqp_and_bounds_bracket_it(kind, D, P):
    result = problem(EIGS, kind).rate(D, P)
    reference = slsqp_rate(EIGS, kind, D, P)
    assert result.feasible
    assert result.lower <= result.rate <= result.upper
    # the certified lower bound cannot exceed any feasible allocation's rate
    assert result.lower <= reference + 1e-9
    if kind == "kl-source-recon":  # no closed form: Gaussian upper bound, Shannon ≤ lower
        assert result.upper == pytest.approx(reference, abs=2e-6)  # best Gaussian allocation
        assert result.rate == pytest.approx(0.5 * (result.lower + result.upper), abs=1e-12)
        assert result.status == "bounds"
        assert result.lower >= bisection_reverse_water_filling(EIGS, D) - 1e-9
        assert result.upper - result.lower > 1e-4
    else:
        assert result.rate == pytest.approx(reference, abs=2e-6)  # the best Gaussian allocation
        assert result.upper - result.lower <= 1e-9


def test_every_component_gets_rate_when_both_constraints_bind():
    # reverse water-filling would leave the 0.25 component at zero rate (θ = 0.5)
    result = problem(EIGS, "w2").rate(1.25, 0.05)
    assert result.diagnostics["regime"] == "two-multiplier water-filling"
    assert reverse_water_filling(EIGS, D=1.25).rates[-1] == 0.0
    assert min(result.diagnostics["component_rates"]) > 1e-3


# ------------------------------------------------------------------- (b) scalar case


@pytest.mark.parametrize("kind", PERCEPTIONS)
@pytest.mark.parametrize("D", [0.5, 1.9])
def test_one_component_at_perfect_perception(kind, D):
    # Zhang et al. 2021, Thm 2 at P = 0: D(R, 0) = 2σ²(1 − √(1 − 2^{−2R})), so
    # R(D, 0) = −½log₂(1 − (1 − D/2σ²)²)
    variance = 2.0
    vector = Problem(GaussianVector([[variance]], [0.7]), "mse", kind)
    expected = -0.5 * np.log2(1 - (1 - D / (2 * variance)) ** 2)
    assert vector.rate(D, 0.0).rate == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("kind", [*PERCEPTIONS, "none"])
@pytest.mark.parametrize(("D", "P"), [(0.3, 0.1), (0.8, 0.02), (1.5, 0.5), (0.5, 1e-4)])
def test_one_component_equals_scalar_closed_form(kind, D, P):
    P = np.inf if kind == "none" else P  # a finite P without a perception measure is an error
    variance = 2.0
    vector = Problem(GaussianVector([[variance]], [0.7]), "mse", kind)
    scalar = Problem(Gaussian(0.7, variance), "mse", kind)
    # KL(p_X‖p_X̂): bounds only, the scalar value is their midpoint; both ends must agree
    ends = ("lower", "upper") if kind == "kl-source-recon" else ("rate",)
    for end in ends:
        assert getattr(vector.rate(D, P), end) == pytest.approx(
            getattr(scalar.rate(D, P), end), abs=1e-9
        )
    R = scalar.rate(D, P).upper
    for end in ("lower", "upper") if kind == "kl-source-recon" else ("distortion",):
        assert getattr(vector.distortion(R, P), end) == pytest.approx(
            getattr(scalar.distortion(R, P), end), abs=1e-9
        )
    assert vector.zero_rate_distortion(P) == pytest.approx(scalar.zero_rate_distortion(P))


# ------------------------------------------------------------------- (c) P → ∞


@pytest.mark.parametrize("kind", ["w2", "none"])
@pytest.mark.parametrize("D", [0.1, 0.9, 2.0, 5.0])
def test_large_perception_budget_is_reverse_water_filling(kind, D):
    expected = bisection_reverse_water_filling(EIGS, D)
    P = np.inf if kind == "none" else 1e3
    result = problem(EIGS, kind).rate(D, P)
    assert result.rate == pytest.approx(expected, abs=1e-12)
    assert result.diagnostics["regime"] in ("reverse water-filling", "zero-rate")


@pytest.mark.parametrize(
    ("kind", "budgets"), [("kl-recon-source", (2.0, 8.0)), ("kl-source-recon", (100.0, 1000.0))]
)
@pytest.mark.parametrize("D", [0.1, 0.9, 2.0])
def test_kl_approaches_reverse_water_filling(kind, budgets, D):
    # a component left at zero rate by reverse water-filling has s_i = 0, infinite KL: for
    # finite P the rate stays above R(D), approaching it as P grows
    expected = bisection_reverse_water_filling(EIGS, D)
    method = problem(EIGS, kind)
    gaps = [method.rate(D, P).rate - expected for P in budgets]
    assert -1e-12 <= gaps[1] <= gaps[0] <= 0.1
    assert gaps[1] <= 1e-3


def test_reverse_water_filling_inverse():
    for R in [0.1, 1.0, 2.5, 7.0]:
        D = reverse_water_filling(EIGS, R=R).distortion
        assert bisection_reverse_water_filling(EIGS, D) == pytest.approx(R, abs=1e-10)


# ------------------------------------------------------------------- (d) P = 0


@pytest.mark.parametrize("R", [0.2, 1.0, 3.0, 8.0])
def test_perfect_perception_closed_form(R):
    textbook = textbook_perfect_perception_distortion(EIGS, R)
    allocation = perfect_perception_allocation(EIGS, R=R)
    assert allocation.lower <= allocation.distortion <= allocation.upper
    assert allocation.distortion == pytest.approx(textbook, rel=1e-10)
    assert np.all(allocation.rates > 0)
    for kind in PERCEPTIONS:
        assert problem(EIGS, kind).distortion(R, 0.0).distortion == pytest.approx(
            textbook, rel=1e-10
        )


@pytest.mark.parametrize("kind", PERCEPTIONS)
@pytest.mark.parametrize("D", [0.5, 2.0, 6.0])
def test_perfect_perception_against_general_solver_and_slsqp(kind, D):
    exact = problem(EIGS, kind).rate(D, 0.0)
    assert exact.diagnostics["regime"] == "perfect perception"
    # the two-multiplier solver at a tiny budget approaches P = 0 from below
    # (the gap shrinks like √P: ~1e-5 bits at P = 1e-10, ~1e-6 at P = 1e-12)
    nearly = two_multiplier_water_filling(EIGS, kind, P=1e-10, D=D)
    nearer = two_multiplier_water_filling(EIGS, kind, P=1e-12, D=D)
    assert nearly.diagnostics["regime"] == "two-multiplier water-filling"
    assert 0.0 <= exact.rate - nearer.upper <= exact.rate - nearly.upper <= 1e-4
    assert exact.rate - nearer.upper <= 0.2 * (exact.rate - nearly.upper)
    # SLSQP with s_i = σ_i fixed (P = 0): optimise the rates only
    lam = np.asarray(EIGS)
    cons = [{"type": "ineq", "fun": lambda r: D - np.sum(2 * lam * (1 - np.sqrt(1 - 4.0**-r)))}]
    res = minimize(
        np.sum, np.ones(3), method="SLSQP", bounds=[(1e-9, 30)] * 3, constraints=cons,
        options={"ftol": 1e-14},
    )  # fmt: skip
    assert exact.rate == pytest.approx(res.fun, abs=1e-6)


# ------------------------------------------------------------- (e) rotation invariance


@pytest.mark.parametrize("kind", [*PERCEPTIONS, "none"])
def test_rotation_invariance(kind):
    D, P = [0.6, 2.0, 4.0], [0.05, 0.2, 0.01] if kind != "none" else np.inf
    diagonal = problem(EIGS, kind).rate(D, P)
    rotated = problem(EIGS, kind, rotation_seed=3).rate(D, P)
    np.testing.assert_allclose(rotated.rate, diagonal.rate, atol=1e-9)


# ------------------------------------------------------------- (f) property tests

kind_st = st.sampled_from(PERCEPTIONS)
budget_st = st.floats(0.0, 1.0)


@settings(max_examples=20, deadline=None)
@given(eigenvalues_st, kind_st, st.floats(0.05, 0.95), budget_st, budget_st)
def test_monotone_in_D_and_P_with_ordered_bounds(eigs, kind, d_frac, p1, p2):
    method = GaussianVectorMSE(GaussianVector(np.diag(eigs)), _perception(kind))
    d_max = method.zero_rate_distortion(0.0)
    D = d_frac * d_max
    P_lo, P_hi = sorted([p1, p2])
    at = method.rate_point(D, P_lo)
    assert at.lower <= at.value <= at.upper
    if kind == "kl-source-recon":  # bounds: each of them is monotone
        for other in (method.rate_point(D, P_hi), method.rate_point(min(1.2 * D, d_max), P_lo)):
            assert other.upper <= at.upper + 1e-9 and other.lower <= at.lower + 1e-9
        return
    assert at.upper - at.lower <= 1e-9
    assert method.rate_point(D, P_hi).upper <= at.lower + 1e-9
    assert method.rate_point(min(1.2 * D, d_max), P_lo).upper <= at.lower + 1e-9


@settings(max_examples=20, deadline=None)
@given(eigenvalues_st, kind_st, st.floats(0.02, 4.0), budget_st)
def test_distortion_inverts_rate(eigs, kind, R, P):
    method = GaussianVectorMSE(GaussianVector(np.diag(eigs)), _perception(kind))
    d = method.distortion_point(R, P)
    assert d.lower <= d.value <= d.upper
    # the achievable ends invert each other (for KL(p_X‖p_X̂) the value is the midpoint)
    r = method.rate_point(d.upper, P)
    assert r.upper == pytest.approx(R, abs=1e-7)
    if kind != "kl-source-recon":
        assert (d.value, r.value) == (d.upper, r.upper)


def _perception(kind):
    if kind == "w2":
        return Wasserstein(2)
    if kind == "kl-recon-source":
        return KL("reconstruction||source")
    return KL("source||reconstruction")


# ---------------------------------------------------- (g) the channel meets its claims


@pytest.mark.parametrize("kind", PERCEPTIONS)
@pytest.mark.parametrize(("D", "P"), [(1.0, 0.1), (2.5, 0.01), (0.3, 0.5), (2.0, 0.0)])
def test_channel_meets_constraints(kind, D, P):
    q = random_rotation(3, 7)
    cov = q @ np.diag(EIGS) @ q.T
    result = Problem(GaussianVector(cov, [1.0, -2.0, 0.5]), "mse", kind).rate(D, P)
    channel = result.channel
    assert channel.mse() <= D * (1 + 1e-13)  # re-evaluated in another formula: rounding only
    # the channel achieves the upper end (= the rate, except for the KL(p_X‖p_X̂) bracket)
    assert channel.mutual_information() == pytest.approx(result.upper, abs=1e-9)
    basis = channel.basis
    recon_cov = basis @ np.diag([c.reconstruction_std**2 for c in channel.components]) @ basis.T
    if kind == "w2":
        perception = gaussian_w2_squared(cov, recon_cov)
    elif kind == "kl-recon-source":
        perception = gaussian_kl_bits(recon_cov, cov)
    else:
        perception = gaussian_kl_bits(cov, recon_cov)
    assert perception <= P + 1e-9
    # joint second moments: E‖X − X̂‖² from the cross-covariance equals the channel's mse
    sigma = np.sqrt(np.asarray(EIGS))
    cross = sum(
        c.correlation * sd * c.reconstruction_std
        for c, sd in zip(channel.components, sigma, strict=True)
    )
    mse = np.trace(cov) + np.trace(recon_cov) - 2 * cross
    assert mse == pytest.approx(channel.mse(), rel=1e-9)


def test_channel_samples_have_the_claimed_mse():
    source = GaussianVector(np.array([[2.0, 0.6], [0.6, 1.0]]), [0.5, -1.0])
    result = Problem(source, "mse", "w2").rate(0.8, 0.05)
    channel = result.channel
    rng = np.random.default_rng(0)
    x = rng.multivariate_normal(source.mean, source.covariance, size=200_000)
    coords = (x - source.mean) @ channel.basis + channel.basis.T @ source.mean
    x_hat_coords = np.column_stack(
        [c.sample(coords[:, i], rng) for i, c in enumerate(channel.components)]
    )
    x_hat = x_hat_coords @ channel.basis.T
    assert np.mean(np.sum((x - x_hat) ** 2, axis=1)) == pytest.approx(0.8, rel=0.02)


# ------------------------------------------------------------ zero rate, D_max(P)


@pytest.mark.parametrize("kind", PERCEPTIONS)
@pytest.mark.parametrize("P", [0.0, 0.05, 0.5, 3.0])
def test_zero_rate_distortion(kind, P):
    lam = np.asarray(EIGS)
    sigma = np.sqrt(lam)
    d_max = zero_rate_distortion(lam, kind, P).distortion
    if kind == "w2":
        expected = lam.sum() + max(np.sqrt(lam.sum()) - np.sqrt(P), 0.0) ** 2
    elif P == 0.0:  # perfect perception: X̂ ~ p_X independent of X
        expected = 2 * lam.sum()
    else:  # SLSQP: min Σ s² s.t. Σ φ(s) ≤ P
        res = minimize(
            lambda s: np.sum(s * s), sigma * 0.9, method="SLSQP",
            bounds=[(1e-6 * sg, sg) for sg in sigma],
            constraints=[{"type": "ineq", "fun": lambda s: P - np.sum(phi(kind, sigma, s))}],
            options={"ftol": 1e-15},
        )  # fmt: skip
        expected = lam.sum() + res.fun
    assert d_max == pytest.approx(expected, abs=1e-7)  # least over Gaussian reconstructions
    method = GaussianVectorMSE(GaussianVector(np.diag(EIGS)), _perception(kind))
    if kind == "kl-source-recon" and P > 0:  # a non-Gaussian law has a smaller second moment
        assert method.zero_rate_distortion(P) < d_max - 1e-6
        d_max = method.zero_rate_distortion(P)
    assert method.rate_point(d_max, P).value == 0.0
    assert method.rate_point(d_max * (1 - 1e-3), P).value > 0.0
    assert method.min_distortion(P) == 0.0


# ------------------------------------------------------------------- (h) bad input


def test_non_positive_definite_covariance_raises():
    with pytest.raises(ValueError, match="covariance"):
        GaussianVector([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="covariance"):
        GaussianVector([[1.0, 0.5], [0.0, 1.0]])


def test_unsupported_perception_and_bad_budgets():
    source = GaussianVector(np.diag(EIGS))
    with pytest.raises(ValueError, match="no closed form"):
        Problem(source, "mse", "w1").rate(1.0, 0.1, method="closed-form")
    with pytest.raises(ValueError, match="D"):
        two_multiplier_water_filling(EIGS, "w2", P=0.1, D=-1.0)
    with pytest.raises(ValueError, match="eigenvalues"):
        reverse_water_filling([1.0, -1.0], D=0.5)
    with pytest.raises(ValueError, match="exactly one"):
        perfect_perception_allocation(EIGS, R=1.0, D=1.0)


def test_zero_distortion_needs_infinite_rate():
    result = problem(EIGS, "w2").rate(0.0, 0.1)
    assert result.rate == np.inf and result.feasible


def test_kl_source_recon_vector_bounds_match_the_scalar_ones():
    """One component: the vector dual bound equals the scalar formula; D_max agrees too."""
    scalar = Problem(Gaussian(0.0, 2.0), "mse", "kl-source-recon")
    vector = Problem(GaussianVector(np.diag([2.0])), "mse", "kl-source-recon")
    for D, P in [(0.6, 0.05), (1.5, 0.3), (0.2, 1.0)]:
        a, b = scalar.rate(D, P), vector.rate(D, P)
        assert b.lower == pytest.approx(a.lower, abs=1e-7)
        assert b.upper == pytest.approx(a.upper, abs=1e-7)
        assert vector.zero_rate_distortion(P) == pytest.approx(scalar.zero_rate_distortion(P))
