"""The numbers behind each plot, computed through the public [`Problem`][rdp.problem.Problem] API.

Two containers: [`CurveFamily`][rdp.plot.data.CurveFamily] (curves y(x), one per value of a
parameter) and the library's one surface type [`SurfaceResult`][rdp.result.SurfaceResult]
(R on a (D, P) grid, also named [`RateSurface`][rdp.result.SurfaceResult] here), computed by
[`rdp.solve.solve_grid`][rdp.solve.solve_grid]. Each carries the axis labels that name the
distortion and perception measures, so the drawing functions need nothing
else, and each flattens to table rows for CSV output.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp.plot import style
from rdp.problem import Problem
from rdp.result import SurfaceResult
from rdp.solve import solve_grid


@dataclass(frozen=True)
class CurveFamily:
    """Curves ``y[k](x)``, one for each value ``parameter[k]``.

    Attributes
    ----------
    x : ndarray, shape (n,)
        Abscissa shared by every curve.
    y : ndarray, shape (k, n)
        Ordinates; ``nan`` where the point is infeasible.
    parameter : ndarray, shape (k,)
        The value held fixed along each curve (``inf`` allowed).
    x_name, y_name, parameter_name : str
        Short names used as CSV column headers ('D', 'P', 'R').
    x_label, y_label : str
        Axis labels with units and the measures named.
    parameter_label : str
        Legend prefix, e.g. ``'P'`` or ``'R (bits)'``.
    """

    x: NDArray
    y: NDArray
    parameter: NDArray
    x_name: str
    y_name: str
    parameter_name: str
    x_label: str
    y_label: str
    parameter_label: str

    def columns(self) -> dict[str, NDArray]:
        """Long-format columns ``{parameter_name, x_name, y_name}`` (one row per point)."""
        k, n = self.y.shape
        return {
            self.parameter_name: np.repeat(self.parameter, n),
            self.x_name: np.tile(self.x, k),
            self.y_name: self.y.ravel(),
        }


#: The surface type of the plots: the library's one [`SurfaceResult`][rdp.result.SurfaceResult].
RateSurface = SurfaceResult


def axis_labels(problem: Problem, units: str = "bits") -> tuple[str, str, str]:
    """(distortion, perception, rate) axis labels naming ``problem``'s measures.

    KL perception is measured in the same unit as the rate, so its label says so.
    """
    perception = problem.perception_measure.label
    distortion = problem.distortion_measure.label
    if distortion == "distortion":  # an explicit matrix has no name of its own
        distortion = "distortion matrix Δ"
    if problem.perception_measure.information_unit:
        perception = f"{perception}, {units}"
    return (
        style.distortion_label(distortion),
        style.perception_label(perception),
        style.rate_label(units),
    )


def _grid(values: ArrayLike, name: str) -> NDArray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of values")
    return arr


def _finite(values: ArrayLike, feasible: ArrayLike) -> NDArray:
    out = np.array(values, dtype=float)
    out[~np.asarray(feasible, dtype=bool)] = np.nan
    return out


def rate_surface(
    problem: Problem,
    D: ArrayLike,
    P: ArrayLike,
    *,
    method: str = "auto",
    units: str = "bits",
    **options: object,
) -> SurfaceResult:
    """R(D, P) on the grid ``D × P`` ([`solve_grid`][rdp.solve.solve_grid]), with axis labels.

    Parameters
    ----------
    problem : Problem
        Any problem [`rate`][rdp.problem.Problem.rate] can answer.
    D, P : array_like, 1-D
        Distortion and perception grids (P in ``units`` for KL).
    method, units, **options
        Passed to [`rdp.solve.solve_grid`][rdp.solve.solve_grid] (no progress bar unless asked for).

    Returns
    -------
    SurfaceResult
        ``rate[i, j] = R(D[j], P[i])`` (``inf`` where infeasible; ``columns()``
        writes ``nan`` there), ``feasible``, ``zero_rate_distortion`` per P and
        the axis labels ``distortion_label``, ``perception_label``, ``rate_label``.
    """
    D_grid, P_grid = _grid(D, "D"), _grid(P, "P")
    options.setdefault("progress", False)
    surface = solve_grid(problem, D_grid, P_grid, method=method, units=units, **options)
    d_label, p_label, r_label = axis_labels(problem, units)
    return replace(surface, distortion_label=d_label, perception_label=p_label, rate_label=r_label)


def _curves(
    problem: Problem,
    x: tuple[str, NDArray],
    y: tuple[str, NDArray, ArrayLike],
    parameter: tuple[str, NDArray],
) -> CurveFamily:
    """A ``CurveFamily`` from ``(name, grid)`` pairs; infeasible ``y`` become nan.

    Names are 'D', 'P' or 'R'; the axis labels follow from them and ``problem``.
    """
    labels = dict(zip("DPR", axis_labels(problem), strict=True))
    (x_name, x_grid), (y_name, y_values, feasible), (parameter_name, values) = x, y, parameter
    return CurveFamily(
        x=x_grid,
        y=_finite(y_values, feasible),
        parameter=values,
        x_name=x_name,
        y_name=y_name,
        parameter_name=parameter_name,
        x_label=labels[x_name],
        y_label=labels[y_name],
        parameter_label=parameter_name,
    )


def rate_distortion_curves(
    problem: Problem,
    perception_levels: ArrayLike,
    D: ArrayLike,
    *,
    shannon: bool = True,
    method: str = "auto",
    **options: object,
) -> CurveFamily:
    """Perception-constrained rate–distortion curves R(D, P) for each P, against D.

    Parameters
    ----------
    problem : Problem
        The problem.
    perception_levels : array_like, 1-D
        The perception bounds P, one curve each.
    D : array_like, 1-D
        Distortion grid.
    shannon : bool
        Append P = ∞ (Shannon's R(D)) when it is not among the levels.
    method, **options
        Passed to [`rate`][rdp.problem.Problem.rate].
    """
    levels = _grid(perception_levels, "perception_levels")
    if shannon and not np.isinf(levels).any():
        levels = np.append(levels, np.inf)
    D_grid = _grid(D, "D")
    result = problem.rate(D_grid[None, :], levels[:, None], method=method, **options)
    return _curves(problem, ("D", D_grid), ("R", result.rate, result.feasible), ("P", levels))


def distortion_perception_curves(
    problem: Problem,
    rates: ArrayLike,
    P: ArrayLike,
    *,
    method: str = "auto",
    **options: object,
) -> CurveFamily:
    """Distortion–perception tradeoffs D(R, P) against P, one curve per rate R.

    This is the cross section of the R(D, P) surface by the plane R = const,
    drawn in the (P, D) plane.

    Parameters
    ----------
    problem : Problem
        The problem.
    rates : array_like, 1-D
        Rates R in bits, one curve each.
    P : array_like, 1-D
        Perception grid.
    method, **options
        Passed to [`distortion`][rdp.problem.Problem.distortion].
    """
    R_grid, P_grid = _grid(rates, "rates"), _grid(P, "P")
    result = problem.distortion(R_grid[:, None], P_grid[None, :], method=method, **options)
    return _curves(problem, ("P", P_grid), ("D", result.distortion, result.feasible), ("R", R_grid))


def rate_perception_curves(
    problem: Problem,
    distortions: ArrayLike,
    P: ArrayLike,
    *,
    method: str = "auto",
    **options: object,
) -> CurveFamily:
    """Rate–perception curves R(D, P) against P, one curve per distortion D.

    The cross section of the R(D, P) surface by the plane D = const.

    Parameters
    ----------
    problem : Problem
        The problem.
    distortions : array_like, 1-D
        Distortion bounds D, one curve each.
    P : array_like, 1-D
        Perception grid.
    method, **options
        Passed to [`rate`][rdp.problem.Problem.rate].
    """
    D_levels, P_grid = _grid(distortions, "distortions"), _grid(P, "P")
    result = problem.rate(D_levels[:, None], P_grid[None, :], method=method, **options)
    return _curves(problem, ("P", P_grid), ("R", result.rate, result.feasible), ("D", D_levels))
