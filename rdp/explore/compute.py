"""The explorer's numbers, all from [`Problem`][rdp.problem.Problem]: the point and the sections.

[`solve_point`][rdp.explore.compute.solve_point] answers the view's point with
``Problem.rate`` (R(D, P)) or ``Problem.distortion`` (D(R, P));
[`compute_sections`][rdp.explore.compute.compute_sections] evaluates the curves and the
surface drawn around it through [`rdp.plot.data`][rdp.plot.data] (which calls the same
methods), one curve or surface row at a time, so a long computation reports progress
and stops between steps when it is cancelled.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.channels import Channel
from rdp.exceptions import uncertified
from rdp.explore.view import View, build_problem
from rdp.plot.data import (
    CurveFamily,
    axis_labels,
    distortion_perception_curves,
    rate_distortion_curves,
    rate_perception_curves,
)
from rdp.problem import Problem
from rdp.result import SurfaceResult
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector
from rdp.units import LN2


class Cancelled(Exception):
    """A computation stopped between two steps because a newer view (or the user) cancelled it."""


@dataclass(frozen=True)
class Point:
    """The view's point as [`Problem`][rdp.problem.Problem] computed it.

    Attributes
    ----------
    mode : {'rate', 'distortion'}
        R(D, P) or D(R, P).
    value, lower, upper : float
        The value and its certified bracket (``inf`` for an infeasible rate).
    D, P, R : float
        The point: ``D`` and ``R`` are the value and the input, whichever the mode.
    feasible, certified : bool
        ``certified`` is ``not rdp.exceptions.uncertified(result)``.
    status, message, method, reference, units : str
    channel : Channel or None
    """

    mode: str
    value: float
    lower: float
    upper: float
    D: float
    P: float
    R: float
    feasible: bool
    certified: bool
    status: str
    message: str
    method: str
    reference: str
    units: str
    channel: Channel | None

    @property
    def symbol(self) -> str:
        """'R(D, P)' or 'D(R, P)'."""
        return "R(D, P)" if self.mode == "rate" else "D(R, P)"


def solve_point(view: View, problem: Problem | None = None) -> Point:
    """The view's point: ``problem.rate(D, P)`` or ``problem.distortion(R, P)``."""
    problem = build_problem(view) if problem is None else problem
    P = view.perception_level
    if view.mode == "rate":
        result = problem.rate(view.D, P, units=view.units)
        D, R = float(view.D), float(result.rate)
        value = R
    else:
        result = problem.distortion(view.R, P, units=view.units)
        D, R = float(result.distortion), float(view.R)
        value = D
    return Point(
        mode=view.mode,
        value=value,
        lower=float(result.lower),
        upper=float(result.upper),
        D=D,
        P=P,
        R=R,
        feasible=bool(result.feasible),
        certified=not bool(uncertified(result)),
        status=str(result.status),
        message=str(result.message),
        method=result.method,
        reference=result.reference,
        units=view.units,
        channel=result.channel,
    )


# ---------------------------------------------------------------- grids
@dataclass(frozen=True)
class Grids:
    """Where the sections are evaluated.

    Attributes
    ----------
    D : ndarray
        Distortion grid of the R(D) curves and the (D, P) plane.
    P : ndarray
        Perception grid of the sections and the (D, P) plane (empty without a measure).
    levels : ndarray
        Perception levels of the R(D) curves (``inf``: Shannon's curve).
    section_P : ndarray
        Perception grid of the D–P section (every other P for solvers: each of its
        points is a bisection on R(D, P)).
    tol : float
        Relative bracket width of the D(R, P) inversions of the D–P section.
    """

    D: NDArray
    P: NDArray
    levels: NDArray
    tol: float
    section_P: NDArray


def numerical(problem: Problem) -> bool:
    """True when the problem is answered by a numerical solver (no closed form)."""
    return problem.method().name in ("fast", "cvxpy")


#: Finite problems with more symbols than this have their point computed apart
#: (in a process that a cancel stops); smaller ones answer within about a second.
LARGE = 64


def large(problem: Problem) -> bool:
    """True for a finite problem of more than ``LARGE`` symbols answered by a solver."""
    if not isinstance(problem.source, Discrete):
        return False
    return problem.source.size > LARGE and numerical(problem)


def _variance(problem: Problem) -> float:
    source = problem.source
    if isinstance(source, Gaussian):
        return source.variance
    if isinstance(source, GaussianVector):
        return float(np.trace(source.covariance))
    finite = source.to_discrete()
    mean = float(finite.pmf @ finite.alphabet)
    return max(float(finite.pmf @ (finite.alphabet - mean) ** 2), 1e-12)


def perception_scale(problem: Problem, units: str = "bits") -> float:
    """The top of the perception axis: a level where the constraint has mostly relaxed.

    TV uses 1 − max p_X for finite sources (the TV from p_X to a point mass on its
    likeliest symbol), KL 1 bit, JS ½ bit, squared Hellinger ½, χ² 1; transport costs
    scale with the source's variance (W₂²: 0.5 σ², W₁: 0.5 σ).
    """
    kind = problem.perception_measure.kind
    if kind == "tv":
        if isinstance(problem.source, Bernoulli | Discrete):
            # TV to the point mass on the likeliest symbol, the law of a zero-rate decoder
            return max(1.0 - float(problem.source.to_discrete().pmf.max()), 0.05)
        return 0.5
    if kind in ("kl-source-recon", "kl-recon-source"):
        return 1.0 if units == "bits" else LN2
    if kind in ("hellinger", "js", "chi2-source-recon", "chi2-recon-source"):
        if not isinstance(problem.source, Bernoulli | Discrete):
            return 1.0
        # the divergence to the law of a zero-rate decoder (a point mass on the likeliest
        # symbol), where it is finite; else 1
        pmf = problem.source.to_discrete().pmf
        mass = np.zeros_like(pmf)
        mass[np.argmax(pmf)] = 1.0
        top = problem.perception_measure.divergence(pmf, mass, units=units)
        return float(top) if math.isfinite(top) and top > 0 else 1.0
    if kind == "js":  # at most 1 bit
        return 0.5 if units == "bits" else 0.5 * LN2
    if kind == "hellinger":  # in [0, 1]
        return 0.5
    if kind in ("chi2-source-recon", "chi2-recon-source", "f-divergence"):
        return 1.0
    variance = _variance(problem)
    return 0.5 * variance if kind == "w2" else 0.5 * math.sqrt(variance)


def distortion_scale(problem: Problem, units: str = "bits") -> float:
    """The right end of the distortion axis: D_max at the strictest perception level shown."""
    P = 0.0 if problem.perception_measure.kind != "none" else math.inf
    top = problem.zero_rate_distortion(P, units=units)
    if not math.isfinite(top) or top <= 0:
        top = problem.zero_rate_distortion(math.inf, units=units)
    return float(top)


def grids(problem: Problem, view: View, *, fine: bool | None = None) -> Grids:
    """Grids for ``problem``: fine for closed forms, coarse for solvers and vector sources.

    The D grid starts above 0 for continuous sources (where R → ∞ as D → 0).
    """
    if fine is None:
        fine = not numerical(problem) and not isinstance(problem.source, GaussianVector)
    n_D, n_P = (41, 21) if fine else (13, 7)
    top = distortion_scale(problem, view.units) * 1.05
    start = 0.0 if isinstance(problem.source, Bernoulli | Discrete) else 0.02 * top
    D = np.linspace(start, top, n_D)
    if problem.perception_measure.kind == "none":
        return Grids(D=D, P=np.empty(0), levels=np.array([np.inf]), tol=1e-6, section_P=np.empty(0))
    scale = perception_scale(problem, view.units)
    P = np.linspace(0.0, scale, n_P)
    levels = np.array([0.0, scale / 8, scale / 4, scale / 2, np.inf])
    if fine:
        return Grids(D=D, P=P, levels=levels, tol=1e-6, section_P=P)
    return Grids(D=D, P=P, levels=levels, tol=1e-2, section_P=P[::2])


# ---------------------------------------------------------------- sections
@dataclass(frozen=True)
class Sections:
    """The curves and the surface drawn around the point (None: not drawn for this view).

    Attributes
    ----------
    rate_distortion : CurveFamily
        R(D) at the levels of [`Grids`][rdp.explore.compute.Grids] and at the point's P.
    rate_perception : CurveFamily or None
        R against P at the point's D.
    distortion_perception : CurveFamily or None
        D(R, P) against P at the point's rate (None when that rate is 0 or infinite).
    surface : SurfaceResult or None
        R(D, P) on ``grids.D × grids.P`` for the equi-rate lines.
    pending : tuple of str
        Panels left out for now ('dp': the D–P section is still being computed).
    """

    rate_distortion: CurveFamily
    rate_perception: CurveFamily | None
    distortion_perception: CurveFamily | None
    surface: SurfaceResult | None
    pending: tuple[str, ...] = ()


Progress = Callable[[int, int], None]


def _stack_curves(families: list[CurveFamily]) -> CurveFamily:
    """One family holding the curves of ``families`` (same abscissa), in order."""

    def stacked(name: str) -> NDArray | None:
        parts = [getattr(family, name) for family in families]
        return None if any(part is None for part in parts) else np.concatenate(parts)

    return replace(
        families[0],
        y=stacked("y"),
        lower=stacked("lower"),
        upper=stacked("upper"),
        status=stacked("status"),
        parameter=stacked("parameter"),
    )


def _stack_surfaces(rows: list[SurfaceResult]) -> SurfaceResult:
    """One surface from one-row surfaces on the same D grid."""
    first = rows[0]
    fields = ("P", "rate", "lower", "upper", "feasible", "min_distortion", "zero_rate_distortion")
    stacked: dict[str, Any] = {
        name: np.concatenate([getattr(r, name) for r in rows]) for name in fields
    }
    for name in ("status", "message", "iterations"):
        parts = [getattr(r, name) for r in rows]
        stacked[name] = None if any(part is None for part in parts) else np.concatenate(parts)
    return replace(first, **stacked)


def _relabel(family: CurveFamily, problem: Problem, units: str) -> CurveFamily:
    labels = dict(zip("DPR", axis_labels(problem, units), strict=True))
    return replace(family, x_label=labels[family.x_name], y_label=labels[family.y_name])


#: Results a section cache holds before it drops those of earlier points.
MAX_CACHED = 200


@dataclass(frozen=True)
class Step:
    """One computation behind the figure.

    ``panel`` is 'rd', 'rp', 'dp' or 'plane'; a ``shared`` step does not depend on the
    point (only on the problem and the grids). The ``name`` says what the step computes,
    the point included, so a cache may key results by it.
    """

    name: str
    panel: str
    shared: bool
    run: Callable[[], Any]


def section_steps(problem: Problem, view: View, point: Point, grid: Grids) -> list[Step]:
    """The computations behind the figure, in the order they run."""
    units = view.units

    def curve(level: float) -> Callable[[], CurveFamily]:
        return lambda: rate_distortion_curves(problem, [level], grid.D, shannon=False, units=units)

    def row(P: float) -> Callable[[], SurfaceResult]:
        return lambda: problem.surface(grid.D, [P], units=units, progress=False)

    levels = grid.levels.copy()
    if math.isfinite(point.P):  # the point's own level (in place of one a rounding away)
        close = np.isclose(levels, point.P, rtol=1e-9, atol=0.0)
        levels = np.where(close, point.P, levels) if close.any() else np.append(levels, point.P)
        levels = np.sort(levels)
    steps = [
        Step(f"R(D) at P = {level!r}", "rd", level in grid.levels, curve(level)) for level in levels
    ]
    if grid.P.size:
        steps.append(
            Step(
                f"R–P section at D = {point.D!r}",
                "rp",
                False,
                lambda: rate_perception_curves(problem, [point.D], grid.P, units=units),
            )
        )
        steps += [
            Step(f"(D, P) plane, row {i + 1} of {grid.P.size}", "plane", True, row(P))
            for i, P in enumerate(grid.P)
        ]
        if point.feasible and 0 < point.R < math.inf:  # last: a bisection per point
            steps.append(
                Step(
                    f"D–P section at R = {point.R!r}",
                    "dp",
                    False,
                    lambda: distortion_perception_curves(
                        problem, [point.R], grid.section_P, units=units, tol=grid.tol
                    ),
                )
            )
    return steps


def compute_sections(
    problem: Problem,
    view: View,
    point: Point,
    grid: Grids | None = None,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    progress: Progress | None = None,
    cache: dict[str, Any] | None = None,
    skip: tuple[str, ...] = (),
) -> Sections:
    """Evaluate every step of [`section_steps`][rdp.explore.compute.section_steps].

    ``cancelled`` is asked before each step (``Cancelled`` is raised when it says so);
    ``progress(done, total)`` is called after each. ``cache`` (a dict kept by the caller
    for one problem and grid) holds the steps' results by name, which are then not
    computed again. The panels in ``skip`` are left out (``Sections.pending``).
    """
    grid = grids(problem, view) if grid is None else grid
    steps = [step for step in section_steps(problem, view, point, grid) if step.panel not in skip]
    pending = tuple(
        step.panel for step in section_steps(problem, view, point, grid) if step.panel in skip
    )
    results: dict[str, list[Any]] = {"rd": [], "rp": [], "dp": [], "plane": []}
    if cache is not None and len(cache) > MAX_CACHED:  # points visited: keep the shared steps
        shared = {step.name for step in steps if step.shared}
        for name in [name for name in cache if name not in shared]:
            del cache[name]
    for done, step in enumerate(steps):
        if cache is not None and step.name in cache:
            value = cache[step.name]
        else:
            if cancelled():
                raise Cancelled(step.name)
            value = step.run()
            if cache is not None:
                cache[step.name] = value
        results[step.panel].append(value)
        if progress is not None:
            progress(done + 1, len(steps))
    units = view.units
    rp, dp = results["rp"], results["dp"]
    return Sections(
        rate_distortion=_relabel(_stack_curves(results["rd"]), problem, units),
        rate_perception=_relabel(rp[0], problem, units) if rp else None,
        distortion_perception=_relabel(dp[0], problem, units) if dp else None,
        surface=_stack_surfaces(results["plane"]) if results["plane"] else None,
        pending=pending,
    )


# ---------------------------------------------------------------- data download
def sections_csv(point: Point, sections: Sections) -> str:
    """Every number drawn, as CSV: one row per point with its panel, bounds and status."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["panel", "D", "P", "R", "lower", "upper", "status"])
    writer.writerow(["point", point.D, point.P, point.R, point.lower, point.upper, point.status])
    families = [
        ("R(D) curves", sections.rate_distortion),
        ("R-P section", sections.rate_perception),
        ("D-P section", sections.distortion_perception),
    ]
    for panel, family in families:
        if family is None:
            continue
        for k, parameter in enumerate(family.parameter):
            for j, x in enumerate(family.x):
                values = {
                    family.parameter_name: parameter,
                    family.x_name: x,
                    family.y_name: family.y[k, j],
                }
                writer.writerow(
                    [panel, values["D"], values["P"], values["R"], family.lower[k, j],
                     family.upper[k, j], family.status[k, j]]
                )  # fmt: skip
    if sections.surface is not None:
        for row in sections.surface.rows():
            rate = row["rate"] if row["feasible"] else math.nan
            writer.writerow(
                ["(D,P) plane", row["D"], row["P"], rate, row["lower"], row["upper"], row["status"]]
            )
    return out.getvalue()


def warm_up() -> None:
    """Solve one small point of each kind, so that a session's first point is not an import.

    Loads the closed forms and the finite solver (with POT) before the first page opens.
    """
    for view in (
        View(),
        View(source="gaussian", distortion="mse", perception="w2", D=0.5, P=0.1),
        View(
            source="discrete", pmf="0.5, 0.5", distortion="hamming", perception="w1", D=0.1, P=0.1
        ),
    ):
        solve_point(view)
