"""The interface every method (closed form or numerical solver) implements, and a lazy registry.

A *method* answers single points of one [`Problem`][rdp.problem.Problem];
the [`Problem`][rdp.problem.Problem] methods broadcast, convert units and assemble the results. The
registry maps a name to a *factory* ``factory(problem, **options) -> Method``
that raises ``ValueError`` when the method does not apply to the problem.

Built-in methods are declared by dotted path (``"module:attribute"``) and
imported only when first used, so ``import rdp`` loads no solver and none of
their heavy dependencies (POT, cvxpy, JAX); a method imports those inside the
functions that need them. Plugins register a factory directly::

    @register_method("my-solver", auto_priority=2)
    def my_solver(problem, **options): ...

    register_method("my-solver", my_solver)   # the same, without the decorator
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from rdp.perceptions import PerceptionBound
from rdp.result import PointSolution
from rdp.solvers.memory import MemoryCeilingError
from rdp.status import CERTIFIED_GAP

if TYPE_CHECKING:
    from rdp.problem import Problem


class Method(Protocol):
    """What a method provides for one problem.

    Rates are in bits. The perception argument ``P`` is a
    [`PerceptionBound`][rdp.perceptions.PerceptionBound] (KL in nats) built once by
    the ``Problem`` methods; methods also accept a bare float, read as a user value in
    bits ([`rdp.perceptions.as_bound`][rdp.perceptions.as_bound]).
    """

    #: Short name shown in results ('closed-form: bernoulli-hamming-tv', 'fast', 'cvxpy').
    name: str
    #: Paper and equation behind the method.
    reference: str
    # Optional: ``tol``, the gap (bits) a solver closes before it answers 'converged'
    # (read by ``stated_tol``).

    def rate_point(self, D: float, P: PerceptionBound | float, warm: Any = None) -> PointSolution:
        """R(D, P) at one point (D ≥ 0).

        ``warm`` is the ``warm`` state of a
        neighbouring point (or None for a cold start); the method keeps no
        state between calls, so results do not depend on call order.

        The point states its status through its constructor
        ([`PointSolution.exact`][rdp.result.PointSolution.exact],
        [`bracket`][rdp.result.PointSolution.bracket] or
        [`infeasible`][rdp.result.PointSolution.infeasible]); a certified point
        ([`rdp.status.is_certified`][rdp.status.is_certified]) proves ``lower`` and returns a
        channel that meets D and P within [`rdp.status.FEASIBILITY_TOL`][rdp.status.FEASIBILITY_TOL]
        whose mutual information is ``upper``.
        """
        ...

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """D_min(P): the least distortion reachable (at any rate) with perception ≤ P."""
        ...

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """D_max(P): the least distortion at rate 0 with perception ≤ P."""
        ...


class InvertibleMethod(Method, Protocol):
    """A method that also computes D(R, P) directly (otherwise it is found by bisection)."""

    def distortion_point(self, R: float, P: PerceptionBound | float) -> PointSolution:
        """D(R, P) at one point (R ≥ 0 in bits)."""
        ...


MethodFactory = Callable[..., Method]


def stated_tol(method: Method) -> float:
    """The gap tolerance (bits) at which the points of ``method`` are certified.

    [`rdp.status.CERTIFIED_GAP`][rdp.status.CERTIFIED_GAP], or the method's ``tol``
    attribute (a solver's stopping gap) when that is looser.
    """
    tol = getattr(method, "tol", None)
    return CERTIFIED_GAP if tol is None else max(CERTIFIED_GAP, float(tol))


#: The built-in methods: name -> "module:factory", imported on first use.
BUILTIN_METHODS: dict[str, str] = {
    "closed-form": "rdp.closed_forms:closed_form",
    "gaussian-kl-gated": "rdp.closed_forms.gaussian_kl:gated_method",
    "gaussian-f-gated": "rdp.closed_forms.gaussian_fdivergence:gated_method",
    "fast": "rdp.solvers.fast:fast_solver",
    "cvxpy": "rdp.solvers.convex:convex_program",
}


class _Registry(Mapping[str, MethodFactory]):
    """name -> factory; a dotted-path entry is imported when it is first looked up."""

    def __init__(self, entries: Mapping[str, str | MethodFactory]) -> None:
        self._entries: dict[str, str | MethodFactory] = dict(entries)

    def __getitem__(self, name: str) -> MethodFactory:
        entry = self._entries[name]
        if isinstance(entry, str):
            module, _, attribute = entry.partition(":")
            entry = getattr(importlib.import_module(module), attribute)
            self._entries[name] = entry
        return entry

    def __setitem__(self, name: str, factory: str | MethodFactory) -> None:
        self._entries[name] = factory

    def pop(self, name: str, default: Any = None) -> Any:
        """Remove ``name`` (and from the 'auto' order); return its entry or ``default``."""
        if name in AUTO_ORDER:
            AUTO_ORDER.remove(name)
        return self._entries.pop(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries


#: name -> factory(problem, **options) returning a Method; raises ValueError when it does not apply.
METHODS = _Registry(BUILTIN_METHODS)

#: Tried in this order by ``method="auto"``.
AUTO_ORDER: list[str] = ["closed-form", "fast"]

#: Methods that take no options: their answers are exact or proven bounds, so a solver's
#: stopping gap, iteration, time or memory limit and progress bar do not concern them.
#: Under ``method="auto"`` such a method, when it applies, is built without the options,
#: which are meant for the solver that would otherwise answer; asked for by name it
#: refuses them. Only the names of ``SOLVER_OPTIONS`` are left out this way: another
#: name (a misspelt option) is refused as before.
OPTIONLESS: set[str] = {"closed-form", "gaussian-kl-gated", "gaussian-f-gated"}

#: The options of the built-in solvers (``fast``: ``rdp.solvers.fast.fast_solver``;
#: ``cvxpy``: ``rdp.solvers.convex.convex_program``).
SOLVER_OPTIONS = frozenset(
    {"tol", "max_iter", "time_limit", "check_every", "verbose", "max_memory", "progress", "solvers"}
)


class _WithoutOptions:
    """``factory`` called without the options given to it (picklable for worker processes)."""

    def __init__(self, factory: MethodFactory) -> None:
        self.factory = factory

    def __call__(self, problem: Problem, **options: Any) -> Method:
        return self.factory(problem)


def register_method(
    name: str, factory: str | MethodFactory | None = None, *, auto_priority: int | None = None
) -> Any:
    """Register ``factory`` under ``name``; ``auto_priority`` places it in the 'auto' order.

    ``factory`` is a callable ``factory(problem, **options) -> Method`` or a
    ``"module:attribute"`` path imported on first use. Without ``factory`` this
    returns a decorator::

        @register_method("mine")
        def mine(problem, **options): ...
    """
    if factory is None:

        def decorator(func: MethodFactory) -> MethodFactory:
            register_method(name, func, auto_priority=auto_priority)
            return func

        return decorator
    METHODS[name] = factory
    if auto_priority is not None and name not in AUTO_ORDER:
        AUTO_ORDER.insert(min(auto_priority, len(AUTO_ORDER)), name)
    return factory


# ``resolve_method``: deprecated, use [`Problem.method`][rdp.problem.Problem.method].
def __getattr__(name: str) -> Any:
    if name == "resolve_method":
        from rdp._deprecation import problem_method

        return problem_method("rdp.methods.resolve_method", "method")
    raise AttributeError(f"module 'rdp.methods' has no attribute {name!r}")


def resolve_factory(problem: Problem, name: str, **options: object) -> tuple[MethodFactory, Method]:
    """The factory of the method ``name`` (for 'auto': the first that applies) and its method.

    ``factory(problem, **options)`` builds the same method again, e.g. in another
    process ([`Problem.surface`][rdp.problem.Problem.surface] with ``workers > 1``).
    For 'auto', a method of ``OPTIONLESS`` that applies is used without ``options``
    (a closed form answers whatever ``tol``, ``time_limit`` or ``progress`` says).
    """
    if name == "auto":
        reasons = []
        for candidate in AUTO_ORDER:
            try:
                factory = METHODS[candidate]
                if options and candidate in OPTIONLESS and SOLVER_OPTIONS.issuperset(options):
                    factory = _WithoutOptions(factory)
                return factory, factory(problem, **options)
            except MemoryCeilingError:
                raise  # the method applies, the problem is too large for it: say so alone
            except ValueError as err:
                reasons.append(f"{candidate}: {err}")
        raise ValueError(
            f"no method applies to {problem!r}; tried " + "; ".join(reasons or ["none registered"])
        )
    if name not in METHODS:
        raise ValueError(
            f"method must be 'auto' or one of {', '.join(map(repr, METHODS))}; got {name!r}"
        )
    factory = METHODS[name]
    return factory, factory(problem, **options)
