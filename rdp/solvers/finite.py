"""The finite R(D, P) problem as arrays, shared by the cvxpy reference and the fast solver.

Conventions for a reconstruction alphabet that differs from the source alphabet
(M ≠ N or other values):

- **TV and KL** compare the two laws *on the union of the real values*: the
  source law puts mass ``p_tilde[j]`` on reconstruction value ``y_j`` and the
  mass ``m_out`` of source values that are not reconstruction values lies
  outside the reconstruction alphabet. Hence
  ``TV = ½(Σ_j |p_tilde_j − q_j| + m_out)``, ``KL(p_X‖p_X̂) = ∞`` when
  ``m_out > 0``, and ``KL(p_X̂‖p_X) = Σ_j q_j log(q_j / p_tilde_j)``.
  TV equals the optimal transport cost with ground cost ``1[x ≠ y]``, which is
  how the fast solver treats it. Reconstruction values must be distinct.
- **Wasserstein** uses the ground cost between the two alphabets:
  ``|x_i − y_j|^order`` or the given (N, M) matrix.

Zero-probability source symbols are dropped (they change neither the rate nor
the constraints; ``FiniteProblem.full_joint`` puts their zero rows back), and under a
finite bound on KL(p_X̂‖p_X) the reconstruction symbols where p_X has no mass are
never used (``FiniteProblem.usable``). Perception bounds arrive as the internal value of a
[`PerceptionBound`][rdp.perceptions.PerceptionBound] (KL in nats); kinds are the shared
constants of [`rdp.perceptions`][rdp.perceptions]. POT (``ot``) is imported inside the
functions that use it, so importing this module stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp, rel_entr

from rdp.distortions import AbsoluteError, Euclidean, Hamming, SquaredError
from rdp.fgenerators import Generator
from rdp.perceptions import (
    F_KINDS,
    KL_KINDS,
    KL_RECON_SOURCE,
    KL_SOURCE_RECON,
    NONE,
    TRANSPORT_KINDS,
    TV,
    WASSERSTEIN_KINDS,
)
from rdp.solvers import fdivergence
from rdp.status import FEASIBILITY_TOL
from rdp.units import mutual_information_nats as mutual_information_nats

#: Relative slack allowed when checking an exact constraint in floating point: the one
#: feasibility tolerance of every method
#: ([`rdp.status.FEASIBILITY_TOL`][rdp.status.FEASIBILITY_TOL]).
CHECK_RTOL = FEASIBILITY_TOL


#: From this many entries on the line's default Wasserstein cost is not kept (formed at
#: each use): below it, forming it again at every evaluation of the lower bound took
#: longer than keeping it.
LAZY_COST_ENTRIES = 1 << 22


def _line_cost(x: NDArray, y: NDArray, order: float) -> NDArray:
    """|x_i − y_j|^order in one array (the values of ``Wasserstein.cost_matrix``)."""
    out = np.subtract.outer(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    np.abs(out, out=out)
    if order == 2:
        np.square(out, out=out)
    elif order != 1:
        np.power(out, order, out=out)
    return out


class _LineCost:
    """``FiniteProblem.cost``: the matrix given, or, for the default Wasserstein cost of
    the line (``cost=None`` with ``w_order``), $|x_i - y_j|^{order}$ formed at each use
    and not kept: on fine grids the certificate and the Newton phase never read it, and
    keeping it was one N × M array for the whole solve."""

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            raise AttributeError(self.slot)  # no default: the field is required
        value = obj.__dict__[self.slot]
        if value is None:
            return _line_cost(obj.x, obj.y, obj.w_order)
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value


@dataclass
class FiniteProblem:
    """Arrays of a finite RDP problem (zero-probability source symbols removed).

    Attributes
    ----------
    p : ndarray (N,)
        Source pmf on its support.
    x, y : ndarray
        Source values (support only) and reconstruction values.
    delta : ndarray (N, M)
        Distortion matrix.
    kind : str
        The perception kind (``rdp.perceptions.KINDS``): 'none', 'tv', 'w1'/'w2',
        'kl-source-recon' (KL(p_X‖p_X̂)) or 'kl-recon-source' (KL(p_X̂‖p_X)).
    cost : ndarray (N, M)
        Transport ground cost (``1[x ≠ y]`` for TV and KL, the Wasserstein cost for W);
        None with ``w_order`` for the default cost of the line, $|x - y|^{order}$,
        then formed at each use.
    p_tilde : ndarray (M,)
        Source mass on each reconstruction value; ``m_out`` the rest.
    w_order : int or None
        Order of the default 1-D Wasserstein cost (exact O(N log N) evaluation).
    x_all, rows : ndarray or None
        The whole source alphabet and the indices of its symbols in ``x`` (the support).
    generator : Generator or None
        For the f-divergences (``F_KINDS``): the generator in the orientation D_f(q‖p̃)
        (``rdp.fgenerators``); None otherwise.
    """

    p: NDArray
    x: NDArray
    y: NDArray
    delta: NDArray
    kind: str
    cost: NDArray = _LineCost()  # type: ignore[assignment]
    p_tilde: NDArray
    m_out: float
    w_order: int | None = None
    monotone_1d: bool = False
    hamming: bool = False
    x_all: NDArray | None = None
    rows: NDArray | None = None
    generator: Generator | None = None

    def full_joint(self, joint: NDArray) -> NDArray:
        """A joint on the support (N, M) as a joint on the whole source alphabet.

        Zero-probability source symbols (``x_all`` minus ``x``) get rows of zeros.
        """
        if self.rows is None or self.x_all is None or self.rows.size == len(self.x_all):
            return joint
        out = np.zeros((len(self.x_all), joint.shape[1]))
        out[self.rows] = joint
        return out

    def cost_rows(self, rows: slice) -> NDArray:
        """Rows ``rows`` of the transport cost (the line's default cost formed for them
        alone)."""
        given = self.__dict__["_cost"]
        if given is None:
            return _line_cost(self.x[rows], self.y, self.w_order)
        return given[rows]

    @property
    def shape(self) -> tuple[int, int]:
        return self.delta.shape

    @property
    def line(self):
        """Exact 1-D transport (``rdp.solvers._kernels.Line``) for the default W cost."""
        if self.kind not in WASSERSTEIN_KINDS or self.w_order is None or self.w_order < 1:
            return None
        if getattr(self, "_line", None) is None:
            from rdp.solvers._kernels import Line

            self._line = Line(self.x, self.y, self.w_order)
        return self._line

    # ------------------------------------------------------------ perception
    def divergence(self, q: NDArray) -> float:
        """d(p_X, q) exactly (KL in nats); 0 for 'none'."""
        q = np.clip(q, 0.0, None)
        if self.kind == NONE:
            return 0.0
        if self.kind == TV:
            return float(0.5 * (np.abs(self.p_tilde - q).sum() + self.m_out))
        if self.kind == KL_SOURCE_RECON:
            if self.m_out > 0:
                return float("inf")
            return float(rel_entr(self.p_tilde, q).sum())
        if self.kind == KL_RECON_SOURCE:
            return float(rel_entr(q, self.p_tilde).sum())
        if self.generator is not None:
            return fdivergence.divergence(self.generator, q, self.p_tilde, self.m_out)
        if self.line is not None:
            return self.line.cost(self.p, q)
        import ot  # POT loads its optional backends: import it only for transport costs

        return float(ot.emd2(self.p, q / q.sum(), self.cost))

    def min_divergence(self) -> tuple[float, NDArray]:
        """The least perception value over all reconstruction laws and a law attaining it."""
        if self.kind in (*TRANSPORT_KINDS, NONE):
            # a pass over the N × M cost: once per problem (a copy of the law per call)
            cached = getattr(self, "_least_transport", None)
            if cached is None:
                j = np.argmin(self.cost, axis=1)
                a = np.bincount(j, weights=self.p, minlength=len(self.y))
                cached = self._least_transport = (
                    float(self.p @ self.cost[np.arange(self.p.size), j]),
                    a,
                )
            return cached[0], cached[1].copy()
        if self.kind == KL_SOURCE_RECON:
            return (float("inf") if self.m_out > 0 else 0.0), self.p_tilde.copy()
        if self.generator is not None:
            return fdivergence.min_divergence(self.generator, self.p_tilde, self.m_out)
        total = self.p_tilde.sum()
        if total <= 0.0:  # no reconstruction value carries source mass: KL(q‖p) = ∞ for every q
            return float("inf"), np.full(len(self.y), 1.0 / len(self.y))
        return float(-np.log(total)), self.p_tilde / total

    def exact_law(self, P: float) -> NDArray | None:
        """The output law of every feasible channel at P = 0, when there is exactly one.

        With a perception measure and P = 0 the reconstruction law must have perception
        0: for TV and KL the source law itself (``p_tilde``, when no source mass lies
        outside the reconstruction values), for W its image under the zero-cost
        matching. Returned when every source symbol has exactly one reconstruction
        symbol at zero cost; None for P > 0, no perception measure, or a cost with ties.
        """
        if P != 0 or self.kind == NONE:
            return None
        match = getattr(self, "_zero_match", False)  # the zero-cost matching: once per problem
        if match is False:
            zero = self.cost == 0
            match = np.argmax(zero, axis=1) if (zero.sum(axis=1) == 1).all() else None
            self._zero_match = match
        if match is None:
            return None
        return np.bincount(match, weights=self.p, minlength=len(self.y))

    def usable(self, P: float) -> NDArray | None:
        """Reconstruction symbols that a channel meeting the bound P may use (None: all).

        KL(p_X̂‖p_X) is infinite as soon as the reconstruction law puts mass where the
        source law has none, so under a finite bound those symbols are never used.
        """
        infinite_off = self.generator is not None and self.generator.slope_inf == np.inf
        if not (self.kind == KL_RECON_SOURCE or infinite_off) or not np.isfinite(P):
            return None
        mask = self.p_tilde > 0
        return None if mask.all() or not mask.any() else mask

    def support_function(self, g: NDArray, P: float) -> float:
        r"""An upper bound on $\sigma(g) = \max_{q \in B_P} \langle g, q \rangle$.

        Exact for 'none' and TV (greedy); for W and KL the value of the convex
        one-dimensional dual at a numerically minimised multiplier, which is an
        upper bound whatever the multiplier (weak duality), so certificates
        built on it stay valid.
        """
        g = np.asarray(g, dtype=float)
        top = float(g.max())
        if self.kind == NONE or not np.isfinite(P):
            return top
        g = g - top  # shift-invariance: σ(g + c) = σ(g) + c
        if self.kind == TV:
            return top + _tv_support(g, self.p_tilde, self.m_out, P)
        if self.kind in WASSERSTEIN_KINDS:
            least = getattr(self, "_least_positive_cost", False)
            if least is False:  # once per problem (None: no positive cost)
                least = _least_positive(self.cost_rows, self.shape)
                self._least_positive_cost = least
            value, self._support_mu = _transport_support(
                g, self.p, self.cost_rows, P, least, getattr(self, "_support_mu", None)
            )
            return top + value
        if self.kind == KL_RECON_SOURCE:
            return top + _kl_rs_support(g, self.p_tilde, P)
        if self.generator is not None:
            return top + fdivergence.support(g, self.generator, self.p_tilde, self.m_out, P)
        return top + _kl_sr_support(g, self.p_tilde, P)


def build(problem) -> FiniteProblem:
    """Arrays of a finite [`Problem`][rdp.problem.Problem]; ``ValueError`` if it is not finite."""
    from rdp.sources import Bernoulli, Discrete

    if not isinstance(problem.source, Bernoulli | Discrete):
        raise ValueError(
            "finite solvers need a Bernoulli or Discrete source (discretize a Gaussian with "
            f"Gaussian.discretize(n)); got {type(problem.source).__name__}"
        )
    source = problem.source.to_discrete()
    y = np.asarray(problem.reconstruction_alphabet, dtype=float)
    delta_full = problem.distortion_measure.matrix(source.alphabet, y)
    keep = source.pmf > 0
    p = source.pmf[keep] / source.pmf[keep].sum()
    x = source.alphabet[keep]
    # N × M arrays are shared, never copied without need (read-only from here on)
    delta = delta_full if keep.all() else np.ascontiguousarray(delta_full[keep])
    perception = problem.perception_measure
    kind = perception.kind
    line = x.ndim == 1 and y.ndim == 1  # real values (else points of R^d, or labels)
    same = x[:, None] == y[None, :] if line else None
    w_order = None
    lazy_cost = False
    if kind in WASSERSTEIN_KINDS:
        if perception.cost is None and line:
            w_order = perception.order
        if w_order is not None and x.shape[0] * y.shape[0] > LAZY_COST_ENTRIES:
            # |x − y|^order from the support's values when used (``_LineCost``)
            cost, lazy_cost = None, True
        else:
            cost = perception.cost_matrix(source.alphabet, y)[keep]
    elif isinstance(problem.distortion_measure, Hamming):  # the same matrix 1[x ≠ y]
        cost = delta
    elif line:  # TV, KL and none compare laws on the union of the values: cost 1[x ≠ y]
        cost = (~same).astype(float)
    else:
        cost = np.ones((x.shape[0], y.shape[0]))
        cost[equal_points(x, y)] = 0.0
    if kind in (TV, *KL_KINDS, *F_KINDS) and np.unique(y, axis=0).shape[0] != y.shape[0]:
        raise ValueError(
            "reconstruction_alphabet values must be distinct for TV, KL and f-divergence "
            "perception "
            "(the laws are compared on the union of the real values)"
        )
    # the matching pairs (no N × M float temporary)
    rows, cols = np.nonzero(same) if line else equal_points(x, y)
    p_tilde = np.bincount(cols, weights=p[rows], minlength=y.shape[0])
    # mass of the source values that are no reconstruction value, from the explicit support:
    # 1 − Σ p̃ would read the rounding of a pmf that sums to 1 − 1e-16 as mass outside
    matched = np.zeros(x.shape[0], dtype=bool)
    matched[rows] = True
    m_out = float(p[~matched].sum())
    sorted_line = line and bool(np.all(np.diff(x) > 0) and np.all(np.diff(y) > 0))
    monotone = sorted_line and isinstance(
        problem.distortion_measure, SquaredError | AbsoluteError | Euclidean
    )
    return FiniteProblem(
        p=p,
        x=x,
        y=y,
        delta=delta,
        kind=kind,
        cost=None if lazy_cost else np.ascontiguousarray(cost),
        p_tilde=p_tilde,
        m_out=m_out,
        w_order=w_order,
        monotone_1d=monotone,
        hamming=isinstance(problem.distortion_measure, Hamming),
        x_all=source.alphabet,
        rows=np.flatnonzero(keep),
        generator=perception.generator if kind in F_KINDS else None,
    )


def equal_points(x: NDArray, y: NDArray) -> tuple[NDArray, NDArray]:
    """The pairs (i, j) with x_i = y_j (points of R^d compared in every coordinate).

    Rows (N, d) and (M, d) are labelled by ``numpy.unique`` and matched by sorting, in
    O((N + M) log(N + M) + pairs), without an N × M temporary. Alphabets of different
    dimensions (points against labels) have no equal pair.
    """
    a = x if x.ndim == 2 else x[:, None]
    b = y if y.ndim == 2 else y[:, None]
    if a.shape[1] != b.shape[1]:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    _, labels = np.unique(np.concatenate([a, b]), axis=0, return_inverse=True)
    labels = labels.ravel()
    lx, ly = labels[: a.shape[0]], labels[a.shape[0] :]
    order = np.argsort(ly, kind="stable")
    first = np.searchsorted(ly[order], lx, side="left")
    last = np.searchsorted(ly[order], lx, side="right")
    counts = last - first
    rows = np.repeat(np.arange(a.shape[0]), counts)
    offsets = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
    cols = order[np.repeat(first, counts) + offsets]
    return rows, cols


# ------------------------------------------------------------------ support functions
def _tv_support(g: NDArray, p_tilde: NDArray, m_out: float, P: float) -> float:
    """max <g, q> over TV(p, q) ≤ P on the union of values (g ≤ 0, max g = 0): greedy."""
    budget = P - m_out
    if budget < 0:
        return -np.inf
    order = np.argsort(g)
    mass = p_tilde[order]
    moved = np.clip(budget - (np.cumsum(mass) - mass), 0.0, mass)
    # remaining mass stays; moved mass goes to the best symbol (value 0 after shifting)
    return float(p_tilde @ g - moved @ g[order])


def _transport_support(
    g: NDArray,
    p: NDArray,
    cost: NDArray,
    P: float,
    least_positive: float | None = None,
    guess: float | None = None,
) -> tuple[float, float]:
    r"""min over μ ≥ 0 of μP + Σ_i p_i max_j (g_j − μ c_ij) (a valid upper bound for any μ),
    and the μ of the least value found.

    The dual is convex and piecewise linear in μ, with slope P − Σ_i p_i c_{i j*(i)} at μ
    (j* the maximiser); the minimum is found by intersecting the supporting lines at a
    bracket [lo, hi] with negative / positive slope (Kelley's cutting planes in one
    dimension, finite on a piecewise linear function). Every evaluated μ gives a valid
    bound; the least value is returned. ``least_positive`` is the least positive entry
    of ``cost`` (computed here when not given). ``guess`` (the μ of a previous call,
    e.g. the iteration's last certificate) first tries the bracket [0.9, 1.1]·guess,
    which saves most evaluations (each a pass over N × M) when it holds the minimum.
    """
    cost_rows = cost if callable(cost) else cost.__getitem__
    n, m = p.size, g.size
    blocks = _row_blocks(n, m)
    scores = np.empty((blocks[0].stop - blocks[0].start, m))  # one work array for all

    def dual(mu: float) -> tuple[float, float]:
        value = used = 0.0
        for block in blocks:  # by blocks of rows: the cost and the scores never N × M
            c = cost_rows(block)
            out = scores[: c.shape[0]]
            np.multiply(c, mu, out=out)
            np.subtract(g[None, :], out, out=out)  # g_j − μ c_ij
            j = np.argmax(out, axis=1)
            rows = np.arange(c.shape[0])
            used += float(p[block] @ c[rows, j])
            value += float(p[block] @ out[rows, j])
        return float(mu * P + value), P - used

    f_lo, s_lo = dual(0.0)
    if s_lo >= 0 or not np.isfinite(f_lo):
        return f_lo, 0.0
    if least_positive is None:
        least_positive = _least_positive(cost_rows, (n, m))
    if least_positive is None:
        return f_lo, 0.0  # no positive cost: every μ gives the value at 0
    best, best_mu = f_lo, 0.0
    lo = 0.0
    hi = (float(g.max() - g[np.isfinite(g)].min()) + 1.0) / least_positive
    f_hi = s_hi = None
    if guess is not None and 0.0 < guess and 1.1 * guess < hi:
        a, b = 0.9 * guess, 1.1 * guess
        f_a, s_a = dual(a)
        f_b, s_b = dual(b)
        best, best_mu = min((best, best_mu), (f_a, a), (f_b, b))
        if s_a >= 0:  # the minimum lies in [0, a]
            hi, f_hi, s_hi = a, f_a, s_a
        elif s_b <= 0:  # in [b, hi]
            lo, f_lo, s_lo = b, f_b, s_b
        else:  # in [a, b]
            lo, f_lo, s_lo = a, f_a, s_a
            hi, f_hi, s_hi = b, f_b, s_b
    if f_hi is None:
        f_hi, s_hi = dual(hi)
        best, best_mu = min((best, best_mu), (f_hi, hi))
    for _ in range(100):
        if s_hi <= 0:  # the envelope still falls at hi: its minimum is at hi or beyond
            return best, best_mu
        mid = (f_hi - f_lo + s_lo * lo - s_hi * hi) / (s_lo - s_hi)
        if not lo < mid < hi:
            break
        f_mid, s_mid = dual(mid)
        best, best_mu = min((best, best_mu), (f_mid, mid))
        envelope = f_lo + s_lo * (mid - lo)
        if f_mid <= envelope + 1e-15 * (1.0 + abs(envelope)):
            break  # the two supporting lines meet on the function: the minimum
        if s_mid < 0:
            lo, f_lo, s_lo = mid, f_mid, s_mid
        else:
            hi, f_hi, s_hi = mid, f_mid, s_mid
    return best, best_mu


#: Entries per block of rows of the transport support function.
_BLOCK = 1 << 20


def _row_blocks(n: int, m: int) -> list[slice]:
    """Slices of about ``_BLOCK`` entries covering the rows of an n × m matrix."""
    size = max(1, _BLOCK // max(m, 1))
    return [slice(a, min(a + size, n)) for a in range(0, max(n, 1), size)]


def _least_positive(cost_rows, shape: tuple[int, int]) -> float | None:
    """The least positive entry of the cost (by blocks of rows); None when none is."""
    least = None
    for block in _row_blocks(*shape):
        c = cost_rows(block)
        positive = c[c > 0]
        if positive.size:
            low = float(positive.min())
            least = low if least is None else min(least, low)
    return least


def _kl_rs_support(g: NDArray, p_tilde: NDArray, P: float) -> float:
    r"""min over λ > 0 of λP + λ log Σ p̃ e^{g/λ} (Donsker–Varadhan); g ≤ 0."""
    mask = p_tilde > 0
    gs, ps = g[mask], p_tilde[mask]
    if P <= 0 and abs(ps.sum() - 1) < 1e-15:
        return float(ps @ gs)

    def dual(log_lam: float) -> float:
        lam = np.exp(log_lam)
        return float(lam * P + lam * logsumexp(gs / lam, b=ps))

    res = minimize_scalar(dual, bounds=(-30.0, 30.0), method="bounded", options={"xatol": 1e-10})
    return min(float(res.fun), float(gs.max()))


def _kl_sr_support(g: NDArray, p_tilde: NDArray, P: float) -> float:
    r"""min over ν > max g of ν − exp(Σ p̃ log(ν − g) − P) (dual of max <g,q>, KL(p̃‖q) ≤ P)."""
    mask = p_tilde > 0
    gs, ps = g[mask], p_tilde[mask]
    top = float(g.max())
    if P <= 0:
        return float(ps @ gs)

    def dual(log_t: float) -> float:
        nu = top + np.exp(log_t)
        return float(nu - np.exp(ps @ np.log(nu - gs) - P))

    res = minimize_scalar(dual, bounds=(-40.0, 40.0), method="bounded", options={"xatol": 1e-10})
    return float(res.fun)
