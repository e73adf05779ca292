"""The finite-alphabet solvers: fast (certified bounds) against closed forms, cvxpy and BA."""

import warnings

import numpy as np
import pytest
import references as ref
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import FiniteSpec, finite_problems

from rdp import KL, Discrete, Problem, TotalVariation, UnconvergedWarning, Wasserstein


def _status(result):
    """The point's status (never in ``diagnostics``)."""
    assert "status" not in (result.diagnostics or {})
    return result.status


def _check_channel(spec, result, D, P, slack=1e-9):
    """The returned channel meets the constraints and its rate is the upper bound.

    Everything is recomputed in :mod:`references` from the problem's arrays:
    the distortion from Δ, the perception by formula (TV), direct sum (KL, bits)
    or a transport linear program (W), and I(X; X̂) by direct sum.
    """
    joint = result.channel.joint
    assert (joint >= 0).all()
    np.testing.assert_allclose(joint.sum(axis=1), spec.pmf, atol=1e-12)
    assert (joint * spec.delta).sum() <= D * (1 + slack) + slack
    if np.isfinite(P):
        q = joint.sum(axis=0)
        assert (
            ref.perception_value(spec.kind, spec.pmf, spec.x, q, spec.y) <= P * (1 + slack) + slack
        )
    assert ref.mutual_information_bits(joint) == pytest.approx(result.upper, abs=1e-9)


# ---------------------------------------------------------------- Bernoulli closed form
BERNOULLI_GRID = [
    (p, D, P)
    for p in (0.1, 0.3, 0.5)
    for P in (0.0, 0.02, 0.06, 0.4)
    for D in (0.01, 0.04, 0.08, 0.15, 0.3)
]


@pytest.mark.parametrize(("p", "D", "P"), BERNOULLI_GRID)
def test_fast_matches_bernoulli_closed_form(p, D, P):
    pmf, x = np.array([1 - p, p]), np.array([0.0, 1.0])
    spec = FiniteSpec(pmf, x, x, ref.distortion_matrix("hamming", x, x), "hamming", "tv")
    result = spec.problem().rate(D, P, method="fast", tol=1e-8, time_limit=20)
    exact = ref.bernoulli_tv_rate(p, D, P)
    assert result.lower - 1e-12 <= exact <= result.upper + 1e-12
    assert abs(result.rate - exact) <= 1e-7
    _check_channel(spec, result, D, P)


def test_bernoulli_grid_covers_all_three_regions():
    regions = set()
    for p, D, P in BERNOULLI_GRID:
        problem = Problem(Discrete([1 - p, p]), "hamming", "tv")
        regions.add(problem.rate(D, P, method="closed-form").diagnostics["region"])
    assert regions == {"perception-inactive", "perception-active", "zero-rate"}


# ---------------------------------------------------------------- against cvxpy
@settings(max_examples=10, deadline=None, derandomize=True)
@given(spec=finite_problems(), P=st.sampled_from([0.0, 0.05, 0.3, 2.0]), t=st.floats(0.05, 0.95))
def test_fast_agrees_with_cvxpy(spec, P, t):
    """Fast solver vs an independent cvxpy program (and the library's), at a feasible point.

    The certified bracket must contain the independent optimum whatever the
    solver's status; a converged solver must match it, and its channel must
    meet the constraints by independent arithmetic.
    """
    problem = spec.problem()
    if spec.kind == "none":
        P = np.inf  # a finite P without a perception measure is an error
    d_min = problem.min_distortion(P, method="fast")
    d_max = problem.zero_rate_distortion(P, method="fast")
    assert 0 <= d_min <= d_max < np.inf  # the strategy draws problems feasible at large D
    D = d_min + t * (d_max - d_min)
    independent, status = ref.convex_rate_tight(
        spec.pmf, spec.x, spec.y, spec.delta, spec.kind, D, P
    )
    # no reference where Clarabel is not 'optimal' at any tolerance ('optimal_inaccurate')
    assume(status == "optimal")
    with warnings.catch_warnings():  # a time_limit stop is checked through the bracket below
        warnings.simplefilter("ignore", UnconvergedWarning)
        result = problem.rate(D, P, method="fast", tol=1e-8, time_limit=10)
    # Clarabel's own accuracy (its 'optimal' joint can be ~1e-9 infeasible) is about 5e-7 bits
    assert result.lower - 5e-7 <= independent <= result.upper + 5e-7
    if result.channel is not None:
        _check_channel(spec, result, D, P)
    if _status(result) in ("converged", "exact"):
        assert abs(result.rate - independent) <= 1e-6
    assert problem.rate(D, P, method="cvxpy").rate == pytest.approx(independent, abs=1e-6)


# ---------------------------------------------------------------- P -> inf: Blahut-Arimoto
def test_no_perception_matches_blahut_arimoto():
    rng = np.random.default_rng(3)
    pmf = rng.dirichlet(np.ones(5))
    delta = rng.random((5, 4))
    problem = Problem(Discrete(pmf), delta, "none", reconstruction_alphabet=np.arange(4.0))
    ref_rate, ref_dist = ref.blahut_arimoto(pmf, delta, 4.0)
    result = problem.rate(ref_dist, method="fast", tol=1e-9)
    assert abs(result.rate - ref_rate) < 1e-7
    # huge TV/W budgets are the same as no constraint
    for kind in ("tv", "w1"):
        other = Problem(Discrete(pmf), delta, kind, reconstruction_alphabet=np.arange(4.0))
        assert other.rate(ref_dist, 50.0, method="fast", tol=1e-9).rate == pytest.approx(
            ref_rate, abs=1e-7
        )


def test_no_perception_matches_dit_blahut_arimoto():
    pytest.importorskip("dit")
    from dit.rate_distortion.blahut_arimoto import blahut_arimoto

    pmf = np.array([0.4, 0.3, 0.2, 0.1])
    (rate_dit, dist_dit), _ = blahut_arimoto(pmf, beta=3.0, max_iters=2000, restarts=1)
    problem = Problem(Discrete(pmf), "hamming", "none")
    ours = problem.rate(dist_dit, method="fast", tol=1e-9).rate
    assert ours == pytest.approx(float(rate_dit), abs=1e-5)


# ---------------------------------------------------------------- edge cases
def test_zero_perception_keeps_the_source_law():
    problem = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", "tv")
    result = problem.rate(0.2, 0.0, method="fast")
    np.testing.assert_allclose(result.channel.reconstruction_pmf, [0.5, 0.3, 0.2], atol=1e-12)
    for kind in ("kl-source-recon", "kl-recon-source", "w2"):
        other = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", kind).rate(0.2, 0.0, method="fast")
        assert other.rate == pytest.approx(result.rate, abs=2e-6)


def test_zero_rate_region_and_infeasible_region():
    pmf = [0.5, 0.3, 0.2]
    problem = Problem(Discrete(pmf), np.array([[1, 2, 3], [2, 1, 3], [3, 3, 1.0]]), "tv")
    d_min = problem.min_distortion(0.05, method="fast")
    d_max = problem.zero_rate_distortion(0.05, method="fast")
    assert d_min == pytest.approx(1.0)
    zero = problem.rate(d_max, 0.05, method="fast")
    assert zero.rate == 0.0 and zero.lower == 0.0 and zero.feasible
    below = problem.rate(0.9, 0.05, method="fast")
    assert below.feasible is False and below.rate == np.inf
    assert problem.rate(0.9, 0.05, method="cvxpy").feasible is False


def test_minimum_distortion_with_limited_perception_is_an_lp():
    # reconstruction alphabet without the source's values: TV on the union of values
    problem = Problem(
        Discrete([0.5, 0.5], [0.0, 1.0]), "absolute", "tv", reconstruction_alphabet=[0.0, 0.5]
    )
    # x=1 must either go to 0.5 (TV counts its mass 0.5 outside) or to 0 (distortion 1)
    assert problem.min_distortion(np.inf, method="fast") == pytest.approx(0.25)
    assert problem.min_distortion(0.5, method="fast") == pytest.approx(0.25)
    assert problem.rate(0.1, 0.4, method="fast").feasible is False
    kl = Problem(
        Discrete([0.5, 0.5], [0.0, 1.0]), "absolute", KL("source||reconstruction"),
        reconstruction_alphabet=[0.0, 0.5],
    )  # fmt: skip
    assert kl.rate(0.4, 10.0, method="fast").feasible is False


def test_zero_probability_symbols_and_ties():
    with_zero = Problem(Discrete([0.6, 0.0, 0.4]), "hamming", "tv")
    without = Problem(Discrete([0.6, 0.4], [0.0, 2.0]), "hamming", "tv",
                      reconstruction_alphabet=[0.0, 1.0, 2.0])  # fmt: skip
    a = with_zero.rate(0.1, 0.05, method="fast", tol=1e-8)
    b = without.rate(0.1, 0.05, method="fast", tol=1e-8)
    assert a.rate == pytest.approx(b.rate, abs=1e-7)
    ties = Problem(Discrete([0.5, 0.5]), [[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]], "none")
    r = ties.rate(0.0, method="fast", tol=1e-8)
    assert r.rate == pytest.approx(1.0, abs=1e-6)


def test_fast_reports_limits_with_the_gap():
    problem = Problem(Discrete([0.4, 0.3, 0.2, 0.1]), "mse", "w2")
    with pytest.warns(UnconvergedWarning, match="iteration_limit"):
        r = problem.rate(0.3, 0.05, method="fast", max_iter=3)
    assert r.status == "iteration_limit" and "status" not in r.diagnostics
    assert r.gap > 0 and r.lower <= r.upper


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"tol": 0}, "tol"), ({"max_iter": 0}, "max_iter"), ({"time_limit": -1}, "time_limit"),
     ({"bogus": 1}, "options")],
)  # fmt: skip
def test_bad_options(kwargs, match):
    problem = Problem(Discrete([0.5, 0.5]), "hamming", "tv")
    with pytest.raises(ValueError, match=match):
        problem.rate(0.1, 0.1, method="fast", **kwargs)


def test_bad_problems():
    with pytest.raises(ValueError, match="distinct"):
        Problem(Discrete([0.5, 0.5]), "hamming", TotalVariation(),
                reconstruction_alphabet=[0.0, 0.0]).rate(0.1, 0.1, method="fast")  # fmt: skip
    from rdp import Gaussian

    with pytest.raises(ValueError, match="discretize"):
        Problem(Gaussian(), "mse", Wasserstein(2)).method("fast")


def test_kl_recon_source_with_disjoint_alphabets_is_infeasible():
    # No reconstruction value carries source mass: KL(p_X̂‖p_X) = ∞ for every law.
    problem = Problem(Discrete([0.5, 0.5]), [[1.0, 2.0], [2.0, 1.0]], "kl-recon-source",
                      reconstruction_alphabet=[5.0, 7.0])  # fmt: skip
    result = problem.rate(1.5, 2.0, method="fast")
    assert result.feasible is False and result.rate == np.inf


# ---------------------------------------------------------------- N ≈ 32, Clarabel tightened
TIGHT_CLARABEL = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")
@settings(max_examples=4, deadline=None)
@given(
    data=st.data(),
    kind=st.sampled_from(["tv", "w1", "w2", "kl-source-recon", "kl-recon-source"]),
)
def test_fast_agrees_with_tight_cvxpy_at_n32(data, kind):
    """At N ≈ 32 the certified bracket holds the independent program's optimum (Clarabel, 1e-10)."""
    import cvxpy as cp

    from rdp import Gaussian

    n = data.draw(st.integers(24, 32), label="N")
    if data.draw(st.booleans(), label="gaussian"):
        source = Gaussian().discretize(n)
        pmf, x, distortion = source.pmf, source.alphabet, "mse"
    else:
        rng = np.random.default_rng(data.draw(st.integers(0, 2**31), label="seed"))
        pmf, x, distortion = rng.dirichlet(np.ones(n)), np.arange(n, dtype=float), "hamming"
    spec = FiniteSpec(pmf, x, x, ref.distortion_matrix(distortion, x, x), distortion, kind)
    problem = Problem(Discrete(pmf, x), distortion, kind)
    P = data.draw(st.sampled_from([0.02, 0.05, 0.2]), label="P")
    d_min = problem.min_distortion(P, method="fast")
    d_max = problem.zero_rate_distortion(P, method="fast")
    assert np.isfinite(d_min) and np.isfinite(d_max)  # q = p_X is always in the ball
    D = d_min + data.draw(st.floats(0.1, 0.9), label="t") * (d_max - d_min)
    with warnings.catch_warnings():  # a time_limit stop is checked through the bracket below
        warnings.simplefilter("ignore", UnconvergedWarning)
        result = problem.rate(D, P, method="fast", time_limit=10)
    if result.channel is not None:
        _check_channel(spec, result, D, P)
    try:
        independent, status = ref.convex_rate(pmf, x, x, spec.delta, kind, D, P, **TIGHT_CLARABEL)
    except cp.error.SolverError:  # Clarabel at 1e-10 can fail: then there is no reference
        status = "failed"
    assume(status == "optimal")
    # the certified interval holds the reference whether or not the solver converged
    assert result.lower - 2e-7 <= independent <= result.upper + 2e-7
    if result.status in ("converged", "exact"):
        assert abs(result.rate - independent) <= 1e-6 + 2e-7


# ---------------------------------------------------------------- Newton phase, band plans
@pytest.mark.parametrize("kind", ["none", "w2"])
def test_fine_gaussian_grid_certifies_through_the_newton_phase(kind):
    """The README one-liner's problem (the plain BA iteration stopped at the limit there).

    MSE on ``Gaussian().discretize(24)`` with W2² ≤ 0.1 that the rate-distortion optimum
    already meets: the certified bracket must hold the independent convex program's
    optimum (to Clarabel's accuracy), the channel must meet the constraints by independent
    arithmetic, and the point must be certified by the Newton phase.
    """
    from rdp import Gaussian

    source = Gaussian().discretize(24)
    pmf, x = source.pmf, source.alphabet
    spec = FiniteSpec(pmf, x, x, ref.distortion_matrix("mse", x, x), "mse", kind)
    P = 0.1 if kind == "w2" else np.inf
    problem = Problem(Discrete(pmf, x), "mse", kind)
    result = problem.rate(0.3, P, method="fast", max_iter=2000)
    assert _status(result) == "converged" and result.gap <= 1e-6
    assert result.diagnostics["newton_steps"] > 0
    _check_channel(spec, result, 0.3, P)
    independent, status = ref.convex_rate(pmf, x, x, spec.delta, kind, 0.3, P)
    assert status == "optimal"
    assert result.lower - 5e-7 <= independent <= result.upper + 5e-7


@pytest.mark.parametrize("slope", [1.0, 6.0])
def test_newton_phase_matches_an_independent_blahut_arimoto(slope):
    """No perception, dense kernel: the Newton point against the reference BA at a slope."""
    rng = np.random.default_rng(7)
    pmf = rng.dirichlet(np.ones(12))
    x = np.sort(rng.normal(size=12))
    delta = ref.distortion_matrix("mse", x, x)
    rate, dist = ref.blahut_arimoto(pmf, delta, slope)
    result = Problem(Discrete(pmf, x), "mse", "none").rate(dist, method="fast", tol=1e-9)
    assert result.diagnostics["newton_steps"] > 0
    assert result.lower - 1e-9 <= rate <= result.upper + 1e-9


def test_verbose_prints_the_iteration_table(capsys):
    """``verbose=True``: one row per certificate check with the best bounds so far.

    The rows' lower bounds never fall and upper bounds never rise, the last row is the
    returned bracket, and that bracket holds the independent convex program's optimum.
    """
    pmf, x = np.array([0.3, 0.25, 0.2, 0.15, 0.1]), np.arange(5.0)
    spec = FiniteSpec(pmf, x, x, ref.distortion_matrix("mse", x, x), "mse", "w2")
    result = Problem(Discrete(pmf, x), "mse", "w2").rate(0.8, 0.1, method="fast", verbose=True)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].split()[:4] == ["iter", "lower", "(bits)", "upper"]
    rows = [line.split() for line in lines[1:]]
    assert len(rows) >= 1
    lower = [float(r[1]) for r in rows]
    upper = [float(r[2]) for r in rows if r[2] != "inf"]
    assert lower == sorted(lower) and upper == sorted(upper, reverse=True)
    assert float(rows[-1][1]) == pytest.approx(result.lower, abs=1e-9)
    assert float(rows[-1][2]) == pytest.approx(result.upper, abs=1e-9)
    assert float(rows[-1][3]) <= 1e-6
    independent, status = ref.convex_rate(pmf, x, x, spec.delta, "w2", 0.8, 0.1)
    assert status == "optimal"
    assert result.lower - 5e-7 <= independent <= result.upper + 5e-7


def test_perfect_perception_with_tiny_masses_certifies_without_nan():
    """P = 0 on a binned gamma source (masses down to 2e-4): the plan step once
    underflowed to an all-zero row (π ⊙ h^η in floating point) and searched μ up to
    inf · 0 = NaN; the point then ran 120 s to the time limit with NaN weights.
    Reference: the convex program at Clarabel 1e-10 and Sinkhorn, both independent."""
    rng = np.random.default_rng(0)
    source = Discrete.from_samples(rng.gamma(2.0, 1.0, 5000), bins=12)
    p, x = np.asarray(source.pmf), np.asarray(source.alphabet)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, no UnconvergedWarning
        result = Problem(source, "mse", "w1").rate(0.1, 0.0, max_iter=20_000)
    assert result.status == "converged"
    delta = ref.distortion_matrix("mse", x, x)
    tight = dict(tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    convex, _ = ref.convex_rate(p, x, x, delta, "w1", 0.1, 0.0, **tight)
    assert result.lower - 1e-8 <= convex <= result.upper + 1e-8
    assert result.lower - 1e-6 <= ref.perfect_perception_rate(p, delta, 0.1, iters=5000)


def test_broadcast_grid_with_warm_starts_finishes_certified():
    """rate(D[None, :], P[:, None]) warm-starts each point from the previous one: from
    D = 1.1 (rate 0) to D = 0.12 at the next P it once spun for minutes. Reference:
    the independent convex program at a few points."""
    source = Discrete([0.2, 0.3, 0.4, 0.1])
    x = np.asarray(source.alphabet, dtype=float)
    D, P = np.linspace(0.0, 1.1, 10)[1:], np.linspace(0.0, 0.8, 9)
    result = Problem(source, "absolute", "w1").rate(D[None, :], P[:, None])
    assert set(np.asarray(result.status).ravel()) <= {"converged", "exact"}
    delta = ref.distortion_matrix("absolute", x, x)
    for i, j in [(5, 0), (5, 4), (8, 1)]:
        convex, _ = ref.convex_rate(
            np.asarray(source.pmf), x, x, delta, "w1", D[j], P[i], tol_gap_abs=1e-9, tol_feas=1e-9
        )
        lower, upper = np.asarray(result.lower)[i, j], np.asarray(result.upper)[i, j]
        assert lower - 1e-7 <= convex <= upper + 1e-7


# ---------------------------------------------------------------- cvxpy: Clarabel tolerances
@pytest.mark.parametrize(("kind", "D", "P"), [("w2", 0.3, 0.02), ("tv", 0.3, 0.05)])
def test_cvxpy_method_answers_at_tight_clarabel_tolerances(kind, D, P):
    """``method="cvxpy"`` asks Clarabel for tolerances 1e-9 first, and certifies its answer.

    At its defaults (1e-8) Clarabel's 'optimal' value here was 3.9e-7 bits below the
    certified optimum (W2) — more than the fast solver's tolerance. At 1e-9 its channel
    still exceeded the W2 budget by 3e-8; repaired, it was 2.4e-7 bits above the optimum,
    and solved again with the budget lowered by 1.5 times the excess, 1e-8 to 4e-8 bits
    above the fast solver's bracket (certified at 1e-9); the test allows 1e-7. Twin: the
    bracket of another point (P + 0.01) does not contain it.
    """
    from rdp import Gaussian
    from rdp.solvers.convex import CLARABEL_TIGHT

    source = Gaussian().discretize(24)
    problem = Problem(Discrete(source.pmf, source.alphabet), "mse", kind)
    result = problem.rate(D, P, method="cvxpy")
    assert result.diagnostics["solver"] == "CLARABEL"
    assert result.diagnostics["solver_options"] == CLARABEL_TIGHT
    assert result.status == "converged"
    fast = problem.rate(D, P, method="fast", tol=1e-9)
    assert result.lower <= fast.upper + 1e-12 and fast.lower <= result.upper + 1e-12
    assert fast.lower - 1e-7 <= result.rate <= fast.upper + 1e-7
    other = problem.rate(D, P + 0.01, method="fast", tol=1e-9)
    assert not other.lower - 1e-7 <= result.rate <= other.upper + 1e-7
