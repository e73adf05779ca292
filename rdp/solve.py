"""Deprecated: the ``Problem`` methods are the API (``problem.rate(D, P)``, ...).

Every name of this module warns with a ``DeprecationWarning`` naming its replacement,
then does what it did.
"""

from __future__ import annotations

from typing import Any

from rdp._deprecation import deprecated, problem_method

#: Old function → (its replacement, the ``Problem`` method it calls).
_MOVED = {
    "solve_rate": "rate",
    "solve_distortion": "distortion",
    "solve_curve": "rd_curve",
    "solve_grid": "surface",
    "get_method": "method",
    "bound": "bound",
    "min_distortion": "min_distortion",
    "zero_rate_distortion": "zero_rate_distortion",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return problem_method(f"rdp.solve.{name}", _MOVED[name])
    if name.startswith("__"):
        raise AttributeError(name)
    from rdp import _solving

    if not hasattr(_solving, name):
        raise AttributeError(f"module 'rdp.solve' has no attribute {name!r}")
    deprecated(f"rdp.solve.{name}", "the Problem methods (rate, distortion, rd_curve, surface)")
    return getattr(_solving, name)
