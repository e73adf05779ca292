"""R(D, P) along a curve in D and over a (D, P) surface, with warm starts and a progress bar.

[`rd_curve`][rdp.sweeps.rd_curve] solves R(·, P) on a grid of distortions at one perception
level; [`surface`][rdp.sweeps.surface] solves R(D, P) on a grid of both. Both run through
[`rdp.solve.solve_grid`][rdp.solve.solve_grid]: one method object, each point starting from its
neighbour's warm state (passed explicitly), sweeping D in snake order over the
surface. Infeasible cells (D < D_min(P)) hold ``rate = inf``,
``feasible = False`` and ``status = 'infeasible'``; the boundary D_min(P) is
returned per P.
"""

from __future__ import annotations

from typing import Any

from numpy.typing import ArrayLike

from rdp.result import CurveResult, SurfaceResult
from rdp.solve import solve_curve, solve_grid

__all__ = ["CurveResult", "SurfaceResult", "rd_curve", "surface"]


def rd_curve(
    problem,
    P: float,
    D_grid: ArrayLike,
    *,
    method: str = "auto",
    units: str = "bits",
    progress: bool | None = None,
    warm_start: bool = True,
    **options: Any,
) -> CurveResult:
    """R(D, P) for every D in ``D_grid`` at the perception level ``P``.

    Parameters
    ----------
    problem : Problem
        The problem (any source the chosen method handles).
    P : float
        Perception bound in [0, ∞] (KL in ``units``).
    D_grid : array_like
        Distortions ≥ 0 (solved in increasing order, warm-starting each point).
    method, units, **options
        As in [`rdp.Problem.rate`][rdp.problem.Problem.rate].
    progress : bool, optional
        Show a tqdm progress bar (default: when the grid has more than 20 points).
    warm_start : bool
        Start each point from the previous one's state (default True).
    """
    return solve_curve(
        problem,
        P,
        D_grid,
        method=method,
        units=units,
        progress=progress,
        warm_start=warm_start,
        **options,
    )


def surface(
    problem,
    D_grid: ArrayLike,
    P_grid: ArrayLike,
    *,
    method: str = "auto",
    units: str = "bits",
    progress: bool | None = None,
    warm_start: bool = True,
    workers: int | None = 1,
    **options: Any,
) -> SurfaceResult:
    """R(D, P) on the grid ``P_grid × D_grid`` (rows: P, columns: D).

    The same method object solves every cell, sweeping D up and down in turn
    (snake order) so that each cell starts from its neighbour's solution.

    Parameters
    ----------
    problem : Problem
    D_grid, P_grid : array_like
        1-D grids, D ≥ 0 finite, P in [0, ∞] (KL in ``units``).
    method, units, **options
        As in [`rdp.Problem.rate`][rdp.problem.Problem.rate].
    progress : bool, optional
        Show a tqdm progress bar (default: more than 20 cells).
    warm_start : bool
        Start each cell from its neighbour's state (default True).
    workers : int or None
        Processes that solve the rows (default 1: this process; None: one per
        core). With ``workers = W > 1`` the rows are dealt to W chains (rows
        ``w, w + W, …``), each solved in snake order in a spawned process; every
        cell is certified on its own, so the values agree with ``workers = 1``
        within the tolerance, not bit for bit. The problem must pickle.

    Returns
    -------
    SurfaceResult
        Arrays of shape ``(len(P_grid), len(D_grid))``; the boundary D_min(P) per row.
    """
    return solve_grid(
        problem,
        D_grid,
        P_grid,
        method=method,
        units=units,
        progress=progress,
        warm_start=warm_start,
        workers=workers,
        **options,
    )
