"""The interface every method (closed form or numerical solver) implements, and their registry.

A *method* answers single points of one :class:`~rdp.problem.Problem`; the
problem broadcasts, converts units and assembles result objects. Closed forms
live in :mod:`rdp.closed_forms`, numerical solvers in :mod:`rdp.solvers`;
each registers a factory here under its name, so that
``problem.rate(D, P, method=name)`` finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from rdp.result import PointSolution

if TYPE_CHECKING:
    from rdp.problem import Problem


class Method(Protocol):
    """What a method provides for one problem. All rates in bits; KL perception in bits."""

    #: Short name shown in results ('closed-form: bernoulli-hamming-tv', 'fast', 'cvxpy').
    name: str
    #: Paper and equation behind the method.
    reference: str

    def rate_point(self, D: float, P: float) -> PointSolution:
        """R(D, P) at one point (D ≥ 0, P ≥ 0 or inf)."""
        ...

    def min_distortion(self, P: float) -> float:
        """D_min(P): the least distortion reachable (at any rate) with perception ≤ P."""
        ...

    def zero_rate_distortion(self, P: float) -> float:
        """D_max(P): the least distortion at rate 0 with perception ≤ P."""
        ...


class InvertibleMethod(Method, Protocol):
    """A method that also computes D(R, P) directly (otherwise it is found by bisection)."""

    def distortion_point(self, R: float, P: float) -> PointSolution:
        """D(R, P) at one point (R ≥ 0 in bits)."""
        ...


MethodFactory = Callable[..., Method]

#: name -> factory(problem, **options) returning a Method; raises ValueError when it does not apply.
METHODS: dict[str, MethodFactory] = {}

#: Tried in this order by ``method="auto"``.
AUTO_ORDER: list[str] = []


def register_method(name: str, factory: MethodFactory, *, auto_priority: int | None = None) -> None:
    """Register ``factory`` under ``name``; ``auto_priority`` places it in the 'auto' order."""
    METHODS[name] = factory
    if auto_priority is not None and name not in AUTO_ORDER:
        AUTO_ORDER.insert(min(auto_priority, len(AUTO_ORDER)), name)


def resolve_method(problem: Problem, name: str, **options: object) -> Method:
    """Return the method ``name`` (or the first applicable one for 'auto') for ``problem``.

    ``options`` go to the method's factory (e.g. ``tol``, ``max_iter`` of a solver).
    """
    if name == "auto":
        reasons = []
        for candidate in AUTO_ORDER:
            try:
                return METHODS[candidate](problem, **options)
            except ValueError as err:
                reasons.append(f"{candidate}: {err}")
        raise ValueError(
            f"no method applies to {problem!r}; tried " + "; ".join(reasons or ["none registered"])
        )
    if name not in METHODS:
        raise ValueError(
            f"method must be 'auto' or one of {', '.join(map(repr, METHODS))}; got {name!r}"
        )
    return METHODS[name](problem, **options)
