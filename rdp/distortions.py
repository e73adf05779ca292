"""Distortion measures Δ(x, x̂) between a source symbol and its reconstruction.

[`Hamming`][rdp.distortions.Hamming], [`SquaredError`][rdp.distortions.SquaredError] (MSE),
[`AbsoluteError`][rdp.distortions.AbsoluteError] and an
explicit [`MatrixDistortion`][rdp.distortions.MatrixDistortion]. For finite alphabets every measure
gives a
matrix ``Δ[i, j] = Δ(x_i, x̂_j)`` through ``matrix``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import check_matrix


@dataclass(frozen=True)
class Hamming:
    """Hamming distortion Δ(x, x̂) = 1[x ≠ x̂] (probability of symbol error)."""

    name = "hamming"
    label = "Hamming distortion"

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Δ[i, j] = 1 if the values differ, else 0."""
        x = np.asarray(source_alphabet, dtype=float)[:, None]
        y = np.asarray(reconstruction_alphabet, dtype=float)[None, :]
        return (x != y).astype(float)


@dataclass(frozen=True)
class SquaredError:
    """Squared error Δ(x, x̂) = (x − x̂)², whose expectation is the MSE."""

    name = "mse"
    label = "MSE"

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Δ[i, j] = (x_i − x̂_j)²."""
        x = np.asarray(source_alphabet, dtype=float)[:, None]
        y = np.asarray(reconstruction_alphabet, dtype=float)[None, :]
        return (x - y) ** 2


@dataclass(frozen=True)
class AbsoluteError:
    """Absolute error Δ(x, x̂) = |x − x̂|."""

    name = "absolute"
    label = "absolute error"

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Δ[i, j] = |x_i − x̂_j|."""
        x = np.asarray(source_alphabet, dtype=float)[:, None]
        y = np.asarray(reconstruction_alphabet, dtype=float)[None, :]
        return np.abs(x - y)


@dataclass(frozen=True, eq=False)
class MatrixDistortion:
    """An explicit non-negative distortion matrix Δ of shape (N, M).

    Parameters
    ----------
    values : array_like, shape (N, M)
        ``values[i, j]`` is the distortion of reconstructing source symbol i
        as reconstruction symbol j. Its shape fixes the alphabet sizes.
    """

    values: NDArray
    name = "matrix"
    label = "distortion"

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", check_matrix(self.values, "distortion", (None, None)))

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Return the stored matrix after checking it matches the alphabet sizes."""
        n, m = len(np.asarray(source_alphabet)), len(np.asarray(reconstruction_alphabet))
        return check_matrix(self.values, "distortion", (n, m))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MatrixDistortion) and np.array_equal(self.values, other.values)

    def __hash__(self) -> int:
        return hash(self.values.tobytes())


Distortion = Hamming | SquaredError | AbsoluteError | MatrixDistortion

#: Names accepted by ``distortion_from_name`` and the command line.
DISTORTION_NAMES = {"hamming": Hamming, "mse": SquaredError, "absolute": AbsoluteError}


def distortion_from_name(name: str | ArrayLike | Distortion) -> Distortion:
    """Build a distortion from a name ('hamming', 'mse', 'absolute'), a matrix or an instance."""
    if isinstance(name, Hamming | SquaredError | AbsoluteError | MatrixDistortion):
        return name
    if isinstance(name, str):
        key = name.lower()
        if key not in DISTORTION_NAMES:
            raise ValueError(
                f"distortion must be one of {', '.join(map(repr, DISTORTION_NAMES))} "
                f"or a matrix; got {name!r}"
            )
        return DISTORTION_NAMES[key]()
    return MatrixDistortion(name)
