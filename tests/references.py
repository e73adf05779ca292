"""Independent reference computations for the test suite, each with its source.

Nothing here imports :mod:`rdp`: every function is written again from the
paper (or from the definition) so that a test comparing the library with it
can fail. Citations use the keys of ``docs/references.md``. Rates are in bits
and KL divergences in bits unless a name says nats.

Contents
--------
- Information measures: entropies, mutual information, and the perception
  divergences between two finite laws (TV by formula, KL by direct sum,
  optimal transport by a linear program).
- Finite R(D, P): an exact convex program (cvxpy), Blahut–Arimoto for R(D), a
  Sinkhorn reference for R(D, 0), and brute force over binary channels.
- Closed forms: Bernoulli/Hamming/TV, Gaussian/MSE with W₂² or KL, Shannon's
  Gaussian R(D), perfect perception and common randomness.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog, minimize_scalar
from scipy.special import lambertw, xlogy

LN2 = np.log(2.0)

#: The perception kinds the strategies draw, by their names in ``rdp``.
#: Source masses at most this are fixed rows of ``convex_rate`` (not variables of a cone).
MASS_FLOOR = 1e-10

PERCEPTION_KINDS = ("none", "tv", "w1", "w2", "kl-source-recon", "kl-recon-source")
#: The f-divergence kinds (squared Hellinger, Jensen–Shannon in bits, χ² both ways).
F_PERCEPTION_KINDS = ("hellinger", "js", "chi2-source-recon", "chi2-recon-source")


# ---------------------------------------------------------------- information measures
def h2(a):
    """Binary entropy H_b(a) in bits (Cover & Thomas 2006, Eq. 2.5)."""
    a = np.asarray(a, dtype=float)
    return -(xlogy(a, a) + xlogy(1 - a, 1 - a)) / LN2


def h3(a, b):
    """Entropy in bits of the ternary law (a, b, 1 − a − b): H_t of Blau & Michaeli 2019, Thm 2."""
    c = 1 - a - b
    return -(xlogy(a, a) + xlogy(b, b) + xlogy(c, c)) / LN2


def mutual_information_bits(joint):
    """I(X; X̂) in bits of a joint pmf matrix, Σ J log(J / (p ⊗ q)) summed directly."""
    joint = np.asarray(joint, dtype=float)
    prod = joint.sum(axis=1, keepdims=True) * joint.sum(axis=0, keepdims=True)
    mask = joint > 0
    return float((joint[mask] * np.log2(joint[mask] / prod[mask])).sum())


def laws_on_union(p, x, q, y):
    """The laws p on values x and q on values y as two pmfs on the union of the values."""
    union = np.union1d(x, y)
    a = np.zeros(union.size)
    b = np.zeros(union.size)
    np.add.at(a, np.searchsorted(union, x), p)
    np.add.at(b, np.searchsorted(union, y), q)
    return a, b


def tv_distance(a, b):
    """Total variation ½ Σ |a − b| of two pmfs on one alphabet."""
    return 0.5 * float(np.abs(np.asarray(a) - np.asarray(b)).sum())


def kl_bits(a, b):
    """KL(a‖b) = Σ a log₂(a / b) in bits, summed directly; ∞ when a ≪ b fails."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.any((a > 0) & (b <= 0)):
        return float("inf")
    mask = a > 0
    return float((a[mask] * np.log2(a[mask] / b[mask])).sum())


def transport_cost(a, b, cost):
    """min ⟨π, c⟩ over couplings π of (a, b), solved as a linear program (HiGHS).

    The Kantorovich problem (Villani 2009, Def. 6.1; for c = |x − y|^p the value
    is W_p^p); solved with :func:`scipy.optimize.linprog`, not POT.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    b = b / b.sum()
    n, m = cost.shape
    rows = np.kron(np.eye(n), np.ones(m))  # Σ_j π_ij = a_i
    # Σ_i π_ij = b_j for j < m; the last column's constraint is implied by the others
    # and, kept, makes HiGHS call the program infeasible when Σa and Σb differ by an ulp
    cols = np.kron(np.ones(n), np.eye(m))[:-1]
    res = linprog(
        np.asarray(cost, dtype=float).ravel(),
        A_eq=np.vstack([rows, cols]),
        b_eq=np.concatenate([a, b[:-1]]),
        bounds=(0, None),
        method="highs",
    )
    assert res.status == 0, res.message
    return float(res.fun)


def distortion_matrix(name, x, y):
    """Δ(x_i, y_j) for a named distortion: Hamming 1[x ≠ y], MSE (x − y)², absolute |x − y|."""
    diff = np.asarray(x, dtype=float)[:, None] - np.asarray(y, dtype=float)[None, :]
    return {"hamming": (diff != 0).astype(float), "mse": diff**2, "absolute": np.abs(diff)}[name]


def perception_value(kind, p, x, q, y):
    """d(p_X, p_X̂) between p on values x and q on values y, in rdp's units (KL in bits).

    TV and KL compare the laws on the union of the values (the convention of the
    library's finite problems); W1 and W2 are the transport costs with ground
    cost |x − y| and |x − y|² (so "w2" is the squared W₂²).
    """
    if kind == "none":
        return 0.0
    if kind in ("w1", "w2"):
        order = int(kind[1])
        cost = np.abs(np.asarray(x)[:, None] - np.asarray(y)[None, :]) ** order
        return transport_cost(p, q, cost)
    a, b = laws_on_union(p, x, q, y)
    if kind == "tv":
        return tv_distance(a, b)
    if kind == "kl-source-recon":
        return kl_bits(a, b)
    if kind == "kl-recon-source":
        return kl_bits(b, a)
    if kind in F_PERCEPTION_KINDS:
        return f_divergence_value(kind, a, b)
    raise ValueError(kind)


def f_divergence_value(kind, a, b):
    """The f-divergences between pmfs a (source) and b (reconstruction), summed directly.

    Squared Hellinger 1 − Σ √(a b); Jensen–Shannon ½ KL(a‖m) + ½ KL(b‖m), m = (a + b)/2,
    in bits (Lin 1991); Pearson χ²(b‖a) = Σ (b − a)²/a ('chi2-recon-source') and
    χ²(a‖b) = Σ (a − b)²/b ('chi2-source-recon'), inf where the denominator vanishes
    and the numerator does not.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if kind == "hellinger":
        return float(1.0 - np.sqrt(a * b).sum())
    if kind == "js":
        m = 0.5 * (a + b)
        return 0.5 * kl_bits(a, m) + 0.5 * kl_bits(b, m)
    num, den = ((b - a) ** 2, a) if kind == "chi2-recon-source" else ((a - b) ** 2, b)
    if ((den == 0) & (num > 0)).any():
        return float("inf")
    mask = den > 0
    return float((num[mask] / den[mask]).sum())


# ---------------------------------------------------------------- finite R(D, P)
def convex_rate(p, x, y, delta, kind, D, P, ground_cost=None, **solver_options):
    """R(D, P) in bits of a finite problem by the convex program of Blau & Michaeli 2019, Eq. 3.

    Written directly in cvxpy on the joint J (rows p): minimise
    Σ rel_entr(J, p ⊗ q) with q = Σ_i J_i·, s.t. ⟨J, Δ⟩ ≤ D and d(p, q) ≤ P
    (TV and KL on the union of the values; W by a coupling variable). KL is written
    with the source law outside the cones, and rows of mass ≤ ``MASS_FLOOR`` are fixed
    (sent to their own value), which raises R by at most ε log₂|S| + h(ε) bits, ε the
    fixed mass (3.5e-9 bits at ε = 1e-10, |S| = 1).
    Returns ``(rate_bits, status)``; the rate is ``inf`` if infeasible.
    ``ground_cost`` (W only): an explicit (n, m) ground cost instead of |x − y|^k, with no
    P = 0 shortcut (the coupling's cost is then constrained to 0). Points of R^d are
    rows of ``x`` and ``y``. ``solver_options`` go to Clarabel (e.g. ``tol_gap_abs=1e-9``).
    """
    import cvxpy as cp

    p, x, y, delta = (np.asarray(v, dtype=float) for v in (p, x, y, delta))
    n, m = delta.shape
    same = x[:, None] == y[None, :]
    same = (same.all(axis=2) if same.ndim == 3 else same).astype(float)
    # rows of mass ≤ MASS_FLOOR are no variables: each goes to its own value (else to its
    # least distortion); their share −Σ_S p_i log q_j(i) of I(J) stays in the objective
    free = p > MASS_FLOOR
    if not free.any():
        free[:] = True
    fixed = np.zeros((n, m))
    for i in np.flatnonzero(~free):
        fixed[i, np.argmax(same[i]) if same[i].any() else np.argmin(delta[i])] = p[i]
    J = cp.Variable((int(free.sum()), m), nonneg=True)
    q = cp.sum(J, axis=0) + fixed.sum(axis=0)
    prod = cp.reshape(p[free], (-1, 1), order="F") @ cp.reshape(q, (1, m), order="F")
    info = cp.sum(cp.rel_entr(J, prod))
    for i, j in zip(*np.nonzero(fixed), strict=True):
        info = info - p[i] * cp.log(q[j])
    cons = [
        cp.sum(J, axis=1) == p[free],
        cp.sum(cp.multiply(J, delta[free])) + float((fixed * delta).sum()) <= D,
    ]
    if kind != "none" and P == 0 and ground_cost is None:  # zero only at q = p_X
        cons.append(q == p @ same)
        if p @ same.sum(axis=1) < 1 - 1e-12:
            return float("inf"), "infeasible"
    elif kind != "none" and np.isfinite(P):
        p_on_y = p @ same  # source mass on each reconstruction value
        # mass on no reconstruction value, from the support (1 − Σ would read rounding as mass)
        m_out = float(p[~same.any(axis=1)].sum())
        keep = np.flatnonzero(p_on_y > 0)
        if kind == "tv":
            cons.append(0.5 * (cp.norm1(q - p_on_y) + m_out) <= P)
        elif kind in ("w1", "w2"):
            cost = (
                np.abs(x[:, None] - y[None, :]) ** int(kind[1])
                if ground_cost is None
                else np.asarray(ground_cost, dtype=float)
            )
            pi = cp.Variable((n, m), nonneg=True)
            cons += [cp.sum(pi, axis=1) == p, cp.sum(pi, axis=0) == q]
            cons.append(cp.sum(cp.multiply(pi, cost)) <= P)
        elif kind == "kl-recon-source":
            # Σ q log q − Σ q log p̃: the source law stays outside the cones (a mass of
            # 1e-12 inside one is badly scaled); q must vanish where p_X does
            log_p = np.log(p_on_y[keep])
            cons.append(cp.sum(-cp.entr(q[keep])) - q[keep] @ log_p <= P * LN2)
            cons += [q[j] == 0 for j in np.flatnonzero(p_on_y <= 0)]
        elif kind == "kl-source-recon":
            if m_out > 0:
                return float("inf"), "infeasible"
            pk = p_on_y[keep]  # Σ p̃ log p̃ − Σ p̃ log q
            cons.append(-(pk @ cp.log(q[keep])) <= P * LN2 - float(pk @ np.log(pk)))
        elif kind in F_PERCEPTION_KINDS:
            cons += _f_divergence_constraints(cp, kind, p_on_y, m_out, q, P)
        else:
            raise ValueError(kind)
    problem = cp.Problem(cp.Minimize(info / LN2), cons)
    problem.solve(solver=cp.CLARABEL, **solver_options)
    if problem.status in ("infeasible", "infeasible_inaccurate"):
        return float("inf"), problem.status
    return float(problem.value), problem.status


def _f_divergence_constraints(cp, kind, a, m_out, q, P):
    """f-divergence ≤ P in forms other than the library's (geo_mean, entr, quad_over_lin).

    On the union of values: the source mass m_out outside the reconstruction values
    meets q = 0 there.
    """
    m = a.size
    if kind == "hellinger":  # 1 − Σ √(a_j q_j) ≤ P, as geometric means
        terms = [cp.geo_mean(cp.hstack([q[j], float(a[j])])) for j in range(m) if a[j] > 0]
        return [1.0 - cp.sum(cp.hstack(terms)) <= P]
    if kind == "js":  # JS = ½ Σ kl_div(q, m) + kl_div(a, m) (nats; the linear terms cancel)
        if m_out > 0:
            raise ValueError("this reference writes JS for source values among the reconstruction")
        half = 0.5 * (q + a)
        js = 0.5 * cp.sum(cp.kl_div(q, half)) + 0.5 * cp.sum(cp.kl_div(a, half))
        return [js <= P * LN2]
    if kind == "chi2-recon-source":  # Σ (q − a)²/a, q = 0 where a = 0
        keep = np.flatnonzero(a > 0)
        terms = [cp.quad_over_lin(q[j] - a[j], float(a[j])) for j in keep]
        return [cp.sum(cp.hstack(terms)) <= P] + [q[j] == 0 for j in np.flatnonzero(a <= 0)]
    if m_out > 0:  # χ²(a‖q) with source mass where q is 0: infinite
        return [q[0] >= 2.0]  # infeasible
    terms = [cp.quad_over_lin(float(a[j]) - q[j], q[j]) for j in range(m)]
    return [cp.sum(cp.hstack(terms)) <= P]


def convex_rate_tight(p, x, y, delta, kind, D, P, ground_cost=None):
    """``convex_rate`` at Clarabel tolerances 1e-10, then 1e-9, then its defaults.

    At its default tolerances Clarabel's 'optimal' value can be ~1e-6 bits off (seen:
    8e-7 bits below the optimum on a 4-symbol W2 problem); the first tolerance at which
    it reports 'optimal' gives the reference. Returns ``(rate_bits, status)``.
    """
    import warnings

    value, status = float("nan"), "failed"
    for tol in (1e-10, 1e-9, None):
        options = {} if tol is None else {"tol_gap_abs": tol, "tol_gap_rel": tol, "tol_feas": tol}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Solution may be inaccurate"
            try:
                value, status = convex_rate(p, x, y, delta, kind, D, P, ground_cost, **options)
            except Exception:
                continue
        if status in ("optimal", "infeasible"):
            return value, status
    return value, status


def convex_rate_precise(p, x, y, delta, kind, D, P):
    """``convex_rate`` with Clarabel at tolerances 1e-12 (500 iterations): a reference value
    good to ~1e-11 bits on small problems (at 1e-10 Clarabel's value can be 4e-10 off).

    Clarabel may call the result 'optimal_inaccurate' at these tolerances; the value is
    still returned, with its status: as a reference it can only make a comparison fail,
    never pass one that should fail. Returns ``(rate_bits, status)``.
    """
    import warnings

    tight = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "max_iter": 500}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return convex_rate(p, x, y, delta, kind, D, P, **tight)


def blahut_arimoto(p, delta, s, tol=1e-11, max_iter=200_000):
    """A point (R(D) in bits, D) of Shannon's R(D) at slope −s by Blahut–Arimoto.

    Blahut 1972, Thm 8: iterate until the upper and lower bounds on the
    rate at slope s meet within ``tol`` nats.
    """
    kernel = np.exp(-s * delta)
    r = np.full(delta.shape[1], 1.0 / delta.shape[1])
    for _ in range(max_iter):
        c = kernel.T @ (p / (kernel @ r))
        gap = np.log(c.max()) - np.sum(r * c * np.log(c))
        r = r * c
        if gap < tol:
            break
    joint = p[:, None] * kernel * r[None, :] / (kernel @ r)[:, None]
    return mutual_information_bits(joint), float((joint * delta).sum())


def _rate_at_distortion(solve, D, s_max=40.0, steps=26):
    """Rate of ``solve(s) -> (distortion, rate)`` at the slope s whose distortion meets D.

    The distortion falls as s grows; bisection on s in [0, s_max] keeps the side
    with distortion ≤ D.
    """
    lo, hi = 0.0, s_max
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        d, _ = solve(mid)
        lo, hi = (mid, hi) if d > D else (lo, mid)
    return solve(hi)[1]


def blahut_arimoto_rate(p, delta, D, iters=800):
    """Shannon R(D) in bits by Blahut–Arimoto (Blahut 1972) with the slope found by bisection."""

    def solve(s):
        q = np.full(delta.shape[1], 1 / delta.shape[1])
        A = np.exp(-s * delta)
        for _ in range(iters):
            Q = q * A
            Q /= Q.sum(axis=1, keepdims=True)
            q = p @ Q
        joint = p[:, None] * Q
        return float((joint * delta).sum()), mutual_information_bits(joint)

    return _rate_at_distortion(solve, D)


def perfect_perception_rate(p, delta, D, iters=800):
    """R(D, 0) in bits: min KL(π‖p⊗p) over couplings of (p, p) with ⟨π, Δ⟩ ≤ D.

    With P = 0 the reconstruction law is p (Blau & Michaeli 2019, Eq. 3), so the
    inner problem is entropic optimal transport, solved by Sinkhorn's scaling
    (Cuturi 2013) at slope s.
    """

    def solve(s):
        K = np.outer(p, p) * np.exp(-s * delta)
        v = np.ones_like(p)
        for _ in range(iters):
            u = p / (K @ v)
            v = p / (K.T @ u)
        pi = u[:, None] * K * v[None, :]
        return float((pi * delta).sum()), kl_bits(pi.ravel(), np.outer(p, p).ravel())

    return _rate_at_distortion(solve, D)


def perfect_perception_rate_tight(p, delta, D):
    """R(D, 0) in bits to about 1e-12 (Blau & Michaeli 2019, Eq. 3 at P = 0).

    ``perfect_perception_rate`` with each Sinkhorn problem (Cuturi 2013) solved to
    its fixed point (row sums within 1e-15 of p, or until rounding stops the error
    falling) and the slope s bisected until its bracket is 1e-14 wide: the returned
    rate is that of the coupling at the upper end, whose distortion is ≤ D, so it
    lies above R(D, 0) by about s·|dD/ds|·1e-14. For moderate s·Δ (no underflow).
    """
    p = np.asarray(p, dtype=float)

    def solve(s):
        K = np.outer(p, p) * np.exp(-s * delta)
        v = np.ones_like(p)
        error = np.inf
        for _ in range(1_000_000):
            u = p / (K @ v)
            v = p / (K.T @ u)
            pi = u[:, None] * K * v[None, :]
            new = np.abs(pi.sum(axis=1) - p).max()
            if new < 1e-15 or new >= error:
                break
            error = new
        return float((pi * delta).sum()), kl_bits(pi.ravel(), np.outer(p, p).ravel())

    if solve(0.0)[0] <= D:
        return 0.0
    lo, hi = 0.0, 1.0
    while solve(hi)[0] > D:
        lo, hi = hi, 2 * hi
    while hi - lo > 1e-14 * hi:
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        lo, hi = (mid, hi) if solve(mid)[0] > D else (lo, mid)
    return solve(hi)[1]


def binary_mi_bits(j01, j10, p):
    """I(X; X̂) in bits of the binary joint with off-diagonal masses j01 = P(0,1), j10 = P(1,0)."""
    q = 1.0 - p
    joint = np.stack([np.stack([q - j01, j01]), np.stack([j10, p - j10])])
    px = np.array([q, p]).reshape((2, 1) + (1,) * np.ndim(j01))
    qy = joint.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log2(joint / (px * qy)), 0.0)
    return terms.sum(axis=(0, 1))


def binary_brute_force_rate(p, D, P, n=1201):
    """Bernoulli(p), Hamming, TV: min I over all binary channels, by search (no formula).

    A fine grid of joints (j01, j10) with j01 + j10 ≤ D and |j01 − j10| ≤ P,
    refined on the segment j01 + j10 = min(D, 1) where a non-zero-rate optimum
    lies (the rate only falls as distortion grows) by a dense scan of
    t = j01 − j10 and a bounded Brent step.
    """
    q = 1.0 - p
    j01, j10 = np.meshgrid(np.linspace(0, q, n), np.linspace(0, p, n), indexing="ij")
    mi = binary_mi_bits(j01, j10, p)
    feasible = (j01 + j10 <= D + 1e-12) & (np.abs(j01 - j10) <= P + 1e-12)
    best = float(np.where(feasible, mi, np.inf).min())
    # t range on the segment: j01 = (D + t)/2 in [0, q], j10 = (D - t)/2 in [0, p], |t| <= P
    t_lo, t_hi = max(-P, -D, D - 2 * p), min(P, D, 2 * q - D)
    if t_lo <= t_hi:

        def segment(t):
            return binary_mi_bits((D + t) / 2, (D - t) / 2, p)

        ts = np.linspace(t_lo, t_hi, 20001)
        values = segment(ts)
        k = int(np.argmin(values))
        best = min(best, float(values[k]))
        lo, hi = ts[max(k - 1, 0)], ts[min(k + 1, ts.size - 1)]
        if hi > lo:
            res = minimize_scalar(
                segment, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13}
            )
            best = min(best, float(res.fun))
    return best


# ---------------------------------------------------------------- closed forms
def bernoulli_tv_rate(p, D, P):
    """R(D, P) in bits of Bernoulli(p), Hamming distortion, TV perception.

    Blau & Michaeli 2019, Theorem 2 (stated for p ≤ ½; p > ½ by relabelling
    0 ↔ 1, which changes neither distortion nor TV), typed from the theorem.
    """
    p = min(p, 1 - p)
    q = 1 - p
    if P >= p:
        return max(float(h2(p) - h2(D)), 0.0) if D < p else 0.0
    if D >= 2 * p * q - (q - p) * P:
        return 0.0
    # D_p: below it the backward BSC(D) with output law (p − D)/(1 − 2D) meets the TV
    # bound; for p = ½ that law is p_X itself for every D, so the bound never binds.
    d_p = 0.5 if p == 0.5 else P / (1 - 2 * (p - P))
    if D <= d_p:
        return float(h2(p) - h2(D))
    return float(2 * h2(p) + h2(p - P) - h3((D - P) / 2, p) - h3((D + P) / 2, q))


def gaussian_shannon_rate(D, variance=1.0):
    """Shannon's R(D) = max(½ log₂(σ²/D), 0) of N(μ, σ²) under MSE.

    Cover & Thomas 2006, Thm 10.3.2.
    """
    return max(0.5 * np.log2(variance / D), 0.0)


def gaussian_vector_shannon_rate(D, covariance):
    """R(D) in bits of N(0, Σ) under ‖x − x̂‖² summed over coordinates: reverse
    water-filling Σᵢ max(½ log₂(λᵢ/θ), 0) with Σᵢ min(θ, λᵢ) = D, θ by bisection (Cover &
    Thomas 2006, Thm 10.3.3)."""
    eigenvalues = np.linalg.eigvalsh(np.asarray(covariance, dtype=float))
    low, high = 0.0, float(eigenvalues.max())
    for _ in range(200):
        theta = 0.5 * (low + high)
        low, high = (theta, high) if np.minimum(theta, eigenvalues).sum() < D else (low, theta)
    theta = 0.5 * (low + high)
    return float(np.sum(np.maximum(0.5 * np.log2(eigenvalues / theta), 0.0)))


def gaussian_vector_entropy_bits(covariance):
    """h(X) of N(μ, Σ) in bits: ½ log₂((2πe)^d det Σ) (Cover & Thomas 2006, Thm 8.4.1)."""
    covariance = np.asarray(covariance, dtype=float)
    d = covariance.shape[0]
    return float(0.5 * np.log2((2 * np.pi * np.e) ** d * np.linalg.det(covariance)))


def gaussian_w2_rate(D, P, variance=1.0):
    """R(D, P) in bits of N(μ, σ²), MSE, squared-W₂ perception (Zhang et al. 2021, Thm 2)."""
    s = np.sqrt(variance)
    t = s - np.sqrt(P)
    if np.sqrt(P) < s - np.sqrt(abs(variance - D)):
        c = (variance + t**2 - D) / 2
        return float(0.5 * np.log2(variance * t**2 / (variance * t**2 - c**2)))
    return gaussian_shannon_rate(D, variance)


def gaussian_w2_distortion(R, P, variance=1.0):
    """D(R, P) of N(μ, σ²), MSE, squared W₂: σ²2^{−2R} + [(σ − √P − σ√(1 − 2^{−2R}))₊]².

    The inverse of :func:`gaussian_w2_rate` (Zhang et al. 2021, Thm 2, solved for D).
    """
    s = np.sqrt(variance)
    return variance * 2 ** (-2 * R) + max(s - np.sqrt(P) - s * np.sqrt(1 - 2 ** (-2 * R)), 0) ** 2


def gaussian_entropy_bits(variance=1.0):
    """h(X) of N(μ, σ²) in bits: ½ log₂(2πeσ²) (Cover & Thomas 2006, Thm 8.4.1)."""
    return float(0.5 * np.log2(2 * np.pi * np.e * variance))


def laplace_entropy_bits(scale=1.0):
    """h(X) of the Laplacian law with scale b, density e^{−|x|/b}/(2b), in bits: log₂(2eb)."""
    return float(np.log2(2 * np.e * scale))


def laplace_absolute_rate(D, scale=1.0):
    """R(D) in bits of the Laplacian law with scale b under |x − x̂|: log₂(b/D) for D ≤ b,
    else 0: the Shannon lower bound log₂(2eb) − log₂(2eD) is met, since the law is X̂ + Z with
    Z Laplacian of scale D and X̂ = 0 w.p. D²/b², Laplacian of scale b otherwise (Berger 1971,
    §4.3)."""
    return float(max(np.log2(scale / D), 0.0))


def gaussian_kl_recon_rate(D, P_bits, variance=1.0):
    """R(D, P) in bits of N(μ, σ²), MSE, KL(p_X̂‖p_X) ≤ P bits.

    A Gaussian X̂ with std s has KL(N(·, s²)‖N(·, σ²)) = ½(t − 1 − ln t) nats,
    t = s²/σ²; the least admissible s solves it at equality on t ≤ 1:
    t = −W₀(−e^{−(1 + 2P)}) (principal Lambert-W branch; Corless et al. 1996),
    or its expansion t = 1 − 2√P for tiny P, where W₀ at −1/e loses precision.
    With that s the rate has the form of Zhang et al. 2021, Thm 2.
    """
    nats = P_bits * LN2
    if nats < 1e-10:  # ½(t − 1 − ln t) = (1 − t)²/4 + O((1 − t)³): t = 1 − 2√P near P = 0
        t = 1 - 2 * np.sqrt(nats)
    else:
        t = -lambertw(-np.exp(-(1 + 2 * nats)), 0).real
    s2 = variance * t
    if np.sqrt(s2) > np.sqrt(abs(variance - D)):
        return float(
            0.5 * np.log2(variance * s2 / (variance * s2 - 0.25 * (variance + s2 - D) ** 2))
        )
    return gaussian_shannon_rate(D, variance)


def gaussian_perfect_perception_distortion(R, variance=1.0, common_randomness=np.inf):
    """D(R, 0) of N(μ, σ²) under MSE with R_c bits of common randomness.

    Wagner 2022 (Gaussian source, perfect realism, arXiv:2202.04147):
    D = 2σ²(1 − √((1 − 2^{−2R})(1 − 2^{−2(R + R_c)}))); R_c = ∞ gives
    2σ²(1 − √(1 − 2^{−2R})), the P = 0 case of Zhang et al. 2021, Thm 2.
    """
    a = 1 - 2.0 ** (-2 * R)
    b = 1.0 if np.isinf(common_randomness) else 1 - 2.0 ** (-2 * (R + common_randomness))
    return 2 * variance * (1 - np.sqrt(a * b))


#: Max 1960, Table I: least MSE of the 2-level quantizer of N(0, 1) (centroids ±√(2/π)).
MAX_1960_GAUSSIAN_TWO_LEVELS = 1 - 2 / np.pi


# ---------------------------------------------------- extreme parameters (mpmath, high precision)
def _mp_digits(*small):
    """Working digits for mpmath: 50, plus the decades of the smallest positive input."""
    import mpmath as mp

    floor = min([abs(v) for v in small if v != 0] or [1.0])
    return 50 + max(0, int(-mp.log10(floor)))


def _mp_bisect(f, lo, hi, steps=None):
    """The root of an increasing f on [lo, hi] (f(lo) ≤ 0 ≤ f(hi)) by plain bisection.

    By default it halves until the interval is a few units of the working precision.
    """
    import mpmath as mp

    if steps is None:
        steps = int(3.5 * mp.mp.dps) + int(mp.log(abs(hi - lo) + 1, 2)) + 64
    for _ in range(steps):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if f(mid) <= 0 else (lo, mid)
    return lo, hi


def bernoulli_kl_rate_mp(p, D, P_bits, direction):
    """R(D, P) in bits of Bernoulli(p), Hamming, KL ≤ P bits (or TV ≤ P), by search over all joints.

    ``direction`` is a KL direction ("source||reconstruction" or
    "reconstruction||source") or "tv". Written from the definition, without the
    reduction to TV or any closed form: the perception ball is the interval
    [r₋, r₊] of reconstruction parameters (q ∓ P for TV), for KL found by
    bisection on the directly summed KL(B(p)‖B(r)) (or KL(B(r)‖B(p))) at a
    precision that resolves it (ln r for r₋, which may be e^{−1e15}). If an
    independent X̂ ~ B(r), r in the ball, meets D the rate is 0; otherwise the
    distortion constraint binds (R is convex and non-increasing in D), and the
    mutual information, convex along the segment of joints with
    P(X ≠ X̂) = D, is minimised over the ball by golden-section search (plus its
    end points). Symbols are relabelled so that p ≤ ½.
    """
    import mpmath as mp

    with mp.workdps(_mp_digits(P_bits, p, 1 - p, D)):
        q = mp.mpf(min(p, 1 - p))
        big = 1 - q
        nats = mp.mpf(P_bits) * mp.log(2)
        D = mp.mpf(D)

        def kl(r):
            a, b = (q, r) if direction.startswith("source") else (r, q)
            out = mp.mpf(0)
            for x, y in ((a, b), (1 - a, 1 - b)):
                if x > 0:
                    out += mp.inf if y <= 0 else x * mp.log(x / y)
            return out

        if P_bits == np.inf:
            r_lo, r_hi = mp.mpf(0), mp.mpf(1)
        elif direction == "tv":
            r_lo, r_hi = max(q - mp.mpf(P_bits), mp.mpf(0)), min(q + mp.mpf(P_bits), mp.mpf(1))
        elif q == 0:
            r_lo = r_hi = q
        else:
            # lower end: KL decreasing in r on [0, q]; search y = ln r
            if kl(mp.mpf(0)) <= nats:
                r_lo = mp.mpf(0)
            else:
                y_lo = mp.log(q) - 2
                while kl(mp.exp(y_lo)) <= nats:
                    y_lo = mp.log(q) - 2 * (mp.log(q) - y_lo)
                _, y = _mp_bisect(lambda y: nats - kl(mp.exp(y)), y_lo, mp.log(q))
                r_lo = mp.exp(y)  # the end inside the ball
            # upper end: KL increasing in r on [q, 1]; search z = −ln(1 − r)
            if kl(mp.mpf(1)) <= nats:
                r_hi = mp.mpf(1)
            else:
                z0 = -mp.log(big)
                z_hi = z0 + 2
                while kl(1 - mp.exp(-z_hi)) <= nats:
                    z_hi = z0 + 2 * (z_hi - z0)
                z, _ = _mp_bisect(lambda z: kl(1 - mp.exp(-z)) - nats, z0, z_hi)
                r_hi = 1 - mp.exp(-z)
        if q + (big - q) * r_lo <= D:  # independent X̂ ~ B(r₋): distortion q(1 − r) + (1 − q)r
            return 0.0

        def info(r):  # joint on a + b = D with output law (1 − r, r)
            a, b = (D + r - q) / 2, (D - r + q) / 2
            cells = ((big - a, big, 1 - r), (a, big, r), (b, q, 1 - r), (q - b, q, r))
            return sum((j * mp.log(j / (px * py)) for j, px, py in cells if j > 0), mp.mpf(0))

        lo = max(r_lo, q - D, D - q)
        hi = min(r_hi, q + D, 2 * big - D + q)
        if lo > hi:
            return float("inf")
        golden = (mp.sqrt(5) - 1) / 2
        a, b = lo, hi
        c, d = b - golden * (b - a), a + golden * (b - a)
        fc, fd = info(c), info(d)
        for _ in range(240):
            if fc < fd:
                b, d, fd = d, c, fc
                c = b - golden * (b - a)
                fc = info(c)
            else:
                a, c, fc = c, d, fd
                d = a + golden * (b - a)
                fd = info(d)
        return float(min(fc, fd, info(lo), info(hi)) / mp.log(2))


def gaussian_kl_ball_variance_ratio_mp(P_bits, direction):
    """t = s²/σ² of the least Gaussian deviation in a KL ball of P bits, by mpmath's Lambert W.

    ½(t − 1 − ln t) = P for KL(p_X̂‖p_X): t = −W₀(−e^{−(1+2P)}); ½(1/t − 1 + ln t) = P for
    KL(p_X‖p_X̂): t = −1/W₋₁(−e^{−(1+2P)}) (Corless et al. 1996), at a precision that keeps
    the argument away from the branch point −1/e.
    """
    import mpmath as mp

    with mp.workdps(_mp_digits(P_bits)):
        arg = -mp.exp(-(1 + 2 * mp.mpf(P_bits) * mp.log(2)))
        if direction.startswith("reconstruction"):
            return -mp.lambertw(arg, 0).real
        return -1 / mp.lambertw(arg, -1).real


def gaussian_rate_at_std_mp(D, t, variance=1.0):
    """Jointly Gaussian R in bits at MSE D with reconstruction variance t·σ², if s ≥ √|σ² − D|.

    Zhang et al. 2021, Thm 2: ½ log₂(σ²s²/(σ²s² − ¼(σ² + s² − D)²)); Shannon's
    max(½ log₂(σ²/D), 0) when the deviation does not bind.
    """
    import mpmath as mp

    with mp.workdps(60):
        var, s2, D = mp.mpf(variance), mp.mpf(variance) * t, mp.mpf(D)
        if s2 > abs(var - D):
            c = (var + s2 - D) / 2
            if c <= 0:
                return 0.0
            return float(mp.log(var * s2 / (var * s2 - c * c)) / (2 * mp.log(2)))
        return float(max(mp.log(var / D) / (2 * mp.log(2)), 0))


def isotropic_2d_least_second_moment_mp(P_bits):
    """min E_q‖X̂‖² over q with KL(p‖q) ≤ P bits, p = N(0, ½I₂) (so ‖X‖² ~ Exp(1)).

    The minimiser is q ∝ p/(ν + ‖x‖²) (Lagrange); with R ~ Exp(1),
    Z = E 1/(ν + R) = e^ν E₁(ν) and E ln(ν + R) = ln ν + e^ν E₁(ν), so
    KL = ln Z + E ln(ν + R) and E_q R = 1/Z − ν in closed form; ν by bisection
    on ln ν (mpmath, any exponent range).
    """
    import mpmath as mp

    with mp.workdps(_mp_digits(P_bits)):
        nats = mp.mpf(P_bits) * mp.log(2)

        def z(nu):
            return mp.exp(nu) * mp.e1(nu)

        def kl(log_nu):
            nu = mp.exp(log_nu)
            return mp.log(z(nu)) + log_nu + z(nu)

        hi = mp.mpf(10)
        while kl(hi) > nats:
            hi *= 2
        lo = mp.mpf(-10)
        while kl(lo) < nats:
            lo *= 2
        # kl decreases in ln ν: bisect on −kl
        lo, hi = _mp_bisect(lambda v: nats - kl(v), lo, hi, steps=300)
        nu = mp.exp(hi)
        return float(1 / z(nu) - nu)


def gaussian_least_second_moment_mp(P_bits):
    """min E_q X̂² over q with KL(p‖q) ≤ P bits, p = N(0, 1), in mpmath.

    The minimiser is q ∝ p/(ν + x²) (Lagrange); Z = E 1/(ν + X²) =
    √(π/(2ν)) e^{ν/2} erfc(√(ν/2)), E ln(ν + X²) by quadrature of its definition,
    KL = ln Z + E ln(ν + X²) and E_q X² = 1/Z − ν; ν by the secant method on ln KL
    against ln ν at 40 digits.
    """
    import mpmath as mp

    with mp.workdps(40):
        nats = mp.mpf(P_bits) * mp.log(2)

        def z(nu):
            return mp.sqrt(mp.pi / (2 * nu)) * mp.exp(nu / 2) * mp.erfc(mp.sqrt(nu / 2))

        def mean_log(nu):
            def f(x):
                return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi) * mp.log(nu + x * x)

            return 2 * mp.quad(f, [0, mp.sqrt(nu), 1, 4, mp.inf])

        def log_kl(log_nu):
            nu = mp.exp(log_nu)
            return mp.log(mp.log(z(nu)) + mean_log(nu))

        start = -mp.log(nats) / 2  # KL ≈ 1/ν² for large ν
        log_nu = mp.findroot(lambda v: log_kl(v) - mp.log(nats), start, tol=mp.mpf(10) ** -30)
        nu = mp.exp(log_nu)
        return float(1 / z(nu) - nu)
