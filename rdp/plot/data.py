"""The numbers behind each plot, computed through the public [`Problem`][rdp.problem.Problem] API.

Two containers: [`CurveFamily`][rdp.plot.data.CurveFamily] (curves y(x), one per value of a
parameter) and the library's one surface type [`SurfaceResult`][rdp.result.SurfaceResult]
(R on a (D, P) grid), computed by [`Problem.surface`][rdp.problem.Problem.surface]. Each
carries the axis labels that name the distortion and perception measures, so the
drawing functions need nothing else, and each flattens to table rows for CSV output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._deprecation import deprecated
from rdp._labels import axis_labels
from rdp.problem import Problem
from rdp.result import SurfaceResult
from rdp.status import CERTIFIED_GAP, is_certified


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
    lower, upper : ndarray, shape (k, n), optional
        Certified bounds on ``y`` (from a solver's result or a certified bracket).
    status : ndarray of str, shape (k, n), optional
        Each point's [`Status`][rdp.status.Status].
    tol : float, optional
        The gap tolerance of the points (in ``y``'s unit); required with ``status``.
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
    lower: NDArray | None = None
    upper: NDArray | None = None
    status: NDArray | None = None
    tol: float | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.tol is None:
            raise ValueError(
                "a CurveFamily with a status needs the tol its points are certified to"
            )

    @property
    def uncertified(self) -> NDArray:
        """Mask (k, n) of the points without a certified value.

        ``~is_certified(status, lower, upper, tol)``
        ([`rdp.status.is_certified`][rdp.status.is_certified]); their ``lower``/``upper``
        still hold, and the figures mark them. All False without a status.
        """
        if self.status is None:
            return np.zeros(self.y.shape, dtype=bool)
        lower = self.y if self.lower is None else self.lower
        upper = self.y if self.upper is None else self.upper
        status = np.asarray(self.status).astype(str)
        return ~np.broadcast_to(is_certified(status, lower, upper, self.tol), status.shape)

    def columns(self) -> dict[str, NDArray]:
        """Long-format columns ``{parameter_name, x_name, y_name}`` (one row per point),
        then ``lower``, ``upper`` and ``status`` when the family carries them."""
        k, n = self.y.shape
        out = {
            self.parameter_name: np.repeat(self.parameter, n),
            self.x_name: np.tile(self.x, k),
            self.y_name: self.y.ravel(),
        }
        for name in ("lower", "upper", "status"):
            value = getattr(self, name)
            if value is not None:
                out[name] = np.asarray(value).ravel()
        return out


def _grid(values: ArrayLike, name: str) -> NDArray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of values")
    return arr


def _finite(values: ArrayLike, feasible: ArrayLike) -> NDArray:
    out = np.array(values, dtype=float)
    out[~np.asarray(feasible, dtype=bool)] = np.nan
    return out


def rate_surface(problem: Problem, D: ArrayLike, P: ArrayLike, **options: Any) -> SurfaceResult:
    """Deprecated: use [`Problem.surface`][rdp.problem.Problem.surface] (it carries the labels)."""
    deprecated("rdp.plot.rate_surface", "Problem.surface")
    options.setdefault("progress", False)
    return problem.surface(_grid(D, "D"), _grid(P, "P"), **options)


def __getattr__(name: str) -> Any:
    if name == "RateSurface":
        deprecated("rdp.plot.RateSurface", "rdp.SurfaceResult")
        return SurfaceResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _curves(
    problem: Problem,
    x: tuple[str, NDArray],
    y: tuple[str, Any],
    parameter: tuple[str, NDArray],
) -> CurveFamily:
    """A ``CurveFamily`` from ``(name, grid)`` pairs and ``(name, result)``; infeasible ``y``
    become nan, the result's bounds and statuses are kept.

    Names are 'D', 'P' or 'R'; the axis labels follow from them and ``problem``.
    """
    labels = dict(zip("DPR", axis_labels(problem), strict=True))
    (x_name, x_grid), (y_name, result), (parameter_name, values) = x, y, parameter
    return CurveFamily(
        x=x_grid,
        y=_finite(result.rate if y_name == "R" else result.distortion, result.feasible),
        lower=np.asarray(result.lower, dtype=float),
        upper=np.asarray(result.upper, dtype=float),
        status=np.asarray(result.status).astype(str),
        tol=float(result.tol),
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
    return _curves(problem, ("D", D_grid), ("R", result), ("P", levels))


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
    return _curves(problem, ("P", P_grid), ("D", result), ("R", R_grid))


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
    return _curves(problem, ("P", P_grid), ("R", result), ("D", D_levels))


def _surface_curve_family(
    surface: SurfaceResult,
    x: tuple[str, NDArray],
    y: tuple[str, NDArray, NDArray, NDArray, NDArray, NDArray],
    parameter: tuple[str, NDArray],
    tol: float,
) -> CurveFamily:
    """A ``CurveFamily`` from arrays cut out of ``surface`` (axis labels from the surface)."""
    labels = {"D": surface.distortion_label, "P": surface.perception_label, "R": surface.rate_label}
    (x_name, x_grid), (y_name, value, lower, upper, status, feasible) = x, y
    parameter_name, values = parameter
    return CurveFamily(
        x=np.asarray(x_grid, dtype=float),
        y=_finite(value, feasible),
        lower=np.asarray(lower, dtype=float),
        upper=np.asarray(upper, dtype=float),
        status=np.asarray(status).astype(str),
        tol=tol,
        parameter=np.asarray(values, dtype=float),
        x_name=x_name,
        y_name=y_name,
        parameter_name=parameter_name,
        x_label=labels[x_name],
        y_label=labels[y_name],
        parameter_label=parameter_name,
    )


def _indices(grid: NDArray, values: ArrayLike, name: str) -> NDArray:
    """Positions of ``values`` in ``grid`` (each must be a grid value, ``inf`` included)."""
    wanted = _grid(values, name)
    out = []
    for v in wanted:
        hits = np.flatnonzero(np.isclose(grid, v, rtol=1e-12, atol=1e-15) | (grid == v))
        if hits.size == 0:
            raise ValueError(f"{name}: {v:g} is not on the surface's grid {np.round(grid, 6)}")
        out.append(int(hits[0]))
    return np.asarray(out, dtype=int)


def surface_rate_distortion(surface: SurfaceResult, perception_levels: ArrayLike) -> CurveFamily:
    """R(D, P) against D at some P of a computed surface (its rows), bounds and statuses kept.

    Parameters
    ----------
    surface : SurfaceResult
        From [`Problem.surface`][rdp.problem.Problem.surface].
    perception_levels : array_like, 1-D
        P values of the rows to take; each must be on ``surface.P``.
    """
    rows = _indices(surface.P, perception_levels, "perception_levels")
    return _rate_section(surface, ("D", surface.D), ("P", surface.P[rows]), lambda a: a[rows])


def surface_rate_perception(surface: SurfaceResult, distortions: ArrayLike) -> CurveFamily:
    """R(D, P) against P at some D of a computed surface (its columns): the sections D = const.

    Parameters
    ----------
    surface : SurfaceResult
        From [`Problem.surface`][rdp.problem.Problem.surface].
    distortions : array_like, 1-D
        D values of the columns to take; each must be on ``surface.D``.
    """
    cols = _indices(surface.D, distortions, "distortions")
    return _rate_section(surface, ("P", surface.P), ("D", surface.D[cols]), lambda a: a[:, cols].T)


def _rate_section(surface: SurfaceResult, x, parameter, cut) -> CurveFamily:
    """The rate of ``surface`` cut by ``cut`` (rows or columns), with its bounds and statuses."""
    fields = (surface.rate, surface.lower, surface.upper, surface.status, surface.feasible)
    return _surface_curve_family(
        surface, x, ("R", *(cut(a) for a in fields)), parameter, surface.tol
    )


def distortion_bracket(
    D: NDArray, lower: NDArray, upper: NDArray, R: float, d_min: float
) -> tuple[float, float]:
    """A certified bracket ``(low, high)`` of D(R, P) from bounds on R(·, P) on a D grid.

    R(D, P) is non-increasing and convex in D (Blau & Michaeli 2019, Theorem 1), and
    ``lower ≤ R(D_j, P) ≤ upper`` at the grid points ``D`` (ascending). Upper end: the
    chord of ``upper`` between the two grid points around the crossing is achievable
    (time sharing), so D(R, P) is at most where that chord meets R. Lower end: a
    convex curve lies above each of its secants extended beyond their ends, so with
    ``k`` the last grid point where ``lower > R`` and ``j`` the first where
    ``upper ≤ R``, the curve lies above the line through ``(D_k, lower_k)`` with slope
    ``(lower_k − upper_{k−1}) / (D_k − D_{k−1})`` to the right of ``D_k``, and above the
    line through ``(D_j, lower_j)`` with slope ``(upper_{j+1} − lower_j) / (D_{j+1} − D_j)``
    to the left of ``D_j``; D(R, P) is at least where either line meets R (at least
    ``D_k``, or ``d_min`` without such a point). ``(nan, nan)`` when no grid point
    reaches R.
    """
    below = np.flatnonzero(np.isfinite(upper) & (upper <= R))
    if below.size == 0:
        return float("nan"), float("nan")
    j = int(below[0])
    high = float(D[j])
    if j > 0 and np.isfinite(upper[j - 1]) and upper[j - 1] > upper[j]:
        high = float(D[j - 1] + (upper[j - 1] - R) / (upper[j - 1] - upper[j]) * (D[j] - D[j - 1]))
    above = np.flatnonzero(np.isfinite(lower) & (lower > R))
    low = float(d_min)
    if above.size:
        k = int(above[-1])
        low = max(low, float(D[k]))
        if k > 0 and np.isfinite(upper[k - 1]):
            slope = (lower[k] - upper[k - 1]) / (D[k] - D[k - 1])
            if slope < 0:
                low = max(low, float(D[k] + (lower[k] - R) / -slope))
    if j + 1 < D.size and np.isfinite(lower[j]):
        slope = (upper[j + 1] - lower[j]) / (D[j + 1] - D[j])
        if slope < 0:
            low = max(low, float(D[j] + (R - lower[j]) / slope))
    return min(low, high), high


def surface_distortion_perception(surface: SurfaceResult, rates: ArrayLike) -> CurveFamily:
    """D(R, P) against P at fixed rates, bracketed from a computed surface's certified bounds.

    The cross section of the surface by the plane R = const, read off each P row
    with [`distortion_bracket`][rdp.plot.data.distortion_bracket]: ``lower``/``upper``
    are certified bounds on D(R, P), ``y`` is the upper end (achieved by time sharing
    between two grid channels), status ``'bounds'`` (``'not_computed'`` where no grid
    point of the row reaches R). The bracket narrows as the D grid is refined; a
    bracket wider than [`CERTIFIED_GAP`][rdp.status.CERTIFIED_GAP] is not a certified value
    and is marked as such.

    Parameters
    ----------
    surface : SurfaceResult
        From [`Problem.surface`][rdp.problem.Problem.surface] (rates in ``surface.units``).
    rates : array_like, 1-D
        Rates R, one curve each.
    """
    R_grid = _grid(rates, "rates")
    order = np.argsort(surface.D, kind="stable")
    D = surface.D[order]
    shape = (R_grid.size, surface.P.size)
    low, high = np.full(shape, np.nan), np.full(shape, np.nan)
    for i in range(surface.P.size):
        lower = np.where(surface.feasible[i], surface.lower[i], np.inf)[order]
        upper = np.where(surface.feasible[i], surface.upper[i], np.inf)[order]
        for r, R in enumerate(R_grid):
            low[r, i], high[r, i] = distortion_bracket(
                D, lower, upper, float(R), float(surface.min_distortion[i])
            )
    found = np.isfinite(high)
    status = np.where(found, "bounds", "not_computed")
    return _surface_curve_family(
        surface,
        ("P", surface.P),
        ("D", high, low, high, status, found),
        ("R", R_grid),
        CERTIFIED_GAP,  # brackets of D: certified values only where they close to this
    )
