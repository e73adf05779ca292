"""Distortion measures Δ(x, x̂) between a source symbol and its reconstruction.

[`Hamming`][rdp.distortions.Hamming], [`SquaredError`][rdp.distortions.SquaredError] (MSE),
[`AbsoluteError`][rdp.distortions.AbsoluteError], [`Euclidean`][rdp.distortions.Euclidean]
and an explicit [`MatrixDistortion`][rdp.distortions.MatrixDistortion]. For finite alphabets
every measure gives a matrix ``Δ[i, j] = Δ(x_i, x̂_j)`` through ``matrix``.

Alphabets are real values (shape (N,)) or points of R^d (shape (N, d)). On points the
squared error is the squared Euclidean distance ‖x − x̂‖² = Σ_k (x_k − x̂_k)², summed over
the coordinates — the convention of the vector Gaussian closed form
(``rdp.closed_forms.gaussian_vector``, distortion E‖X − X̂‖²) — and
[`Euclidean`][rdp.distortions.Euclidean] is ‖x − x̂‖, which is the absolute error on the line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import check_matrix


def _points(values: ArrayLike, name: str = "alphabet") -> NDArray:
    """An alphabet as an (N, d) array of points (real values are points of R^1)."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        return arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (N,) or (N, d); got shape {arr.shape}")
    return arr


def _same_space(x: NDArray, y: NDArray) -> tuple[NDArray, NDArray]:
    """Both alphabets as points of one R^d, or ValueError naming the two dimensions."""
    a, b = _points(x, "source alphabet"), _points(y, "reconstruction alphabet")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"the source alphabet has points in R^{a.shape[1]} and the reconstruction alphabet "
            f"in R^{b.shape[1]}: give reconstruction points of the same dimension"
        )
    return a, b


def squared_distances(x: ArrayLike, y: ArrayLike) -> NDArray:
    """The matrix of squared Euclidean distances ‖x_i − y_j‖² between two alphabets.

    Parameters
    ----------
    x, y : array_like, shape (N,) or (N, d), and (M,) or (M, d)
        Real values or points of one R^d.

    Returns
    -------
    ndarray, shape (N, M)
        Σ_k (x_ik − y_jk)², summed coordinate by coordinate (no cancellation, never
        negative, unlike ‖x‖² + ‖y‖² − 2⟨x, y⟩).
    """
    a, b = _same_space(x, y)
    out = np.square(a[:, 0][:, None] - b[:, 0][None, :])
    for k in range(1, a.shape[1]):
        out += np.square(a[:, k][:, None] - b[:, k][None, :])
    return out


@dataclass(frozen=True)
class Hamming:
    """Hamming distortion Δ(x, x̂) = 1[x ≠ x̂] (probability of symbol error)."""

    name = "hamming"
    label = "Hamming distortion"

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Δ[i, j] = 1 if the values (points: any coordinate) differ, else 0."""
        x, y = _same_space(source_alphabet, reconstruction_alphabet)
        out = x[:, 0][:, None] != y[:, 0][None, :]
        for k in range(1, x.shape[1]):
            out |= x[:, k][:, None] != y[:, k][None, :]
        return out.astype(float)


@dataclass(frozen=True)
class SquaredError:
    """Squared error Δ(x, x̂) = (x − x̂)², whose expectation is the MSE.

    On points of R^d it is the squared Euclidean distance ‖x − x̂‖², summed over the
    coordinates (not averaged), as in the vector Gaussian closed form.
    """

    name = "mse"
    label = "MSE"

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Δ[i, j] = (x_i − x̂_j)², or ‖x_i − x̂_j‖² on points."""
        return squared_distances(source_alphabet, reconstruction_alphabet)


@dataclass(frozen=True)
class AbsoluteError:
    """Absolute error Δ(x, x̂) = |x − x̂|."""

    name = "absolute"
    label = "absolute error"

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Δ[i, j] = |x_i − x̂_j| (real values; on points use ``Euclidean``)."""
        x = np.asarray(source_alphabet, dtype=float)
        y = np.asarray(reconstruction_alphabet, dtype=float)
        if x.ndim != 1 or y.ndim != 1:
            raise ValueError(
                "distortion 'absolute' is for real-valued alphabets; on points of R^d use "
                "'euclidean' (‖x − x̂‖) or 'mse' (‖x − x̂‖²)"
            )
        return np.abs(x[:, None] - y[None, :])


@dataclass(frozen=True)
class Euclidean:
    """Euclidean distance Δ(x, x̂) = ‖x − x̂‖ (the absolute error on the line)."""

    name = "euclidean"
    label = "Euclidean distance"

    def matrix(self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike) -> NDArray:
        """Δ[i, j] = ‖x_i − x̂_j‖."""
        return np.sqrt(squared_distances(source_alphabet, reconstruction_alphabet))


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


Distortion = Hamming | SquaredError | AbsoluteError | Euclidean | MatrixDistortion

#: Names accepted by ``distortion_from_name`` and the command line.
DISTORTION_NAMES = {
    "hamming": Hamming,
    "mse": SquaredError,
    "absolute": AbsoluteError,
    "euclidean": Euclidean,
}


def distortion_from_name(name: str | ArrayLike | Distortion) -> Distortion:
    """Build a distortion from a name ('hamming', 'mse', 'absolute', 'euclidean'), a matrix or
    an instance."""
    if isinstance(name, Hamming | SquaredError | AbsoluteError | Euclidean | MatrixDistortion):
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
