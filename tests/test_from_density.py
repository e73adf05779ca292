"""Discrete.from_density: a density on a box of R^d discretised by cell integration."""

import numpy as np
import pytest
from scipy import stats

from rdp import Discrete, GaussianVector


def _gaussian_2d(var0: float, var1: float):
    return lambda x: np.exp(-0.5 * (x[:, 0] ** 2 / var0 + x[:, 1] ** 2 / var1))


def _interior(src: Discrete, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    inner = tuple(slice(1, -1) for _ in shape)
    pmf = src.pmf.reshape(shape)[inner]
    pts = src.alphabet.reshape((*shape, -1))[inner]
    return pmf, pts


@pytest.mark.parametrize("var0, var1, close", [(1.0, 0.25, True), (1.1, 0.25, False)])
def test_gaussian_density_matches_exact_gaussian_cells(var0, var1, close):
    """N(0, diag(1, 1/4)) on the box [-4σ, 4σ]²: the inner cells' masses (times the box's
    exact mass, a product of normal CDF differences) and centroids equal those of
    GaussianVector.discretize, computed from exact CDFs and conditional means; twin: the
    density of N(0, diag(1.1, 1/4)) does not."""
    k, n = 4.0, 8
    src = Discrete.from_density(_gaussian_2d(var0, var1), [(-k, k), (-k / 2, k / 2)], n)
    ref = GaussianVector(np.diag([1.0, 0.25])).discretize(n, span=k)
    box = (stats.norm.cdf(k) - stats.norm.cdf(-k)) ** 2
    pmf, pts = _interior(src, (n, n))
    pmf_ref, pts_ref = _interior(ref, (n, n))
    error = max(np.abs(pmf * box - pmf_ref).max(), np.abs(pts - pts_ref).max())
    assert (error < 1e-12) == close, error
    if not close:
        assert error > 1e-3


@pytest.mark.parametrize("scale, close", [(1.0, True), (1.3, False)])
def test_one_dimensional_density_matches_from_scipy(scale, close):
    """A Laplace density on [-6, 6] (d = 1): inner cells against Discrete.from_scipy's
    exact CDF differences and conditional means (scipy's expect); twin: scale 1.3."""
    n, lo, hi = 12, -6.0, 6.0
    src = Discrete.from_density(lambda x: np.exp(-np.abs(x) / scale), (lo, hi), n, nodes=16)
    ref = Discrete.from_scipy(stats.laplace(), n, lower=lo, upper=hi)
    inside = stats.laplace.cdf(hi) - stats.laplace.cdf(lo)
    assert src.alphabet.ndim == 1
    mass_err = np.abs(src.pmf[1:-1] * inside - ref.pmf[1:-1]).max()
    mean_err = np.abs(src.alphabet[1:-1] - ref.alphabet[1:-1]).max()
    assert (max(mass_err, mean_err) < 1e-8) == close, (mass_err, mean_err)


def _cubic(x):
    return 2.5 + x[:, 0] ** 2 * x[:, 1] + x[:, 2] ** 2


def _cubic_cell(a, b):
    """Exact ∫ f and ∫ x f over the cell [a0, b0] × [a1, b1] × [a2, b2] (antiderivatives)."""

    def m(k, p):  # ∫_{a_k}^{b_k} t^p dt
        return (b[k] ** (p + 1) - a[k] ** (p + 1)) / (p + 1)

    vol = m(0, 0) * m(1, 0) * m(2, 0)
    mass = 2.5 * vol + m(0, 2) * m(1, 1) * m(2, 0) + m(0, 0) * m(1, 0) * m(2, 2)
    first = []
    for k in range(3):
        e = [0, 0, 0]
        e[k] = 1
        first.append(
            2.5 * m(0, e[0]) * m(1, e[1]) * m(2, e[2])
            + m(0, 2 + e[0]) * m(1, 1 + e[1]) * m(2, e[2])
            + m(0, e[0]) * m(1, e[1]) * m(2, 2 + e[2])
        )
    return mass, np.array(first)


@pytest.mark.parametrize("nodes, exact", [(2, True), (1, False)])
def test_polynomial_density_in_three_dimensions_is_integrated_exactly(nodes, exact):
    """f = 2.5 + x0² x1 + x2² on [0, 1] × [0, 2] × [-1, 1] with (2, 3, 2) cells: f and
    x f are of degree ≤ 3 per coordinate, which the 2-node Gauss–Legendre rule
    integrates exactly (reference:
    antiderivatives per cell, C order); twin: the 1-node (midpoint) rule is not."""
    box = [(0.0, 1.0), (0.0, 2.0), (-1.0, 1.0)]
    counts = (2, 3, 2)
    src = Discrete.from_density(_cubic, box, counts, nodes=nodes)
    edges = [np.linspace(lo, hi, n + 1) for (lo, hi), n in zip(box, counts, strict=True)]
    masses, points = [], []
    for i in range(2):
        for j in range(3):
            for k in range(2):
                a = (edges[0][i], edges[1][j], edges[2][k])
                b = (edges[0][i + 1], edges[1][j + 1], edges[2][k + 1])
                mass, first = _cubic_cell(a, b)
                masses.append(mass)
                points.append(first / mass)
    masses = np.array(masses)
    error = max(np.abs(src.pmf - masses / masses.sum()).max(), np.abs(src.alphabet - points).max())
    assert (error < 1e-13) == exact, error


def test_zero_mass_cells_are_dropped():
    """A density zero on half the box keeps only the other half's cells."""
    src = Discrete.from_density(lambda x: (x[:, 0] > 0).astype(float), [(-1, 1), (0, 1)], 4)
    assert src.size == 8 and (src.alphabet[:, 0] > 0).all()
    assert np.isclose(src.pmf.sum(), 1.0)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((None, [(0, 1)], 4), {}, "density must be a callable"),
        ((np.exp, [(0, 1, 2)], 4), {}, "box must be one"),
        ((np.exp, [(1, 0)], 4), {}, "finite low < high"),
        ((np.exp, [(0, 1)] * 4, 4), {}, "box must be one"),
        ((np.exp, [(0, 1), (0, 1)], (4, 4, 4)), {}, "cells must be one integer or 2"),
        ((np.exp, [(0, 1)], 1), {}, "number of cells"),
        ((np.exp, [(0, 1)], 4), {"nodes": 0}, "nodes must be an integer"),
        ((lambda x: -np.ones(len(x)), [(0, 1)], 4), {}, "finite values >= 0"),
        ((lambda x: np.ones(3), [(0, 1), (0, 1)], 4), {}, "one value per point"),
        ((lambda x: np.zeros(len(x)), [(0, 1)], 4), {}, "no mass on the box"),
        ((np.exp, [(0, 1)] * 3, 400), {}, "density evaluations"),
    ],
)
def test_bad_input_is_one_clear_error(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Discrete.from_density(*args, **kwargs)
