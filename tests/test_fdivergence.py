"""f-divergence perception: the measures, their conjugates, the ball's support function, R(D, P).

References computed another way: scipy's Jensen–Shannon distance and direct sums
(``tests/references.py``) for the values; a brute-force maximum on a fine grid for the
conjugates; a conic program written directly in cvxpy with other atoms (geometric
means, ``kl_div``, ``quad_over_lin``) for the support function and for R(D, P). Each
check has a twin that shows it fails on a wrong instance.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import references as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from strategies import pmfs

from rdp import Discrete, Problem
from rdp import fgenerators as fg
from rdp.perceptions import (
    ChiSquared,
    FDivergence,
    Hellinger,
    JensenShannon,
    perception_from_name,
)
from rdp.solvers import fdivergence

GENERATORS = {
    "pearson": fg.PearsonChi2(),
    "neyman": fg.NeymanChi2(),
    "hellinger": fg.SquaredHellinger(),
    "js": fg.JensenShannon(),
}


@st.composite
def pmf_pairs(draw):
    p = draw(pmfs(min_size=2, max_size=8))
    weights = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=p.size, max_size=p.size)))
    return p, weights / weights.sum()


# ---------------------------------------------------------------- values
@given(pmf_pairs())
@settings(max_examples=40, deadline=None)
def test_values_match_direct_sums_and_scipy(pair):
    p, q = pair
    assert Hellinger().divergence(p, q) == pytest.approx(1 - np.sqrt(p * q).sum(), abs=1e-13)
    assert JensenShannon().divergence(p, q) == pytest.approx(
        jensenshannon(p, q, base=2) ** 2, abs=1e-12
    )
    assert JensenShannon().divergence(p, q, units="nats") == pytest.approx(
        jensenshannon(p, q) ** 2, abs=1e-12
    )
    pearson = ((q - p) ** 2 / p).sum()
    neyman = ((p - q) ** 2 / q).sum()
    assert ChiSquared("reconstruction||source").divergence(p, q) == pytest.approx(pearson)
    assert ChiSquared("source||reconstruction").divergence(p, q) == pytest.approx(neyman)
    user = FDivergence(lambda t: (t - 1.0) ** 2)
    assert user.divergence(p, q) == pytest.approx(pearson, rel=1e-12)
    reverse = FDivergence(lambda t: (t - 1.0) ** 2, direction="source||reconstruction")
    assert reverse.divergence(p, q) == pytest.approx(neyman, rel=1e-12)
    for kind in ref.F_PERCEPTION_KINDS:
        x = np.arange(p.size, dtype=float)
        mine = perception_from_name(kind).divergence(p, q)
        assert mine == pytest.approx(ref.perception_value(kind, p, x, q, x), rel=1e-10, abs=1e-14)


def test_values_twin_wrong_conventions_disagree():
    """JS in nats or Hellinger without the ½ is not what the references compute."""
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    assert (
        abs(JensenShannon().divergence(p, q, units="nats") - jensenshannon(p, q, base=2) ** 2)
        > 1e-3
    )
    assert abs(((np.sqrt(p) - np.sqrt(q)) ** 2).sum() - Hellinger().divergence(p, q)) > 1e-3


def test_disjoint_and_off_support_limits():
    """Disjoint laws: JS = 1 bit, H² = 1; mass where p has none: χ²(q‖p) = ∞, χ²(p‖q) finite."""
    assert JensenShannon().divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(1.0)
    assert Hellinger().divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(1.0)
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.4, 0.4, 0.2])
    assert ChiSquared("reconstruction||source").divergence(p, q) == np.inf
    assert ChiSquared("source||reconstruction").divergence(p, q) == pytest.approx(
        0.01 / 0.4 * 2 + 0.2
    )


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"f": lambda t: (t - 2.0) ** 2}, "f\\(1\\) = 0"),
        ({"f": lambda t: -np.log(t) * (t - 1.0) ** 2 + 0 * t}, "convex"),
        ({"f": lambda t: np.abs(t - 1.0) * 0.5, "slope_at_infinity": 0.1}, "slope_at_infinity"),
        ({"f": lambda t: t * np.log(t)}, "f0"),
        ({"f": 3.0}, "callable"),
        ({"f": lambda t: (t - 1.0) ** 2, "direction": "up"}, "direction"),
        ({"f": lambda t: np.maximum(t - 1.0, 0.0) * 0}, "strictly convex"),
    ],
)
def test_fdivergence_rejects_bad_generators(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FDivergence(**kwargs)


def test_names_are_accepted_by_problem():
    source = Discrete([0.5, 0.5])
    for name in ref.F_PERCEPTION_KINDS:
        assert Problem(source, "hamming", name).perception_measure.kind == name
    with pytest.raises(ValueError, match="perception must be one of"):
        Problem(source, "hamming", "hellinger2")


# ---------------------------------------------------------------- conjugates
@pytest.mark.parametrize("name", GENERATORS)
def test_conjugates_match_brute_force_and_the_certified_numeric_bound(name):
    gen = GENERATORS[name]
    s = np.linspace(-6.0, min(gen.slope_inf, 3.0) - 1e-3, 60)
    exact, arg = gen.conjugate(s)
    t = np.concatenate([[0.0], np.logspace(-9, 7, 400_001)])
    with np.errstate(all="ignore"):
        values = gen.f(t)
    brute = np.array([np.max(si * t - values) for si in s])
    # the grid maximum is below the supremum, close to it
    assert np.all(brute <= exact + 1e-12)
    assert np.all(exact - brute <= 1e-6 * (1 + np.abs(exact)))
    # the maximiser attains it
    with np.errstate(all="ignore"):
        attained = s * arg - gen.f(arg)
    assert np.allclose(attained, exact, atol=1e-10)
    numeric = fg.NumericGenerator(gen.f, gen.f0, gen.slope_inf).conjugate(s)[0]
    assert np.all(numeric >= exact - 1e-13)  # an upper bound: the certificate stays valid
    assert np.all(numeric - exact <= 1e-9 * (1 + np.abs(exact)))


def test_conjugate_twin_wrong_closed_form_is_caught():
    """A Pearson conjugate s + s²/8 (instead of s²/4) falls below the brute-force maximum."""
    s = np.linspace(-1.5, 2.0, 30)
    t = np.linspace(0.0, 10.0, 100_001)
    brute = np.array([np.max(si * t - (t - 1) ** 2) for si in s])
    wrong = s + s**2 / 8
    assert np.any(brute > wrong + 1e-3)


# ---------------------------------------------------------------- the ball's support function
def _primal_support(gen, g, p, P):
    import cvxpy as cp

    q = cp.Variable(p.size, nonneg=True)
    on, off = np.flatnonzero(p > 0), np.flatnonzero(p <= 0)
    expr, side = fg.cvxpy_terms(gen.cvxpy(q[on], p[on]))
    cons = [cp.sum(q) == 1, *side]
    if off.size:
        if np.isfinite(gen.slope_inf):
            expr = expr + gen.slope_inf * cp.sum(q[off])
        else:
            cons.append(q[off] == 0)
    problem = cp.Problem(cp.Maximize(g @ q), [*cons, expr <= P])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        problem.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    return float(problem.value)


@pytest.mark.parametrize("name", GENERATORS)
@given(seed=st.integers(0, 2**31), P=st.floats(0.005, 0.3), hole=st.booleans())
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_support_function_is_an_upper_bound_and_tight(name, seed, P, hole):
    pytest.importorskip("cvxpy")
    gen = GENERATORS[name]
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(6))
    if hole:  # a reconstruction value without source mass
        p[2] = 0.0
        p /= p.sum()
    g = rng.normal(size=6)
    g -= g.max()
    dual = fdivergence.support(g, gen, p, 0.0, P)
    primal = _primal_support(gen, g, p, P)
    assert dual >= primal - 1e-8
    assert dual <= primal + 1e-7
    # twin: the same dual at another level misses the primal value. Where the ball at P
    # already holds the best vertex (max g = 0) a larger ball has the same value, so the twin
    # takes a level below that vertex's divergence (the ball then excludes it).
    top = np.zeros(6)
    top[int(np.argmax(g))] = 1.0
    vertex = fdivergence.divergence(gen, top, p, 0.0)
    level = 2.0 * P if primal < -1e-6 else 0.5 * min(P, vertex)
    assert abs(fdivergence.support(g, gen, p, 0.0, level) - primal) > 1e-6


@pytest.mark.parametrize("name", GENERATORS)
@given(seed=st.integers(0, 2**31), P=st.floats(0.005, 0.3), hole=st.booleans())
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_ball_law_attains_the_primal_support_value(name, seed, P, hole):
    pytest.importorskip("cvxpy")
    gen = GENERATORS[name]
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(6))
    if hole:
        p[2] = 0.0
        p /= p.sum()
    g = rng.normal(size=6)
    g -= g.max()
    top = np.zeros(6)
    top[int(np.argmax(g))] = 1.0
    if fdivergence.divergence(gen, top, p, 0.0) <= P:
        return  # the best vertex is inside: no multiplier, nothing to find
    primal = _primal_support(gen, g, p, P)
    q = fdivergence.ball_law(g, gen, p, 0.0, P, 1.0)  # from a multiplier far off
    assert q is not None
    assert abs(q.sum() - 1.0) < 1e-12 and q.min() >= 0.0
    assert fdivergence.divergence(gen, q, p, 0.0) <= P
    assert abs(float(g @ q) - primal) <= 1e-6
    # twin: the law of the ball of half the level misses the primal value
    half = fdivergence.ball_law(g, gen, p, 0.0, 0.5 * P, 1.0)
    assert abs(float(g @ half) - primal) > 1e-6


# ---------------------------------------------------------------- R(D, P), an independent program
def _labelled_problem(pmf, distortion, kind, d_frac):
    """Values 0, 1, …, the problem, D a fraction ``d_frac`` of D_max(0), and Δ."""
    x = np.arange(pmf.size, dtype=float)
    problem = Problem(Discrete(pmf, x), distortion, kind)
    D = d_frac * problem.zero_rate_distortion(0.0)
    return x, problem, D, ref.distortion_matrix(distortion, x, x)


@pytest.mark.parametrize("kind", ref.F_PERCEPTION_KINDS)
@given(
    pmf=pmfs(min_size=2, max_size=5),
    distortion=st.sampled_from(("hamming", "mse", "absolute")),
    d_frac=st.floats(0.2, 0.8),
    P=st.floats(0.005, 0.2),
)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_cvxpy_rate_is_certified_against_an_independent_program(kind, pmf, distortion, d_frac, P):
    pytest.importorskip("cvxpy")
    x, problem, D, delta = _labelled_problem(pmf, distortion, kind, d_frac)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = problem.rate(D, P, method="cvxpy")
        value, status = ref.convex_rate_tight(pmf, x, x, delta, kind, D, P)
    assert result.status in ("converged", "exact")
    assert result.upper - result.lower <= 1e-6
    assert status == "optimal"
    assert result.lower - 2e-9 <= value <= result.upper + 2e-9
    joint = np.asarray(result.channel.joint)
    q = joint.sum(axis=0)
    assert ref.perception_value(kind, pmf, x, q, x) <= P * (1 + 1e-9) + 1e-12
    assert (joint * delta).sum() <= D * (1 + 1e-12)
    assert ref.mutual_information_bits(joint) == pytest.approx(result.upper, abs=1e-12)


@pytest.mark.parametrize("kind", ref.F_PERCEPTION_KINDS)
@given(
    pmf=pmfs(min_size=2, max_size=6),
    distortion=st.sampled_from(("hamming", "mse", "absolute")),
    d_frac=st.floats(0.2, 0.8),
    P=st.floats(0.002, 0.2),
)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_bracket_holds_an_independent_program_to_1e_10(kind, pmf, distortion, d_frac, P):
    """The fast solver's certified bracket (width ≤ 1e-11) holds the value of an independent
    convex program (the f-divergence written with geometric means, kl_div and quad_over_lin,
    Clarabel at 1e-12) to 1e-10 bits."""
    pytest.importorskip("cvxpy")
    x, problem, D, delta = _labelled_problem(pmf, distortion, kind, d_frac)
    fast = problem.rate(D, P, method="fast", tol=1e-11)
    assert fast.status in ("converged", "exact") and fast.upper - fast.lower <= 1e-11
    value, status = ref.convex_rate_precise(pmf, x, x, delta, kind, D, P)
    assert status in ("optimal", "optimal_inaccurate"), status
    assert fast.lower - 1e-10 <= value <= fast.upper + 1e-10, (fast.lower, value, fast.upper)


@pytest.mark.parametrize("kind", ref.F_PERCEPTION_KINDS)
def test_fast_bracket_to_1e_10_twin_another_level_is_outside(kind):
    """Twin: the same program at a level 10 % higher is outside the bracket at 1e-10 (so the
    comparison resolves differences far below those the looser checks see)."""
    pytest.importorskip("cvxpy")
    pmf = np.array([0.5, 0.3, 0.2])
    x = np.arange(3, dtype=float)
    D, P = 0.3, 0.002
    fast = Problem(Discrete(pmf, x), "mse", kind).rate(D, P, method="fast", tol=1e-11)
    delta = ref.distortion_matrix("mse", x, x)
    right, _ = ref.convex_rate_precise(pmf, x, x, delta, kind, D, P)
    wrong, _ = ref.convex_rate_precise(pmf, x, x, delta, kind, D, 1.1 * P)
    assert fast.lower - 1e-10 <= right <= fast.upper + 1e-10
    assert not fast.lower - 1e-10 <= wrong <= fast.upper + 1e-10


@pytest.mark.parametrize("kind", ref.F_PERCEPTION_KINDS)
def test_cvxpy_rate_twin_other_level_is_outside_the_bracket(kind):
    pytest.importorskip("cvxpy")
    pmf = np.array([0.5, 0.3, 0.2])
    x = np.arange(3, dtype=float)
    problem = Problem(Discrete(pmf, x), "mse", kind)
    D, P = 0.3, 0.002  # the constraint binds: R(0.3, 0.002) > R(0.3, 0.006)
    delta = ref.distortion_matrix("mse", x, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = problem.rate(D, P, method="cvxpy")
        right, _ = ref.convex_rate_tight(pmf, x, x, delta, kind, D, P)
        wrong, _ = ref.convex_rate_tight(pmf, x, x, delta, kind, D, 3 * P)
    assert result.lower - 2e-9 <= right <= result.upper + 2e-9
    assert not result.lower - 2e-9 <= wrong <= result.upper + 2e-9


# ---------------------------------------------------------------- the fast solver against cvxpy
@pytest.mark.parametrize("kind", ref.F_PERCEPTION_KINDS)
@given(
    pmf=pmfs(min_size=2, max_size=6),
    distortion=st.sampled_from(("hamming", "mse", "absolute")),
    d_frac=st.floats(0.2, 0.8),
    P=st.floats(0.002, 0.2),
)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_solver_brackets_overlap_the_convex_program(kind, pmf, distortion, d_frac, P):
    pytest.importorskip("cvxpy")
    x = np.arange(pmf.size, dtype=float)
    problem = Problem(Discrete(pmf, x), distortion, kind)
    D = d_frac * problem.zero_rate_distortion(0.0)
    fast = problem.rate(D, P, method="fast", tol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        convex = problem.rate(D, P, method="cvxpy")
    assert fast.status in ("converged", "exact") and convex.status in ("converged", "exact")
    assert fast.upper - fast.lower <= 1e-8
    assert fast.lower <= convex.upper + 1e-10 and convex.lower <= fast.upper + 1e-10
    joint = np.asarray(fast.channel.joint)
    assert ref.perception_value(kind, pmf, x, joint.sum(axis=0), x) <= P * (1 + 1e-9) + 1e-12
    assert ref.mutual_information_bits(joint) == pytest.approx(fast.upper, abs=1e-12)


@pytest.mark.parametrize("kind", ref.F_PERCEPTION_KINDS)
def test_fast_solver_twin_other_level_does_not_overlap(kind):
    pmf = np.array([0.5, 0.3, 0.2])
    problem = Problem(Discrete(pmf), "mse", kind)
    right = problem.rate(0.3, 0.002, method="fast", tol=1e-8)
    wrong = problem.rate(0.3, 0.006, method="fast", tol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        convex = problem.rate(0.3, 0.002, method="cvxpy")
    assert right.lower <= convex.upper + 1e-10 and convex.lower <= right.upper + 1e-10
    assert wrong.upper < convex.lower - 1e-6


def test_user_generator_matches_the_named_measure():
    """FDivergence with Pearson's f (numeric conjugate) gives χ²(p_X̂‖p_X)'s rate."""
    pmf = np.array([0.5, 0.3, 0.2])
    named = Problem(Discrete(pmf), "mse", "chi2-recon-source").rate(0.3, 0.01, tol=1e-8)
    user = Problem(Discrete(pmf), "mse", FDivergence(lambda t: (t - 1.0) ** 2)).rate(
        0.3, 0.01, tol=1e-8
    )
    assert user.status == "converged"
    assert user.lower <= named.upper + 1e-10 and named.lower <= user.upper + 1e-10
    # twin: Hellinger's f at the same level is another problem
    other = FDivergence(lambda t: 0.5 * (np.sqrt(t) - 1.0) ** 2, slope_at_infinity=0.5)
    assert Problem(Discrete(pmf), "mse", other).rate(0.3, 0.01, tol=1e-8).upper < named.lower


# ---------------------------------------------------------------- the golden tables
GOLDEN = Path(__file__).resolve().parents[1] / "docs" / "data" / "golden"
F_TABLES = {
    "discrete-3-mse-hellinger": ("mse", "hellinger"),
    "discrete-3-hamming-js": ("hamming", "js"),
    "discrete-3-absolute-chi2-source-recon": ("absolute", "chi2-source-recon"),
    "discrete-3-mse-chi2-recon-source": ("mse", "chi2-recon-source"),
}


@pytest.mark.parametrize("name", sorted(F_TABLES))
def test_golden_tables_hold_the_independent_program(name):
    """Every committed f-divergence row brackets the independent conic program's value."""
    pytest.importorskip("cvxpy")
    distortion, kind = F_TABLES[name]
    stored = json.loads((GOLDEN / f"{name}.json").read_text())
    pmf, x = np.array([0.5, 0.3, 0.2]), np.arange(3, dtype=float)
    delta = ref.distortion_matrix(distortion, x, x)
    for row in stored["rows"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            value, status = ref.convex_rate_tight(pmf, x, x, delta, kind, row["D"], row["P"])
        assert status == "optimal", row
        assert row["lower"] - 2e-9 <= value <= row["upper"] + 2e-9, (row, value)


def test_golden_twin_a_shifted_row_is_caught():
    stored = json.loads((GOLDEN / "discrete-3-mse-hellinger.json").read_text())
    row = stored["rows"][4]  # D = 0.35, P = 0.01: the constraint binds
    x = np.arange(3, dtype=float)
    delta = ref.distortion_matrix("mse", x, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        value, _ = ref.convex_rate_tight([0.5, 0.3, 0.2], x, x, delta, "hellinger", 0.35, 0.05)
    assert not row["lower"] - 2e-9 <= value <= row["upper"] + 2e-9


def test_user_generator_with_a_cvxpy_form_and_a_given_conjugate():
    """cvxpy with the user's expression; the fast solver with a given conjugate (KL's e^{s−1})."""
    cp = pytest.importorskip("cvxpy")
    pmf = np.array([0.5, 0.3, 0.2])
    user = FDivergence(lambda t: (t - 1.0) ** 2, cvxpy_f=lambda t: cp.square(t - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        mine = Problem(Discrete(pmf), "mse", user).rate(0.3, 0.01, method="cvxpy")
        named = Problem(Discrete(pmf), "mse", "chi2-recon-source").rate(0.3, 0.01, method="cvxpy")
    assert mine.status == "converged"
    assert mine.lower <= named.upper + 1e-10 and named.lower <= mine.upper + 1e-10
    with pytest.raises(ValueError, match="cvxpy_f"):
        Problem(Discrete(pmf), "mse", FDivergence(lambda t: (t - 1.0) ** 2)).method("cvxpy")
    # KL(p_X̂‖p_X) as FDivergence(t log t) with its conjugate e^{s−1}: the built-in KL's rate
    kl = FDivergence(lambda t: t * np.log(t), f0=0.0, conjugate=lambda s: np.exp(s - 1.0))
    level = 0.01 * np.log(2.0)  # 0.01 bits in the user's unit (nats, the unit of t log t)
    as_f = Problem(Discrete(pmf), "mse", kl).rate(0.3, level, tol=1e-8)
    builtin = Problem(Discrete(pmf), "mse", "kl-recon-source").rate(0.3, 0.01, tol=1e-8)
    assert as_f.status == "converged"
    assert as_f.lower <= builtin.upper + 1e-10 and builtin.lower <= as_f.upper + 1e-10
    # twin: the same f at twice the level is another problem
    assert Problem(Discrete(pmf), "mse", kl).rate(0.3, 2 * level, tol=1e-8).upper < builtin.lower


def test_user_generator_in_the_other_direction_is_neymans_chi2():
    """FDivergence((t − 1)², 'source||reconstruction'): f transposed numerically = Neyman's χ²."""
    pmf = np.array([0.5, 0.3, 0.2])
    f = FDivergence(lambda t: (t - 1.0) ** 2, direction="source||reconstruction")
    mine = Problem(Discrete(pmf), "mse", f).rate(0.3, 0.01, tol=1e-8)
    named = Problem(Discrete(pmf), "mse", "chi2-source-recon").rate(0.3, 0.01, tol=1e-8)
    assert mine.status == "converged"
    assert mine.lower <= named.upper + 1e-10 and named.lower <= mine.upper + 1e-10
    # twin: Pearson's direction is another problem at this level
    pearson = Problem(Discrete(pmf), "mse", "chi2-recon-source").rate(0.3, 0.01, tol=1e-8)
    assert pearson.lower > mine.upper + 1e-6 or mine.lower > pearson.upper + 1e-6
