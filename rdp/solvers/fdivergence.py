"""The f-divergence ball of a finite problem: value, least value, support function, D_max law.

The perception kinds of ``rdp.perceptions.F_KINDS`` compare the reconstruction law q
with the source law p̃ on the union of values (``rdp.solvers.finite``):
$D_f(q\\|\tilde p) + m_{\rm out} f(0)$, with the generator f of ``rdp.fgenerators``
held in that orientation. The support function's Lagrange dual is derived in
``docs/solver.md`` ("f-divergence balls"); every multiplier gives an upper bound on it,
so the certificates built on it stay valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar

from rdp.fgenerators import Generator, cvxpy_terms

if TYPE_CHECKING:
    from rdp.solvers.finite import FiniteProblem


def divergence(gen: Generator, q: NDArray, p_tilde: NDArray, m_out: float) -> float:
    """D_f(q‖p̃) on the union of values: source mass m_out outside costs f(0) per unit."""
    value = gen.divergence(q, p_tilde)
    if m_out > 0:
        value += m_out * gen.f0
    return float(value)


def min_divergence(gen: Generator, p_tilde: NDArray, m_out: float) -> tuple[float, NDArray]:
    """The least D_f(q‖p̃) over laws q on the reconstruction values, and a law attaining it.

    By Jensen's inequality the part on the support of p̃ is at least T f(Q / T)
    (T = Σ p̃, Q the mass q puts there), with equality at q ∝ p̃; the rest of q costs
    f'(∞) per unit on a symbol without source mass. So the least value is
    min over Q ∈ [0, 1] of T f(Q/T) + f'(∞)(1 − Q) + m_out f(0), a convex scalar problem.
    """
    m = p_tilde.size
    on = p_tilde > 0
    total = float(p_tilde[on].sum())
    if m_out <= 0:
        return 0.0, p_tilde / total
    if not np.isfinite(gen.f0):
        return float("inf"), (p_tilde / total if total > 0 else np.full(m, 1.0 / m))
    off = np.flatnonzero(~on)
    if total <= 0:
        return float(gen.slope_inf + m_out * gen.f0), np.full(m, 1.0 / m)

    def value(mass: float) -> float:
        rest = 1.0 - mass
        tail = gen.slope_inf * rest if rest > 0 else 0.0
        return float(total * gen.f(np.array([mass / total]))[0] + tail + m_out * gen.f0)

    best_q = 1.0
    if off.size and np.isfinite(gen.slope_inf):
        found = minimize_scalar(
            value, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-12}
        )
        candidates = [(value(1.0), 1.0), (value(0.0), 0.0), (float(found.fun), float(found.x))]
        best_q = min(candidates)[1]
    law = p_tilde * (best_q / total)
    if best_q < 1.0:
        law[off[0]] += 1.0 - best_q
    return value(best_q), law


def support(
    g: NDArray,
    gen: Generator,
    p_tilde: NDArray,
    m_out: float,
    P: float,
    law: bool = False,
):
    r"""min over λ > 0 of λP' + ν*(λ) + λ Σ p̃ f*((g − ν*)/λ): an upper bound on σ(g).

    The Lagrange dual of max ⟨g, q⟩ over laws with D_f(q‖p̃) ≤ P (``docs/solver.md``):
    P' = P − m_out f(0); a symbol without source mass may take mass only where
    g_j − ν ≤ λ f'(∞). ν*(λ) solves Σ p̃_j t*((g_j − ν)/λ) = 1 (or sits at that domain
    bound). Every (λ, ν) in the domain gives an upper bound (weak duality), provided f*
    is exact or bounded above (``rdp.fgenerators``); the least value met is returned,
    and at most max g = 0 (g is shifted). With ``law=True`` also the maximising law of
    the best λ, ν (q_j = p̃_j t*_j, the rest on the best symbol without source mass).
    """
    on = p_tilde > 0
    gs, ps = g[on], p_tilde[on]
    budget = P - (m_out * gen.f0 if m_out > 0 else 0.0)
    top_off = float(g[~on].max()) if (~on).any() and np.isfinite(gen.slope_inf) else -np.inf
    fallback = (0.0, _top_law(g)) if law else 0.0
    if not budget >= 0 or ps.size == 0:
        return fallback
    if budget == 0 and abs(ps.sum() - 1) < 1e-15:
        exact = float(ps @ gs)
        return (exact, p_tilde.copy()) if law else exact
    slopes = _slopes(gen, ps)

    def best_nu(lam: float) -> float:
        return _best_nu(gen, gs, ps, top_off, lam, slopes)

    seen: dict[float, tuple[float, float]] = {}

    def dual(log_lam: float) -> float:
        lam = float(np.exp(log_lam))
        try:
            nu = best_nu(lam)
        except (ValueError, RuntimeError):  # no bracket found: this λ gives nothing
            return np.inf
        with np.errstate(all="ignore"):
            value = lam * budget + nu + lam * float(ps @ gen.conjugate((gs - nu) / lam)[0])
        value = value if np.isfinite(value) else np.inf
        seen[value] = (lam, nu)
        return value

    res = minimize_scalar(dual, bounds=(-30.0, 30.0), method="bounded", options={"xatol": 1e-10})
    best = min([float(res.fun), *seen.keys()])
    if not law:
        return min(best, 0.0)
    if not np.isfinite(best) or best > 0.0:
        return fallback
    lam, nu = seen[best]
    return best, _law(g, gen, p_tilde, lam, nu, top_off)


def maximising_law(g: NDArray, gen: Generator, p_tilde: NDArray, lam: float) -> NDArray | None:
    r"""The law maximising $\langle g, q\rangle - \lambda D_f(q\|\tilde p)$ at a fixed λ > 0.

    $q_j = \tilde p_j\, t^*((g_j - \nu^*)/\lambda)$ with ν* such that Σ q = 1 (the rest
    on the best symbol without source mass), $t^*$ the maximiser of $st - f(t)$; at the
    λ that minimises ``support``'s dual it is the law that attains $\sigma(g)$. None where
    no ν* is found.
    """
    on = p_tilde > 0
    gs, ps = g[on], p_tilde[on]
    if ps.size == 0 or not lam > 0:
        return None
    top_off = float(g[~on].max()) if (~on).any() and np.isfinite(gen.slope_inf) else -np.inf
    try:
        nu = _best_nu(gen, gs, ps, top_off, lam, _slopes(gen, ps))
    except (ValueError, RuntimeError):
        return None
    with np.errstate(all="ignore"):
        q = _law(g, gen, p_tilde, lam, nu, top_off)
    return q if np.isfinite(q).all() else None


def _slopes(gen: Generator, ps: NDArray) -> tuple[float, float]:
    """f'(1) and f'(1 / Σ p̃), the ends of ``_best_nu``'s first bracket."""
    d1 = float(gen.derivative(np.array([1.0]))[0])
    return d1, float(gen.derivative(np.array([1.0 / ps.sum()]))[0])


def ball_law(
    g: NDArray, gen: Generator, p_tilde: NDArray, m_out: float, P: float, lam: float
) -> NDArray | None:
    r"""A law of the ball $D_f(q\|\tilde p) + m_{\rm out} f(0) \le P$ near the maximiser of ⟨g, q⟩.

    The maximiser is ``maximising_law`` at the λ where its divergence meets P (the
    divergence falls as λ grows); that λ is found by secant steps on log λ from ``lam``
    inside a bracket, and the law returned is the last one met inside the ball (None
    if none was). Nothing certified rests on it (the caller repairs and checks).
    """
    constant = m_out * gen.f0 if m_out > 0 else 0.0
    tol = 1e-9 * max(P, 1e-300)

    def excess(log_lam: float) -> tuple[float, NDArray | None]:
        q = maximising_law(g, gen, p_tilde, float(np.exp(log_lam)))
        if q is None:
            return np.nan, None
        return float(gen.divergence(q, p_tilde)) + constant - P, q

    if not lam > 0:
        return None
    x0 = float(np.log(lam))
    f0, q0 = excess(x0)
    if not np.isfinite(f0):
        return None
    inside = q0 if f0 <= 0 else None
    lo, hi = -np.inf, np.inf  # log λ with the divergence above P, at most P
    lo, hi = (x0, hi) if f0 > 0 else (lo, x0)
    x1 = x0 + (0.01 if f0 > 0 else -0.01)
    for _ in range(30):
        if -tol <= f0 <= 0:
            break
        f1, q1 = excess(x1)
        if not np.isfinite(f1):
            return inside
        if f1 <= 0:
            hi, inside = x1, q1
        else:
            lo = x1
        if -tol <= f1 <= 0 or hi - lo <= 1e-12:
            break
        step = x1 - f1 * (x1 - x0) / (f1 - f0) if f1 != f0 else np.nan
        if np.isfinite(lo) and np.isfinite(hi):
            step = step if lo < step < hi else 0.5 * (lo + hi)
        elif not np.isfinite(step) or abs(step - x1) > 2.0:
            step = x1 + (2.0 if f1 > 0 else -2.0)
        x0, f0, x1 = x1, f1, float(step)
    return inside


def _best_nu(
    gen: Generator,
    gs: NDArray,
    ps: NDArray,
    top_off: float,
    lam: float,
    slopes: tuple[float, float],
) -> float:
    """ν*(λ): Σ p̃_j t*((g_j − ν)/λ) = 1, or the domain bound of ν where the mass stays below."""
    top = float(gs.max())
    d1, d_t = slopes

    def mass(nu: float) -> float:
        return float(ps @ gen.maximiser((gs - nu) / lam))

    floor = max(top, top_off) - lam * gen.slope_inf if np.isfinite(gen.slope_inf) else -np.inf
    hi = top - lam * d1
    step = lam + 1e-12
    while mass(hi) > 1.0:
        hi += step
        step *= 2.0
    lo = float(gs.min()) - lam * d_t
    step = lam + 1e-12
    while lo > floor and mass(lo) < 1.0:
        lo -= step
        step *= 2.0
    lo = max(lo, floor)
    if not mass(lo) > 1.0:
        return lo
    return brentq(lambda nu: mass(nu) - 1.0, lo, hi, xtol=1e-15, rtol=1e-15)


def _law(
    g: NDArray, gen: Generator, p_tilde: NDArray, lam: float, nu: float, top_off: float
) -> NDArray:
    """q_j = p̃_j t*((g_j − ν)/λ) on the support of p̃, the rest on the best symbol off it."""
    on = p_tilde > 0
    q = np.zeros(g.size)
    q[on] = p_tilde[on] * gen.conjugate((g[on] - nu) / lam)[1]
    rest = 1.0 - q.sum()
    if rest > 0 and np.isfinite(top_off):
        off = np.flatnonzero(~on)
        q[off[np.argmax(g[off])]] += rest
    return q / q.sum()


def _top_law(g: NDArray) -> NDArray:
    out = np.zeros(g.size)
    out[np.argmax(g)] = 1.0
    return out


def constraint(fp: FiniteProblem, q, P: float) -> list:
    """D_f(q‖p̃) ≤ P as cvxpy constraints (the generator's own convex expression)."""
    import cvxpy as cp

    gen = fp.generator
    on = np.flatnonzero(fp.p_tilde > 0)
    off = np.flatnonzero(fp.p_tilde <= 0)
    expr = gen.cvxpy(q[on], fp.p_tilde[on])
    if expr is None:
        raise ValueError(
            "this f-divergence has no cvxpy form: give FDivergence(..., cvxpy_f=...) with "
            "direction 'reconstruction||source' to use method='cvxpy' or to compute D_min(P)"
        )
    expr, side = cvxpy_terms(expr)
    constant = fp.m_out * gen.f0 if fp.m_out > 0 else 0.0
    if not off.size:
        return [expr <= P - constant, *side]
    if np.isfinite(gen.slope_inf):
        return [expr + gen.slope_inf * cp.sum(q[off]) <= P - constant, *side]
    return [expr <= P - constant, q[off] == 0, *side]  # f'(∞) = ∞: no mass where p̃ has none


def zero_rate_law(fp: FiniteProblem, dbar: NDArray, P: float) -> NDArray:
    """The law of the f-ball's support function at g = −d̄, moved into the ball if needed."""
    g = -(dbar - dbar.min())
    _, q = support(g, fp.generator, fp.p_tilde, fp.m_out, P, law=True)
    if fp.divergence(q) <= P:
        return q
    _, anchor = fp.min_divergence()
    lo, hi = 0.0, 1.0  # the segment to the least-divergence law (convexity: its end is inside)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if fp.divergence((1 - mid) * q + mid * anchor) <= P else (mid, hi)
    return (1 - hi) * q + hi * anchor
