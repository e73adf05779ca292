"""Times of the certified fast solver on grids of 2-D and 3-D Gaussians, up to N = 4096.

Each case solves one point of ``Problem(GaussianVector(Σ).discretize(n), "mse",
perception)`` with ``FastSolver(problem, tol=..., time_limit=..., max_memory=8)``; the
time is of one ``rate_point`` call on a fresh solver (its D_min(P) work included; the
D of the benchmark point, D_min(P) + 0.3 (D_max(P) − D_min(P)) as in
``bench_discrete.py``, is found beforehand and not timed). Every case runs in a child
process, so no case inherits another's imports or caches.

Writes ``<out>/multidim-timing.csv`` (one row per case) and ``<out>/multidim-timing.json``
(the provenance: date, commit, machine, load at start and end, command) for
``docs/multidim.md`` and ``docs/benchmarks.md``.

    python benchmarks/multidim_timing.py --out docs/benchmarks
    python benchmarks/multidim_timing.py --cases 2d-32-bench --out /tmp/mt   # one case
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COVARIANCES = {
    "diag(1, 1/4)": [[1.0, 0.0], [0.0, 0.25]],
    "diag(1, 1/2, 1/4)": [[1.0, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.25]],
}

#: name -> (covariance, cells per axis, perception, P, D (a number or "bench"), tol, limit s)
CASES: dict[str, tuple] = {
    "2d-32-bench": ("diag(1, 1/4)", 32, "w2", 0.05, "bench", 1e-6, 300.0),
    "2d-32-D0.5": ("diag(1, 1/4)", 32, "w2", 0.05, 0.5, 1e-6, 300.0),
    "2d-64-bench-1e-4": ("diag(1, 1/4)", 64, "w2", 0.05, "bench", 1e-4, 300.0),
    "2d-64-bench": ("diag(1, 1/4)", 64, "w2", 0.05, "bench", 1e-6, 600.0),
    "3d-8-bench": ("diag(1, 1/2, 1/4)", 8, "w2", 0.05, "bench", 1e-6, 300.0),
    "3d-16-bench": ("diag(1, 1/2, 1/4)", 16, "w2", 0.05, "bench", 1e-6, 600.0),
    "2d-48-kl": ("diag(1, 1/4)", 48, "kl-recon-source", 0.05, 0.5, 1e-5, 300.0),
}

FIELDS = [
    "case", "covariance", "d", "cells", "N", "perception", "P", "D", "tol", "time_limit",
    "time_s", "status", "iterations", "lower", "upper", "gap",
]  # fmt: skip


def problem(case: str):
    from rdp import GaussianVector, Problem

    cov, n, perception, *_ = CASES[case]
    return Problem(GaussianVector(COVARIANCES[cov]).discretize(n), "mse", perception)


def solve(case: str) -> dict:
    """One case in this process: the point D, then the timed ``rate_point``."""
    from rdp.solvers.fast import FastSolver

    cov, n, perception, P, D, tol, limit = CASES[case]
    if D == "bench":
        finder = FastSolver(problem(case), max_memory=8)
        d_min, d_max = finder.min_distortion(P), finder.zero_rate_distortion(P)
        D = d_min + 0.3 * (d_max - d_min)
    solver = FastSolver(problem(case), tol=tol, time_limit=limit, max_memory=8, progress=False)
    start = time.perf_counter()
    point = solver.rate_point(D, P)
    elapsed = time.perf_counter() - start
    d = len(COVARIANCES[cov])
    return {
        "case": case, "covariance": cov, "d": d, "cells": f"{n}^{d}", "N": n**d,
        "perception": perception, "P": P, "D": D, "tol": tol, "time_limit": limit,
        "time_s": elapsed, "status": str(point.status), "iterations": point.iterations,
        "lower": point.lower, "upper": point.upper, "gap": point.upper - point.lower,
    }  # fmt: skip


def machine() -> dict:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        commit = "?"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit,
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(solve(args.child)))
        return
    before = machine()
    rows = []
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for case in args.cases:
        out = subprocess.run(
            [sys.executable, __file__, "--child", case],
            capture_output=True, text=True, check=False, env=env,
        )  # fmt: skip
        lines = out.stdout.strip().splitlines()
        if out.returncode != 0 or not lines:
            raise SystemExit(f"{case}: {out.stderr.strip().splitlines()[-1:]}")
        row = json.loads(lines[-1])
        rows.append(row)
        print(f"{case:>18} N={row['N']:<5} {row['time_s']:8.1f} s {row['status']} "
              f"gap {row['gap']:.1e}", flush=True)  # fmt: skip
    after = machine()
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "multidim-timing.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    provenance = {
        "commit": before["commit"],
        "date": before["date"],
        "machine": {
            "processor": before["processor"],
            "cpu_count": before["cpu_count"],
            "system": before["platform"],
            "python": before["python"],
        },
        "load_at_start": before["load"],
        "load_at_end": after["load"],
        "command": "python benchmarks/multidim_timing.py --out docs/benchmarks"
        + ("" if args.cases == list(CASES) else " --cases " + " ".join(args.cases)),
    }
    meta = {"provenance": provenance, "max_gap": float(np.max([r["gap"] for r in rows]))}
    (args.out / "multidim-timing.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
