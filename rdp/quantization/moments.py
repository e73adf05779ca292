r"""Exact cell statistics of a 1-D continuous distribution: probability, centroid, spread.

For a cell $(a, b]$ of a density $f$ the Lloyd–Max design needs

$$
p = \int_a^b f, \qquad m = \frac1p \int_a^b x f(x)\,dx, \qquad
v = \int_a^b (x - m)^2 f(x)\,dx .
$$

Location–scale families with closed-form partial moments (normal, Laplace,
uniform) use them in standardized coordinates; any other ``scipy.stats``
continuous distribution uses its cdf/sf for $p$ and adaptive quadrature
(``scipy.integrate.quad``) for the moments. Nothing is sampled.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import integrate, special

#: Families whose partial moments are computed in closed form (standard forms).
CLOSED_FORM_FAMILIES = ("norm", "laplace", "uniform")


def _normal_moments(a: NDArray, b: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """∫_a^b z^j φ(z) dz, j = 0, 1, 2, for the standard normal density."""
    upper_tail = a > 0
    m0 = np.where(
        upper_tail, special.ndtr(-a) - special.ndtr(-b), special.ndtr(b) - special.ndtr(a)
    )
    pdf_a = np.exp(-0.5 * np.where(np.isfinite(a), a, 0.0) ** 2) / np.sqrt(2 * np.pi)
    pdf_b = np.exp(-0.5 * np.where(np.isfinite(b), b, 0.0) ** 2) / np.sqrt(2 * np.pi)
    pdf_a = np.where(np.isfinite(a), pdf_a, 0.0)
    pdf_b = np.where(np.isfinite(b), pdf_b, 0.0)
    a_pdf_a = np.where(np.isfinite(a), np.where(np.isfinite(a), a, 0.0) * pdf_a, 0.0)
    b_pdf_b = np.where(np.isfinite(b), np.where(np.isfinite(b), b, 0.0) * pdf_b, 0.0)
    m1 = pdf_a - pdf_b
    m2 = m0 + a_pdf_a - b_pdf_b
    return m0, m1, m2


def _laplace_half(j: int, z: NDArray) -> NDArray:
    """∫_0^z t^j ½ e^{-t} dt for z ≥ 0 (z may be +inf)."""
    e = np.where(np.isfinite(z), np.exp(-np.where(np.isfinite(z), z, 0.0)), 0.0)
    zf = np.where(np.isfinite(z), z, 0.0)
    if j == 0:
        return 0.5 * (1.0 - e)
    if j == 1:
        return 0.5 * (1.0 - (zf + 1.0) * e)
    return 0.5 * (2.0 - (zf * zf + 2.0 * zf + 2.0) * e)


def _laplace_antiderivative(j: int, z: NDArray) -> NDArray:
    """H_j(z) = ∫_0^z t^j ½ e^{-|t|} dt."""
    pos = _laplace_half(j, np.abs(z))
    return np.where(z >= 0, pos, (-1.0) ** (j + 1) * pos)


def _laplace_moments(a: NDArray, b: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """∫_a^b z^j ½e^{-|z|} dz, j = 0, 1, 2."""
    out = []
    for j in range(3):
        out.append(_laplace_antiderivative(j, b) - _laplace_antiderivative(j, a))
    m0 = out[0]
    # far tails: difference of the upper-tail masses avoids cancellation
    both_pos = a >= 0
    m0 = np.where(
        both_pos,
        0.5 * (np.exp(-np.where(np.isfinite(a), a, 0.0)) * np.isfinite(a))
        - 0.5 * np.where(np.isfinite(b), np.exp(-np.where(np.isfinite(b), b, 0.0)), 0.0),
        m0,
    )
    return m0, out[1], out[2]


def _uniform_moments(a: NDArray, b: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """∫_a^b z^j dz over [0, 1], j = 0, 1, 2."""
    lo = np.clip(a, 0.0, 1.0)
    hi = np.clip(b, 0.0, 1.0)
    return hi - lo, (hi**2 - lo**2) / 2.0, (hi**3 - lo**3) / 3.0


_STANDARD_MOMENTS: dict[str, Callable[[NDArray, NDArray], tuple[NDArray, NDArray, NDArray]]] = {
    "norm": _normal_moments,
    "laplace": _laplace_moments,
    "uniform": _uniform_moments,
}


def location_scale(distribution) -> tuple[str, float, float]:
    """(family name, loc, scale) of a frozen ``scipy.stats`` distribution."""
    family = distribution.dist.name
    _, loc, scale = distribution.dist._parse_args(*distribution.args, **distribution.kwds)
    return family, float(loc), float(scale)


def cell_statistics(
    distribution, lower: NDArray, upper: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """(probabilities, centroids, within-cell squared spreads) of the cells ``(lower, upper]``.

    Parameters
    ----------
    distribution : scipy.stats frozen continuous distribution
    lower, upper : ndarray
        Cell boundaries (``-inf``/``inf`` allowed), ``lower < upper``.

    Returns
    -------
    p, m, v : ndarray
        $p_k$, $m_k = E[X | cell]$ and $v_k = \\int (x - m_k)^2 f$
        (so $\\sum_k v_k$ is the quantizer's MSE).
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    family, loc, scale = location_scale(distribution)
    if family in _STANDARD_MOMENTS:
        m0, m1, m2 = _STANDARD_MOMENTS[family]((lower - loc) / scale, (upper - loc) / scale)
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.where(m0 > 0, m1 / np.where(m0 > 0, m0, 1.0), 0.0)
        spread = np.maximum(m2 - 2.0 * centre * m1 + centre * centre * m0, 0.0)
        return m0, loc + scale * centre, scale * scale * spread
    return _quadrature_statistics(distribution, lower, upper)


def _quadrature_statistics(distribution, lower: NDArray, upper: NDArray):
    """Cell statistics by one vector-valued adaptive quadrature over all cells at once.

    Each cell is mapped onto (0, 1) (affinely, or by $s \\mapsto a + s/(1-s)$
    for a half-line), and ``scipy.integrate.quad_vec`` integrates the
    moments about a reference point of every cell together, evaluating the
    density once per node for all cells. Probabilities come from the cdf/sf.
    """
    support_lo, support_hi = (float(v) for v in distribution.support())
    a = np.maximum(lower.ravel(), support_lo)
    b = np.minimum(upper.ravel(), support_hi)
    median = float(distribution.median())
    p = np.where(
        a >= median,
        distribution.sf(a) - distribution.sf(b),
        distribution.cdf(b) - distribution.cdf(a),
    )
    p = np.maximum(p, 0.0)
    lo_inf, hi_inf = ~np.isfinite(a), ~np.isfinite(b)
    finite_a = np.where(lo_inf, 0.0, a)
    finite_b = np.where(hi_inf, 0.0, b)
    reference = np.where(
        lo_inf & hi_inf,
        0.0,
        np.where(lo_inf, finite_b, np.where(hi_inf, finite_a, 0.5 * (finite_a + finite_b))),
    )

    def integrand(s: float) -> NDArray:
        ratio = s / (1.0 - s)
        jac_half = 1.0 / (1.0 - s) ** 2
        both = (2.0 * s - 1.0) / (s * (1.0 - s))
        jac_both = (2.0 * s * s - 2.0 * s + 1.0) / (s * (1.0 - s)) ** 2
        x = np.where(
            lo_inf & hi_inf,
            both,
            np.where(
                lo_inf,
                finite_b - ratio,
                np.where(hi_inf, finite_a + ratio, finite_a + (finite_b - finite_a) * s),
            ),
        )
        jac = np.where(
            lo_inf & hi_inf, jac_both, np.where(lo_inf | hi_inf, jac_half, finite_b - finite_a)
        )
        weight = distribution.pdf(x) * jac
        weight = np.where(np.isfinite(weight), weight, 0.0)
        offset = x - reference
        return np.concatenate([offset * weight, offset * offset * weight])

    values, _ = integrate.quad_vec(integrand, 0.0, 1.0, epsabs=0.0, epsrel=1e-12, limit=2000)
    first, second = values[: a.size], values[a.size :]
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(p > 0, first / np.where(p > 0, p, 1.0), 0.0)
    centre = np.where(
        p > 0,
        reference + shift,
        0.5 * (np.where(lo_inf, finite_b, finite_a) + np.where(hi_inf, finite_a, finite_b)),
    )
    spread = np.maximum(second - shift * first, 0.0)
    shape = lower.shape
    return p.reshape(shape), centre.reshape(shape), spread.reshape(shape)
