"""The perception Newton phase of the fast solver (``rdp.solvers.perception_newton``).

Its pieces are checked against a transport linear program and the TV formula, its
certified points against
an independent convex program (Clarabel), and a corrupted Newton point is shown not to
be certified: the certificate, not Newton's word, decides.
"""

import warnings

import numpy as np
import pytest
import references as ref
from scipy import stats
from strategies import FiniteSpec
from test_discrete_solver import _check_channel, _status

from rdp import Discrete, Gaussian, Problem
from rdp.solvers.fast import FastSolver
from rdp.solvers.fast import newton as fast_newton
from rdp.solvers.perception_pieces import LinePieces, TVPieces


def _line(n, m, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.normal(size=n))
    y = np.sort(rng.normal(scale=0.7, size=m))
    return rng.dirichlet(np.ones(n)), x, y, rng.dirichlet(np.full(m, 0.5))


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize(("n", "m", "seed"), [(7, 5, 0), (6, 9, 1), (12, 12, 2)])
def test_pieces_give_the_transport_cost(order, n, m, seed):
    """C_0 + Σ_k φ_k(R_k) equals W_c(p, q) from a transport linear program (HiGHS)."""
    p, x, y, q = _line(n, m, seed)
    cost = np.abs(x[:, None] - y[None, :]) ** order
    pieces = LinePieces(p, x, y, order)
    assert pieces.value(q) == pytest.approx(ref.transport_cost(p, q, cost), rel=1e-10, abs=1e-13)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tv_pieces_give_the_total_variation(seed):
    """½ Σ|r − p̃| + ½ m_out against the TV of the two laws on the union of their values."""
    rng = np.random.default_rng(seed)
    x = np.arange(9.0)
    y = np.array([0.0, 2.0, 3.0, 5.0, 7.5, 8.0])  # some source values are not reconstructions
    p, q = rng.dirichlet(np.ones(9)), rng.dirichlet(np.ones(6))
    same = x[:, None] == y[None, :]
    pieces = TVPieces(p @ same, float(p[~same.any(axis=1)].sum()))
    reference = ref.tv_distance(*ref.laws_on_union(p, x, q, y))
    assert pieces.value(q) == pytest.approx(reference, rel=1e-12)
    # twin: forgetting the source mass off the reconstruction values is caught
    assert TVPieces(p @ same, 0.0).value(q) != pytest.approx(reference, rel=1e-6)


def test_pieces_of_another_cost_disagree_with_the_linear_program():
    """Twin: the pieces of |x − y| do not give the LP value of |x − y|² (the check can fail)."""
    p, x, y, q = _line(7, 5, 0)
    wrong = LinePieces(p, x, y, 1).value(q)
    assert wrong != pytest.approx(ref.transport_cost(p, q, np.abs(x[:, None] - y[None, :]) ** 2))


def _spec_and_problem(source, distortion, kind):
    pmf, x = source.pmf, source.alphabet
    spec = FiniteSpec(pmf, x, x, ref.distortion_matrix(distortion, x, x), distortion, kind)
    return spec, Problem(Discrete(pmf, x), distortion, kind)


def _reference(spec, kind, D, P):
    """Clarabel's optimum (bits) at tight tolerances (``references.convex_rate_tight``)."""
    value, status = ref.convex_rate_tight(spec.pmf, spec.x, spec.y, spec.delta, kind, D, P)
    assert status == "optimal", status
    return value


# (source, distortion, kind, D, P): active constraints (the rate-distortion optimum's output
# law lies outside the ball), one where it barely binds, and one inside the ball
ACTIVE = [
    (Gaussian().discretize(20), "mse", "w2", 0.3, 0.02),
    (Gaussian().discretize(20), "mse", "w2", 0.397, 0.0429),
    (Gaussian().discretize(20), "mse", "w1", 0.5, 0.05),
    (Discrete.from_scipy(stats.laplace(), 20), "absolute", "w1", 0.4, 0.1),
    (Gaussian().discretize(20), "mse", "tv", 0.3, 0.05),
    (
        Discrete(np.random.default_rng(3).dirichlet(np.ones(12)), np.arange(12.0)),
        "hamming",
        "tv",
        0.3,
        0.05,
    ),
]


@pytest.mark.parametrize(("source", "distortion", "kind", "D", "P"), ACTIVE)
def test_perception_newton_certifies_against_an_independent_program(source, distortion, kind, D, P):
    """Certified by the Newton phase; the bracket holds Clarabel's optimum.

    The points are chosen with the constraint active: the rate-distortion optimum's output
    law lies outside the ball.
    """
    spec, problem = _spec_and_problem(source, distortion, kind)
    result = problem.rate(D, P, method="fast")
    assert _status(result) == "converged" and result.gap <= 1e-6
    assert result.diagnostics["perception_newton_steps"] > 0
    # the first-order phase alone needs hundreds of iterations here; Newton closes the gap
    assert result.iterations < 150
    _check_channel(spec, result, D, P)
    independent = _reference(spec, kind, D, P)
    assert result.lower - 2e-7 <= independent <= result.upper + 2e-7


def test_inactive_constraint_is_certified_too():
    """Inside the ball the multiplier goes to 0 and the point is R(D) (Clarabel, no perception)."""
    spec, problem = _spec_and_problem(Gaussian().discretize(20), "mse", "w2")
    result = problem.rate(0.3, 0.2, method="fast")
    assert _status(result) == "converged" and result.gap <= 1e-6
    independent = _reference(spec, "none", 0.3, np.inf)
    assert result.lower - 2e-7 <= independent <= result.upper + 2e-7


def test_corrupted_newton_points_are_not_certified(monkeypatch):
    """Twin: Newton's points pushed off the optimum never close the certificate.

    The phase's certificate callback is fed a perturbed slope; the phase must end
    uncertified (the plan iteration finishes the job), and the bracket must still hold the
    independent optimum.
    """
    spec, problem = _spec_and_problem(Gaussian().discretize(20), "mse", "w2")
    D, P = 0.3, 0.02
    real = fast_newton.perception_newton
    closed = []

    def corrupted(*args, check=None, **kwargs):
        def wrong(r, g, s, kernel):
            # the point's own kernel (at the true slope) goes along: the certificate
            # must not read it at another slope
            closed.append(check(r, g, 1.3 * s, kernel))
            return closed[-1]

        return real(*args, check=wrong, **kwargs)

    monkeypatch.setattr(fast_newton, "perception_newton", corrupted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = problem.rate(D, P, method="fast", max_iter=20_000)
    assert closed and not any(closed)
    assert result.diagnostics["perception_newton_steps"] > 0
    assert result.lower - 2e-7 <= _reference(spec, "w2", D, P) <= result.upper + 2e-7


def test_warm_started_curve_matches_cold_points():
    """Along a curve each point starts Newton from its neighbour; values agree with cold solves."""
    _, problem = _spec_and_problem(Gaussian().discretize(24), "mse", "w2")
    D = np.linspace(0.15, 0.9, 6)
    curve = problem.rd_curve(0.03, D, method="fast", progress=False)
    for d, lower, upper in zip(D, curve.lower, curve.upper, strict=True):
        cold = problem.rate(float(d), 0.03, method="fast")
        assert upper - lower <= 1e-6 + 1e-12
        assert max(lower, cold.lower) <= min(upper, cold.upper) + 1e-12


@pytest.mark.parametrize(("seed", "t"), [(0, 0.1), (27, 0.3), (42, 0.3)])
def test_underflowing_newton_points_raise_no_warning(seed, t):
    """Random distortion matrices with TV: Newton points whose kernel rows underflow.

    Found by a random search: the certificate divided by a zero (K v)_i and raised a
    RuntimeWarning (an error here). Such points now give no lower bound, the solve
    finishes certified, and its bracket holds the independent optimum.
    """
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 13))
    x = np.arange(float(n))
    pmf = rng.dirichlet(np.ones(n))
    delta = rng.uniform(0, 2, (n, n))
    problem = Problem(Discrete(pmf, x), delta, "tv", reconstruction_alphabet=x)
    spec = FiniteSpec(pmf, x, x, delta, delta, "tv")
    P = 0.05
    d_min = problem.min_distortion(P, method="fast")
    D = d_min + t * (problem.zero_rate_distortion(P, method="fast") - d_min)
    result = problem.rate(D, P, method="fast", tol=1e-8)
    assert _status(result) == "converged"
    _check_channel(spec, result, D, P)
    assert result.lower - 2e-7 <= _reference(spec, "tv", D, P) <= result.upper + 2e-7


def test_feasibility_check_rejects_a_nan_joint():
    """A NaN fails every comparison, so it must be rejected before them (no perception)."""
    pmf = np.array([0.5, 0.3, 0.2])
    solver = Problem(Discrete(pmf), "hamming", "none").method("fast")
    joint = pmf[:, None] * np.full((1, 3), 1 / 3)
    assert solver._feasible(joint, 1.0, np.inf)  # twin: the same joint without NaN passes
    joint[0, 0] = np.nan
    assert not solver._feasible(joint, 1.0, np.inf)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"shifted": np.zeros(4)}, "shifted"),
        ({"p": np.full(3, 1 / 3)}, "p must"),
        ({"r0": np.zeros(4)}, "r0"),
        ({"r0": np.full(5, 0.2)}, "r0"),
        ({"P": 0.0}, "P must"),
        ({"P": np.inf}, "P must"),
        ({"s0": -1.0}, "s0"),
        ({"mix": 0.0}, "mix"),
        ({"max_iter": 0}, "max_iter"),
        ({"pieces": TVPieces(np.full(5, 0.2), 0.0)}, "pieces"),
    ],
)
def test_perception_newton_rejects_bad_arguments(change, match):
    """One ValueError naming the argument, before any step; the good call runs (twin)."""
    from rdp.solvers.perception_newton import perception_newton

    p = np.full(4, 0.25)
    x = np.arange(4.0)
    shifted = (x[:, None] - x[None, :]) ** 2
    args = {
        "shifted": shifted, "p": p, "pieces": LinePieces(p, x, x, 2), "P": 0.1,
        "r0": p.copy(), "s0": 1.0, "mu0": 0.1, "target": 0.3, "max_iter": 3, "mix": 0.02,
    }  # fmt: skip
    r, *_, steps = perception_newton(**args)
    assert r.shape == (4,) and 1 <= steps <= 3
    with pytest.raises(ValueError, match=match):
        perception_newton(**{**args, **change})


def test_both_newton_phases_count_their_steps(monkeypatch):
    """A point whose perception Newton phase ends open and whose rate-distortion Newton
    phase runs after it reports the steps of both (counted here by wrapping the two
    solvers): a Newton step counts as an iteration. The steps of the last phase alone are
    not the count (the wrong instance)."""
    calls = []
    real_rd, real_pn = fast_newton.rate_distortion_newton, fast_newton.perception_newton

    def rd(*args, **kwargs):
        out = real_rd(*args, **kwargs)
        calls.append(("rd", out[2]))
        return out

    def pn(*args, **kwargs):
        out = real_pn(*args, **kwargs)
        calls.append(("pn", out[-1]))
        return out

    monkeypatch.setattr(fast_newton, "rate_distortion_newton", rd)
    monkeypatch.setattr(fast_newton, "perception_newton", pn)
    p = [0.15730548508859857, 0.022315135208116038, 0.07192898830389713, 0.02224970806406739,
         0.5294869761264228, 0.03559246009379105, 0.10741442685437383, 0.0006015050646108807,
         0.05310531519612233]  # fmt: skip
    x = [-1.2756787573638788, -1.2144048061964783, -0.201423192747, -0.009027998304400748,
         0.045514873625745016, 0.574711441307834, 0.7628607940041744, 0.9317233474329644,
         0.9596972908383035]  # fmt: skip
    solver = FastSolver(Problem(Discrete(np.array(p), x), "absolute", "tv"), tol=1e-9)
    result = solver.rate_point(0.23925221113883605, 0.27362269622826246)
    assert [name for name, _ in calls] == ["pn", "rd"]
    steps = dict(calls)
    assert result.diagnostics["perception_newton_steps"] == steps["pn"]
    assert result.diagnostics["newton_steps"] == steps["pn"] + steps["rd"]
    assert result.diagnostics["newton_steps"] != steps["rd"]
