"""The one status model: what each point's ``status`` guarantees, and when a point is certified.

Every point that rdp returns — one value of [`Problem.rate`][rdp.problem.Problem.rate], a
cell of a surface, a row of a stored sweep — carries a
[`Status`][rdp.status.Status] and a bracket ``lower ≤ value ≤ upper``. A point is
*certified* when [`is_certified`][rdp.status.is_certified] says so, from its status
**and** its bracket:

- ``exact`` and ``infeasible`` are certified (a closed form; a proof that no channel
  meets the constraints);
- ``converged`` and ``bounds`` are certified when ``upper − lower ≤ tol``, the stated
  gap tolerance ([`CERTIFIED_GAP`][rdp.status.CERTIFIED_GAP], or a solver's ``tol`` when
  that is looser; every result carries its ``tol``);
- every other status is not.

A certified rate point proves its lower bound and holds a channel that meets the
distortion and perception constraints within the floating tolerance
[`FEASIBILITY_TOL`][rdp.status.FEASIBILITY_TOL] (relative, with the absolute floor
[`FEASIBILITY_ATOL`][rdp.status.FEASIBILITY_ATOL]); its rate is the upper bound. Warnings
([`rdp.exceptions.warn_uncertified`][rdp.exceptions.warn_uncertified]), command-line exit
codes ([`exit_code`][rdp.status.exit_code]), tables and plots all decide with this one
predicate, and [`STATUS_TABLE`][rdp.status.STATUS_TABLE] describes each status once for
all of them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CERTIFIED_GAP",
    "EXIT_CERTIFIED",
    "EXIT_UNCERTIFIED",
    "FEASIBILITY_ATOL",
    "FEASIBILITY_TOL",
    "STATUS_TABLE",
    "Status",
    "StatusInfo",
    "exit_code",
    "is_certified",
    "markdown_table",
    "meets",
]

CERTIFIED_GAP = 1e-6
"""Gap ``upper − lower`` (in the value's unit: bits, nats or distortion) at or below which a
``'converged'`` or ``'bounds'`` point is certified; also the fast solver's default ``tol``."""

FEASIBILITY_TOL = 1e-12
"""Relative slack with which a returned channel meets an exact constraint in floating point:
distortion ≤ D·(1 + FEASIBILITY_TOL) + FEASIBILITY_ATOL, the same for the perception bound
P, and rows summing to the source law within FEASIBILITY_TOL."""

FEASIBILITY_ATOL = 1e-15
"""Absolute floor of the feasibility slack (for constraints at 0)."""

EXIT_CERTIFIED = 0
"""Exit status of the command line when every point is certified."""

EXIT_UNCERTIFIED = 3
"""Exit status of the command line when some point is not certified."""


class Status(StrEnum):
    """How a point was obtained, and what its numbers guarantee.

    A ``str`` enum: ``Status.EXACT == "exact"``, so stored results and string
    comparisons keep working.

    Attributes
    ----------
    EXACT
        A closed form: ``lower = value = upper``. Certified.
    BOUNDS
        A certified bracket ``lower ≤ R ≤ upper`` with no exact value known (a closed form
        evaluated to bounds, or a bisection stopped where the bounds straddle the target).
        Certified when ``upper − lower ≤ tol``.
    CONVERGED
        A solver closed its bracket: ``lower`` is proven, ``upper`` is the rate of a channel
        that meets the constraints within ``FEASIBILITY_TOL``. Certified when
        ``upper − lower ≤ tol``.
    ITERATION_LIMIT
        The solver stopped at ``max_iter``; the bracket holds (``upper`` may be ``inf``).
    TIME_LIMIT
        The solver stopped at ``time_limit``; the bracket holds (``upper`` may be ``inf``).
    INACCURATE
        The solver answered without a certificate; only the bracket holds.
    ESTIMATE
        The value is an estimate; ``lower`` and ``upper`` are bounds that hold.
    INFEASIBLE
        A proof that no channel meets the constraints (D < D_min(P)): the rate is ``inf``.
        Certified.
    NOT_COMPUTED
        Not solved (the run was interrupted); nothing is known.
    """

    EXACT = "exact"
    BOUNDS = "bounds"
    CONVERGED = "converged"
    ITERATION_LIMIT = "iteration_limit"
    TIME_LIMIT = "time_limit"
    INACCURATE = "inaccurate"
    ESTIMATE = "estimate"
    INFEASIBLE = "infeasible"
    NOT_COMPUTED = "not_computed"


class StatusInfo(NamedTuple):
    """One row of [`STATUS_TABLE`][rdp.status.STATUS_TABLE]."""

    #: What the point's numbers guarantee.
    guarantee: str
    #: When the point is certified: 'always', 'when upper − lower ≤ tol' or 'never'.
    certified: str
    #: Exit status of the command line (``rdp rate``, ``rdp surface``, ``rdp sweep``).
    exit_code: str
    #: How plots draw the point.
    drawing: str


_ALWAYS, _GAP, _NEVER = "always", "when upper − lower ≤ tol", "never"
_EXIT_GAP = f"{EXIT_CERTIFIED} when upper − lower ≤ tol, else {EXIT_UNCERTIFIED}"
_DRAW_CERTIFIED = "on the curve; the band lower…upper shaded in the curve's colour"
_DRAW_MARKED = "red × at the value and a red bar over lower…upper (level sets: a red × in the cell)"
_DRAW_GAP = "as a certified point when upper − lower ≤ tol, else as an uncertified one (red ×)"

STATUS_TABLE: dict[Status, StatusInfo] = {
    Status.EXACT: StatusInfo(
        "closed form: lower = value = upper", _ALWAYS, str(EXIT_CERTIFIED), _DRAW_CERTIFIED
    ),
    Status.BOUNDS: StatusInfo(
        "certified bracket lower ≤ R ≤ upper, no exact value known", _GAP, _EXIT_GAP, _DRAW_GAP
    ),
    Status.CONVERGED: StatusInfo(
        "proven lower bound; upper is the rate of a channel meeting D and P within "
        "the feasibility tolerance",
        _GAP,
        _EXIT_GAP,
        _DRAW_GAP,
    ),
    Status.ITERATION_LIMIT: StatusInfo(
        "stopped at max_iter: the bracket holds (upper may be inf)",
        _NEVER,
        str(EXIT_UNCERTIFIED),
        _DRAW_MARKED,
    ),
    Status.TIME_LIMIT: StatusInfo(
        "stopped at time_limit: the bracket holds (upper may be inf)",
        _NEVER,
        str(EXIT_UNCERTIFIED),
        _DRAW_MARKED,
    ),
    Status.INACCURATE: StatusInfo(
        "the solver answered without a certificate: only the bracket holds",
        _NEVER,
        str(EXIT_UNCERTIFIED),
        _DRAW_MARKED,
    ),
    Status.ESTIMATE: StatusInfo(
        "an estimate; lower and upper are bounds that hold",
        _NEVER,
        str(EXIT_UNCERTIFIED),
        _DRAW_MARKED,
    ),
    Status.INFEASIBLE: StatusInfo(
        "proof that no channel meets the constraints (D < D_min(P)): R = inf",
        _ALWAYS,
        str(EXIT_CERTIFIED),
        "not drawn: outside the feasible region, whose boundary D_min(P) is shaded",
    ),
    Status.NOT_COMPUTED: StatusInfo(
        "not solved (interrupted): only R ≥ 0 is known",
        _NEVER,
        f"{EXIT_UNCERTIFIED} (130 when the run itself was interrupted)",
        "no curve point; level sets: a red × in the cell",
    ),
}
"""Each status once: its guarantee, when it is certified, the exit code, how it is drawn."""

_ALWAYS_CERTIFIED = [s.value for s, info in STATUS_TABLE.items() if info.certified == _ALWAYS]
_GAP_CERTIFIED = [s.value for s, info in STATUS_TABLE.items() if info.certified == _GAP]


def is_certified(
    status: str | ArrayLike,
    lower: float | ArrayLike,
    upper: float | ArrayLike,
    tol: float | ArrayLike = CERTIFIED_GAP,
) -> bool | NDArray:
    """Whether points with ``status`` and bracket ``[lower, upper]`` are certified.

    Certified: status 'exact' or 'infeasible'; or status 'converged' or 'bounds' with
    ``upper − lower ≤ tol`` (up to the rounding of the difference itself). Any other
    status is not certified. Array arguments broadcast (numpy rules).

    Parameters
    ----------
    status : str or array_like of str
        Values of [`Status`][rdp.status.Status].
    lower, upper : float or array_like
        The certified bracket, in the value's unit.
    tol : float or array_like
        The stated gap tolerance, in the same unit (default
        [`CERTIFIED_GAP`][rdp.status.CERTIFIED_GAP]).

    Returns
    -------
    bool or ndarray of bool
        A ``bool`` for scalar arguments, else an array of the broadcast shape.

    Examples
    --------
    >>> is_certified("bounds", 0.5, 0.5 + 1e-3)
    False
    >>> is_certified(["exact", "converged", "time_limit"], 0.5, [0.5, 0.5 + 1e-8, 0.5])
    array([ True,  True, False])
    """
    status = np.asarray(status, dtype=object).astype(str)
    with np.errstate(invalid="ignore"):
        lo = np.asarray(lower, dtype=float)
        hi = np.asarray(upper, dtype=float)
        gap = hi - lo
        tol = np.asarray(tol, dtype=float)
        # the gap is a difference of two rounded numbers: allow its own rounding
        slack = 4 * np.finfo(float).eps * np.maximum(np.abs(lo), np.abs(hi))
        tight = np.isfinite(gap) & (gap <= tol + slack)
    out = np.isin(status, _ALWAYS_CERTIFIED) | (np.isin(status, _GAP_CERTIFIED) & tight)
    return bool(out) if out.ndim == 0 else out


def exit_code(certified: bool | ArrayLike) -> int:
    """The command line's exit status: 0 when every point is certified, else 3."""
    return EXIT_CERTIFIED if bool(np.all(certified)) else EXIT_UNCERTIFIED


def meets(value: float | ArrayLike, limit: float | ArrayLike) -> bool:
    """Whether ``value ≤ limit`` holds within the floating feasibility tolerance.

    ``value ≤ limit · (1 + FEASIBILITY_TOL) + FEASIBILITY_ATOL`` (every element for
    arrays); ``limit = inf`` is always met, a ``nan`` value never.

    Examples
    --------
    >>> meets(0.5 + 1e-14, 0.5), meets(0.5 + 1e-9, 0.5)
    (True, False)
    """
    if isinstance(value, float) and isinstance(limit, float):  # scalars (np.float64 too)
        if value != value:  # nan
            return False
        return bool(limit == np.inf or value <= limit * (1 + FEASIBILITY_TOL) + FEASIBILITY_ATOL)
    value = np.asarray(value, dtype=float)
    limit = np.asarray(limit, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = (limit == np.inf) | (value <= limit * (1 + FEASIBILITY_TOL) + FEASIBILITY_ATOL)
    return bool(np.all(ok & ~np.isnan(value)))


def markdown_table() -> str:
    """[`STATUS_TABLE`][rdp.status.STATUS_TABLE] as one Markdown table (the documentation's)."""
    lines = [
        "| `status` | what is guaranteed | certified | exit code | how it is drawn |",
        "|---|---|---|---|---|",
    ]
    for status, info in STATUS_TABLE.items():
        lines.append(
            f"| `{status.value}` | {info.guarantee} | {info.certified} | {info.exit_code} | "
            f"{info.drawing} |"
        )
    return "\n".join(lines) + "\n"
