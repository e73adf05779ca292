r"""The perception Newton system on the line without M × M matrices.

The Newton system of ``rdp.solvers.perception_newton`` for a Wasserstein ball on the
line (``LinePieces``) has the $M\times M$ block

$$
\mathcal A = H(I - RQ) + \mathrm{diag}(h)\,Q + \mathrm{diag}(z/r),\qquad
H = \tilde K^\top\mathrm{diag}(p/u^2)\tilde K,\quad Q = A^\top\mathrm{diag}(\gamma)A ,
$$

bordered by three rows and columns (slope, multiplier, normalisation), with $A$ the
distribution function ($R = \mathrm{diag}(r)$, $u = \tilde Kr$). Formed densely it costs
$O(NM^2)$ and its LU factors $O(M^3)$. Two structures make it cheaper:

- $B = \mathrm{diag}(h)Q + \mathrm{diag}(z/r)$ is solved in $O(M)$: with $y = Tx$
  ($T$ the full cumulative sum, $T^{-1} = D$ the difference), $Bx = b$ is the symmetric
  positive definite tridiagonal system
  $(\tilde\Gamma + D^\top\mathrm{diag}(z/(rh))D)\,y = D^\top(b/h)$;
- $\tilde K$ is numerically of low rank where the kernel is smooth in the
  reconstruction value (squared error at moderate slopes): interpolating each row of
  $e^{-s\Delta'}$ at $k$ reconstruction values near the Chebyshev points gives
  $\tilde K \approx \tilde K_{:,J}\,L^\top$ and $H \approx V S V^\top$ of rank $k$.

The bordered $B$ plus the rank-$k$ term is solved by the Sherman–Morrison–Woodbury
formula, and the result is refined against the exact operator (products with $H$ by two
passes over $\tilde K$, $O(NM)$): the low-rank form is only a preconditioner, the
direction is that of the exact system to rounding (or the caller falls back to the
dense factorisation). A step then costs $O(NM + (N + M)k^2)$ instead of
$O(NM^2 + M^3)$.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import lu_factor, lu_solve, solveh_banded

#: Interpolation ranks tried, and the largest share of M a rank may reach.
RANKS = (24, 40, 64, 96, 144, 216)
MAX_RANK_SHARE = 0.2
#: Largest interpolation error (entries of the row-scaled kernel lie in [0, 1]).
INTERPOLATION_TOL = 1e-8
#: Refinement sweeps against the exact operator, and their relative residual goal.
REFINE_STEPS = 10
REFINE_TOL = 1e-13


class StructureUnavailable(Exception):
    """The kernel has no low-rank form of a usable rank (the caller forms the dense system)."""


def _cheb_columns(y: NDArray, k: int) -> NDArray:
    """Indices of k distinct reconstruction values nearest the Chebyshev points of [y₀, y_M]."""
    t = np.cos(np.pi * np.arange(k) / (k - 1))[::-1]
    pts = y[0] + (y[-1] - y[0]) * 0.5 * (t + 1.0)
    idx = np.clip(np.searchsorted(y, pts), 1, y.size - 1)
    idx = np.where(np.abs(y[idx - 1] - pts) <= np.abs(y[idx] - pts), idx - 1, idx)
    return np.unique(idx)


def _lagrange(y: NDArray, nodes: NDArray) -> NDArray:
    """L (M × k): L_jn = ℓ_n(y_j), the Lagrange basis of ``nodes`` (barycentric form)."""
    a, b = y[0], y[-1]
    t = 2.0 * (y - a) / (b - a) - 1.0
    tn = t[nodes]
    diff = tn[:, None] - tn[None, :]
    np.fill_diagonal(diff, 1.0)
    # barycentric weights 1/Π(t_n − t_m), scaled in logarithms (no overflow)
    log_w = -np.log(np.abs(diff)).sum(axis=1)
    sign = np.prod(np.sign(diff), axis=1)
    w = sign * np.exp(log_w - log_w.max())
    with np.errstate(divide="ignore", invalid="ignore"):
        c = w[None, :] / (t[:, None] - tn[None, :])
        out = c / c.sum(axis=1, keepdims=True)
    out[nodes, :] = 0.0
    out[nodes, np.arange(nodes.size)] = 1.0
    return out


def low_rank_kernel(kt: NDArray, y: NDArray, g: NDArray) -> tuple[NDArray, NDArray]:
    """U (N × k), V (M × k) with kt ≈ U Vᵀ, by interpolation in the reconstruction value.

    ``kt`` = diag(ρ) e^{−sΔ'} diag(e^{−g}) with entries in [0, 1]; each row of
    e^{−sΔ'} is interpolated at k columns near the Chebyshev points (``RANKS``), and the
    first k whose error on a sample of other columns is below ``INTERPOLATION_TOL`` is
    used. Raises ``StructureUnavailable`` when no rank up to ``MAX_RANK_SHARE`` M does.
    """
    m = kt.shape[1]
    if not np.all(np.diff(y) > 0):
        raise StructureUnavailable("unsorted reconstruction values")
    sample = np.unique(np.linspace(1, m - 2, min(32, m - 2)).astype(int))
    for k in RANKS:
        if k > MAX_RANK_SHARE * m:
            break
        nodes = _cheb_columns(y, k)
        lag = _lagrange(y, nodes)
        shift = g[nodes]
        with np.errstate(over="ignore", invalid="ignore"):
            v = lag * np.exp(shift[None, :] - g[:, None])
        if not np.isfinite(v).all():
            raise StructureUnavailable("the column tilt is too large to interpolate")
        u = kt[:, nodes]
        err = float(np.abs(kt[:, sample] - u @ v[sample].T).max())
        if err <= INTERPOLATION_TOL:
            return u, v
    raise StructureUnavailable("no low-rank form of the kernel")


class StructuredSystem:
    """The bordered Newton system ``[[𝒜, C], [Fᵀ, G]]`` solved by Woodbury + refinement.

    Parameters
    ----------
    kt, w_over_u : ndarray
        The row-scaled tilted kernel (N × M) and p/u² (N): H = ktᵀ diag(p/u²) kt.
    r, h, z : ndarray (M)
        Output law, h and the duals of r ≥ 0.
    gamma : ndarray (M − 1)
        The eliminated pieces' curvature: Q = Aᵀ diag(γ) A.
    cols : ndarray (M × 3)
        The columns of (ds, dμ, dν) in the first M rows.
    rows : ndarray (3 × M)
        The last three rows' entries on dr.
    corner : ndarray (3 × 3)
        Their entries on (ds, dμ, dν).
    u_lr, v_lr : ndarray
        kt ≈ u_lr v_lrᵀ (``low_rank_kernel``).
    """

    def __init__(self, kt, w_over_u, r, h, z, gamma, cols, rows, corner, u_lr, v_lr) -> None:
        self.kt, self.wu, self.r, self.h, self.z = kt, w_over_u, r, h, z
        self.gamma, self.cols, self.rows, self.corner = gamma, cols, rows, corner
        m = r.size
        self.m = m
        # B = diag(h) Q + diag(z/r): the tridiagonal form Γ̃ + Dᵀ diag(e) D in y = T x
        e = z / (r * h)
        e_next = np.append(e[1:], 0.0)
        diag = e + e_next
        diag[:-1] += gamma
        band = np.zeros((2, m))
        band[0, 1:] = -e[1:]  # upper diagonal (solveh_banded's upper form)
        band[1] = diag
        if not (np.isfinite(band).all() and (diag > 0).all()):
            raise StructureUnavailable("non-finite or singular tridiagonal block")
        self.band = band
        # the low-rank part H(I − RQ) ≈ V (S Vᵀ(I − RQ)) = V Wᵀ
        s_mat = (u_lr * w_over_u[:, None]).T @ u_lr
        self.v = v_lr
        vs = v_lr @ s_mat
        self.w = vs - self._q(r[:, None] * vs)  # (I − Q R) V S
        # the bordered B: its Schur complement on the three extra unknowns
        self.binv_cols = self.b_solve(cols)
        schur = corner - rows @ self.binv_cols
        self.schur = lu_factor(schur)
        # Woodbury's capacity matrix I + [W; 0]ᵀ 𝔅⁻¹ [V; 0]
        y_v = self.border_solve(np.vstack((self.v, np.zeros((3, self.v.shape[1])))))
        self.y_v = y_v
        cap = np.eye(self.v.shape[1]) + self.w.T @ y_v[:m]
        if not np.isfinite(cap).all():
            raise StructureUnavailable("non-finite capacity matrix")
        self.cap = lu_factor(cap)

    # ----------------------------------------------------------------- pieces of the operator
    def _q(self, x: NDArray) -> NDArray:
        """Q x with Q = Aᵀ diag(γ) A, A the distribution function (columns of x)."""
        two_d = x.ndim == 2
        xx = x if two_d else x[:, None]
        coords = np.cumsum(xx, axis=0)[:-1] * self.gamma[:, None]
        out = np.zeros_like(xx)
        out[:-1] = np.cumsum(coords[::-1], axis=0)[::-1]
        return out if two_d else out[:, 0]

    def hess_mul(self, x: NDArray) -> NDArray:
        """H x = ktᵀ (p/u² ⊙ kt x) exactly (two passes over the kernel)."""
        return self.kt.T @ (self.wu * (self.kt @ x))

    def b_solve(self, b: NDArray) -> NDArray:
        """B⁻¹ b for B = diag(h) Q + diag(z/r), in O(M) per column."""
        two_d = b.ndim == 2
        bb = b if two_d else b[:, None]
        rhs = bb / self.h[:, None]
        # Dᵀ rhs: (Dᵀ c)_j = c_j − c_{j+1}
        drhs = rhs.copy()
        drhs[:-1] -= rhs[1:]
        yv = solveh_banded(self.band, drhs, check_finite=False)
        x = np.diff(yv, axis=0, prepend=0.0)
        return x if two_d else x[:, 0]

    def border_solve(self, b: NDArray) -> NDArray:
        """𝔅⁻¹ b for the bordered B (no low-rank term); b has M + 3 rows."""
        m = self.m
        top = self.b_solve(b[:m])
        xi = lu_solve(self.schur, b[m:] - self.rows @ top)
        return np.concatenate((top - self.binv_cols @ xi, xi))

    def precondition(self, b: NDArray) -> NDArray:
        """``(𝔅 + [V; 0] [W; 0]ᵀ)⁻¹ b`` by the Sherman–Morrison–Woodbury formula."""
        x0 = self.border_solve(b)
        corr = lu_solve(self.cap, self.w.T @ x0[: self.m])
        return x0 - self.y_v @ corr

    def apply(self, x: NDArray) -> NDArray:
        """The exact operator times x (M + 3 entries)."""
        m = self.m
        dr, xi = x[:m], x[m:]
        qdr = self._q(dr)
        top = self.hess_mul(dr - self.r * qdr) + self.h * qdr + (self.z / self.r) * dr
        top += self.cols @ xi
        return np.concatenate((top, self.rows @ dr + self.corner @ xi))

    def solve(self, b: NDArray) -> NDArray:
        """The exact system's solution: Woodbury, then refinement against ``apply``."""
        x = self.precondition(b)
        scale = float(np.abs(b).max()) or 1.0
        for _ in range(REFINE_STEPS):
            res = b - self.apply(x)
            if not np.isfinite(res).all():
                raise StructureUnavailable("non-finite residual")
            if float(np.abs(res).max()) <= REFINE_TOL * scale:
                return x
            x = x + self.precondition(res)
        res = b - self.apply(x)
        if not float(np.abs(res).max()) <= 1e-9 * scale:
            raise StructureUnavailable("the refinement did not converge")
        return x
