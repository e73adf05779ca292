"""``rdp surface``: R(D, P) over a grid of distortions and perception levels."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

EPILOG = """\
examples:
  rdp surface problem.json --D-grid 0:0.5:11 --P-grid 0,0.05,0.1
  rdp surface problem.json --D-grid 0.05,0.1,0.2 --P-grid 0.02 --json
  rdp surface problem.json --D-grid 0:0.6:32 --P-grid 0:0.3:32 --out surface.csv

A grid is a comma-separated list (0.1,0.2,0.5), 'start:stop:count' (count
evenly spaced values, endpoints included), or 'inf' for no perception bound.
problem.json follows rdp.problem_file, e.g.
  {"source": {"pmf": [0.5, 0.3, 0.2]}, "distortion": "hamming", "perception": "tv"}
Output: one row per (P, D) cell with rate, certified lower/upper bounds,
feasible (False below D_min(P)), D_min(P) and the solver status.
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
    parser.add_argument("--tol", type=float, default=None, help="certified gap in bits (fast)")
    parser.add_argument("--out", default=None, help="write the table to FILE.csv or FILE.json")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run)


def parse_grid(text: str, name: str) -> np.ndarray:
    """Parse '0.1,0.2', 'a:b:n' or 'inf' into a 1-D array."""
    text = text.strip()
    try:
        if text.count(":") == 2:
            start, stop, count = text.split(":")
            n = int(count)
            if n < 1:
                raise ValueError
            return np.linspace(float(start), float(stop), n)
        return np.array([float(v) for v in text.split(",") if v.strip()], dtype=float)
    except ValueError:
        raise ValueError(
            f"{name} must be a comma-separated list of numbers or 'start:stop:count'; got {text!r}"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Solve the grid and print or write the table."""
    from rdp.problem_file import load_problem
    from rdp.sweeps import surface

    spec = load_problem(args.problem)
    D = parse_grid(args.D_grid, "--D-grid")
    P = parse_grid(args.P_grid, "--P-grid")
    options = {} if args.tol is None else {"tol": args.tol}
    result = surface(
        spec.problem,
        D,
        P,
        method=args.method or spec.method,
        units=spec.units,
        progress=False if args.no_progress else None,
        **options,
    )
    if args.out:
        path = Path(args.out)
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(result.to_dict(), indent=1))
        elif path.suffix.lower() == ".csv":
            rows = result.rows()
            with path.open("w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        else:
            raise ValueError(f"--out must end in .csv or .json; got {args.out!r}")
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict()) + "\n")
    elif not args.out:
        sys.stdout.write(f"method: {result.method}; rates in {result.units}\n")
        sys.stdout.write(f"{'P':>10} {'D':>10} {'rate':>12} {'gap':>9} {'D_min(P)':>10}  status\n")
        for row in result.rows():
            gap = row["upper"] - row["lower"] if row["feasible"] else float("nan")
            sys.stdout.write(
                f"{row['P']:>10.4g} {row['D']:>10.4g} {row['rate']:>12.8f} {gap:>9.1e} "
                f"{row['min_distortion']:>10.4g}  {row['status']}\n"
            )
    return 0
