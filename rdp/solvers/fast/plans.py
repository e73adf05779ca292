r"""Transport plans of the fast solver's ball step for TV and Wasserstein balls.

For a transport ball (TV being the transport cost with c = 1[x ≠ x̂]) the mirror step
is taken on a transport plan π from p_X to the output law q (rows p_X, cost
⟨π, c⟩ ≤ P): π⁺ ∝ π ⊙ h^η e^{−μc} with the least μ ≥ 0 meeting the budget
(``transport_step``), and q⁺ = π⁺ᵀ1. Four forms of the plan take the step, all with
``step(h, P, mu, eta) -> (plan, mu)``, ``column_sums()`` and ``tidy()`` (called at
each certificate check):

- [`DensePlan`][rdp.solvers.fast.plans.DensePlan]: an N × M plan; on sorted alphabets
  of the line it becomes a band once it concentrates;
- [`BandPlan`][rdp.solvers.fast.plans.BandPlan]: a window of columns per row, O(N·w);
- [`DiagonalPlan`][rdp.solvers.fast.plans.DiagonalPlan]: TV on a common alphabet,
  O(N + M) per step;
- [`BinaryPlan`][rdp.solvers.fast.plans.BinaryPlan]: any other 0/1 cost, where only
  the share of mass on zero-cost entries depends on μ.

Only the iteration uses the plans; the certificate never reads them
(``docs/solver.md``, "Perception step").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from rdp.solvers import finite


def initial_plan(fp: finite.FiniteProblem, Pn: float) -> NDArray:
    """A plan with rows p: mostly the least-cost map, spread a little where the budget allows."""
    n, m = fp.shape
    cost = fp.cost  # formed at each use for the line's default cost: read once
    j = np.argmin(cost, axis=1)
    base = np.zeros((n, m))
    base[np.arange(n), j] = fp.p
    base_cost = float((base * cost).sum())
    spread = fp.p[:, None] * np.full((n, m), 1.0 / m)
    spread_cost = float((spread * cost).sum())
    if spread_cost <= base_cost or Pn <= base_cost:
        return base + 1e-300
    eps = min(0.5, 0.5 * (Pn - base_cost) / (spread_cost - base_cost))
    return (1 - eps) * base + eps * spread


def transport_step(
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
    With ``cols`` the plan is a band (``BandPlan``): entry (i, k) of ``pi``,
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
    return budget_step(log_base, rows, cost, cost2, Pn, mu0)


def budget_step(
    log_base: NDArray, rows: NDArray, cost: NDArray, cost2: NDArray, Pn: float, mu0: float
) -> tuple[NDArray, float]:
    """The plan with rows ``rows`` ∝ exp(log_base − μc) per row and the least μ ≥ 0 with
    ⟨π, c⟩ ≤ P (``transport_step`` after its logarithms; ``cost2`` is c²)."""

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


class BandPlan:
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
    def window(cls, dense: NDArray, start: NDArray, width: int, cost, cost2) -> BandPlan:
        r = np.arange(dense.shape[0])[:, None]
        cols = start[:, None] + np.arange(width)[None, :]
        return cls(dense[r, cols], start, cost, cost2)

    @classmethod
    def from_dense(cls, pi: NDArray, cost: NDArray, cost2: NDArray) -> BandPlan | None:
        """The band holding every entry above THRESHOLD of its row's largest, if narrow."""
        start, width = _band_limits(pi, 0, pi.shape[1])
        if width > pi.shape[1] // 4:
            return None
        return cls.window(pi, start, width, cost, cost2)

    def tidy(self) -> BandPlan:
        """``recentre`` (at every certificate check)."""
        return self.recentre()

    def recentre(self) -> BandPlan:
        """The same plan on windows fitted around its entries above THRESHOLD."""
        start, width = _band_limits(self.vals, self.start, self.m)
        n, w_old = self.vals.shape
        cols = start[:, None] + np.arange(width)[None, :]
        idx = cols - self.start[:, None]
        inside = (idx >= 0) & (idx < w_old)
        old = self.vals[np.arange(n)[:, None], np.clip(idx, 0, w_old - 1)]
        floor = self.THRESHOLD * self.vals.max(axis=1, keepdims=True)
        vals = np.where(inside, old, floor)
        return BandPlan(vals, start, self._full_cost, self._full_cost2)

    def step(self, h: NDArray, Pn: float, mu0: float, eta: float) -> tuple[BandPlan, float]:
        vals, mu = transport_step(self.vals, h, self.cost, Pn, mu0, eta, self.cost2, cols=self.cols)
        out = object.__new__(BandPlan)
        out.__dict__.update(self.__dict__)
        out.vals = vals
        return out, mu

    def column_sums(self) -> NDArray:
        return np.bincount(self.cols.ravel(), weights=self.vals.ravel(), minlength=self.m)


def _band_limits(vals: NDArray, offset, m: int) -> tuple[NDArray, int]:
    """Window starts and common width around each row's entries above the band threshold."""
    big = vals > BandPlan.THRESHOLD * vals.max(axis=1, keepdims=True)
    w = vals.shape[1]
    first = np.argmax(big, axis=1) + offset
    last = w - 1 - np.argmax(big[:, ::-1], axis=1) + offset
    lo = np.maximum(first - BandPlan.MARGIN, 0)
    hi = np.minimum(last + BandPlan.MARGIN, m - 1)
    width = int(min((hi - lo + 1).max(), m))
    return np.minimum(lo, m - width), width


class DiagonalPlan:
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
    ) -> DiagonalPlan:
        """``initial_plan`` in this form, without the dense matrix.

        ``layout`` is ``DiagonalPlan.layout(fp.cost)``, computed once per problem.
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

    def tidy(self) -> DiagonalPlan:
        return self

    def column_sums(self) -> NDArray:
        q = self.b * self.a.sum()
        np.subtract.at(q, self.match, self.a * self.b[self.match])
        np.add.at(q, self.match, self.d)
        return q

    def step(self, h: NDArray, Pn: float, mu: float, eta: float) -> tuple[DiagonalPlan, float]:
        """The plan step (η = 1, any ``eta`` ignored; ``mu`` passed through)."""
        return self._step(h, Pn), mu

    def _step(self, h: NDArray, Pn: float) -> DiagonalPlan:
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
        return DiagonalPlan(self.a * t * scale * top, b / top, z * scale, self.match)


def binary_transport_step(
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


class DensePlan:
    """A dense N × M plan; with ``banded`` it moves to a ``BandPlan`` once it concentrates."""

    def __init__(self, pi: NDArray, cost: NDArray, cost2: NDArray | None, banded: bool) -> None:
        self.pi, self.cost, self.cost2, self.banded = pi, cost, cost2, banded

    def step(self, h: NDArray, Pn: float, mu: float, eta: float) -> tuple[DensePlan, float]:
        pi, mu = transport_step(self.pi, h, self.cost, Pn, mu, eta, self.cost2)
        return DensePlan(pi, self.cost, self.cost2, self.banded), mu

    def column_sums(self) -> NDArray:
        return self.pi.sum(axis=0)

    def tidy(self) -> DensePlan | BandPlan:
        """The band holding the plan once it is narrow (sorted alphabets of the line)."""
        if not self.banded:
            return self
        return BandPlan.from_dense(self.pi, self.cost, self.cost2) or self


class BinaryPlan:
    """A dense plan for a 0/1 cost, stepped by ``binary_transport_step`` (η = 1)."""

    def __init__(self, pi: NDArray, cost: NDArray) -> None:
        self.pi, self.cost = pi, cost

    def step(self, h: NDArray, Pn: float, mu: float, eta: float) -> tuple[BinaryPlan, float]:
        return BinaryPlan(binary_transport_step(self.pi, h, self.cost, Pn), self.cost), mu

    def column_sums(self) -> NDArray:
        return self.pi.sum(axis=0)

    def tidy(self) -> BinaryPlan:
        return self
