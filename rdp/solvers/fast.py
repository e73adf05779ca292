r"""``method="fast"``: a certified Blahut–Arimoto-type solver for finite R(D, P).

The derivation, the convergence discussion and measured times are in
``docs/solver.md``; this docstring states what the code relies on.

Algorithm
---------
The optimal channel has the Blahut–Arimoto form
$J_{ij} = p_i K_{ij} v_j / (Kv)_i$ with $K = e^{-s\Delta}$, a slope
$s \ge 0$ and positive weights $v$; its output law is
$q = v \odot h$ with $h_j = \sum_i p_i K_{ij} / (Kv)_i$.
Each iteration

1. takes one Newton (then secant) step on $s$ so that the channel's distortion
   approaches $D$ (derivative: minus the p-average conditional variance of Δ), kept
   inside the bracket of the last slopes measured on either side of D (``_SlopeBracket``);
2. takes a mirror (multiplicative) step on the reconstruction law inside the
   perception ball $B_P$: $q^+ = \Pi_{B_P}(q \odot h)$, the
   KL-projection (a geometric tilt for KL(p_X̂‖p_X), a Lambert-W form for
   KL(p_X‖p_X̂)); for TV and Wasserstein balls the step is taken on the transport
   plan π from p_X to q (rows p_X, cost ⟨π, c⟩ ≤ P, TV being the transport cost
   with c = 1[x ≠ x̂]): π⁺ ∝ π ⊙ h^η e^{−μc} with the least μ ≥ 0 meeting the
   budget and an over-relaxed step η ∈ [1, 256] that adapts to the measured
   fixed-slope gap (the unrolled plan is an entropic plan whose regularisation
   1/Σμ falls η times faster than with η = 1); then $v^+ = q^+ / h$.

Without a perception constraint step 2 is exactly Blahut–Arimoto (v⁺ = q); with
P = 0 it keeps q = p_X (a Sinkhorn iteration). Hamming distortions use an O(N + M)
Gibbs kernel and 1-D Wasserstein costs an exact quantile evaluation
(``rdp.solvers._kernels``); W plans on sorted alphabets are kept on a band of
columns once they concentrate (``_BandPlan``).

Newton phase: where no perception constraint binds (none, or the plain BA step stays
inside the ball), Blahut–Arimoto crawls on fine grids; for dense kernels the solver
then solves the optimality conditions of the fixed-slope problem together with
"distortion = D" by primal–dual Newton steps
(``rdp.solvers._kernels.rate_distortion_newton``) and evaluates the certificate
at that point; where the perception constraint turns out active it keeps only the
point's lower bound (≈ R(D) ≤ R(D, P)) and goes on iterating.

Perception Newton phase: where a TV ball or a W_k ball on sorted alphabets of the line
binds, the ball is a separable convex piecewise-linear function of the output law (of its
distribution function for W), and after a few plan steps the solver runs primal–dual
interior-point steps on the optimality conditions of the constrained problem
(``rdp.solvers.perception_newton``), certifying its points as any iterate; along a grid
the next point starts there from its neighbour's Newton point.

Certificate
-----------
Lower bound (weak Lagrangian duality; valid for every s ≥ 0 and v > 0): for any
feasible J with output law q, Jensen's inequality in each column of the backward
channel gives $I(J) + s\langle J, \Delta\rangle + \sum_i p_i \log (Kv)_i
\ge -\langle q, \log h\rangle \ge -\sigma_{B_P}(\log h)$, hence

$$
R(D, P) \ge -sD - \sum_i p_i \log (Kv)_i - \sigma_{B_P}(\log h),
\qquad \sigma_{B}(g) = \max_{q \in B} \langle g, q\rangle,
$$

where σ is evaluated exactly (none, TV, and W through the exact minimum of its
piecewise-linear dual) or bounded above through its one-dimensional dual (KL): any
multiplier of those duals gives an upper bound on σ, so the bound never depends on
the iterate being optimal. Without perception this is Blahut's classical bound
$-sD - \sum p \log Kv - \log\max_j h_j$. Upper bound: the current channel
is made exactly feasible — its output law is mixed towards the law of least
perception until d(p_X, q̃) ≤ P, the joint is rounded onto the couplings
Π(p_X, q̃) (Altschuler, Weed & Rigollet, NeurIPS 2017, Alg. 2), and mixed with a
least-distortion coupling of Π(p_X, q̃) until ⟨J, Δ⟩ ≤ D (without perception and
with the Hamming kernel: the Blahut–Arimoto channel at the least slope s' ≥ s that
meets D) — the constraints are re-checked and its mutual information is the upper
bound. The solver stops when upper − lower ≤ ``tol`` (bits), never on a small
change of the iterate; a limit stops it with status ``'iteration_limit'`` or
``'time_limit'`` and the certified bounds it has.

References: Blahut, "Computation of channel capacity and rate-distortion
functions", IEEE Trans. IT 18(4), 1972 (Thm. 8 lower bound); Blau & Michaeli,
ICML 2019 (the definition); Serra, Stavrou & Kountouris, ISIT 2023
(arXiv:2305.04604) for alternating minimisation with perception constraints;
Chen et al., ISIT 2023 (arXiv:2304.14611) for the entropic-transport view.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.special import lambertw, rel_entr

from rdp.channels import DiscreteChannel
from rdp.perceptions import (
    KL_KINDS,
    KL_RECON_SOURCE,
    NONE,
    TRANSPORT_KINDS,
    TV,
    WASSERSTEIN_KINDS,
    PerceptionBound,
    as_bound,
)
from rdp.result import PointSolution
from rdp.solvers import certificate, finite
from rdp.solvers._kernels import (
    DenseKernels,
    HammingKernels,
    rate_distortion_newton,
    single_threaded_blas,
)
from rdp.solvers.certificate import inner as _inner
from rdp.solvers.memory import check_memory
from rdp.solvers.perception_newton import (
    LinePieces,
    SeparablePieces,
    TVPieces,
    perception_newton,
)
from rdp.units import LN2

REFERENCE = (
    "Blau & Michaeli, ICML 2019, Eq. (3); Blahut-Arimoto with a mirror step on the "
    "reconstruction law and a Lagrangian dual certificate (Blahut, IEEE Trans. IT 1972)"
)


#: Least weight of a reconstruction symbol in the iteration (relative to a sum of 1).
_V_FLOOR = 1e-30


#: Initial and largest mirror step η of the transport-plan update π⁺ ∝ π ⊙ h^η e^{−μc}.
_PLAN_STEP = 8.0
_PLAN_STEP_MAX = 256.0
_CEILING_RECOVERY = 6

#: N·M at most this: BLAS runs single-threaded anyway (no threadpoolctl set-up, ~30 ms).
_SMALL = 4096

#: Largest N·M² of the fixed-slope Newton phase (one step forms an M × M Hessian).
_NEWTON_WORK = 1.2e9
_NEWTON_WORK_PERCEPTION = 40e6
_NEWTON_WORK_STRUCTURED = 2e6
#: Largest N·M² + M³ of the perception Newton phase (N = M = 1024: ~1 s per step; measured
#: on the Laplacian with W₁, N = 512: 0.8 s instead of 52 s of plan steps).
_PERCEPTION_NEWTON_WORK = 2.2e9

#: Iteration after which the Newton phase is tried once even if the BA step left the ball:
#: near the border the iterates cross it although the optimum lies inside.
_NEWTON_RETRY = 200

#: First iteration at which the perception Newton phase may start (the plan steps
#: before it locate the output law and the multiplier it starts from).
_PERCEPTION_NEWTON_AFTER = 10

#: Iterations at which the slope s takes a Newton step besides the certificate checks.
_EARLY_NEWTON = frozenset({1, 2, 3, 4, 6, 8, 12, 16})


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
        Seconds per point (default 120): a point still open then is returned with status
        ``'time_limit'`` and the certified bounds it reached. The clock is read after every
        iteration, so the iteration under way and the certificate evaluated at the stop
        may run past it (seconds for dense transport steps at N in the thousands).
    check_every : int, optional
        Iterations between certificate evaluations (default 10, or 20 for N·M > 250 000).
    verbose : bool
        Print an iteration table (iteration, lower, upper, gap in bits, slope) to stderr
        at every certificate evaluation.
    progress : bool, optional
        A tqdm bar on stderr (iterations, gap, time left) for a point that runs longer
        than ``PROGRESS_AFTER`` seconds: None (default) when stderr is a terminal, True
        always, False never. An attribute: ``rdp.solve`` sets it from its own
        ``progress`` argument.
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
        self._cache: dict[tuple[str, float], Any] = {}
        fp = self.fp
        self._row_min = fp.delta.min(axis=1)
        # Δ' = Δ − min_j Δ; Δ itself when every row's least distortion is 0 (one array less)
        self._shifted = fp.delta - self._row_min[:, None] if self._row_min.any() else fp.delta
        self._dbar = fp.p @ fp.delta
        self.verbose = bool(verbose)
        self._cost2 = fp.cost * fp.cost if fp.kind in WASSERSTEIN_KINDS else None
        # plans on sorted alphabets with a convex 1-D cost concentrate on a band
        self._banded = (
            fp.line is not None
            and bool(np.all(np.diff(fp.x) > 0))
            and bool(np.all(np.diff(fp.y) > 0))
        )
        structured = HammingKernels.detect(self._shifted) if fp.hamming else None
        # the Gibbs kernels e^{−sΔ'}: ``at(s)`` gives the (immutable) kernel at a slope
        self._kernels = structured if structured is not None else DenseKernels(self._shifted)
        self._pieces = None  # the ball's pieces for the perception Newton phase (when used)
        self._binary: bool | None = None  # whether the transport cost is 0/1 (when asked)
        self._diagonal_layout: tuple[NDArray, NDArray] | None = None  # of TV plans (when used)

    def _log(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    # ------------------------------------------------------------------ public
    def bound(self, P: PerceptionBound | float) -> PerceptionBound:
        """``P`` as this problem's ``PerceptionBound`` (a float: bits)."""
        return as_bound(P, self.fp.kind)

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """D_min(P) (exact: identity map, or an LP / convex program)."""
        key = ("dmin", self.bound(P).value)
        if key not in self._cache:
            self._cache[key] = finite.min_distortion(self.fp, key[1])
        return self._cache[key]

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """D_max(P): the least distortion of a product channel p_X ⊗ q with q in the ball."""
        return self._zero_rate(self.bound(P).value)[0]

    def _zero_rate(self, Pn: float) -> tuple[float, NDArray | None]:
        key = ("dmax", Pn)
        if key not in self._cache:
            self._cache[key] = finite.zero_rate_law(self.fp, Pn)
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
        d_min = self.min_distortion(P)
        if not D >= d_min * (1 - finite.CHECK_RTOL) - 1e-15:
            return PointSolution.infeasible(
                diagnostics={"min_distortion": d_min, "reason": "D < D_min(P)"}
            )
        # D_max(P) ≥ D_max(∞) = min_j d̄_j: below it the point lies outside the zero-rate
        # region, and the zero-rate law (for a transport ball a search over N × M plans,
        # 22 s at N = 3000) is not needed
        d_max, q0 = self._zero_rate(Pn) if D >= self._dbar.min() else (np.inf, None)
        if q0 is not None and D >= d_max:
            joint = fp.p[:, None] * q0[None, :]
            if self._feasible(joint, D, Pn):
                return PointSolution.exact(
                    0.0, channel=self._channel(joint), warm=warm,
                    diagnostics={"region": "zero-rate", "zero_rate_distortion": d_max},
                )  # fmt: skip
        exact = self._boundary_point(D, d_min, Pn)
        if exact is not None:
            return exact.replace(warm=warm)
        meter = _PointProgress(self.progress, start, self.time_limit)
        try:
            if fp.delta.size <= _SMALL:  # too small for BLAS threads: skip the thread controller
                return self._iterate(D, Pn, start, warm, meter)
            with single_threaded_blas():
                return self._iterate(D, Pn, start, warm, meter)
        finally:
            meter.close()

    # ------------------------------------------------------------------ edge cases
    def _boundary_point(self, D: float, d_min: float, Pn: float) -> PointSolution | None:
        """D = D_min with a unique least-distortion, perception-free map: exact rate H(q)."""
        fp = self.fp
        if D > d_min * (1 + 1e-12) + 1e-15:
            return None
        row_min = self._row_min[:, None]
        ties = (fp.delta <= row_min).sum(axis=1)
        j = finite.identity_dominant(fp)
        if j is None or (ties != 1).any():
            return None
        joint = np.zeros(fp.shape)
        joint[np.arange(fp.p.size), j] = fp.p
        if not self._feasible(joint, D, Pn):
            return None
        value = finite.mutual_information_nats(joint) / LN2
        return PointSolution.exact(
            value, channel=self._channel(joint), diagnostics={"region": "minimum-distortion"}
        )

    # ------------------------------------------------------------------ main loop
    def _iterate(
        self,
        D: float,
        Pn: float,
        start: float,
        warm: dict[str, Any] | None,
        meter: _PointProgress | None = None,
    ) -> PointSolution:
        fp = self.fp
        m = fp.shape[1]
        tol_nats = self.tol * LN2
        _, anchor = fp.min_divergence()
        transport = fp.kind in TRANSPORT_KINDS and np.isfinite(Pn)
        diagonal = transport and fp.kind == TV and fp.m_out == 0
        pi = None
        if diagonal:
            if self._diagonal_layout is None:  # two passes over N × M: once per problem
                self._diagonal_layout = _DiagonalPlan.layout(fp.cost)
            pi = _DiagonalPlan.initial(fp, Pn, self._diagonal_layout)
        elif transport:
            pi = _initial_plan(fp, Pn)
        if warm is not None and warm.get("kind") == fp.kind:
            # warm start: the slope, and weights half way to the cold start (so that no
            # weight is stuck near zero); the plan starts cold. Measured on an 8 × 8
            # Gaussian/W2 surface (N = 128): reusing the neighbour's weights and plan as
            # they were left three cells at the time limit that start cold in < 1 s
            s = warm["s"]
            v = 0.5 * warm["v"] + 0.5 * (0.5 * anchor / anchor.sum() + 0.5 / m)
        else:
            s = _initial_slope(fp, D)
            v = 0.5 * anchor / anchor.sum() + 0.5 / m
        if fp.kind in KL_KINDS and Pn == 0:
            v = anchor / anchor.sum()
        # symbols that no feasible channel uses (KL(p_X̂‖p_X) where p_X has no mass) keep
        # weight 0: a floor there would put mass where the perception is infinite
        usable = fp.usable(Pn)
        floor = _V_FLOOR if usable is None else np.where(usable, _V_FLOOR, 0.0)
        if usable is not None:
            v = np.where(usable, v, 0.0)
            v = v / v.sum()
        best_lower, best_upper, best_joint = 0.0, np.inf, None
        status = "iteration_limit"
        kernels = self._kernels
        kernel = kernels.at(s)
        binary_cost = transport and self._binary_cost()
        mu = 0.0
        inner_gap = np.inf
        history = None
        bracket = _SlopeBracket()
        checks = next_upper = 0
        wait = 1
        eta, ceiling, merit, streak = _PLAN_STEP, _PLAN_STEP_MAX, None, 0
        if self.verbose:
            head = f"{'iter':>8} {'lower (bits)':>16} {'upper (bits)':>16} {'gap':>10}"
            self._log(head + " slope, plan step")
        # the Newton phase: at once without a perception constraint, else once the plain
        # Blahut-Arimoto step has stayed inside the ball for a whole check period
        newton_ready = self._newton_eligible(Pn)
        # an active polyhedral constraint (TV, W on the line): interior-point Newton steps
        # once a few plan steps have located the output law (``rdp.solvers.perception_newton``)
        pn_ready = self._perception_newton_eligible(Pn)
        # a neighbour's Newton point (output law, slope, multiplier) starts it at once
        pn_warm = warm.get("newton") if warm is not None and pn_ready else None
        pn_state = None
        pn_steps = 0
        plain = fp.kind == NONE or not np.isfinite(Pn)
        inside_run = newton_steps = 0
        # an exact W evaluation costs a sort: after a miss, test the BA step once per period
        cheap_div = fp.line is None
        for iteration in range(1, self.max_iter + 1):
            # --- Newton step on the slope s towards distortion D
            kv = kernel.matvec(v)
            early = iteration in _EARLY_NEWTON
            if early or iteration % self.check_every == 1:
                mean, second = kernel.moments(v, kv)
                dist = float(fp.p @ mean) + float(fp.p @ self._row_min)
                var = float(fp.p @ np.maximum(second - mean**2, 0.0))
                # move s only when the distortion mismatch outweighs the inner (fixed-s) gap,
                # otherwise the slope and the weights chase each other
                mismatch = abs(dist - D) * max(s, 1e-3)
                bracket.measure(s, dist, D)
                if (early or mismatch >= 0.5 * inner_gap) and var > 0 and mismatch > 0:
                    slope = var
                    if not early and history is not None and history[0] != s:
                        # secant on the settled distortion: the weights adapt to s as well
                        secant = (history[1] - dist) / (s - history[0])
                        if secant > 0:
                            slope = max(secant, 0.05 * var)
                    history = (s, dist)
                    s_new = float(np.clip(s + (dist - D) / slope, 0.25 * s, 4.0 * s + 1.0))
                    s_new = bracket.keep_inside(s_new, D)
                    if abs(s_new - s) > 1e-13 * max(s, 1e-300):
                        s = max(s_new, 0.0)
                        kernel = kernels.at(s)
                        kv = kernel.matvec(v)
            h = kernel.rmatvec(fp.p / kv)
            q = v * h
            # --- certificate
            # the clock is read every iteration: a point out of time is certified at once
            # (a check period of dense transport steps took a minute at N = 3000)
            late = time.perf_counter() - start > self.time_limit
            if iteration % self.check_every == 0 or iteration == 1 or late:
                checks += 1
                lower, sigma = self._lower_bound(s, kv, h, D, Pn)
                with np.errstate(divide="ignore", invalid="ignore"):
                    inner_gap = sigma - float(np.nansum(q * np.log(h)))
                # the plan step grows while the fixed-slope gap falls; a rise shrinks it and
                # lowers its ceiling, so the step settles below the size that oscillates
                if merit is not None:
                    if inner_gap < merit:
                        eta, streak = min(2 * eta, ceiling), streak + 1
                        if streak % _CEILING_RECOVERY == 0:  # a long calm run lifts the ceiling
                            ceiling = min(2 * ceiling, _PLAN_STEP_MAX)
                    else:
                        ceiling, streak = max(eta / 2, 1.0), 0
                        eta = max(eta / 4, 1.0)
                merit = inner_gap
                if newton_ready and (
                    plain or inside_run >= self.check_every or iteration >= _NEWTON_RETRY
                ):
                    newton_ready = False
                    found = self._newton_phase(D, Pn, s, v, anchor, start)
                    if found is not None:
                        s_n, v_n, lower_n, upper_n, joint_n, newton_steps, active = found
                        best_lower = max(best_lower, lower_n)
                        if upper_n < best_upper:
                            best_upper, best_joint = upper_n, joint_n
                        if not active:  # go on from the Newton point
                            s, v = s_n, v_n
                        kernel = kernels.at(s)
                        kv = kernel.matvec(v)
                        h = kernel.rmatvec(fp.p / kv)
                        q = v * h
                if pn_ready and (pn_warm is not None or iteration >= _PERCEPTION_NEWTON_AFTER):
                    if pn_warm is not None:  # on failure: plan steps, then a cold start
                        start_point, mix, pn_warm = pn_warm, 1e-3, None
                    else:
                        pn_ready = False
                        pieces = self._perception_pieces()
                        with np.errstate(divide="ignore"):
                            mu0 = pieces.multiplier_estimate(q / q.sum(), np.log(h))
                        start_point, mix = (q, s, mu0), 0.02
                    lower_p, upper_p, joint_p, steps_p, pn_state = self._perception_newton_phase(
                        D, Pn, anchor, start, *start_point, mix=mix
                    )
                    newton_steps += steps_p
                    pn_steps += steps_p
                    best_lower = max(best_lower, lower_p)
                    if upper_p < best_upper:
                        best_upper, best_joint = upper_p, joint_p
                if self._banded and not binary_cost and isinstance(pi, np.ndarray):
                    pi = _BandPlan.from_dense(pi, fp.cost, self._cost2) or pi
                elif isinstance(pi, _BandPlan):
                    pi = pi.recentre()
                if lower > best_lower:
                    best_lower = lower
                # the upper bound needs the dense joint: with a structured kernel only when
                # the fixed-slope gap says it may close (then on a doubling schedule), or last
                out_of_time = time.perf_counter() - start > self.time_limit
                last = out_of_time or iteration + self.check_every > self.max_iter
                if kernels.structured and not np.isfinite(Pn):
                    # no column constraint: an O(N) upper bound at a slope s' ≥ s that meets D
                    upper, params = kernels.feasible_upper(fp.p, v, s, D, self._row_min)
                    if upper < best_upper:
                        best_upper, best_joint = upper, params
                elif not np.isfinite(Pn):
                    # no column constraint: the channel J(s', v) whose distortion is D
                    upper, repaired = self._slope_upper(v, s, D, Pn, anchor)
                    if upper < best_upper:
                        best_upper, best_joint = upper, repaired
                elif (
                    not kernels.structured
                    or last
                    or (inner_gap <= 0.5 * tol_nats and checks >= next_upper)
                ):
                    joint = kernel.joint(fp.p, v, kv)
                    upper, repaired = self._upper_bound(joint, D, Pn, anchor)
                    if upper < best_upper:
                        best_upper, best_joint = upper, repaired
                    next_upper, wait = checks + wait, 2 * wait
                if self.verbose:
                    self._log(
                        f"{iteration:>8d} {best_lower / LN2:>16.10f} {best_upper / LN2:>16.10f} "
                        f"{(best_upper - best_lower) / LN2:>10.2e} {s:.6g}, {eta:g}"
                    )
                if meter is not None:
                    meter.update(iteration, (best_upper - best_lower) / LN2)
                if best_upper - best_lower <= tol_nats:
                    status = "converged"
                    break
                if out_of_time:
                    status = "time_limit"
                    break
            # --- mirror step on the reconstruction law inside the ball
            ba = q * h  # the Blahut-Arimoto target
            inside_run += 1
            if fp.kind == NONE or not np.isfinite(Pn):
                target = ba
            elif Pn == 0 and fp.kind in KL_KINDS:
                target = anchor  # q fixed to the source law: a Sinkhorn step
            elif (
                transport
                and (inside_run > 1 or (iteration - 1) % self.check_every == 0 or cheap_div)
                and fp.divergence(ba / ba.sum()) <= Pn
            ):
                target = ba  # the Blahut-Arimoto step stays inside the ball
            elif transport:
                if diagonal:
                    pi = pi.step(h, Pn)
                elif binary_cost:
                    pi = _binary_transport_step(pi, h, fp.cost, Pn)
                elif isinstance(pi, _BandPlan):
                    pi, mu = pi.step(h, Pn, mu, eta)
                else:
                    pi, mu = _transport_step(pi, h, fp.cost, Pn, mu, eta, self._cost2)
                target = pi.sum(axis=0) if isinstance(pi, np.ndarray) else pi.column_sums()
            elif fp.kind == KL_RECON_SOURCE:
                target = _project_kl_rs(q * h, fp.p_tilde, Pn)
            else:
                target = _project_kl_sr(q * h, fp.p_tilde, Pn)
            if target is not ba:
                inside_run = 0
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.where(h > 0, target / h, 0.0)
            v = v / v.sum()
            # a floor keeps every usable symbol revivable (the bounds hold for any v ≥ 0)
            v = np.maximum(v, floor)
        next_warm = {"kind": fp.kind, "s": s, "v": v, "newton": pn_state}
        if isinstance(best_joint, tuple):  # the structured bound: build and re-check the joint
            joint = kernels.joint_at(fp.p, *best_joint)
            if self._feasible(joint, D, Pn):
                best_joint = joint
            else:  # pragma: no cover - the O(N) bound keeps a margin; fall back to the dense one
                best_upper, best_joint = self._upper_bound(joint, D, Pn, anchor)
                if best_upper - best_lower > tol_nats and status == "converged":
                    status = "iteration_limit"
        elapsed = time.perf_counter() - start
        iteration += newton_steps  # a Newton step counts as an iteration
        if best_joint is None:  # no certified feasible channel yet: say so, with the lower bound
            note = "no feasible channel certified within the limits"
            message = (
                f"stopped by the {status.replace('_', ' ')} after {iteration} iterations before "
                f"any feasible channel was certified: only R(D, P) >= "
                f"{max(best_lower / LN2, 0.0):.9g} bits is known"
            )
            return PointSolution.bracket(
                max(best_lower / LN2, 0.0), float("inf"), status=status,
                diagnostics={"iterations": iteration, "gap": float("inf"), "slope": s,
                             "time_s": elapsed, "note": note, "message": message},
                message=message, iterations=iteration, warm=next_warm,
            )  # fmt: skip
        lower_bits, upper_bits = best_lower / LN2, best_upper / LN2
        # both bounds hold up to rounding: keep them ordered, lower <= upper
        lower_bits = min(lower_bits, upper_bits)
        diagnostics: dict[str, Any] = {
            "iterations": iteration,
            "gap": upper_bits - lower_bits,
            "slope": s,
            "time_s": elapsed,
            "newton_steps": newton_steps,
            "perception_newton_steps": pn_steps,
            "distortion": _inner(best_joint, fp.delta),
            "perception": self._perception_value(best_joint.sum(axis=0)),
        }
        message = ""
        if status != "converged":
            message = diagnostics["message"] = (
                f"stopped by the {status.replace('_', ' ')} after {iteration} iterations: "
                f"R(D, P) is only certified to lie in [{max(lower_bits, 0.0):.9g}, "
                f"{upper_bits:.9g}] bits (gap {upper_bits - lower_bits:.2e} > tol {self.tol:g})"
            )
        return PointSolution.bracket(
            max(lower_bits, 0.0), upper_bits, status=status, channel=self._channel(best_joint),
            diagnostics=diagnostics, message=message, iterations=iteration, warm=next_warm,
        )  # fmt: skip

    def _binary_cost(self) -> bool:
        """Whether every transport cost is 0 or 1 (a pass over N × M: once per problem)."""
        if self._binary is None:
            self._binary = bool(np.isin(self.fp.cost, (0.0, 1.0)).all())
        return self._binary

    # ------------------------------------------------------------------ Newton phase
    def _newton_eligible(self, Pn: float) -> bool:
        """Whether the fixed-slope Newton phase is worth trying (dense kernel, small enough).

        Without a perception constraint (or with one that the rate-distortion optimum
        may already meet: W, TV, KL balls) the optimum is a Blahut-Arimoto fixed point
        and the Newton phase finds it; a step costs N·M² flops.
        """
        fp = self.fp
        n, m = fp.shape
        work = n * m * m
        if self._kernels.structured and work > _NEWTON_WORK_STRUCTURED:
            return False  # the O(N + M) Hamming iteration is cheaper than dense Newton steps
        if fp.kind == NONE or not np.isfinite(Pn):
            return work <= _NEWTON_WORK
        return Pn > 0 and work <= _NEWTON_WORK_PERCEPTION

    def _perception_newton_eligible(self, Pn: float) -> bool:
        """Whether the perception Newton phase applies (``rdp.solvers.perception_newton``).

        A polyhedral ball with 0 < P < ∞ — TV, or a W_k ball (k ≥ 1) on sorted alphabets
        of the line — and a step (N·M² + M³ flops) small enough; with the O(N + M)
        Hamming kernel only where a dense step is cheaper than its iteration.
        """
        fp = self.fp
        n, m = fp.shape
        if m < 2 or not 0 < Pn < np.inf:
            return False
        if fp.kind == TV:
            polyhedral = True
        else:
            polyhedral = fp.kind in WASSERSTEIN_KINDS and self._banded
        limit = _NEWTON_WORK_STRUCTURED if self._kernels.structured else _PERCEPTION_NEWTON_WORK
        return polyhedral and n * m * m + m**3 <= limit

    def _perception_pieces(self) -> SeparablePieces:
        """The perception as a separable polyhedral function (built once)."""
        if self._pieces is None:
            fp = self.fp
            if fp.kind == TV:
                self._pieces = TVPieces(fp.p_tilde, fp.m_out)
            else:
                self._pieces = LinePieces(fp.p, fp.x, fp.y, fp.w_order)
        return self._pieces

    def _perception_newton_phase(
        self,
        D: float,
        Pn: float,
        anchor: NDArray,
        start: float,
        r0: NDArray,
        s: float,
        mu0: float,
        mix: float = 0.02,
    ) -> tuple[float, float, NDArray | None, int, tuple | None]:
        """Certified bounds from interior-point Newton steps on the constrained problem.

        ``rdp.solvers.perception_newton.perception_newton`` solves the optimality conditions
        from the output law ``r0``, slope ``s`` and multiplier ``mu0``; once its
        complementarity is small, every step's point (s, v = r e^{−g}) is certified here
        by ``_certify_point`` (the dual bound with the exact support function of the ball,
        the rate of a repaired, exactly feasible channel), and it stops when the gap is
        ≤ tol. Returns ``(lower, upper, joint, steps, state)`` (nats; ``upper =
        inf`` if none; ``state`` = (r, s, μ) to warm-start a neighbour, None unless the
        gap closed).
        """
        fp = self.fp
        tol_nats = self.tol * LN2
        best: list[Any] = [0.0, np.inf, None]

        def certify(r: NDArray, g: NDArray, slope: float) -> bool:
            v = r * np.exp(-g)
            total = v.sum()
            if not (np.isfinite(v).all() and total > 0):
                return False
            lower, upper, joint = self._certify_point(v / total, slope, D, Pn, anchor)
            best[0] = max(best[0], lower)
            if upper < best[1]:
                best[1], best[2] = upper, joint
            return best[1] - best[0] <= tol_nats

        target = D - float(fp.p @ self._row_min)
        r, _, s_n, mu, steps = perception_newton(
            self._shifted, fp.p, self._perception_pieces(), Pn, r0, s, mu0, target,
            deadline=start + self.time_limit, check=certify, mix=mix,
        )  # fmt: skip
        if self.verbose:
            self._log(
                f"{steps:>8d} {best[0] / LN2:>16.10f} {best[1] / LN2:>16.10f} "
                f"{(best[1] - best[0]) / LN2:>10.2e} Newton (perception constraint)"
            )
        closed = best[1] - best[0] <= tol_nats
        return best[0], best[1], best[2], steps, ((r, s_n, mu) if closed else None)

    def _newton_phase(
        self, D: float, Pn: float, s: float, v: NDArray, anchor: NDArray, start: float
    ):
        """The rate-distortion optimum (no perception) by joint Newton steps on (q, s).

        ``rdp.solvers._kernels.rate_distortion_newton`` solves the optimality
        conditions of the fixed-slope problem together with "distortion of J(s, q) =
        D". Returns ``(s, q, lower, upper, joint, steps,
        active)`` with the certified bounds of ``_lower_bound`` and
        ``_slope_upper`` at the final (s, q) (valid for any s, q); ``active`` says
        that the output law of the rate-distortion optimum lies outside the perception
        ball (by more than 2 %), so the caller keeps its own iterate.
        """
        fp = self.fp
        tol_nats = self.tol * LN2
        target = D - float(fp.p @ self._row_min)
        deadline = start + 0.5 * self.time_limit
        q, s, steps = rate_distortion_newton(
            self._shifted, fp.p, np.maximum(v, 1e-12), s, target, 0.02 * tol_nats,
            deadline=deadline,
        )  # fmt: skip
        active = False
        if fp.kind != NONE and np.isfinite(Pn):
            kernel = self._kernels.at(s)
            out = q * kernel.rmatvec(fp.p / kernel.matvec(q))
            active = fp.divergence(out / out.sum()) > Pn * 1.02
        # both bounds hold at any (s, q); where the constraint is active the lower bound
        # is about R(D) ≤ R(D, P), which certifies points where the ball barely binds
        lower, upper, joint = self._certify_point(q, s, D, Pn, anchor)
        if self.verbose:
            self._log(
                f"{steps:>8d} {lower / LN2:>16.10f} {upper / LN2:>16.10f} "
                f"{(upper - lower) / LN2:>10.2e} {s:.6g}, Newton"
                + (" (perception active)" if active else "")
            )
        return s, q, lower, upper, joint, steps, active

    # ------------------------------------------------------------------ bounds
    def _certify_point(
        self, v: NDArray, s: float, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, float, NDArray | None]:
        """Both certified bounds (nats) at weights v ≥ 0 and slope s ≥ 0, and the channel.

        ``_lower_bound`` at (s, v) — none (0) where a row of K vanishes on v's support —
        and ``_slope_upper``, whose repaired channel is re-checked whatever the floating
        point did on the way.
        """
        kernel = self._kernels.at(s)
        kv = kernel.matvec(v)
        lower = 0.0
        if (kv > 0).all():
            lower, _ = self._lower_bound(s, kv, kernel.rmatvec(self.fp.p / kv), D, Pn)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            upper, joint = self._slope_upper(v, s, D, Pn, anchor)
        return lower, upper, joint

    def _slope_upper(
        self, v: NDArray, s: float, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, NDArray | None]:
        """Upper bound from J(s', v), s' by Newton steps on its distortion = D (no perception).

        While the slope iteration waits for the weights, the iterate's distortion misses
        D and mixing with a least-distortion coupling costs about s·|dist − D|; without
        a column constraint the Blahut-Arimoto channel at the slope that meets D is
        feasible as it is.
        """
        fp = self.fp
        s2 = s
        for _ in range(3):
            kernel = self._kernels.at(s2)
            kv = kernel.matvec(v)
            mean, second = kernel.moments(v, kv)
            dist = float(fp.p @ mean) + float(fp.p @ self._row_min)
            var = float(fp.p @ np.maximum(second - mean**2, 0.0))
            if not var > 0 or abs(dist - D) <= 1e-13 * D:
                break
            s2 = float(np.clip(s2 + (dist - D * (1 - 1e-13)) / var, 0.5 * s2, 2.0 * s2 + 1.0))
        kernel = self._kernels.at(s2)
        return self._upper_bound(kernel.joint(fp.p, v, kernel.matvec(v)), D, Pn, anchor)

    def _lower_bound(
        self, s: float, kv: NDArray, h: NDArray, D: float, Pn: float
    ) -> tuple[float, float]:
        return certificate.dual_lower_bound(self.fp, s, kv, h, D, Pn, self._row_min)

    def _upper_bound(
        self, joint: NDArray, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, NDArray | None]:
        return certificate.repair(self.fp, joint, D, Pn, anchor)

    def _feasible(self, joint: NDArray, D: float, Pn: float) -> bool:
        return certificate.is_feasible(self.fp, joint, D, Pn)

    def _perception_value(self, q: NDArray) -> float:
        div = self.fp.divergence(q)
        return div / LN2 if self.fp.kind in KL_KINDS else div

    def _channel(self, joint: NDArray) -> DiscreteChannel:
        """The channel of a joint on the support, on the problem's whole source alphabet."""
        fp = self.fp
        x = fp.x if fp.x_all is None else fp.x_all
        return DiscreteChannel(fp.full_joint(joint), x, fp.y)


# ---------------------------------------------------------------------- helpers
#: Seconds after which a point shows its progress bar.
PROGRESS_AFTER = 3.0


class _PointProgress:
    """A tqdm bar on stderr for one point once it has run ``PROGRESS_AFTER`` seconds.

    It counts iterations and shows the certified gap and the time left before the
    time limit; ``show`` None keeps it off when stderr is not a terminal.
    """

    def __init__(self, show: bool | None, start: float, limit: float) -> None:
        self.show, self.start, self.limit = show, start, limit
        self.bar: Any = None

    def update(self, iteration: int, gap_bits: float) -> None:
        if self.show is False:
            return
        elapsed = time.perf_counter() - self.start
        if self.bar is None:
            if elapsed < PROGRESS_AFTER:
                return
            from tqdm.auto import tqdm

            disable = None if self.show is None else False
            self.bar = tqdm(desc="R(D, P) point", unit="it", disable=disable, leave=False)
        self.bar.update(iteration - self.bar.n)
        left = max(self.limit - elapsed, 0.0)
        self.bar.set_postfix_str(f"gap {gap_bits:.1e} bits, {left:.0f} s to the time limit")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _SlopeBracket:
    """The last slopes measured on either side of "distortion = D": a safeguard for s steps.

    At fixed weights the distortion of J(s, v) falls as s grows. Where it is
    sigmoid-shaped in s, Newton and secant steps on it can cycle without end
    (measured: a uniform source on 10,000 symbols with Hamming distortion at
    D = 0.5 cycled through s ≈ 2.8, 7.6, 17.7, 11.6 for 100,000 iterations, gap
    0.39 bits; the root is s = 9.2). A step that leaves the bracket
    ``(above, below)`` — slopes whose distortion was above / below D — is replaced
    by the regula falsi point between them. The weights move between measurements
    and with them the root, so after three measurements on one side in a row the
    other side is forgotten (a stale end never pins the slope), and a step that
    leaves the bracket by at most ``SLACK`` (relative) is kept: near convergence the
    root drifts that little past ends measured at earlier weights, and pulling those
    steps back cost iterations (Dirichlet source, Hamming, no perception: 420 instead
    of 240 at N = 2048, 740 instead of 640 at N = 256), while the cycling steps
    leave it by far more (N = 3000, D = 0.58: 14.7 against the bracket (3.4, 13.7)).
    """

    RUN = 3
    SLACK = 0.01

    def __init__(self) -> None:
        self.above: tuple[float, float] | None = None  # (s, dist) with dist > D: root > s
        self.below: tuple[float, float] | None = None  # (s, dist) with dist < D: root < s
        self.run = 0
        self.side = 0

    def measure(self, s: float, dist: float, D: float) -> None:
        """Record the distortion ``dist`` measured at slope ``s``."""
        if dist == D:
            return
        side = 1 if dist > D else -1
        self.run = self.run + 1 if side == self.side else 1
        self.side = side
        if side > 0:
            self.above = (s, dist)
            if self.run >= self.RUN or (self.below is not None and self.below[0] <= s):
                self.below = None
        else:
            self.below = (s, dist)
            if self.run >= self.RUN or (self.above is not None and self.above[0] >= s):
                self.above = None

    def keep_inside(self, s_new: float, D: float) -> float:
        """``s_new``, or the regula falsi point of the bracket when ``s_new`` leaves it
        (by more than ``SLACK``)."""
        if self.above is None or self.below is None:
            return s_new
        (lo, d_lo), (hi, d_hi) = self.above, self.below
        if lo * (1 - self.SLACK) < s_new < hi * (1 + self.SLACK):
            return s_new
        mid = lo + (d_lo - D) * (hi - lo) / (d_lo - d_hi)
        return mid if lo < mid < hi else 0.5 * (lo + hi)


def _initial_slope(fp: finite.FiniteProblem, D: float) -> float:
    sample = fp.delta.ravel()[:: max(1, fp.delta.size // 65536)]
    sample = sample[sample > 0]
    scale = float(np.median(sample)) if sample.size else 1.0
    return max(np.log(max(scale / max(D, 1e-12), 1.0 + 1e-9)), 0.1) / scale


def _initial_plan(fp: finite.FiniteProblem, Pn: float) -> NDArray:
    """A plan with rows p: mostly the least-cost map, spread a little where the budget allows."""
    n, m = fp.shape
    j = np.argmin(fp.cost, axis=1)
    base = np.zeros((n, m))
    base[np.arange(n), j] = fp.p
    base_cost = float((base * fp.cost).sum())
    spread = fp.p[:, None] * np.full((n, m), 1.0 / m)
    spread_cost = float((spread * fp.cost).sum())
    if spread_cost <= base_cost or Pn <= base_cost:
        return base + 1e-300
    eps = min(0.5, 0.5 * (Pn - base_cost) / (spread_cost - base_cost))
    return (1 - eps) * base + eps * spread


def _transport_step(
    pi: NDArray,
    h: NDArray,
    cost: NDArray,
    Pn: float,
    mu0: float,
    eta: float = 1.0,
    cost2: NDArray | None = None,
    cols: NDArray | None = None,
) -> tuple[NDArray, float]:
    """π⁺ ∝ π ⊙ h^η e^{−μc} per row (rows keep p); the least μ ≥ 0 with ⟨π⁺, c⟩ ≤ P.

    Safeguarded Newton on μ from the previous multiplier ``mu0`` (the budget is
    decreasing in μ with derivative −Σ_i p_i Var_i(c)). ``cost2`` is c² (precomputed).
    With ``cols`` the plan is a band (``_BandPlan``): entry (i, k) of ``pi``,
    ``cost`` and ``cost2`` is column ``cols[i, k]``.
    """
    rows = pi.sum(axis=1)
    if cost2 is None:
        cost2 = cost * cost
    # in logarithms, each row shifted to its largest entry: π ⊙ h^η underflows to an
    # all-zero row otherwise (h spanning 1e-8 at η = 8 did, and the row never came back)
    with np.errstate(divide="ignore"):
        log_h = eta * np.log(h / h.max())
        log_base = np.log(pi) + (log_h[None, :] if cols is None else log_h[cols])

    def plan(mu: float) -> tuple[NDArray, NDArray, float, float]:
        z = log_base - mu * cost if mu > 0 else log_base
        top = z.max(axis=1, keepdims=True)
        w = np.exp(z - np.where(np.isfinite(top), top, 0.0))
        tot = w.sum(axis=1)
        tot = np.where(tot > 0, tot, 1.0)
        mean = np.einsum("ij,ij->i", w, cost) / tot
        var = np.einsum("ij,ij->i", w, cost2) / tot - mean**2
        return w, tot, float(rows @ mean), float(rows @ np.maximum(var, 0.0))

    def scaled(w: NDArray, tot: NDArray) -> NDArray:
        return w * (rows / tot)[:, None]

    def limit() -> tuple[NDArray, NDArray]:
        """The μ → ∞ plan: each row's mass on its cheapest supported entries."""
        top = log_base.max(axis=1, keepdims=True)
        w = np.exp(log_base - np.where(np.isfinite(top), top, 0.0))
        masked = np.where(w > 0, cost, np.inf)
        w = np.where(masked <= masked.min(axis=1, keepdims=True), w, 0.0)
        tot = w.sum(axis=1)
        return w, np.where(tot > 0, tot, 1.0)

    if Pn <= 0:  # only zero-cost entries may carry mass: the limit, without a search on μ
        return scaled(*limit()), max(mu0, 1.0)
    w, tot, c0, _ = plan(0.0)
    if c0 <= Pn:
        return scaled(w, tot), 0.0
    lo, hi = 0.0, np.inf
    mu = max(mu0, 1e-3)
    for _ in range(100):
        w, tot, c, var = plan(mu)
        if abs(c - Pn) <= 1e-10 * Pn:
            # the iterate may sit 1e-10 (relative) outside the ball: the upper bound
            # certifies a repaired channel, never the iterate itself
            return scaled(w, tot), mu
        if c > Pn:
            lo = mu
        else:
            hi = mu
        new = mu + (c - Pn) / var if var > 0 else np.nan
        if not (lo < new < hi) or not np.isfinite(new):
            new = 0.5 * (lo + hi) if np.isfinite(hi) else 4.0 * mu
        mu = new
        if np.isfinite(hi) and hi - lo <= 1e-13 * hi:
            break
    if not np.isfinite(hi):  # ⟨π, c⟩ > P at every μ tried (c in the denormals): the limit
        return scaled(*limit()), lo
    w, tot, _, _ = plan(hi)
    return scaled(w, tot), hi


class _BandPlan:
    """A transport plan kept on a window of w consecutive columns per row.

    On the line with a convex cost and sorted alphabets the optimal plan is the
    monotone coupling, and the entropic iterates concentrate around it: after some
    iterations all but a few entries per row are below 1e-40 of the row's largest.
    The plan step then costs O(N·w) instead of O(N·M). Entries outside the window
    are zero; ``recentre`` moves each window with its mass and gives new cells
    a small positive weight, so that the multiplicative step can still grow them.
    Only the iteration uses the plan: the certificate never reads it.
    """

    THRESHOLD = 1e-40
    MARGIN = 2

    def __init__(self, vals: NDArray, start: NDArray, cost: NDArray, cost2: NDArray) -> None:
        n, w = vals.shape
        self.vals, self.start, self.m = vals, start, cost.shape[1]
        self.cols = start[:, None] + np.arange(w)[None, :]
        self._full_cost, self._full_cost2 = cost, cost2
        r = np.arange(n)[:, None]
        self.cost, self.cost2 = cost[r, self.cols], cost2[r, self.cols]

    @classmethod
    def window(cls, dense: NDArray, start: NDArray, width: int, cost, cost2) -> _BandPlan:
        r = np.arange(dense.shape[0])[:, None]
        cols = start[:, None] + np.arange(width)[None, :]
        return cls(dense[r, cols], start, cost, cost2)

    @classmethod
    def from_dense(cls, pi: NDArray, cost: NDArray, cost2: NDArray) -> _BandPlan | None:
        """The band holding every entry above THRESHOLD of its row's largest, if narrow."""
        start, width = _band_limits(pi, 0, pi.shape[1])
        if width > pi.shape[1] // 4:
            return None
        return cls.window(pi, start, width, cost, cost2)

    def recentre(self) -> _BandPlan:
        """The same plan on windows fitted around its entries above THRESHOLD."""
        start, width = _band_limits(self.vals, self.start, self.m)
        n, w_old = self.vals.shape
        cols = start[:, None] + np.arange(width)[None, :]
        idx = cols - self.start[:, None]
        inside = (idx >= 0) & (idx < w_old)
        old = self.vals[np.arange(n)[:, None], np.clip(idx, 0, w_old - 1)]
        floor = self.THRESHOLD * self.vals.max(axis=1, keepdims=True)
        vals = np.where(inside, old, floor)
        return _BandPlan(vals, start, self._full_cost, self._full_cost2)

    def step(self, h: NDArray, Pn: float, mu0: float, eta: float) -> tuple[_BandPlan, float]:
        vals, mu = _transport_step(
            self.vals, h, self.cost, Pn, mu0, eta, self.cost2, cols=self.cols
        )
        out = object.__new__(_BandPlan)
        out.__dict__.update(self.__dict__)
        out.vals = vals
        return out, mu

    def column_sums(self) -> NDArray:
        return np.bincount(self.cols.ravel(), weights=self.vals.ravel(), minlength=self.m)

    def dense(self) -> NDArray:
        out = np.zeros((self.vals.shape[0], self.m))
        out[np.arange(self.vals.shape[0])[:, None], self.cols] = self.vals
        return out


def _band_limits(vals: NDArray, offset, m: int) -> tuple[NDArray, int]:
    """Window starts and common width around each row's entries above the band threshold."""
    big = vals > _BandPlan.THRESHOLD * vals.max(axis=1, keepdims=True)
    w = vals.shape[1]
    first = np.argmax(big, axis=1) + offset
    last = w - 1 - np.argmax(big[:, ::-1], axis=1) + offset
    lo = np.maximum(first - _BandPlan.MARGIN, 0)
    hi = np.minimum(last + _BandPlan.MARGIN, m - 1)
    width = int(min((hi - lo + 1).max(), m))
    return np.minimum(lo, m - width), width


class _DiagonalPlan:
    """A TV transport plan π_ij = a_i b_j off the matched column j(i), π_{i,j(i)} = d_i.

    The mirror step π⁺ ∝ π ⊙ h e^{−μ 1[j ≠ j(i)]} keeps this form, so a TV step
    costs O(N + M) instead of O(NM).
    """

    def __init__(self, a: NDArray, b: NDArray, d: NDArray, match: NDArray) -> None:
        self.a, self.b, self.d, self.match = a, b, d, match

    @staticmethod
    def layout(cost: NDArray) -> tuple[NDArray, NDArray]:
        """The matched column of each row and the row sums of the cost (per problem)."""
        return np.argmin(cost, axis=1), cost.sum(axis=1)

    @classmethod
    def initial(
        cls, fp: finite.FiniteProblem, Pn: float, layout: tuple[NDArray, NDArray]
    ) -> _DiagonalPlan:
        """``_initial_plan`` in this form, without the dense matrix.

        ``layout`` is ``_DiagonalPlan.layout(fp.cost)``, computed once per problem.
        """
        m = fp.shape[1]
        match, row_cost = layout
        spread_cost = float(fp.p @ row_cost) / m  # the base plan costs 0
        eps = 0.0
        if spread_cost > 0 and Pn > 0:
            eps = min(0.5, 0.5 * Pn / spread_cost)
        a = np.maximum(eps * fp.p / m, 1e-300)
        d = (1 - eps) * fp.p + eps * fp.p / m
        return cls(a, np.ones(m), d, match)

    @classmethod
    def from_dense(cls, pi: NDArray, cost: NDArray) -> _DiagonalPlan:
        n, m = pi.shape
        match = np.argmin(cost, axis=1)
        d = pi[np.arange(n), match].copy()
        off = pi.copy()
        off[np.arange(n), match] = 0.0
        # the initial plan spreads each row uniformly off its matched column
        b = np.ones(m)
        a = off.sum(axis=1) / max(m - 1, 1)
        return cls(a, b, d, match)

    def copy(self) -> _DiagonalPlan:
        return _DiagonalPlan(self.a.copy(), self.b.copy(), self.d.copy(), self.match)

    def column_sums(self) -> NDArray:
        q = self.b * self.a.sum()
        np.subtract.at(q, self.match, self.a * self.b[self.match])
        np.add.at(q, self.match, self.d)
        return q

    def step(self, h: NDArray, Pn: float) -> _DiagonalPlan:
        hn = h / h.max()
        rows = self.a * (self.b.sum() - self.b[self.match]) + self.d
        b = self.b * hn
        z = self.d * hn[self.match]
        r = self.a * (b.sum() - b[self.match])

        def moved(t: float) -> float:
            tot = z + t * r
            return float(rows @ np.where(tot > 0, t * r / np.where(tot > 0, tot, 1.0), 0.0))

        if moved(1.0) <= Pn:
            t = 1.0
        elif Pn <= 0:
            t = 0.0
        else:
            t = brentq(lambda u: moved(u) - Pn, 0.0, 1.0, xtol=1e-300, rtol=1e-14)
        tot = z + t * r
        scale = rows / np.where(tot > 0, tot, 1.0)
        top = b.max()
        return _DiagonalPlan(self.a * t * scale * top, b / top, z * scale, self.match)


def _binary_transport_step(
    pi: NDArray, h: NDArray, cost: NDArray, Pn: float, eta: float = 1.0
) -> NDArray:
    """The same step for a 0/1 cost (TV): per row only the zero-cost mass share depends on μ."""
    rows = pi.sum(axis=1)
    base = pi * ((h / h.max()) ** eta)[None, :]
    free = cost == 0
    z = (base * free).sum(axis=1)
    r = base.sum(axis=1) - z

    def moved(t: float) -> float:  # t = e^{−μ}
        tot = z + t * r
        share = np.where(tot > 0, t * r / np.where(tot > 0, tot, 1.0), 0.0)
        return float(rows @ share)

    if moved(1.0) <= Pn:
        t = 1.0
    else:
        lo, hi = 0.0, 1.0  # moved(lo) ≤ P < moved(hi)
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            if moved(mid) <= Pn:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-16 + 1e-13 * hi:
                break
        t = lo
    tot = z + t * r
    scale = rows / np.where(tot > 0, tot, 1.0)
    if t == 1.0:
        return base * scale[:, None]
    return base * (scale * t)[:, None] + (base * free) * (scale * (1.0 - t))[:, None]


def _project_kl_rs(a: NDArray, p_tilde: NDArray, Pn: float) -> NDArray:
    """KL-projection of a onto {q: KL(q‖p̃) ≤ P}: q ∝ a^{1−t} p̃^t, least t ∈ [0, 1]."""
    a = a / a.sum()
    mask = p_tilde > 0
    if rel_entr(a, p_tilde).sum() <= Pn:
        return a
    la = np.log(np.where(mask, np.maximum(a, 1e-300), 1.0))
    lp = np.log(np.where(mask, p_tilde, 1.0))

    def law(t: float) -> NDArray:
        z = np.where(mask, (1 - t) * la + t * lp, -np.inf)
        w = np.exp(z - z.max())
        return w / w.sum()

    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if rel_entr(law(mid), p_tilde).sum() <= Pn:
            hi = mid
        else:
            lo = mid
    return law(hi)


def _project_kl_sr(a: NDArray, p_tilde: NDArray, Pn: float) -> NDArray:
    """KL-projection of a onto {q: KL(p̃‖q) ≤ P} (KKT: q_j = τ p̃_j / W(τ p̃_j e^{1+ν} / a_j))."""
    a = np.maximum(a / a.sum(), 1e-300)
    mask = p_tilde > 0
    if rel_entr(p_tilde, a).sum() <= Pn:
        return a
    lp = np.log(np.where(mask, p_tilde, 1.0))
    la = np.log(a)

    def law(log_tau: float, nu: float) -> NDArray:
        out = a * np.exp(-1.0 - nu)
        logz = np.minimum(log_tau + lp + 1.0 + nu - la, 700.0)
        w = np.real(lambertw(np.exp(logz)))
        out = np.where(mask, np.exp(log_tau + lp) / np.maximum(w, 1e-300), out)
        return out

    last = [0.0]  # ν of the previous normalisation: ν moves little between calls

    def normalised(log_tau: float) -> NDArray:
        # the total mass is decreasing and convex in ν: Newton's method from the previous
        # ν (dq_j/dν = −q_j²/(q_j + τ p̃_j) on the support of p̃, −q_j elsewhere)
        tau = np.exp(log_tau)
        step = 1.0
        lo, hi = last[0] - step, last[0] + step
        while law(log_tau, lo).sum() <= 1.0 and lo > -60.0:
            lo, step = lo - 2 * step, 2 * step
        while law(log_tau, hi).sum() > 1.0 and hi < 60.0:
            hi, step = hi + 2 * step, 2 * step
        nu = last[0] if lo < last[0] < hi else 0.5 * (lo + hi)
        for _ in range(100):  # safeguarded Newton on the bracket [lo, hi]
            q = law(log_tau, nu)
            excess = float(q.sum()) - 1.0
            if excess > 0:
                lo = nu
            else:
                hi = nu
            if abs(excess) <= 1e-14 or hi - lo <= 1e-11 * (1.0 + abs(hi)):
                break
            with np.errstate(over="ignore", invalid="ignore"):
                deriv = -float(np.where(mask, q * q / (q + tau * p_tilde), q).sum())
            new = nu - excess / deriv if deriv < 0 else np.nan
            nu = new if lo < new < hi else 0.5 * (lo + hi)
        if excess > 1e-14:  # the bracket closed first: end on the side with mass ≤ 1
            nu, q = hi, law(log_tau, hi)
        last[0] = nu
        return q / q.sum()

    def excess(log_tau: float) -> float:
        return float(rel_entr(p_tilde, normalised(log_tau)).sum()) - Pn

    # KL(p̃‖q_τ) falls as τ grows: regula falsi (Illinois) on log τ, keeping hi feasible
    lo, hi = -40.0, 40.0
    f_lo, f_hi = excess(lo), excess(hi)
    side = 0
    while hi - lo > 1e-12 * (1.0 + abs(hi)):
        mid = hi - f_hi * (hi - lo) / (f_hi - f_lo) if f_lo > 0 >= f_hi else 0.5 * (lo + hi)
        if not lo < mid < hi:
            mid = 0.5 * (lo + hi)
        f_mid = excess(mid)
        if f_mid <= 0:
            hi, f_hi = mid, f_mid
            if side == 1:
                f_lo *= 0.5
            side = 1
            if f_mid >= -1e-13 * max(Pn, 1e-300):
                break
        else:
            lo, f_lo = mid, f_mid
            if side == -1:
                f_hi *= 0.5
            side = -1
    return normalised(hi)


def fast_solver(problem, **options: Any) -> FastSolver:
    """Factory registered as ``method="fast"``; options ``tol``, ``max_iter``, ``time_limit``,
    ``check_every``, ``verbose``, ``max_memory``, ``progress``."""
    allowed = {"tol", "max_iter", "time_limit", "check_every", "verbose", "max_memory", "progress"}
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"fast method options are {sorted(allowed)}; got {sorted(unknown)}")
    return FastSolver(problem, **options)
