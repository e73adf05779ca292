r"""The fast solver's per-problem arrays, its settings, and the certified bounds at an iterate.

A [`Context`][rdp.solvers.fast.context.Context] is built once per problem and read by
every point: the finite problem (``rdp.solvers.finite``), the shifted distortion
$\Delta' = \Delta - \min_j \Delta$ and its Gibbs kernels $e^{-s\Delta'}$
(``rdp.solvers._kernels``: one immutable kernel per slope), and the bounds of
``rdp.solvers.certificate`` (shared with the cvxpy method) evaluated at a slope
$s \ge 0$ and weights $v \ge 0$: the Lagrangian dual lower bound and the rate of a
repaired, exactly feasible channel. Both hold at any (s, v), so no bound rests on the
iteration having converged (``docs/solver.md``, "Certificate").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.channels import DiscreteChannel
from rdp.perceptions import INFORMATION_KINDS, WASSERSTEIN_KINDS
from rdp.solvers import certificate, finite
from rdp.solvers._kernels import DenseKernels, HammingKernels
from rdp.solvers.perception_newton import SPENT_KERNEL_ENTRIES
from rdp.units import LN2


@dataclass(frozen=True)
class Limits:
    """The settings of one solve: the gap tolerance ``tol`` (bits), ``max_iter``,
    ``time_limit`` (seconds per point), ``check_every`` and ``verbose``."""

    tol: float
    max_iter: int
    time_limit: float
    check_every: int
    verbose: bool

    @property
    def tol_nats(self) -> float:
        return self.tol * LN2


class Context:
    """The arrays of one finite problem that every point of the fast solver reads.

    Attributes
    ----------
    fp : FiniteProblem
        The problem's arrays (``rdp.solvers.finite.build``).
    row_min, shifted, dbar : ndarray
        min_j Δ_ij, Δ' = Δ − min_j Δ (Δ itself when every row's least distortion is 0),
        and d̄_j = Σ_i p_i Δ_ij.
    kernels : DenseKernels or HammingKernels
        ``kernels.at(s)`` is the Gibbs kernel e^{−sΔ'} (O(N + M) for Hamming).
    banded : bool
        Sorted alphabets of the line with a convex cost: transport plans concentrate on a band.
    cost2 : ndarray or None
        The squared transport cost (Wasserstein balls), formed on first use: a point whose
        plan steps never run (the Newton phase at once on fine grids) keeps one N × M
        array less.
    """

    def __init__(self, fp: finite.FiniteProblem) -> None:
        self.fp = fp
        self.row_min = fp.delta.min(axis=1)
        # Δ' = Δ − min_j Δ; Δ itself when every row's least distortion is 0 (one array less)
        self.shifted = fp.delta - self.row_min[:, None] if self.row_min.any() else fp.delta
        self.dbar = fp.p @ fp.delta
        # plans on sorted alphabets with a convex 1-D cost concentrate on a band
        self.banded = (
            fp.line is not None
            and bool(np.all(np.diff(fp.x) > 0))
            and bool(np.all(np.diff(fp.y) > 0))
        )
        structured = HammingKernels.detect(self.shifted) if fp.hamming else None
        self.kernels: DenseKernels | HammingKernels = (
            structured if structured is not None else DenseKernels(self.shifted)
        )
        self._once: dict[str, Any] = {}

    @cached_property
    def cost(self) -> NDArray:
        """The transport cost, kept once formed (``fp.cost`` forms the line's default cost
        at each use)."""
        return self.fp.cost

    @cached_property
    def cost2(self) -> NDArray | None:
        return self.cost * self.cost if self.fp.kind in WASSERSTEIN_KINDS else None

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()``, computed on first use and kept for the problem (passes over N × M)."""
        if key not in self._once:
            self._once[key] = build()
        return self._once[key]

    # ------------------------------------------------------------------ the distortion
    def distortion(self, kernel, v: NDArray, kv: NDArray) -> tuple[float, float]:
        """The distortion of J(s, v) at the kernel's slope, and minus its derivative in s
        (the p-average conditional variance of Δ)."""
        mean, second = kernel.moments(v, kv)
        dist = float(self.fp.p @ mean) + float(self.fp.p @ self.row_min)
        var = float(self.fp.p @ np.maximum(second - mean**2, 0.0))
        return dist, var

    # ------------------------------------------------------------------ bounds
    def lower_bound(
        self, s: float, kv: NDArray, h: NDArray, D: float, Pn: float
    ) -> tuple[float, float]:
        """The dual lower bound (nats) at (s, v) and σ_B(log h) (``certificate``)."""
        return certificate.dual_lower_bound(self.fp, s, kv, h, D, Pn, self.row_min)

    def upper_bound(
        self, joint: NDArray, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, NDArray | None]:
        """The rate (nats) of ``joint`` repaired into an exactly feasible channel, and it."""
        return certificate.repair(self.fp, joint, D, Pn, anchor)

    def feasible(self, joint: NDArray, D: float, Pn: float) -> bool:
        return certificate.is_feasible(self.fp, joint, D, Pn)

    def certify_point(
        self, v: NDArray, s: float, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, float, NDArray | None]:
        """Both certified bounds (nats) at weights v ≥ 0 and slope s ≥ 0, and the channel.

        ``lower_bound`` at (s, v) — none (0) where a row of K vanishes on v's support —
        and ``slope_upper``, whose repaired channel is re-checked whatever the floating
        point did on the way.
        """
        kernel = self.kernels.at(s)
        kv = kernel.matvec(v)
        lower = 0.0
        if (kv > 0).all():
            lower, _ = self.lower_bound(s, kv, kernel.rmatvec(self.fp.p / kv), D, Pn)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            upper, joint = self.slope_upper(v, s, D, Pn, anchor)
        return lower, upper, joint

    def certify_tilted(
        self, kernel, g: NDArray, s: float, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, float, NDArray | None] | None:
        r"""``certify_point`` at v ∝ r ⊙ e^{−g} from a Newton point's own kernel, without
        forming e^{−sΔ'} again.

        ``kernel`` (``perception_newton.TiltedKernel``) holds
        $\tilde K = \mathrm{diag}(e^{-t})\,e^{-s\Delta'}\mathrm{diag}(e^{-g})$ and
        $u = \tilde K r$; with $v = r\odot e^{-g}/V$, $V = \sum_j r_je^{-g_j}$, the bound's
        products are $(Kv)_i = e^{t_i}u_i/V$ and $h_j = V e^{g_j}(\tilde K^\top(p/u))_j$
        (identities, evaluated to rounding), and the channel is
        $J(s, v)_{ij} = p_i\tilde K_{ij}r_j/u_i$, repaired into the constraints and
        re-checked as any (``upper_bound``). None where $e^{t}$ leaves the floating range,
        or where (s, g) are not the kernel's own (the caller then uses ``certify_point``).
        From ``SPENT_KERNEL_ENTRIES`` entries on the joint is formed in ``kt``'s array:
        the kernel is spent after the call.
        """
        kt, top, r, u, s_k, g_k = kernel
        if s_k != s or not np.array_equal(g_k, g):
            return None
        p = self.fp.p
        weight = float((r * np.exp(-g)).sum())
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            kv = np.exp(top) * u / weight
            h = weight * np.exp(g) * (kt.T @ (p / u))
        if not ((kv > 0).all() and np.isfinite(kv).all() and np.isfinite(h).all()):
            return None
        lower, _ = self.lower_bound(s, kv, h, D, Pn)
        # on fine grids the joint in the kernel's own array (one N × M array less; the
        # Newton iteration forms its kernel again after a check)
        spend = kt.size >= SPENT_KERNEL_ENTRIES
        joint = np.multiply(kt, (p / u)[:, None], out=kt if spend else None)
        joint *= r[None, :]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            upper, repaired = certificate.repair(self.fp, joint, D, Pn, anchor, overwrite=True)
        return lower, upper, repaired

    def tilted_channel(
        self, r: NDArray, g: NDArray, s: float, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, NDArray | None]:
        r"""The channel of ``certify_tilted`` at the Newton point (r, g, s), formed again:
        $J_{ij} = p_i\tilde K_{ij}r_j/u_i$ with $\tilde K$ = e^{−sΔ'−g} scaled per row to
        its largest entry and $u = \tilde Kr$, repaired and re-checked as any
        (``upper_bound``); its rate (nats) and it. One N × M array."""
        kt = np.multiply(self.shifted, -s)
        kt -= g[None, :]
        kt -= kt.max(axis=1, keepdims=True)
        np.exp(kt, out=kt)
        u = kt @ r
        kt *= (self.fp.p / u)[:, None]
        kt *= r[None, :]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            return certificate.repair(self.fp, kt, D, Pn, anchor, overwrite=True)

    def slope_upper(
        self, v: NDArray, s: float, D: float, Pn: float, anchor: NDArray
    ) -> tuple[float, NDArray | None]:
        """Upper bound from J(s', v), s' by Newton steps on its distortion = D (no perception).

        While the slope iteration waits for the weights, the iterate's distortion misses
        D and mixing with a least-distortion coupling costs about s·|dist − D|; without
        a column constraint the Blahut-Arimoto channel at the slope that meets D is
        feasible as it is.
        """
        s2 = s
        for _ in range(3):
            kernel = self.kernels.at(s2)
            dist, var = self.distortion(kernel, v, kernel.matvec(v))
            if not var > 0 or abs(dist - D) <= 1e-13 * D:
                break
            s2 = float(np.clip(s2 + (dist - D * (1 - 1e-13)) / var, 0.5 * s2, 2.0 * s2 + 1.0))
        kernel = self.kernels.at(s2)
        return self.upper_bound(kernel.joint(self.fp.p, v, kernel.matvec(v)), D, Pn, anchor)

    # ------------------------------------------------------------------ reporting
    def perception_value(self, q: NDArray) -> float:
        """d(p_X, q) in the user's unit (KL and JS in bits)."""
        div = self.fp.divergence(q)
        return div / LN2 if self.fp.kind in INFORMATION_KINDS else div

    def channel(self, joint: NDArray) -> DiscreteChannel:
        """The channel of a joint on the support, on the problem's whole source alphabet."""
        fp = self.fp
        x = fp.x if fp.x_all is None else fp.x_all
        return DiscreteChannel(fp.full_joint(joint), x, fp.y)
