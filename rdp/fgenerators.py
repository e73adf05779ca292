r"""Generators of f-divergences: f, its limits and its convex conjugate, exact or certified.

An f-divergence of a law $q$ from a law $p$ on a finite alphabet is

$$
D_f(q \,\|\, p) = \sum_{j:\,p_j>0} p_j\, f\!\Big(\frac{q_j}{p_j}\Big)
 + f'(\infty) \sum_{j:\,p_j=0} q_j ,
\qquad f'(\infty) = \lim_{t\to\infty} f(t)/t ,
$$

for a convex $f$ on $[0, \infty)$ with $f(1) = 0$ (Csiszár 1967; Ali & Silvey 1966);
it is jointly convex in $(q, p)$, non-negative, and 0 at $q = p$. The other direction
$D_f(p\,\|\,q)$ is the f-divergence $D_{f^\diamond}(q\,\|\,p)$ of the transposed
generator $f^\diamond(t) = t f(1/t)$, whose limits swap: $f^\diamond(0) = f'(\infty)$,
$f^{\diamond\prime}(\infty) = f(0)$. So every measure here is held in this one
orientation, the reconstruction law against the source law.

The solvers need the convex conjugate on $t \ge 0$,

$$
f^*(s) = \sup_{t \ge 0}\; s t - f(t),
$$

and the maximiser $t^*(s)$ (the ball's support function and its maximising law,
``docs/solver.md``). The four named generators have it in closed form;
[`NumericGenerator`][rdp.fgenerators.NumericGenerator] computes a **certified upper
bound** on it from values of f alone (three values around the maximiser and the
convexity of f), so that a dual bound built on it stays a lower bound on R(D, P).

References: I. Csiszár, "Information-type measures of difference of probability
distributions and indirect observations", Studia Sci. Math. Hungar. 2, 1967;
S. M. Ali and S. D. Silvey, "A general class of coefficients of divergence of one
distribution from another", J. R. Statist. Soc. B 28(1), 1966; G. Serra, P. A. Stavrou
and M. Kountouris, "On the computation of the Gaussian rate-distortion-perception
function" / "Computation of rate-distortion-perception function under f-divergence
perception constraints", ISIT 2023, arXiv:2305.04604, and IEEE Trans. IT 2024,
arXiv:2408.15015.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

LOG2 = float(np.log(2.0))


class Generator:
    """A convex generator f with f(1) = 0, for D_f(q‖p) = Σ p f(q / p).

    Attributes
    ----------
    f0 : float
        f(0) = lim_{t→0} f(t) (``inf`` allowed).
    slope_inf : float
        f'(∞) = lim_{t→∞} f(t) / t (``inf`` allowed): the cost per unit of mass on a
        symbol where p has none.
    """

    f0: float
    slope_inf: float
    #: Whether ``cvxpy`` builds the divergence (the four named generators do).
    has_cvxpy = True
    #: Relative accuracy of ``derivative`` and ``second`` (Newton steps stop there).
    resolution = 1e-13

    def f(self, t: NDArray) -> NDArray:
        """f(t) for t ≥ 0 (``f0`` at t = 0)."""
        raise NotImplementedError

    def derivative(self, t: NDArray) -> NDArray:
        """f'(t) for t > 0."""
        raise NotImplementedError

    def second(self, t: NDArray) -> NDArray:
        """f''(t) for t > 0 (for Newton steps; nothing certified rests on it)."""
        raise NotImplementedError

    def conjugate(self, s: NDArray) -> tuple[NDArray, NDArray]:
        """(an upper bound on f*(s), the maximiser t*(s)) elementwise; ``inf`` off the domain."""
        raise NotImplementedError

    def maximiser(self, s: NDArray) -> NDArray:
        """t*(s) = argmax_t st − f(t) = (f*)'(s) elementwise (``inf`` off the domain)."""
        return self.conjugate(s)[1]

    def cvxpy(self, q, p: NDArray):
        """Σ_j p_j f(q_j / p_j) as a convex cvxpy expression (p > 0 constants), or None."""
        return None

    def divergence(self, q: NDArray, p: NDArray) -> float:
        """D_f(q‖p) of two non-negative vectors on one alphabet (see the module docstring)."""
        q = np.clip(np.asarray(q, dtype=float), 0.0, None)
        p = np.asarray(p, dtype=float)
        on = p > 0
        total = 0.0
        if on.any():
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                total = float(p[on] @ self.f(q[on] / p[on]))
        off = float(q[~on].sum())
        if off > 0:
            total += self.slope_inf * off
        return total if not np.isnan(total) else float("inf")


class _WithConstraints:
    """A cvxpy expression that needs side constraints (epigraph variables)."""

    def __init__(self, expression, constraints: list) -> None:
        self.expression = expression
        self.constraints = constraints


def cvxpy_terms(expr) -> tuple:
    """(expression, side constraints) of what ``Generator.cvxpy`` returned."""
    if isinstance(expr, _WithConstraints):
        return expr.expression, list(expr.constraints)
    return expr, []


# ---------------------------------------------------------------- closed forms
class PearsonChi2(Generator):
    r"""$f(t) = (t-1)^2$: $\chi^2(q\|p) = \sum (q_j - p_j)^2 / p_j$ (Pearson).

    $f^*(s) = s + s^2/4$ for $s \ge -2$, $-1$ below; $t^*(s) = \max(1 + s/2, 0)$.
    """

    f0 = 1.0
    slope_inf = float("inf")

    def f(self, t):
        return (np.asarray(t, dtype=float) - 1.0) ** 2

    def derivative(self, t):
        return 2.0 * (np.asarray(t, dtype=float) - 1.0)

    def second(self, t):
        return np.full(np.shape(t), 2.0)

    def conjugate(self, s):
        s = np.asarray(s, dtype=float)
        inside = s >= -2.0
        return np.where(inside, s + 0.25 * s * s, -1.0), np.where(inside, 1.0 + 0.5 * s, 0.0)

    def cvxpy(self, q, p):
        import cvxpy as cp

        return cp.sum_squares(cp.multiply(1.0 / np.sqrt(p), q - p))


class NeymanChi2(Generator):
    r"""$f(t) = (1-t)^2/t$: $\chi^2(p\|q) = \sum (p_j - q_j)^2 / q_j$ as $D_f(q\|p)$ (Neyman).

    $f^*(s) = 2 - 2\sqrt{1-s}$ for $s \le 1$ (``inf`` above); $t^*(s) = (1-s)^{-1/2}$.
    """

    f0 = float("inf")
    slope_inf = 1.0

    def f(self, t):
        t = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(t > 0, (1.0 - t) ** 2 / np.where(t > 0, t, 1.0), np.inf)

    def derivative(self, t):
        return 1.0 - 1.0 / np.asarray(t, dtype=float) ** 2

    def second(self, t):
        return 2.0 / np.asarray(t, dtype=float) ** 3

    def conjugate(self, s):
        s = np.asarray(s, dtype=float)
        inside = s <= 1.0
        root = np.sqrt(np.where(inside, 1.0 - s, 1.0))
        with np.errstate(divide="ignore"):
            arg = np.where(inside, 1.0 / root, np.inf)
        return np.where(inside, 2.0 - 2.0 * root, np.inf), arg

    def cvxpy(self, q, p):
        import cvxpy as cp

        # Σ (p − q)²/q through epigraph variables and second-order cones,
        # ‖(2(p_j − q_j), t_j − q_j)‖ ≤ t_j + q_j (p² · inv_pos(q) was solved inaccurately:
        # Clarabel's 'optimal' laws exceeded the ball by 4e-5)
        t = cp.Variable(p.size)
        cp_constraints = [cp.SOC(t + q, cp.vstack([2.0 * (p - q), t - q]), axis=0)]
        return _WithConstraints(cp.sum(t), cp_constraints)


class SquaredHellinger(Generator):
    r"""$f(t) = \tfrac12(\sqrt t - 1)^2$: $H^2(q, p) = 1 - \sum_j \sqrt{q_j p_j}$ (symmetric).

    $f^*(s) = \frac{1}{2 - 4s} - \tfrac12$ for $s < \tfrac12$; $t^*(s) = (1 - 2s)^{-2}$.
    """

    f0 = 0.5
    slope_inf = 0.5

    def f(self, t):
        return 0.5 * (np.sqrt(np.asarray(t, dtype=float)) - 1.0) ** 2

    def derivative(self, t):
        return 0.5 * (1.0 - 1.0 / np.sqrt(np.asarray(t, dtype=float)))

    def second(self, t):
        return 0.25 * np.asarray(t, dtype=float) ** -1.5

    def conjugate(self, s):
        s = np.asarray(s, dtype=float)
        inside = s < 0.5
        gap = np.where(inside, 1.0 - 2.0 * s, 1.0)
        return (
            np.where(inside, 0.5 / gap - 0.5, np.inf),
            np.where(inside, 1.0 / (gap * gap), np.inf),
        )

    def cvxpy(self, q, p):
        import cvxpy as cp

        # Σ p f(q/p) = ½ Σ q + ½ Σ p − Σ √p √q
        return 0.5 * cp.sum(q) + 0.5 * float(p.sum()) - np.sqrt(p) @ cp.sqrt(q)


class JensenShannon(Generator):
    r"""$f(t) = \tfrac12\big[t\log\frac{2t}{1+t} + \log\frac{2}{1+t}\big]$ (nats): the
    Jensen–Shannon divergence $\tfrac12\mathrm{KL}(q\|m) + \tfrac12\mathrm{KL}(p\|m)$,
    $m = (p+q)/2$ (symmetric; at most log 2).

    $f^*(s) = -\tfrac12\log(2 - e^{2s})$ for $s < \tfrac12\log 2$;
    $t^*(s) = e^{2s} / (2 - e^{2s})$.
    """

    f0 = 0.5 * LOG2
    slope_inf = 0.5 * LOG2

    def f(self, t):
        t = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            first = np.where(t > 0, t * np.log(2.0 * np.where(t > 0, t, 1.0) / (1.0 + t)), 0.0)
        return 0.5 * (first + np.log(2.0 / (1.0 + t)))

    def derivative(self, t):
        t = np.asarray(t, dtype=float)
        return 0.5 * np.log(2.0 * t / (1.0 + t))

    def second(self, t):
        t = np.asarray(t, dtype=float)
        return 0.5 / (t * (1.0 + t))

    def conjugate(self, s):
        s = np.asarray(s, dtype=float)
        inside = s < 0.5 * LOG2
        u = np.exp(np.where(inside, 2.0 * s, 0.0))
        rest = 2.0 - u
        return (
            np.where(inside, -0.5 * np.log(rest), np.inf),
            np.where(inside, u / rest, np.inf),
        )

    def cvxpy(self, q, p):
        import cvxpy as cp

        m = 0.5 * (q + p)
        return 0.5 * cp.sum(cp.rel_entr(q, m)) + 0.5 * cp.sum(cp.rel_entr(p, m))


# ---------------------------------------------------------------- a user's generator
class NumericGenerator(Generator):
    r"""A user's convex f, with f* bounded numerically (or given in closed form).

    Without ``conjugate``, ``conjugate(s)`` returns a certified **upper bound** on
    $f^*(s)$: the maximiser $b$ of $st - f(t)$ is located by bisection on log t, and
    for points $a < b < c$ whose chord slopes satisfy $m_{ab} \le s \le m_{bc}$,
    convexity ($f \ge$ each chord's line outside its interval) gives

    $$
    f^*(s) \le \max\big(sa - f(b) - m_{bc}(a - b),\; sc - f(b) - m_{ab}(c - b)\big),
    $$

    with $a, c = b(1 \mp \delta)$ for the least $\delta \in \{10^{-7}, …, 10^{-1}\}$ that
    meets the slope condition (the bound is then within $O(f''(b)\,\delta^2 b^2)$ of
    $f^*(s)$), plus a rounding margin; at the boundary $t = 0$ the same argument with
    the chord from 0. Where no condition is met the bound is ``inf`` (valid, useless).

    Parameters
    ----------
    f : callable
        Vectorised f on t > 0 (numpy arrays in, arrays out).
    f0, slope_inf : float
        f(0) and f'(∞) (``inf`` allowed).
    conjugate : callable, optional
        The exact conjugate s ↦ f*(s) (``inf`` off its domain), vectorised; its
        maximiser is still found numerically.
    cvxpy_f : callable, optional
        f as a convex elementwise cvxpy expression of a cvxpy vector (for
        ``method="cvxpy"``).
    """

    def __init__(
        self,
        f: Callable[[NDArray], NDArray],
        f0: float,
        slope_inf: float,
        conjugate: Callable[[NDArray], NDArray] | None = None,
        cvxpy_f: Callable | None = None,
    ) -> None:
        self._f = f
        self.f0 = float(f0)
        self.slope_inf = float(slope_inf)
        self._conjugate = conjugate
        self._cvxpy_f = cvxpy_f
        self.has_cvxpy = cvxpy_f is not None
        self.resolution = 1e-9  # central differences of f

    def f(self, t):
        t = np.asarray(t, dtype=float)
        pos = t > 0
        with np.errstate(all="ignore"):
            out = np.asarray(self._f(np.where(pos, t, 1.0)), dtype=float)
        return np.where(pos, out, self.f0)

    def derivative(self, t):
        t = np.asarray(t, dtype=float)
        h = 1e-6 * t
        return (self.f(t + h) - self.f(t - h)) / (2.0 * h)

    def second(self, t):
        t = np.asarray(t, dtype=float)
        h = 1e-4 * t
        return np.maximum((self.f(t + h) - 2.0 * self.f(t) + self.f(t - h)) / (h * h), 0.0)

    def maximiser(self, s: NDArray) -> NDArray:
        """t*(s): (f*)'(s) by central differences of a given conjugate where that is finite
        and positive, else by bisection on log t ∈ [−30, 30] (the sign of s − f'(t))."""
        s = np.asarray(s, dtype=float)
        if self._conjugate is not None:
            h = 1e-6 * (1.0 + np.abs(s))
            with np.errstate(all="ignore"):
                slope = (self._conjugate(s + h) - self._conjugate(s - h)) / (2.0 * h)
            slope = np.asarray(slope, dtype=float)
            if np.all(np.isfinite(slope) & (slope > 0)):
                return slope
        lo = np.full(s.shape, -30.0)
        hi = np.full(s.shape, 30.0)
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            below = self.derivative(np.exp(mid)) < s
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return np.exp(0.5 * (lo + hi))

    def conjugate(self, s):
        s = np.asarray(s, dtype=float)
        b = self.maximiser(s)
        if self._conjugate is not None:
            with np.errstate(all="ignore"):
                return np.asarray(self._conjugate(s), dtype=float), b
        return self._conjugate_bound(s, b), b

    def _conjugate_bound(self, s: NDArray, b: NDArray) -> NDArray:
        out = np.full(s.shape, np.inf)
        fb = self.f(b)
        for delta in (1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1):
            a, c = b * (1 - delta), b * (1 + delta)
            fa, fc = self.f(a), self.f(c)
            with np.errstate(all="ignore"):
                m_ab = (fb - fa) / (b - a)
                m_bc = (fc - fb) / (c - b)
                bound = np.maximum(s * a - fb - m_bc * (a - b), s * c - fb - m_ab * (c - b))
            ok = np.isinf(out) & (m_ab <= s) & (s <= m_bc) & np.isfinite(bound)
            margin = 64 * np.finfo(float).eps * (np.abs(s) * c + np.abs(fb) + np.abs(fa) + 1.0)
            out = np.where(ok, bound + margin, out)
        if np.isfinite(self.f0):  # the maximiser at t = 0: chords from 0
            b0 = np.exp(-30.0)
            c0 = 2 * b0
            f_b0, f_c0 = float(self.f(b0)), float(self.f(c0))
            m_0b, m_bc = (f_b0 - self.f0) / b0, (f_c0 - f_b0) / b0
            bound = np.maximum(s * b0 - f_b0, -f_b0 + m_bc * b0)
            margin = 64 * np.finfo(float).eps * (abs(self.f0) + abs(f_b0) + 1.0)
            out = np.where(np.isinf(out) & (s <= m_0b), bound + margin, out)
        out = np.where(s > self.slope_inf, np.inf, out)
        return out

    def cvxpy(self, q, p):
        if self._cvxpy_f is None:
            return None
        import cvxpy as cp

        return cp.sum(cp.multiply(p, self._cvxpy_f(cp.multiply(1.0 / p, q))))


class Transposed(Generator):
    r"""$f^\diamond(t) = t f(1/t)$, so that $D_{f^\diamond}(q\|p) = D_f(p\|q)$."""

    has_cvxpy = False
    resolution = 1e-9

    def __init__(self, base: NumericGenerator) -> None:
        self.base = base
        self.f0 = base.slope_inf
        self.slope_inf = base.f0
        inner = NumericGenerator(self._transposed, self.f0, self.slope_inf)
        self._numeric = inner

    def _transposed(self, t):
        t = np.asarray(t, dtype=float)
        return t * self.base.f(1.0 / t)

    def f(self, t):
        return self._numeric.f(t)

    def derivative(self, t):
        return self._numeric.derivative(t)

    def second(self, t):
        return self._numeric.second(t)

    def conjugate(self, s):
        return self._numeric.conjugate(s)

    def maximiser(self, s):
        return self._numeric.maximiser(s)

    def cvxpy(self, q, p):
        """None: Σ q f(p / q) of a user's f is a perspective that is not built here."""
        return None
