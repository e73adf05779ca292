r"""The ball step of the fast solver: the mirror step on the output law inside B_P.

After the slope step, the iteration moves the output law q = v ⊙ h towards the
Blahut–Arimoto target q ⊙ h and keeps it in the perception ball B_P; the weights follow
as v⁺ = q⁺ / h (``docs/solver.md``, "Perception step"). Which step applies is decided
once per point, from the problem's perception and P, by
[`ball_step`][rdp.solvers.fast.ball.ball_step]; every step has the same interface,
``step(ba, h, iteration, inside_run) -> target``, plus ``adapt(inner_gap)`` and
``tidy()`` at each certificate check:

- ``FreeStep`` (no constraint, P = ∞): the Blahut–Arimoto step itself;
- ``FixedLaw`` (KL at P = 0): q stays p_X (a Sinkhorn step);
- ``KLStep``: the KL projection onto the ball — a geometric tilt for KL(p_X̂‖p_X)
  (``project_kl_rs``), a Lambert-W form for KL(p_X‖p_X̂) (``project_kl_sr``);
- ``FDivergenceStep`` (squared Hellinger, JS, χ², a user's f): the KL projection onto
  the f-divergence ball by Newton steps on its two multipliers
  (``rdp.solvers.fast.fball``);
- ``TransportStep`` (TV, W): the BA step where it stays in the ball, else a step on a
  transport plan (``rdp.solvers.fast.plans``) with an over-relaxed step η ∈ [1, 256]
  that grows while the fixed-slope gap falls (the unrolled plan is an entropic plan whose
  regularisation 1/Σμ falls η times faster than with η = 1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.special import lambertw, rel_entr

from rdp.perceptions import F_KINDS, KL_KINDS, KL_RECON_SOURCE, NONE, TV, WASSERSTEIN_KINDS
from rdp.solvers.fast.context import Context
from rdp.solvers.fast.fball import FBallProjection
from rdp.solvers.fast.gibbs import GibbsPlan
from rdp.solvers.fast.plans import BinaryPlan, DensePlan, DiagonalPlan, initial_plan
from rdp.solvers.fdivergence import ball_law

#: Initial and largest mirror step η of the transport-plan update π⁺ ∝ π ⊙ h^η e^{−μc};
#: after this many falls of the gap in a row the ceiling of η doubles.
PLAN_STEP = 8.0
PLAN_STEP_MAX = 256.0
CEILING_RECOVERY = 6
#: Least η for a Wasserstein ball between points of R^d (d ≥ 2). There a
#: rise of the gap that cut η to 1 left the plan step crawling: on 2-D Gaussian grids
#: (MSE, W₂²) the gap stalled at 1.04e-6 bits (24 × 24, D = 0.5: 2,700 iterations) and
#: 6.9e-6 (16 × 16, 12,500 iterations in 240 s); with η ≥ 64 they closed to 1e-6 in 660
#: and 1,900 iterations, and 32 × 32 in 1,200. A floor of 64 oscillated on other grids
#: (8 × 8 of N(0, I), 4 × 4 × 4 of diag(1, 1/2, 1/4): 100,000 iterations); 16 closes
#: all of these (16 × 16 at the benchmark point in 3,900 iterations, 24 × 24 in 1,300,
#: 32 × 32 in 1,800, the 3-D grid in 20).
PLAN_STEP_FLOOR_OFF_LINE = 16.0


class FreeStep:
    """No perception constraint (or P = ∞): the Blahut–Arimoto step, v⁺ = q ⊙ h / h."""

    eta = PLAN_STEP

    def step(self, ba: NDArray, h: NDArray, iteration: int, inside_run: int) -> NDArray:
        return ba

    def adapt(self, inner_gap: float) -> None:
        pass

    def tidy(self) -> None:
        pass


class FixedLaw(FreeStep):
    """P = 0 with one law of perception 0 (KL, f-divergences; W off the line): the output
    law stays that law (a Sinkhorn step)."""

    def __init__(self, law: NDArray) -> None:
        self.law = law

    def step(self, ba: NDArray, h: NDArray, iteration: int, inside_run: int) -> NDArray:
        return self.law


class KLStep(FreeStep):
    """A KL ball: the KL projection of the Blahut–Arimoto target onto B_P."""

    def __init__(
        self, project: Callable[[NDArray, NDArray, float], NDArray], p_tilde: NDArray, Pn: float
    ) -> None:
        self.project, self.p_tilde, self.Pn = project, p_tilde, Pn

    def step(self, ba: NDArray, h: NDArray, iteration: int, inside_run: int) -> NDArray:
        return self.project(ba, self.p_tilde, self.Pn)


class FDivergenceStep(FreeStep):
    """An f-divergence ball: the KL projection of the Blahut–Arimoto target onto B_P.

    The projection keeps its multipliers between iterations (``FBallProjection``).
    """

    def __init__(self, ctx: Context, Pn: float) -> None:
        fp = ctx.fp
        self.fp = fp
        self.project = FBallProjection(fp.generator, fp.p_tilde, fp.m_out)
        self.Pn = Pn
        # f'(0) finite: the optimum may leave symbols unused (``dual_weights``)
        with np.errstate(all="ignore"):
            self.sparse = bool(np.isfinite(fp.generator.derivative(np.array([0.0]))[0]))

    def step(self, ba: NDArray, h: NDArray, iteration: int, inside_run: int) -> NDArray:
        return self.project(ba, self.Pn)

    def dual_weights(self, h: NDArray) -> NDArray | None:
        r"""Weights $v = q / h$ of the law q of the ball maximising $\langle \log h, q\rangle$.

        $q_j = \tilde p_j t^*((\log h_j - \nu)/\lambda)$ with λ such that $D_f(q) = P$,
        found from the ball step's multiplier μ (``FBallProjection``;
        ``rdp.solvers.fdivergence.ball_law``): it attains $\sigma_{B_P}(\log h)$, the
        support function of the lower bound, and at the optimum it is the optimal output
        law. Unlike the multiplicative iterate, q puts exactly no mass where
        $\log h_j - \nu < \lambda f'(0)$: a generator with finite $f'(0)$ (Pearson's
        χ²(p_X̂‖p_X)) leaves symbols of the source's tails unused at the optimum, which the
        iterate reaches only geometrically, at a rate that tends to 1 at the edge of the
        optimal support. None for a generator with $f'(0) = -\infty$ (the optimum uses
        every symbol of the source's support), before the ball step has projected, where
        some h_j is not positive, or where no law inside the ball is found.
        """
        if not self.sparse or self.project.y is None:
            return None
        if not (np.isfinite(h).all() and (h > 0).all()):
            return None
        fp = self.fp
        g = np.log(h)
        law = ball_law(g - g.max(), fp.generator, fp.p_tilde, fp.m_out, self.Pn, self.project.mu)
        if law is None:
            return None
        v = law / h
        return v / v.sum()


class TransportStep:
    """A TV or Wasserstein ball: the BA step where it stays inside, else a plan step.

    An exact W evaluation costs a sort (on the line) or a network-simplex solve (any
    other ground cost): after a step that left the ball, the BA step is tested again
    once per check period (``inside_run``); TV, whose value costs O(N + M), tests it
    every iteration. The step size η of the plan update grows while the
    fixed-slope gap falls; a rise shrinks it and lowers its ceiling, so the step
    settles below the size that oscillates (for a Wasserstein ball off the line never
    below ``PLAN_STEP_FLOOR_OFF_LINE``).
    """

    def __init__(self, ctx: Context, plan, Pn: float, check_every: int) -> None:
        self.fp, self.plan, self.Pn, self.check_every = ctx.fp, plan, Pn, check_every
        self.cheap_div = ctx.fp.kind == TV
        self.mu = 0.0
        # points of R^d only: an explicit ground cost on a few labels keeps the schedule
        # (a 3-symbol W₁ cost matrix hit the iteration limit with the floor)
        self.floor = PLAN_STEP_FLOOR_OFF_LINE if points_ball(ctx.fp) else 1.0
        self.eta, self.ceiling = max(PLAN_STEP, self.floor), PLAN_STEP_MAX
        self.merit, self.streak = None, 0
        self.gibbs = isinstance(plan, GibbsPlan)

    def step(self, ba: NDArray, h: NDArray, iteration: int, inside_run: int) -> NDArray:
        if self.gibbs and iteration <= 2:
            # between points the first test waits for the first plan step, whose
            # potentials decide most tests without a network-simplex solve
            test = iteration == 2
        else:
            test = inside_run > 1 or (iteration - 1) % self.check_every == 0 or self.cheap_div
        if test and not self._surely_outside(ba) and self.fp.divergence(ba / ba.sum()) <= self.Pn:
            return ba  # the Blahut-Arimoto step stays inside the ball
        self.plan, self.mu = self.plan.step(h, self.Pn, self.mu, self.eta)
        return self.plan.column_sums()

    def _surely_outside(self, ba: NDArray) -> bool:
        """Whether the BA target is taken to leave the ball without a transport solve (an
        exact W evaluation is a network simplex off the line): a Gibbs plan's dual
        potentials show d(p_X, ba) > P (``GibbsPlan.lower_bound``), or they do not decide
        and the last plan step met its budget with μ > 0 (the ball binds)."""
        if not self.gibbs:
            return False
        return self.mu > 0 or self.plan.lower_bound(ba / ba.sum()) > self.Pn * (1 + 1e-9)

    def adapt(self, inner_gap: float) -> None:
        """The plan step η after a certificate check that measured ``inner_gap``."""
        if self.merit is not None:
            if inner_gap < self.merit:
                self.eta, self.streak = min(2 * self.eta, self.ceiling), self.streak + 1
                if self.streak % CEILING_RECOVERY == 0:  # a long calm run lifts the ceiling
                    self.ceiling = min(2 * self.ceiling, PLAN_STEP_MAX)
            else:
                self.ceiling, self.streak = max(self.eta / 2, self.floor), 0
                self.eta = max(self.eta / 4, self.floor)
        self.merit = inner_gap

    def tidy(self) -> None:
        """A dense plan on a band once it concentrates; a band re-centred on its mass."""
        self.plan = self.plan.tidy()

    def witness(self) -> NDArray | None:
        """The dense plan, for a Wasserstein ball off the line (general ground cost), once
        a plan step has been taken; else None. The certificate may use it as the witness
        of the perception constraint (``certificate.repair_by_plan``)."""
        fp = self.fp
        if isinstance(self.plan, GibbsPlan):  # a coupling with rows p_X after any step
            return self.plan.pi
        if fp.kind not in WASSERSTEIN_KINDS or fp.line is not None or self.mu == 0.0:
            return None
        return getattr(self.plan, "pi", None)


class LazyPlan:
    """A plan formed at its first step: a point whose Newton phase starts at once (fine
    grids of the line) and certifies before any plan step keeps the dense initial plan
    and the squared cost (two N × M arrays) out of memory."""

    def __init__(self, build: Callable[[], object]) -> None:
        self.build = build

    def step(self, h: NDArray, Pn: float, mu: float, eta: float):
        return self.build().step(h, Pn, mu, eta)

    def column_sums(self) -> NDArray:
        return self.build().column_sums()

    def tidy(self):
        return self


def points_ball(fp) -> bool:
    """A Wasserstein ball between points of R^d (d ≥ 2), not an explicit cost on labels."""
    return fp.kind in WASSERSTEIN_KINDS and fp.line is None and fp.x.ndim == 2


def ball_step(ctx: Context, Pn: float, anchor: NDArray, check_every: int):
    """The ball step of one point of ``ctx``'s problem at the perception bound ``Pn``.

    ``anchor`` is the law of least perception (the source law on the reconstruction
    alphabet). The transport cost's layout (the TV matching; whether it is 0/1) is
    computed once per problem.
    """
    fp = ctx.fp
    if fp.kind == NONE or not np.isfinite(Pn):
        return FreeStep()
    if Pn == 0 and fp.kind in (*KL_KINDS, *F_KINDS):
        return FixedLaw(anchor)
    # W at P = 0 off the line with one zero-cost column per row: the ball is one law, kept
    # exactly (a transport plan would reach zero cost only as its multiplier grows without
    # bound)
    law = fp.exact_law(Pn) if fp.kind in WASSERSTEIN_KINDS and fp.line is None else None
    if law is not None:
        return FixedLaw(law)
    if fp.generator is not None:
        return FDivergenceStep(ctx, Pn)
    if fp.kind in KL_KINDS:
        project = project_kl_rs if fp.kind == KL_RECON_SOURCE else project_kl_sr
        return KLStep(project, fp.p_tilde, Pn)
    # a transport ball (TRANSPORT_KINDS: TV and W)
    if fp.kind == TV and fp.m_out == 0:  # TV on a common alphabet: an O(N + M) plan
        layout = ctx.once("diagonal", lambda: DiagonalPlan.layout(fp.cost))
        plan = DiagonalPlan.initial(fp, Pn, layout)
    elif ctx.once("binary", lambda: bool(np.isin(fp.cost, (0.0, 1.0)).all())):
        plan = BinaryPlan(initial_plan(fp, Pn), fp.cost)
    elif points_ball(fp) and Pn > 0:  # points of R^d: the plan in Gibbs form
        plan = GibbsPlan(fp.p, fp.cost, ctx.cost2)
    else:
        plan = LazyPlan(lambda: DensePlan(initial_plan(fp, Pn), ctx.cost, ctx.cost2, ctx.banded))
    return TransportStep(ctx, plan, Pn, check_every)


def project_kl_rs(a: NDArray, p_tilde: NDArray, Pn: float) -> NDArray:
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


def project_kl_sr(a: NDArray, p_tilde: NDArray, Pn: float) -> NDArray:
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
