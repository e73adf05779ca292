r"""The transport plan of the ball step between points of R^d, kept in Gibbs form.

The plan step π⁺ ∝ π ⊙ h^η e^{−μc} (``rdp.solvers.fast.plans``) started from a plan
of the form p_i e^{−M c_ij} / Z_i keeps that form: after any number of steps

$$
\pi_{ij} = p_i\,\frac{\exp(G_j - M c_{ij})}{\sum_k \exp(G_k - M c_{ik})},
\qquad G = \sum_t \eta_t \log h^{(t)},\quad M = \sum_t \mu_t ,
$$

so the plan is a vector G of length M, a number M and the cost matrix. As M grows,
each row's entries more than ``THRESHOLD`` nats below its largest weigh less than
1e-43 of it; the step is then taken on each row's candidate columns only (those within
the threshold at the last ``tidy``), O(N·w) for w candidates per row instead of
O(N·M), and no N × M plan is stored once it is narrow. The candidates are re-selected
from G and M over the whole matrix at every check (``tidy``; after every step while the
plan is dense, every ``WIDE_TIDY`` steps while it is wide), so an entry that the step
has grown is never lost for longer than a check period. Only the
iteration uses the plan; the certificate reads its dense form (``pi``) as a witness
and re-checks it (``rdp.solvers.certificate.repair_by_plan``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rdp.solvers.fast.plans import budget_step


class GibbsPlan:
    """A transport plan p_i exp(G_j − M c_ij) / Z_i, stepped on candidate columns per row.

    Parameters
    ----------
    p : ndarray (N,)
        The source pmf (the plan's rows).
    cost : ndarray (N, M)
        The ground cost.
    cost2 : ndarray (N, M), optional
        c² (computed when needed if not given).
    """

    #: Nats below a row's largest log-entry beyond which a column is not a candidate.
    THRESHOLD = 100.0
    #: While the candidates are more than this share of the columns, they are re-selected
    #: every ``WIDE_TIDY`` steps (after every step while the plan is dense).
    WIDE = 1 / 16
    WIDE_TIDY = 4

    def __init__(self, p: NDArray, cost: NDArray, cost2: NDArray | None = None) -> None:
        self.p, self.cost, self.cost2 = p, cost, cost2
        self.G = np.zeros(cost.shape[1])
        self.M = 0.0
        self.cols: NDArray | None = None  # candidate columns (N, w), or None: all
        self.cost_c, self.cost2_c = cost, cost2
        self.vals: NDArray | None = None  # the plan on the candidates (none before a step)
        self.pad: NDArray | None = None  # padding entries of ``cols`` (weight zero)
        self._since_tidy = 0

    def step(self, h: NDArray, Pn: float, mu: float, eta: float) -> tuple[GibbsPlan, float]:
        """G += η log(h / max h); the least μ ≥ 0 with ⟨π, c⟩ ≤ P; M += μ."""
        with np.errstate(divide="ignore"):
            G = self.G + eta * np.log(h / h.max())
        G = G - G.max()
        if self.cost2_c is None:
            self.cost2_c = self.cost_c * self.cost_c
        if self.cols is None:
            log_base = G[None, :] - self.M * self.cost_c
        else:
            log_base = np.where(self.pad, -np.inf, G[self.cols] - self.M * self.cost_c)
        vals, mu = budget_step(log_base, self.p, self.cost_c, self.cost2_c, Pn, mu)
        out = object.__new__(GibbsPlan)
        out.__dict__.update(self.__dict__)
        out.G, out.M, out.vals = G, self.M + mu, vals
        out._since_tidy += 1
        if out.cols is None or (
            out.cols.shape[1] > self.WIDE * self.G.size and out._since_tidy >= self.WIDE_TIDY
        ):
            out = out.tidy()
        return out, mu

    def tidy(self) -> GibbsPlan:
        """Re-select each row's candidates: the columns within ``THRESHOLD`` nats of its largest
        entry of G_j − M c_ij, all of them while that is more than half of the columns."""
        if self.vals is None:
            return self
        z = self.G[None, :] - self.M * self.cost
        keep = z >= z.max(axis=1, keepdims=True) - self.THRESHOLD
        count = keep.sum(axis=1)
        width = int(count.max())
        out = object.__new__(GibbsPlan)
        out.__dict__.update(self.__dict__)
        out._since_tidy = 0
        if width > self.cost.shape[1] // 2:
            if self.cols is not None:  # wide again: back to every column
                out.cols, out.cost_c, out.cost2_c, out.pad = None, self.cost, self.cost2, None
                out.vals = _rows(z, self.p)
            return out
        # each row's candidates, padded to the common width with its first candidate at
        # weight zero (log-weight −inf through ``pad``)
        rows, cols = np.nonzero(keep)
        first = np.cumsum(count) - count
        slot = np.arange(rows.size) - np.repeat(first, count)
        table = np.repeat(cols[first][:, None], width, axis=1)
        table[rows, slot] = cols
        out.pad = np.arange(width)[None, :] >= count[:, None]
        r = np.arange(z.shape[0])[:, None]
        out.cols = table
        out.cost_c = self.cost[r, table]
        out.cost2_c = out.cost_c * out.cost_c
        out.vals = np.where(out.pad, 0.0, _rows(np.where(out.pad, -np.inf, z[r, table]), self.p))
        return out

    def column_sums(self) -> NDArray:
        """The plan's column law q = πᵀ1."""
        if self.vals is None:
            raise ValueError("GibbsPlan.column_sums: no plan step has been taken")
        if self.cols is None:
            return self.vals.sum(axis=0)
        return np.bincount(self.cols.ravel(), weights=self.vals.ravel(), minlength=self.G.size)

    def lower_bound(self, q: NDArray) -> float:
        r"""A lower bound on W_c(p, q) from the plan's potentials (−inf before a step).

        ψ = G / M and its c-transform φ_i = min_j (c_ij − ψ_j) satisfy φ_i + ψ_j ≤ c_ij,
        so ⟨φ, p⟩ + ⟨ψ, q⟩ ≤ W_c(p, q) for every law q (Kantorovich duality); as M
        grows ψ tends to a transport potential of the plan's own column law. O(N·M).
        """
        if self.vals is None or not self.M > 0:
            return -np.inf
        psi = self.G / self.M
        on = q > 0
        if not np.isfinite(psi[on]).all():
            return -np.inf
        phi = (self.cost - psi[None, :]).min(axis=1)
        return float(self.p @ phi + q[on] @ psi[on])

    @property
    def pi(self) -> NDArray | None:
        """The plan as a dense N × M array (None before the first step)."""
        if self.vals is None or self.cols is None:
            return self.vals
        dense = np.zeros(self.cost.shape)
        r, k = np.nonzero(~self.pad)  # a padding entry repeats a column: never written
        dense[r, self.cols[r, k]] = self.vals[r, k]
        return dense


def _rows(z: NDArray, p: NDArray) -> NDArray:
    """Rows ∝ exp(z) scaled to the pmf p."""
    w = np.exp(z - z.max(axis=1, keepdims=True))
    return w * (p / w.sum(axis=1))[:, None]
