"""Hypothesis strategies shared by the test suite (after dit's ``dit/utils/testing.py``).

- :func:`pmfs`: probability vectors with every symbol of positive mass.
- :func:`finite_problems`: finite R(D, P) problems as plain data
  (:class:`FiniteSpec`: pmf, alphabets, distortion matrix, perception kind)
  that build an :class:`rdp.Problem` and feed :mod:`references`.
- :func:`gaussian_problems`: scalar Gaussian problems under MSE
  (:class:`GaussianSpec`).
- :func:`bernoulli_points`: (p, D, P) for Bernoulli / Hamming / TV.
- :data:`eigenvalues`: covariance spectra of vector Gaussian sources.

Every finite problem drawn here is feasible for every perception budget
P ≥ 0 once D is large enough, so a test never needs to return early.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import composite
from references import PERCEPTION_KINDS, distortion_matrix

from rdp import Discrete, Gaussian, Problem

#: Named distortions of a finite problem on its default alphabet {0, …, N−1}.
DISTORTION_NAMES = ("hamming", "mse", "absolute")


@composite
def pmfs(draw, min_size: int = 2, max_size: int = 8, min_weight: float = 0.05):
    """A pmf with ``min_size``–``max_size`` symbols, each of mass > 0."""
    n = draw(st.integers(min_size, max_size), label="N")
    weights = np.array(
        draw(st.lists(st.floats(min_weight, 1.0), min_size=n, max_size=n), label="weights")
    )
    return weights / weights.sum()


@dataclass(frozen=True)
class FiniteSpec:
    """A finite R(D, P) problem as arrays.

    ``x`` are the source values, ``y`` the reconstruction values, ``delta`` the
    (N, M) distortion matrix and ``distortion`` what is passed to
    :class:`rdp.Problem` (a name, or ``delta`` itself).
    """

    pmf: np.ndarray
    x: np.ndarray
    y: np.ndarray
    delta: np.ndarray
    distortion: str | np.ndarray
    kind: str

    def problem(self) -> Problem:
        if isinstance(self.distortion, str):
            return Problem(Discrete(self.pmf), self.distortion, self.kind)
        return Problem(Discrete(self.pmf), self.delta, self.kind, reconstruction_alphabet=self.y)


@composite
def finite_problems(draw, kinds=PERCEPTION_KINDS, max_size: int = 8):
    """A :class:`FiniteSpec`: a named distortion on {0, …, N−1}, or a random matrix.

    With a matrix, the reconstruction alphabet is M distinct values in
    {0, …, 9}; with a perception constraint it contains every source value
    (and perhaps others), so the law q = p_X meets every budget P ≥ 0 and
    every drawn problem is feasible for large D. (Alphabets on which no law
    meets the budget are tested deterministically.)
    """
    kind = draw(st.sampled_from(kinds), label="kind")
    pmf = draw(pmfs(max_size=max_size), label="pmf")
    n = pmf.size
    x = np.arange(n, dtype=float)
    if not draw(st.booleans(), label="matrix"):
        name = draw(st.sampled_from(DISTORTION_NAMES), label="distortion")
        return FiniteSpec(pmf, x, x, distortion_matrix(name, x, x), name, kind)
    m = draw(st.integers(2, max_size), label="M")
    values = draw(st.permutations(range(10)), label="values")
    if kind == "none":
        chosen = set(values[:m])
    else:  # keep every source value, so q = p_X meets any budget P ≥ 0
        chosen = set(range(n)) | set(values[: max(m - n, 0)])
    y = np.array(sorted(chosen), dtype=float)
    rng = np.random.default_rng(draw(st.integers(0, 2**31), label="seed"))
    delta = rng.random((n, y.size)) * 2
    return FiniteSpec(pmf, x, y, delta, delta, kind)


@dataclass(frozen=True)
class GaussianSpec:
    """N(mean, variance) under MSE with a perception kind (P in the problem's units)."""

    mean: float
    variance: float
    kind: str

    def problem(self) -> Problem:
        return Problem(Gaussian(self.mean, self.variance), "mse", self.kind)


@composite
def gaussian_problems(draw, kinds=("none", "w2", "kl-recon-source")):
    """A scalar :class:`GaussianSpec` with mean in [−3, 3] and variance in [0.2, 5]."""
    return GaussianSpec(
        draw(st.floats(-3.0, 3.0), label="mean"),
        draw(st.floats(0.2, 5.0), label="variance"),
        draw(st.sampled_from(kinds), label="kind"),
    )


@composite
def bernoulli_points(draw, max_D: float = 0.6, max_P: float = 0.6):
    """(p, D, P) with p in [0.01, 0.99], D in [0, max_D], P in [0, max_P]."""
    return (
        draw(st.floats(0.01, 0.99), label="p"),
        draw(st.floats(0.0, max_D), label="D"),
        draw(st.floats(0.0, max_P), label="P"),
    )


#: Eigenvalues of the covariance of a vector Gaussian source (1 to 4 components).
eigenvalues = st.lists(st.floats(0.1, 5.0), min_size=1, max_size=4)
