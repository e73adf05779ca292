"""Every registered method honours one result contract (status, message, iterations, bounds).

The contract (after scipy's ``OptimizeResult``): a point, an array of points, a
curve and a surface carry ``status`` from :class:`rdp.status.Status`, a
``message`` string and an ``iterations`` count in the same fields, whichever
method produced them; a method keeps no state between points, so a point's
answer does not depend on what was solved before it.

At the method level (``Method.rate_point``, closed forms included): the status is
stated (never in ``diagnostics``), 'exact' means lower = upper, and a certified point
returns a channel that meets D and P by arithmetic done here, whose mutual
information is ``upper``, with ``lower`` at most an independent convex program's value.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from references import (
    convex_rate,
    distortion_matrix,
    mutual_information_bits,
    perception_value,
)
from strategies import finite_problems

from rdp import (
    KL,
    Bernoulli,
    Discrete,
    Gaussian,
    GaussianVector,
    Problem,
    TotalVariation,
    Wasserstein,
)
from rdp.channels import DiscreteChannel, GaussianChannel, GaussianVectorChannel
from rdp.methods import METHODS, register_method, stated_tol
from rdp.perceptions import KINDS, PerceptionBound, as_bound, to_bound
from rdp.result import PointSolution, SurfaceResult
from rdp.status import FEASIBILITY_TOL, Status, is_certified
from rdp.units import LN2

#: Small problems, one of each family; each method is checked on those it applies to.
PROBLEMS = {
    "bernoulli-tv": (Problem(Bernoulli(0.2), "hamming", "tv"), 0.05, 0.1),
    "gaussian-w2": (Problem(Gaussian(0.0, 1.0), "mse", Wasserstein(2)), 0.05, 0.5),
    "gaussian-kl": (Problem(Gaussian(0.0, 1.0), "mse", KL("reconstruction||source")), 0.1, 0.5),
    "gaussian-vector-w2": (
        Problem(GaussianVector(np.diag([1.0, 0.5])), "mse", Wasserstein(2)),
        0.1,
        0.8,
    ),
    "discrete-tv": (Problem(Discrete([0.5, 0.3, 0.2]), "hamming", TotalVariation()), 0.05, 0.2),
    "discrete-kl": (
        Problem(Discrete([0.5, 0.3, 0.2]), "hamming", KL("source||reconstruction")),
        0.05,
        0.2,
    ),
}

#: Problems checked at the method level only (their points are not certified values).
METHOD_PROBLEMS = {
    **PROBLEMS,
    # bounds only, lower < upper (a status 'exact' here would be false)
    "gaussian-kl-source-recon": (Problem(Gaussian(0.0, 1.0), "mse", "kl-source-recon"), 0.05, 0.5),
    "gaussian-hellinger": (Problem(Gaussian(0.0, 1.0), "mse", "hellinger"), 0.1, 0.9),
    "gaussian-vector-kl-recon-source": (
        Problem(GaussianVector(np.diag([1.0, 0.5])), "mse", "kl-recon-source"),
        0.1,
        0.8,
    ),
    "discrete-w2": (Problem(Discrete([0.4, 0.35, 0.25]), "mse", "w2"), 0.1, 0.15),
}

BUILTIN = ("closed-form", "fast", "cvxpy")


def _applicable(name: str, problems: dict | None = None) -> list[str]:
    out = []
    for key, (problem, _, _) in (PROBLEMS if problems is None else problems).items():
        try:
            METHODS[name](problem)
        except ValueError:
            continue
        out.append(key)
    return out


def _check_fields(result, shape=()) -> None:
    status = np.asarray(result.status)
    message = np.asarray(result.message)
    iterations = np.asarray(result.iterations)
    assert status.shape == message.shape == iterations.shape == shape
    assert set(status.ravel().tolist()) <= {s.value for s in Status}
    assert all(isinstance(m, str) for m in message.ravel().tolist())
    assert np.issubdtype(iterations.dtype, np.integer) and (iterations >= 0).all()


def test_every_builtin_method_is_registered():
    assert set(BUILTIN) <= set(METHODS)


@pytest.mark.parametrize("name", list(METHODS))
def test_method_result_contract(name):
    # a method for a bounds-only problem (gaussian-kl-gated) is checked on those problems
    problems = PROBLEMS if _applicable(name) else METHOD_PROBLEMS
    keys = _applicable(name, problems)
    assert keys, f"method {name!r} applies to none of the contract problems"
    for key in keys:
        problem, P, D = problems[key]
        point = problem.rate(D, P, method=name)
        _check_fields(point)
        assert point.feasible
        assert point.status in ("exact", "bounds", "converged")
        assert point.lower <= point.rate + 1e-12 and point.rate <= point.upper + 1e-12
        if point.status == "exact":
            assert point.lower == point.rate == point.upper and point.iterations == 0
        assert point.to_dict()["status"] == point.status

        grid = problem.rate([[D], [1.5 * D]], [P, 2 * P], method=name)
        _check_fields(grid, (2, 2))

        surface = problem.surface([D, 1.5 * D], [P, 2 * P], method=name, progress=False)
        assert isinstance(surface, SurfaceResult)
        _check_fields(surface, (2, 2))
        # the grid path and the point path agree cell by cell
        for i, p in enumerate([P, 2 * P]):
            for j, d in enumerate([D, 1.5 * D]):
                single = problem.rate(d, p, method=name)
                assert surface.lower[i, j] <= single.upper + 1e-6
                assert single.lower <= surface.upper[i, j] + 1e-6


@pytest.mark.parametrize("name", ["fast", "cvxpy"])
def test_infeasible_points_say_so(name):
    # reconstruction values 0.25 and 0.75 only: D_min = 1/16 for a fair coin on {0, 1}
    problem = Problem(Discrete([0.5, 0.5]), "mse", "w2", reconstruction_alphabet=[0.25, 0.75])
    assert problem.min_distortion(np.inf, method=name) == pytest.approx(1 / 16)
    result = problem.rate([0.01, 0.2], np.inf, method=name)
    _check_fields(result, (2,))
    assert result.status[0] == "infeasible" and not result.feasible[0]
    assert np.isinf(result.rate[0]) and result.message[0]
    assert result.status[1] in ("exact", "converged")


def test_fast_solver_keeps_no_state_between_points():
    problem, P, D = PROBLEMS["discrete-tv"]
    solver = problem.method("fast")
    bound = problem.bound(P)
    first = solver.rate_point(D, bound)
    for d in (0.02, 0.3, 0.15):  # other points in between change nothing
        solver.rate_point(d, bound)
    again = solver.rate_point(D, bound)
    assert (again.value, again.lower, again.upper, again.iterations) == (
        first.value,
        first.lower,
        first.upper,
        first.iterations,
    )
    # the warm state is explicit: passing it changes the start, not the certified answer
    warm = solver.rate_point(0.8 * D, bound).warm
    assert warm is not None
    warmed = solver.rate_point(D, bound, warm=warm)
    assert warmed.lower <= first.upper + 1e-6 and first.lower <= warmed.upper + 1e-6


def test_surface_without_warm_start_matches_within_certified_bounds():
    problem, P, _ = PROBLEMS["discrete-kl"]
    D = [0.05, 0.1, 0.2]
    warm = problem.surface(D, [P], method="fast", progress=False)
    cold = problem.surface(D, [P], method="fast", progress=False, warm_start=False)
    assert (warm.lower <= cold.upper + 1e-6).all() and (cold.lower <= warm.upper + 1e-6).all()


def test_one_perception_bound():
    assert set(KINDS) == {
        "none", "tv", "w1", "w2", "kl-source-recon", "kl-recon-source",
        "hellinger", "js", "chi2-source-recon", "chi2-recon-source", "f-divergence",
    }  # fmt: skip
    # JS, like KL, is an amount of information: bits for the user, nats inside
    assert to_bound("js", 0.5, "bits").value == pytest.approx(0.5 * LN2, rel=1e-15)
    assert to_bound("hellinger", 0.5, "bits").value == 0.5  # unit-free
    kl = KL("source||reconstruction")
    assert kl.kind == "kl-source-recon"
    # KL is converted to nats exactly once, from either unit
    assert to_bound(kl, 1.0, "bits").value == pytest.approx(LN2, rel=1e-15)
    assert to_bound(kl, 0.3, "nats").value == 0.3
    assert to_bound("tv", 0.3, "nats").value == 0.3  # TV has no unit
    assert to_bound("none", 0.3).value == np.inf
    b = to_bound(kl, 2.0)
    assert isinstance(b, PerceptionBound) and b.bits == pytest.approx(2.0)
    assert as_bound(b, b.kind) is b
    assert as_bound(2.0, b.kind).value == pytest.approx(b.value)
    with pytest.raises(ValueError, match="kind"):
        as_bound(b, "tv")
    with pytest.raises(ValueError):
        PerceptionBound("tv", -1.0)
    # nats and bits ask the same question
    problem = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", kl)
    bits = problem.rate(0.1, 0.2, method="fast", tol=1e-9)
    nats = problem.rate(0.1, 0.2 * LN2, method="fast", units="nats", tol=1e-9)
    assert nats.rate == pytest.approx(bits.rate * LN2, abs=1e-7)


def test_register_method_as_decorator_and_call():
    class Constant:
        name = "constant-test"
        reference = "test"

        def rate_point(self, D, P):  # an old-style method: no warm argument
            return PointSolution.exact(1.0 if as_bound(P, "tv").value < 1 else 0.5)

        def min_distortion(self, P):
            return 0.0

        def zero_rate_distortion(self, P):
            return 1.0

    @register_method("constant-test-decorated")
    def factory(problem, **options):
        return Constant()

    register_method("constant-test-called", lambda problem, **options: Constant())
    try:
        problem = Problem(Bernoulli(0.2), "hamming", "tv")
        for name in ("constant-test-decorated", "constant-test-called"):
            result = problem.rate([0.1, 0.2], [0.05, 2.0], method=name)
            np.testing.assert_array_equal(result.rate, [1.0, 0.5])
            _check_fields(result, (2,))
    finally:
        METHODS.pop("constant-test-decorated")
        METHODS.pop("constant-test-called")
    assert "constant-test-called" not in METHODS


def test_surface_result_exports():
    problem, P, D = PROBLEMS["bernoulli-tv"]
    surface = problem.surface([0.0, D, 0.5], [0.0, P], progress=False)
    rows = surface.rows()
    assert len(rows) == 6 and {"D", "P", "rate", "status", "iterations"} <= set(rows[0])
    data = surface.to_dict()
    assert np.array(data["rate"]).shape == (2, 3) and data["status"][0][0] == "exact"
    cols = surface.columns()
    assert list(cols) == ["P", "D", "R"] and cols["R"].shape == (6,)
    xr = pytest.importorskip("xarray")
    ds = surface.to_xarray()
    assert isinstance(ds, xr.Dataset) and ds["rate"].dims == ("P", "D")
    assert float(ds["rate"].sel(P=P, D=D)) == pytest.approx(surface.rate[1, 1])
    assert ds.attrs["method"] == surface.method


# ---------------------------------------------------------------- the method level
LN2_ = np.log(2.0)


def _within(value: float, limit: float, slack: float = 0.0) -> bool:
    """value ≤ limit within the feasibility tolerance (and ``slack``: a reference's error)."""
    return value <= limit * (1 + FEASIBILITY_TOL) + 1e-15 + slack


def _gaussian_checks(c: GaussianChannel, kind: str, D: float, P: float) -> tuple[float, float]:
    """(MSE, perception) of a jointly Gaussian channel by hand (KL in bits, W2 squared)."""
    s, t, r = c.source_std, c.reconstruction_std, c.correlation
    mse = s * s + t * t - 2 * r * s * t
    if kind == "w2":
        return mse, (s - t) ** 2
    if kind == "kl-recon-source":  # KL(N(0, t²) ‖ N(0, s²))
        return mse, (np.log(s / t) + t * t / (2 * s * s) - 0.5) / LN2_
    if kind == "kl-source-recon":
        return mse, (np.log(t / s) + s * s / (2 * t * t) - 0.5) / LN2_
    return mse, 0.0


def check_point(
    problem: Problem,
    tol: float,
    D: float,
    P: float,
    point: PointSolution,
    delta: np.ndarray | None = None,
) -> None:
    """The method-level contract of one point, checked by arithmetic done here.

    ``tol``: the gap tolerance the method states (``stated_tol``); ``P`` in bits;
    ``delta``: the distortion matrix (default: the named distortion's, built here).
    """
    kind = problem.perception_measure.kind
    assert isinstance(point.status, Status)
    assert "status" not in point.diagnostics
    assert point.lower <= point.value <= point.upper
    if point.status == "exact":
        assert point.lower == point.value == point.upper
    if point.status == "infeasible":
        assert np.isinf(point.value) and point.channel is None
    certified = is_certified(point.status, point.lower, point.upper, tol)
    if certified and point.status in ("converged", "bounds"):
        assert point.upper - point.lower <= tol * (1 + 1e-9)
    channel = point.channel
    if channel is None or not certified or not np.isfinite(point.upper):
        return
    if isinstance(channel, DiscreteChannel):
        joint = np.asarray(channel.joint, dtype=float)
        pmf = problem.source.to_discrete().pmf
        assert (joint >= 0).all()
        rows = joint.sum(axis=1)
        assert np.all(np.abs(rows - pmf) <= FEASIBILITY_TOL * pmf + 1e-15), rows - pmf
        conditional = joint / rows[:, None]
        assert np.allclose(conditional.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        x, y = channel.source_alphabet, channel.reconstruction_alphabet
        if delta is None:
            delta = distortion_matrix(problem.distortion_measure.name, x, y)
        distortion = float((joint * delta).sum())
        assert _within(distortion, D), (distortion, D)
        if kind != "none" and np.isfinite(P):
            # the transport cost comes from an LP (HiGHS), accurate to ~1e-9 only
            slack = 1e-9 if kind in ("w1", "w2") else 0.0
            divergence = perception_value(kind, pmf, x, joint.sum(axis=0), y)
            assert _within(divergence, P, slack), (divergence, P)
        information = mutual_information_bits(joint)
        assert abs(information - point.upper) <= 1e-12 * max(1.0, point.upper) + 1e-13
    else:
        parts = channel.components if isinstance(channel, GaussianVectorChannel) else (channel,)
        mse = perception = information = 0.0
        for part in parts:
            m, d = _gaussian_checks(part, kind, D, P)
            mse, perception = mse + m, perception + d
            information += -0.5 * np.log2(1 - part.correlation**2)
        assert _within(mse, D, 1e-12), (mse, D)
        assert _within(perception, P, 1e-12), (perception, P)
        assert abs(information - point.upper) <= 1e-9 * max(1.0, point.upper)


@pytest.mark.parametrize("name", list(METHODS))
def test_rate_point_contract_at_the_method_level(name):
    """``Method.rate_point`` of every registered method, not only through ``Problem.rate``."""
    checked = 0
    for key, (problem, P, D) in METHOD_PROBLEMS.items():
        try:
            method = METHODS[name](problem)
        except ValueError:
            continue
        point = method.rate_point(D, problem.bound(P))
        check_point(problem, stated_tol(method), D, P, point)
        checked += 1
        if key == "gaussian-kl-source-recon":  # bounds only: never 'exact'
            assert point.status == "bounds" and point.lower < point.upper
    assert checked, f"method {name!r} applies to none of the contract problems"


def test_the_method_level_check_fails_on_a_wrong_point():
    """The twin: an infeasible channel, or an upper bound that is not its rate, is caught."""
    problem, P, D = PROBLEMS["discrete-tv"]
    good = METHODS["fast"](problem).rate_point(D, problem.bound(P))
    check_point(problem, 1e-6, D, P, good)
    joint = good.channel.joint
    pmf = joint.sum(axis=1)
    identity = np.diag(pmf)  # X̂ = X: distortion 0 but rate H(X), far above 'upper'
    wrong = good.replace(channel=DiscreteChannel(identity, good.channel.source_alphabet,
                                                 good.channel.reconstruction_alphabet))  # fmt: skip
    with pytest.raises(AssertionError):
        check_point(problem, 1e-6, D, P, wrong)
    # the product channel p_X ⊗ p_X: perception 0, rate 0, distortion above D
    product = pmf[:, None] * pmf[None, :]
    wrong = good.replace(channel=DiscreteChannel(product, good.channel.source_alphabet,
                                                 good.channel.reconstruction_alphabet))  # fmt: skip
    with pytest.raises(AssertionError):
        check_point(problem, 1e-6, D, P, wrong)


def _tight_reference(spec, D: float, P: float) -> tuple[float, str]:
    """R(D, P) by the independent convex program at Clarabel tolerances 1e-12 (then 1e-11).

    At 1e-10 Clarabel's value was 2.2e-10 bits below the exact R(D) of a fair coin; at
    1e-12 it is within 3e-12, well inside the 1e-10 of the comparison.
    """
    import warnings

    value, status = float("nan"), "failed"
    for tol in (1e-12, 1e-11):
        options = {"tol_gap_abs": tol, "tol_gap_rel": tol, "tol_feas": tol}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                value, status = convex_rate(
                    spec.pmf, spec.x, spec.y, spec.delta, spec.kind, D, P, **options
                )
            except Exception:  # a solver error: try the next tolerance
                continue
        if status in ("optimal", "infeasible"):
            break
    return value, status


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    spec=finite_problems(max_size=4),
    d_fraction=st.floats(0.05, 0.95),
    P=st.sampled_from([0.0, 0.02, 0.1, 0.4]),
)
def test_certified_points_of_every_method_on_random_finite_problems(spec, d_fraction, P):
    """Any certified point has an exactly feasible channel whose information is ``upper``,
    and its ``lower`` is at most an independent convex program's R(D, P) (within 1e-10)."""
    problem = spec.problem()
    D = float(d_fraction * (spec.pmf @ spec.delta).min())  # below the zero-rate distortion
    reference = None
    for name in METHODS:
        try:
            method = METHODS[name](problem)
        except ValueError:
            continue
        point = method.rate_point(D, problem.bound(P))
        check_point(problem, stated_tol(method), D, P, point, spec.delta)
        if not is_certified(point.status, point.lower, point.upper, stated_tol(method)):
            continue
        if reference is None:
            reference, status = _tight_reference(spec, D, P)
            assume(status in ("optimal", "infeasible"))
        assert point.lower <= reference + 1e-10, (name, point.lower, reference)
