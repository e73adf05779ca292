r"""Properties of the rate–distortion–perception function, checked on any ``Problem``.

Blau & Michaeli (ICML 2019), Theorem 1: $R(D, P)$ is

1. non-increasing in D and in P;
2. jointly convex in (D, P) when the divergence is convex in its second argument
   (TV, $W_p^p$ and KL in either direction are);
3. equal to Shannon's $R(D)$ at $P = \infty$, and so
   $R(D, P) \ge R(D, \infty)$ for every P, in particular at P = 0;
4. zero beyond the zero-rate boundary $D \ge D_{\max}(P)$ (a reconstruction
   independent of X meets both constraints).

Each check evaluates the problem through its public API (``problem.rate``,
``problem.zero_rate_distortion``) on a grid and compares values using the
results' certified bounds (``lower`` ≤ R ≤ ``upper``; equal for closed forms),
so a solver's stated accuracy enters the tolerance instead of being ignored.

References
----------
1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
   Rate-Distortion-Perception Tradeoff", ICML 2019, Theorem 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.perceptions import KL, NoPerception, TotalVariation, Wasserstein
from rdp.problem import Problem
from rdp.sources import Bernoulli, Gaussian, GaussianVector
from rdp.theorems import independent
from rdp.theorems.report import TheoremReport

REFERENCE = (
    "Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception "
    "Tradeoff, ICML 2019, Theorem 1"
)


def describe(problem: Problem) -> str:
    """A short label of a problem: 'source/distortion/perception'."""
    source = problem.source
    if isinstance(source, Bernoulli):
        name = f"bernoulli({source.p:g})"
    elif isinstance(source, Gaussian):
        name = f"gaussian({source.mean:g},{source.variance:g})"
    elif isinstance(source, GaussianVector):
        name = "gaussian-vector(eigenvalues=" + ",".join(f"{v:g}" for v in source.eigenvalues) + ")"
    else:
        name = type(source).__name__.lower()
    return f"{name}/{problem.distortion_measure.name}/{problem.perception_measure.name}"


def default_grid(problem: Problem, points: int = 9) -> tuple[NDArray, NDArray]:
    """A uniform (D, P) grid covering the interesting part of the problem.

    D runs over (0, 1.1·D_max(0)] (avoiding D = 0, where the rate may be
    infinite); P over [0, P_ref], with P_ref the perception of a point-mass
    reconstruction scale: the variance (W₂²), mean absolute deviation (W₁),
    1 − max pmf (TV), 1 bit (KL). Both are ``points`` long, P odd-spaced so that
    midpoints of grid pairs are grid points.
    """
    d_max = float(problem.zero_rate_distortion(0.0))
    D = np.linspace(0.0, 1.1 * d_max, points + 1)[1:]
    perception = problem.perception_measure
    if isinstance(problem.source, Gaussian):
        var = problem.source.variance
        ref = {1: np.sqrt(var), 2: var}.get(getattr(perception, "order", 0), 1.0)
    elif isinstance(problem.source, GaussianVector):
        ref = float(np.trace(problem.source.covariance))
    else:
        discrete = problem.source.to_discrete()
        mean = float(discrete.pmf @ discrete.alphabet)
        if isinstance(perception, TotalVariation):
            ref = 1.0 - float(discrete.pmf.max())
        elif isinstance(perception, Wasserstein):
            ref = float(discrete.pmf @ np.abs(discrete.alphabet - mean) ** perception.order)
        else:
            ref = 1.0
    if isinstance(perception, KL):
        ref = 1.0
    if isinstance(perception, NoPerception):
        return D, np.array([np.inf])
    return D, np.linspace(0.0, ref, points)


def _grid(problem: Problem, D: NDArray, P: NDArray, options: dict[str, Any]) -> Any:
    """R over the grid, shape (len(P), len(D))."""
    return problem.rate(D[None, :], P[:, None], **options)


def _bounds(result: Any) -> tuple[NDArray, NDArray]:
    lower = np.atleast_2d(np.asarray(result.lower, dtype=float))
    upper = np.atleast_2d(np.asarray(result.upper, dtype=float))
    return lower, upper


def _excess(later_lower: NDArray, earlier_upper: NDArray) -> NDArray:
    """lower − upper with inf − inf := 0 (both infeasible) and inf − finite := inf."""
    both_inf = np.isinf(later_lower) & np.isinf(earlier_upper)
    with np.errstate(invalid="ignore"):
        out = later_lower - earlier_upper
    return np.where(both_inf, -np.inf, out)


def _report(
    name: str,
    statement: str,
    problem: Problem,
    D: NDArray,
    P: NDArray,
    quantities: dict[str, Any],
    deviation: float,
    tolerance: float,
    label: str | None,
) -> TheoremReport:
    return TheoremReport.from_deviation(
        name=f"blau-michaeli2019/{name}[{label or describe(problem)}]",
        statement=statement,
        reference=REFERENCE,
        instance=(
            f"{describe(problem)}; D in [{D.min():.4g}, {D.max():.4g}] ({D.size} points), "
            f"P in [{P.min():.4g}, {P.max():.4g}] ({P.size} points)"
        ),
        quantities=quantities,
        deviation=deviation,
        tolerance=tolerance,
    )


def check_monotonicity(
    problem: Problem,
    D: Sequence[float] | None = None,
    P: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-9,
    label: str | None = None,
    **options: Any,
) -> TheoremReport:
    """R(D, P) is non-increasing in D and in P.

    The deviation is the largest certified increase, ``lower(next) − upper(previous)``,
    along either axis (≤ 0 when the property holds).
    """
    D_arr, P_arr = _resolve(problem, D, P)
    result = _grid(problem, D_arr, P_arr, options)
    lower, upper = _bounds(result)
    along_d = _excess(lower[:, 1:], upper[:, :-1])
    along_p = _excess(lower[1:, :], upper[:-1, :])
    deviation = float(max(np.max(along_d, initial=-np.inf), np.max(along_p, initial=-np.inf)))
    return _report(
        "monotonicity",
        "R(D, P) is non-increasing in D and in P.",
        problem,
        D_arr,
        P_arr,
        {
            "D": D_arr,
            "P": P_arr,
            "rate": np.asarray(result.rate),
            "largest_increase_along_D": float(np.max(along_d, initial=-np.inf)),
            "largest_increase_along_P": float(np.max(along_p, initial=-np.inf)),
        },
        deviation,
        tolerance,
        label,
    )


def check_convexity(
    problem: Problem,
    D: Sequence[float] | None = None,
    P: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-9,
    label: str | None = None,
    **options: Any,
) -> TheoremReport:
    r"""R(D, P) is jointly convex: midpoint convexity on every grid pair two steps apart.

    For grid points a, b whose midpoint m is a grid point (steps (2,0), (0,2), (2,2),
    (2,−2)), $R(m) \le \frac12(R(a) + R(b))$; the deviation is the largest
    certified excess ``lower(m) − (upper(a) + upper(b))/2`` over pairs with finite ends.
    The grids must be uniform.
    """
    D_arr, P_arr = _resolve(problem, D, P)
    for name, arr in (("D", D_arr), ("P", P_arr)):
        if arr.size > 2 and not np.allclose(np.diff(arr), arr[1] - arr[0], rtol=1e-9, atol=0):
            raise ValueError(f"{name} must be a uniform grid for the midpoint-convexity check")
    result = _grid(problem, D_arr, P_arr, options)
    lower, upper = _bounds(result)
    n_p, n_d = lower.shape
    worst, pairs = -np.inf, 0
    for dp, dd in ((0, 2), (2, 0), (2, 2), (2, -2)):
        for i in range(n_p):
            for j in range(n_d):
                i2, j2 = i + dp, j + dd
                if not (0 <= i2 < n_p and 0 <= j2 < n_d):
                    continue
                ends = upper[i, j] + upper[i2, j2]
                if not np.isfinite(ends):
                    continue
                pairs += 1
                worst = max(worst, lower[(i + i2) // 2, (j + j2) // 2] - ends / 2.0)
    return _report(
        "convexity",
        "R(D, P) is jointly convex in (D, P) (midpoint convexity on the grid).",
        problem,
        D_arr,
        P_arr,
        {"pairs_checked": pairs, "largest_midpoint_excess": float(worst)},
        float(worst),
        tolerance,
        label,
    )


def shannon_rate(problem: Problem, D: NDArray, **options: Any) -> tuple[NDArray, str]:
    """Shannon's R(D) for the problem's source and distortion, computed independently.

    Direct formulas for Gaussian/MSE and Bernoulli/Hamming, reverse water-filling by
    bisection for a Gaussian vector, Blahut–Arimoto for a finite source
    ([`rdp.theorems.independent.shannon_rate`][rdp.theorems.independent.shannon_rate]; the midpoint
    of its bounds).
    """
    lower, upper, how = independent.shannon_rate(problem, np.asarray(D, dtype=float))
    return 0.5 * (lower + upper), how


def check_shannon_limit(
    problem: Problem,
    D: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-8,
    label: str | None = None,
    **options: Any,
) -> TheoremReport:
    """R(D, ∞) equals Shannon's rate–distortion function R(D), computed another way.

    The reference never calls the problem's methods
    ([`rdp.theorems.independent.shannon_rate`][rdp.theorems.independent.shannon_rate]: direct
    formulas, reverse
    water-filling by bisection on the water level, or Blahut–Arimoto with
    Blahut's certified bounds). The deviation is the largest gap between the
    certified interval [lower, upper] of R(D, ∞) and the reference interval.
    """
    D_arr, _ = _resolve(problem, D, None)
    result = problem.rate(D_arr, np.inf, **options)
    lower, upper = (np.asarray(result.lower, float), np.asarray(result.upper, float))
    ref_lower, ref_upper, source_of_reference = independent.shannon_rate(problem, D_arr)
    with np.errstate(invalid="ignore"):
        outside = np.maximum(lower - ref_upper, ref_lower - upper)
    outside = np.where(np.isinf(lower) & np.isinf(ref_upper), 0.0, outside)
    deviation = float(np.max(outside))
    return _report(
        "shannon-limit",
        "R(D, ∞) = R(D), Shannon's rate-distortion function.",
        problem,
        D_arr,
        np.array([np.inf]),
        {
            "D": D_arr,
            "rate_at_infinite_P": np.asarray(result.rate),
            "shannon_rate_lower": ref_lower,
            "shannon_rate_upper": ref_upper,
            "shannon_reference": source_of_reference,
        },
        deviation,
        tolerance,
        label,
    )


def check_perception_costs_rate(
    problem: Problem,
    D: Sequence[float] | None = None,
    P: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-9,
    label: str | None = None,
    **options: Any,
) -> TheoremReport:
    """R(D, P) ≥ R(D, ∞) for every P, in particular R(D, 0) ≥ R(D, ∞).

    The deviation is the largest ``lower(R(D, ∞)) − upper(R(D, P))``.
    """
    D_arr, P_arr = _resolve(problem, D, P)
    result = _grid(problem, D_arr, P_arr, options)
    _, upper = _bounds(result)
    free = problem.rate(D_arr, np.inf, **options)
    free_lower = np.atleast_1d(np.asarray(free.lower, dtype=float))
    excess = _excess(free_lower[None, :], upper)
    zero_row = int(np.argmin(P_arr))
    return _report(
        "perception-costs-rate",
        "R(D, P) ≥ R(D, ∞); in particular perfect perception R(D, 0) ≥ R(D, ∞).",
        problem,
        D_arr,
        P_arr,
        {
            "D": D_arr,
            "rate_at_P_min": np.asarray(result.rate)[zero_row],
            "P_min": float(P_arr[zero_row]),
            "rate_at_infinite_P": np.asarray(free.rate),
        },
        float(np.max(excess)),
        tolerance,
        label,
    )


def check_zero_rate_boundary(
    problem: Problem,
    P: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-9,
    d_max_tolerance: float = 1e-7,
    label: str | None = None,
    **options: Any,
) -> TheoremReport:
    """R(D, P) = 0 exactly from D_max(P), computed independently, on; R > 0 just below.

    D_max(P), the least distortion of a reconstruction independent of X with
    perception ≤ P, comes from
    [`rdp.theorems.independent.zero_rate_distortion`][rdp.theorems.independent.zero_rate_distortion]
    (a linear program or exponential tilt over the reconstruction law, or a direct
    formula), never from the method being checked. At each P: the method's own
    D_max must agree within ``d_max_tolerance`` (relative); the certified
    ``upper`` of R at D_ref·(1 + d_max_tolerance)·{1, 1.05, 1.5} must be ≤
    ``tolerance``; R at 0.9·D_ref must be > ``tolerance``. The deviation is the
    largest of those upper bounds, ``2·tolerance − R(0.9·D_ref)`` and
    ``tolerance · relative D_max error / d_max_tolerance``.
    """
    _, P_arr = _resolve(problem, None, P)
    rows = []
    deviation = -np.inf
    for p in P_arr:
        method_d_max = float(problem.zero_rate_distortion(p))
        try:
            d_max, how = independent.zero_rate_distortion(problem, float(p))
        except ValueError:  # no independent reference for this problem: the method's own
            d_max, how = method_d_max, "none (the method's own D_max)"
        relative = abs(method_d_max - d_max) / max(abs(d_max), 1e-300)
        factors = (1 + d_max_tolerance) * np.array([1.0, 1.05, 1.5])
        beyond = problem.rate(d_max * factors, p, **options)
        below = problem.rate(0.9 * d_max, p, **options)
        worst_beyond = float(np.max(beyond.upper))
        below_rate = float(below.rate)
        deviation = max(
            deviation,
            worst_beyond,
            2 * tolerance - below_rate,
            tolerance * relative / d_max_tolerance,
        )
        rows.append(
            {
                "P": float(p),
                "D_max_reference": d_max,
                "D_max_method": method_d_max,
                "reference": how,
                "largest_rate_beyond": worst_beyond,
                "rate_at_0.9_D_max": below_rate,
            }
        )
    return _report(
        "zero-rate-boundary",
        "R(D, P) = 0 exactly when D ≥ D_max(P), the least distortion of a reconstruction "
        "independent of X with perception ≤ P.",
        problem,
        np.array([0.9, 1.5]),
        P_arr,
        {"points": rows},
        float(deviation),
        tolerance,
        label,
    )


def _resolve(problem: Problem, D: Any, P: Any) -> tuple[NDArray, NDArray]:
    default_D, default_P = default_grid(problem)
    D_arr = default_D if D is None else np.asarray(D, dtype=float).ravel()
    P_arr = default_P if P is None else np.asarray(P, dtype=float).ravel()
    return D_arr, P_arr


ALL_PROPERTIES = (
    check_monotonicity,
    check_convexity,
    check_shannon_limit,
    check_perception_costs_rate,
    check_zero_rate_boundary,
)


def check_all(problem: Problem, *, label: str | None = None, **options: Any) -> list[TheoremReport]:
    """Every property check on the default grids of ``problem``."""
    return [check(problem, label=label, **options) for check in ALL_PROPERTIES]
