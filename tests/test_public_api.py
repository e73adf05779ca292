"""One way in per operation: the public names, and the deprecated ones that warn.

The ``Problem`` methods are the API; the names they replaced (``rdp.solve``,
``rdp.sweeps``, ``rdp.plot.rate_surface``, ``RateSurface``, ``.value``,
``Perception.bound``) still work but warn with a ``DeprecationWarning`` that names
the replacement, give what the replacement gives, and are in no ``__all__``.
"""

import importlib
import warnings

import numpy as np
import pytest

import rdp
from rdp import Bernoulli, Discrete, Problem

#: The operations of a problem, each exactly one method.
OPERATIONS = {
    "rate",
    "distortion",
    "rd_curve",
    "surface",
    "min_distortion",
    "zero_rate_distortion",
    "method",
    "bound",
}

#: Namespaces whose ``__all__`` is the documented API.
NAMESPACES = ["rdp", "rdp.plot", "rdp.batch"]

#: Names once exported there, now deprecated.
DEPRECATED_EXPORTS = {
    "rdp": {"solve", "sweeps"},
    "rdp.plot": {"rate_surface", "RateSurface"},
    "rdp.batch": {"run_sweep"},
}


def aliases(module) -> list[list[str]]:
    """Groups of names in ``module.__all__`` bound to the same object (classes and functions)."""
    seen: dict[int, list[str]] = {}
    for name in module.__all__:
        value = getattr(module, name)
        if callable(value):
            seen.setdefault(id(value), []).append(name)
    return [names for names in seen.values() if len(names) > 1]


@pytest.mark.parametrize("name", NAMESPACES)
def test_each_public_name_is_one_operation_and_loads_without_a_warning(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        module = importlib.import_module(name)
        assert aliases(module) == []
    assert not set(module.__all__) & DEPRECATED_EXPORTS.get(name, set())


def test_the_alias_check_finds_an_alias():
    """Twin: a namespace that exports one function under two names is caught."""

    class Namespace:
        __all__ = ("surface", "rate_surface", "rate")
        surface = rate_surface = staticmethod(lambda: None)
        rate = staticmethod(lambda: None)

    assert aliases(Namespace) == [["surface", "rate_surface"]]


def test_problem_methods_are_the_operations():
    public = {name for name in vars(Problem) if not name.startswith("_")}
    assert public == OPERATIONS
    for name in OPERATIONS:
        doc = getattr(Problem, name).__doc__
        assert "Parameters" in doc and "Returns" in doc and "Examples" in doc, name


BERNOULLI = Problem(Bernoulli(0.1), "hamming", "tv")
D, P = 0.05, 0.02


def _deprecated(call, *names):
    """``call()`` under a DeprecationWarning whose message names every one of ``names``."""
    with pytest.warns(DeprecationWarning) as record:
        out = call()
    message = " ".join(str(w.message) for w in record)
    assert all(name in message for name in names), message
    return out


def _solve(name):
    import rdp.solve

    return getattr(rdp.solve, name)


def _sweeps(name):
    import rdp.sweeps

    return getattr(rdp.sweeps, name)


def _points(write) -> tuple[int, int]:
    """(points, computed points) of a one-family sweep written by ``write`` to a new store."""
    import tempfile

    pytest.importorskip("zarr")
    spec = {
        "families": [{"source": {"kind": "bernoulli", "p": [0.1]}, "perception": ["tv"]}],
        "D": [0.05, 0.1],
        "P": [0.02],
    }
    with tempfile.TemporaryDirectory() as tmp:
        summary = write(spec, f"{tmp}/s.zarr", executor="serial", progress=False)
    return summary.points, summary.computed_points


#: (deprecated call, replacement call, words the warning must name).
MOVED = {
    "rdp.solve.solve_rate": (
        lambda: _solve("solve_rate")(BERNOULLI, D, P).rate,
        lambda: BERNOULLI.rate(D, P).rate,
        ("rdp.solve.solve_rate", "Problem.rate"),
    ),
    "rdp.solve.solve_distortion": (
        lambda: _solve("solve_distortion")(BERNOULLI, 0.2, P).distortion,
        lambda: BERNOULLI.distortion(0.2, P).distortion,
        ("Problem.distortion",),
    ),
    "rdp.solve.solve_grid": (
        lambda: _solve("solve_grid")(BERNOULLI, [D, 0.1], [P], progress=False).rate,
        lambda: BERNOULLI.surface([D, 0.1], [P], progress=False).rate,
        ("Problem.surface",),
    ),
    "rdp.solve.solve_curve": (
        lambda: _solve("solve_curve")(BERNOULLI, P, [D, 0.1], progress=False).rate,
        lambda: BERNOULLI.rd_curve(P, [D, 0.1], progress=False).rate,
        ("Problem.rd_curve",),
    ),
    "rdp.solve.get_method": (
        lambda: _solve("get_method")(BERNOULLI).name,
        lambda: BERNOULLI.method().name,
        ("Problem.method",),
    ),
    "rdp.solve.bound": (
        lambda: _solve("bound")(BERNOULLI, P).value,
        lambda: BERNOULLI.bound(P).value,
        ("Problem.bound",),
    ),
    "rdp.solve.min_distortion": (
        lambda: _solve("min_distortion")(BERNOULLI, P),
        lambda: BERNOULLI.min_distortion(P),
        ("Problem.min_distortion",),
    ),
    "rdp.solve.zero_rate_distortion": (
        lambda: _solve("zero_rate_distortion")(BERNOULLI, P),
        lambda: BERNOULLI.zero_rate_distortion(P),
        ("Problem.zero_rate_distortion",),
    ),
    "rdp.sweeps.surface": (
        lambda: _sweeps("surface")(BERNOULLI, [D, 0.1], [P], progress=False).rate,
        lambda: BERNOULLI.surface([D, 0.1], [P], progress=False).rate,
        ("rdp.sweeps.surface", "Problem.surface"),
    ),
    "rdp.sweeps.rd_curve": (
        lambda: _sweeps("rd_curve")(BERNOULLI, P, [D, 0.1], progress=False).rate,
        lambda: BERNOULLI.rd_curve(P, [D, 0.1], progress=False).rate,
        ("Problem.rd_curve",),
    ),
    "rdp.sweeps.SurfaceResult": (
        lambda: _sweeps("SurfaceResult"),
        lambda: rdp.SurfaceResult,
        ("rdp.SurfaceResult",),
    ),
    "rdp.plot.rate_surface": (
        lambda: importlib.import_module("rdp.plot").rate_surface(BERNOULLI, [D, 0.1], [P]).rate,
        lambda: BERNOULLI.surface([D, 0.1], [P], progress=False).rate,
        ("Problem.surface",),
    ),
    "rdp.plot.RateSurface": (
        lambda: importlib.import_module("rdp.plot").RateSurface,
        lambda: rdp.SurfaceResult,
        ("rdp.SurfaceResult",),
    ),
    "RateResult.value": (
        lambda: BERNOULLI.rate(D, P).value,
        lambda: BERNOULLI.rate(D, P).rate,
        ("RateResult.value", "rate"),
    ),
    "DistortionResult.value": (
        lambda: BERNOULLI.distortion(0.2, P).value,
        lambda: BERNOULLI.distortion(0.2, P).distortion,
        ("distortion",),
    ),
    "Perception.bound": (
        lambda: BERNOULLI.perception_measure.bound(P).value,
        lambda: BERNOULLI.bound(P).value,
        ("Problem.bound",),
    ),
    "rdp.methods.resolve_method": (
        lambda: importlib.import_module("rdp.methods").resolve_method(BERNOULLI, "auto").name,
        lambda: BERNOULLI.method("auto").name,
        ("rdp.methods.resolve_method", "Problem.method"),
    ),
    "rdp.batch.run_sweep": (
        lambda: _points(importlib.import_module("rdp.batch").run_sweep),
        lambda: _points(importlib.import_module("rdp.batch").write_sweep),
        ("rdp.batch.run_sweep", "rdp.batch.write_sweep"),
    ),
    "rdp.solve": (
        lambda: rdp.__getattr__("solve").__name__,
        lambda: "rdp.solve",
        ("rdp.solve", "Problem methods"),
    ),
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_a_deprecated_name_warns_naming_its_replacement_and_answers_the_same(old):
    call, replacement, names = MOVED[old]
    got = _deprecated(call, *names)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        expected = replacement()
    if isinstance(expected, np.ndarray | float):
        np.testing.assert_array_equal(got, expected)
    else:
        assert got is expected or got == expected


def test_a_deprecated_name_that_does_not_warn_is_caught():
    """Twin: the check fails on a call that warns about nothing."""
    with pytest.raises(pytest.fail.Exception):
        _deprecated(lambda: BERNOULLI.rate(D, P).rate, "Problem.rate")


def test_the_library_answers_without_deprecation_warnings():
    problem = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", "tv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        surface = problem.surface([0.2, 0.4], [0.05], progress=False)
        curve = problem.rd_curve(0.05, [0.2, 0.4], progress=False)
        point = problem.rate(0.2, 0.05)
    # the three ways a surface, a curve and a point are computed agree with each other
    assert surface.rate[0, 0] == pytest.approx(point.rate, abs=2e-6)
    np.testing.assert_allclose(curve.rate, surface.rate[0], atol=2e-6)
    assert surface.distortion_label == "distortion D (Hamming distortion)"
