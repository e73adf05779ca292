r"""The distortion–perception function of an estimator (Freirich, Michaeli & Meir, NeurIPS 2021).

Estimating X from an observation Y under MSE with a squared-$W_2$
perception bound $W_2^2(p_X, p_{\hat X}) \le P$, and with
$X^* = E[X \mid Y]$, $D^* = E\|X - X^*\|^2$:

$$
D(P) = D^* + \Big[\big(W_2(p_X, p_{X^*}) - \sqrt P\big)_+\Big]^2 ,
$$

reached by $\hat X_\alpha = (1-\alpha) X^* + \alpha \hat X_0$,
$\alpha = (1 - \sqrt P / W_2(p_X, p_{X^*}))_+$, where
$\hat X_0 \sim p_X$ is optimally coupled to $X^*$ and
conditionally independent of X given Y — a point on the $W_2$
geodesic from $p_{X^*}$ to $p_X$. Since the coupling
$(X^*, X)$ is admissible, $W_2^2(p_X, p_{X^*}) \le D^*$, hence
$D(0) \le 2D^*$.

The checks here compute the geodesic estimator's MSE and perception
*directly* (second moments for Gaussians, the joint law and an exact transport
LP for finite alphabets) and compare them with the formula.

References
----------
1. D. Freirich, T. Michaeli, R. Meir, "A Theory of the Distortion-Perception
   Tradeoff in Wasserstein Space", NeurIPS 2021 (arXiv:2107.02555), Theorems 3–4.
2. C. R. Givens, R. M. Shortt, "A class of Wasserstein metrics for probability
   distributions", Michigan Math. J. 31, 1984 (Gaussian W₂).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import ot
from numpy.typing import ArrayLike, NDArray
from scipy import linalg

from rdp.theorems.report import TheoremReport

REFERENCE = (
    "Freirich, Michaeli & Meir, A Theory of the Distortion-Perception Tradeoff in "
    "Wasserstein Space, NeurIPS 2021, Theorems 3-4"
)


def distortion_perception_function(mmse: float, w2_squared: float, P: ArrayLike) -> NDArray:
    r"""D(P) = D* + [(W₂(p_X, p_X*) − √P)₊]² (P: bound on the squared W₂ distance).

    Parameters
    ----------
    mmse : float
        $D^* = E\|X - E[X|Y]\|^2$.
    w2_squared : float
        $W_2^2(p_X, p_{X^*})$.
    P : float or array_like
        Perception bound(s) on $W_2^2(p_X, p_{\hat X})$, ≥ 0.
    """
    P = np.asarray(P, dtype=float)
    if (P < 0).any():
        raise ValueError("P must be non-negative")
    return mmse + np.maximum(np.sqrt(w2_squared) - np.sqrt(P), 0.0) ** 2


def _sqrtm_psd(matrix: NDArray) -> NDArray:
    root = linalg.sqrtm(0.5 * (matrix + matrix.T))
    return np.real(root)


def gaussian_w2_squared(cov_a: ArrayLike, cov_b: ArrayLike) -> float:
    r"""W₂² between centred Gaussians (Givens & Shortt 1984).

    $$
    W_2^2 = \mathrm{tr}\big(\Sigma_1 + \Sigma_2
    - 2(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}\big)
    $$
    """
    a = np.atleast_2d(np.asarray(cov_a, dtype=float))
    b = np.atleast_2d(np.asarray(cov_b, dtype=float))
    root_a = _sqrtm_psd(a)
    cross = _sqrtm_psd(root_a @ b @ root_a)
    return float(np.trace(a) + np.trace(b) - 2.0 * np.trace(cross))


def gaussian_geodesic_estimator(
    signal_cov: ArrayLike, observation: ArrayLike, noise_cov: ArrayLike, P: float
) -> dict[str, float]:
    r"""MSE and perception of the geodesic estimator for Y = A X + N, all jointly Gaussian, centred.

    $\Sigma^* = \Sigma_X A^\top (A\Sigma_X A^\top + \Sigma_N)^{-1} A \Sigma_X$;
    $T = \Sigma^{*-1/2}(\Sigma^{*1/2}\Sigma_X\Sigma^{*1/2})^{1/2}\Sigma^{*-1/2}$
    is the optimal transport map from $p_{X^*}$ to $p_X$;
    $\hat X = M X^*$ with $M = (1-\alpha) I + \alpha T$. Directly:
    $E\|X - \hat X\|^2 = \mathrm{tr}\,\Sigma_X - 2\,\mathrm{tr}(\Sigma^* M^\top) +
    \mathrm{tr}(M \Sigma^* M^\top)$ (because $E[X X^{*\top}] = \Sigma^*$) and
    perception $W_2^2(\Sigma_X, M\Sigma^*M^\top)$.

    Returns
    -------
    dict
        ``mmse``, ``w2_squared`` ($W_2^2(p_X, p_{X^*})$), ``alpha``,
        ``mse`` and ``perception`` of the estimator, and ``formula`` = D(P).
    """
    sx = np.atleast_2d(np.asarray(signal_cov, dtype=float))
    a = np.atleast_2d(np.asarray(observation, dtype=float))
    sn = np.atleast_2d(np.asarray(noise_cov, dtype=float))
    gain = sx @ a.T @ np.linalg.inv(a @ sx @ a.T + sn)
    s_star = gain @ a @ sx
    s_star = 0.5 * (s_star + s_star.T)
    mmse = float(np.trace(sx - s_star))
    w2 = gaussian_w2_squared(sx, s_star)
    root = _sqrtm_psd(s_star)
    inv_root = np.linalg.inv(root)
    transport = inv_root @ _sqrtm_psd(root @ sx @ root) @ inv_root
    alpha = max(1.0 - np.sqrt(P) / np.sqrt(w2), 0.0) if w2 > 0 else 0.0
    m = (1.0 - alpha) * np.eye(sx.shape[0]) + alpha * transport
    mse = float(np.trace(sx) - 2.0 * np.trace(s_star @ m.T) + np.trace(m @ s_star @ m.T))
    perception = gaussian_w2_squared(sx, m @ s_star @ m.T)
    return {
        "mmse": mmse,
        "w2_squared": w2,
        "alpha": float(alpha),
        "mse": mse,
        "perception": perception,
        "formula": float(distortion_perception_function(mmse, w2, P)),
    }


def discrete_geodesic_estimator(
    points: ArrayLike, pmf: ArrayLike, channel: ArrayLike, P: float, *, coupling: str = "optimal"
) -> dict[str, float]:
    r"""MSE and perception of the geodesic estimator for a finite X observed through a channel.

    ``channel[x, y]`` = p(y | x). $x^*_y = E[X | Y = y]$; the optimal plan
    $\pi$ between $p_{X^*}$ and $p_X$ (``ot.emd``); given
    $Y = y$, $\hat X_0 \sim \pi(y, \cdot)/p(y)$ independently of X,
    and $\hat X = (1-\alpha)x^*_y + \alpha \hat X_0$. The MSE is summed over
    the joint law of (X, Y, X̂₀); the perception is the exact LP
    $W_2^2(p_X, p_{\hat X})$ over the support of $\hat X$.
    ``coupling="independent"`` replaces the optimal plan by $p_{X^*} \otimes p_X$
    (a deliberately wrong construction, for tests).
    """
    x = np.asarray(points, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    p = np.asarray(pmf, dtype=float)
    ch = np.asarray(channel, dtype=float)
    joint = p[:, None] * ch  # (x, y)
    p_y = joint.sum(axis=0)
    keep = p_y > 0
    joint, p_y = joint[:, keep], p_y[keep]
    x_star = (joint.T @ x) / p_y[:, None]  # (y, d)
    mmse = float(np.sum(joint * ot.dist(x, x_star, metric="sqeuclidean")))
    cost = ot.dist(x_star, x, metric="sqeuclidean")
    if coupling == "optimal":
        plan = ot.emd(p_y, p, cost, numItermax=1_000_000)
    elif coupling == "independent":
        plan = np.outer(p_y, p)
    else:
        raise ValueError(f"coupling must be 'optimal' or 'independent'; got {coupling!r}")
    w2 = float(ot.emd2(p_y, p, cost, numItermax=1_000_000))
    alpha = max(1.0 - np.sqrt(P) / np.sqrt(w2), 0.0) if w2 > 0 else 0.0
    cond = plan / p_y[:, None]  # p(x̂0 = z | y)
    # reconstruction points r[y, z] = (1 - α) x*_y + α x_z
    recon = (1.0 - alpha) * x_star[:, None, :] + alpha * x[None, :, :]
    # E|X - X̂|² = Σ_{x,y,z} p(x,y) p(z|y) |x - r[y,z]|²
    diff = x[:, None, None, :] - recon[None, :, :, :]
    mse = float(np.einsum("xy,yz,xyz->", joint, cond, (diff**2).sum(axis=-1)))
    recon_points = recon.reshape(-1, x.shape[1])
    recon_weights = plan.reshape(-1)
    positive = recon_weights > 0
    perception = float(
        ot.emd2(
            p,
            recon_weights[positive] / recon_weights[positive].sum(),
            ot.dist(x, recon_points[positive], metric="sqeuclidean"),
            numItermax=1_000_000,
        )
    )
    return {
        "mmse": mmse,
        "w2_squared": w2,
        "alpha": float(alpha),
        "mse": mse,
        "perception": perception,
        "formula": float(distortion_perception_function(mmse, w2, P)),
    }


def _check(name: str, instance: str, rows: list[dict[str, Any]], tolerance: float) -> TheoremReport:
    deviation = 0.0
    for row in rows:
        scale = max(row["mmse"], 1e-300)
        deviation = max(
            deviation,
            abs(row["mse"] - row["formula"]) / scale,
            # the estimator meets the bound, with equality while it binds
            (
                abs(row["perception"] - row["P"])
                if row["alpha"] > 0
                else row["perception"] - row["P"]
            )
            / scale,
        )
    first = rows[0]
    # D(0) <= 2 D*: W2²(p_X, p_X*) <= D*
    deviation = max(deviation, (first["w2_squared"] - first["mmse"]) / first["mmse"])
    return TheoremReport.from_deviation(
        name=name,
        statement=(
            "D(P) = D* + [(W₂(p_X, p_X*) − √P)₊]², reached by the W₂-geodesic estimator "
            "(1−α)X* + αX̂₀ with X̂₀ ~ p_X optimally coupled to X*; D(0) ≤ 2D*."
        ),
        reference=REFERENCE,
        instance=instance,
        quantities={"points": rows},
        deviation=deviation,
        tolerance=tolerance,
    )


def _rows_over_P(
    estimator: Callable[[float], dict[str, Any]], P_values: Sequence[float] | None
) -> list[dict[str, Any]]:
    """``{"P": P, **estimator(P)}`` for each P; by default P over fractions of W₂²(p_X, p_X*).

    ``estimator(0.0)`` is always evaluated (it gives the default grid's scale).
    """
    base = estimator(0.0)
    if P_values is None:
        P_values = base["w2_squared"] * np.array([0.0, 0.1, 0.25, 0.5, 0.9, 1.0, 1.5])
    return [{"P": float(P), **estimator(float(P))} for P in P_values]


def check_distortion_perception_gaussian(
    signal_cov: ArrayLike,
    observation: ArrayLike,
    noise_cov: ArrayLike,
    P_values: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-9,
    label: str = "gaussian",
) -> TheoremReport:
    """Check D(P) against the direct Gaussian geodesic construction on a grid of P.

    The deviation is the largest of |MSE − D(P)|/D*, |W₂²(p_X, p_X̂) − P|/D* (where the
    bound binds) and (W₂²(p_X, p_X*) − D*)/D* (so that D(0) ≤ 2D*).
    """
    rows = _rows_over_P(
        lambda P: gaussian_geodesic_estimator(signal_cov, observation, noise_cov, P), P_values
    )
    dim = np.atleast_2d(np.asarray(signal_cov)).shape[0]
    return _check(
        f"freirich2021/distortion-perception[{label}]",
        f"X ~ N(0, Σ) in R^{dim}, Y = AX + N; P over {len(rows)} values",
        rows,
        tolerance,
    )


def check_distortion_perception_discrete(
    points: ArrayLike,
    pmf: ArrayLike,
    channel: ArrayLike,
    P_values: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-8,
    label: str = "discrete",
) -> TheoremReport:
    """Check D(P) against the direct finite-alphabet geodesic construction (POT) on a grid of P."""
    rows = _rows_over_P(lambda P: discrete_geodesic_estimator(points, pmf, channel, P), P_values)
    n = np.asarray(pmf).size
    return _check(
        f"freirich2021/distortion-perception[{label}]",
        f"X on {n} points, observed through a {n}x{np.asarray(channel).shape[1]} channel",
        rows,
        tolerance,
    )


def check_nothing_does_better(
    points: ArrayLike,
    pmf: ArrayLike,
    channel: ArrayLike,
    P_values: Sequence[float] | None = None,
    *,
    tolerance: float = 1e-8,
    label: str = "discrete",
) -> TheoremReport:
    r"""D(P) is the *least* MSE: a linear program over all estimators does no better (1-D X).

    For each P, the reconstruction alphabet is the support of the geodesic
    estimator, $\{(1-\alpha)x^*_y + \alpha x\}$, plus the source points;
    the linear program of
    [`distortion_perception_w1`][rdp.closed_forms.distortion_perception.distortion_perception_w1]
    (with the squared distance as transport cost, i.e. $W_2^2$) minimises
    the MSE over *every* estimator p(x̂ | y) on that alphabet. The deviation is
    $\max_P |D_{LP}(P) - D(P)| / D^*$: below the formula would refute the
    theorem, above it would mean the geodesic estimator is not reachable.
    """
    from rdp.closed_forms.distortion_perception import distortion_perception_w1

    x = np.asarray(points, dtype=float).ravel()
    p = np.asarray(pmf, dtype=float)
    joint = p[:, None] * np.asarray(channel, dtype=float)
    joint = joint[:, joint.sum(axis=0) > 0]
    x_star = (joint.T @ x) / joint.sum(axis=0)
    base = discrete_geodesic_estimator(x, p, np.asarray(channel, dtype=float), 0.0)
    if P_values is None:
        P_values = base["w2_squared"] * np.array([0.0, 0.1, 0.5, 0.9, 1.5])
    rows, deviation = [], 0.0
    for P in P_values:
        geodesic = discrete_geodesic_estimator(x, p, np.asarray(channel, dtype=float), float(P))
        alpha = geodesic["alpha"]
        alphabet = np.unique(
            np.concatenate([((1 - alpha) * x_star[:, None] + alpha * x[None, :]).ravel(), x])
        )
        cost = (x[:, None] - alphabet[None, :]) ** 2
        lp = distortion_perception_w1(joint, cost, cost, float(P)).distortion
        formula = float(distortion_perception_function(base["mmse"], base["w2_squared"], P))
        deviation = max(deviation, abs(lp - formula) / base["mmse"])
        rows.append({"P": float(P), "linear_program": lp, "formula": formula})
    return TheoremReport.from_deviation(
        name=f"freirich2021/nothing-does-better[{label}]",
        statement=(
            "No estimator beats D(P) = D* + [(W₂(p_X, p_X*) − √P)₊]²: the least MSE over all "
            "estimators p(x̂|y) on the geodesic support (a linear program) equals the formula."
        ),
        reference=REFERENCE,
        instance=f"X on {x.size} points, {joint.shape[1]} observations, {len(rows)} values of P",
        quantities={"points": rows},
        deviation=deviation,
        tolerance=tolerance,
    )
