"""Every registered method honours one result contract (status, message, iterations, bounds).

The contract (after scipy's ``OptimizeResult``): a point, an array of points, a
curve and a surface carry ``status`` from :data:`rdp.result.STATUSES`, a
``message`` string and an ``iterations`` count in the same fields, whichever
method produced them; a method keeps no state between points, so a point's
answer does not depend on what was solved before it.
"""

from __future__ import annotations

import numpy as np
import pytest

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
from rdp.methods import METHODS, register_method
from rdp.perceptions import KINDS, PerceptionBound, as_bound, to_bound
from rdp.result import STATUSES, PointSolution, SurfaceResult
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

BUILTIN = ("closed-form", "fast", "cvxpy")


def _applicable(name: str) -> list[str]:
    out = []
    for key, (problem, _, _) in PROBLEMS.items():
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
    assert set(status.ravel().tolist()) <= set(STATUSES)
    assert all(isinstance(m, str) for m in message.ravel().tolist())
    assert np.issubdtype(iterations.dtype, np.integer) and (iterations >= 0).all()


def test_every_builtin_method_is_registered():
    assert set(BUILTIN) <= set(METHODS)


@pytest.mark.parametrize("name", list(METHODS))
def test_method_result_contract(name):
    keys = _applicable(name)
    assert keys, f"method {name!r} applies to none of the contract problems"
    for key in keys:
        problem, P, D = PROBLEMS[key]
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
    assert set(KINDS) == {"none", "tv", "w1", "w2", "kl-source-recon", "kl-recon-source"}
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

        def rate_point(self, D, P):  # an old-style method: no warm argument, float P
            return PointSolution.exact(1.0 if float(P) < 1 else 0.5)

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
