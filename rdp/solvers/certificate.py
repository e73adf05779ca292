r"""Certificates for finite R(D, P): a feasibility check, a repair and a dual lower bound.

Every finite method builds its certified bracket from the three pieces of this
module, whatever produced its channel (an iteration, Newton steps or a conic
solver), so that no bracket rests on an algorithm's or a solver's word:

- [`is_feasible`][rdp.solvers.certificate.is_feasible] checks a joint pmf against
  the constraints by independent arithmetic: rows equal to the source pmf,
  $\langle J, \Delta\rangle \le D$ and $d(p_X, q) \le P$, each to the floating
  tolerance [`rdp.status.FEASIBILITY_TOL`][rdp.status.FEASIBILITY_TOL]
  ([`rdp.status.meets`][rdp.status.meets]);
- [`repair`][rdp.solvers.certificate.repair] turns a joint that nearly meets them
  into one that meets them, and returns its mutual information — an upper bound
  on R(D, P);
- [`dual_lower_bound`][rdp.solvers.certificate.dual_lower_bound] (and its dense
  form [`lagrangian_lower_bound`][rdp.solvers.certificate.lagrangian_lower_bound])
  is the Lagrangian lower bound at a slope $s \ge 0$ and weights $v \ge 0$:

$$
R(D, P) \ge -sD - \sum_i p_i \log (Kv)_i - \sigma_{B_P}(\log h),
\qquad K_{ij} = e^{-s\Delta_{ij}},\; h_j = \sum_i \frac{p_i K_{ij}}{(Kv)_i},
$$

valid for every such (s, v) (weak duality: Jensen's inequality in each column of
the backward channel; Blahut 1972, Thm. 8, with the support function
$\sigma_{B}(g) = \max_{q \in B}\langle g, q\rangle$ of the perception ball
$B_P$ in place of $\max_j g_j$). Values are in nats.

References: Blahut, "Computation of channel capacity and rate-distortion
functions", IEEE Trans. IT 18(4), 1972; Altschuler, Weed & Rigollet,
"Near-linear time approximation algorithms for optimal transport via Sinkhorn
iteration", NeurIPS 2017, Alg. 2 (the rounding onto couplings).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp

from rdp.perceptions import NONE, WASSERSTEIN_KINDS
from rdp.solvers import finite
from rdp.status import FEASIBILITY_TOL, meets

#: Row sums further than this from the source pmf are rounded onto it before the checks.
_ROW_SLACK = 1e-14


def inner(a: NDArray, b: NDArray) -> float:
    """⟨a, b⟩ of two matrices in one pass, without a temporary (and without BLAS threads)."""
    return float(np.einsum("ij,ij->", a, b))


def is_feasible(
    fp: finite.FiniteProblem, joint: NDArray, D: float, Pn: float, witness: NDArray | None = None
) -> bool:
    """Whether ``joint`` meets the constraints of R(D, P), checked by independent arithmetic.

    Parameters
    ----------
    fp : FiniteProblem
        The problem's arrays (``rdp.solvers.finite.build``).
    joint : ndarray (N, M)
        A joint pmf of source and reconstruction.
    D : float
        The distortion bound.
    Pn : float
        The perception bound in its internal unit (KL in nats; ``inf``: none).

    Returns
    -------
    bool
        True when the entries are finite and ≥ 0, every row sums to the source pmf
        (to ``FEASIBILITY_TOL``), and ⟨J, Δ⟩ ≤ D and d(p_X, q) ≤ P for the output law
        q = Jᵀ1 within the tolerance of ``rdp.status.meets`` — at P = 0
        with a unique law of perception 0 (``FiniteProblem.exact_law``), q equal to that
        law to ``FEASIBILITY_TOL`` in each entry (KL is quadratic near it, so a test on
        its value would let a law 3e-9 away through).

        With a ``witness`` coupling for a transport ball, W(p_X, q) ≤ P is certified
        without a transport solve by ``witness_meets`` (its cost plus the largest cost
        times its marginal errors); a witness that does not certify it falls back to
        the exact transport cost.
    """
    if joint.shape != fp.shape or not np.isfinite(joint).all():
        return False  # NaN fails no comparison below: reject it first
    if joint.min() < 0 or np.abs(joint.sum(axis=1) - fp.p).max() > FEASIBILITY_TOL:
        return False
    if not meets(inner(joint, fp.delta), D):
        return False
    if fp.kind == NONE or not np.isfinite(Pn):
        return True
    q = joint.sum(axis=0)
    law = fp.exact_law(Pn)
    if law is not None:  # P = 0: the output law itself, to the tolerance of the rows
        return bool(np.abs(q - law).max() <= FEASIBILITY_TOL)
    if witness is not None and fp.kind in WASSERSTEIN_KINDS and witness_meets(fp, witness, q, Pn):
        return True
    return meets(fp.divergence(q), Pn)


def witness_meets(fp: finite.FiniteProblem, witness: NDArray, q: NDArray, Pn: float) -> bool:
    r"""Whether the coupling ``witness`` certifies W_c(p_X, q) ≤ P.

    A non-negative π whose marginals miss p and q by $\delta_r = \lVert\pi\mathbf 1 -
    p\rVert_1$ and $\delta_c = \lVert\pi^\top\mathbf 1 - q\rVert_1$ is turned into a
    coupling of Π(p, q) by moving at most $\delta_r + \delta_c$ of mass, each unit at a
    cost at most $c_{\max}$, so $W_c(p, q) \le \langle\pi, c\rangle + c_{\max}(\delta_r +
    \delta_c)$; that sum is checked against P with ``rdp.status.meets``.
    """
    if witness.shape != fp.shape or not np.isfinite(witness).all() or witness.min() < 0:
        return False
    slack = float(np.abs(witness.sum(axis=1) - fp.p).sum() + np.abs(witness.sum(axis=0) - q).sum())
    c_max = getattr(fp, "_largest_cost", None)
    if c_max is None:  # a pass over N × M: once per problem
        c_max = fp._largest_cost = float(fp.cost.max())
    return meets(inner(witness, fp.cost) + c_max * slack, Pn)


def repair_by_plan(
    fp: finite.FiniteProblem, joint: NDArray, plan: NDArray, D: float, Pn: float
) -> tuple[float, NDArray | None]:
    """An exactly feasible joint from ``joint`` and a transport plan, without transport solves.

    For a Wasserstein ball with a general ground cost (points of R^d, explicit costs) an
    exact W evaluation is a network-simplex solve per call. Here the plan π (rows p_X)
    of the iteration's ball step is the certificate instead: it is mixed with the
    least-cost plan until ⟨π̃, c⟩ ≤ P (with a 1e-9 relative margin), the joint is
    rounded onto Π(p_X, q̃) for its column law q̃ (Altschuler, Weed & Rigollet 2017,
    Alg. 2), and, if ⟨J, Δ⟩ > D, mixed with π̃ itself (when its distortion is below D:
    the case of MSE with the squared Euclidean cost, where Δ = c) or else with a
    least-distortion coupling of Π(p_X, q̃). ``is_feasible`` re-checks the result with π̃
    as the witness of the perception constraint.

    Returns
    -------
    (float, ndarray or None)
        I(J) in nats and J, or ``(inf, None)`` when this route certifies nothing (the
        caller then uses [`repair`][rdp.solvers.certificate.repair]).
    """
    cost = inner(plan, fp.cost)
    goal = Pn * (1 - 1e-9)
    if cost > goal:
        least, _ = fp.min_divergence()
        if least >= goal:
            return np.inf, None
        j = np.argmin(fp.cost, axis=1)
        t = (cost - goal) / (cost - least)
        plan = plan * (1 - t)
        plan[np.arange(fp.p.size), j] += t * fp.p
    target = plan.sum(axis=0)
    joint = round_coupling(joint, fp.p, target)
    dist = inner(joint, fp.delta)
    d_goal = D * (1 - 1e-13)
    if dist > d_goal:
        d_plan = inner(plan, fp.delta)
        ref = plan if d_plan < d_goal else least_distortion_coupling(fp, target)
        d_ref = d_plan if ref is plan else inner(ref, fp.delta)
        if d_ref >= d_goal:
            return np.inf, None
        theta = (dist - d_goal) / (dist - d_ref)
        joint = joint * (1 - theta) + ref * theta
    if not is_feasible(fp, joint, D, Pn, witness=plan):
        return np.inf, None
    return finite.mutual_information_nats(joint), joint


def repair(
    fp: finite.FiniteProblem,
    joint: NDArray,
    D: float,
    Pn: float,
    anchor: NDArray | None = None,
    overwrite: bool = False,
) -> tuple[float, NDArray | None]:
    """An exactly feasible joint near ``joint`` and its mutual information (nats).

    The output law q is mixed towards the law of least perception (``anchor``,
    default ``fp.min_divergence()``) until d(p_X, q̃) ≤ P (the perception is convex
    in q); the joint is rounded onto the couplings Π(p_X, q̃) (Altschuler, Weed &
    Rigollet 2017, Alg. 2), which makes its rows exactly p_X; then it is mixed with
    a least-distortion coupling of Π(p_X, q̃) until ⟨J, Δ⟩ ≤ D (distortion is linear,
    the output law stays q̃). The result is re-checked with
    [`is_feasible`][rdp.solvers.certificate.is_feasible].

    With ``overwrite`` the caller hands ``joint`` over: it may be repaired in place (one
    N × M array less on fine grids).

    Returns
    -------
    (float, ndarray or None)
        I(J) in nats and the feasible joint J, or ``(inf, None)`` when no repair is
        certified (the ball or D out of reach along these segments).
    """
    usable = fp.usable(Pn)
    if usable is not None:  # mass on a symbol of infinite perception: moved by the rounding
        joint = joint * usable[None, :]
    q = joint.sum(axis=0)
    # rows off the source pmf (a conic solver's, or after the masking): aim at the
    # normalised output law
    exact_rows = usable is None and np.abs(joint.sum(axis=1) - fp.p).max() <= _ROW_SLACK
    target = q if exact_rows else q / q.sum()
    law = fp.exact_law(Pn)
    if law is not None:  # P = 0: the output law is the one law of perception 0, exactly
        target = law
    elif fp.kind != NONE and np.isfinite(Pn):
        div = fp.divergence(target)
        if div > Pn:
            if anchor is None:
                anchor = fp.min_divergence()[1]
            target = _into_ball(fp, target, div, Pn, anchor)
            if target is None:
                return np.inf, None
    if target is not q:
        joint, overwrite = round_coupling(joint, fp.p, target, overwrite), True
    dist = inner(joint, fp.delta)
    d_goal = D * (1 - 1e-13)
    if dist > d_goal:
        if fp.monotone_1d and fp.kind != NONE and np.isfinite(Pn):
            # the monotone coupling has at most N + M − 1 cells: kept as its cells, the
            # mixture costs one new N × M array (the dense coupling was a second)
            rows, cols, mass = north_west_cells(fp.p, target)
            d_ref = float(mass @ fp.delta[rows, cols])
            if d_ref >= d_goal:
                return np.inf, None
            theta = (dist - d_goal) / (dist - d_ref)
            if overwrite:
                joint *= 1 - theta
            else:
                joint = joint * (1 - theta)
            joint[rows, cols] += theta * mass  # each cell once (north_west_cells)
        else:
            if fp.kind == NONE or not np.isfinite(Pn):
                # no perception constraint: the output law may move, so the nearest-point
                # map (least distortion of all channels, O(N·M)) serves without a
                # transport solve
                ref = nearest_point_coupling(fp)
            else:
                ref = least_distortion_coupling(fp, target)
            d_ref = inner(ref, fp.delta)
            if d_ref >= d_goal:
                return np.inf, None
            theta = (dist - d_goal) / (dist - d_ref)
            ref *= theta  # (1 − θ) J + θ ref with one new N × M array (ref is this call's)
            joint = joint * (1 - theta)
            joint += ref
    if not is_feasible(fp, joint, D, Pn):
        return np.inf, None
    return finite.mutual_information_nats(joint), joint


def dual_lower_bound(
    fp: finite.FiniteProblem,
    s: float,
    kv: NDArray,
    h: NDArray,
    D: float,
    Pn: float,
    row_min: NDArray,
) -> tuple[float, float]:
    r"""The Lagrangian lower bound (nats) from a kernel's products at slope s.

    With the shifted kernel $K_{ij} = e^{-s(\Delta_{ij} - m_i)}$, $m_i = \min_j \Delta_{ij}$
    (``row_min``), ``kv`` $= Kv$ and ``h`` $= K^\top(p / Kv)$ for some weights v ≥ 0:

    $$
    R(D, P) \ge -sD + s\langle p, m\rangle - \langle p, \log Kv\rangle - \sigma_{B_P}(\log h).
    $$

    Returns ``(bound, sigma)``; the bound is 0 where it is not finite (no
    information). σ is exact for none and TV and an upper bound for W and KL
    (``FiniteProblem.support_function``), so the bound holds whatever (s, v).
    """
    with np.errstate(divide="ignore"):
        log_h = np.log(h)
    sigma = fp.support_function(log_h, Pn)
    value = -s * D - float(fp.p @ np.log(kv)) + s * float(fp.p @ row_min) - sigma
    return (value if np.isfinite(value) else 0.0), sigma


def lagrangian_lower_bound(
    fp: finite.FiniteProblem, s: float, log_v: NDArray, D: float, Pn: float
) -> float:
    """[`dual_lower_bound`][rdp.solvers.certificate.dual_lower_bound] at (s, v), dense, in logs.

    ``log_v`` holds log v (``-inf`` where v_j = 0). Evaluated in log space, so
    a large slope does not underflow the kernel. Returns nats (0 when the bound
    is not finite).
    """
    row_min = fp.delta.min(axis=1)
    log_k = -s * (fp.delta - row_min[:, None])
    log_kv = logsumexp(log_k + log_v[None, :], axis=1)
    if not np.isfinite(log_kv).all():
        return 0.0
    with np.errstate(divide="ignore"):
        log_h = logsumexp(np.log(fp.p)[:, None] + log_k - log_kv[:, None], axis=0)
    sigma = fp.support_function(log_h, Pn)
    value = -s * D - float(fp.p @ log_kv) + s * float(fp.p @ row_min) - sigma
    return value if np.isfinite(value) else 0.0


def matching_weights(
    fp: finite.FiniteProblem, s: float, q: NDArray, steps: int = 200, rtol: float = 1e-13
) -> NDArray:
    """log v such that the channel J(s, v)_ij = p_i K_ij v_j / (Kv)_i has output law ``q``.

    Sinkhorn's iteration v ← q / h(v) in logs (rows p by construction, columns q):
    at a solution of R(D, P) with slope s the optimal channel has this form, so the
    weights of a solver's channel are found from its output law. Any result is
    usable: the bound of ``lagrangian_lower_bound`` holds for every v.
    """
    row_min = fp.delta.min(axis=1)
    log_k = -s * (fp.delta - row_min[:, None])
    log_p = np.log(fp.p)
    with np.errstate(divide="ignore"):
        log_q = np.log(np.clip(q, 0.0, None) / q.sum())
    log_v = log_q.copy()
    for _ in range(steps):
        log_kv = logsumexp(log_k + log_v[None, :], axis=1)
        log_h = logsumexp(log_p[:, None] + log_k - log_kv[:, None], axis=0)
        with np.errstate(invalid="ignore"):
            new = np.where(np.isfinite(log_q), log_q - log_h, -np.inf)
        new -= new[np.isfinite(new)].max()
        done = np.allclose(np.exp(new), np.exp(log_v), rtol=rtol, atol=0.0)
        log_v = new
        if done:
            break
    return log_v


# ---------------------------------------------------------------------- the repair's pieces
def _into_ball(
    fp: finite.FiniteProblem, q: NDArray, div: float, Pn: float, anchor: NDArray
) -> NDArray | None:
    """A law in the perception ball on the segment from q to the least-perception law."""
    a = anchor / anchor.sum()
    d_a = fp.divergence(a)
    goal = Pn * (1 - 1e-12) if Pn > 0 else 0.0
    if d_a > goal:
        return a if d_a <= Pn else None
    # convexity: d((1-t) q + t a) ≤ (1-t) d(q) + t d(a)
    hi = min(1.0, (div - goal) / (div - d_a))
    if fp.kind in WASSERSTEIN_KINDS and fp.w_order is None:
        return (1 - hi) * q + hi * a
    # φ(t) = d((1-t) q + t a) − goal is convex with φ(0) > 0 ≥ φ(hi): on a bracket
    # [lo, hi] the chord lies above φ, so its root is feasible (regula falsi with the
    # Anderson-Björck weights for speed; the best feasible t is kept)
    lo, f_lo, f_hi = 0.0, div - goal, fp.divergence((1 - hi) * q + hi * a) - goal
    side = 0
    for _ in range(40):
        if f_lo - f_hi <= 0:
            break
        mid = lo + f_lo * (hi - lo) / (f_lo - f_hi)
        if not lo < mid < hi:
            mid = 0.5 * (lo + hi)
        f_mid = fp.divergence((1 - mid) * q + mid * a) - goal
        if f_mid <= 0:
            hi, f_old, f_hi = mid, f_hi, f_mid
            if side == 1:  # hi moved twice: weight the stale end (Anderson-Björck)
                weight = 1.0 - f_mid / f_old if f_old < 0 else 0.5
                f_lo *= weight if weight > 0 else 0.5
            side = 1
            if f_mid >= -1e-10 * max(goal, 1e-300):
                break
        else:
            lo, f_lo = mid, f_mid
            side = -1
        if hi - lo <= 1e-12 * hi or hi - lo <= 1e-10:
            break  # t to 1e-10: the mixture's rate moves by far less than a bit's 1e-6
    return (1 - hi) * q + hi * a


def nearest_point_coupling(fp: finite.FiniteProblem) -> NDArray:
    """The joint that sends each source symbol to a reconstruction of least distortion."""
    out = np.zeros(fp.shape)
    out[np.arange(fp.shape[0]), np.argmin(fp.delta, axis=1)] = fp.p
    return out


def least_distortion_coupling(fp: finite.FiniteProblem, target: NDArray) -> NDArray:
    """A coupling of Π(p_X, target) of least ⟨J, Δ⟩ (exact on the line and for Hamming)."""
    if fp.monotone_1d:
        return north_west_corner(fp.p, target)
    if fp.hamming:
        pairs = getattr(fp, "_zero_distortion_pairs", None)
        if pairs is None:  # a pass over N × M: once per problem
            pairs = fp._zero_distortion_pairs = np.nonzero(fp.delta == 0)
        return diagonal_coupling(fp.p, target, pairs)
    import ot

    return ot.emd(fp.p, target / target.sum(), fp.delta)


def round_coupling(joint: NDArray, p: NDArray, target: NDArray, overwrite: bool = False) -> NDArray:
    """Round a joint onto Π(p, target) (Altschuler, Weed & Rigollet 2017, Alg. 2).

    Columns above ``target`` and rows above ``p`` are scaled down, and the missing
    mass is added as an outer product of the row and column deficits (in ``joint``'s
    own array with ``overwrite``).
    """
    q = joint.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.where(q > target, target / q, 1.0)
    if overwrite:
        out = joint
        out *= scale[None, :]
    else:
        out = joint * scale[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rows = out.sum(axis=1)
        out *= np.where(rows > p, p / rows, 1.0)[:, None]
    err_r = np.maximum(p - out.sum(axis=1), 0.0)
    err_c = np.maximum(target - out.sum(axis=0), 0.0)
    total = err_r.sum()
    if total > 0 and err_c.sum() > 0:
        col = err_c * (err_r.sum() / total / err_c.sum())
        for block in np.array_split(np.arange(out.shape[0]), max(1, out.size >> 20)):
            out[block] += err_r[block, None] * col[None, :]  # the outer product by blocks
    return out


def north_west_cells(p: NDArray, q: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """The cells (rows, columns, masses) of ``north_west_corner(p, q)``, each cell once."""
    n, m = p.size, q.size
    # the walk in Python floats (IEEE doubles, as numpy's)
    a, b = np.asarray(p, dtype=float).tolist(), np.asarray(q, dtype=float).tolist()
    rows: list[int] = []
    cols: list[int] = []
    mass: list[float] = []
    i = j = 0
    while i < n and j < m:
        ai, bj = a[i], b[j]
        t = bj if bj < ai else ai
        rows.append(i)
        cols.append(j)
        mass.append(t)
        a[i], b[j] = ai - t, bj - t
        if a[i] <= 1e-18:
            i += 1
        else:
            j += 1
    if i < n:  # rounding leftovers go to the last column (a cell not visited by the walk
        # unless j = m − 1 was left at row i: merged so that every cell appears once)
        extra = [k for k in range(i, n) if a[k] != 0.0]
        for k in extra:
            if rows and rows[-1] == k and cols[-1] == m - 1:
                mass[-1] += a[k]
            else:
                rows.append(k)
                cols.append(m - 1)
                mass.append(a[k])
    return np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp), np.array(mass)


def north_west_corner(p: NDArray, q: NDArray) -> NDArray:
    """The monotone (quantile) coupling of sorted p and q: optimal for convex costs of x − y."""
    rows, cols, mass = north_west_cells(p, q)
    out = np.zeros((p.size, q.size))
    out[rows, cols] = mass
    return out


def diagonal_coupling(p: NDArray, q: NDArray, pairs: tuple[NDArray, NDArray]) -> NDArray:
    """Keep min(p_i, q_j) on equal values, spread the rest: least Hamming distortion.

    ``pairs`` = (rows, columns) of the cells of zero distortion (equal values).
    """
    out = np.zeros((p.size, q.size))
    ii, jj = pairs
    kept = np.minimum(p[ii], q[jj])
    out[ii, jj] = kept
    err_r = np.maximum(p - out.sum(axis=1), 0.0)
    err_c = np.maximum(q - out.sum(axis=0), 0.0)
    if err_r.sum() > 0 and err_c.sum() > 0:
        out += np.outer(err_r, err_c / err_c.sum())
    return out
