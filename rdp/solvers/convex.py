r"""``method="cvxpy"``: the convex program for R(D, P) on finite alphabets, certified.

$$
R(D, P) = \min_{J \ge 0} \sum_{i,j} J_{ij} \log \frac{J_{ij}}{p_i q_j}
\quad\text{s.t.}\quad J\mathbf 1 = p,\; q = J^\top \mathbf 1,\;
\langle J, \Delta\rangle \le D,\; d(p, q) \le P,
$$

with $d$ = TV (½‖q − p̃‖₁ + ½ m_out), a Wasserstein cost through a coupling
π ≥ 0 with marginals p, q and ⟨π, c⟩ ≤ P, a KL divergence (``rel_entr``), or another
f-divergence (squared Hellinger, JS, χ², a user's f with ``cvxpy_f``: the generator's own
convex expression, ``rdp.fgenerators``).
The objective is jointly convex (``cvxpy.rel_entr`` with an affine second
argument). The solvers are tried in turn — Clarabel at tolerances 1e-9 (see
``CLARABEL_TIGHT`` for what was measured), Clarabel at its defaults, then SCS —
until an answer is certified.

Certificate
-----------
Nothing is certified on the solver's word. Each answer of a solver (``optimal``
or ``optimal_inaccurate``) — its channel J and its multiplier s ≥ 0 of the
distortion constraint — is turned into a bracket by ``rdp.solvers.certificate``,
the arithmetic the fast solver certifies with, on the full problem:

- ``upper``: J is checked against D and P by independent arithmetic and repaired
  into an exactly feasible channel (rows rounded onto p, output law mixed into the
  perception ball, then mixed with a least-distortion coupling); its mutual
  information is the upper bound, and it is the returned channel;
- ``lower``: the Lagrangian bound $-sD - \sum_i p_i \log (Kv)_i - \sigma_{B_P}(\log h)$
  ($K = e^{-s\Delta}$, $h = K^\top(p / Kv)$, σ the support function of the
  perception ball) at the weights v whose Blahut–Arimoto channel has J's output
  law (Sinkhorn's iteration), at the solver's s and, when that leaves a gap above
  ``tol / 2``, maximised over s e^t, |t| ≤ 1/4. It holds for every s ≥ 0, v ≥ 0.

The first answer with upper − lower ≤ ``tol`` (bits) is returned, status
``'converged'``, value = upper. If none closes, the tightest is returned as an
``'estimate'``: lower is the larger of the dual bound and the certified R(D, ∞) of
the default method, the value is the solver's (``diagnostics["solver_value"]``)
clipped into [lower, upper], and ``upper`` is ``inf`` when no repair is certified.
Without any answer ``SolverFailure`` is raised. Infeasibility is decided from the
exact D_min(P) (an LP), not from the solver.

Near-zero source masses
-----------------------
A mass of 1e-12 inside a relative-entropy cone is so badly scaled that Clarabel
said ``optimal`` for a channel with KL perception 0.41 bits at P = 0.3. So
KL(p_X̂‖p_X) is written as Σ q log q − Σ q log p̃ (no p̃ inside a cone), and rows with
$p_i \le$ ``MASS_FLOOR`` are no variables: each such $x_i$ is sent to a
reconstruction value $y_{j(i)}$ of least transport cost $c_{ij}$ (its own value
when it is one; ties: least distortion). Let S be these rows and
ε = Σ_{i∈S} p_i. The program is R(D, P) over the channels with these rows, except
that its objective leaves out their share Σ_S p_i log(1/q_{j(i)}) ∈
[0, Σ_S p_i log(1/p_i)] of I(J), and, for KL(p_X‖p_X̂), the terms
p̃_j log(p̃_j / q_j) ≤ 0 of their values (q_j ≥ p̃_j there), which only makes the
constraint stricter. So its channels are feasible for the full problem (up to
the solver's accuracy, which the repair removes), and fixing the rows costs
little: replacing the rows S of an optimal channel J* by the fixed ones, with
Z = 1[X ∈ S] and I(X; X̂) = I(Z; X̂) + I(X; X̂ | Z), gives a channel of rate
≤ I(J*) + ε log₂|S| + h(ε) bits, distortion ≤ D + ε max_S Δ_{i j(i)} and, for TV
and transport costs, perception ≤ P + ε (c_max + max_S c_{i j(i)}) (the moved mass
ε is rerouted at cost ≤ c_max; c_max = 1 for TV). Hence, with R_S the rate over
channels with the fixed rows,

$$
R(D, P) \le R_S(D, P), \qquad
R_S\bigl(D + \varepsilon \max_S \Delta_{i j(i)},\;
P + \varepsilon(c_{\max} + \max_S c_{i j(i)})\bigr)
\le R(D, P) + \varepsilon \log_2 |S| + h(\varepsilon)
$$

(h(ε) = 2.8e-7 bits at ε = 1e-8); for KL the certificate alone measures the
difference. Both bounds are computed on the full problem, so the removal can cost
tightness (the point is then an ``'estimate'``), never a wrong bracket.

Reference: Blau & Michaeli, "Rethinking Lossy Compression: The
Rate-Distortion-Perception Tradeoff", ICML 2019, Eq. (3); Blahut, "Computation of
channel capacity and rate-distortion functions", IEEE Trans. IT 18(4), 1972
(the dual bound).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.channels import DiscreteChannel
from rdp.perceptions import (
    F_KINDS,
    INFORMATION_KINDS,
    KL_KINDS,
    KL_RECON_SOURCE,
    NONE,
    TV,
    WASSERSTEIN_KINDS,
    PerceptionBound,
    as_bound,
)
from rdp.result import PointSolution
from rdp.solvers import certificate, distortion_range, fdivergence, finite
from rdp.status import CERTIFIED_GAP, Status
from rdp.units import LN2

REFERENCE = (
    "Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception Tradeoff, "
    "ICML 2019, Eq. (3), solved as a convex program (cvxpy, Clarabel / SCS) and certified "
    "by a Lagrangian dual bound (Blahut, IEEE Trans. IT 1972)"
)

#: Clarabel's tolerances, tried before its defaults (1e-8). At its defaults its 'optimal'
#: values were 5e-8 to 3e-7 bits below the certified optimum on ``Gaussian().discretize(32)``
#: (MSE with TV, W1, W2) and up to 3.4e-6 bits on random 20-symbol W1 problems; at 1e-9 they
#: were within 2e-8 bits at about the same time, while 1e-10 ends 'optimal_inaccurate'.
CLARABEL_TIGHT = {"tol_gap_abs": 1e-9, "tol_gap_rel": 1e-9, "tol_feas": 1e-9}

#: Source masses at most this are removed before the program is built (module docstring).
MASS_FLOOR = distortion_range.MASS_FLOOR


class SolverFailure(RuntimeError):
    """The convex solver did not return a usable answer."""


class ConvexProgram:
    """The cvxpy reference method for a finite problem, certified by a dual bound.

    Parameters
    ----------
    problem : Problem
        A problem with a [`Discrete`][rdp.sources.Discrete] or Bernoulli source.
    solvers : sequence of str
        cvxpy solver names tried in order (default Clarabel, then SCS).
    tol : float
        A point is ``'converged'`` when its certified gap upper − lower is at most
        ``tol`` bits (default ``rdp.status.CERTIFIED_GAP``, 1e-6); otherwise an
        ``'estimate'``.
    verbose : bool
        Print the solver log.
    """

    name = "cvxpy"
    reference = REFERENCE

    def __init__(
        self,
        problem,
        solvers: tuple[str, ...] = ("CLARABEL", "SCS"),
        tol: float = CERTIFIED_GAP,
        verbose: bool = False,
    ):
        if not (np.isfinite(tol) and tol > 0):
            raise ValueError(f"tol must be > 0 (bits); got {tol!r}")
        self.fp = finite.build(problem)
        if self.fp.generator is not None and not self.fp.generator.has_cvxpy:
            raise ValueError(
                "method='cvxpy' needs the f-divergence as a cvxpy expression: give "
                "FDivergence(..., cvxpy_f=...) with direction 'reconstruction||source'"
            )
        self.kept, self.fixed = distortion_range.fixed_rows(self.fp, MASS_FLOOR)
        self.problem = problem
        self.solvers = tuple(solvers)
        self.tol = float(tol)
        self.verbose = verbose

    def bound(self, P: PerceptionBound | float) -> PerceptionBound:
        """``P`` as this problem's ``PerceptionBound`` (a float: bits)."""
        return as_bound(P, self.fp.kind)

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """D_min(P) (exact LP for TV/W; a convex program for KL)."""
        return distortion_range.min_distortion(self.fp, self.bound(P).value)

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """D_max(P) = min over q in the perception ball of Σ_j q_j Σ_i p_i Δ_ij."""
        return distortion_range.zero_rate_law(self.fp, self.bound(P).value)[0]

    def rate_point(self, D: float, P: PerceptionBound | float, warm: Any = None) -> PointSolution:
        """R(D, P) in bits, certified as the module docstring says (``warm`` is not used)."""
        fp = self.fp
        Pn = self.bound(P).value
        d_min = distortion_range.min_distortion(fp, Pn)
        if D < d_min * (1 - finite.CHECK_RTOL) - 1e-15:
            return PointSolution.infeasible(
                diagnostics={"min_distortion": d_min, "reason": "D < D_min(P)"}
            )
        statuses = []
        # Clarabel first at tight tolerances, then at its defaults; then the next solver
        attempts = [
            (solver, options)
            for solver in self.solvers
            for options in ((CLARABEL_TIGHT, {}) if solver.upper() == "CLARABEL" else ({},))
        ]
        best = None  # the tightest estimate so far, if no answer certifies
        for solver, options in attempts:
            label = f"{solver} (tolerances 1e-9)" if options else solver
            start = time.perf_counter()
            try:
                answer = self._solve(D, Pn, solver, options)
            except Exception as err:  # cvxpy raises SolverError and others
                statuses.append(f"{label}: error ({type(err).__name__}: {err})")
                continue
            statuses.append(f"{label}: {answer.status}")
            if answer.joint is None or answer.status not in ("optimal", "optimal_inaccurate"):
                continue
            point = self._certify(answer, D, Pn, time.perf_counter() - start, options)
            point.diagnostics["attempts"] = list(statuses)
            if point.status == "converged":
                return point
            if best is None or point.upper - point.lower < best.upper - best.lower:
                best = point
        if best is not None:
            return best
        raise SolverFailure(f"cvxpy could not solve R(D={D}, P={P}): " + "; ".join(statuses))

    # ------------------------------------------------------------------ internals
    def _solve(self, D: float, Pn: float, solver: str, options: dict[str, float]) -> _Answer:
        """The program over channels whose near-zero-mass rows are fixed (module docstring)."""
        import cvxpy as cp

        fp, kept, fixed = self.fp, self.kept, self.fixed
        p = fp.p[kept]
        m = fp.shape[1]
        J = cp.Variable((p.size, m), nonneg=True)
        sent = cp.sum(J, axis=0)  # the output mass of the free rows
        q = sent + fixed.sum(axis=0) if not kept.all() else sent
        # I(J) without the fixed rows' share Σ_S p_i log(1 / q_j(i)) ∈ [0, Σ_S p_i log(1/p_i)]
        objective = cp.sum(cp.rel_entr(J, p[:, None] @ cp.reshape(q, (1, m), order="C")))
        distortion = cp.sum(cp.multiply(J, fp.delta[kept])) + float((fixed * fp.delta).sum()) <= D
        cons = [cp.sum(J, axis=1) == p, distortion]
        if fp.kind != NONE and np.isfinite(Pn):
            cons += self._perception_constraints(J, sent, q, Pn)
        prob = cp.Problem(cp.Minimize(objective), cons)
        prob.solve(solver=solver, verbose=self.verbose, **options)
        joint = None
        if J.value is not None:
            joint = fixed.copy()
            joint[kept] = np.clip(np.asarray(J.value), 0.0, None)
        slope = distortion.dual_value
        slope = float(np.max(slope)) if slope is not None else float("nan")
        stats = getattr(prob, "solver_stats", None)
        return _Answer(
            value=float("nan") if prob.value is None else float(prob.value) / LN2,
            joint=joint,
            slope=max(slope, 0.0) if np.isfinite(slope) else 0.0,
            solver=solver,
            status=str(prob.status),
            iterations=int(getattr(stats, "num_iters", None) or 0),
        )

    def _perception_constraints(self, J, sent, q, Pn: float) -> list:
        """d(p, q) ≤ P written so that no near-zero source mass enters a cone."""
        import cvxpy as cp

        fp, kept, fixed = self.fp, self.kept, self.fixed
        if Pn == 0 and fp.kind in (TV, *KL_KINDS, *F_KINDS):
            # no Slater point: state the constraint q = p_X as the equality it is
            return [q == fp.p_tilde]
        if fp.kind == TV:
            return [0.5 * (cp.norm1(q - fp.p_tilde) + fp.m_out) <= Pn]
        if fp.kind in WASSERSTEIN_KINDS:
            # the fixed rows are transported along with themselves: cost Σ_S p_i c_i,j(i)
            pi = cp.Variable(J.shape, nonneg=True)
            return [
                cp.sum(pi, axis=1) == fp.p[kept],
                cp.sum(pi, axis=0) == sent,
                cp.sum(cp.multiply(pi, fp.cost[kept])) + float((fixed * fp.cost).sum()) <= Pn,
            ]
        if fp.generator is not None:  # the other f-divergences: the generator's expression
            return fdivergence.constraint(fp, q, Pn)
        mask = fp.p_tilde > 0
        on, off = np.flatnonzero(mask), np.flatnonzero(~mask)
        if fp.kind == KL_RECON_SOURCE:
            # Σ q log q − Σ q log p̃: no p̃ inside a cone (rel_entr(q, 1e-12) was
            # badly scaled enough for Clarabel to accept KL 0.41 bits at P = 0.3)
            log_p = np.log(fp.p_tilde[on])
            cons = [cp.sum(-cp.entr(q[on])) - q[on] @ log_p <= Pn]
            return cons + ([q[off] == 0] if off.size else [])
        # KL(p‖q): a fixed row sends p̃_j to its own value, q_j ≥ p̃_j, so its term
        # p̃_j log(p̃_j / q_j) ≤ 0 is left out (the constraint only gets stricter)
        big = np.flatnonzero(fp.p_tilde > MASS_FLOOR)
        return [cp.sum(cp.rel_entr(fp.p_tilde[big], q[big])) <= Pn]

    def _certify(
        self, answer: _Answer, D: float, Pn: float, elapsed: float, options: dict[str, float]
    ) -> PointSolution:
        """The certified bracket around the solver's answer (module docstring)."""
        fp = self.fp
        upper_nats, channel = certificate.repair(fp, answer.joint, D, Pn)
        answers = [answer]
        if upper_nats / LN2 - answer.value > self.tol / 8:
            # the repair was costly: the solver's channel missed D or P by more than its
            # tolerance (3e-8 on a W2 cost of 0.02 cost 2.4e-7 bits); solve once more with
            # the missed constraints tightened by 1.5 times the miss, and keep the better
            second = self._with_margin(answer, D, Pn, options)
            if second is not None:
                answers.append(second)
                upper_2, channel_2 = certificate.repair(fp, second.joint, D, Pn)
                if upper_2 < upper_nats:
                    upper_nats, channel = upper_2, channel_2
        lower = 0.0
        for each in answers:
            law = (each.joint if channel is None else channel).sum(axis=0)
            lower = max(lower, self._dual_bound(each.slope, law / law.sum(), D, Pn, upper_nats))
        lower, upper = lower / LN2, upper_nats / LN2
        diagnostics: dict[str, Any] = {
            "solver": answer.solver,
            "solver_status": answer.status,
            "solver_options": dict(options),
            "solver_value": answer.value,
            "solve_time_s": elapsed,
            "slope": answer.slope,
            "removed_mass": float(fp.p[~self.kept].sum()),
            "feasible_as_solved": certificate.is_feasible(fp, answer.joint, D, Pn),
        }
        if channel is not None:
            diagnostics["distortion"] = certificate.inner(channel, fp.delta)
            div = fp.divergence(channel.sum(axis=0))
            diagnostics["perception"] = div / LN2 if fp.kind in INFORMATION_KINDS else div
        if upper - lower > self.tol:  # a second lower bound that holds: R(D, P) ≥ R(D, ∞)
            lower = max(lower, self._shannon_lower(D))
        lower = min(lower, upper)  # both hold up to rounding: keep them ordered
        diagnostics["gap"] = upper - lower
        result_channel = None
        if channel is not None:  # on the whole source alphabet (zero rows where p_i = 0)
            x = fp.x if fp.x_all is None else fp.x_all
            result_channel = DiscreteChannel(fp.full_joint(channel), x, fp.y)
        if upper - lower <= self.tol:
            return PointSolution.bracket(
                lower, upper, status=Status.CONVERGED, channel=result_channel,
                diagnostics=diagnostics, iterations=answer.iterations,
            )  # fmt: skip
        value = min(max(answer.value, lower), upper)
        message = (
            f"{answer.solver} answered {answer.status}; its channel certifies only "
            f"[{lower:.9g}, {upper:.9g}] bits (gap {upper - lower:.2e} > tol {self.tol:g}): "
            "an estimate"
        )
        return PointSolution.bracket(
            lower, upper, status=Status.ESTIMATE, value=value, channel=result_channel,
            diagnostics=diagnostics, message=message, iterations=answer.iterations,
        )  # fmt: skip

    def _with_margin(
        self, answer: _Answer, D: float, Pn: float, options: dict[str, float]
    ) -> _Answer | None:
        """The solver's answer at D and P lowered by 1.5 times what its channel exceeded."""
        fp, joint = self.fp, answer.joint
        over_d = max(certificate.inner(joint, fp.delta) - D, 0.0)
        over_p = 0.0
        if fp.kind != NONE and np.isfinite(Pn) and Pn > 0:
            over_p = max(fp.divergence(joint.sum(axis=0) / joint.sum()) - Pn, 0.0)
        if over_d == 0 and over_p == 0:
            return None
        try:
            second = self._solve(D - 1.5 * over_d, Pn - 1.5 * over_p, answer.solver, options)
        except Exception:  # cvxpy raises SolverError and others: keep the first answer
            return None
        ok = second.joint is not None and second.status in ("optimal", "optimal_inaccurate")
        return second if ok else None

    def _dual_bound(
        self, slope: float, law: NDArray, D: float, Pn: float, upper_nats: float
    ) -> float:
        """The Lagrangian lower bound (nats) at the solver's slope, tightened over the slope.

        At slope s the weights are those whose Blahut–Arimoto channel has the solver's
        output law (``certificate.matching_weights``). The solver's multiplier is only
        as accurate as its tolerances, and the bound loses to first order in that
        error through the support function of the ball (1.5e-6 bits on a 3-symbol TV
        problem); when the gap exceeds half of ``tol`` the bound is maximised over
        s e^t, |t| ≤ 0.25. Every evaluated (s, v) gives a valid bound; the best is kept.
        """
        from scipy.optimize import minimize_scalar

        fp = self.fp

        def bound(s: float) -> float:
            return certificate.lagrangian_lower_bound(
                fp, s, certificate.matching_weights(fp, s, law), D, Pn
            )

        best = bound(slope)
        if slope > 0 and upper_nats - best > 0.5 * self.tol * LN2:
            found = minimize_scalar(
                lambda t: -bound(slope * np.exp(t)),
                bounds=(-0.25, 0.25),
                method="bounded",
                options={"xatol": 1e-8},
            )
            best = max(best, -float(found.fun))
        return best

    def _shannon_lower(self, D: float) -> float:
        """A certified lower bound on R(D, ∞) ≤ R(D, P) in bits, from the default method."""
        from rdp.problem import Problem

        plain = Problem(
            self.problem.source,
            self.problem.distortion_measure,
            "none",
            reconstruction_alphabet=self.problem.reconstruction_alphabet,
        )
        shannon = plain.method("auto").rate_point(D, plain.bound(float("inf")))
        return max(float(shannon.lower), 0.0) if shannon.feasible else 0.0


@dataclasses.dataclass(frozen=True)
class _Answer:
    """What a conic solver said: its value (bits), joint (on the full source), slope, status."""

    value: float
    joint: NDArray | None
    slope: float
    solver: str
    status: str
    iterations: int


def convex_program(problem, **options: Any) -> ConvexProgram:
    """Factory registered as ``method="cvxpy"``; options: ``solvers``, ``tol``, ``verbose``,
    ``max_memory`` (GB, see ``rdp.solvers.memory``: checked before the program is built)."""
    from rdp.solvers.memory import check_memory

    allowed = {"solvers", "tol", "verbose", "max_memory"}
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"cvxpy method options are {sorted(allowed)}; got {sorted(unknown)}")
    check_memory(problem, "cvxpy", options.pop("max_memory", None))
    return ConvexProgram(problem, **options)
