r"""Gaussian source, MSE, KL(p_X‖p_X̂): an optimised channel and a matching dual bound.

For the standard source X ~ N(0, 1) this module brackets R(D, P) by two numbers
computed from one function r > 0 on the line and one slope β > 0
(``docs/closed-forms/gaussian-kl.md`` has the proofs):

**Upper bound (an achievable channel).** The channel

$$
W(y \mid x) = \frac{r(y)\, e^{-\beta (x - y)^2}}{Z(x)},\qquad
Z(x) = \int r(y)\, e^{-\beta (x-y)^2}\, dy,
$$

with $r(y) = \sum_j v_j\, \mathcal N(y; t_j, \varepsilon^2)$ a Gaussian mixture on
nodes $t_j$ (so that W(·|x) is a mixture of Gaussians whose weights depend on x: a
"gated" channel). Its output law is $q = rK$ with
$K(y) = \int \varphi(x) e^{-\beta(x-y)^2} / Z(x)\, dx$, and

$$
I(X; \hat X) = -\beta D - \mathbb E_\varphi \ln Z(X) - \mathbb E_q \ln K(\hat X),
$$

D and $\mathrm{KL}(\varphi\|q)$ by quadrature. The weights v and β come from the
certified finite solver on the nodes, then are adjusted until the channel's own
distortion and perception, evaluated on the continuous source, meet D and P.

**Lower bound (weak Lagrangian duality for the continuous problem).** For every
λ(x) > 0, β ≥ 0, γ > 0 and $\lambda' > \sup_y \ln K_\lambda(y)$, with
$K_\lambda(y) = \int \varphi(x) \lambda(x) e^{-\beta(x-y)^2} dx$ (nats):

$$
R(D, P) \ge \mathbb E_\varphi \ln\lambda(X) - \beta D - \gamma P + \gamma - \gamma\ln\gamma
 + \gamma\, \mathbb E_\varphi \ln(\lambda' - \ln K_\lambda(Y)) - \lambda'.
$$

It is evaluated at λ = 1/Z (frozen beyond the quadrature range), the same β, and the
best (γ, λ'); it meets the upper bound to about 1e-8 bits where the finite solver
converged.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.special import log_ndtr, logsumexp

from rdp.units import LN2

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

#: Half-width of the quadrature range (standard deviations of the source).
SPAN = 10.0
#: Half-width of the node range of r.
NODE_SPAN = 9.0


@dataclass(frozen=True)
class ChannelValues:
    """Distortion, perception and rate of one gated channel, by quadrature on the line.

    Attributes
    ----------
    distortion : float
        $\\mathbb E(X - \\hat X)^2$.
    perception : float
        $\\mathrm{KL}(\\varphi\\|q)$ in bits.
    rate : float
        $I(X; \\hat X)$ in bits.
    mass : float
        $\\int q$ (1 up to the quadrature error).
    """

    distortion: float
    perception: float
    rate: float
    mass: float
    slope: float
    log_norm: NDArray  # ln Z on the quadrature grid
    grid: NDArray
    step: float
    log_weights: NDArray


@dataclass(frozen=True)
class GatedBounds:
    """Bounds on R(D, P) (bits) for N(0, 1), MSE D, KL(p_X‖p_X̂) ≤ P bits.

    Attributes
    ----------
    lower : float
        The dual bound (valid for the multipliers used, whatever their quality).
    upper : float
        $I(X;\\hat X)$ of the gated channel, which meets D and P (re-checked on a
        finer quadrature).
    distortion, perception : float
        The channel's distortion and KL (bits).
    slope, gamma : float
        β and γ of the bounds (nats per unit distortion, nats per nat of KL).
    margin : float
        λ' − sup ln K: how far the dual's validity condition is from binding.
    seconds : float
        Wall time.
    state : object
        The finite solver's state, to start a neighbouring point from (``warm``).
    log_weights : ndarray
        ln v_j of the channel's r on ``nodes(spacing)`` (with ``slope`` and ``spacing``
        they define the channel: ``evaluate(slope, t, log_weights, spacing, step)``).
    spacing : float
        Node spacing and width ε of r's Gaussian bumps.
    """

    lower: float
    upper: float
    distortion: float
    perception: float
    slope: float
    gamma: float
    margin: float
    seconds: float
    state: object = None
    log_weights: NDArray | None = None
    spacing: float = 0.1


def nodes(spacing: float, span: float = NODE_SPAN) -> tuple[NDArray, NDArray]:
    """Equally spaced nodes on [−span, span] and the normalised Gaussian weights on them."""
    t = np.arange(-span, span + spacing / 2, spacing)
    w = np.exp(-0.5 * t * t)
    return t, w / w.sum()


def evaluate(
    beta: float, t: NDArray, log_v: NDArray, width: float, step: float, span: float = SPAN
) -> ChannelValues:
    r"""D, KL(φ‖q) and I(X; X̂) of the channel W ∝ r(y)e^{−β(x−y)²}, r = Σ v_j N(t_j, width²).

    All integrals are trapezoidal sums on the grid of ``step`` over [−span, span]
    (spectrally accurate: every integrand is smooth and, but for q near the ends of the
    node range, where φ < 1e-17, negligible at the ends). Per x the channel is the
    mixture over j of N(μ_j(x), τ²) with weights ∝ v_j e^{−β'(x − t_j)²}, where
    a = 1 + 2βε², β' = β/a, μ_j = (t_j + 2βε²x)/a, τ² = ε²/a, so that
    $Z(x) = a^{-1/2}\sum_j v_j e^{-\beta'(x-t_j)^2}$ and
    $\mathbb E[(x-\hat X)^2 \mid x] = \sum_j \omega_j(x)\,((x - t_j)/a)^2 + \tau^2$.
    """
    a = 1.0 + 2.0 * beta * width * width
    x = np.arange(-span, span + step / 2, step)
    log_phi = -0.5 * x * x - _LOG_SQRT_2PI
    weight = step * np.exp(log_phi)
    diff = x[:, None] - t[None, :]
    exponent = -(beta / a) * diff * diff + log_v[None, :]
    log_sum = logsumexp(exponent, axis=1)
    omega = np.exp(exponent - log_sum[:, None])
    conditional = (omega * (diff / a) ** 2).sum(axis=1) + width * width / a
    distortion = float(weight @ conditional)
    log_z = log_sum - 0.5 * math.log(a)
    log_k = _log_k(beta, x, log_phi - log_z, step)
    log_r = (
        logsumexp(-0.5 * ((x[:, None] - t[None, :]) / width) ** 2 + log_v[None, :], axis=1)
        - math.log(width)
        - _LOG_SQRT_2PI
    )
    q = np.exp(log_r + log_k)
    rate = -beta * distortion - float(weight @ log_z) - step * float(q @ log_k)
    kl = float(weight @ (log_phi - log_r - log_k))
    return ChannelValues(
        distortion, kl / LN2, rate / LN2, step * float(q.sum()), beta, log_z, x, step, log_v
    )


def _log_k(beta: float, x: NDArray, log_density: NDArray, step: float) -> NDArray:
    """ln ∫ e^{log_density(x)} e^{−β(x−y)²} dx at y = x (trapezoid on the grid)."""
    return logsumexp(-beta * (x[:, None] - x[None, :]) ** 2 + log_density[:, None], axis=0) + (
        math.log(step)
    )


def dual_pieces(values: ChannelValues) -> tuple[NDArray, float, NDArray, float]:
    r"""(quadrature weights h·φ, $\mathbb E_\varphi\ln\lambda$, $\ln K_\lambda$ on the grid,
    an upper bound on $\sup_y \ln K_\lambda(y)$) for λ = 1/Z of the channel.

    λ is 1/Z on the quadrature range and frozen at its end values beyond, where
    K gains the exact tail terms $\lambda(\pm L)\int_{\pm x > L}\varphi(x)
    e^{-\beta(x-y)^2}dx$ (closed form). The supremum is bounded by the grid maximum plus
    β h²/4, which bounds ln K between grid points because (ln K)'' ≥ −2β; beyond the
    grid, K is bounded in closed form.
    """
    beta, x, h = values.slope, values.grid, values.step
    log_phi = -0.5 * x * x - _LOG_SQRT_2PI
    weight = h * np.exp(log_phi)
    log_lam = -values.log_norm
    span = float(x[-1])
    tail = float(log_ndtr(-span))  # ln P(X > L)
    mean_log_lam = float(weight @ log_lam) + math.exp(tail) * (log_lam[0] + log_lam[-1])
    bulk = _log_k(beta, x, log_phi + log_lam, h)
    # exact tails: ∫_L^∞ φ(x)e^{−β(x−y)²}dx = e^{−βy²/c} Φ̄(√c (L − 2βy/c))/√c, c = 1 + 2β
    c = 1.0 + 2.0 * beta
    right = (
        -beta * x * x / c
        + log_ndtr(-math.sqrt(c) * (span - 2.0 * beta * x / c))
        - 0.5 * math.log(c)
    )
    log_k = np.logaddexp(bulk, np.logaddexp(log_lam[-1] + right, log_lam[0] + right[::-1]))
    top = float(log_k.max()) + beta * h * h / 4.0
    # beyond the grid (y ≥ L; y ≤ −L alike): (x − y)² ≥ (x − L)² for x ≤ L, so the bulk
    # term is at most its value at y = L, and each tail term at most λ(±L) P(X > L)
    edge = max(bulk[0], bulk[-1])
    outside = float(np.logaddexp(edge, max(log_lam[0], log_lam[-1]) + tail + math.log(2.0)))
    return weight, mean_log_lam, log_k, max(top, outside)


def dual_bound(values: ChannelValues, D: float, P: float) -> tuple[float, float, float]:
    r"""(lower bound in bits, γ, margin) from the channel's λ = 1/Z, at (D, P bits).

    The pieces (λ, K and the bound on sup ln K) are those of ``dual_pieces``.
    """
    beta = values.slope
    weight, mean_log_lam, log_k, top = dual_pieces(values)
    base = mean_log_lam - beta * D
    nats = P * LN2

    def at(gamma: float) -> tuple[float, float]:
        def excess(lam: float) -> float:
            return gamma * float(weight @ (1.0 / (lam - log_k))) - 1.0

        lo = top + 1e-12 * (1.0 + abs(top))
        if excess(lo) < 0.0:  # the optimal λ' would sit below sup ln K: use the least valid
            lam = lo
        else:
            hi = top + gamma + 1.0
            while excess(hi) > 0.0:
                hi = top + 2.0 * (hi - top)
            lam = brentq(excess, lo, hi, xtol=1e-14, rtol=1e-15)
        value = (
            base - gamma * nats + gamma - gamma * math.log(gamma)
            + gamma * float(weight @ np.log(lam - log_k)) - lam
        )  # fmt: skip
        return value, lam

    res = minimize_scalar(
        lambda lg: -at(math.exp(lg))[0], bounds=(-16.0, 10.0), method="bounded",
        options={"xatol": 1e-10},
    )  # fmt: skip
    gamma = math.exp(res.x)
    value, lam = at(gamma)
    return value / LN2, gamma, lam - top


def _finite(t: NDArray, w: NDArray, D: float, P: float, warm, time_limit: float):
    """The certified finite solver on the nodes (a source with masses w at t)."""
    from rdp.problem import Problem
    from rdp.solvers.fast import fast_solver
    from rdp.sources import Discrete

    problem = Problem(Discrete(w, t), "mse", "kl-source-recon")
    solver = fast_solver(problem, tol=1e-10, time_limit=time_limit)
    return solver.rate_point(D, P, warm=warm)


def _hit(
    beta: float,
    t: NDArray,
    log_v: NDArray,
    tilt: NDArray,
    width: float,
    step: float,
    d_aim: float,
    p_aim: float,
    max_iter: int = 12,
) -> ChannelValues | None:
    """Newton on (ln β, θ), r ∝ Σ_j v_j e^{θ g_j} N(t_j, ε²), for D = d_aim and KL = p_aim."""

    def at(z: NDArray) -> tuple[ChannelValues, NDArray]:
        values = evaluate(math.exp(z[0]), t, log_v + z[1] * tilt, width, step)
        return values, np.array([values.distortion / d_aim - 1.0, values.perception / p_aim - 1.0])

    z = np.array([math.log(beta), 0.0])
    values, miss = at(z)
    for _ in range(max_iter):
        if np.all(np.abs(miss) <= 2e-11):
            return values
        jac = np.empty((2, 2))
        for k, h in enumerate((1e-6, 1e-6 / max(float(np.abs(tilt).max()), 1e-300) * 1e3)):
            dz = np.zeros(2)
            dz[k] = h
            jac[:, k] = (at(z + dz)[1] - miss) / h
        try:
            move = np.linalg.solve(jac, -miss)
        except np.linalg.LinAlgError:
            return None
        scale = 1.0
        while True:
            trial, trial_miss = at(z + scale * move)
            if np.abs(trial_miss).max() < np.abs(miss).max() or scale < 1e-3:
                break
            scale /= 2
        z, values, miss = z + scale * move, trial, trial_miss
    return values if np.all(np.abs(miss) <= 2e-11) else None


def gated_bounds(
    D: float,
    P: float,
    *,
    spacing: float = 0.1,
    step: float | None = None,
    time_limit: float | None = None,
    warm: object = None,
    corrections: int | None = None,
) -> GatedBounds | None:
    r"""Bounds on R(D, P) in bits for N(0, 1), MSE D, KL(p_X‖p_X̂) ≤ P bits, or None.

    Solves the problem on ``nodes(spacing)`` (a source with Gaussian masses on the
    nodes) with the certified finite solver, turns its slope β and weights v into the
    gated channel (``evaluate``), and moves (β, θ), with ln v_j + θ·p_j/q_j the
    direction of the perception multiplier, by Newton's method until the channel's
    distortion and KL on the continuous source are D and P times (1 − 1e-9) to
    2e-11 relative; re-checks both on a grid of half the step; evaluates the dual
    bound (``dual_bound``) on both grids and keeps the smaller. None where any step
    fails (the caller keeps its analytic bracket). Where the discretisation moves the
    channel's KL far from the solver's target (P > 0.3 bits, where the optimal law has a
    sharp central peak) the finite problem is first re-solved ``corrections`` times
    (default 2 there, 0 below) at targets shifted by the misses D − D_W and P − KL;
    each finite solve stops after ``time_limit`` seconds (default 8 there, 5 below).
    """
    began = time.perf_counter()
    step = spacing / 2.0 if step is None else step
    t, w = nodes(spacing)
    d_aim, p_aim = D * (1.0 - 1e-9), P * (1.0 - 1e-9)
    if corrections is None:
        corrections = 2 if P > 0.3 else 0
    if time_limit is None:  # seconds per finite solve
        time_limit = 8.0 if P > 0.3 else 5.0
    d_target, p_target = D, P
    for _ in range(corrections + 1):
        point = _finite(t, w, d_target, p_target, warm, time_limit)
        if point.warm is None or "v" not in point.warm:
            return None
        warm = point.warm
        v = np.maximum(np.asarray(point.warm["v"], dtype=float), 1e-300)
        beta = float(point.warm["s"])
        log_v = np.log(v)
        if corrections:
            values = evaluate(beta, t, log_v, spacing, step)
            d_target += D - values.distortion
            p_target += P - values.perception
            if not (d_target > 0.0 and p_target > 0.0):
                return None
    # the output law of the finite channel on the nodes, q = v ⊙ h, and the direction
    # w/q in which the perception multiplier moves ln v
    d2 = (t[:, None] - t[None, :]) ** 2
    kern = -beta * d2 + log_v[None, :]
    log_w = np.log(w)
    log_q = log_v + logsumexp(-beta * d2 + (log_w - logsumexp(kern, axis=1))[:, None], axis=0)
    tilt = np.exp(np.minimum(log_w - log_q, math.log(1e3)))
    values = _hit(beta, t, log_v, tilt, spacing, step, d_aim, p_aim)
    if values is None:
        return None
    log_v = values.log_weights
    check = evaluate(values.slope, t, log_v, spacing, step / 2.0)
    if not (check.distortion <= D and check.perception <= P):
        return None
    lower, gamma, margin = dual_bound(values, D, P)
    check_lower = dual_bound(check, D, P)[0]
    if margin <= 0.0:
        return None
    return GatedBounds(
        lower=min(lower, check_lower),
        upper=max(values.rate, check.rate),
        distortion=max(values.distortion, check.distortion),
        perception=max(values.perception, check.perception),
        slope=values.slope,
        gamma=gamma,
        margin=margin,
        seconds=time.perf_counter() - began,
        state=point.warm,
        log_weights=log_v,
        spacing=spacing,
    )
