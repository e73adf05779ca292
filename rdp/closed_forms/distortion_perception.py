r"""The distortion–perception function D(P) with W₁ perception for finite alphabets (an LP).

Freirich, Weinberger & Meir ("Characterization of the Distortion-Perception
Tradeoff for Finite Channels with Arbitrary Metrics", arXiv:2402.02265, ISIT
2024) study estimators $\hat X$ of X from a degraded observation Y
(joint law $p_{XY}$ on finite alphabets), an arbitrary distortion matrix
Δ and the Wasserstein-1 distance of a metric c as the perception index:

$$
D(P) = \min_{p_{\hat X \mid Y}} \mathbb E\,\Delta(X, \hat X)
\quad\text{s.t.}\quad W_1^{c}(p_X, p_{\hat X}) \le P .
$$

With the estimator $K = p_{\hat X|Y}$ and a transport plan π from
$p_X$ to $p_{\hat X}$ as variables this is a linear program
(their Section III); D(P) is convex, non-increasing and piecewise linear in P,
constant beyond the perception of the Bayes estimator. Y = X (an identity
channel) gives the rate-∞ end of R(D, P): D(P) = D_min(P).

The general LP is solved with HiGHS (``scipy.optimize.linprog``); the
binary closed form of the paper (Theorem 9) is not implemented here — the LP
is exact for every finite instance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

REFERENCE = (
    "Freirich, Weinberger & Meir, Characterization of the Distortion-Perception Tradeoff for "
    "Finite Channels with Arbitrary Metrics, arXiv:2402.02265, ISIT 2024 (linear program)"
)


@dataclass(frozen=True)
class DistortionPerception:
    """D(P) and an optimal estimator.

    Attributes
    ----------
    distortion : float
        D(P).
    estimator : ndarray, shape (|Y|, |X̂|)
        An optimal p(x̂ | y).
    reconstruction_pmf : ndarray, shape (|X̂|,)
        The law of X̂.
    """

    distortion: float
    estimator: NDArray
    reconstruction_pmf: NDArray


def distortion_perception_w1(
    joint: ArrayLike, distortion: ArrayLike, metric: ArrayLike, P: float
) -> DistortionPerception:
    r"""D(P) of the finite estimation problem with W₁ perception, by linear programming.

    Parameters
    ----------
    joint : array_like, shape (|X|, |Y|)
        The joint law $p_{XY}$ (the source and its observation).
    distortion : array_like, shape (|X|, |X̂|)
        Δ(x, x̂).
    metric : array_like, shape (|X|, |X̂|)
        The ground metric c(x, x̂) of W₁ between $p_X$ and $p_{\hat X}$.
    P : float
        Perception budget ≥ 0 (``inf``: no constraint).

    Examples
    --------
    >>> import numpy as np
    >>> joint = np.array([[0.35, 0.05], [0.15, 0.45]])       # X ~ (0.4, 0.6) seen through noise
    >>> hamming = 1.0 - np.eye(2)
    >>> round(distortion_perception_w1(joint, hamming, hamming, np.inf).distortion, 6)
    0.2
    >>> round(distortion_perception_w1(joint, hamming, hamming, 0.0).distortion, 6)
    0.24
    """
    pxy = np.asarray(joint, dtype=float)
    delta = np.asarray(distortion, dtype=float)
    cost = np.asarray(metric, dtype=float)
    nx, ny = pxy.shape
    m = delta.shape[1]
    if delta.shape[0] != nx or cost.shape != (nx, m) or (pxy < 0).any():
        raise ValueError("joint (|X|, |Y|), distortion and metric (|X|, |X̂|) shapes disagree")
    px = pxy.sum(axis=1)
    # variables: K (ny × m, row-stochastic estimator), π (nx × m, plan from p_X to p_X̂)
    n_k, n_pi = ny * m, nx * m
    c = np.concatenate([(pxy.T @ delta).ravel(), np.zeros(n_pi)])  # E Δ = Σ_y,x̂ K(x̂|y) Σ_x p(x,y)Δ
    rows, rhs = [], []
    for y in range(ny):  # Σ_x̂ K(x̂|y) = 1
        row = np.zeros(n_k + n_pi)
        row[y * m : (y + 1) * m] = 1.0
        rows.append(row)
        rhs.append(1.0)
    for x in range(nx):  # Σ_x̂ π(x, x̂) = p_X(x)
        row = np.zeros(n_k + n_pi)
        row[n_k + x * m : n_k + (x + 1) * m] = 1.0
        rows.append(row)
        rhs.append(px[x])
    py = pxy.sum(axis=0)
    for j in range(m):  # Σ_x π(x, j) = p_X̂(j) = Σ_y p(y) K(j|y)
        row = np.zeros(n_k + n_pi)
        row[n_k + j : n_k + n_pi : m] = 1.0
        row[j:n_k:m] = -py
        rows.append(row)
        rhs.append(0.0)
    a_ub, b_ub = None, None
    if P != np.inf:
        a_ub = np.concatenate([np.zeros(n_k), cost.ravel()])[None, :]
        b_ub = [float(P)]
    res = linprog(
        c, A_ub=a_ub, b_ub=b_ub, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None), method="highs"
    )
    if res.status != 0:
        raise RuntimeError(f"distortion-perception LP failed: {res.message}")
    estimator = res.x[:n_k].reshape(ny, m)
    return DistortionPerception(float(res.fun), estimator, py @ estimator)
