"""D(R, P) from R(D, P) by certified bisection, for methods without a direct inverse.

R(D, P) is non-increasing in D (Blau & Michaeli 2019, Theorem 1), so
D(R, P) = min{D : R(D, P) ≤ R} is bracketed by bisection on
[D_min(P), D_max(P)]. With certified rate bounds, a point whose *lower* bound
exceeds R is strictly below D(R, P), and a point whose *upper* bound is at most
R is achievable: the bracket [a, b] is a certified interval for D(R, P).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdp.methods import stated_tol
from rdp.result import PointSolution
from rdp.status import Status, is_certified

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
        return _endpoint(d_max, top, method)
    bottom = method.rate_point(d_min, P)
    if bottom.feasible and bottom.upper <= R:
        return _endpoint(d_min, bottom, method)
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
        status = Status.CONVERGED
    elif undecided:
        status = Status.BOUNDS
    else:
        status = Status.ITERATION_LIMIT
        message = message or f"bisection stopped after {steps} steps; the bracket is certified"
    return PointSolution.bracket(
        lo,
        hi,
        status=status,
        channel=best.channel,
        diagnostics=diagnostics,
        message=message,
        iterations=steps,
    )


def _endpoint(d: float, point: PointSolution, method: Method) -> PointSolution:
    """D(R, P) = ``d``, an end of [D_min, D_max], decided by the rate ``point`` at ``d``.

    The answer is as certain as that rate point: 'exact' from an exact one, 'converged'
    from another certified one, and otherwise the rate point's own status and message
    (``d`` is then the method's value, not a certified one).
    """
    if point.status == Status.EXACT:
        status = Status.EXACT
    elif is_certified(point.status, point.lower, point.upper, stated_tol(method)):
        status = Status.CONVERGED
    else:
        status = point.status
    return PointSolution.bracket(
        d, d, status=status, channel=point.channel, diagnostics={"bisection_steps": 0},
        message=point.message, iterations=0,
    )  # fmt: skip
