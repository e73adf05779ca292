r"""Cell masses and centroids of a density on a box, by Gauss–Legendre cell integration.

The box $\prod_k [a_k, b_k]$ is cut into ``cells[k]`` equal intervals per coordinate;
on each cell C the mass $\int_C f$ and the first moments $\int_C x f$ are integrated
with the tensor-product Gauss–Legendre rule of ``nodes`` points per coordinate
(exact when f restricted to the cell is a polynomial of degree ≤ 2·nodes − 1 in each
coordinate; for smooth f the error falls like the cell width to the power 2·nodes).
[`Discrete.from_density`][rdp.sources.Discrete.from_density] is the public entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Largest number of density evaluations (cells × nodes per cell) in one call.
MAX_EVALUATIONS = 50_000_000


def check_box(box: ArrayLike) -> NDArray:
    """``box`` as a (d, 2) array of finite (low, high) with low < high; ValueError else."""
    try:
        arr = np.asarray(box, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.shape == (2,):
        arr = arr[None, :]
    if arr is None or arr.ndim != 2 or arr.shape[1] != 2 or not 1 <= arr.shape[0] <= 3:
        raise ValueError(
            "box must be one (low, high) pair per coordinate, for d = 1, 2 or 3 "
            f"coordinates; got {box!r}"
        )
    if not (np.isfinite(arr).all() and (arr[:, 0] < arr[:, 1]).all()):
        raise ValueError(f"box must have finite low < high on every coordinate; got {box!r}")
    return arr


def cell_moments(
    density: Callable[[NDArray], ArrayLike], box: NDArray, counts: Sequence[int], nodes: int
) -> tuple[NDArray, NDArray]:
    """Masses (C,) and first moments (C, d) of the cells, in C order over the axes."""
    d = box.shape[0]
    t, w = np.polynomial.legendre.leggauss(nodes)
    axes_x, axes_w = [], []
    for (a, b), n in zip(box, counts, strict=True):
        edges = np.linspace(a, b, n + 1)
        half = 0.5 * np.diff(edges)
        mid = 0.5 * (edges[:-1] + edges[1:])
        axes_x.append(mid[:, None] + half[:, None] * t[None, :])  # (n, nodes)
        axes_w.append(half[:, None] * w[None, :])
    # every (cell, node) point, on an array of shape (n0, q, n1, q, ...)
    full = tuple(x for n in counts for x in (n, nodes))
    grids = [g.reshape(full) for g in np.meshgrid(*[x.ravel() for x in axes_x], indexing="ij")]
    weights = np.ones(())
    for k, aw in enumerate(axes_w):
        shape = [1] * (2 * d)
        shape[2 * k], shape[2 * k + 1] = aw.shape
        weights = weights * aw.reshape(shape)
    points = np.stack([g.ravel() for g in grids], axis=1)
    values = np.asarray(density(points if d > 1 else points[:, 0]), dtype=float)
    if values.shape != (points.shape[0],):
        raise ValueError(
            f"density must return one value per point: an array of shape ({points.shape[0]},) "
            f"for an input of shape {points.shape if d > 1 else (points.shape[0],)}; got shape "
            f"{values.shape}"
        )
    if not (np.isfinite(values).all() and values.min() >= 0):
        raise ValueError("density must return finite values >= 0 on the box")
    fw = values.reshape(full) * weights
    node_axes = tuple(range(1, 2 * d, 2))
    mass = fw.sum(axis=node_axes).ravel()
    first = np.stack([(fw * g).sum(axis=node_axes).ravel() for g in grids], axis=1)
    return mass, first
