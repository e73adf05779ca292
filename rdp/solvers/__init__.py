"""Numerical solvers of R(D, P) for finite alphabets.

- ``method="fast"`` (``rdp.solvers.fast``, the default for finite problems
  without a closed form): a Blahut–Arimoto-type algorithm with a mirror step on
  the reconstruction law inside the perception ball, returning certified
  lower and upper bounds.
- ``method="cvxpy"`` (``rdp.solvers.convex``): the exact convex program,
  solved with Clarabel (then SCS) — the reference for small alphabets.

Both certify with ``rdp.solvers.certificate``: the same feasibility check and repair
of a channel (the upper bound) and the same Lagrangian dual bound (the lower bound),
so neither takes an algorithm's or a solver's word.

Both are registered by dotted path in [`rdp.methods`][rdp.methods], so neither module
(nor POT or cvxpy) is imported before a solver is used. Conventions for laws
on different alphabets are in ``rdp.solvers.finite``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConvexProgram", "FastSolver", "SolverFailure"]

_LAZY = {
    "ConvexProgram": "rdp.solvers.convex",
    "SolverFailure": "rdp.solvers.convex",
    "FastSolver": "rdp.solvers.fast",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rdp.solvers' has no attribute {name!r}")
