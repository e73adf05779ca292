"""Deprecated: use ``Problem.rd_curve`` and ``Problem.surface``.

Every name of this module warns with a ``DeprecationWarning`` naming its replacement,
then does what it did.
"""

from __future__ import annotations

from typing import Any

from rdp._deprecation import deprecated, problem_method


def __getattr__(name: str) -> Any:
    if name in ("rd_curve", "surface"):
        return problem_method(f"rdp.sweeps.{name}", name)
    if name in ("CurveResult", "SurfaceResult"):
        from rdp import result

        deprecated(f"rdp.sweeps.{name}", f"rdp.{name}")
        return getattr(result, name)
    raise AttributeError(f"module 'rdp.sweeps' has no attribute {name!r}")
