r"""Reference values computed *another way*, for the theorem checks of ``rdp verify``.

Every function here recomputes a quantity that the library's methods also
compute, with a different algorithm and without calling them, so that a check
comparing the two can fail:

- [`shannon_rate`][rdp.theorems.independent.shannon_rate]: Shannon's R(D) — direct formulas
  (Gaussian, Bernoulli),
  reverse water-filling by bisection on the water level (Gaussian vector), and
  a Blahut–Arimoto iteration with Blahut's certified bounds (finite sources);
- [`zero_rate_distortion`][rdp.theorems.independent.zero_rate_distortion]: D_max(P) — linear
  programs over the
  reconstruction law (finite sources, TV and transport perceptions), exponential
  tilts (KL), and direct formulas or grid computations (Gaussian);
- [`optimal_quantizer_mse`][rdp.theorems.independent.optimal_quantizer_mse]: D*(K) of a 1-D source —
  an exact dynamic
  program over interval partitions of a finite support, or of a fine grid of
  candidate thresholds of a continuous law (cell moments by Gauss–Legendre
  quadrature), never Lloyd's iteration;
- [`bernoulli_brute_force`][rdp.theorems.independent.bernoulli_brute_force]: R(D, P) of
  Bernoulli/Hamming/TV by a dense
  search over 2×2 joint laws.

References
----------
1. R. E. Blahut, "Computation of channel capacity and rate-distortion
   functions", IEEE Trans. Inf. Theory 18(4), 1972, Theorem 8 (bounds).
2. T. M. Cover and J. A. Thomas, "Elements of Information Theory", 2nd ed.,
   Wiley 2006, Thm 10.3.3 (reverse water-filling).
3. X. Wu, "Optimal quantization by matrix searching", J. Algorithms 12,
   1991 (dynamic programming over interval partitions).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize
from scipy.special import rel_entr

from rdp.distortions import Hamming, SquaredError
from rdp.perceptions import KL, NoPerception, TotalVariation, Wasserstein
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector

LN2 = float(np.log(2.0))


def _h2(x: NDArray) -> NDArray:
    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -(x * np.log2(x) + (1 - x) * np.log2(1 - x))
    return np.nan_to_num(out)


# ------------------------------------------------------------------------ Shannon R(D)


def shannon_rate(problem: Any, D: NDArray) -> tuple[NDArray, NDArray, str]:
    """(lower, upper, how) of Shannon's R(D) in bits for the problem's source and distortion.

    Exact formulas give lower = upper; Blahut–Arimoto gives certified bounds.
    """
    D = np.atleast_1d(np.asarray(D, dtype=float))
    source, distortion = problem.source, problem.distortion_measure
    if isinstance(source, Gaussian) and isinstance(distortion, SquaredError):
        value = np.maximum(0.5 * np.log2(source.variance / D), 0.0)
        return value, value, "½ log₂(σ²/D)"
    if isinstance(source, Bernoulli) and isinstance(distortion, Hamming):
        p = min(source.p, 1.0 - source.p)
        value = np.where(D < p, _h2(p) - _h2(np.minimum(D, 0.5)), 0.0)
        return value, value, "H_b(p) − H_b(D)"
    if isinstance(source, GaussianVector) and isinstance(distortion, SquaredError):
        value = np.array([_reverse_water_filling(source.eigenvalues, d) for d in D])
        return value, value, "reverse water-filling by bisection on the water level"
    if isinstance(source, Bernoulli | Discrete):
        bounds = np.array([blahut_arimoto(problem, d) for d in D])
        return bounds[:, 0], bounds[:, 1], "Blahut-Arimoto with Blahut's bounds"
    raise ValueError(f"no independent Shannon R(D) for {type(source).__name__}")


def _reverse_water_filling(eigenvalues: NDArray, D: float) -> float:
    lam = np.asarray(eigenvalues, dtype=float)
    if D >= lam.sum():
        return 0.0
    theta = optimize.brentq(
        lambda t: np.minimum(t, lam).sum() - D, 0.0, lam.max(), xtol=1e-300, rtol=1e-15
    )
    return float(0.5 * np.log2(lam / np.minimum(theta, lam)).sum())


def _finite_arrays(problem: Any) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    source = problem.source.to_discrete()
    y = np.asarray(problem.reconstruction_alphabet, dtype=float)
    return source.pmf, source.alphabet, y, problem.distortion_measure.matrix(source.alphabet, y)


def blahut_arimoto(
    problem: Any, D: float, *, tol: float = 1e-9, max_iter: int = 20000
) -> tuple[float, float]:
    r"""Certified (lower, upper) bits of Shannon's R(D) of a finite problem by Blahut–Arimoto.

    For a slope s ≥ 0 the classical iteration $q \leftarrow q \odot c$,
    $c_j = \sum_i p_i e^{-s d_{ij}} / \sum_k q_k e^{-s d_{ik}}$ converges to the
    optimal output law; every iterate gives Blahut's bounds (Thm 8)

    $$
    -sD - \sum_i p_i \ln \sum_j q_j e^{-s d_{ij}} - \ln \max_j c_j
    \le R(D) \le I(J) \ \text{ if } \langle J, d\rangle \le D.
    $$

    The slope is set by bisection so that the channel's distortion meets D.
    """
    p, _, _, d = _finite_arrays(problem)
    keep = p > 0
    p, d = p[keep] / p[keep].sum(), d[keep]
    d_min = float(p @ d.min(axis=1))
    d_zero = float((p @ d).min())
    if D >= d_zero:
        return 0.0, 0.0
    if D < d_min:
        return np.inf, np.inf

    def channel(s: float) -> tuple[NDArray, NDArray, NDArray, float]:
        K = np.exp(-s * (d - d.min(axis=1, keepdims=True)))
        q = _output_law(p, K, tol, max_iter)
        J = p[:, None] * K * q[None, :] / (K @ q)[:, None]
        return K, q, J, float((J * d).sum())

    lo, hi = 0.0, 1.0
    while channel(hi)[3] > D and hi < 1e6:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if channel(mid)[3] > D:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-10 * hi:
            break
    K, q, J, dist = channel(hi)
    info = float(rel_entr(J, p[:, None] * J.sum(axis=0)[None, :]).sum()) / LN2
    # Blahut's bound at the target D with slope s = hi: valid for every s ≥ 0 and q
    Kq = K @ q
    c = (p / Kq) @ K
    lower = (-hi * D - float(p @ (np.log(Kq) - hi * d.min(axis=1))) - float(np.log(c.max()))) / LN2
    return max(lower, 0.0), info if dist <= D else np.inf


def _output_law(p: NDArray, K: NDArray, tol: float, max_iter: int) -> NDArray:
    q = np.full(K.shape[1], 1.0 / K.shape[1])
    for _ in range(max_iter):
        c = (p / (K @ q)) @ K
        q = q * c
        q /= q.sum()
        if np.log(c.max()) < tol * LN2 * 0.1:
            break
    return q


# ------------------------------------------------------------------ zero-rate D_max(P)


def zero_rate_distortion(problem: Any, P: float) -> tuple[float, str]:
    """(D_max(P), how): the least E Δ(X, X̂) with X̂ independent of X and perception ≤ P."""
    source, perception = problem.source, problem.perception_measure
    if isinstance(perception, NoPerception):
        P = np.inf
    if isinstance(source, Gaussian) and isinstance(problem.distortion_measure, SquaredError):
        return gaussian_zero_rate_distortion(source, perception, P), (
            "σ² + least E(X̂ − μ)² in the perception ball (direct formula / grid)"
        )
    if isinstance(source, GaussianVector) and isinstance(perception, Wasserstein | NoPerception):
        total = float(np.trace(source.covariance))
        if P == np.inf:
            return total, "tr Σ"
        return total + max(np.sqrt(total) - np.sqrt(P), 0.0) ** 2, "tr Σ + (√tr Σ − √P)₊²"
    if isinstance(source, Bernoulli | Discrete):
        return _finite_zero_rate(problem, P), "linear program / exponential tilt over q"
    raise ValueError(f"no independent D_max(P) for {problem!r}")


def _gaussian_least_moment(perception: Any, P: float) -> float:
    """Least E(X̂ − μ)²/σ² in the perception ball around N(μ, σ²), computed directly."""
    if P == np.inf or isinstance(perception, NoPerception):
        return 0.0
    nats = P * LN2
    if isinstance(perception, KL) and perception.direction.startswith("reconstruction"):
        if nats == 0:
            return 1.0
        # min t s.t. ½(t − 1 − ln t) ≤ P: the Gaussian tilt q ∝ p e^{−x²/λ} is optimal
        return float(optimize.brentq(lambda t: 0.5 * (t - 1 - np.log(t)) - nats, 1e-300, 1.0))
    if isinstance(perception, KL):
        return _grid_least_moment_kl_source_recon(nats)
    raise ValueError(f"no direct least second moment for {perception!r}")


def _grid_least_moment_kl_source_recon(nats: float) -> float:
    """min Σ q x² s.t. KL(p‖q) ≤ P on a fine uniform grid of N(0, 1) (trapezoid weights).

    The optimum is q_j = λ p_j/(x_j² + κ); λ normalises, κ solves KL = P.
    """
    if nats == 0:
        return 1.0
    x = np.linspace(-14.0, 14.0, 28001)
    p = np.exp(-0.5 * x * x)
    p /= p.sum()

    def law(log_kappa: float) -> NDArray:
        q = p / (x * x + np.exp(log_kappa))
        return q / q.sum()

    def excess(log_kappa: float) -> float:
        return float(rel_entr(p, law(log_kappa)).sum()) - nats

    if excess(-50.0) < 0:
        return 0.0
    log_kappa = optimize.brentq(excess, -50.0, 80.0, xtol=1e-14, rtol=1e-15)
    return float(law(log_kappa) @ (x * x))


def _finite_zero_rate(problem: Any, P: float) -> float:
    p, x, y, d = _finite_arrays(problem)
    dbar = p @ d  # E Δ(X, x̂_j)
    perception = problem.perception_measure
    M = y.size
    if P == np.inf or isinstance(perception, NoPerception):
        return float(dbar.min())
    if isinstance(perception, TotalVariation | Wasserstein):
        cost = (
            (x[:, None] != y[None, :]).astype(float)
            if isinstance(perception, TotalVariation)
            else perception.cost_matrix(x, y)
        )
        N = x.size
        # variables: transport plan π (N×M) from p_X to q; objective Σ_j q_j dbar_j
        c = np.tile(dbar, N)
        a_eq = np.kron(np.eye(N), np.ones(M))
        res = optimize.linprog(
            c,
            A_ub=cost.reshape(1, -1),
            b_ub=[P],
            A_eq=a_eq,
            b_eq=p,
            bounds=(0, None),
            method="highs",
        )
        if res.status != 0:
            raise RuntimeError(f"D_max linear program failed: {res.message}")
        return float(res.fun)
    if isinstance(perception, KL):
        if not np.array_equal(x, y):
            raise ValueError("the KL reference needs the reconstruction alphabet = source alphabet")
        nats = P * LN2
        if perception.direction.startswith("reconstruction"):
            # q ∝ p e^{−t dbar}: KL(q‖p) increases in t
            def tilt(t: float) -> NDArray:
                w = np.log(np.maximum(p, 1e-300)) - t * (dbar - dbar.min())
                q = np.exp(w - w.max()) * (p > 0)
                return q / q.sum()

            def excess(t: float) -> float:
                return float(rel_entr(tilt(t), p).sum()) - nats

            if excess(1e6) <= 0:
                return float(tilt(1e6) @ dbar)
            t = optimize.brentq(excess, 0.0, 1e6, xtol=1e-14, rtol=1e-15)
            return float(tilt(t) @ dbar)
        shift = dbar - dbar.min()

        def law(log_kappa: float) -> NDArray:
            q = p / (shift + np.exp(log_kappa))
            return q / q.sum()

        def excess_sr(log_kappa: float) -> float:
            return float(rel_entr(p, law(log_kappa)).sum()) - nats

        if excess_sr(-60.0) <= 0:
            return float(law(-60.0) @ dbar)
        log_kappa = optimize.brentq(excess_sr, -60.0, 60.0, xtol=1e-14, rtol=1e-15)
        return float(law(log_kappa) @ dbar)
    raise ValueError(f"no independent D_max for {perception!r}")


def gaussian_zero_rate_distortion(source: Gaussian, perception: Any, P: float) -> float:
    """D_max(P) of a scalar Gaussian / MSE problem (W₂²: σ² + (σ − √P)₊²)."""
    if isinstance(perception, Wasserstein) and P != np.inf:
        return float(source.variance + max(source.std - np.sqrt(P), 0.0) ** 2)
    return float(source.variance * (1.0 + _gaussian_least_moment(perception, P)))


# ----------------------------------------------------------------- optimal quantizers


def _interval_dp(weight: NDArray, first: NDArray, second: NDArray, levels: int) -> NDArray:
    """Least within-cell squared error of K contiguous cells, for every K ≤ levels.

    Inputs are per-atom mass, first and second moments; returns D*(1..levels).
    Exact O(K n²) dynamic program with prefix sums.
    """
    n = weight.size
    W = np.concatenate([[0.0], np.cumsum(weight)])
    S1 = np.concatenate([[0.0], np.cumsum(first)])
    S2 = np.concatenate([[0.0], np.cumsum(second)])
    i, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")  # cell (i, j]
    mass = W[j] - W[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = S2[j] - S2[i] - np.where(mass > 0, (S1[j] - S1[i]) ** 2 / mass, 0.0)
    cost = np.where(j > i, np.maximum(cost, 0.0), np.inf)
    best = cost[0].copy()  # best[j]: first j atoms in 1 cell
    out = [best[n]]
    for _ in range(2, levels + 1):
        best = np.min(best[:, None] + cost, axis=0)
        out.append(best[n])
    return np.array(out)


def optimal_quantizer_mse(distribution: Any, levels: int, *, grid: int = 2400) -> NDArray:
    r"""D*(K) for K = 1..levels of a 1-D source, by exact dynamic programming.

    Finite source ([`Discrete`][rdp.sources.Discrete], values/weights): exact.
    Continuous ``scipy.stats`` law: the real line is cut at ``grid/2`` points of
    equal probability and ``grid/2`` equally spaced points between the 1e-12
    quantiles (two tail cells beyond); each cell's mass, first and second
    moments come from 8-point Gauss–Legendre quadrature of the density (end
    cells from ``dist.expect``), and the DP runs over unions of whole cells. That
    is the exact MSE of the best quantizer whose thresholds lie on the grid, an
    upper bound on D*(K) within O(grid⁻²) relative.
    """
    if isinstance(distribution, Bernoulli | Discrete):
        src = distribution.to_discrete()
        order = np.argsort(src.alphabet)
        v, w = src.alphabet[order], src.pmf[order]
        return _interval_dp(w, w * v, w * v * v, levels)
    if not hasattr(distribution, "ppf"):
        values, weights = distribution
        v, w = np.asarray(values, float), np.asarray(weights, float)
        order = np.argsort(v)
        v, w = v[order], w[order] / w.sum()
        return _interval_dp(w, w * v, w * v * v, levels)
    lo, hi = distribution.ppf(1e-12), distribution.ppf(1.0 - 1e-12)
    inner = np.union1d(
        distribution.ppf(np.linspace(0.0, 1.0, grid // 2 + 1)[1:-1]),
        np.linspace(lo, hi, grid // 2 + 1),
    )
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    grid = edges.size - 1
    nodes, gl_weights = np.polynomial.legendre.leggauss(8)
    mass = np.diff(distribution.cdf(edges))
    first = np.empty(grid)
    second = np.empty(grid)
    for k in range(grid):
        a, b = edges[k], edges[k + 1]
        if np.isfinite(a) and np.isfinite(b):
            t = 0.5 * (b - a) * nodes + 0.5 * (a + b)
            f = distribution.pdf(t) * 0.5 * (b - a) * gl_weights
            first[k], second[k] = f @ t, f @ (t * t)
            mass[k] = f.sum()
        else:
            mass[k] = distribution.cdf(b) - distribution.cdf(a)
            first[k] = distribution.expect(lambda z: z, lb=a, ub=b)
            second[k] = distribution.expect(lambda z: z * z, lb=a, ub=b)
    return _interval_dp(mass, first, second, levels)


# ------------------------------------------------------------------ Bernoulli by search


def bernoulli_brute_force(p: float, D: float, P: float, *, points: int = 200_001) -> float:
    r"""R(D, P) in bits of Bernoulli(p)/Hamming/TV by a dense search over 2×2 joint laws.

    A joint law with marginal (1−p, p) is fixed by a = P(X=0, X̂=1) and
    b = P(X=1, X̂=0); D = a + b, TV = |a − b|. R is non-increasing in D, so the
    optimum uses the whole budget (or rate 0): search a on a grid with b = D − a
    (and the rate-0 laws), then polish with a bounded scalar search. An upper
    bound up to the polishing accuracy (a grid value is achievable).
    """
    q = 1.0 - p
    if D >= 0 and _zero_rate_feasible(p, D, P):
        return 0.0

    def info(a: NDArray) -> NDArray:
        b = D - a
        joint = np.stack([q - a, a, b, p - b])
        out_1 = a + p - b
        marg_y = np.stack([1 - out_1, out_1, 1 - out_1, out_1])
        marg_x = np.array([q, q, p, p])[:, None]
        ok = (joint >= -1e-15).all(axis=0) & (np.abs(b - a) <= P + 1e-12)
        value = rel_entr(np.maximum(joint, 0), marg_x * marg_y).sum(axis=0) / LN2
        return np.where(ok, value, np.inf)

    # a + b = D with a ≥ D − p (b ≤ p), a ≤ min(D, q) and |b − a| = |D − 2a| ≤ P
    lo, hi = max(0.0, D - p, (D - P) / 2), min(D, q, (D + P) / 2)
    if lo > hi:
        return np.inf
    grid = np.linspace(lo, hi, points)
    values = info(grid)
    k = int(np.argmin(values))
    if not np.isfinite(values[k]):
        return np.inf
    res = optimize.minimize_scalar(
        lambda a: float(info(np.array([a]))[0]),
        bounds=(grid[max(k - 1, 0)], grid[min(k + 1, points - 1)]),
        method="bounded",
        options={"xatol": 1e-14},
    )
    return float(min(values[k], res.fun))


def _zero_rate_feasible(p: float, D: float, P: float) -> bool:
    """Is some X̂ ~ Bernoulli(r) independent of X within E[X ≠ X̂] ≤ D and |p − r| ≤ P?"""
    q = 1.0 - p
    # E[X ≠ X̂] = q r + p (1 − r) is linear in r: check the best r in [p − P, p + P] ∩ [0, 1]
    lo, hi = max(0.0, p - P), min(1.0, p + P)
    best = min(q * r + p * (1.0 - r) for r in (lo, hi))
    return bool(best <= D)
