r"""Gaussian source, MSE, an f-divergence perception: a gated channel and its dual bound.

The channel family of [`rdp.closed_forms.gaussian_kl_channel`][rdp.closed_forms.gaussian_kl_channel]
(its [`evaluate`][rdp.closed_forms.gaussian_kl_channel.evaluate] computes D and
I(X; X̂)): for the standard source X ~ N(0, 1),

$$
W(y \mid x) = \frac{r(y)\, e^{-\beta (x - y)^2}}{Z(x)},\qquad
r(y) = \sum_j v_j\, \mathcal N(y; t_j, \varepsilon^2),
$$

a mixture of Gaussians whose weights depend on x, with output law $q = rK$,
$K(y) = \int \varphi(x) e^{-\beta(x-y)^2}/Z(x)\,dx$. Here the perception of the channel
is $D_f(q\|\varphi) = \int \varphi\, f(q/\varphi)$, a trapezoidal sum on the same grid.
β and v come from the certified finite solver on the nodes (a source with Gaussian
masses there) with the same measure; then (ln β, θ), with ln v_j moved by
θ·f'(q_j/p_j) (the direction in which the perception multiplier moves the optimum), are
set by Newton's method so that the channel's D and $D_f$ are D and P times
(1 − 10⁻⁹). The channel is mixed with weight 10⁻⁷ with X̂ ~ N(0, 1) independent of X,
which keeps the divergence's tails finite (``divergence``). It is re-evaluated on a grid
of half the step; it must meet D and P there too, and the larger of the two rates is
the upper bound. Its λ = 1/Z gives the dual lower bound of ``dual_bound`` (the smaller
of its values on the two grids).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.special import logsumexp, ndtr

from rdp.closed_forms.gaussian_kl_channel import ChannelValues, _log_k, dual_pieces, evaluate, nodes
from rdp.perceptions import Perception, to_bound

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclass(frozen=True)
class GatedChannel:
    """A gated channel for N(0, 1) that meets (D, P) with an f-divergence, and its rate.

    Attributes
    ----------
    rate : float
        I(X; X̂) in bits (the larger of its values on the two grids): an upper bound
        on R(D, P).
    lower : float
        The dual bound from the channel's λ = 1/Z (``dual_bound``; the smaller of its
        values on the two grids): a lower bound on R(D, P) in bits.
    distortion, perception : float
        Its distortion and divergence (internal unit; the larger of the two grids).
    slope : float
        β.
    log_weights : ndarray
        ln v_j on ``nodes(spacing)``.
    spacing, step : float
        Node spacing (and width ε of r's bumps), and the quadrature step.
    seconds : float
        Wall time.
    """

    rate: float
    distortion: float
    perception: float
    slope: float
    log_weights: NDArray
    spacing: float
    step: float
    seconds: float
    lower: float = -np.inf


#: Weight of the independent N(0, 1) law mixed into every channel (below).
MIX = 1e-7


@dataclass(frozen=True)
class _Values:
    """D, D_f, rate (nats → bits as ``evaluate`` gives them) of a mixed channel."""

    distortion: float
    perception: float
    rate: float
    slope: float
    log_weights: NDArray
    channel: ChannelValues


def divergence(perception: Perception, beta, t, log_v, width, step) -> _Values:
    r"""D, $D_f(q'\|arphi)$ and an upper bound on the rate of the mixed channel
    $W' = (1 - \delta)W + \delta\,arphi$ (δ = ``MIX``: with probability δ, X̂ ~ N(0, 1)
    independent of X).

    The mixture keeps $q'/arphi \ge \delta$, so the divergence is finite even for
    f(0) = ∞ (Neyman's χ²: the gated output law alone decays faster than φ² beyond the
    nodes, and $\intarphi^2/q$ would diverge). Its rate is at most $(1-\delta)I(W)$
    (I is convex in the channel), its distortion $(1-\delta)D_W + 2\delta$. The
    divergence is the trapezoid sum over [−10, 10] plus $2ar\Phi(10)\max(f(\delta), 0)$
    for the tails, where $\delta \le q'/arphi \le 1$ (checked at the ends of the grid;
    ``inf`` otherwise).
    """
    values = evaluate(beta, t, log_v, width, step)
    x = values.grid
    log_phi = -0.5 * x * x - _LOG_SQRT_2PI
    log_k = _log_k(beta, x, log_phi - values.log_norm, step)
    log_r = (
        logsumexp(-0.5 * ((x[:, None] - t[None, :]) / width) ** 2 + log_v[None, :], axis=1)
        - math.log(width)
        - _LOG_SQRT_2PI
    )
    ratio = (1.0 - MIX) * np.exp(log_r + log_k - log_phi) + MIX
    gen = perception.generator  # type: ignore[union-attr]
    with np.errstate(all="ignore"):
        terms = np.exp(log_phi) * gen.f(ratio)
        tail = 2.0 * float(ndtr(-float(x[-1]))) * max(float(gen.f(np.array([MIX]))[0]), 0.0)
    value = float(step * terms.sum()) + tail
    if not (np.isfinite(value) and ratio[0] <= 1.0 and ratio[-1] <= 1.0):
        value = float("inf")
    return _Values(
        distortion=(1.0 - MIX) * values.distortion + 2.0 * MIX,
        perception=value,
        rate=(1.0 - MIX) * values.rate,
        slope=values.slope,
        log_weights=values.log_weights,
        channel=values,
    )


def dual_bound(perception: Perception, values: ChannelValues, D: float, P: float) -> float:
    r"""A lower bound on R(D, P) in bits from the channel's λ = 1/Z (P internal unit).

    For every λ(x) > 0, β ≥ 0, γ > 0 and ν with $\nu + \gamma f'(\infty) \ge
    \sup_y \ln K_\lambda(y)$, $K_\lambda(y) = \int\varphi(x)\lambda(x)e^{-\beta(x-y)^2}dx$,

    $$
    R(D, P) \ge \mathbb E_\varphi\ln\lambda(X) - \beta D - \gamma P - \nu
    - \gamma\,\mathbb E_\varphi f^*\Big(\frac{\ln K_\lambda(Y) - \nu}{\gamma}\Big)
    $$

    (nats; ``docs/closed-forms/gaussian-fdivergence.md``). λ, K and the bound on
    sup ln K are those of
    [`dual_pieces`][rdp.closed_forms.gaussian_kl_channel.dual_pieces]; ν is set by
    $\mathbb E_\varphi (f^*)'(\cdot) = 1$ (or at its least valid value) and γ by a
    bounded scalar search (any values are valid). Beyond the grid, $f^*$ is at most its
    value at $(\sup\ln K - \nu)/\gamma$ (f* increases), times $2\bar\Phi(L)$.
    """
    gen = perception.generator  # type: ignore[union-attr]
    weight, mean_log_lam, log_k, top = dual_pieces(values)
    outside = 2.0 * float(ndtr(-float(values.grid[-1])))
    base = mean_log_lam - values.slope * D

    def support(gamma: float) -> float:
        """min over ν of γP + ν + γ E f*((ln K − ν)/γ): an upper bound on sup_q ∫ q ln K."""

        def value(nu: float) -> float:
            with np.errstate(all="ignore"):
                conj = np.asarray(gen.conjugate((log_k - nu) / gamma)[0], dtype=float)
                edge = float(np.asarray(gen.conjugate(np.array([(top - nu) / gamma]))[0])[0])
            total = float(weight @ conj) + outside * max(edge, 0.0)
            return gamma * P + nu + gamma * total if np.isfinite(total) else np.inf

        def excess(nu: float) -> float:
            with np.errstate(all="ignore"):
                t = np.asarray(gen.maximiser((log_k - nu) / gamma), dtype=float)
            return float(weight @ t) - 1.0

        lo = -np.inf
        if np.isfinite(gen.slope_inf):  # the singular part of q: ν ≥ sup ln K − γ f'(∞)
            lo = top - gamma * gen.slope_inf
            lo += 1e-12 * (1.0 + abs(lo))
        start = lo if np.isfinite(lo) else float(log_k.max()) - gamma * 50.0
        if excess(start) <= 0.0:
            return value(start)
        hi, step = start + gamma, gamma
        while excess(hi) > 0.0:
            step *= 2.0
            hi = start + step
        return value(brentq(excess, start, hi, xtol=1e-14, rtol=1e-15))

    res = minimize_scalar(
        lambda lg: support(math.exp(lg)), bounds=(-16.0, 10.0), method="bounded",
        options={"xatol": 1e-10},
    )  # fmt: skip
    best = base - min(float(res.fun), support(math.exp(res.x)))
    return best / math.log(2.0)


def _newton(perception, beta, t, log_v, tilt, width, step, d_aim, p_aim, max_iter=14):
    """Newton on (ln β, θ), ln v + θ·tilt, for D = d_aim and D_f = p_aim (None if it fails)."""

    def at(z):
        values = divergence(perception, math.exp(z[0]), t, log_v + z[1] * tilt, width, step)
        div = values.perception
        return values, div, np.array([values.distortion / d_aim - 1.0, div / p_aim - 1.0])

    z = np.array([math.log(beta), 0.0])
    values, div, miss = at(z)
    scale_tilt = max(float(np.abs(tilt).max()), 1e-300)
    for _ in range(max_iter):
        if not np.all(np.isfinite(miss)):
            return None
        if np.all(np.abs(miss) <= 2e-11):
            return z, values, div
        jac = np.empty((2, 2))
        for k, h in enumerate((1e-6, 1e-3 / scale_tilt)):
            dz = np.zeros(2)
            dz[k] = h
            jac[:, k] = (at(z + dz)[2] - miss) / h
        try:
            move = np.linalg.solve(jac, -miss)
        except np.linalg.LinAlgError:
            return None
        scale = 1.0
        while True:
            trial = at(z + scale * move)
            if np.abs(trial[2]).max() < np.abs(miss).max() or scale < 1e-3:
                break
            scale /= 2.0
        z = z + scale * move
        values, div, miss = trial
    return (z, values, div) if np.all(np.abs(miss) <= 2e-11) else None


def gated_channel(
    perception: Perception,
    D: float,
    P: float,
    *,
    spacing: float = 0.1,
    time_limit: float = 8.0,
) -> GatedChannel | None:
    r"""A gated channel for N(0, 1), MSE D, $D_f \le P$ (P in the user's unit), or None.

    Solves the problem on ``nodes(spacing)`` with the certified finite solver, builds the
    channel from its slope β and weights v, moves (ln β, θ) by Newton's method until the
    channel's D and $D_f(q\|\varphi)$ on the continuous source are D and P times
    (1 − 1e-9) to 2e-11 relative, and re-checks both on a grid of half the step. None
    where a step fails (the caller keeps the analytic bound).
    """
    from rdp.problem import Problem
    from rdp.solvers.fast import fast_solver
    from rdp.sources import Discrete

    began = time.perf_counter()
    value = to_bound(perception, P).value
    step = spacing / 2.0
    t, w = nodes(spacing)
    problem = Problem(Discrete(w, t), "mse", perception)
    point = fast_solver(problem, tol=1e-10, time_limit=time_limit).rate_point(D, P)
    if not isinstance(point.warm, dict) or "v" not in point.warm:
        return None
    v = np.maximum(np.asarray(point.warm["v"], dtype=float), 1e-300)
    beta, log_v = float(point.warm["s"]), np.log(v)
    # the finite channel's output law on the nodes and the direction f'(q/p) in ln v
    d2 = (t[:, None] - t[None, :]) ** 2
    log_w = np.log(w)
    log_q = log_v + logsumexp(
        -beta * d2 + (log_w - logsumexp(-beta * d2 + log_v[None, :], axis=1))[:, None], axis=0
    )
    gen = perception.generator  # type: ignore[union-attr]
    ratio = np.exp(np.clip(log_q - log_w, -30.0, 30.0))
    tilt = np.clip(np.asarray(gen.derivative(ratio), dtype=float), -1e3, 1e3)
    found = _newton(perception, beta, t, log_v, tilt, spacing, step, D * (1 - 1e-9),
                    value * (1 - 1e-9))  # fmt: skip
    if found is None:
        return None
    _, values, div = found
    log_v = values.log_weights
    check = divergence(perception, values.slope, t, log_v, spacing, step / 2.0)
    check_div = check.perception
    if not (check.distortion <= D and check_div <= value):
        return None
    lower = min(
        dual_bound(perception, values.channel, D, value),
        dual_bound(perception, check.channel, D, value),
    )
    return GatedChannel(
        lower=lower,
        rate=max(values.rate, check.rate),
        distortion=max(values.distortion, check.distortion),
        perception=max(div, check_div),
        slope=values.slope,
        log_weights=log_v,
        spacing=spacing,
        step=step,
        seconds=time.perf_counter() - began,
    )
