"""Grids of distortion and perception levels written as text: ``'0.1,0.2'``, ``'a:b:n'``, ``'inf'``.

The syntax shared by ``rdp surface`` (``--D-grid``, ``--P-grid``) and the sweep
specs of [`rdp.batch`][rdp.batch]. ``'a:b:n'`` gives ``n`` evenly spaced values,
endpoints included, computed in decimal arithmetic so that each is the float
nearest the exact decimal (``0:1:11`` holds 0.3, not 0.30000000000000004).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np

__all__ = ["check_points", "parse_grid"]


def check_points(count: int, limit: int, what: str = "points") -> None:
    """``ValueError`` when ``count`` points exceed ``limit`` (``--max-points``)."""
    if count > limit:
        raise ValueError(
            f"{count:,} {what} exceed the ceiling of {limit:,} (about {count * 64 / 1e6:.0f} MB "
            f"of results alone); use a coarser grid or raise --max-points"
        )


def parse_grid(text: str, name: str, max_points: int | None = None) -> np.ndarray:
    """Parse ``'0.1,0.2'``, ``'a:b:n'`` or ``'inf'`` into a 1-D array.

    Parameters
    ----------
    text : str
        A comma-separated list of numbers (``inf`` allowed) or ``'start:stop:count'``.
    name : str
        The parameter's name, used in the error message.
    max_points : int, optional
        Largest ``count`` accepted in ``'start:stop:count'``, checked before
        anything is allocated.

    Returns
    -------
    numpy.ndarray
        The grid values, in the order written.

    Raises
    ------
    ValueError
        One line naming ``name`` when ``text`` is not a grid, or when ``count``
        exceeds ``max_points``.

    Examples
    --------
    >>> parse_grid("0:1:11", "--D-grid")[3]
    np.float64(0.3)
    """
    text = text.strip()
    bad = ValueError(
        f"{name} must be a comma-separated list of numbers or 'start:stop:count'; got {text!r}"
    )
    if text.count(":") != 2:
        items = text.split(",")
        if len(items) > 1 and not all(item.strip() for item in items):
            raise ValueError(
                f"{name} has an empty item (two commas in a row, or one at an end); got {text!r}"
            )
        try:
            values = np.array([float(v) for v in items if v.strip()], dtype=float)
        except ValueError:
            raise bad from None
        if values.size == 0:
            raise bad
        return values
    try:
        start, stop, count = (Decimal(v.strip()) for v in text.split(":"))
    except InvalidOperation:
        raise bad from None
    if not (start.is_finite() and stop.is_finite() and count.is_finite()):
        raise bad
    if count != int(count) or count < 1:
        raise bad
    n = int(count)
    if max_points is not None:
        check_points(n, max_points, f"values in {name}")
    if n == 1:
        return np.array([float(start)])
    step = (stop - start) / (n - 1)
    return np.array([float(start + k * step) for k in range(n)])
