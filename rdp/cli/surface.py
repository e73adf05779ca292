"""``rdp surface``: R(D, P) over a grid of distortions and perception levels."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from rdp.cli._checks import (
    add_limit_arguments,
    add_solver_arguments,
    check_memory,
    check_points,
    prepare_output,
    solver_options,
)
from rdp.cli._json import add_json_arguments, dumps, wants_json
from rdp.exceptions import SweepInterrupted, statuses, uncertified, uncertified_message
from rdp.grids import parse_grid
from rdp.status import EXIT_UNCERTIFIED, exit_code

EPILOG = """\
examples:
  rdp surface problem.json --D-grid 0:0.5:11 --P-grid 0,0.05,0.1
  rdp surface problem.json --D-grid 0.05,0.1,0.2 --P-grid 0.02 --json
  rdp surface problem.json --D-grid 0:0.6:32 --P-grid 0:0.3:32 --out surface.csv
  rdp surface problem.json --D-grid 0:0.6:64 --P-grid 0:0.3:64 --workers 4 --out s.csv

A grid is a comma-separated list (0.1,0.2,0.5), 'start:stop:count' (count
evenly spaced values, endpoints included), or 'inf' for no perception bound.
problem.json follows rdp.problem_file, e.g.
  {"source": {"pmf": [0.5, 0.3, 0.2]}, "distortion": "hamming", "perception": "tv"}
Output: one row per (P, D) cell with rate, certified lower/upper bounds,
feasible (False below D_min(P)), D_min(P) and the solver status. Grid values are
exact decimals (0:1:11 gives 0.3, not 0.30000000000000004).

The output path is checked (and its folder created) before any work. Cells
without a certified value are marked UNCONVERGED (status iteration_limit,
time_limit, ...): stderr says how many and the exit status is 3. With --out
the command says what it wrote; a write that fails at the end puts the table
in a temporary file that the error line names (exit 2). Ctrl-C writes the
finished cells to FILE.partial.csv (or .partial.json), or without --out to
surface.partial.csv (surface.partial.json with --json) in the current folder,
and exits with 130.

--json writes an infinite rate (D below D_min(P), or a continuous source at
D = 0) as Infinity, as Python's json reads it; --json-strict writes null there
(strict JSON), with the cell's status and feasible flag next to it.

--workers N solves the P rows in N processes (rows w, w+N, w+2N, ... in
process w, each in snake order); each cell is certified on its own, so the
values agree with --workers 1 within --tol, not bit for bit.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``surface`` subcommand."""
    parser = subparsers.add_parser(
        "surface",
        help="R(D,P) on a grid of D and P for a problem file",
        description="Compute R(D, P) with certified bounds on a (D, P) grid.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("problem", help="problem file (JSON, see rdp.problem_file)")
    parser.add_argument("--D-grid", required=True, help="distortion grid (list or a:b:n)")
    parser.add_argument("--P-grid", required=True, help="perception grid (list or a:b:n)")
    parser.add_argument("--method", default=None, help="auto, fast, cvxpy (default: file/auto)")
    add_solver_arguments(parser)
    parser.add_argument("--out", default=None, help="write the table to FILE.csv or FILE.json")
    add_json_arguments(parser)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes that solve the P rows (default 1: this process)",
    )
    add_limit_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Solve the grid and print or write the table."""
    from rdp._parallel import check_workers
    from rdp.problem_file import load_problem

    workers = check_workers(args.workers, "--workers")
    out = prepare_output(args.out, (".csv", ".json")) if args.out else None
    spec = load_problem(args.problem)
    D = parse_grid(args.D_grid, "--D-grid", args.max_points)
    P = parse_grid(args.P_grid, "--P-grid", args.max_points)
    check_points(D.size * P.size, args.max_points, "grid cells")
    method = args.method or spec.method
    check_memory(spec.problem, method, args.max_memory)
    try:
        result = spec.problem.surface(
            D,
            P,
            method=method,
            units=spec.units,
            progress=False if args.no_progress else None,
            workers=workers,
            **solver_options(args),
        )
    except SweepInterrupted as interrupt:
        partial = interrupt.partial
        done = partial.status != "not_computed"
        target = _partial_path(out, wants_json(args))
        target = _write_kept(partial, target, args.json_strict, keep=done)
        sys.stderr.write(
            f"rdp surface: interrupted after {int(done.sum())} of {done.size} cells; "
            f"the finished ones are in {target}\n"
        )
        return 130
    if out is not None:
        _write_kept(result, out, args.json_strict)
        note = (
            f"wrote {result.P.size * result.D.size} cells ({result.P.size} P x "
            f"{result.D.size} D, rates in {result.units}) to {out}"
        )
        if wants_json(args):
            sys.stderr.write(f"rdp surface: {note}\n")
        else:
            sys.stdout.write(note + "\n")
    bad = uncertified(result)
    if wants_json(args):
        sys.stdout.write(dumps(result.to_dict(), args.json_strict) + "\n")
    elif not args.out:
        sys.stdout.write(f"method: {result.method}; rates in {result.units}\n")
        sys.stdout.write(f"{'P':>10} {'D':>10} {'rate':>12} {'gap':>9} {'D_min(P)':>10}  status\n")
        for row, unsure in zip(result.rows(), bad.ravel(), strict=True):
            gap = row["upper"] - row["lower"] if row["feasible"] else float("nan")
            mark = "  UNCERTIFIED" if unsure else ""
            sys.stdout.write(
                f"{row['P']:>10.4g} {row['D']:>10.4g} {row['rate']:>12.8f} {gap:>9.1e} "
                f"{row['min_distortion']:>10.4g}  {row['status']}{mark}\n"
            )
    count = int(bad.sum())
    if count:
        line = uncertified_message(count, bad.size, statuses(result)[bad].tolist())
        sys.stderr.write(
            f"rdp surface: {line}; marked UNCERTIFIED (exit status {EXIT_UNCERTIFIED})\n"
        )
    return exit_code(~bad)


def _partial_path(out: Path | None, as_json: bool) -> Path:
    """Where Ctrl-C puts the finished cells: FILE.partial.EXT, or surface.partial.csv/.json."""
    if out is None:
        return Path("surface.partial.json" if as_json else "surface.partial.csv")
    return out.with_name(f"{out.stem}.partial{out.suffix}")


def _write_kept(result, path: Path, strict_json: bool, keep: np.ndarray | None = None) -> Path:
    """Write the table to ``path``, or (that failing) to a fallback file a ValueError names."""
    from rdp._paths import write_or_fallback

    return write_or_fallback(
        path, lambda target: _write(result, target, strict_json, keep), prefix="rdp-surface"
    )


def _write(result, path: Path, strict_json: bool = False, keep: np.ndarray | None = None) -> None:
    """Write the table as CSV (one row per cell) or JSON; ``keep``: the cells to write."""
    if path.suffix.lower() == ".json":
        data = result.to_dict()
        if keep is not None:
            data["partial"] = True
        path.write_text(dumps(data, strict_json, indent=1))
        return
    rows = result.rows()
    if keep is not None:
        rows = [row for row, ok in zip(rows, keep.ravel(), strict=True) if ok]
    fields = list(result.rows()[0]) if result.D.size and result.P.size else []
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
