r"""The mirror step of the fast solver into an f-divergence ball: a KL projection.

The fast solver maps its Blahut–Arimoto target $a$ (a law on the reconstruction
alphabet) into the perception ball by the KL projection

$$
q = \arg\min_q\ \mathrm{KL}(q \,\|\, a)
\quad\text{s.t.}\quad D_f(q \,\|\, \tilde p) + m_{\rm out} f(0) \le P,\ \ \textstyle\sum_j q_j = 1,
$$

as it does for the KL balls (there in closed form). Its optimality conditions, with a
multiplier $\mu \ge 0$ for the ball and $\nu$ for the mass, are one scalar equation per
symbol,

$$
y_j + \mu f'\!\big(e^{y_j} / \tilde p_j\big) = \log a_j - \nu ,\qquad q_j = e^{y_j},
$$

whose left side increases in $y_j$ (convex or concave in it for the four named
generators, so Newton's method converges from any start after at most one overshoot);
a symbol without source mass has $q_j = a_j e^{-\nu - \mu f'(\infty)}$ (or 0 when
$f'(\infty) = \infty$). The mass $\sum_j q_j$ falls in $\nu$ and the divergence falls
in $\mu$: $\nu(\mu)$ is found by safeguarded Newton steps on $\log\sum_j q_j = 0$ and
$\mu$ by safeguarded Newton steps on $D_f(q) = P$ (derivatives by implicit
differentiation), each warm-started from the previous call. The law returned is the
one at the end of the bracket inside the ball. At a fixed point the iteration meets
the Karush–Kuhn–Tucker conditions of R(D, P); nothing certified rests on this step
(the bounds are ``rdp.solvers.certificate``'s).

Reference: G. Serra, P. A. Stavrou and M. Kountouris, "Computation of
rate-distortion-perception function under f-divergence perception constraints",
ISIT 2023, arXiv:2305.04604 (alternating minimisation with an f-divergence constraint).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rdp.fgenerators import Generator

_Y_MIN = -700.0


class FBallProjection:
    """KL projection onto an f-divergence ball, with its multipliers kept between calls.

    Parameters
    ----------
    gen : Generator
        The generator, orientation D_f(q‖p̃) (``rdp.fgenerators``).
    p_tilde : ndarray (M,)
        Source mass on each reconstruction value.
    m_out : float
        Source mass outside the reconstruction values (costs m_out f(0)).
    """

    def __init__(self, gen: Generator, p_tilde: NDArray, m_out: float) -> None:
        self.gen = gen
        self.p_tilde = p_tilde
        self.on = p_tilde > 0
        self.off = ~self.on
        self.ps = p_tilde[self.on]
        self.log_ps = np.log(self.ps)
        self.constant = m_out * gen.f0 if m_out > 0 else 0.0
        self.mu = 1.0
        self.nu = 0.0
        self.y: NDArray | None = None

    def divergence(self, q: NDArray) -> float:
        """D_f(q‖p̃) + m_out f(0)."""
        return self.gen.divergence(q, self.p_tilde) + self.constant

    def __call__(self, a: NDArray, P: float) -> NDArray:
        """The KL projection of the law ∝ ``a`` onto {q: D_f(q‖p̃) + m_out f(0) ≤ P}."""
        gen = self.gen
        a = np.asarray(a, dtype=float)
        if not np.isfinite(gen.slope_inf):
            a = np.where(self.on, a, 0.0)
        a = a / a.sum()
        if self.divergence(a) <= P:
            return a
        with np.errstate(divide="ignore"):
            log_a = np.log(a)
        self._log_a_on = log_a[self.on]
        self._log_a_off = log_a[self.off] if np.isfinite(gen.slope_inf) else None
        if self.y is None or self.y.shape != self._log_a_on.shape:
            self.y = self._log_a_on.copy()
        budget = P - self.constant

        def excess(mu: float) -> tuple[float, float, NDArray]:
            q, deriv = self._at(mu)
            return self.divergence(q) - P, deriv, q

        lo, hi = 0.0, np.inf  # divergence above P at lo, at most P at hi
        q_hi = None
        mu = max(self.mu, 1e-12)
        for _ in range(80):
            phi, dphi, q = excess(mu)
            if phi > 0:
                lo = mu
            else:
                hi, q_hi = mu, q
                if phi >= -1e-12 * max(budget, 1e-300):
                    break
            if np.isfinite(hi) and hi - lo <= 1e-13 * hi:
                break
            step = mu - phi / dphi if dphi < 0 else np.nan
            if np.isfinite(hi):
                if not lo < step < hi:
                    step = 0.5 * (lo + hi)
            elif not step > lo:
                step = 4.0 * max(mu, 1e-12)
            mu = float(step)
        if q_hi is None:  # no law inside met: the largest μ tried
            q_hi = q
        self.mu = hi if np.isfinite(hi) else mu
        return q_hi / q_hi.sum()

    # ------------------------------------------------------------------ internals
    def _laws(self, mu: float, nu: float) -> tuple[NDArray, NDArray, NDArray]:
        """q on the support (by Newton per symbol), its dq/dν and dq/dμ, at (μ, ν)."""
        gen = self.gen
        c = self._log_a_on - nu
        y = np.minimum(self.y, c + 50.0)
        for _ in range(60):
            t = np.exp(y - self.log_ps)
            resid = y + mu * gen.derivative(t) - c
            slope = 1.0 + mu * gen.second(t) * t
            step = resid / slope
            y = np.maximum(y - step, _Y_MIN)
            if np.abs(step).max() <= gen.resolution * (1.0 + np.abs(y).max()):
                break
        self.y = y
        t = np.exp(y - self.log_ps)
        slope = 1.0 + mu * gen.second(t) * t
        q = np.exp(y)
        return q, -q / slope, -q * gen.derivative(t) / slope

    def _at(self, mu: float) -> tuple[NDArray, float]:
        """q(μ, ν(μ)) with Σ q = 1, and dD/dμ along ν(μ)."""
        gen = self.gen
        nu = self.nu
        lo, hi = -np.inf, np.inf
        for _ in range(60):
            q_on, dq_nu, dq_mu = self._laws(mu, nu)
            total = float(q_on.sum())
            d_total = float(dq_nu.sum())
            if self._log_a_off is not None:
                q_off = np.exp(self._log_a_off - nu - mu * gen.slope_inf)
                total += float(q_off.sum())
                d_total -= float(q_off.sum())
            gap = np.log(total)
            if gap > 0:
                lo = nu
            else:
                hi = nu
            if abs(gap) <= 1e-14:
                break
            step = nu - gap * total / d_total if d_total < 0 else np.nan
            if not lo < step < hi:
                step = 0.5 * (lo + hi) if np.isfinite(lo) and np.isfinite(hi) else nu + gap
            if abs(step - nu) <= gen.resolution * (1.0 + abs(nu)):
                nu = float(step)
                break
            nu = float(step)
        self.nu = nu
        q = np.zeros(self.p_tilde.size)
        q[self.on] = q_on
        t = q_on / self.ps
        fprime = gen.derivative(t)
        # dD/dμ = ∂D/∂μ + ∂D/∂ν dν/dμ, dν/dμ = −(∂Σq/∂μ)/(∂Σq/∂ν); D's gradient is f'(t)
        d_sum_mu, d_sum_nu = float(dq_mu.sum()), float(dq_nu.sum())
        d_div_mu, d_div_nu = float(fprime @ dq_mu), float(fprime @ dq_nu)
        if self._log_a_off is not None:
            q_off = np.exp(self._log_a_off - nu - mu * gen.slope_inf)
            q[self.off] = q_off
            mass = float(q_off.sum())
            d_sum_mu -= gen.slope_inf * mass
            d_sum_nu -= mass
            d_div_mu -= gen.slope_inf**2 * mass
            d_div_nu -= gen.slope_inf * mass
        deriv = d_div_mu - d_div_nu * d_sum_mu / d_sum_nu if d_sum_nu < 0 else -1.0
        return q, deriv
