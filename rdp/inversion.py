"""D(R, P) from R(D, P) by certified bisection, for methods without a direct inverse.

R(D, P) is non-increasing in D (Blau & Michaeli 2019, Theorem 1), so
D(R, P) = min{D : R(D, P) ≤ R} is bracketed by bisection on
[D_min(P), D_max(P)]. With certified rate bounds, a point whose *lower* bound
exceeds R is strictly below D(R, P), and a point whose *upper* bound is at most
R is achievable: the bracket [a, b] is a certified interval for D(R, P).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdp.result import PointSolution

if TYPE_CHECKING:
    from rdp.methods import Method
    from rdp.perceptions import PerceptionBound


def invert_rate(
    method: Method,
    R: float,
    P: PerceptionBound | float,
    *,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> PointSolution:
    """D(R, P) in the distortion's units, with a certified bracket [lower, upper].

    Parameters
    ----------
    method : Method
        Provides ``rate_point``, ``min_distortion`` and ``zero_rate_distortion``.
    R : float
        Rate in bits, ≥ 0 (``inf`` gives D_min(P)).
    P : PerceptionBound or float
        Perception bound as the method takes it
        ([`rdp.perceptions.to_bound`][rdp.perceptions.to_bound]).
    tol : float
        Stop when the bracket is narrower than ``tol`` times (D_max − D_min), or absolutely
        when that span is zero.
    max_iter : int
        Bisection steps at most.
    """
    d_min = method.min_distortion(P)
    d_max = method.zero_rate_distortion(P)
    top = method.rate_point(d_max, P)
    if R <= 0.0 or d_max <= d_min:
        return PointSolution(
            d_max, d_max, d_max, True, top.channel, {"bisection_steps": 0}, status=_end(top)
        )
    bottom = method.rate_point(d_min, P)
    if bottom.feasible and bottom.upper <= R:
        return PointSolution(
            d_min, d_min, d_min, True, bottom.channel, {"bisection_steps": 0}, status=_end(bottom)
        )
    lo, hi, best = d_min, d_max, top
    width = tol * (d_max - d_min)
    steps = 0
    undecided = False
    while hi - lo > width and steps < max_iter:
        mid = 0.5 * (lo + hi)
        point = method.rate_point(mid, P)
        steps += 1
        if point.feasible and point.upper <= R:
            hi, best = mid, point
        elif not point.feasible or point.lower > R:
            lo = mid
        else:
            undecided = True
            break
    diagnostics = {"bisection_steps": steps, "rate_at_upper": best.upper}
    message = ""
    if undecided:
        message = "stopped where the rate bounds straddle R; bracket is certified"
        diagnostics["note"] = message
    # the bracket [lo, hi] always holds; 'converged' only when it is as tight as asked
    if hi - lo <= width:
        status = "converged"
    elif undecided:
        status = "bounds"
    else:
        status = "iteration_limit"
        message = message or f"bisection stopped after {steps} steps; the bracket is certified"
    return PointSolution(
        hi,
        lo,
        hi,
        True,
        best.channel,
        diagnostics,
        status=status,
        message=message,
        iterations=steps,
    )


def _end(point: PointSolution) -> str:
    """The status of an end of the bracket taken as the answer."""
    return point.status if point.status in ("exact", "bounds", "converged") else "converged"
