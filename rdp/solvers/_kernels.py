r"""Numerical kernels of the fast finite solver that exploit one-dimensional structure.

For laws on the real line and a ground cost $c(x, y) = |x - y|^k$ with
$k \ge 1$ (convex in $x - y$), the monotone (north-west corner,
quantile) coupling is an optimal transport plan, so

$$
W_c(p, q) = \int_0^1 c\big(F_p^{-1}(u), F_q^{-1}(u)\big)\,du
$$

is evaluated exactly in $O((N + M)\log(N + M))$ by merging the two
cumulative distribution functions (no linear program). The Gibbs kernels
$e^{-s\Delta'}$ of the iteration (dense, and O(N + M) for Hamming distortions), one
immutable kernel per slope, and the rate-distortion Newton phase are here too.

Nothing here imports POT; everything is vectorised numpy.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from scipy.special import xlogy


class Line:
    """Two sorted alphabets on the real line with cost |x − y|^order.

    Parameters
    ----------
    x, y : ndarray
        Source and reconstruction values (any order; sorted internally).
    order : float
        Exponent k ≥ 1 of the ground cost.
    """

    def __init__(self, x: NDArray, y: NDArray, order: float) -> None:
        self.order = float(order)
        self.ix = np.argsort(x, kind="stable")
        self.iy = np.argsort(y, kind="stable")
        self.xs = np.asarray(x, dtype=float)[self.ix]
        self.ys = np.asarray(y, dtype=float)[self.iy]

    def _cost(self, i: NDArray, j: NDArray) -> NDArray:
        return np.abs(self.xs[i] - self.ys[j]) ** self.order

    def _staircase(self, p: NDArray, q: NDArray):
        """Cells (i_k, j_k) of the monotone coupling and their masses (sorted alphabets)."""
        fp = np.cumsum(p[self.ix])
        fq = np.cumsum(q[self.iy])
        fp /= fp[-1]
        fq /= fq[-1]
        u = np.sort(np.concatenate((fp[:-1], fq)))  # breakpoints (repeats: empty cells)
        mass = np.diff(u, prepend=0.0)
        mids = u - 0.5 * mass
        i = np.minimum(np.searchsorted(fp, mids), fp.size - 1)
        j = np.minimum(np.searchsorted(fq, mids), fq.size - 1)
        return i, j, mass, fp, fq

    def cost(self, p: NDArray, q: NDArray) -> float:
        """W_c(p, q) (q normalised): the cost of the monotone coupling."""
        i, j, mass, _, _ = self._staircase(p, q)
        return float(mass @ self._cost(i, j))


# ---------------------------------------------------------------------- Gibbs kernels
# A kernel object holds one slope and never changes: ``kernels.at(s)`` returns the kernel at
# slope s, so no caller can read a kernel whose slope another caller has moved.


class DenseKernel:
    r"""The Gibbs kernel $K = e^{-s\,\Delta'}$ of a shifted distortion Δ' at one slope s.

    Built by [`DenseKernels.at`][rdp.solvers._kernels.DenseKernels.at]; the N × M array is
    read-only, so the kernel stays the kernel at ``s`` for as long as it is held.
    """

    structured = False
    __slots__ = ("k", "s", "shifted")

    def __init__(self, shifted: NDArray, s: float) -> None:
        self.shifted = shifted
        self.s = s
        self.k = np.multiply(shifted, -s)  # e^{−sΔ'} in one N × M array, in place
        np.exp(self.k, out=self.k)
        self.k.flags.writeable = False

    def matvec(self, v: NDArray) -> NDArray:
        return self.k @ v

    def rmatvec(self, w: NDArray) -> NDArray:
        return self.k.T @ w

    def moments(self, v: NDArray, kv: NDArray) -> tuple[NDArray, NDArray]:
        """Row means and second moments of Δ' under J(·|x_i) ∝ K_i· v."""
        n, m = self.k.shape
        if n * m <= MOMENT_BLOCK:
            k_d = self.k * self.shifted
            mean = (k_d @ v) / kv
            k_d *= self.shifted  # in place: one N × M temporary instead of two
            second = (k_d @ v) / kv
            return mean, second
        mean, second = np.empty(n), np.empty(n)
        step = max(1, MOMENT_BLOCK // m)
        for a in range(0, n, step):  # by blocks of rows: no N × M temporary
            rows = slice(a, min(a + step, n))
            k_d = self.k[rows] * self.shifted[rows]
            mean[rows] = k_d @ v
            k_d *= self.shifted[rows]
            second[rows] = k_d @ v
        return mean / kv, second / kv

    def joint(self, p: NDArray, v: NDArray, kv: NDArray) -> NDArray:
        return (p / kv)[:, None] * (self.k * v[None, :])


#: Entries from which the moments of a dense kernel go by blocks of rows of this size.
MOMENT_BLOCK = 1 << 22


class DenseKernels:
    """The dense Gibbs kernels of one shifted distortion Δ', one per slope.

    ``at(s)`` builds the kernel at slope s (an N × M exponential) or returns the last one
    built when its slope is s; a kernel that a caller holds keeps its slope whatever is
    asked afterwards.
    """

    structured = False

    def __init__(self, shifted: NDArray) -> None:
        self.shifted = shifted
        self._last: DenseKernel | None = None

    def at(self, s: float) -> DenseKernel:
        """The kernel at slope ``s``."""
        if self._last is None or self._last.s != s:
            self._last = None  # the old kernel's array is freed before the new one is formed
            self._last = DenseKernel(self.shifted, s)
        return self._last

    def forget(self) -> None:
        """Drop the kept kernel (an N × M array) while a phase that does not read it runs."""
        self._last = None


class HammingKernel:
    r"""The Gibbs kernel of a Hamming distortion at one slope s, in O(N + M) per product.

    Row i of Δ' is $1 - e_{j(i)}$ when x_i is a reconstruction value y_{j(i)}
    and 0 otherwise, so $K_{ij} = b_i + d_i 1[j = j(i)]$ with
    $b_i = e^{-s}, d_i = 1 - e^{-s}$ (matched rows) or $b_i = 1, d_i = 0$.
    Built by [`HammingKernels.at`][rdp.solvers._kernels.HammingKernels.at].
    """

    structured = True
    __slots__ = ("base", "bonus", "cols", "e", "m", "matched", "s")

    def __init__(self, layout: HammingKernels, s: float) -> None:
        e = float(np.exp(-s))
        self.matched, self.cols, self.m = layout.matched, layout.cols, layout.m
        self.base = np.where(self.matched, e, 1.0)
        self.bonus = np.where(self.matched, 1.0 - e, 0.0)
        self.e = e
        self.s = s

    def matvec(self, v: NDArray) -> NDArray:
        return self.base * v.sum() + self.bonus * v[self.cols]

    def rmatvec(self, w: NDArray) -> NDArray:
        out = np.full(self.m, float(self.base @ w))
        return out + np.bincount(self.cols, weights=self.bonus * w, minlength=self.m)

    def moments(self, v: NDArray, kv: NDArray) -> tuple[NDArray, NDArray]:
        mean = np.where(self.matched, self.e * (v.sum() - v[self.cols]), 0.0) / kv
        return mean, mean

    def joint(self, p: NDArray, v: NDArray, kv: NDArray) -> NDArray:
        scale = p / kv
        out = (scale * self.base)[:, None] * v[None, :]
        rows = np.flatnonzero(self.matched)
        out[rows, self.cols[rows]] += (scale * self.bonus * v[self.cols])[rows]
        return out


class HammingKernels:
    """The Hamming Gibbs kernels of one problem (its matching j(i)), one per slope.

    ``at(s)`` returns the kernel at slope s (O(N) to build); ``feasible_upper`` is the
    O(N + M) upper bound of the solver without perception.
    """

    structured = True

    def __init__(self, match: NDArray, m: int) -> None:
        self.match = match
        self.matched = match >= 0
        self.cols = np.where(self.matched, match, 0)
        self.m = m

    @classmethod
    def detect(cls, shifted: NDArray) -> HammingKernels | None:
        """The structured kernels when Δ' has the Hamming form above, else None."""
        if not np.isin(shifted, (0.0, 1.0)).all():
            return None
        zeros = (shifted == 0).sum(axis=1)
        m = shifted.shape[1]
        if not np.all((zeros == 1) | (zeros == m)):
            return None
        match = np.where(zeros == 1, np.argmin(shifted, axis=1), -1)
        if m == 1:
            return None
        return cls(match, m)

    def at(self, s: float) -> HammingKernel:
        """The kernel at slope ``s``."""
        return HammingKernel(self, s)

    def _parts(self, p: NDArray, v: NDArray, s: float, row_min: NDArray):
        """J_ij = a_i v_j + c_i 1[j = j(i)] at slope s, and its expected distortion."""
        e = float(np.exp(-s))
        base = np.where(self.matched, e, 1.0)
        bonus = np.where(self.matched, 1.0 - e, 0.0)
        total = float(v.sum())
        kv = base * total + bonus * v[self.cols]
        a = p * base / kv
        c = p * bonus * v[self.cols] / kv
        dist = float(p @ row_min) + e * float(
            np.where(self.matched, p * (total - v[self.cols]) / kv, 0.0).sum()
        )
        return a, c, dist

    def joint_at(self, p: NDArray, v: NDArray, s: float) -> NDArray:
        """The dense joint J(s, v) (rows p)."""
        kernel = self.at(s)
        return kernel.joint(p, v, kernel.matvec(v))

    def feasible_upper(
        self, p: NDArray, v: NDArray, s: float, D: float, row_min: NDArray
    ) -> tuple[float, tuple[NDArray, float] | None]:
        r"""I(J) in nats of J(s', v) with the least s' ≥ s whose distortion is below D.

        J(s', v) has rows p for every s' (it is a Blahut–Arimoto channel) and its
        distortion decreases in s', so it is feasible once the distortion is at most D
        (with a 1e-13 relative margin). Its mutual information costs O(N + M):
        $\sum J\log J = V\sum_i a_i\log a_i + (\sum_i a_i)\sum_j v_j\log v_j
        + \sum_i [(a_i v_{j(i)} + c_i)\log(a_i v_{j(i)} + c_i) - a_i v_{j(i)}\log(a_i v_{j(i)})]$.
        Returns (inf, None) when no slope reaches D.
        """
        goal = D * (1 - 1e-13)
        a, c, dist = self._parts(p, v, s, row_min)
        if dist > goal:
            lo, hi = s, 2 * s + 1.0
            while self._parts(p, v, hi, row_min)[2] > goal:
                lo, hi = hi, 2 * hi
                if hi > 1e6:
                    return float("inf"), None
            for _ in range(100):
                mid = 0.5 * (lo + hi)
                if self._parts(p, v, mid, row_min)[2] > goal:
                    lo = mid
                else:
                    hi = mid
                if hi - lo <= 1e-15 * hi:
                    break
            s = hi
            a, c, dist = self._parts(p, v, s, row_min)
        total = float(v.sum())
        diag = a * v[self.cols]
        with np.errstate(divide="ignore", invalid="ignore"):
            jlogj = (
                total * float(xlogy(a, a).sum())
                + float(a.sum()) * float(xlogy(v, v).sum())
                + float(
                    np.where(self.matched, xlogy(diag + c, diag + c) - xlogy(diag, diag), 0).sum()
                )
            )
        q = v * float(a.sum()) + np.bincount(self.cols, weights=c, minlength=self.m)
        value = jlogj - float(xlogy(p, p).sum()) - float(xlogy(q, q).sum())
        return max(value, 0.0), (v.copy(), s)


# ---------------------------------------------------------------------- Newton phase
def distortion_derivatives(
    k: NDArray, shifted: NDArray, p: NDArray, q: NDArray, kq: NDArray
) -> tuple[NDArray, float, NDArray]:
    r"""Row means of the distortion under J(s, q), and its derivatives in s and in q.

    For $J_{ij} = p_iK_{ij}q_j/(Kq)_i$ (any positive kernel $K$, e.g. $e^{-s\Delta'}$
    with column factors): ``mean`` $\bar\Delta_i = \sum_jK_{ij}q_j\Delta'_{ij}/(Kq)_i$, so
    the distortion is $\sum_ip_i\bar\Delta_i$; ``var`` $= \sum_ip_i\mathrm{Var}_i(\Delta')$,
    minus its derivative in s; ``c`` $c_j = \sum_i w_iK_{ij}(\Delta'_{ij}-\bar\Delta_i)$
    with $w = p/(Kq)$, its gradient in q (and $-\partial h/\partial s$).
    """
    kd = k * shifted
    mean = (kd @ q) / kq
    w = p / kq
    c = kd.T @ w
    kd *= shifted  # in place: one N × M temporary instead of two
    var = float(p @ np.maximum((kd @ q) / kq - mean**2, 0.0))
    return mean, var, c - k.T @ (w * mean)


def rate_distortion_newton(
    shifted: NDArray,
    p: NDArray,
    q0: NDArray,
    s0: float,
    target: float,
    gap: float,
    max_iter: int = 120,
    deadline: float = np.inf,
) -> tuple[NDArray, float, int]:
    r"""The Blahut–Arimoto fixed point at distortion ``target`` by primal–dual Newton steps.

    For a slope s the weights q minimise $f_s(q) = -\sum_i p_i \log (K_s q)_i$,
    $K_s = e^{-s\Delta'}$, over the simplex (the fixed-slope problem; with
    $h = K_s^\top(p / K_s q)$ its optimality conditions are $h_j \le 1$,
    with equality where $q_j > 0$, and $\log\max_j h_j$ bounds
    $f_s(q) - \min f_s$, Blahut 1972). The slope meets the distortion:
    $\partial_s f_s(q) = \sum_i p_i \,\mathbb E[\Delta'_{i\cdot}]$ is the distortion
    of the channel $J(s, q)$, so the pair (q, s) solves the saddle system

    $$
    -h - z + \nu\mathbf 1 = 0,\quad q \odot z = \tau,\quad \mathbf 1^\top q = 1,
    \quad \partial_s f_s(q) = D', \qquad q, z \ge 0,\ \tau \to 0,
    $$

    on which this runs Newton's method with a fraction-to-boundary rule (an
    interior-point path). The Jacobian blocks are the Hessian
    $H = K^\top \mathrm{diag}(p/(Kq)^2) K$ (N·M² flops, one M × M Cholesky
    factorisation per step), $\partial_q\partial_s f = K^\top\!\big(p\odot(\Delta'
    - \bar\Delta)/Kq\big)$ and $\partial_s^2 f = -\sum_i p_i \mathrm{Var}_i(\Delta')$.
    Where the multiplicative update crawls (neighbouring columns of K nearly equal:
    tens of thousands of iterations) this takes tens of steps.

    Returns ``(q, s, steps)`` with q > 0 normalised. Nothing here is trusted: the
    certificate re-evaluates both bounds at the returned (s, q).
    """
    import scipy.linalg

    m = q0.size
    q = 0.98 * q0 / q0.sum() + 0.02 / m
    s = float(s0)
    k = np.exp(-s * shifted)
    kq = k @ q
    h = k.T @ (p / kq)
    nu = float(h.max()) * 1.01
    z = np.maximum(nu - h, 1e-3 * nu)
    steps = 0
    while steps < max_iter:
        steps += 1
        mean, var, c = distortion_derivatives(k, shifted, p, q, kq)
        r_s = float(p @ mean) - target
        lg = float(np.log(h.max() * q.sum()))
        if lg <= gap and abs(r_s) * max(s, 1e-3) <= gap:
            break
        tau = 0.1 * float(q @ z) / m
        r_d = -h - z + nu
        r_c = q * z - tau
        r_p = float(q.sum()) - 1.0
        w = p / kq
        a = (k * (w / kq)[:, None]).T @ k
        a[np.diag_indices(m)] += z / q
        rhs = np.column_stack((-r_d - r_c / q, c, np.ones(m)))
        try:
            x = scipy.linalg.cho_solve(scipy.linalg.cho_factor(a, check_finite=False), rhs)
        except (np.linalg.LinAlgError, ValueError):
            a[np.diag_indices(m)] += 1e-12 * float(np.trace(a)) / m
            try:
                x = np.linalg.solve(a, rhs)
            except np.linalg.LinAlgError:
                break
        xb, xc, x1 = x[:, 0], x[:, 1], x[:, 2]
        # dq = xb − ds·xc − dν·x1 with cᵀdq − var·ds = −r_s and 1ᵀdq = −r_p
        system = np.array([[c @ xc + var, c @ x1], [xc.sum(), x1.sum()]])
        try:
            ds, d_nu = np.linalg.solve(system, [c @ xb + r_s, xb.sum() + r_p])
        except np.linalg.LinAlgError:
            break
        dq = xb - ds * xc - d_nu * x1
        dz = (-r_c - z * dq) / q
        alpha = 1.0
        for step, value in ((dq, q), (dz, z)):
            neg = step < 0
            if neg.any():
                alpha = min(alpha, 0.99 * float((-value[neg] / step[neg]).min()))
        if alpha * abs(ds) > 0.5 * s + 0.1:  # keep the slope step moderate far from the root
            alpha = (0.5 * s + 0.1) / abs(ds)
        q = np.maximum(q + alpha * dq, 1e-300)
        z = np.maximum(z + alpha * dz, 1e-300)
        nu = nu + alpha * d_nu
        s = max(s + alpha * ds, 0.0)
        k = np.exp(-s * shifted)
        kq = k @ q
        h = k.T @ (p / kq)
        if not np.isfinite(h).all() or time.perf_counter() > deadline:
            break
    return q / q.sum(), s, steps
