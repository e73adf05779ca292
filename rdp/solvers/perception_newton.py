r"""Newton steps for R(D, P) with an active polyhedral perception constraint.

Where the perception constraint binds, the optimal channel keeps the Blahut–Arimoto
form with a column tilt: stationarity of $I(J) + s\langle J, \Delta\rangle + \mu\,
d(p_X, q_J)$ over channels with rows $p$ gives

$$
J_{ij} = \frac{p_i\, r_j\, K_{ij}\, e^{-g_j}}{\sum_l r_l K_{il} e^{-g_l}},\qquad
K = e^{-s\Delta'},\qquad g \in \mu\,\partial_q d(p_X, q)\big|_{q = r},
$$

with $r = q_J$ (the output law) and $\tilde h_j = \sum_i p_i K_{ij}e^{-g_j} /
(\tilde K r)_i \le 1$, with equality where $r_j > 0$.

**The constraint as a separable polyhedral function** $d(p_X, r) = C_0 + \sum_k
\varphi_k((Ar)_k)$ (``rdp.solvers.perception_pieces``: Wasserstein on the line, total
variation).

**The system.** With epigraph variables $t_k \ge \varphi_k((Ar)_k)$, i.e.
$\sigma_{ki} = t_k - \ell_{ki}((Ar)_k) \ge 0$ for every affine piece, and multipliers
$\lambda_{ki} \ge 0$ with $\sum_i\lambda_{ki} = \mu$, the tilt is
$g = A^\top a$, $a_k = \sum_i \lambda_{ki} \ell'_{ki}$, and the conditions

$$
-\tilde h - z + \nu\mathbf 1 = 0,\quad r\odot z = \tau,\quad \mathbf 1^\top r = 1,\quad
\text{distortion} = D',\quad \lambda\odot\sigma = \tau,\quad
\textstyle\sum_i \lambda_{ki} = \mu,\quad C_0 + \sum_k t_k + w = P,\quad \mu w = \tau
$$

are solved by a primal–dual interior-point iteration with Mehrotra's predictor–corrector
(Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006, §14.2) and a
fraction-to-boundary rule 0.99; the slack $w$ of the ball keeps the system regular where
the constraint is inactive ($\mu \to 0$). The piece multipliers are eliminated per $k$
(each involves only $t_k$ and $(Ar)_k$), which leaves one dense $(M + 3) \times (M + 3)$
system per step, formed in $O(NM^2)$ and factorised once for both the predictor and the
corrector.

Nothing here is trusted: the caller evaluates the certificate (the dual lower bound
with the exact support function of the ball, and the mutual information of an exactly
feasible repaired channel) at the weights $v = r \odot e^{-g}$ and the slope returned.
References: Blau & Michaeli, ICML 2019 (the problem); Boyd & Vandenberghe,
*Convex Optimization*, 2004, §11.7 (primal–dual interior-point methods).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy.linalg.lapack import dgetrf, dgetrs

from rdp.solvers._kernels import distortion_derivatives
from rdp.solvers.perception_pieces import SeparablePieces
from rdp.solvers.perception_structured import (
    StructuredSystem,
    StructureUnavailable,
    low_rank_kernel,
)

#: Least M at which the system is solved without M × M matrices where the kernel allows
#: (``rdp.solvers.perception_structured``), and the largest N·M² + M³ of a dense system.
STRUCTURED_MIN_M = 512
DENSE_WORK = 2.2e9


#: From this many kernel entries on, a certificate check may form its channel in the
#: kernel's array (one N × M array less at the peak; the iteration forms the kernel again
#: after the check, which below this size costs more time than the array is worth).
SPENT_KERNEL_ENTRIES = 1 << 22


def perception_newton(
    shifted: NDArray,
    p: NDArray,
    pieces: SeparablePieces,
    P: float,
    r0: NDArray,
    s0: float,
    mu0: float,
    target: float,
    max_iter: int = 100,
    deadline: float = np.inf,
    check: Callable[[NDArray, NDArray, float], bool] | None = None,
    mix: float = 0.02,
    squared: tuple[NDArray, NDArray] | None = None,
) -> tuple[NDArray, NDArray, float, float, int]:
    """Primal–dual Newton steps (Mehrotra predictor–corrector) on the conditions above.

    The step of ``method="fast"`` where a TV or W-on-the-line ball binds (the module
    docstring gives the system; Blau & Michaeli, ICML 2019, Eq. (3) the problem).

    Parameters
    ----------
    shifted : ndarray (N, M)
        The distortion with each row's least value subtracted, Δ'_ij = Δ_ij − min_j Δ_ij.
    p : ndarray (N,)
        The source law (positive entries, sum 1).
    pieces : SeparablePieces
        The perception ball's function: ``LinePieces`` or ``TVPieces``.
    P : float
        The ball's radius, > 0 (in the units of ``pieces.value``: W_k^k, or TV).
    r0 : ndarray (M,)
        A starting output law (≥ 0, positive sum); it is mixed with the uniform law,
        weight ``mix`` in (0, 1], so that every weight starts positive.
    s0, mu0 : float
        Starting slope (≥ 0, nats per unit of distortion) and perception multiplier.
    target : float
        The distortion to meet, in the shift of ``shifted``: D' = D − Σ_i p_i min_j Δ_ij.
    max_iter : int
        At most this many steps.
    deadline : float
        ``time.perf_counter()`` value after which the iteration stops.
    check : callable, optional
        ``check(r, g, s, kernel) -> bool``, called at every step once the mean
        complementarity is below 1e-9 and at the last point in any case, with ``kernel``
        the ``TiltedKernel`` of the point; True stops the iteration (the
        caller's certificate closed). From ``SPENT_KERNEL_ENTRIES`` entries on the check
        may overwrite the kernel's array (the certificate's joint is formed in it): the
        iteration then forms it again after a check.
    mix : float
        See ``r0``.
    squared : (ndarray, ndarray), optional
        Source and reconstruction values (x, y) when ``shifted`` is exactly
        (x_i − y_j)²: the distortion's moments then take two passes over the kernel
        (products with the powers of y and of x) instead of five.

    Returns
    -------
    r : ndarray (M,)
        The output law of the last point.
    g : ndarray (M,)
        Its column tilt (least entry 0): the Blahut–Arimoto weights are ``r * exp(-g)``.
    s, mu : float
        Its slope and multiplier.
    steps : int
        Newton steps taken.

    Raises
    ------
    ValueError
        For inconsistent shapes, P ≤ 0, a negative slope, ``r0`` without positive mass,
        ``mix`` outside (0, 1] or ``max_iter`` < 1 (checked before any step). Nothing
        here is a result: the caller certifies the points.
    """
    _check_arguments(shifted, p, pieces, P, r0, s0, max_iter, mix)
    # far from the optimum the system can be badly scaled: a non-finite step ends the
    # phase (the certificate is evaluated at the last finite point), never a warning;
    # the caller's check runs under the caller's floating-point settings
    outer = np.geterr()

    def checked(r: NDArray, g: NDArray, s: float, kernel: TiltedKernel) -> bool:
        with np.errstate(**outer):
            return check(r, g, s, kernel)

    with np.errstate(all="ignore"):
        return _iterate(
            shifted, p, pieces, P, r0, s0, mu0, target, max_iter, deadline,
            None if check is None else checked, mix, squared,
        )  # fmt: skip


def _check_arguments(shifted, p, pieces, P, r0, s0, max_iter, mix) -> None:
    """``ValueError`` naming the first bad argument of ``perception_newton``."""
    shifted, p, r0 = np.asarray(shifted), np.asarray(p), np.asarray(r0)
    if shifted.ndim != 2:
        raise ValueError(f"shifted must be an N × M matrix; got shape {shifted.shape}")
    n, m = shifted.shape
    if p.shape != (n,):
        raise ValueError(f"p must have N = {n} entries (rows of shifted); got shape {p.shape}")
    if r0.shape != (m,) or not (np.all(r0 >= 0) and r0.sum() > 0):
        raise ValueError(f"r0 must be {m} non-negative weights with a positive sum")
    if pieces.adjoint(np.zeros(pieces.slope.shape[0])).shape != (m,):
        raise ValueError(f"pieces must describe a law on M = {m} reconstruction symbols")
    if not (np.isfinite(P) and P > 0):
        raise ValueError(f"P must be > 0 and finite; got {P!r}")
    if not (np.isfinite(s0) and s0 >= 0):
        raise ValueError(f"s0 must be a finite slope ≥ 0; got {s0!r}")
    if not 0 < mix <= 1:
        raise ValueError(f"mix must lie in (0, 1]; got {mix!r}")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be ≥ 1; got {max_iter!r}")


def _iterate(
    shifted, p, pieces, P, r0, s0, mu0, target, max_iter, deadline, check, mix, squared=None
):
    """The iteration of ``perception_newton`` (same arguments)."""
    m = shifted.shape[1]
    x = _Iterate.start(shifted, p, pieces, P, r0, s0, mu0, mix, squared)
    steps, unchecked = 0, True
    while steps < max_iter:
        steps += 1
        res = x.residuals(shifted, p, pieces, P, target)
        if res.gap <= 1e-16 and res.worst <= 1e-13:
            break
        if check is not None and res.gap <= 1e-9:
            unchecked = False
            if check(x.r / x.r.sum(), x.g, x.s, x.tilted()):
                break
            if x.kt.size >= SPENT_KERNEL_ENTRIES:
                # the check may have used the kernel's array: the point's kernel again, in
                # a new array (the old one may be the caller's channel now); the last
                # linearisation holds it too
                x.kt = lin = None
                x.refresh(shifted, p, pieces)
        try:
            lin = _Linearisation(x, res, pieces, m)
        except (np.linalg.LinAlgError, ValueError):
            break
        # Mehrotra's predictor-corrector: the affine direction sets the centring τ and
        # the second-order term of the complementarity
        aff = lin.direction(x.r * x.z, x.lam * x.sig, x.mu * x.sw)
        if not aff.finite():
            break
        a_aff = x.longest(aff)
        gap_aff = (
            float((x.r + a_aff * aff.r) @ (x.z + a_aff * aff.z))
            + float(((x.lam + a_aff * aff.lam) * (x.sig + a_aff * aff.sig)).sum())
            + (x.mu + a_aff * aff.mu) * (x.sw + a_aff * aff.sw)
        ) / res.pairs
        tau = res.gap * min((gap_aff / res.gap) ** 3, 1.0) if res.gap > 0 else 0.0
        step = lin.direction(
            x.r * x.z + aff.r * aff.z - tau,
            x.lam * x.sig + aff.lam * aff.sig - tau,
            x.mu * x.sw + aff.mu * aff.sw - tau,
        )
        if not step.finite():
            break
        alpha = min(1.0, 0.99 * x.longest(step))
        if alpha * abs(step.s) > 0.5 * x.s + 0.1:  # keep the slope step moderate
            alpha = (0.5 * x.s + 0.1) / abs(step.s)
        last = (x.r, x.g, x.s)
        x.move(step, alpha, shifted, p, pieces)
        unchecked = True
        if not np.isfinite(x.h).all():
            x.r, x.g, x.s = last  # back to the last finite point
            break
        if time.perf_counter() > deadline:
            break
    finite = np.isfinite(x.r).all() and np.isfinite(x.g).all() and np.isfinite(x.s)
    if check is not None and unchecked and finite:
        # the last point is certified whatever its residuals
        check(x.r / x.r.sum(), x.g, x.s, x.tilted())
    return x.r / x.r.sum(), x.g, x.s, x.mu, steps


class TiltedKernel(NamedTuple):
    """The kernel of a Newton point: ``kt`` = diag(e^{−top}) e^{−sΔ'} diag(e^{−g}) (each
    row's largest entry 1) at slope ``s`` and tilt ``g``, its output weights ``r`` and
    ``u`` = kt r."""

    kt: NDArray
    top: NDArray
    r: NDArray
    u: NDArray
    s: float
    g: NDArray


class _Direction:
    """A Newton direction: dr, dz, dλ, dt, dσ, the ball's slack and (ds, dμ, dν)."""

    def __init__(self, r, z, lam, t, sig, sw, s, mu, nu) -> None:
        self.r, self.z, self.lam, self.t, self.sig, self.sw = r, z, lam, t, sig, sw
        self.s, self.mu, self.nu = s, mu, nu

    def finite(self) -> bool:
        return bool(
            np.isfinite(self.r).all() and np.isfinite(self.z).all()
            and np.isfinite(self.lam).all() and np.isfinite(self.sig).all()
            and np.isfinite([self.sw, self.s, self.mu, self.nu]).all()
        )  # fmt: skip


class _Residuals:
    """Residuals of the optimality conditions at an iterate (``tau`` excluded)."""

    def __init__(self, x: _Iterate, shifted, p, pieces: SeparablePieces, P: float, target):
        # c = −∂h/∂s = ∂ distortion/∂r
        if x.moments is not None:
            mean, self.var, self.c = x.moments
        else:
            mean, self.var, self.c = distortion_derivatives(x.kt, shifted, p, x.r, x.u)
        self.pairs = x.r.size + x.lam.size + 1
        self.gap = (float(x.r @ x.z) + float((x.lam * x.sig).sum()) + x.mu * x.sw) / self.pairs
        self.d = -x.h - x.z + x.nu
        self.p = float(x.r.sum()) - 1.0
        self.s = float(p @ mean) - target
        self.t = x.mu - x.lam.sum(axis=1)
        self.w = pieces.const + float(x.t.sum()) + x.sw - P
        self.worst = max(
            float(np.abs(self.d).max()), abs(self.p), abs(self.s),
            float(np.abs(self.t).max()) / max(x.mu, 1.0), abs(self.w),
        )  # fmt: skip


class _Iterate:
    """The interior-point iterate (r, z, ν, s, μ, t, λ, σ, slack) and the kernel at it.

    The ball is an inequality, C_0 + Σ_k t_k + slack = P with μ · slack = τ, so that
    an inactive constraint (μ → 0) keeps the system regular.
    """

    @classmethod
    def start(
        cls, shifted, p, pieces: SeparablePieces, P: float, r0, s0, mu0: float, mix, squared=None
    ):
        x = cls()
        x.squared = squared
        m = shifted.shape[1]
        x.r = (1 - mix) * r0 / r0.sum() + mix / m
        x.s, x.mu = float(s0), max(float(mu0), 1e-6)
        ell = pieces.affine(pieces.coords(x.r))
        x.t = ell.max(axis=1) + 1e-2 * max(P / m, 1e-12)
        x.sig = x.t[:, None] - ell
        inv = 1.0 / x.sig
        x.lam = x.mu * inv / inv.sum(axis=1, keepdims=True)  # centred: λσ equal per row
        x.sw = max(P - pieces.const - float(x.t.sum()), 1e-2 * P)
        x.refresh(shifted, p, pieces)
        x.nu = float(x.h.max()) * 1.01
        x.z = np.maximum(x.nu - x.h, 1e-3 * x.nu)
        return x

    def refresh(self, shifted, p, pieces: SeparablePieces) -> None:
        g = pieces.adjoint((self.lam * pieces.slope).sum(axis=1))  # g = Aᵀ a
        self.g = g - g.min()  # a gauge: h is invariant to a common factor of the kernel
        # each row scaled to its largest entry: the conditions are invariant to row factors
        # and no row underflows
        # in place from here, in the last point's array (None after a certificate check,
        # which may have kept it): one N × M array for the iteration
        log_k = np.multiply(shifted, -self.s, out=getattr(self, "kt", None))
        log_k -= self.g[None, :]
        top = log_k.max(axis=1, keepdims=True)
        log_k -= top
        self.top = top[:, 0]
        self.kt = np.exp(log_k, out=log_k)
        self.moments = None
        if self.squared is not None:
            self._squared_products(p)
            return
        self.u = self.kt @ self.r
        self.w = p / self.u
        self.h = self.kt.T @ self.w

    def _squared_products(self, p) -> None:
        """u, w, h and the distortion's moments for Δ'_ij = (x_i − y_j)², in two passes.

        With m_a = (K̃ (y^a ⊙ r)) / u: the row means of (x − y)² and (x − y)⁴ are
        binomial sums of x^b m_a; c_j = Σ_i w_i K̃_ij ((x_i − y_j)² − mean_i) is
        K̃ᵀ(w(x² − mean)) − 2 y K̃ᵀ(w x) + y² K̃ᵀ w (``distortion_derivatives``).
        """
        xs, ys = self.squared
        powers = self.r[:, None] * ys[:, None] ** np.arange(5)[None, :]
        prod = self.kt @ powers  # N × 5
        self.u = prod[:, 0]
        mom = prod[:, 1:] / self.u[:, None]
        mean = xs**2 - 2 * xs * mom[:, 0] + mom[:, 1]
        fourth = (
            xs**4 - 4 * xs**3 * mom[:, 0] + 6 * xs**2 * mom[:, 1] - 4 * xs * mom[:, 2] + mom[:, 3]
        )
        self.w = p / self.u
        var = float(p @ np.maximum(fourth - mean**2, 0.0))
        back = self.kt.T @ np.column_stack((self.w, self.w * xs, self.w * (xs**2 - mean)))
        self.h = back[:, 0]
        c = back[:, 2] - 2 * ys * back[:, 1] + ys**2 * back[:, 0]
        self.moments = (mean, var, c)

    def tilted(self) -> TiltedKernel:
        return TiltedKernel(self.kt, self.top, self.r, self.u, self.s, self.g)

    def residuals(self, shifted, p, pieces, P, target) -> _Residuals:
        return _Residuals(self, shifted, p, pieces, P, target)

    def longest(self, step: _Direction) -> float:
        """The longest step in [0, 1] keeping r, z, λ, σ, μ and the slack non-negative."""
        alpha = 1.0
        for ds, value in ((step.r, self.r), (step.z, self.z), (step.lam, self.lam),
                          (step.sig, self.sig)):  # fmt: skip
            # the least −value/ds over ds < 0, as −max(value/ds) there (negation is exact;
            # no entry with ds < 0: −max = +inf); the caller ignores floating-point errors
            ratio = np.where(ds < 0, value / ds, -np.inf)
            alpha = min(alpha, -float(ratio.max()))
        for ds, value in ((step.mu, self.mu), (step.sw, self.sw)):
            if ds < 0:
                alpha = min(alpha, float(-value / ds))
        return alpha

    def move(self, step: _Direction, alpha: float, shifted, p, pieces) -> None:
        self.r = np.maximum(self.r + alpha * step.r, 1e-300)
        self.z = np.maximum(self.z + alpha * step.z, 1e-300)
        self.lam = np.maximum(self.lam + alpha * step.lam, 1e-300)
        self.sig = np.maximum(self.sig + alpha * step.sig, 1e-300)
        self.t = self.t + alpha * step.t
        self.nu += alpha * step.nu
        self.mu = max(self.mu + alpha * step.mu, 1e-300)
        self.sw = max(self.sw + alpha * step.sw, 1e-300)
        self.s = max(self.s + alpha * step.s, 0.0)
        self.refresh(shifted, p, pieces)


class _Linearisation:
    """The Newton system at an iterate, reduced to (dr, ds, dμ, dν) and factorised once.

    The piece multipliers are eliminated per k, dλ = (−r_λ − λ dσ)/σ with
    dσ_ki = dt_k − d_ki dR_k, which gives da_k = Γ_k dR_k + β_k dμ + γ_k; the
    weights' duals by dz = (−r_c − z dr)/r. The matrix does not depend on the
    complementarity targets, so the predictor and the corrector share its LU factors.
    """

    def __init__(self, x: _Iterate, res: _Residuals, pieces: SeparablePieces, m: int) -> None:
        d = pieces.slope
        self.x, self.res, self.pieces, self.m = x, res, pieces, m
        ratio = x.lam / x.sig
        self.wk = ratio.sum(axis=1)
        self.bk = (ratio * d).sum(axis=1)
        gamma = (ratio * d * d).sum(axis=1) - self.bk**2 / self.wk
        self.beta = self.bk / self.wk
        self.cr = pieces.coords(x.r * res.c)
        self.system = None
        ys = getattr(pieces, "ys", None)
        if ys is not None and m >= STRUCTURED_MIN_M:
            try:
                self.system = self._structured(gamma, ys)
            except (StructureUnavailable, np.linalg.LinAlgError, ValueError):
                self.system = None
        if self.system is not None:
            return
        if x.kt.shape[0] * m * m + m**3 > DENSE_WORK:
            raise np.linalg.LinAlgError("no structured form and too large a dense system")
        hess = (x.kt * (x.w / x.u)[:, None]).T @ x.kt  # Kᵀ diag(p/u²) K
        self.gmat = hess * x.r[None, :]  # ∂h/∂g = −diag(h) + H diag(r)
        self.gmat[np.diag_indices(m)] -= x.h
        a = np.zeros((m + 3, m + 3))
        a[:m, :m] = hess - pieces.tilt_block(self.gmat, gamma)
        a[np.arange(m), np.arange(m)] += x.z / x.r
        a[:m, m] = res.c
        a[:m, m + 1] = -(self.gmat @ pieces.adjoint(self.beta))
        a[:m, m + 2] = 1.0
        a[m, :m] = 1.0
        a[m + 1, :m] = res.c + pieces.adjoint(self.cr * gamma)
        a[m + 1, m] = -res.var
        a[m + 1, m + 1] = float(self.cr @ self.beta)
        a[m + 2, :m] = pieces.adjoint(self.beta)
        a[m + 2, m + 1] = self._corner_mu()
        if not np.isfinite(a).all():
            raise ValueError("non-finite Newton system")
        # LAPACK's getrf and getrs directly (scipy.linalg.lu_factor / lu_solve call the
        # same routines behind a wrapper that costs more than the solve at M = 128)
        lu, piv, info = dgetrf(a, overwrite_a=True)
        if info < 0 or not np.abs(np.diag(lu)).min() > 0:
            raise np.linalg.LinAlgError("singular Newton system")
        self.lu, self.piv = lu, piv

    def _corner_mu(self) -> float:
        x = self.x
        return -float((1.0 / self.wk).sum()) - x.sw / x.mu

    def _gmat_mul(self, v: NDArray) -> NDArray:
        """∂h/∂g times v: H (r ⊙ v) − h ⊙ v."""
        if self.system is None:
            return self.gmat @ v
        return self.system.hess_mul(self.x.r * v) - self.x.h * v

    def _structured(self, gamma: NDArray, ys: NDArray) -> StructuredSystem:
        """The system without M × M matrices (``rdp.solvers.perception_structured``)."""
        x, res, pieces, m = self.x, self.res, self.pieces, self.m
        u_lr, v_lr = low_rank_kernel(x.kt, ys, x.g)
        adj_beta = pieces.adjoint(self.beta)
        wu = x.w / x.u
        gmat_beta = x.kt.T @ (wu * (x.kt @ (x.r * adj_beta))) - x.h * adj_beta
        cols = np.column_stack((res.c, -gmat_beta, np.ones(m)))
        rows = np.vstack((np.ones(m), res.c + pieces.adjoint(self.cr * gamma), adj_beta))
        corner = np.array(
            [[0.0, 0.0, 0.0], [-res.var, float(self.cr @ self.beta), 0.0],
             [0.0, self._corner_mu(), 0.0]]
        )  # fmt: skip
        if not (np.isfinite(cols).all() and np.isfinite(rows).all() and np.isfinite(corner).all()):
            raise ValueError("non-finite Newton system")
        return StructuredSystem(x.kt, wu, x.r, x.h, x.z, gamma, cols, rows, corner, u_lr, v_lr)

    def direction(self, r_c: NDArray, r_l: NDArray, r_mu: float) -> _Direction:
        """The step for complementarity residuals r∘z − τ = ``r_c``, λ∘σ − τ = ``r_l``
        and μ · slack − τ = ``r_mu``."""
        x, res, m, pieces = self.x, self.res, self.m, self.pieces
        d = pieces.slope
        neg_l = -r_l
        rho = (neg_l / x.sig).sum(axis=1)
        gam = (neg_l * d / x.sig).sum(axis=1) - self.beta * (rho - res.t)
        rhs = np.empty(m + 3)
        rhs[:m] = -res.d - r_c / x.r + self._gmat_mul(pieces.adjoint(gam))
        rhs[m] = -res.p
        rhs[m + 1] = -res.s - float(self.cr @ gam)
        rhs[m + 2] = -res.w + r_mu / x.mu - float(((rho - res.t) / self.wk).sum())
        if self.system is not None:
            try:
                sol = self.system.solve(rhs)
            except StructureUnavailable:  # the caller stops at a non-finite direction
                sol = np.full(m + 3, np.nan)
        else:
            sol, info = dgetrs(self.lu, self.piv, rhs, overwrite_b=True)
            if info != 0:  # pragma: no cover - an argument error of LAPACK's, not a singularity
                raise ValueError(f"illegal value in argument {-info} of getrs")
        dr = sol[:m]
        dR = pieces.coords(dr)
        dt = (self.bk * dR - sol[m + 1] + rho - res.t) / self.wk
        dsig = dt[:, None] - d * dR[:, None]
        dlam = (neg_l - x.lam * dsig) / x.sig
        d_sw = (-r_mu - x.sw * sol[m + 1]) / x.mu
        return _Direction(dr, (-r_c - x.z * dr) / x.r, dlam, dt, dsig, d_sw, *sol[m:])
