r"""The fast solver's iteration for one point: a loop over an explicit state.

Each iteration (``docs/solver.md``, "Algorithm")

1. takes the slope step (``rdp.solvers.fast.slope``) on $s$ towards the slope at
   which $J(s, v)$ meets D, and forms $Kv$, $h = K^\top(p / Kv)$ and the output law
   $q = v \odot h$;
2. every ``check_every`` iterations (and at the first and at the time limit)
   evaluates the certificate (``rdp.solvers.fast.context``), runs the Newton phases
   when they apply (``rdp.solvers.fast.newton``) and stops once upper − lower ≤ tol;
3. takes the ball step (``rdp.solvers.fast.ball``): $v^+ = q^+ / h$, floored so
   that every usable symbol can come back.

Everything that changes from one iteration to the next is in
[`State`][rdp.solvers.fast.iteration.State]; the point's constants are in
[`PointIteration`][rdp.solvers.fast.iteration.PointIteration].
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.perceptions import F_KINDS, KL_KINDS, NONE
from rdp.solvers import certificate
from rdp.solvers.fast import newton
from rdp.solvers.fast.ball import ball_step
from rdp.solvers.fast.context import Context, Limits
from rdp.solvers.fast.slope import SlopeControl, initial_slope
from rdp.units import LN2

#: Least weight of a reconstruction symbol in the iteration (relative to a sum of 1).
V_FLOOR = 1e-30

#: Iterations at which the slope s takes a Newton step besides the certificate checks.
EARLY_NEWTON = frozenset({1, 2, 3, 4, 6, 8, 12, 16})

#: Iteration after which the Newton phase is tried once even if the BA step left the ball:
#: near the border the iterates cross it although the optimum lies inside.
NEWTON_RETRY = 200

#: First iteration at which the perception Newton phase may start (the plan steps
#: before it locate the output law and the multiplier it starts from).
PERCEPTION_NEWTON_AFTER = 10
#: From this N·M on the phase is tried first at the first check (a plan step costs about
#: as much as a Newton step there: at N = M = 4096, W₁, 19 plan steps before the phase
#: took half the time), and once more after PERCEPTION_NEWTON_AFTER iterations if that
#: try leaves the gap open.
EARLY_PERCEPTION_NEWTON = 1e6


@dataclass
class State:
    """What one point's iteration carries from one iteration to the next.

    The iterate is the slope ``s``, the weights ``v`` and the kernel at ``s``, with
    ``kv`` = Kv, ``h`` = Kᵀ(p / Kv) and the output law ``q`` = v ⊙ h; the best
    certified bounds (nats) and the channel of the upper one (a joint, or for the
    O(N + M) Hamming bound its (weights, slope)); and the counters of the schedule.
    """

    s: float
    v: NDArray
    kernel: Any
    slope: SlopeControl
    kv: Any = None
    h: Any = None
    q: Any = None
    lower: float = 0.0
    upper: float = np.inf
    joint: Any = None
    inner_gap: float = np.inf  # the fixed-slope gap at the last check (nats)
    checks: int = 0
    next_upper: int = 0  # check at which a structured kernel next forms the dense bound
    wait: int = 1  # the doubling wait between those checks
    inside_run: int = 0  # iterations since the ball step last left the BA step
    newton_ready: bool = False
    pn_ready: bool = False
    pn_warm: tuple | None = None  # a neighbour's perception Newton point
    pn_state: tuple | None = None  # this point's, for the next one
    newton_steps: int = 0
    pn_steps: int = 0
    status: str = "iteration_limit"

    def offer(self, lower: float, upper: float, joint: Any) -> None:
        """Keep the larger lower bound and the smaller upper bound with its channel."""
        self.lower = max(self.lower, lower)
        if upper < self.upper:
            self.upper, self.joint = upper, joint

    def refresh(self, kernel, p: NDArray) -> None:
        """Kv, h and q at the current (s, v) with ``kernel``, the kernel at s."""
        self.kernel = kernel
        self.kv = kernel.matvec(self.v)
        self.h = kernel.rmatvec(p / self.kv)
        self.q = self.v * self.h


class PointIteration:
    """The iteration of one point (D, P) of a problem; ``run`` returns its final state."""

    def __init__(
        self,
        ctx: Context,
        limits: Limits,
        D: float,
        Pn: float,
        start: float,
        warm: dict[str, Any] | None,
        meter=None,
    ) -> None:
        fp = ctx.fp
        self.ctx, self.limits, self.D, self.Pn, self.start, self.meter = (
            ctx, limits, D, Pn, start, meter,
        )  # fmt: skip
        m = fp.shape[1]
        _, anchor = fp.min_divergence()
        self.anchor = anchor
        self.ball = ball_step(ctx, Pn, anchor, limits.check_every)
        if warm is not None and warm.get("kind") == fp.kind:
            # warm start: the slope, and weights half way to the cold start (so that no
            # weight is stuck near zero); the plan starts cold. Measured on an 8 × 8
            # Gaussian/W2 surface (N = 128): reusing the neighbour's weights and plan as
            # they were left three cells at the time limit that start cold in < 1 s
            s = warm["s"]
            v = 0.5 * warm["v"] + 0.5 * (0.5 * anchor / anchor.sum() + 0.5 / m)
        else:
            s = initial_slope(fp, D)
            v = 0.5 * anchor / anchor.sum() + 0.5 / m
        if fp.kind in (*KL_KINDS, *F_KINDS) and Pn == 0:
            v = anchor / anchor.sum()
        # symbols that no feasible channel uses (KL(p_X̂‖p_X) where p_X has no mass) keep
        # weight 0: a floor there would put mass where the perception is infinite
        usable = fp.usable(Pn)
        self.floor = V_FLOOR if usable is None else np.where(usable, V_FLOOR, 0.0)
        if usable is not None:
            v = np.where(usable, v, 0.0)
            v = v / v.sum()
        # the Newton phase: at once without a perception constraint, else once the plain
        # Blahut-Arimoto step has stayed inside the ball for a whole check period
        pn_ready = newton.perception_newton_eligible(ctx, Pn)
        self.state = State(
            s=s, v=v, kernel=ctx.kernels.at(s), slope=SlopeControl(D),
            newton_ready=newton.newton_eligible(ctx, Pn),
            # an active polyhedral constraint (TV, W on the line): interior-point Newton
            # steps once a few plan steps have located the output law; a neighbour's
            # Newton point (output law, slope, multiplier) starts them at once
            pn_ready=pn_ready,
            pn_warm=warm.get("newton") if warm is not None and pn_ready else None,
        )  # fmt: skip
        self.plain = fp.kind == NONE or not np.isfinite(Pn)
        early = fp.delta.size >= EARLY_PERCEPTION_NEWTON
        self.pn_after = 1 if early else PERCEPTION_NEWTON_AFTER

    def run(self) -> tuple[State, int]:
        """Iterate until the gap closes or a limit is reached: (final state, iterations)."""
        limits, st = self.limits, self.state
        if limits.verbose:
            head = f"{'iter':>8} {'lower (bits)':>16} {'upper (bits)':>16} {'gap':>10}"
            _log(head + " slope, plan step")
        for iteration in range(1, limits.max_iter + 1):
            self._slope_step(st, iteration)
            # the clock is read every iteration: a point out of time is certified at once
            # (a check period of dense transport steps took a minute at N = 3000)
            late = time.perf_counter() - self.start > limits.time_limit
            if iteration % limits.check_every == 0 or iteration == 1 or late:
                if self._check(st, iteration):
                    break
            self._ball_step(st, iteration)
        return st, iteration

    # ------------------------------------------------------------------ 1. slope
    def _slope_step(self, st: State, iteration: int) -> None:
        """The slope step (at the early iterations and once per check period), then h, q."""
        p = self.ctx.fp.p
        st.kv = st.kernel.matvec(st.v)
        early = iteration in EARLY_NEWTON
        if early or iteration % self.limits.check_every == 1:
            dist, var = self.ctx.distortion(st.kernel, st.v, st.kv)
            s = st.slope.step(st.s, dist, var, st.inner_gap, early)
            if s != st.s:
                st.kernel = None  # the old kernel's array is freed before the new one's
                st.s, st.kernel = s, self.ctx.kernels.at(s)
                st.kv = st.kernel.matvec(st.v)
        st.h = st.kernel.rmatvec(p / st.kv)
        st.q = st.v * st.h

    # ------------------------------------------------------------------ 2. certificate
    def _check(self, st: State, iteration: int) -> bool:
        """The certificate, the Newton phases and the stop tests; True to stop."""
        ctx, limits, D, Pn = self.ctx, self.limits, self.D, self.Pn
        st.checks += 1
        lower, sigma = ctx.lower_bound(st.s, st.kv, st.h, D, Pn)
        with np.errstate(divide="ignore", invalid="ignore"):
            st.inner_gap = sigma - float(np.nansum(st.q * np.log(st.h)))
        self.ball.adapt(st.inner_gap)
        if st.newton_ready and (
            self.plain or st.inside_run >= limits.check_every or iteration >= NEWTON_RETRY
        ):
            self._rate_distortion_newton(st)
        if st.pn_ready and (st.pn_warm is not None or iteration >= self.pn_after):
            self._perception_newton(st, iteration)
        self.ball.tidy()
        st.offer(lower, np.inf, None)
        # the upper bound needs the dense joint: with a structured kernel only when
        # the fixed-slope gap says it may close (then on a doubling schedule), or last
        out_of_time = time.perf_counter() - self.start > limits.time_limit
        last = out_of_time or iteration + limits.check_every > limits.max_iter
        if st.kernel is not None:  # None: a perception Newton phase closed the gap
            self._upper_bound(st, last)
        if limits.verbose:
            _log(
                f"{iteration:>8d} {st.lower / LN2:>16.10f} {st.upper / LN2:>16.10f} "
                f"{(st.upper - st.lower) / LN2:>10.2e} {st.s:.6g}, {self.ball.eta:g}"
            )
        if self.meter is not None:
            self.meter.update(iteration, (st.upper - st.lower) / LN2)
        if st.upper - st.lower <= limits.tol_nats:
            st.status = "converged"
            return True
        if out_of_time:
            st.status = "time_limit"
            return True
        return False

    def _rate_distortion_newton(self, st: State) -> None:
        """The rate-distortion Newton phase (once per point); its point if not active."""
        st.newton_ready = False
        found = newton.rate_distortion_phase(
            self.ctx, self.limits, self.D, self.Pn, st.s, st.v, self.anchor, self.start
        )
        st.newton_steps += found.steps
        st.offer(found.lower, found.upper, found.joint)
        if not found.active:  # go on from the Newton point
            st.s, st.v = found.s, found.v
        st.refresh(self.ctx.kernels.at(st.s), self.ctx.fp.p)

    def _perception_newton(self, st: State, iteration: int) -> None:
        """The perception Newton phase: from a neighbour's Newton point, or once cold
        (on large problems also once early, at the first check)."""
        if st.pn_warm is not None:  # on failure: plan steps, then a cold start
            (r0, s0, mu0), mix, st.pn_warm = st.pn_warm, 1e-3, None
        else:
            if iteration >= PERCEPTION_NEWTON_AFTER:
                st.pn_ready = False
            self.pn_after = PERCEPTION_NEWTON_AFTER
            pieces = newton.perception_pieces(self.ctx)
            with np.errstate(divide="ignore"):
                mu0 = pieces.multiplier_estimate(st.q / st.q.sum(), np.log(st.h))
            r0, s0, mix = st.q, st.s, 0.02
        # the Newton phase forms its own kernels: the kernel at s (an N × M array) is
        # dropped meanwhile and formed again after it
        kernels = self.ctx.kernels
        forget = getattr(kernels, "forget", None)
        if forget is not None:
            st.kernel = None
            forget()
        found = newton.perception_phase(
            self.ctx, self.limits, self.D, self.Pn, self.anchor, self.start, r0, s0, mu0,
            mix=mix,
        )  # fmt: skip
        st.offer(found.lower, found.upper, found.joint)
        if st.kernel is None and st.upper - st.lower > self.limits.tol_nats:
            st.kernel = kernels.at(st.s)  # else the point is certified: no kernel needed
        st.pn_state = found.state
        st.newton_steps += found.steps
        st.pn_steps += found.steps

    def _upper_bound(self, st: State, last: bool) -> None:
        ctx, D, Pn = self.ctx, self.D, self.Pn
        kernels = ctx.kernels
        if kernels.structured and not np.isfinite(Pn):
            # no column constraint: an O(N) upper bound at a slope s' ≥ s that meets D
            upper, params = kernels.feasible_upper(ctx.fp.p, st.v, st.s, D, ctx.row_min)
            st.offer(0.0, upper, params)
        elif not np.isfinite(Pn):
            # no column constraint: the channel J(s', v) whose distortion is D
            st.offer(0.0, *ctx.slope_upper(st.v, st.s, D, Pn, self.anchor))
        elif (
            not kernels.structured
            or last
            or (st.inner_gap <= 0.5 * self.limits.tol_nats and st.checks >= st.next_upper)
        ):
            plan = getattr(self.ball, "witness", lambda: None)()
            if plan is None and getattr(self.ball, "gibbs", False) and st.checks == 1 and not last:
                # the first check of a W ball between points: no plan yet to certify W
                # without a network-simplex solve (seconds at N = 4096); the next one has
                return
            joint = st.kernel.joint(ctx.fp.p, st.v, st.kv)
            upper, repaired = (np.inf, None)
            if plan is not None:  # a general W cost: the plan certifies, no transport solve
                upper, repaired = certificate.repair_by_plan(ctx.fp, joint, plan, D, Pn)
            if repaired is None:
                upper, repaired = ctx.upper_bound(joint, D, Pn, self.anchor)
            st.offer(0.0, upper, repaired)
            # an f-divergence ball: also the channel whose weights give the lower bound's
            # maximising output law (exactly zero off the optimal support), once the
            # iterate is past its first check
            dual = getattr(self.ball, "dual_weights", None)
            v_dual = dual(st.h) if dual is not None and st.checks > 1 else None
            if v_dual is not None:
                st.offer(0.0, *ctx.slope_upper(v_dual, st.s, D, Pn, self.anchor))
            st.next_upper, st.wait = st.checks + st.wait, 2 * st.wait

    # ------------------------------------------------------------------ 3. ball step
    def _ball_step(self, st: State, iteration: int) -> None:
        """v⁺ = q⁺ / h for the ball step's target q⁺, normalised and floored."""
        ba = st.q * st.h  # the Blahut-Arimoto target
        st.inside_run += 1
        target = self.ball.step(ba, st.h, iteration, st.inside_run)
        if target is not ba:
            st.inside_run = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(st.h > 0, target / st.h, 0.0)
        v = v / v.sum()
        # a floor keeps every usable symbol revivable (the bounds hold for any v ≥ 0)
        st.v = np.maximum(v, self.floor)


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
