"""Warnings raised by rdp, and the check that issues them.

A point is *certified* when its method proves its value: a closed form
('exact'), a solver whose certified bounds met the requested gap
('converged', also Clarabel's interior-point certificate in
``method="cvxpy"``), certified bounds closer than ``BOUNDS_TOLERANCE``
('bounds') or a proof that no channel meets the constraints ('infeasible').
Any other status ('iteration_limit', 'time_limit', 'estimate', 'bounds' with
a wider bracket ...) means the point carries only its bounds
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

#: Statuses that certify a point's value.
CERTIFIED_STATUSES = frozenset({"exact", "converged", "infeasible"})

#: A point with status 'bounds' is certified when its bounds are this close (in its units).
BOUNDS_TOLERANCE = 1e-6


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

    Certified: status 'exact', 'converged' or 'infeasible', or 'bounds' whose
    bracket ``upper − lower`` is at most ``BOUNDS_TOLERANCE``.
    """
    status = statuses(result)
    with np.errstate(invalid="ignore"):
        gap = np.asarray(result.upper, dtype=float) - np.asarray(result.lower, dtype=float)
    tight = (status == "bounds") & (np.broadcast_to(gap, status.shape) <= BOUNDS_TOLERANCE)
    return ~(np.isin(status, list(CERTIFIED_STATUSES)) | tight)


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that attributes a warning to the first frame outside the rdp package."""
    import sys

    frame, level = sys._getframe(2), 2  # 1: warnings.warn's caller (warn_uncertified)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "rdp":
        frame, level = frame.f_back, level + 1
    return level


def warn_uncertified(result: Any) -> int:
    """Warn with ``UnconvergedWarning`` when any point of ``result`` lacks a certificate.

    The warning is attributed to the first caller outside rdp. Returns the
    number of such points (0: no warning).
    """
    mask = uncertified(result)
    count = int(mask.sum())
    if count:
        found = sorted(set(np.atleast_1d(statuses(result))[np.atleast_1d(mask)].tolist()))
        warnings.warn(
            f"{count} of {int(mask.size)} point(s) have no certified value (status "
            f"{', '.join(found)}); their lower/upper bounds hold, the value may not be optimal. "
            + (
                "Status 'bounds': no exact value is known for this problem; read lower/upper."
                if found == ["bounds"]
                else "Raise max_iter/time_limit, loosen tol, or try another method."
            ),
            UnconvergedWarning,
            stacklevel=_caller_stacklevel(),
        )
    return count


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``surface`` (or ``rd_curve``); ``partial`` holds what finished.

    ``partial`` is a [`SurfaceResult`][rdp.result.SurfaceResult] whose unfinished cells have
    status ``'not_computed'`` (and ``rate = inf``); catching ``KeyboardInterrupt``
    catches this too.
    """

    def __init__(self, partial: Any) -> None:
        super().__init__("interrupted")
        self.partial = partial
