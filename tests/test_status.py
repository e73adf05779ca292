"""The one status model: its predicate, its table, its point constructors, and its uniqueness.

``rdp.status`` defines the statuses and the one predicate ``is_certified``; every
other module uses them. The predicate is checked against a truth table written
out here by hand; the point constructors reject what the model forbids; and a
scan of the package sources fails on a second definition of a status set or of a
"certified" predicate (its twin shows the scan catches one).
"""

from __future__ import annotations

import ast
import pathlib
import pickle

import numpy as np
import pytest

import rdp
from rdp import KL
from rdp.perceptions import PerceptionBound, as_bound, to_bound
from rdp.result import PointSolution, RateResult, SurfaceResult
from rdp.status import (
    CERTIFIED_GAP,
    EXIT_CERTIFIED,
    EXIT_UNCERTIFIED,
    STATUS_TABLE,
    Status,
    exit_code,
    is_certified,
    markdown_table,
    meets,
)

ROOT = pathlib.Path(rdp.__file__).parent

#: The statuses, written out here (not read from rdp): what each is, by the model's docs.
ALWAYS = {"exact", "infeasible"}
WITHIN_TOL = {"converged", "bounds"}
NEVER = {"iteration_limit", "time_limit", "inaccurate", "estimate", "not_computed"}


# ---------------------------------------------------------------- the predicate
def test_status_values_are_the_documented_ones():
    assert {s.value for s in Status} == ALWAYS | WITHIN_TOL | NEVER
    assert Status.EXACT == "exact" and str(Status.CONVERGED) == "converged"  # str enum
    assert np.asarray([Status.BOUNDS], dtype=object).astype(str)[0] == "bounds"


@pytest.mark.parametrize("status", sorted(ALWAYS | WITHIN_TOL | NEVER))
@pytest.mark.parametrize("gap", [0.0, 0.5e-6, 2e-6, 1e-3, np.inf])
def test_is_certified_truth_table(status, gap):
    lower, upper = 0.25, 0.25 + gap
    expected = status in ALWAYS or (status in WITHIN_TOL and gap <= 1e-6)
    assert is_certified(status, lower, upper) is expected


def test_is_certified_uses_the_stated_tolerance_and_broadcasts():
    assert not is_certified("converged", 0.0, 1e-5)
    assert is_certified("converged", 0.0, 1e-5, tol=1e-5)
    status = np.array([["exact", "bounds"], ["converged", "time_limit"]])
    lower = np.zeros((2, 2))
    upper = np.array([[0.0, 1e-3], [1e-9, 0.0]])
    np.testing.assert_array_equal(
        is_certified(status, lower, upper), [[True, False], [True, False]]
    )
    # the gap's own rounding is no reason to refuse: (a + tol) - a can exceed tol by an ulp
    a = 0.7234567890123
    assert is_certified("converged", a, a + CERTIFIED_GAP)
    # a nan bracket is never certified unless the status alone certifies
    assert not is_certified("bounds", np.nan, 1.0)
    assert is_certified("infeasible", np.inf, np.inf)


def test_exit_code_and_meets():
    assert exit_code([True, True]) == EXIT_CERTIFIED == 0
    assert exit_code(np.array([True, False])) == EXIT_UNCERTIFIED == 3
    assert meets(0.3 + 1e-14, 0.3) and not meets(0.3 + 1e-9, 0.3)
    assert meets(5.0, np.inf) and not meets(np.nan, 1.0)
    assert meets(1e-16, 0.0) and not meets(1e-13, 0.0)


def test_meets_on_scalars_is_its_elementwise_test():
    """Floats (the certificates' path) and 1-element arrays give the same answer, at and
    around the edge of the tolerance, for nan and for infinite values and limits."""
    rng = np.random.default_rng(3)
    limits = [0.0, 1e-300, 0.3, 7.5, 1e12, np.inf, -1.0, np.nan]
    for limit in limits:
        edge = limit * (1 + 1e-12) + 1e-15 if np.isfinite(limit) else 1.0
        values = [edge, np.nextafter(edge, np.inf), np.nextafter(edge, -np.inf), np.nan, np.inf,
                  -np.inf, *(edge + rng.normal(scale=1e-12, size=5))]  # fmt: skip
        for value in values:
            by_array = meets(np.array([value]), np.array([limit]))
            assert meets(float(value), float(limit)) is by_array, (value, limit)
            assert meets(np.float64(value), np.float64(limit)) is by_array, (value, limit)
    # the edge itself: one ulp above it fails (the twin of the passing edge)
    assert meets(0.3 * (1 + 1e-12) + 1e-15, 0.3)
    assert not meets(np.nextafter(0.3 * (1 + 1e-12) + 1e-15, 1.0), 0.3)


def test_status_table_describes_every_status_once():
    assert list(STATUS_TABLE) == list(Status)
    for status, info in STATUS_TABLE.items():
        assert info.guarantee and info.drawing
        expected = (
            "always"
            if status in ALWAYS
            else ("never" if status in NEVER else "when upper − lower ≤ tol")
        )
        assert info.certified == expected, status
        if status in NEVER:
            assert info.exit_code.startswith("3")
        if status in ALWAYS:
            assert info.exit_code == "0"


# ---------------------------------------------------------------- the point constructors
def test_point_constructors_state_the_status():
    point = PointSolution.exact(0.5)
    assert point.status is Status.EXACT and point.lower == point.value == point.upper == 0.5
    point = PointSolution.bracket(0.4, 0.5, status="bounds", iterations=0)
    assert point.status is Status.BOUNDS and point.value == 0.5 and point.feasible
    point = PointSolution.infeasible(diagnostics={"min_distortion": 0.1})
    assert point.status is Status.INFEASIBLE and not point.feasible and np.isinf(point.value)
    assert not PointSolution.not_computed().feasible


def test_point_rejects_what_the_model_forbids():
    with pytest.raises(ValueError, match="exact"):  # 'exact' with lower < upper
        PointSolution(value=0.5, lower=0.4, upper=0.5, status="exact", iterations=0)
    with pytest.raises(ValueError, match="status must be one of"):
        PointSolution.bracket(0.4, 0.5, status="optimal", iterations=0)
    with pytest.raises(ValueError, match="diagnostics"):
        PointSolution.exact(0.5, diagnostics={"status": "bounds"})
    with pytest.raises(ValueError, match="lower <= value <= upper"):
        PointSolution.bracket(0.5, 0.4, status="bounds", iterations=0)
    with pytest.raises(ValueError, match="nan"):
        PointSolution.bracket(np.nan, 0.4, status="estimate", iterations=0)
    with pytest.raises(TypeError):  # keyword-only: positional numbers cannot be mistaken
        PointSolution(0.5, 0.5, 0.5, True)  # type: ignore[misc]
    with pytest.raises(TypeError):  # the status is stated, never defaulted
        PointSolution(value=0.5, lower=0.5, upper=0.5, iterations=0)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        PointSolution.bracket(0.4, 0.5, iterations=0)  # type: ignore[call-arg]


def test_results_have_no_numeric_defaults():
    common = dict(lower=0.1, upper=0.1, feasible=True, P=0.0, units="bits", method="m",
                  reference="r", status="exact", message="", iterations=0, tol=1e-6)  # fmt: skip
    RateResult(rate=0.1, D=0.2, **common)
    for missing in ("rate", "D"):
        fields = {"rate": 0.1, "D": 0.2}
        del fields[missing]
        with pytest.raises(TypeError, match=missing):
            RateResult(**fields, **common)
    for missing in ("status", "iterations", "tol"):
        fields = dict(common)
        del fields[missing]
        with pytest.raises(TypeError, match=missing):
            RateResult(rate=0.1, D=0.2, **fields)
    with pytest.raises(TypeError, match="tol"):
        SurfaceResult(  # type: ignore[call-arg]
            D=np.zeros(1), P=np.zeros(1), rate=np.zeros((1, 1)), lower=np.zeros((1, 1)),
            upper=np.zeros((1, 1)), feasible=np.ones((1, 1), bool), min_distortion=np.zeros(1),
            zero_rate_distortion=np.zeros(1), status=np.full((1, 1), "exact"), units="bits",
            method="m",
        )  # fmt: skip


# ---------------------------------------------------------------- the bound carries its unit
def test_perception_bound_is_a_value_object_not_a_float():
    bound = to_bound(KL("source||reconstruction"), 0.3)  # 0.3 bits
    assert bound.value == pytest.approx(0.3 * np.log(2), rel=1e-15) and bound.bits == 0.3
    for operation in (
        lambda b: b + 1.0,
        lambda b: b * 2,
        lambda b: b < 1.0,
        lambda b: float(b),
        lambda b: min(b, 1.0),
        lambda b: b == 0.3,
        lambda b: np.log(b),
    ):
        with pytest.raises(TypeError):
            operation(bound)
    assert to_bound(KL("source||reconstruction"), 0.3) == bound  # equal bounds compare
    assert pickle.loads(pickle.dumps(bound)) == bound
    assert pickle.loads(pickle.dumps(bound)).bits == 0.3  # the user's bits kept exactly
    with pytest.raises(TypeError):
        PerceptionBound("tv", bound)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unit"):
        PerceptionBound("tv", 0.1, bits=0.1)
    # a bare float is read as bits, once, by as_bound
    assert as_bound(0.3, "kl-source-recon") == bound
    assert as_bound(0.3, "tv").value == 0.3


# ---------------------------------------------------------------- one definition
STATUS_WORDS = {s.value for s in Status} | {"optimal"}
PREDICATE_NAMES = {"certified", "uncertified", "is_certified", "is_uncertified", "settled",
                   "stopped"}  # fmt: skip


def second_definitions(source: str, name: str) -> list[str]:
    """Places in ``source`` that define a status set or a 'certified' predicate of their own.

    A status set: a tuple, list or set literal naming two or more statuses, or an
    ``or``/``and`` of comparisons with two or more statuses. A predicate: a function
    named as one (``certified``, ``uncertified``, ``is_certified``, ``settled``,
    ``stopped``, with or without a leading underscore) that does not call ``is_certified``.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            words = [
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant) and e.value in STATUS_WORDS
            ]
            if len(words) >= 2:
                found.append(f"{name}:{node.lineno}: status set {words}")
        if isinstance(node, ast.BoolOp):
            words = [
                c.value
                for cmp in node.values
                if isinstance(cmp, ast.Compare)
                for c in cmp.comparators
                if isinstance(c, ast.Constant) and c.value in STATUS_WORDS
            ]
            if len(words) >= 2:
                found.append(f"{name}:{node.lineno}: status test {words}")
        if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in PREDICATE_NAMES:
            calls = {
                getattr(c.func, "id", getattr(c.func, "attr", None))
                for c in ast.walk(node)
                if isinstance(c, ast.Call)
            }
            if "is_certified" not in calls:
                found.append(f"{name}:{node.lineno}: predicate {node.name}()")
    return found


def test_one_definition_of_the_status_set_and_of_certified():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == ROOT / "status.py":
            continue
        found += second_definitions(path.read_text(), str(path.relative_to(ROOT.parent)))
    assert found == []


def test_the_scan_finds_a_second_definition():
    twin = (
        'CERTIFIED = ("exact", "bounds", "converged", "optimal", "infeasible")\n'
        "def uncertified(result):\n"
        '    return result.status not in {"exact", "converged"}\n'
        "def _settled(s):\n"
        '    return s == "exact" or s == "bounds"\n'
    )
    found = second_definitions(twin, "twin.py")
    assert len(found) == 5, found  # three sets or tests, two predicates
    consumer = "def uncertified(r):\n    return ~is_certified(r.status, r.lower, r.upper)\n"
    assert second_definitions(consumer, "consumer.py") == []


# ---------------------------------------------------------------- the documented table
DOCS = ROOT.parent / "docs"


def test_the_certificates_page_shows_the_model_as_one_table():
    page = (DOCS / "concepts" / "certificates.md").read_text()
    assert markdown_table() in page
    assert page.count("| `status` |") == 1  # one table of statuses, not two
    assert "FEASIBILITY_TOL" in page and "10^{-12}" in page
    # the twin: a table naming a status the model does not have is not the page's
    assert markdown_table().replace("`estimate`", "`optimal`") not in page
    for status in Status:  # every documented status exists, and no other
        assert f"| `{status.value}` |" in page
    assert "`optimal`" not in (DOCS / "cli.md").read_text()  # not a status of rdp


def test_results_state_their_tolerances():
    problem = rdp.Problem(rdp.Bernoulli(0.2), "hamming", "tv")
    point = problem.rate([0.05, 0.1], 0.05)
    surface = problem.surface([0.05, 0.1], [0.05], progress=False)
    for result in (point, surface, surface.curve(0)):
        data = result.to_dict()
        assert data["tol"] == result.tol == CERTIFIED_GAP
        assert data["feasibility_tol"] == result.feasibility_tol == 1e-12
        assert np.all(result.certified)
    nats = problem.rate(0.1, 0.05, units="nats")
    assert nats.tol == pytest.approx(CERTIFIED_GAP * np.log(2))  # the gap in the value's unit
    fast = rdp.Problem(rdp.Discrete([0.5, 0.3, 0.2]), "hamming", "tv").rate(0.1, 0.05, tol=1e-4)
    assert fast.tol == 1e-4  # a looser solver tolerance is the stated one
