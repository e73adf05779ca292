"""Input checks shared by the public API.

Every check raises :class:`ValueError` naming the parameter and its valid
range, so that bad input never turns into a silent clip, a NaN or a solver
traceback.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Absolute tolerance on ``sum(pmf) - 1`` accepted by :func:`check_pmf`.
PMF_SUM_TOLERANCE = 1e-9


def check_probability(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it lies in [0, 1]."""
    value = check_finite_scalar(value, name)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1]; got {value!r}")
    return value


def check_finite_scalar(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite real number."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number; got {value!r}") from None
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return out


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    out = check_finite_scalar(value, name)
    if out <= 0.0:
        raise ValueError(f"{name} must be > 0; got {value!r}")
    return out


def check_nonnegative_array(values: ArrayLike, name: str, *, allow_inf: bool) -> NDArray:
    """Return ``values`` as a float array after checking every entry is >= 0.

    ``allow_inf`` admits ``+inf`` (used for an absent perception constraint).
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be real numbers; got {values!r}") from None
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite, in [0, inf); got {values!r}")
    if (arr < 0).any():
        bound = "[0, inf]" if allow_inf else "[0, inf)"
        raise ValueError(f"{name} must be non-negative, in {bound}; got {values!r}")
    return arr


def check_pmf(pmf: ArrayLike, name: str = "pmf") -> NDArray:
    """Return a probability vector after checking shape, sign and normalisation.

    The entries must be finite and non-negative and sum to one within
    :data:`PMF_SUM_TOLERANCE`; the returned vector is renormalised exactly.
    """
    try:
        arr = np.asarray(pmf, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 1-D array of probabilities; got {pmf!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must have finite entries")
    if (arr < 0).any():
        raise ValueError(f"{name} entries must be non-negative, in [0, 1]; got min {arr.min()!r}")
    total = float(arr.sum())
    if abs(total - 1.0) > PMF_SUM_TOLERANCE:
        raise ValueError(
            f"{name} must sum to 1 (tolerance {PMF_SUM_TOLERANCE:g}); got sum {total!r}"
        )
    return arr / total


def check_matrix(matrix: ArrayLike, name: str, shape: tuple[int | None, int | None]) -> NDArray:
    """Return a finite non-negative 2-D float matrix of the given shape.

    ``None`` in ``shape`` leaves that dimension free.
    """
    try:
        arr = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 2-D array of real numbers") from None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix; got {arr.ndim} dimension(s)")
    for axis, (want, got) in enumerate(zip(shape, arr.shape, strict=True)):
        if want is not None and want != got:
            expected = "x".join("?" if s is None else str(s) for s in shape)
            raise ValueError(
                f"{name} must have shape {expected}; got {arr.shape[0]}x{arr.shape[1]} "
                f"(axis {axis} has {got}, expected {want})"
            )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must have finite entries")
    if (arr < 0).any():
        raise ValueError(f"{name} entries must be non-negative; got min {arr.min()!r}")
    return arr


def check_choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value
