r"""The ends of the distortion range of a finite problem: D_min(P) and D_max(P).

- [`min_distortion`][rdp.solvers.distortion_range.min_distortion]: the least expected
  distortion of any channel with perception ≤ P — $\sum_i p_i \min_j \Delta_{ij}$ when P
  is infinite or the least-distortion map keeps the source law, else a linear program
  (TV, W; HiGHS) or a conic program (KL; Clarabel);
- [`zero_rate_law`][rdp.solvers.distortion_range.zero_rate_law]: D_max(P), the least
  distortion at rate 0 (a product channel $p_X \otimes q$ with q in the ball), and that q.

Both take a ``time_limit`` in seconds (None: none). A program or search still running
then raises [`TimeLimitError`][rdp.exceptions.TimeLimitError] instead of answering; for
D_min its ``lower`` is $\sum_i p_i \min_j \Delta_{ij}$, a lower bound on D_min(P) for
every P. ``P`` is the internal bound (KL in nats, ``inf`` for none).
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.special import rel_entr

from rdp.exceptions import TimeLimitError
from rdp.perceptions import KL_RECON_SOURCE, KL_SOURCE_RECON, NONE, TRANSPORT_KINDS
from rdp.solvers import fdivergence
from rdp.solvers.finite import CHECK_RTOL, FiniteProblem, _row_blocks


def identity_dominant(fp: FiniteProblem) -> NDArray | None:
    """Column map j(i) with Δ[i, j(i)] = min_j Δ[i, j] and zero perception cost, if one exists.

    Then D_min(P) = Σ_i p_i min_j Δ[i, j] for every P (the deterministic map
    x_i → y_{j(i)} preserves the source law, perception 0).
    """
    row_min = fp.delta.min(axis=1, keepdims=True)
    out = np.empty(fp.p.size, dtype=np.intp)
    for block in _row_blocks(*fp.shape):  # by blocks of rows: no N × M temporary
        ok = (fp.delta[block] <= row_min[block]) & (fp.cost_rows(block) == 0)
        if not ok.any(axis=1).all():
            return None
        out[block] = np.argmax(ok, axis=1)
    return out


def distortion_floor(fp: FiniteProblem) -> float:
    """Σ_i p_i min_j Δ_ij: D_min(∞), a lower bound on D_min(P) for every P."""
    return float(fp.p @ fp.delta.min(axis=1))


def _deadline(time_limit: float | None) -> float:
    return np.inf if time_limit is None else time.perf_counter() + float(time_limit)


def _left(deadline: float) -> float | None:
    """Seconds to ``deadline`` (None: no limit); ``TimeLimitError`` once it has passed."""
    if not np.isfinite(deadline):
        return None
    left = deadline - time.perf_counter()
    if left <= 0:
        raise TimeLimitError("the time limit was reached")
    return left


def min_distortion(fp: FiniteProblem, P: float, time_limit: float | None = None) -> float:
    """D_min(P): the least expected distortion of any channel with perception ≤ P.

    The LP min ⟨J, Δ⟩ over J with rows p and a coupling π with the same column
    law and ⟨π, c⟩ ≤ P (TV, W); a cvxpy program for KL balls that the identity
    map does not settle. ``P`` is the internal bound (KL in nats, inf for none).
    A program still running after ``time_limit`` seconds raises ``TimeLimitError``
    with ``lower`` = ``distortion_floor(fp)``.
    """
    P = float(P)
    floor = distortion_floor(fp)
    if fp.kind == NONE or not np.isfinite(P):
        return floor
    d_min_div, _ = fp.min_divergence()
    if P < d_min_div * (1 - CHECK_RTOL) - 1e-15:
        return float("inf")
    if identity_dominant(fp) is not None:
        return floor
    law = fp.exact_law(P)
    if law is not None:  # P = 0 admits one output law: D_min is the transport cost to it
        return _least_distortion_to(fp, law)
    deadline = _deadline(time_limit)
    try:
        if fp.kind in TRANSPORT_KINDS:
            return _min_distortion_lp(fp, P, deadline)
        return _min_distortion_kl(fp, P, deadline)
    except TimeLimitError:
        raise TimeLimitError(
            f"D_min(P) was not found within the time limit ({time_limit:g} s); it is at "
            f"least {floor:.9g} (the mean least distortion)",
            lower=floor,
        ) from None


def _least_distortion_to(fp: FiniteProblem, law: NDArray) -> float:
    r"""min ⟨J, Δ⟩ over the couplings J of Π(p_X, ``law``): D_min(0) when P = 0 admits one
    output law (every feasible channel has it), without the LP over a second coupling.

    The north-west corner rule on the line with a monotone Δ and the diagonal for Hamming
    (both exact, ``certificate.least_distortion_coupling``); otherwise the network simplex
    (POT's ``ot.emd2``, Bonneel et al. 2011) run to its optimum.
    """
    if fp.monotone_1d or fp.hamming:
        from rdp.solvers.certificate import inner, least_distortion_coupling

        return float(inner(least_distortion_coupling(fp, law), fp.delta))
    import ot

    n, m = fp.shape
    iterations = max(100_000, 100 * n * m)
    cost, log = ot.emd2(fp.p, law / law.sum(), fp.delta, numItermax=iterations, log=True)
    if log.get("result_code") != 1:
        warning = log.get("warning")
        raise RuntimeError(f"min-distortion transport did not reach its optimum: {warning}")
    return float(cost)


def _min_distortion_lp(fp: FiniteProblem, P: float, deadline: float = np.inf) -> float:
    from scipy import sparse

    n, m = fp.shape
    nm = n * m
    # variables: J (n*m), pi (n*m), row-major
    rows_J = sparse.kron(sparse.eye(n), np.ones((1, m)))
    cols = sparse.kron(np.ones((1, n)), sparse.eye(m))
    zero_nm = sparse.csr_matrix((n, nm))
    a_eq = sparse.vstack(
        [
            sparse.hstack([rows_J, zero_nm]),
            sparse.hstack([zero_nm, rows_J]),
            sparse.hstack([cols, -cols]),
        ]
    ).tocsr()
    b_eq = np.concatenate([fp.p, fp.p, np.zeros(m)])
    a_ub = sparse.hstack([sparse.csr_matrix((1, nm)), fp.cost.reshape(1, -1)]).tocsr()
    c = np.concatenate([fp.delta.ravel(), np.zeros(nm)])
    left = _left(deadline)
    options = {} if left is None else {"time_limit": left}
    res = linprog(
        c, A_ub=a_ub, b_ub=[P], A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs",
        options=options,
    )  # fmt: skip
    if res.status == 1 and left is not None and "time limit" in str(res.message).lower():
        raise TimeLimitError(f"min-distortion LP: {res.message}")
    if res.status != 0:
        raise RuntimeError(f"min-distortion LP failed: {res.message}")
    return float(res.fun)


#: Source masses at most this are no variables of the convex programs (``fixed_rows``): a
#: mass of 1e-12 inside a relative-entropy cone is badly scaled enough for Clarabel to
#: accept a channel that breaks the constraint.
MASS_FLOOR = 1e-8

#: Clarabel's tolerances tried before its defaults (1e-8), whose answers were up to 3e-8
#: below the least distortion of a KL ball.
_CLARABEL_TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


def fixed_rows(
    fp: FiniteProblem, floor: float = MASS_FLOOR, usable: NDArray | None = None
) -> tuple[NDArray, NDArray]:
    """The free rows (p_i > floor) and a joint holding the others: x_i → y_j(i).

    Each row of mass at most ``floor`` sends its mass to a reconstruction value of
    least transport cost c_ij (its own value when it is one), ties broken by least
    distortion, among the ``usable`` columns (all when None). Returns ``(kept, fixed)``:
    a boolean mask of the free rows and the (N, M) joint of the fixed ones.
    """
    kept = fp.p > floor
    if not kept.any():
        kept[:] = True
    fixed = np.zeros(fp.shape)
    removed = np.flatnonzero(~kept)
    if removed.size:
        cost, delta = fp.cost[removed], fp.delta[removed]
        if usable is not None:
            cost = np.where(usable[None, :], cost, np.inf)
        cheapest = cost <= cost.min(axis=1, keepdims=True)
        j = np.argmin(np.where(cheapest, delta, np.inf), axis=1)
        fixed[removed, j] = fp.p[removed]
    return kept, fixed


def _min_distortion_kl(fp: FiniteProblem, P: float, deadline: float = np.inf) -> float:
    r"""min ⟨J, Δ⟩ over channels whose output law q has KL (or another f-divergence) ≤ P.

    KL is written with the source law outside the cones: KL(q‖p̃) = Σ q log q −
    Σ q log p̃ and KL(p̃‖q) = Σ p̃ log p̃ − Σ p̃ log q (a mass of 1e-12 inside a
    relative-entropy cone put D_min 3e-5 too low). Rows of mass ≤ ``MASS_FLOOR`` are
    no variables (``fixed_rows``: each sent to its own value, or the cheapest usable
    one), so every channel of the program is feasible for the full problem. ``P`` in
    nats. The solver gets the time left to ``deadline`` (``TimeLimitError`` after it).
    """
    import warnings

    import cvxpy as cp

    usable = fp.usable(P)
    kept, fixed = fixed_rows(fp, MASS_FLOOR, usable)
    m = fp.shape[1]
    J = cp.Variable((int(kept.sum()), m), nonneg=True)
    q = cp.sum(J, axis=0) + fixed.sum(axis=0)
    cons = [cp.sum(J, axis=1) == fp.p[kept]]
    if usable is not None:
        cons.append(cp.sum(J[:, np.flatnonzero(~usable)]) == 0)
    on = np.flatnonzero(fp.p_tilde > 0)
    if P == 0:  # no Slater point: the constraint is the equality q = p_X
        cons.append(q == fp.p_tilde / fp.p_tilde.sum())
    elif fp.generator is not None:  # the other f-divergences: the generator's expression
        cons += fdivergence.constraint(fp, q, P)
    elif fp.kind == KL_SOURCE_RECON:
        pb = fp.p_tilde[on]
        cons.append(-(pb @ cp.log(q[on])) <= P - float(pb @ np.log(pb)))
    else:
        cons.append(cp.sum(-cp.entr(q[on])) - q[on] @ np.log(fp.p_tilde[on]) <= P)
    objective = cp.sum(cp.multiply(J, fp.delta[kept])) + float((fixed * fp.delta).sum())
    prob = cp.Problem(cp.Minimize(objective), cons)
    statuses = []
    for options in (_CLARABEL_TIGHT, {}):
        left = _left(deadline)
        limit = {} if left is None else {"time_limit": left}
        began = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Solution may be inaccurate"
            try:
                prob.solve(solver="CLARABEL", **options, **limit)
            except cp.error.SolverError as err:
                statuses.append(f"error ({err})")
                continue
        statuses.append(str(prob.status))
        # Clarabel's iteration or time limit: the time limit when it used (nearly) all of it
        if prob.status == "user_limit" and left is not None:
            if time.perf_counter() - began >= 0.9 * left:
                raise TimeLimitError("min-distortion program: Clarabel's time limit")
        if prob.status == "optimal":
            return float(prob.value)
    if prob.status == "optimal_inaccurate":
        return float(prob.value)
    raise RuntimeError(f"min-distortion program failed: {'; '.join(statuses)}")


def zero_rate_law(
    fp: FiniteProblem, P: float, time_limit: float | None = None
) -> tuple[float, NDArray | None]:
    r"""D_max(P) = min over q ∈ B_P of ⟨q, d̄⟩, d̄_j = Σ_i p_i Δ_ij, and the minimising law q.

    At rate 0 the channel is the product p_X ⊗ q. Returns (inf, None) when no
    law meets the perception bound. ``P`` is the internal bound (KL in nats). A
    transport-ball search (a pass over N × M per trial multiplier) still running after
    ``time_limit`` seconds raises ``TimeLimitError``.
    """
    P = float(P)
    dbar = fp.p @ fp.delta
    m = dbar.size
    d_min_div, _ = fp.min_divergence()
    if P < d_min_div * (1 - CHECK_RTOL) - 1e-15:
        return float("inf"), None
    if fp.kind == NONE or not np.isfinite(P):
        q = np.zeros(m)
        q[np.argmin(dbar)] = 1.0
        return float(dbar.min()), q
    law = fp.exact_law(P)
    if law is not None:  # P = 0 admits one output law: the product channel p_X ⊗ law
        return float(law @ dbar), law
    if fp.kind in TRANSPORT_KINDS:
        deadline = _deadline(time_limit)
        try:
            q = _zero_rate_transport(fp.p, fp.cost, dbar, P, deadline)
        except TimeLimitError:
            raise TimeLimitError(
                f"D_max(P), the least distortion at rate 0, was not found within the time "
                f"limit ({time_limit:g} s)"
            ) from None
    elif fp.generator is not None:
        q = fdivergence.zero_rate_law(fp, dbar, P)
    elif fp.kind == KL_RECON_SOURCE:
        q = _zero_rate_kl_rs(fp.p_tilde, dbar, P)
    else:
        q = _zero_rate_kl_sr(fp.p_tilde, dbar, P)
    return float(q @ dbar), q


def _zero_rate_transport(
    p: NDArray, cost: NDArray, dbar: NDArray, P: float, deadline: float = np.inf
) -> NDArray:
    """Lagrangian plans argmin_j (d̄_j + μ c_ij) around the critical μ, mixed to cost P.

    The critical μ is bracketed by doubling and bisection. A bracket [lo, hi] whose plans
    differ only in rows that all switch at one μ_b (where the two choices of each row tie)
    holds a single breakpoint when the plans just below and above μ_b are those of lo
    and hi; the search stops there instead of narrowing the bracket to 1e-15 (each plan
    is a pass over the N × M cost: 50 ms at N = 3000).
    """
    m = dbar.size
    rows = np.arange(p.size)
    match = _matched_binary(cost)
    # work arrays of the N × M passes, reused by every plan
    buf = np.empty(cost.shape) if match is None else None
    mask = np.empty(cost.shape, dtype=bool) if match is None else None

    def assign(mu: float) -> NDArray:
        if match is not None:  # c = 1[j ≠ j(i)]: stay at j(i) or move to the best other column
            order = np.argsort(dbar)[:2]
            other = np.where(match == order[0], order[1], order[0])
            stay, move = dbar[match], dbar[other] + mu
            return np.where(move < stay - 1e-14 * (1 + np.abs(stay)), other, match)
        np.multiply(cost, mu, out=buf)
        np.add(buf, dbar[None, :], out=buf)
        best = buf.min(axis=1)
        # ties broken towards the cheapest transport
        np.less_equal(buf, (best + 1e-14 * (1 + np.abs(best)))[:, None], out=mask)
        buf.fill(np.inf)
        np.copyto(buf, cost, where=mask)
        return np.argmin(buf, axis=1)

    def plan(mu: float) -> tuple[float, NDArray, NDArray]:
        _left(deadline)
        j = assign(mu)
        return float(p @ cost[rows, j]), np.bincount(j, weights=p, minlength=m), j

    def single_breakpoint(j_lo: NDArray, j_hi: NDArray) -> float | None:
        """μ_b when every row that differs between the two plans ties at the same μ_b."""
        moved = np.flatnonzero(j_lo != j_hi)
        if moved.size == 0:
            return None
        saved = cost[moved, j_lo[moved]] - cost[moved, j_hi[moved]]
        if not (saved > 0).all():
            return None
        mu = (dbar[j_hi[moved]] - dbar[j_lo[moved]]) / saved
        if mu.max() - mu.min() > 1e-12 * abs(mu.max()):
            return None
        return float(mu.max())

    first = plan(0.0)
    if first[0] <= P:
        return first[1]
    lo, hi = 0.0, 1.0
    at_lo, at_hi = first, plan(hi)
    while at_hi[0] > P:
        lo, at_lo = hi, at_hi
        hi *= 2.0
        at_hi = plan(hi)
        if hi > 1e300:
            break
    tried = None
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        at_mid = plan(mid)
        if at_mid[0] > P:
            lo, at_lo = mid, at_mid
        else:
            hi, at_hi = mid, at_mid
        if hi - lo <= 1e-15 * hi:
            break
        mu_b = single_breakpoint(at_lo[2], at_hi[2])
        # 1e-9 on either side: outside the 1e-14 tie window of the scores
        if mu_b is not None and mu_b != tried and lo < mu_b * (1 - 1e-9) < mu_b * (1 + 1e-9) < hi:
            tried = mu_b
            below, above = plan(mu_b * (1 - 1e-9)), plan(mu_b * (1 + 1e-9))
            if np.array_equal(below[2], at_lo[2]) and np.array_equal(above[2], at_hi[2]):
                at_lo, at_hi = below, above
                break
    (c_lo, q_lo, _), (c_hi, q_hi, _) = at_lo, at_hi
    if c_lo <= c_hi:
        return q_hi
    t = (c_lo - P) / (c_lo - c_hi)
    return (1 - t) * q_lo + t * q_hi


def _matched_binary(cost: NDArray) -> NDArray | None:
    """j(i) when c_ij = 1[j ≠ j(i)] exactly (TV on a common alphabet, M ≥ 2), else None."""
    n, m = cost.shape
    if m < 2:
        return None
    match = np.argmin(cost, axis=1)
    expected = np.ones((n, m))
    expected[np.arange(n), match] = 0.0
    return match if np.array_equal(cost, expected) else None


def _zero_rate_kl_rs(p_tilde: NDArray, dbar: NDArray, P: float) -> NDArray:
    """q ∝ p̃ e^{−t d̄}: the exponential tilt with KL(q‖p̃) = P (bisection on t)."""
    mask = p_tilde > 0

    def law(t: float) -> NDArray:
        logw = np.full(p_tilde.size, -np.inf)
        logw[mask] = np.log(p_tilde[mask]) - t * (dbar[mask] - dbar[mask].min())
        w = np.exp(logw - logw.max())
        return w / w.sum()

    def kl(t: float) -> float:
        return float(rel_entr(law(t), p_tilde).sum())

    if kl(1e12) <= P:
        return law(1e12)
    lo, hi = 0.0, 1.0
    while kl(hi) < P:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if kl(mid) <= P else (lo, mid)
    return law(lo)


def _zero_rate_kl_sr(p_tilde: NDArray, dbar: NDArray, P: float) -> NDArray:
    """q_j = λ p̃_j / (d̄_j − ν') on the support: the KKT form, feasible point by bisection."""
    mask = p_tilde > 0
    ds, ps = dbar[mask], p_tilde[mask]
    low = float(ds.min())

    def law(log_t: float) -> NDArray:
        w = ps / (ds - low + np.exp(log_t))
        out = np.zeros(p_tilde.size)
        out[mask] = w / w.sum()
        return out

    def kl(log_t: float) -> float:
        return float(rel_entr(ps, law(log_t)[mask]).sum())

    lo, hi = -60.0, 60.0
    if kl(lo) <= P:
        return law(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if kl(mid) <= P else (mid, hi)
    return law(hi)
