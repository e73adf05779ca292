"""Warnings and errors raised by rdp, and the check that issues the warnings.

A point is *certified* when [`rdp.status.is_certified`][rdp.status.is_certified] says so
from its status, its bracket and the result's ``tol`` (the one definition; see
[`rdp.status`][rdp.status]). Any other point carries only its bounds
``lower ≤ R ≤ upper``, possibly ``[lower, inf]``; such points are never
silent: [`warn_uncertified`][rdp.exceptions.warn_uncertified] issues an
[`UnconvergedWarning`][rdp.exceptions.UnconvergedWarning], which
users can filter, or turn into an error with
``warnings.simplefilter("error", rdp.UnconvergedWarning)``. The command line
marks such points and exits with status 3 (see ``rdp.cli.main``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from rdp.status import Status, is_certified


class UnconvergedWarning(RuntimeWarning):
    """Some points of a result carry bounds only, not a certified value.

    Read ``status``, ``lower`` and ``upper`` of those points; tighten the
    solver (larger ``max_iter`` or ``time_limit``, a looser ``tol``) or use
    another method.
    """


def statuses(result: Any) -> np.ndarray:
    """The ``status`` of every point of a result (a point, array, curve or surface), as str."""
    return np.asarray(result.status, dtype=object).astype(str)


def uncertified(result: Any) -> np.ndarray:
    """Boolean mask (same shape as the result's points) of the points without a certificate.

    ``~is_certified(status, lower, upper, tol)`` with the result's own ``tol``
    ([`rdp.status.is_certified`][rdp.status.is_certified]).
    """
    status = statuses(result)
    certified = is_certified(status, result.lower, result.upper, result.tol)
    return ~np.broadcast_to(certified, status.shape)


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that attributes a warning to the first frame outside the rdp package."""
    import sys

    frame, level = sys._getframe(2), 2  # 1: warnings.warn's caller (warn_uncertified)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "rdp":
        frame, level = frame.f_back, level + 1
    return level


def uncertified_message(count: int, total: int, found: dict[str, int] | list[str]) -> str:
    """The one line that reports ``count`` of ``total`` points without a certified value.

    ``found``: the statuses of those points (with counts, or a list). Used by
    [`warn_uncertified`][rdp.exceptions.warn_uncertified], ``rdp rate``, ``rdp surface``,
    ``rdp sweep`` and [`rdp.sweep`][rdp.batch.run.sweep], so they all say the same.
    """
    if isinstance(found, dict):
        detail = ", ".join(f"{k}: {v:,}" for k, v in sorted(found.items()))
        names = sorted(found)
    else:
        names = sorted(set(found))
        detail = ", ".join(names)
    advice = (
        "status 'bounds': no exact value is known and the bracket is wider than tol"
        if names == [Status.BOUNDS.value]
        else "raise max_iter/time_limit, loosen tol, or try another method"
    )
    return (
        f"{count:,} of {total:,} point(s) have no certified value (status {detail}); "
        f"only their lower/upper bounds hold ({advice})"
    )


def warn_uncertified(result: Any) -> int:
    """Warn with ``UnconvergedWarning`` when any point of ``result`` lacks a certificate.

    The warning is attributed to the first caller outside rdp. Returns the
    number of such points (0: no warning).
    """
    mask = uncertified(result)
    count = int(mask.sum())
    if count:
        found = np.atleast_1d(statuses(result))[np.atleast_1d(mask)].tolist()
        warnings.warn(
            uncertified_message(count, int(mask.size), found) + f"; tol = {result.tol:g}",
            UnconvergedWarning,
            stacklevel=_caller_stacklevel(),
        )
    return count


class TimeLimitError(RuntimeError):
    """A computation that returns one number stopped at its time limit without it.

    Raised by ``min_distortion`` and ``zero_rate_distortion`` of the finite methods when
    the program or search behind D_min(P) or D_max(P) runs past the method's
    ``time_limit`` (the command line reports it as "no certified answer", exit 3). A rate
    point whose D_min(P) runs out of time is returned with status ``'time_limit'``
    instead. ``lower`` is a proven lower bound on the quantity when one is known (for
    D_min(P): Σ_i p_i min_j Δ_ij), else None; raise ``time_limit`` to get the value.
    """

    def __init__(self, message: str, lower: float | None = None) -> None:
        super().__init__(message)
        self.lower = lower


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``surface`` (or ``rd_curve``); ``partial`` holds what finished.

    ``partial`` is a [`SurfaceResult`][rdp.result.SurfaceResult] whose unfinished cells have
    status ``'not_computed'`` (and ``rate = inf``); catching ``KeyboardInterrupt``
    catches this too.
    """

    def __init__(self, partial: Any) -> None:
        super().__init__("interrupted")
        self.partial = partial
