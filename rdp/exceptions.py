"""Warnings raised by rdp, and the check that issues them.

A point is *certified* when its method proves its value: a closed form
('exact'), a solver whose certified bounds met the requested gap
('converged'), an interior-point solver's optimality certificate ('optimal',
Clarabel in ``method="cvxpy"``) or a proof that no channel meets the
constraints ('infeasible'). Any other status ('iteration_limit',
'time_limit', 'estimate' ...) means the point carries only its bounds
``lower ≤ R ≤ upper``, possibly ``[lower, inf]``; such points are never
silent: :func:`warn_uncertified` issues an :class:`UnconvergedWarning`, which
users can filter, or turn into an error with
``warnings.simplefilter("error", rdp.UnconvergedWarning)``. The command line
marks such points and exits with status 3 (see :mod:`rdp.cli.main`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

#: Statuses that certify a point's value.
CERTIFIED_STATUSES = frozenset({"exact", "converged", "optimal", "infeasible"})


class UnconvergedWarning(RuntimeWarning):
    """Some points of a result carry bounds only, not a certified value.

    Read ``status``, ``lower`` and ``upper`` of those points; tighten the
    solver (larger ``max_iter`` or ``time_limit``, a looser ``tol``) or use
    another method.
    """


def point_status(feasible: Any, diagnostics: Any) -> str:
    """The status of one point from its ``feasible`` flag and ``diagnostics`` dict."""
    if not bool(feasible):
        return "infeasible"
    if isinstance(diagnostics, dict):
        return str(diagnostics.get("status", "exact"))
    return "exact"


def statuses(result: Any) -> np.ndarray:
    """The status of every point of a result, as an array of str.

    Uses ``result.status`` when the result has one (curves, surfaces), else
    each point's ``diagnostics['status']`` (``'exact'`` when absent) and
    ``'infeasible'`` where ``feasible`` is False.
    """
    status = getattr(result, "status", None)
    if status is not None:
        return np.asarray(status, dtype=object).astype(str)
    feasible = np.asarray(getattr(result, "feasible", True))
    diagnostics = getattr(result, "diagnostics", None)
    if feasible.ndim == 0:
        return np.asarray(point_status(feasible, diagnostics)).astype(str)
    diag = np.asarray(diagnostics, dtype=object) if diagnostics is not None else None
    out = np.empty(feasible.shape, dtype=object)
    for index in np.ndindex(feasible.shape):
        out[index] = point_status(feasible[index], None if diag is None else diag[index])
    return out.astype(str)


def uncertified(result: Any) -> np.ndarray:
    """Boolean mask (same shape as the result's points) of the points without a certificate."""
    return ~np.isin(statuses(result), list(CERTIFIED_STATUSES))


def warn_uncertified(result: Any, *, stacklevel: int = 3) -> int:
    """Warn with :class:`UnconvergedWarning` when any point of ``result`` lacks a certificate.

    Returns the number of such points (0: no warning).
    """
    mask = uncertified(result)
    count = int(mask.sum())
    if count:
        found = sorted(set(np.atleast_1d(statuses(result))[np.atleast_1d(mask)].tolist()))
        total = int(mask.size)
        warnings.warn(
            f"{count} of {total} point(s) have no certified value (status "
            f"{', '.join(found)}); their lower/upper bounds hold, the value may not be optimal. "
            "Raise max_iter/time_limit, loosen tol, or try another method.",
            UnconvergedWarning,
            stacklevel=stacklevel,
        )
    return count


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`rdp.sweeps.surface` (or ``rd_curve``); ``partial`` holds what finished.

    ``partial`` is a :class:`~rdp.sweeps.SurfaceResult` whose unfinished cells have
    status ``'not_computed'`` (and ``rate = inf``); catching ``KeyboardInterrupt``
    catches this too.
    """

    def __init__(self, partial: Any) -> None:
        super().__init__("interrupted")
        self.partial = partial
