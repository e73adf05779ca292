r"""``method="cvxpy"``: the exact convex program for R(D, P) on finite alphabets.

$$
R(D, P) = \min_{J \ge 0} \sum_{i,j} J_{ij} \log \frac{J_{ij}}{p_i q_j}
\quad\text{s.t.}\quad J\mathbf 1 = p,\; q = J^\top \mathbf 1,\;
\langle J, \Delta\rangle \le D,\; d(p, q) \le P,
$$

with $d$ = TV (½‖q − p̃‖₁ + ½ m_out), a Wasserstein cost through a coupling
π ≥ 0 with marginals p, q and ⟨π, c⟩ ≤ P, or a KL divergence (``rel_entr``).
The objective is jointly convex (``cvxpy.rel_entr`` with an affine second
argument). Solved with Clarabel, then SCS when Clarabel does not return
``optimal`` (Clarabel at tolerances 1e-9 first, then at its defaults: see
``CLARABEL_TIGHT`` for what was measured).

Honesty: a point is reported with ``lower = upper = value`` and status
``'converged'`` only when an interior-point solver with an optimality
certificate (Clarabel, ``CERTIFYING_SOLVERS``) says ``optimal``. An answer
from a first-order solver (SCS, whose ``optimal`` means its residuals fell
below its tolerance; a 48-symbol MSE/TV problem at P = 0.05 came out 5e-4 bits
high) or any ``optimal_inaccurate`` answer is an *estimate*: status
``'estimate'``, ``diagnostics["flagged"] = True``, ``diagnostics["solver"]``
naming the solver that answered, its value in ``diagnostics["solver_value"]``
(the reported value is that estimate clipped into the bounds) and bounds that
hold whatever its accuracy:

- ``upper``: the mutual information of the solver's channel after repairing it
  into an exactly feasible one (rows renormalised, then mixed with the
  least-distortion, zero-perception map when one exists); ``inf`` when no
  repair is certified;
- ``lower``: the certified lower bound on R(D, ∞) (no perception constraint,
  which can only lower the rate) from the default method.

Any other status raises ``SolverFailure``. Infeasibility is decided from
the exact D_min(P) (an LP), not from the solver.

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
from rdp.status import Status
from rdp.units import LN2

REFERENCE = (
    "Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception Tradeoff, "
    "ICML 2019, Eq. (3), solved as a convex program (cvxpy, Clarabel / SCS)"
)


#: Solvers whose 'optimal' status carries an optimality certificate (interior-point methods).
CERTIFYING_SOLVERS = frozenset({"CLARABEL", "ECOS", "MOSEK"})

#: Clarabel's tolerances, tried before its defaults (1e-8). At its defaults its 'optimal'
#: values were 5e-8 to 3e-7 bits below the certified optimum on ``Gaussian().discretize(32)``
#: (MSE with TV, W1, W2) and up to 3.4e-6 bits on random 20-symbol W1 problems; at 1e-9 they
#: were within 2e-8 bits at about the same time, while 1e-10 ends 'optimal_inaccurate'.
CLARABEL_TIGHT = {"tol_gap_abs": 1e-9, "tol_gap_rel": 1e-9, "tol_feas": 1e-9}


class SolverFailure(RuntimeError):
    """The convex solver did not return a usable answer."""


class ConvexProgram:
    """The cvxpy reference method for a finite problem.

    Parameters
    ----------
    problem : Problem
        A problem with a [`Discrete`][rdp.sources.Discrete] or Bernoulli source.
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
        """``P`` as this problem's ``PerceptionBound`` (a float: bits)."""
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
                diagnostics={"min_distortion": d_min, "reason": "D < D_min(P)"}
            )
        statuses = []
        # Clarabel first at tight tolerances, then at its defaults; then the next solver
        attempts = [
            (solver, options)
            for solver in self.solvers
            for options in ((CLARABEL_TIGHT, {}) if solver.upper() == "CLARABEL" else ({},))
        ]
        for k, (solver, options) in enumerate(attempts):
            label = f"{solver} (tolerances 1e-9)" if options else solver
            start = time.perf_counter()
            try:
                value, joint, status, iterations = self._solve(D, Pn, solver, options)
            except Exception as err:  # cvxpy raises SolverError and others
                statuses.append(f"{label}: error ({type(err).__name__}: {err})")
                continue
            elapsed = time.perf_counter() - start
            statuses.append(f"{label}: {status}")
            certified = status == "optimal" and solver.upper() in CERTIFYING_SOLVERS
            last = k == len(attempts) - 1
            if status == "optimal" or (status == "optimal_inaccurate" and last):
                point = self._solution(
                    value, joint, solver, status, elapsed, iterations, D, Pn,
                    flagged=not certified,
                )  # fmt: skip
                point.diagnostics["solver_options"] = dict(options)
                return point
        raise SolverFailure(f"cvxpy could not solve R(D={D}, P={P}): " + "; ".join(statuses))

    # ------------------------------------------------------------------ internals
    def _solve(
        self, D: float, Pn: float, solver: str, options: dict[str, float]
    ) -> tuple[float, np.ndarray, str, int]:
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
        prob.solve(solver=solver, verbose=self.verbose, **options)
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
        D: float,
        Pn: float,
        *,
        flagged: bool,
    ) -> PointSolution:
        fp = self.fp
        diagnostics: dict[str, Any] = {
            "solver": solver,
            "solver_status": status,
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
            lower, upper = self._honest_bounds(joint, D, Pn)
            diagnostics["note"] = (
                f"{solver} answered ({status}) without an optimality certificate: the value is "
                "an estimate; lower is a certified bound on R(D, inf), upper the rate of a "
                "repaired exactly feasible channel"
            )
            diagnostics["solver_value"] = value
            value = min(max(value, lower), upper)  # the estimate, inside the bounds that hold
            return PointSolution.bracket(
                lower, upper, status=Status.ESTIMATE, value=value, channel=channel,
                diagnostics=diagnostics,
                message=f"{solver} answered {status} without a certificate: an estimate "
                f"within [{lower:.6g}, {upper:.6g}] bits",
                iterations=iterations,
            )  # fmt: skip
        return PointSolution.bracket(
            value, value, status=Status.CONVERGED, channel=channel, diagnostics=diagnostics,
            iterations=iterations,
        )  # fmt: skip

    def _honest_bounds(self, joint: np.ndarray | None, D: float, Pn: float) -> tuple[float, float]:
        """Certified (lower, upper) in bits around an uncertified solver answer."""
        from rdp.problem import Problem

        plain = Problem(
            self.problem.source,
            self.problem.distortion_measure,
            "none",
            reconstruction_alphabet=self.problem.reconstruction_alphabet,
        )
        shannon = plain.method("auto").rate_point(D, plain.bound(float("inf")))
        lower = max(float(shannon.lower), 0.0) if shannon.feasible else 0.0
        repaired = None if joint is None else repair_joint(self.fp, joint, D, Pn)
        if repaired is None:
            return lower, float("inf")
        upper = finite.mutual_information_nats(repaired) / LN2
        return min(lower, upper), upper


def repair_joint(fp: finite.FiniteProblem, joint: np.ndarray, D: float, Pn: float):
    """An exactly feasible joint near ``joint`` (rows = p, distortion ≤ D, perception ≤ P).

    Rows are rescaled to the source pmf; if a constraint is still violated the
    joint is mixed with the least-distortion map x_i → y_j(i) of zero perception
    (``rdp.solvers.finite.identity_dominant``), which meets both constraints
    whenever D ≥ D_min: distortion is linear and every perception measure is
    convex in the joint, so the mixture with weight t meets them for t large
    enough. Returns ``None`` when no certified repair is found.
    """
    rows = joint.sum(axis=1)
    if (rows <= 0).any():
        return None
    fixed = joint * (fp.p / rows)[:, None]

    def feasible(j: np.ndarray) -> bool:
        if np.abs(j.sum(axis=1) - fp.p).max() > 1e-12 or (j < 0).any():
            return False
        if float((j * fp.delta).sum()) > D * (1 + finite.CHECK_RTOL) + 1e-15:
            return False
        if fp.kind == NONE or not np.isfinite(Pn):
            return True
        return fp.divergence(j.sum(axis=0)) <= Pn * (1 + finite.CHECK_RTOL) + 1e-15

    if feasible(fixed):
        return fixed
    target = finite.identity_dominant(fp)
    if target is None:
        return None
    anchor = np.zeros_like(fixed)
    anchor[np.arange(fp.p.size), target] = fp.p
    if not feasible(anchor):
        return None
    lo, hi = 0.0, 1.0  # bisection on the mixing weight: feasible at hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if feasible((1 - mid) * fixed + mid * anchor):
            hi = mid
        else:
            lo = mid
    return (1 - hi) * fixed + hi * anchor


def convex_program(problem, **options: Any) -> ConvexProgram:
    """Factory registered as ``method="cvxpy"``; options: ``solvers``, ``verbose``,
    ``max_memory`` (GB, see ``rdp.solvers.memory``: checked before the program is built)."""
    from rdp.solvers.memory import check_memory

    allowed = {"solvers", "verbose", "max_memory"}
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"cvxpy method options are {sorted(allowed)}; got {sorted(unknown)}")
    check_memory(problem, "cvxpy", options.pop("max_memory", None))
    return ConvexProgram(problem, **options)
