"""Checks the commands run before any work: output paths, grid sizes and problem sizes.

Ceilings (each overridable on the command line):

- ``--max-points`` (default ``MAX_POINTS``, checked by
  ``rdp.grids.check_points``): the number of (D, P) or
  (R, P) points one command solves;
- ``--max-memory`` GB (default ``RDP_MAX_MEMORY``, else ``MAX_MEMORY_GB``): the memory
  a finite solver is estimated to need for an N × M problem
  ([`rdp.solvers.memory.estimate_bytes`][rdp.solvers.memory.estimate_bytes], the
  estimate the methods check when they are built).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rdp.grids import check_points as check_points
from rdp.solvers.memory import DEFAULT_MAX_MEMORY_GB, ENV_VAR, FAST_ARRAYS, estimate_bytes

__all__ = ["FAST_ARRAYS", "estimate_bytes"]

#: Default ceiling on the number of points one command solves.
MAX_POINTS = 100_000
#: Default ceiling on the estimated memory of one solve, in GB (``RDP_MAX_MEMORY`` overrides it).
MAX_MEMORY_GB = DEFAULT_MAX_MEMORY_GB


def _at_least_one(text: str) -> int:
    """An integer ≥ 1 (argparse type: anything else is a usage error, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer ≥ 1; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer ≥ 1; got {value}")
    return value


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--max-points`` and ``--max-memory`` to a command."""
    group = parser.add_argument_group("limits")
    group.add_argument(
        "--max-points",
        type=_at_least_one,
        default=MAX_POINTS,
        metavar="N",
        help=f"refuse to solve more than N points (default {MAX_POINTS:,})",
    )
    group.add_argument(
        "--max-memory",
        type=float,
        default=None,
        metavar="GB",
        help="refuse a problem whose solver needs more than about GB gigabytes "
        f"(default: ${ENV_VAR}, else {MAX_MEMORY_GB:g})",
    )


def check_memory(problem, method: str, limit_gb: float | None) -> None:
    """``ValueError`` when the estimated memory of ``problem`` exceeds ``limit_gb`` gigabytes.

    The estimate is the one every method checks when it is built
    ([`rdp.solvers.memory`][rdp.solvers.memory]); a ``--max-memory`` that passes is
    handed on to them through ``RDP_MAX_MEMORY``. ``None``: the environment's ceiling.
    """
    from rdp.solvers.memory import check_memory as check

    if limit_gb is not None and not limit_gb > 0:
        raise ValueError(f"--max-memory must be > 0 (GB); got {limit_gb:g}")
    check(problem, method, limit_gb, raise_with="--max-memory")
    if limit_gb is not None:
        os.environ[ENV_VAR] = repr(float(limit_gb))


def prepare_output(path: str, suffixes: tuple[str, ...] | None = None, name: str = "--out") -> Path:
    """Check (before any work) that the file ``path`` can be written: suffix, folder, probe.

    Missing parent folders are created and a probe file is created and removed
    (see [`rdp._paths.check_file`][rdp._paths.check_file]); ``ValueError`` when
    any of it fails (``/proc/x.csv``, a read-only folder ...).
    """
    from rdp._paths import check_file

    out = Path(path)
    if suffixes is not None and out.suffix.lower() not in suffixes:
        raise ValueError(f"{name} must end in {' or '.join(suffixes)}; got {path!r}")
    return check_file(out, name)


def prepare_folder(path: str, name: str = "--out") -> Path:
    """Check (before any work) that files can be written in the folder ``path`` (created)."""
    from rdp._paths import check_folder

    return check_folder(path, name)


def add_solver_arguments(group, *, tol: bool = True) -> None:
    """Add ``--tol`` (when ``tol``), ``--max-iter`` and ``--time-limit`` (the fast solver's)."""
    if tol:
        group.add_argument("--tol", type=float, default=None, help="certified gap in bits (fast)")
    group.add_argument(
        "--max-iter", type=int, default=None, metavar="N", help="iteration limit per point (fast)"
    )
    group.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help="seconds per point (fast; default 120): then status time_limit with its bounds",
    )


def solver_options(args: argparse.Namespace) -> dict[str, float]:
    """The solver options given on the command line (none: the method's defaults)."""
    options: dict[str, float] = {}
    if getattr(args, "tol", None) is not None:
        options["tol"] = args.tol
    if args.max_iter is not None:
        options["max_iter"] = args.max_iter
    if getattr(args, "time_limit", None) is not None:
        options["time_limit"] = args.time_limit
    return options
