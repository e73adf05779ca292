"""Numerical solvers of R(D, P) for finite alphabets.

- ``method="fast"`` (:mod:`rdp.solvers.fast`, the default for finite problems
  without a closed form): a Blahut–Arimoto-type algorithm with a mirror step on
  the reconstruction law inside the perception ball, returning certified
  lower and upper bounds.
- ``method="cvxpy"`` (:mod:`rdp.solvers.convex`): the exact convex program,
  solved with Clarabel (then SCS) — the reference for small alphabets.

Conventions for laws on different alphabets are in :mod:`rdp.solvers.finite`.
"""

from rdp.methods import register_method
from rdp.solvers.convex import ConvexProgram, SolverFailure, convex_program
from rdp.solvers.fast import FastSolver, fast_solver

register_method("fast", fast_solver, auto_priority=1)
register_method("cvxpy", convex_program)

__all__ = ["ConvexProgram", "FastSolver", "SolverFailure"]
