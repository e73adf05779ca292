r"""The perception as a separable polyhedral function, for the perception Newton phase.

Two perceptions are, exactly,
$d(p_X, r) = C_0 + \sum_k \varphi_k((Ar)_k)$ with convex piecewise-linear
$\varphi_k = \max_i \ell_{ki}$ and a fixed linear map $A$:

- *Wasserstein on the line* (sorted alphabets, cost $c(x, y) = |x - y|^k$, $k \ge 1$):
  the monotone coupling is optimal, and with $R_k = \sum_{j \le k} r_j$ ($A$: the
  distribution function, $k < M$) and $F_i = \sum_{i' \le i} p_{i'}$,
  $\varphi_k(t) = \max_i [\varphi_k(F_{i-1}) + d_{ki}(t - F_{i-1})]$ with
  $d_{ki} = c(x_i, y_k) - c(x_i, y_{k+1})$ (increasing in $i$ for a convex cost) and
  $C_0 = \sum_i p_i c(x_i, y_M)$. (Write the transport cost as
  $\int_0^1 c(F_p^{-1}(u), F_r^{-1}(u))\,du$ and split the integral at the levels $R_k$.)
- *Total variation*: $\tfrac12\sum_j |r_j - \tilde p_j| + \tfrac12 m_{\text{out}}$
  ($A$ the identity, two pieces per symbol; $\tilde p$ the source mass on each
  reconstruction value, $m_{\text{out}}$ the rest).

Each class gives the map $A$ (``coords``, ``adjoint``), the pieces $\ell_{ki}$ at a point
(``affine``) and the value; ``rdp.solvers.perception_newton`` solves the optimality
conditions with them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import NDArray


class SeparablePieces(ABC):
    """A perception d(p_X, r) = C_0 + Σ_k max_i ℓ_ki((A r)_k), the ℓ_ki affine.

    ``base``, ``slope`` and ``start`` (K × I, or broadcastable) give
    ℓ_ki(t) = base_ki + slope_ki (t − start_ki); subclasses fix the map A.
    """

    base: NDArray
    slope: NDArray
    start: NDArray
    const: float

    @abstractmethod
    def coords(self, r: NDArray) -> NDArray:
        """A r."""

    @abstractmethod
    def adjoint(self, a: NDArray) -> NDArray:
        """Aᵀ a (length M)."""

    @abstractmethod
    def tilt_block(self, gmat: NDArray, gamma: NDArray) -> NDArray:
        """``gmat`` Aᵀ diag(γ) A."""

    def affine(self, R: NDArray) -> NDArray:
        """ℓ_ki(R_k) for every k and piece i."""
        return self.base + self.slope * (R[:, None] - self.start)

    def value(self, r: NDArray) -> float:
        """d(p_X, r) = C_0 + Σ_k max_i ℓ_ki((A r)_k)."""
        return self.const + float(self.affine(self.coords(r)).max(axis=1).sum())

    def multiplier_estimate(self, q: NDArray, log_h: NDArray) -> float:
        """A starting μ from an iterate: the least-squares fit of log h ≈ c + μ Aᵀ ℓ'(A q).

        At the optimum the tilt is g = log h up to a constant, with g = μ Aᵀ ℓ' where
        each coordinate lies inside a linear piece (ℓ' its slope).
        """
        R = self.coords(q)
        d = self.slope[np.arange(R.size), self.affine(R).argmax(axis=1)]
        psi = self.adjoint(d)
        on = (q > 1e-8 * q.max()) & np.isfinite(log_h)
        if on.sum() < 2:
            return 1e-3
        x, y = psi[on] - psi[on].mean(), log_h[on] - log_h[on].mean()
        den = float(x @ x)
        return max(float(x @ y) / den, 1e-6) if den > 0 else 1e-3


class LinePieces(SeparablePieces):
    """W_c(p, ·) on the line as a function of the output distribution function R_k, k < M.

    Parameters
    ----------
    p : ndarray
        Source law on the sorted source values ``xs`` (N).
    xs, ys : ndarray
        Sorted source (N) and reconstruction (M) values.
    order : float
        Exponent k ≥ 1 of the cost |x − y|^k.
    """

    def __init__(self, p: NDArray, xs: NDArray, ys: NDArray, order: float) -> None:
        cost = np.abs(xs[:, None] - ys[None, :]) ** order
        self.ys = np.asarray(ys, dtype=float)
        f = np.cumsum(p)
        f /= f[-1]
        self.start = np.concatenate(([0.0], f[:-1]))[None, :]  # piece i: [F_{i-1}, F_i]
        self.slope = (cost[:, :-1] - cost[:, 1:]).T  # (M − 1) × N: d_ki
        inner = np.cumsum(p[None, :] * self.slope, axis=1)[:, :-1]
        self.base = np.concatenate((np.zeros((inner.shape[0], 1)), inner), axis=1)  # φ_k(F_{i−1})
        self.const = float(p @ cost[:, -1])

    def coords(self, r: NDArray) -> NDArray:
        return np.cumsum(r)[:-1]

    def adjoint(self, a: NDArray) -> NDArray:
        return _rev(a)

    def tilt_block(self, gmat: NDArray, gamma: NDArray) -> NDArray:
        # (G Aᵀ)_jk = Σ_{l ≤ k} G_jl and (X A)_jl = Σ_{k ≥ l} X_jk: O(M²)
        gt = np.cumsum(gmat, axis=1)[:, :-1] * gamma[None, :]
        out = np.zeros(gmat.shape)
        out[:, :-1] = np.cumsum(gt[:, ::-1], axis=1)[:, ::-1]
        return out


class TVPieces(SeparablePieces):
    """TV(p_X, r) = ½ Σ_j |r_j − p̃_j| + ½ m_out: two pieces per reconstruction symbol.

    Parameters
    ----------
    p_tilde : ndarray
        Source mass on each reconstruction value (M).
    m_out : float
        Source mass on no reconstruction value.
    """

    def __init__(self, p_tilde: NDArray, m_out: float) -> None:
        self.start = np.asarray(p_tilde, dtype=float)[:, None]
        self.slope = np.tile([-0.5, 0.5], (self.start.shape[0], 1))
        self.base = np.zeros_like(self.slope)
        self.const = 0.5 * float(m_out)

    def coords(self, r: NDArray) -> NDArray:
        return r

    def adjoint(self, a: NDArray) -> NDArray:
        return a

    def tilt_block(self, gmat: NDArray, gamma: NDArray) -> NDArray:
        return gmat * gamma[None, :]


def _rev(x: NDArray) -> NDArray:
    """Reverse cumulative sums with a last entry 0: Aᵀ x for A = the distribution function."""
    return np.concatenate((np.cumsum(x[::-1])[::-1], [0.0]))


class DistinctLinePieces(SeparablePieces):
    r"""``LinePieces`` for W₁ (cost |x − y|) without the (M − 1) × N arrays.

    For k = 1 the slope $d_{ki} = |x_i - y_k| - |x_i - y_{k+1}|$ is $-(y_{k+1} - y_k)$
    for $x_i \le y_k$ and $+(y_{k+1} - y_k)$ for $x_i \ge y_{k+1}$: the pieces on each
    side lie on one line, so $\varphi_k$ has only $2 + \#\{x_i \in (y_k, y_{k+1})\}$
    distinct pieces — two where both alphabets are one grid. They are kept, each
    coordinate padded to a common width by repeating its last piece (a repeated
    constraint changes nothing); the values
    $\varphi_k(F_{i-1}) = \sum_{i' < i} p_{i'}d_{ki'}$ come from prefix sums of $p$ and
    $p\,x$ on each side of $y_k$ and $y_{k+1}$. The function is the same as
    ``LinePieces``'s; the Newton iteration stores $O(M\cdot\text{width})$ numbers.

    Parameters
    ----------
    p, xs, ys : ndarray
        As for ``LinePieces`` (sorted values).
    """

    def __init__(self, p: NDArray, xs: NDArray, ys: NDArray) -> None:
        self.p = np.asarray(p, dtype=float)
        self.xs = np.asarray(xs, dtype=float)
        self.ys = np.asarray(ys, dtype=float)
        self.n, self.m = self.xs.size, self.ys.size
        f = np.cumsum(self.p)
        f /= f[-1]
        self.f_prev = np.concatenate(([0.0], f[:-1]))
        # Σ_{i < n} p_i and Σ_{i < n} p_i x_i, n = 0 … N
        self.m0 = np.concatenate(([0.0], np.cumsum(self.p)))
        self.m1 = np.concatenate(([0.0], np.cumsum(self.p * self.xs)))
        self.const = float(self.p @ np.abs(self.xs - self.ys[-1]))
        a = np.searchsorted(self.xs, self.ys[:-1], side="right")  # x_i ≤ y_k for i < a
        b = np.searchsorted(self.xs, self.ys[1:], side="left")  # x_i < y_{k+1} for i < b
        self.width = int((b - a).max()) + 2
        last = np.minimum(b, self.n - 1)
        cols = np.minimum(a[:, None] + np.arange(self.width - 1)[None, :], last[:, None])
        self.cols = np.concatenate((np.zeros((a.size, 1), dtype=int), cols), axis=1)
        self.base, self.slope, self.start = self._pieces(self.cols)

    @staticmethod
    def width_of(xs: NDArray, ys: NDArray) -> int:
        """The padded number of pieces per coordinate (without building them)."""
        a = np.searchsorted(xs, ys[:-1], side="right")
        b = np.searchsorted(xs, ys[1:], side="left")
        return int((b - a).max()) + 2

    def prefix_cost(self, n: NDArray, y: NDArray) -> NDArray:
        """Σ_{i < n} p_i |x_i − y| for arrays n (0 … N) and y of one shape."""
        a = np.searchsorted(self.xs, y, side="left")  # x_i < y for i < a
        left = np.minimum(n, a)
        right = np.maximum(n, left)
        below = y * self.m0[left] - self.m1[left]
        above = (self.m1[right] - self.m1[left]) - y * (self.m0[right] - self.m0[left])
        return below + above

    def _pieces(self, cols: NDArray):
        """(base, slope, start) of the pieces ``cols`` ((M − 1) × width)."""
        x = self.xs[cols]
        y0 = np.broadcast_to(self.ys[:-1, None], cols.shape)
        y1 = np.broadcast_to(self.ys[1:, None], cols.shape)
        slope = np.abs(x - y0) - np.abs(x - y1)
        base = self.prefix_cost(cols, y0) - self.prefix_cost(cols, y1)
        return base, slope, self.f_prev[cols]

    def coords(self, r: NDArray) -> NDArray:
        return np.cumsum(r)[:-1]

    def adjoint(self, a: NDArray) -> NDArray:
        return _rev(a)

    def tilt_block(self, gmat: NDArray, gamma: NDArray) -> NDArray:
        return LinePieces.tilt_block(self, gmat, gamma)
