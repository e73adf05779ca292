"""D(R, P) from R(D, P) by certified bisection, for methods without a direct inverse.

R(D, P) is non-increasing in D (Blau & Michaeli 2019, Theorem 1), so
D(R, P) = min{D : R(D, P) ≤ R} is bracketed by bisection on
[D_min(P), D_max(P)]. With certified rate bounds, a point whose *lower* bound
exceeds R is strictly below D(R, P), and a point whose *upper* bound is at most
R is achievable: the bracket [a, b] is a certified interval for D(R, P).
"""

from __future__ import annotations

from rdp.exceptions import CERTIFIED_STATUSES, point_status
from rdp.methods import Method
from rdp.result import PointSolution


def invert_rate(
    method: Method, R: float, P: float, *, tol: float = 1e-10, max_iter: int = 200
) -> PointSolution:
    """D(R, P) in the distortion's units, with a certified bracket [lower, upper].

    Parameters
    ----------
    method : Method
        Provides ``rate_point``, ``min_distortion`` and ``zero_rate_distortion``.
    R : float
        Rate in bits, ≥ 0 (``inf`` gives D_min(P)).
    P : float
        Perception bound (bits for KL), ≥ 0 or ``inf``.
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
        return PointSolution(d_max, d_max, d_max, True, top.channel, {"bisection_steps": 0})
    bottom = method.rate_point(d_min, P)
    if bottom.feasible and bottom.upper <= R:
        return PointSolution(d_min, d_min, d_min, True, bottom.channel, {"bisection_steps": 0})
    lo, hi, best = d_min, d_max, top
    width = tol * (d_max - d_min)
    steps = 0
    undecided = False
    certified = True  # every rate point it decided on had a certified value
    while hi - lo > width and steps < max_iter:
        mid = 0.5 * (lo + hi)
        point = method.rate_point(mid, P)
        steps += 1
        certified &= point_status(point.feasible, point.diagnostics) in CERTIFIED_STATUSES
        if point.feasible and point.upper <= R:
            hi, best = mid, point
        elif not point.feasible or point.lower > R:
            lo = mid
        else:
            undecided = True
            break
    diagnostics = {
        "bisection_steps": steps,
        "rate_at_upper": best.upper,
        # the bracket always holds; it is as tight as asked (or as the certified rate
        # bounds allow) unless some rate point stopped at a solver limit
        "status": "converged" if certified or hi - lo <= width else "bracket",
    }
    if undecided:
        diagnostics["note"] = "stopped where the rate bounds straddle R; bracket is certified"
    return PointSolution(hi, lo, hi, True, best.channel, diagnostics)
