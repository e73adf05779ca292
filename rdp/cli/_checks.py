"""Checks the commands run before any work: output paths, grid sizes and problem sizes.

Ceilings (each overridable on the command line):

- ``--max-points`` (default ``MAX_POINTS``, checked by
  ``rdp.grids.check_points``): the number of (D, P) or
  (R, P) points one command solves;
- ``--max-memory`` GB (default ``MAX_MEMORY_GB``): the memory a finite
  solver is estimated to need for an N × M problem (``estimate_bytes``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rdp.grids import check_points as check_points

#: Default ceiling on the number of points one command solves.
MAX_POINTS = 100_000
#: Default ceiling on the estimated memory of one solve, in GB.
MAX_MEMORY_GB = 2.0

#: Float64 arrays of size N·M the fast solver holds at once (kernel, shifted distortions,
#: joint, repaired joint, transport plans ...), measured on MSE/W₁ problems.
FAST_ARRAYS = 16
#: Bytes per entry of J (and of the coupling π for Wasserstein) that cvxpy, its
#: canonicalisation and Clarabel/SCS hold (order of magnitude).
CVXPY_BYTES_PER_ENTRY = 2_000


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
        default=MAX_MEMORY_GB,
        metavar="GB",
        help=f"refuse a problem whose solver needs more than about GB gigabytes "
        f"(default {MAX_MEMORY_GB:g})",
    )


def estimate_bytes(problem, method: str) -> int:
    """Estimated peak memory (bytes) of one finite solve of ``problem``; 0 for closed forms."""
    from rdp.perceptions import Wasserstein
    from rdp.sources import Bernoulli, Discrete

    if not isinstance(problem.source, Bernoulli | Discrete):
        return 0
    n = problem.source.to_discrete().size
    m = int(np.size(problem.reconstruction_alphabet))
    entries = n * m
    if method == "cvxpy":
        couplings = 2 if isinstance(problem.perception_measure, Wasserstein) else 1
        return CVXPY_BYTES_PER_ENTRY * entries * couplings
    if method == "closed-form" or n <= 2:
        return 0
    return FAST_ARRAYS * 8 * entries


def check_memory(problem, method: str, limit_gb: float) -> None:
    """``ValueError`` when the estimated memory of ``problem`` exceeds ``limit_gb`` gigabytes."""
    if not limit_gb > 0:
        raise ValueError(f"--max-memory must be > 0 (GB); got {limit_gb:g}")
    need = estimate_bytes(problem, method)
    if need > limit_gb * 1e9:
        n = problem.source.to_discrete().size
        m = int(np.size(problem.reconstruction_alphabet))
        raise ValueError(
            f"a {n} x {m} problem needs about {need / 1e9:.1f} GB with method "
            f"{method!r}, above the ceiling of {limit_gb:g} GB; raise --max-memory to run it"
        )


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
    """Add ``--tol`` (when ``tol``) and ``--max-iter``, options of the fast solver."""
    if tol:
        group.add_argument("--tol", type=float, default=None, help="certified gap in bits (fast)")
    group.add_argument(
        "--max-iter", type=int, default=None, metavar="N", help="iteration limit per point (fast)"
    )


def solver_options(args: argparse.Namespace) -> dict[str, float]:
    """The solver options given on the command line (none: the method's defaults)."""
    options: dict[str, float] = {}
    if getattr(args, "tol", None) is not None:
        options["tol"] = args.tol
    if args.max_iter is not None:
        options["max_iter"] = args.max_iter
    return options
