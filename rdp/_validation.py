"""Input checks shared by the public API.

Every check raises ``ValueError`` naming the parameter and its valid
range in the user's terms (plain numbers, one line), so that bad input never
turns into a silent clip, a NaN or a solver traceback. Booleans and strings
are not numbers here: ``True`` is not read as 1 and ``"0.1"`` is not read as
0.1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Absolute tolerance on ``sum(pmf) - 1`` accepted by ``check_pmf``: a pmf whose
#: entries sum to 1 within it (e.g. the hand-typed ``[0.4, 0.3, 0.2, 0.1]``, which sums
#: to ``0.9999999999999999`` in floating point) is divided by its sum, once, where it
#: enters the library; beyond it ``check_pmf`` raises ``ValueError``.
PMF_SUM_TOLERANCE = 1e-9

#: How many entries of an array a message shows before eliding the rest.
_SHOWN = 6


def plain(value: Any) -> str:
    """``value`` as the user would write it: ``-1.0``, ``[0.1, -1.0]``, ``None``, ``'a'``.

    Numpy scalars and arrays are shown as plain Python numbers and lists (never
    ``np.float64(-1.0)`` or ``array([...])``); long arrays are elided.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        if value.ndim == 0:
            return plain(value.item())
        flat = value.ravel().tolist()
        shown = ", ".join(plain(v) for v in flat[:_SHOWN])
        more = f", ... ({value.size} values)" if value.size > _SHOWN else ""
        return f"[{shown}{more}]"
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float):
        return "inf" if value == np.inf else "-inf" if value == -np.inf else repr(value)
    if isinstance(value, list | tuple) and not isinstance(value, str):
        shown = ", ".join(plain(v) for v in list(value)[:_SHOWN])
        more = f", ... ({len(value)} values)" if len(value) > _SHOWN else ""
        return f"[{shown}{more}]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _not_a_number(value: Any) -> str | None:
    """Why ``value`` (one entry) is not a real number, or None when it is one."""
    if isinstance(value, bool | np.bool_):
        return "booleans are not numbers"
    if isinstance(value, str | bytes):
        return 'strings are not numbers: write 0.5, not "0.5"'
    if isinstance(value, int | float | np.integer | np.floating):
        return None
    if value is None:
        return "None is not a number"
    if isinstance(value, dict):
        return "an object/dict is not a number"
    try:
        float(value)
    except (TypeError, ValueError):
        return f"{type(value).__name__} is not a number"
    return None


def as_real_array(values: ArrayLike, name: str, *, ndim: int | None = None) -> NDArray:
    """``values`` as a float array after checking every entry is a real number.

    Rejects booleans, strings, ``None`` and ragged nested lists with a message
    naming ``name``; ``ndim`` (when given) is the required number of dimensions.
    """
    if not isinstance(values, np.ndarray) and hasattr(values, "__array__"):
        values = np.asarray(values)  # jax/torch arrays, pandas objects ...
    if isinstance(values, np.ndarray):
        kind = values.dtype.kind
        if kind == "b":
            raise ValueError(f"{name} must be numbers; booleans are not numbers")
        if kind in "USO" and values.size:
            for item in values.ravel():
                reason = _not_a_number(item)
                if reason is not None:
                    raise ValueError(f"{name} must be numbers; got {plain(item)}; {reason}")
        if kind not in "iufUSO":
            raise ValueError(f"{name} must be real numbers; got an array of {values.dtype}")
    else:
        _check_nested(values, name)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be real numbers; got {plain(values)}") from None
    if ndim is not None and arr.ndim != ndim:
        what = {0: "a number", 1: "a 1-D list of numbers", 2: "a 2-D matrix (list of rows)"}
        raise ValueError(
            f"{name} must be {what.get(ndim, f'{ndim}-D')}; got {arr.ndim} dimension(s)"
        )
    return arr


def _check_nested(values: Any, name: str) -> None:
    if isinstance(values, Sequence) and not isinstance(values, str | bytes):
        items = list(values)
        nested = [isinstance(v, Sequence | np.ndarray) and not isinstance(v, str | bytes)
                  for v in items]  # fmt: skip
        if any(nested):
            if not all(nested):
                raise ValueError(f"{name} mixes numbers and lists; give a rectangular array")
            lengths = [len(v) for v in items]
            if len(set(lengths)) > 1:
                raise ValueError(
                    f"{name} must be rectangular (every row the same length); "
                    f"got rows of lengths {plain(lengths)}"
                )
        for item in items:
            _check_nested(item, name)
        return
    if isinstance(values, np.ndarray):
        as_real_array(values, name)
        return
    reason = _not_a_number(values)
    if reason is not None:
        raise ValueError(f"{name} must be numbers; got {plain(values)}; {reason}")


def check_probability(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it lies in [0, 1]."""
    value = check_finite_scalar(value, name)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1]; got {plain(value)}")
    return value


def check_finite_scalar(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite real number."""
    arr = np.asarray(value) if isinstance(value, np.ndarray) else None
    if arr is not None and arr.size == 1 and arr.dtype.kind in "iuf":
        value = arr.item()
    reason = _not_a_number(value)
    if reason is not None:
        raise ValueError(f"{name} must be a real number; got {plain(value)}; {reason}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number; got {plain(value)}") from None
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite; got {plain(out)}")
    return out


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    out = check_finite_scalar(value, name)
    if out <= 0.0:
        raise ValueError(f"{name} must be > 0; got {plain(out)}")
    return out


def check_nonnegative_array(values: ArrayLike, name: str, *, allow_inf: bool) -> NDArray:
    """Return ``values`` as a float array after checking every entry is >= 0.

    ``allow_inf`` admits ``+inf`` (used for an absent perception constraint).
    """
    bound = "[0, inf]" if allow_inf else "[0, inf)"
    if values is None:
        hint = " (use inf, or leave it out, for no perception bound)" if allow_inf else ""
        raise ValueError(f"{name} must be a number in {bound}; got None{hint}")
    arr = as_real_array(values, name)
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN: give numbers in {bound}")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite, in {bound}; got {plain(values)}")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative, in {bound}; got {plain(arr)}")
    return arr


def check_perception_bound(value: float, name: str = "P") -> float:
    """Return one perception bound as a float in [0, inf]."""
    arr = check_nonnegative_array(value, name, allow_inf=True)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be one number in [0, inf]; got {plain(value)}")
    return float(arr)


def check_pmf(pmf: ArrayLike, name: str = "pmf") -> NDArray:
    """Return a probability vector after checking shape, sign and normalisation.

    The entries must be finite, non-negative real numbers (not booleans or
    strings) whose sum is within ``PMF_SUM_TOLERANCE`` of 1; the returned
    vector is that vector divided by its sum (the single renormalisation of a
    pmf in the library).
    """
    arr = as_real_array(pmf, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of probabilities; got {plain(pmf)}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must have finite entries; got {plain(arr)}")
    if (arr < 0).any():
        raise ValueError(
            f"{name} entries must be non-negative, in [0, 1]; got {plain(float(arr.min()))}"
        )
    total = float(arr.sum())
    if abs(total - 1.0) > PMF_SUM_TOLERANCE:
        raise ValueError(
            f"{name} must sum to 1 (within {PMF_SUM_TOLERANCE:g}); got sum {total:.12g}; "
            "divide it by its sum if it holds weights"
        )
    return _exact_unit_sum(arr / total)


def _exact_unit_sum(pmf: NDArray) -> NDArray:
    """``pmf`` (summing to 1 within a few ulps) with its largest entry nudged so that
    ``pmf.sum()`` is exactly ``1.0`` in floating point where a few nudges reach it.

    Solvers compare laws against the source law exactly (TV or KL at P = 0); a
    source law whose sum is ``1 − 1e-16`` would otherwise differ from its own
    renormalisation.
    """
    out = pmf.copy()
    order = np.argsort(out)[::-1][:4]
    for k in order:
        for _ in range(8):
            error = 1.0 - float(out.sum())
            if error == 0.0:
                return out
            step = out[k] + error
            if step == out[k]:  # below the entry's ulp: move it by one ulp
                step = np.nextafter(out[k], np.inf if error > 0 else 0.0)
            out[k] = max(step, 0.0)
    return out if float(out.sum()) == 1.0 else pmf


def check_matrix(matrix: ArrayLike, name: str, shape: tuple[int | None, int | None]) -> NDArray:
    """Return a finite non-negative 2-D float matrix of the given shape.

    ``None`` in ``shape`` leaves that dimension free.
    """
    arr = as_real_array(matrix, name)
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
        raise ValueError(f"{name} entries must be non-negative; got min {plain(float(arr.min()))}")
    return arr


def broadcast_points(first: NDArray, second: NDArray, names: tuple[str, str]) -> list[NDArray]:
    """``np.broadcast_arrays(first, second)``, or one ``ValueError`` naming both parameters."""
    try:
        return np.broadcast_arrays(first, second)
    except ValueError:
        a, b = names
        raise ValueError(
            f"{a} (shape {np.shape(first)}) and {b} (shape {np.shape(second)}) do not broadcast: "
            f"give a scalar for either, or arrays of the same length (paired point by point)"
        ) from None


def check_choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        names = ", ".join(map(repr, choices))
        raise ValueError(f"{name} must be one of {names}; got {plain(value)}")
    return value


def check_solver_options(options: dict[str, Any]) -> None:
    """Check the values of the common solver options (``tol``, ``max_iter``, ``time_limit``,
    ``check_every``) before any method sees them; other names are left to the method."""
    if "tol" in options:
        tol = check_finite_scalar(options["tol"], "tol")
        if tol <= 0:
            raise ValueError(f"tol must be a number > 0; got {plain(tol)}")
    for name in ("max_iter", "check_every"):
        if name in options:
            value = options[name]
            if (
                _not_a_number(value) is not None
                or not float(value).is_integer()
                or float(value) < 1
            ):
                raise ValueError(f"{name} must be an integer >= 1; got {plain(value)}")
    if "time_limit" in options:
        limit = options["time_limit"]
        if _not_a_number(limit) is not None or not float(limit) > 0:
            raise ValueError(f"time_limit must be a number of seconds > 0; got {plain(limit)}")
