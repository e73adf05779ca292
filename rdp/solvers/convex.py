r"""``method="cvxpy"``: the exact convex program for R(D, P) on finite alphabets.

.. math::
    R(D, P) = \min_{J \ge 0} \sum_{i,j} J_{ij} \log \frac{J_{ij}}{p_i q_j}
    \quad\text{s.t.}\quad J\mathbf 1 = p,\; q = J^\top \mathbf 1,\;
    \langle J, \Delta\rangle \le D,\; d(p, q) \le P,

with :math:`d` = TV (½‖q − p̃‖₁ + ½ m_out), a Wasserstein cost through a coupling
π ≥ 0 with marginals p, q and ⟨π, c⟩ ≤ P, or a KL divergence (``rel_entr``).
The objective is jointly convex (``cvxpy.rel_entr`` with an affine second
argument). Solved with Clarabel, then SCS when Clarabel does not return
``optimal``.

Honesty: a point is reported with ``lower = upper = value`` only when the
solver says ``optimal``; an ``optimal_inaccurate`` answer is returned with
``diagnostics["flagged"] = True`` and the trivial bounds ``[0, inf]``; any
other status raises :class:`SolverFailure`. Infeasibility is decided from the
exact D_min(P) (an LP), not from the solver.

Reference: Blau & Michaeli, "Rethinking Lossy Compression: The
Rate-Distortion-Perception Tradeoff", ICML 2019, Eq. (3).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from rdp.channels import DiscreteChannel
from rdp.perceptions import (
    KL_KINDS,
    NONE,
    TV,
    WASSERSTEIN_KINDS,
    PerceptionBound,
    as_bound,
)
from rdp.result import PointSolution
from rdp.solvers import finite
from rdp.units import LN2

REFERENCE = (
    "Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception Tradeoff, "
    "ICML 2019, Eq. (3), solved as a convex program (cvxpy, Clarabel / SCS)"
)


class SolverFailure(RuntimeError):
    """The convex solver did not return a usable answer."""


class ConvexProgram:
    """The cvxpy reference method for a finite problem.

    Parameters
    ----------
    problem : Problem
        A problem with a :class:`~rdp.sources.Discrete` or Bernoulli source.
    solvers : sequence of str
        cvxpy solver names tried in order (default Clarabel, then SCS).
    verbose : bool
        Print the solver log.
    """

    name = "cvxpy"
    reference = REFERENCE

    def __init__(
        self, problem, solvers: tuple[str, ...] = ("CLARABEL", "SCS"), verbose: bool = False
    ):
        self.fp = finite.build(problem)
        self.problem = problem
        self.solvers = tuple(solvers)
        self.verbose = verbose

    def bound(self, P: PerceptionBound | float) -> PerceptionBound:
        """``P`` as this problem's :class:`~rdp.perceptions.PerceptionBound` (a float: bits)."""
        return as_bound(P, self.fp.kind)

    def min_distortion(self, P: PerceptionBound | float) -> float:
        """D_min(P) (exact LP for TV/W; a convex program for KL)."""
        return finite.min_distortion(self.fp, self.bound(P).value)

    def zero_rate_distortion(self, P: PerceptionBound | float) -> float:
        """D_max(P) = min over q in the perception ball of Σ_j q_j Σ_i p_i Δ_ij."""
        return finite.zero_rate_law(self.fp, self.bound(P).value)[0]

    def rate_point(self, D: float, P: PerceptionBound | float, warm: Any = None) -> PointSolution:
        """Solve the convex program at (D, P); rate in bits (``warm`` is not used)."""
        fp = self.fp
        Pn = self.bound(P).value
        d_min = finite.min_distortion(fp, Pn)
        if D < d_min * (1 - finite.CHECK_RTOL) - 1e-15:
            return PointSolution.infeasible(
                "D < D_min(P)", min_distortion=d_min, reason="D < D_min(P)"
            )
        statuses = []
        for solver in self.solvers:
            start = time.perf_counter()
            try:
                value, joint, status, iterations = self._solve(D, Pn, solver)
            except Exception as err:  # cvxpy raises SolverError and others
                statuses.append(f"{solver}: error ({type(err).__name__}: {err})")
                continue
            elapsed = time.perf_counter() - start
            statuses.append(f"{solver}: {status}")
            if status == "optimal":
                return self._solution(
                    value, joint, solver, status, elapsed, iterations, flagged=False
                )
            if status == "optimal_inaccurate" and solver == self.solvers[-1]:
                return self._solution(
                    value, joint, solver, status, elapsed, iterations, flagged=True
                )
        raise SolverFailure(f"cvxpy could not solve R(D={D}, P={P}): " + "; ".join(statuses))

    # ------------------------------------------------------------------ internals
    def _solve(self, D: float, Pn: float, solver: str) -> tuple[float, np.ndarray, str, int]:
        import cvxpy as cp

        fp = self.fp
        n, m = fp.shape
        J = cp.Variable((n, m), nonneg=True)
        q = cp.sum(J, axis=0)
        objective = cp.sum(cp.rel_entr(J, fp.p[:, None] @ cp.reshape(q, (1, m), order="C")))
        cons = [cp.sum(J, axis=1) == fp.p, cp.sum(cp.multiply(J, fp.delta)) <= D]
        if fp.kind != NONE and np.isfinite(Pn):
            if Pn == 0 and fp.kind in (TV, *KL_KINDS):
                # no Slater point: state the constraint q = p_X as the equality it is
                cons.append(q == fp.p_tilde)
            elif fp.kind == TV:
                cons.append(0.5 * (cp.norm1(q - fp.p_tilde) + fp.m_out) <= Pn)
            elif fp.kind in WASSERSTEIN_KINDS:
                pi = cp.Variable((n, m), nonneg=True)
                cons += [
                    cp.sum(pi, axis=1) == fp.p,
                    cp.sum(pi, axis=0) == q,
                    cp.sum(cp.multiply(pi, fp.cost)) <= Pn,
                ]
            else:
                cons += finite._kl_constraints(fp, q, Pn)
        prob = cp.Problem(cp.Minimize(objective), cons)
        prob.solve(solver=solver, verbose=self.verbose)
        joint = None if J.value is None else np.clip(np.asarray(J.value), 0.0, None)
        value = float("nan") if prob.value is None else float(prob.value) / LN2
        stats = getattr(prob, "solver_stats", None)
        iterations = int(getattr(stats, "num_iters", None) or 0)
        return value, joint, str(prob.status), iterations

    def _solution(
        self,
        value: float,
        joint: np.ndarray | None,
        solver: str,
        status: str,
        elapsed: float,
        iterations: int,
        *,
        flagged: bool,
    ) -> PointSolution:
        fp = self.fp
        diagnostics: dict[str, Any] = {
            "solver": solver,
            "status": status,
            "solve_time_s": elapsed,
            "flagged": flagged,
        }
        channel = None
        if joint is not None:
            diagnostics["distortion"] = float((joint * fp.delta).sum())
            q = joint.sum(axis=0)
            div = fp.divergence(q)
            diagnostics["perception"] = div / LN2 if fp.kind in KL_KINDS else div
            diagnostics["row_sum_error"] = float(np.abs(joint.sum(axis=1) - fp.p).max())
            channel = DiscreteChannel(joint, fp.x, fp.y)
        value = max(value, 0.0)
        if flagged:
            return PointSolution(
                value, 0.0, float("inf"), True, channel, diagnostics, status="inaccurate",
                message=f"{solver} returned optimal_inaccurate: no certificate, bounds [0, inf]",
                iterations=iterations,
            )  # fmt: skip
        return PointSolution(
            value, value, value, True, channel, diagnostics, status="converged",
            iterations=iterations,
        )  # fmt: skip


def convex_program(problem, **options: Any) -> ConvexProgram:
    """Factory registered as ``method="cvxpy"``; options: ``solvers``, ``verbose``."""
    allowed = {"solvers", "verbose"}
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"cvxpy method options are {sorted(allowed)}; got {sorted(unknown)}")
    return ConvexProgram(problem, **options)
