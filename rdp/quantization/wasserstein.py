r"""Exact $W_2^2$ from a discrete measure to a 1-D source law or to an empirical measure.

Used for the best perfect-perception decoder of an encoder, whose MSE is
$D^*_f + W_2^2(p_{X^*}, p_X)$
([`rdp.quantization.perfect_perception`][rdp.quantization.perfect_perception]).
POT (``ot``) is imported inside the functions that use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate

from rdp.quantization.lloyd_max import finite_distribution

__all__ = ["w2_squared_empirical", "w2_squared_to_source"]


def w2_squared_to_source(distribution: Any, atoms: ArrayLike, weights: ArrayLike) -> float:
    r"""Exact $W_2^2(\mu, p_X)$ for a discrete $\mu = \sum_j w_j \delta_{a_j}$ in 1-D.

    Continuous 1-D source: by quantile functions,

    $$
    W_2^2 = \int_0^1 \big(F_X^{-1}(u) - F_\mu^{-1}(u)\big)^2 du
    = \sum_j \int_{U_{j-1}}^{U_j} \big(F_X^{-1}(u) - a_{(j)}\big)^2 du,
    $$

    with the atoms sorted and $U_j$ their cumulative weights (adaptive
    quadrature, ``scipy.integrate.quad`` on the tail cells and
    ``scipy.integrate.quad_vec`` on the inner ones). Finite source: the exact
    transport linear program ``ot.emd2`` with cost $|a - x|^2$.
    """
    atoms = np.asarray(atoms, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = weights > 0
    atoms, weights = atoms[keep], weights[keep] / weights[keep].sum()
    finite = finite_distribution(distribution)
    if finite is not None:
        values, probs = finite
        cost = (atoms[:, None] - values[None, :]) ** 2
        import ot  # POT loads its optional backends: imported only for a finite source

        return float(ot.emd2(weights, probs, cost, numItermax=1_000_000))
    order = np.argsort(atoms, kind="stable")
    atoms, weights = atoms[order], weights[order]
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    cumulative[-1] = 1.0
    n = atoms.size
    total = 0.0
    # tail cells: u = U_1 e^{-t} (lower) and 1 - u = (1 - U_{n-1}) e^{-t} (upper), t in [0, 60];
    # what lies beyond t = 60 is below e^{-60} x^2
    lower_mass, upper_mass = cumulative[1], 1.0 - cumulative[-2]

    def tails(t: float) -> NDArray:
        decay = np.exp(-t)
        low = (distribution.ppf(lower_mass * decay) - atoms[0]) ** 2 * lower_mass * decay
        high = (distribution.isf(upper_mass * decay) - atoms[-1]) ** 2 * upper_mass * decay
        return np.array([low, high])

    tail_values, _ = integrate.quad_vec(tails, 0.0, 60.0, epsabs=0.0, epsrel=1e-13, limit=2000)
    total += float(tail_values[0] + (tail_values[1] if n > 1 else 0.0))
    if n > 2:
        start, width, inner = cumulative[1:-2], weights[1:-1], atoms[1:-1]
        values, _ = integrate.quad_vec(
            lambda s: (distribution.ppf(start + width * s) - inner) ** 2 * width,
            0.0,
            1.0,
            epsabs=0.0,
            epsrel=1e-13,
            limit=1000,
        )
        total += float(values.sum())
    return float(total)


def w2_squared_empirical(
    atoms: ArrayLike,
    atom_weights: ArrayLike,
    samples: ArrayLike,
    sample_weights: ArrayLike | None = None,
) -> float:
    r"""$W_2^2$ between discrete measures in $\mathbb R^d$ (exact LP ``ot.emd2``)."""
    import ot

    a = np.atleast_2d(np.asarray(atoms, dtype=float))
    x = np.asarray(samples, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    a = a.T if a.shape[1] != x.shape[1] and a.shape[0] == x.shape[1] else a
    wa = np.asarray(atom_weights, dtype=float)
    wx = (
        np.full(x.shape[0], 1.0 / x.shape[0])
        if sample_weights is None
        else np.asarray(sample_weights, dtype=float)
    )
    cost = ot.dist(a, x, metric="sqeuclidean")
    return float(ot.emd2(wa / wa.sum(), wx / wx.sum(), cost, numItermax=10_000_000))
