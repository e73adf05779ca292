"""``FastSolver``: the fast method's entry point for one problem, point by point.

It checks the memory estimate, builds the problem's arrays once
(``rdp.solvers.fast.context``), answers D_min(P) and D_max(P) (``rdp.solvers.finite``),
settles the points that need no iteration — infeasible (D < D_min), zero rate
(D ≥ D_max, the product channel p_X ⊗ q), and D = D_min with a unique least-distortion
map (exact rate H(q)) — and runs the iteration (``rdp.solvers.fast.iteration``) for
the others, turning its final state into a certified
[`PointSolution`][rdp.result.PointSolution].
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp._parallel import one_blas_thread
from rdp.exceptions import TimeLimitError
from rdp.perceptions import NONE, PerceptionBound, as_bound
from rdp.result import PointSolution
from rdp.solvers import distortion_range, finite
from rdp.solvers.certificate import inner
from rdp.solvers.fast.ball import points_ball
from rdp.solvers.fast.context import Context, Limits
from rdp.solvers.fast.iteration import PointIteration
from rdp.solvers.fast.progress import PointProgress
from rdp.solvers.memory import check_memory
from rdp.units import LN2

REFERENCE = (
    "Blau & Michaeli, ICML 2019, Eq. (3); Blahut-Arimoto with a mirror step on the "
    "reconstruction law and a Lagrangian dual certificate (Blahut, IEEE Trans. IT 1972)"
)

#: N·M at most this: BLAS runs single-threaded anyway (no threadpoolctl set-up, ~30 ms).
_SMALL = 4096

#: Above this N·M a W ball between points reports no exact perception value in the
#: diagnostics: it is a network-simplex solve (10-30 s at N = M = 4096), and the channel
#: is certified feasible through its transport plan without one.
_EXACT_TRANSPORT = 2**20


class FastSolver:
    """The default certified solver for finite problems.

    Parameters
    ----------
    problem : Problem
        A problem with a [`Discrete`][rdp.sources.Discrete] or Bernoulli source.
    tol : float
        Stop when the certified gap upper − lower is at most ``tol`` bits (default 1e-6).
    max_iter : int
        Iteration limit (the point is returned with its gap and status ``'iteration_limit'``).
    time_limit : float
        Seconds per point (default 120), its D_min(P) program and zero-rate search
        included: a point still open then is returned with status ``'time_limit'`` and
        the certified bounds it reached (only R ≥ 0 when D_min(P) was not found; the
        point is infeasible below Σ_i p_i min_j Δ_ij all the same). The clock is read
        after every iteration, so the iteration under way and the certificate evaluated
        at the stop may run past it (seconds for dense transport steps at N in the
        thousands). ``min_distortion`` and ``zero_rate_distortion`` get the same limit
        and raise [`TimeLimitError`][rdp.exceptions.TimeLimitError] past it.
    check_every : int, optional
        Iterations between certificate evaluations (default 10, or 20 for N·M > 250 000).
    verbose : bool
        Print an iteration table (iteration, lower, upper, gap in bits, slope) to stderr
        at every certificate evaluation.
    progress : bool, optional
        A tqdm bar on stderr (iterations, gap, time left) for a point that runs longer
        than ``rdp.solvers.fast.progress.PROGRESS_AFTER`` seconds: None (default) when
        stderr is a terminal, True always, False never. An attribute: ``rdp.solve`` sets
        it from its own ``progress`` argument.
    max_memory : float, optional
        Ceiling in GB on the estimated memory (``rdp.solvers.memory``); default: the
        environment variable ``RDP_MAX_MEMORY``, else 2 GB. A larger problem is refused
        with a ``ValueError`` before any array is allocated.
    """

    name = "fast"
    reference = REFERENCE

    def __init__(
        self,
        problem,
        tol: float = 1e-6,
        max_iter: int = 100_000,
        time_limit: float = 120.0,
        check_every: int | None = None,
        verbose: bool = False,
        max_memory: float | None = None,
        progress: bool | None = None,
    ) -> None:
        if not (np.isfinite(tol) and tol > 0):
            raise ValueError(f"tol must be > 0 (bits); got {tol!r}")
        if int(max_iter) < 1:
            raise ValueError(f"max_iter must be >= 1; got {max_iter!r}")
        if not time_limit > 0:
            raise ValueError(f"time_limit must be > 0 seconds; got {time_limit!r}")
        self.tol = float(tol)
        self.max_iter = int(max_iter)
        self.time_limit = float(time_limit)
        self.progress = progress
        check_memory(problem, self.name, max_memory)
        self.fp = finite.build(problem)
        if check_every is None:
            check_every = 10 if self.fp.delta.size <= 250_000 else 20
        self.check_every = max(int(check_every), 1)
        self.verbose = bool(verbose)
        self._cache: dict[tuple[str, float], Any] = {}
        #: the per-problem arrays, kernels and certified bounds at an iterate
        self.context = Context(self.fp)

    def _limits(self) -> Limits:
        return Limits(self.tol, self.max_iter, self.time_limit, self.check_every, self.verbose)

    # ------------------------------------------------------------------ public
    def bound(self, P: PerceptionBound | float) -> PerceptionBound:
        """``P`` as this problem's ``PerceptionBound`` (a float: bits)."""
        return as_bound(P, self.fp.kind)

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """D_min(P) (exact: identity map, or an LP / convex program).

        A program still running after ``time_limit`` seconds raises
        [`TimeLimitError`][rdp.exceptions.TimeLimitError] (its ``lower``: Σ_i p_i min_j Δ_ij).
        """
        return self._min_distortion(self.bound(P).value, self.time_limit)

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """D_max(P): the least distortion of a product channel p_X ⊗ q with q in the ball.

        A search still running after ``time_limit`` seconds raises
        [`TimeLimitError`][rdp.exceptions.TimeLimitError].
        """
        return self._zero_rate(self.bound(P).value, self.time_limit)[0]

    def _min_distortion(self, Pn: float, time_limit: float) -> float:
        key = ("dmin", Pn)
        if key not in self._cache:  # a time-out is not kept: the next call tries again
            self._cache[key] = distortion_range.min_distortion(self.fp, Pn, time_limit)
        return self._cache[key]

    def _zero_rate(self, Pn: float, time_limit: float) -> tuple[float, NDArray | None]:
        key = ("dmax", Pn)
        if key not in self._cache:
            self._cache[key] = distortion_range.zero_rate_law(self.fp, Pn, time_limit)
        return self._cache[key]

    def rate_point(
        self, D: float, P: PerceptionBound | float, warm: dict[str, Any] | None = None
    ) -> PointSolution:
        """R(D, P) in bits with certified ``lower``/``upper`` and the achieving channel.

        ``warm`` is the ``warm`` of a neighbouring
        point (slope, weights and transport plan); the returned point's ``warm``
        starts the next one. No state is kept between calls.
        """
        fp = self.fp
        start = time.perf_counter()
        Pn = self.bound(P).value
        if not self._above_exact_law_distortion(D, Pn):
            try:
                d_min = self._min_distortion(Pn, self.time_limit)
            except TimeLimitError as err:
                return self._without_min_distortion(D, err, start)
            if not D >= d_min * (1 - finite.CHECK_RTOL) - 1e-15:
                return PointSolution.infeasible(
                    diagnostics={"min_distortion": d_min, "reason": "D < D_min(P)"}
                )
            exact = self._boundary_point(D, d_min, Pn)
            if exact is not None:
                return exact.replace(warm=warm)
        # D_max(P) ≥ D_max(∞) = min_j d̄_j: below it the point lies outside the zero-rate
        # region, and the zero-rate law (for a transport ball a search over N × M plans,
        # 22 s at N = 3000) is not needed
        d_max, q0 = np.inf, None
        if D >= self.context.dbar.min():
            try:
                d_max, q0 = self._zero_rate(Pn, start + self.time_limit - time.perf_counter())
            except TimeLimitError:
                pass  # out of time: the iteration stops at its first check, with its bounds
        if q0 is not None and D >= d_max:
            joint = fp.p[:, None] * q0[None, :]
            if self.context.feasible(joint, D, Pn):
                return PointSolution.exact(
                    0.0, channel=self.context.channel(joint), warm=warm,
                    diagnostics={"region": "zero-rate", "zero_rate_distortion": d_max},
                )  # fmt: skip
        meter = PointProgress(self.progress, start, self.time_limit)
        try:
            if fp.delta.size <= _SMALL:  # too small for BLAS threads: skip the thread controller
                return self._iterate(D, Pn, start, warm, meter)
            with one_blas_thread():
                return self._iterate(D, Pn, start, warm, meter)
        finally:
            meter.close()

    # ------------------------------------------------------------------ edge cases
    def _above_exact_law_distortion(self, D: float, Pn: float) -> bool:
        """Whether D exceeds D_min(0) when P = 0 admits one output law (``exact_law``).

        D_min(P) ≤ D_min(0) for every P ≥ 0 (the ball only grows), and D_min(0) is then
        one transport solve, so such a D is feasible and neither infeasible nor on the
        boundary D = D_min(P): the LP for D_min(P) (two N × M couplings, minutes for
        2000 × 2000 points of R^d) is not needed.
        """
        if self.fp.kind == NONE or not np.isfinite(Pn) or Pn <= 0:
            return False
        if self.fp.exact_law(0.0) is None:
            return False
        try:
            d_min0 = self._min_distortion(0.0, self.time_limit)
        except TimeLimitError:
            return False
        return D > d_min0 * (1 + 1e-9) + 1e-15

    def _without_min_distortion(self, D: float, err: TimeLimitError, start: float) -> PointSolution:
        """The point when D_min(P) ran out of time: infeasible below its lower bound
        Σ_i p_i min_j Δ_ij, else status 'time_limit' with only 0 ≤ R(D, P) known."""
        floor = float(err.lower)
        if not D >= floor * (1 - finite.CHECK_RTOL) - 1e-15:
            return PointSolution.infeasible(
                diagnostics={"min_distortion_lower": floor, "reason": "D < D_min(∞) ≤ D_min(P)"}
            )
        message = (
            f"stopped by the time limit ({self.time_limit:g} s) while finding D_min(P) "
            f"(at least {floor:.9g}): whether D is feasible is not known, and only "
            f"R(D, P) >= 0 is"
        )
        diagnostics = {
            "iterations": 0, "gap": float("inf"), "min_distortion_lower": floor,
            "time_s": time.perf_counter() - start, "message": message,
        }  # fmt: skip
        return PointSolution.bracket(
            0.0, float("inf"), status="time_limit", diagnostics=diagnostics, message=message,
            iterations=0,
        )  # fmt: skip

    def _boundary_point(self, D: float, d_min: float, Pn: float) -> PointSolution | None:
        """D = D_min with a unique least-distortion, perception-free map: exact rate H(q)."""
        fp = self.fp
        if D > d_min * (1 + 1e-12) + 1e-15:
            return None
        row_min = self.context.row_min[:, None]
        ties = (fp.delta <= row_min).sum(axis=1)
        j = distortion_range.identity_dominant(fp)
        if j is None or (ties != 1).any():
            return None
        joint = np.zeros(fp.shape)
        joint[np.arange(fp.p.size), j] = fp.p
        if not self.context.feasible(joint, D, Pn):
            return None
        value = finite.mutual_information_nats(joint) / LN2
        return PointSolution.exact(
            value, channel=self.context.channel(joint), diagnostics={"region": "minimum-distortion"}
        )

    # ------------------------------------------------------------------ the iteration
    def _iterate(
        self, D: float, Pn: float, start: float, warm: dict[str, Any] | None, meter
    ) -> PointSolution:
        """The point by the iteration (``rdp.solvers.fast.iteration``), as a result."""
        ctx, fp = self.context, self.fp
        run = PointIteration(ctx, self._limits(), D, Pn, start, warm, meter)
        st, iteration = run.run()
        next_warm = {"kind": fp.kind, "s": st.s, "v": st.v, "newton": st.pn_state}
        tol_nats = self.tol * LN2
        if isinstance(st.joint, tuple):  # the structured bound: build and re-check the joint
            joint = ctx.kernels.joint_at(fp.p, *st.joint)
            if ctx.feasible(joint, D, Pn):
                st.joint = joint
            else:  # pragma: no cover - the O(N) bound keeps a margin; fall back to the dense one
                st.upper, st.joint = ctx.upper_bound(joint, D, Pn, run.anchor)
                if st.upper - st.lower > tol_nats and st.status == "converged":
                    st.status = "iteration_limit"
        elapsed = time.perf_counter() - start
        iteration += st.newton_steps  # a Newton step counts as an iteration
        status = st.status
        if st.joint is None:  # no certified feasible channel yet: say so, with the lower bound
            note = "no feasible channel certified within the limits"
            message = (
                f"stopped by the {status.replace('_', ' ')} after {iteration} iterations before "
                f"any feasible channel was certified: only R(D, P) >= "
                f"{max(st.lower / LN2, 0.0):.9g} bits is known"
            )
            return PointSolution.bracket(
                max(st.lower / LN2, 0.0), float("inf"), status=status,
                diagnostics={"iterations": iteration, "gap": float("inf"), "slope": st.s,
                             "time_s": elapsed, "note": note, "message": message},
                message=message, iterations=iteration, warm=next_warm,
            )  # fmt: skip
        lower_bits, upper_bits = st.lower / LN2, st.upper / LN2
        # both bounds hold up to rounding: keep them ordered, lower <= upper
        lower_bits = min(lower_bits, upper_bits)
        diagnostics: dict[str, Any] = {
            "iterations": iteration,
            "gap": upper_bits - lower_bits,
            "slope": st.s,
            "time_s": elapsed,
            "newton_steps": st.newton_steps,
            "perception_newton_steps": st.pn_steps,
            "distortion": inner(st.joint, fp.delta),
        }
        if not (points_ball(fp) and fp.delta.size > _EXACT_TRANSPORT):
            diagnostics["perception"] = ctx.perception_value(st.joint.sum(axis=0))
        message = ""
        if status != "converged":
            message = diagnostics["message"] = (
                f"stopped by the {status.replace('_', ' ')} after {iteration} iterations: "
                f"R(D, P) is only certified to lie in [{max(lower_bits, 0.0):.9g}, "
                f"{upper_bits:.9g}] bits (gap {upper_bits - lower_bits:.2e} > tol {self.tol:g})"
            )
        return PointSolution.bracket(
            max(lower_bits, 0.0), upper_bits, status=status, channel=ctx.channel(st.joint),
            diagnostics=diagnostics, message=message, iterations=iteration, warm=next_warm,
        )  # fmt: skip

    def _feasible(self, joint: NDArray, D: float, Pn: float) -> bool:
        """Whether ``joint`` meets the constraints (``rdp.solvers.certificate.is_feasible``)."""
        return self.context.feasible(joint, D, Pn)


def fast_solver(problem, **options: Any) -> FastSolver:
    """Factory registered as ``method="fast"``; options ``tol``, ``max_iter``, ``time_limit``,
    ``check_every``, ``verbose``, ``max_memory``, ``progress``."""
    allowed = {"tol", "max_iter", "time_limit", "check_every", "verbose", "max_memory", "progress"}
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"fast method options are {sorted(allowed)}; got {sorted(unknown)}")
    return FastSolver(problem, **options)
