r"""The Newton phases of the fast solver, for where the multiplicative steps crawl.

- The rate-distortion phase: where no perception constraint binds (none, or the plain
  Blahut–Arimoto step stays inside the ball), the optimality conditions of the
  fixed-slope problem together with "distortion = D" are solved by primal–dual Newton
  steps (``rdp.solvers._kernels.rate_distortion_newton``); where the perception
  constraint turns out active only the point's lower bound (≈ R(D) ≤ R(D, P)) is kept.
- The perception phase: where a TV ball or a W_k ball on sorted alphabets of the line
  binds, the ball is a separable convex piecewise-linear function of the output law, and
  interior-point steps solve the optimality conditions of the constrained problem
  (``rdp.solvers.perception_newton``); along a grid the next point starts from its
  neighbour's Newton point.

Nothing a phase returns is trusted: its points are certified by the context's bounds
(``Context.certify_point``) as any iterate (``docs/solver.md``, "Newton phase").
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rdp.perceptions import NONE, TV, WASSERSTEIN_KINDS
from rdp.solvers._kernels import rate_distortion_newton
from rdp.solvers.fast.context import Context, Limits
from rdp.solvers.perception_newton import SPENT_KERNEL_ENTRIES, perception_newton
from rdp.solvers.perception_pieces import (
    DistinctLinePieces,
    LinePieces,
    SeparablePieces,
    TVPieces,
)
from rdp.units import LN2

#: Largest N·M² of the fixed-slope Newton phase (one step forms an M × M Hessian).
NEWTON_WORK = 1.2e9
NEWTON_WORK_PERCEPTION = 40e6
NEWTON_WORK_STRUCTURED = 2e6
#: Largest N·M² + M³ of the perception Newton phase (N = M = 1024: ~1 s per step; measured
#: on the Laplacian with W₁, N = 512: 0.8 s instead of 52 s of plan steps).
PERCEPTION_NEWTON_WORK = 2.2e9
#: Largest N·M of the perception Newton phase for a W ball on the line, whose system is
#: solved without M × M matrices where the kernel has a low-rank form
#: (``rdp.solvers.perception_structured``); a step costs a few passes over N × M.
STRUCTURED_WORK = 1e8
#: From this N·M on a Newton point is certified from its own kernel
#: (``Context.certify_tilted``: no new exponential of the N × M distortion, no slope search
#: for the upper bound; at N = M = 4096 a third of the time of a check).
TILTED_CERTIFY = 1e6
#: Largest N·M with the W pieces as (M − 1) × N arrays (``LinePieces``).
LINE_PIECES_WORK = 4.3e6
#: Above this N·M, W₁ pieces are kept as the few distinct ones per coordinate
#: (``DistinctLinePieces``), where they are at most this many.
DISTINCT_PIECES = 2.6e5
DISTINCT_WIDTH = 64


class NewtonPoint(NamedTuple):
    """The rate-distortion phase's end point (s, v), its certified bounds (nats) and
    channel, its steps, and whether the perception constraint is active there."""

    s: float
    v: NDArray
    lower: float
    upper: float
    joint: NDArray | None
    steps: int
    active: bool


class PerceptionNewtonResult(NamedTuple):
    """The perception phase's best certified bounds (nats; ``upper = inf`` if none), their
    channel, its steps, and (r, s, μ) to warm-start a neighbour (None unless the gap closed)."""

    lower: float
    upper: float
    joint: NDArray | None
    steps: int
    state: tuple | None


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def newton_eligible(ctx: Context, Pn: float) -> bool:
    """Whether the fixed-slope Newton phase is worth trying (dense kernel, small enough).

    Without a perception constraint (or with one that the rate-distortion optimum
    may already meet: W, TV, KL balls) the optimum is a Blahut-Arimoto fixed point
    and the Newton phase finds it; a step costs N·M² flops.
    """
    fp = ctx.fp
    n, m = fp.shape
    work = n * m * m
    if ctx.kernels.structured and work > NEWTON_WORK_STRUCTURED:
        return False  # the O(N + M) Hamming iteration is cheaper than dense Newton steps
    if fp.kind == NONE or not np.isfinite(Pn):
        return work <= NEWTON_WORK
    return Pn > 0 and work <= NEWTON_WORK_PERCEPTION


def perception_newton_eligible(ctx: Context, Pn: float) -> bool:
    """Whether the perception Newton phase applies (``rdp.solvers.perception_newton``).

    A polyhedral ball with 0 < P < ∞ — TV, or a W_k ball (k ≥ 1) on sorted alphabets
    of the line — and a step (N·M² + M³ flops) small enough; with the O(N + M)
    Hamming kernel only where a dense step is cheaper than its iteration.
    """
    fp = ctx.fp
    n, m = fp.shape
    if m < 2 or not 0 < Pn < np.inf:
        return False
    if fp.kind == TV:
        polyhedral = True
    else:
        polyhedral = fp.kind in WASSERSTEIN_KINDS and ctx.banded
    limit = NEWTON_WORK_STRUCTURED if ctx.kernels.structured else PERCEPTION_NEWTON_WORK
    if polyhedral and fp.kind != TV and not ctx.kernels.structured:
        # W on the line: no M × M system where the kernel has a low-rank form; the
        # pieces are (M − 1) × N arrays unless they collapse (W₁)
        work = STRUCTURED_WORK if _distinct_pieces(ctx) else LINE_PIECES_WORK
        if n * m <= work:
            return True
    return polyhedral and n * m * m + m**3 <= limit


def _distinct_pieces(ctx: Context) -> bool:
    """W₁ on a large problem whose pieces collapse to a few per coordinate."""
    fp = ctx.fp
    n, m = fp.shape
    if fp.kind == TV or fp.w_order != 1 or n * m <= DISTINCT_PIECES:
        return False
    return DistinctLinePieces.width_of(fp.x, fp.y) <= DISTINCT_WIDTH


def perception_pieces(ctx: Context) -> SeparablePieces:
    """The perception as a separable polyhedral function (built once per problem)."""
    fp = ctx.fp

    def build() -> SeparablePieces:
        if fp.kind == TV:
            return TVPieces(fp.p_tilde, fp.m_out)
        if _distinct_pieces(ctx):
            return DistinctLinePieces(fp.p, fp.x, fp.y)
        return LinePieces(fp.p, fp.x, fp.y, fp.w_order)

    return ctx.once("pieces", build)


def rate_distortion_phase(
    ctx: Context,
    limits: Limits,
    D: float,
    Pn: float,
    s: float,
    v: NDArray,
    anchor: NDArray,
    start: float,
) -> NewtonPoint:
    """The rate-distortion optimum (no perception) by joint Newton steps on (q, s).

    ``rdp.solvers._kernels.rate_distortion_newton`` solves the optimality
    conditions of the fixed-slope problem together with "distortion of J(s, q) =
    D", within half the point's time limit from ``start``. The bounds are
    ``Context.certify_point`` at the final (s, q) (valid for any s, q); ``active`` says
    that the output law of the rate-distortion optimum lies outside the perception
    ball (by more than 2 %), so the caller keeps its own iterate.
    """
    fp = ctx.fp
    target = D - float(fp.p @ ctx.row_min)
    deadline = start + 0.5 * limits.time_limit
    q, s, steps = rate_distortion_newton(
        ctx.shifted, fp.p, np.maximum(v, 1e-12), s, target, 0.02 * limits.tol_nats,
        deadline=deadline,
    )  # fmt: skip
    active = False
    if fp.kind != NONE and np.isfinite(Pn):
        kernel = ctx.kernels.at(s)
        out = q * kernel.rmatvec(fp.p / kernel.matvec(q))
        active = fp.divergence(out / out.sum()) > Pn * 1.02
    # both bounds hold at any (s, q); where the constraint is active the lower bound
    # is about R(D) ≤ R(D, P), which certifies points where the ball barely binds
    lower, upper, joint = ctx.certify_point(q, s, D, Pn, anchor)
    if limits.verbose:
        _log(
            f"{steps:>8d} {lower / LN2:>16.10f} {upper / LN2:>16.10f} "
            f"{(upper - lower) / LN2:>10.2e} {s:.6g}, Newton"
            + (" (perception active)" if active else "")
        )
    return NewtonPoint(s, q, lower, upper, joint, steps, active)


def _squared_error(ctx: Context) -> tuple[NDArray, NDArray] | None:
    """(x, y) when the shifted distortion is exactly (x_i − y_j)² (once per problem)."""
    fp = ctx.fp

    def build() -> tuple[NDArray, NDArray] | None:
        if fp.x.ndim != 1 or fp.y.ndim != 1 or ctx.row_min.any():
            return None
        square = (fp.x[:, None] - fp.y[None, :]) ** 2
        return (fp.x, fp.y) if np.array_equal(square, ctx.shifted) else None

    return ctx.once("squared", build)


def perception_phase(
    ctx: Context,
    limits: Limits,
    D: float,
    Pn: float,
    anchor: NDArray,
    start: float,
    r0: NDArray,
    s: float,
    mu0: float,
    mix: float = 0.02,
) -> PerceptionNewtonResult:
    """Certified bounds from interior-point Newton steps on the constrained problem.

    ``rdp.solvers.perception_newton.perception_newton`` solves the optimality conditions
    from the output law ``r0``, slope ``s`` and multiplier ``mu0``; once its
    complementarity is small, every step's point (s, v = r e^{−g}) is certified by
    ``Context.certify_point`` (the dual bound with the exact support function of the
    ball, the rate of a repaired, exactly feasible channel), and it stops when the gap
    is ≤ tol or at the point's time limit.
    """
    fp = ctx.fp
    tol_nats = limits.tol_nats
    best: list[Any] = [0.0, np.inf, None]

    def certify(r: NDArray, g: NDArray, slope: float, kernel=None) -> bool:
        v = r * np.exp(-g)
        total = v.sum()
        if not (np.isfinite(v).all() and total > 0):
            return False
        found, recipe = None, None
        if kernel is not None and fp.delta.size >= TILTED_CERTIFY:
            found = ctx.certify_tilted(kernel, g, slope, D, Pn, anchor)
            if found is not None and kernel.kt.size >= SPENT_KERNEL_ENTRIES:
                # fine grids: the channel is formed again at the end from its point (no
                # N × M array kept beside the iteration's kernel)
                recipe = (kernel.r.copy(), g.copy(), slope)
        if found is None:
            found = ctx.certify_point(v / total, slope, D, Pn, anchor)
        lower, upper, joint = found
        best[0] = max(best[0], lower)
        if upper < best[1]:
            best[1], best[2] = upper, (joint if recipe is None else recipe)
        return best[1] - best[0] <= tol_nats

    target = D - float(fp.p @ ctx.row_min)
    r, _, s_n, mu, steps = perception_newton(
        ctx.shifted, fp.p, perception_pieces(ctx), Pn, r0, s, mu0, target,
        deadline=start + limits.time_limit, check=certify, mix=mix,
        squared=_squared_error(ctx),
    )  # fmt: skip
    if limits.verbose:
        _log(
            f"{steps:>8d} {best[0] / LN2:>16.10f} {best[1] / LN2:>16.10f} "
            f"{(best[1] - best[0]) / LN2:>10.2e} Newton (perception constraint)"
        )
    if isinstance(best[2], tuple):  # the best channel again, certified again
        best[1], best[2] = ctx.tilted_channel(*best[2], D, Pn, anchor)
    closed = best[1] - best[0] <= tol_nats
    return PerceptionNewtonResult(
        best[0], best[1], best[2], steps, ((r, s_n, mu) if closed else None)
    )
