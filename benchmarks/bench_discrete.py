"""Benchmark of the finite R(D, P) solvers: fast vs cvxpy (Clarabel, SCS) vs dit's Blahut-Arimoto.

One run solves the same seeded random problems (Dirichlet(1) source of size N,
Hamming distortion, TV perception P = 0.05 at D = 0.3·D_max(P), and the same
source with no perception constraint) with every method, for
N in {8, 32, 128, 512, 2048}. Each solve runs in a child process with a
wall-clock limit; a method is skipped for larger N once one of its solves
takes more than ``--skip-after`` seconds (default 120). dit's BA runs only on
the P = ∞ problems, at the slope s that the fast solver reports (dit
parametrises by the slope, not by D). Writes ``results/discrete_<stamp>.csv``
and a markdown summary ``results/discrete_<stamp>.md``; ``--surface`` also
times a 32 × 32 (D, P) surface at N = 256.

Usage::

    python benchmarks/bench_discrete.py                 # full run
    python benchmarks/bench_discrete.py --sizes 8 32 --no-surface
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
METHODS = ("fast", "clarabel", "scs", "dit-ba")


def make_problem(n: int, perception: str):
    from rdp import Discrete, Problem

    rng = np.random.default_rng(1000 + n)
    return Problem(Discrete(rng.dirichlet(np.ones(n))), "hamming", perception)


def solve_one(method: str, n: int, perception: str, slope: float | None) -> dict:
    """Solve one point in this process; returns a JSON-able record."""
    from rdp.solvers import ConvexProgram
    from rdp.solvers.fast import FastSolver

    problem = make_problem(n, perception)
    P = 0.05 if perception == "tv" else float("inf")
    fast = FastSolver(problem, tol=1e-6, time_limit=300)
    D = 0.3 * fast.zero_rate_distortion(P)
    start = time.perf_counter()
    record = {"method": method, "N": n, "perception": perception, "D": D, "P": P}
    if method == "fast":
        point = fast.rate_point(D, P)
        record.update(
            value=point.value,
            gap=point.upper - point.lower,
            status=point.diagnostics.get("status"),
            slope=point.diagnostics.get("slope"),
        )
    elif method in ("clarabel", "scs"):
        solver = ConvexProgram(problem, solvers=(method.upper(),))
        try:
            point = solver.rate_point(D, P)
            record.update(
                value=point.value, gap=point.upper - point.lower, status=point.diagnostics["status"]
            )
        except Exception as err:  # a failed solve is a result of the benchmark
            record.update(value=float("nan"), gap=float("nan"), status=f"failed: {err}"[:120])
    elif method == "dit-ba":
        from dit.rate_distortion.blahut_arimoto import blahut_arimoto

        (rate, distortion), _ = blahut_arimoto(
            problem.source.pmf, beta=float(slope), max_iters=1000, restarts=1
        )
        record.update(
            value=float(rate),
            gap=float("nan"),
            status=f"D={distortion:.6g} at s",
            D=float(distortion),
        )
    record["time_s"] = time.perf_counter() - start
    return record


def run_child(method: str, n: int, perception: str, slope: float | None, limit: float) -> dict:
    cmd = [sys.executable, __file__, "--child", method, str(n), perception, str(slope)]
    start = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, check=False)
        line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        if out.returncode != 0 or not line:
            raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "no output")
        return json.loads(line)
    except subprocess.TimeoutExpired:
        return {
            "method": method,
            "N": n,
            "perception": perception,
            "value": float("nan"),
            "gap": float("nan"),
            "status": f"timeout > {limit:.0f} s",
            "time_s": time.perf_counter() - start,
        }
    except Exception as err:
        return {
            "method": method,
            "N": n,
            "perception": perception,
            "value": float("nan"),
            "gap": float("nan"),
            "status": f"error: {err}"[:120],
            "time_s": time.perf_counter() - start,
        }


def time_surface(n: int = 256, size: int = 32) -> dict:
    from rdp.sweeps import surface

    problem = make_problem(n, "tv")
    fast = problem.method("fast", tol=1e-6, time_limit=60)
    d_max = fast.zero_rate_distortion(0.0)
    D = np.linspace(0.02, 1.05 * d_max, size)
    P = np.linspace(0.0, 0.3, size)
    start = time.perf_counter()
    surf = surface(problem, D, P, method="fast", tol=1e-6, time_limit=60)
    elapsed = time.perf_counter() - start
    return {
        "N": n,
        "grid": f"{size}x{size}",
        "time_s": elapsed,
        "max_gap": float(np.nanmax(surf.gap)),
        "converged_or_exact": int(np.isin(surf.status, ["converged", "exact"]).sum()),
        "cells": size * size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 32, 128, 512, 2048])
    parser.add_argument("--skip-after", type=float, default=120.0)
    parser.add_argument("--limit", type=float, default=600.0, help="hard limit per solve (s)")
    parser.add_argument("--no-surface", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        method, n, perception, slope = args.child
        print(
            json.dumps(
                solve_one(method, int(n), perception, None if slope == "None" else float(slope))
            )
        )
        return
    from tqdm import tqdm

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    records, skipped = [], set()
    jobs = [
        (n, pe, m)
        for n in args.sizes
        for pe in ("tv", "none")
        for m in METHODS
        if not (m == "dit-ba" and pe == "tv")
    ]
    slopes = {}
    for n, perception, method in tqdm(jobs, desc="bench"):
        key = (method, perception)
        if key in skipped:
            records.append(
                {
                    "method": method,
                    "N": n,
                    "perception": perception,
                    "value": float("nan"),
                    "gap": float("nan"),
                    "status": "skipped (slower than limit at smaller N)",
                    "time_s": float("nan"),
                }
            )
            continue
        rec = run_child(method, n, perception, slopes.get((n, perception)), args.limit)
        if method == "fast":
            slopes[(n, perception)] = rec.get("slope")
        records.append(rec)
        with (RESULTS / f"discrete_{stamp}.partial.jsonl").open("a") as fh:
            fh.write(json.dumps(rec) + "\n")  # survives an interrupted run
        if not rec["time_s"] <= args.skip_after:
            skipped.add(key)
    fields = ["N", "perception", "method", "time_s", "value", "gap", "status", "D", "P"]
    csv_path = RESULTS / f"discrete_{stamp}.csv"
    with csv_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
    lines = [
        f"# Finite R(D,P) solver benchmark ({stamp})",
        "",
        "Hamming distortion, Dirichlet(1) source, D = 0.3 D_max(P); TV P = 0.05 and P = inf.",
        "",
        "| N | perception | method | time (s) | value (bits) | gap | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        lines.append(
            f"| {r['N']} | {r['perception']} | {r['method']} | {r['time_s']:.3g} | "
            f"{r['value']:.9g} | {r['gap']:.2g} | {r['status']} |"
        )
    for n in args.sizes:
        for pe in ("tv", "none"):
            by = {r["method"]: r for r in records if r["N"] == n and r["perception"] == pe}
            f, c = by.get("fast"), by.get("clarabel")
            if f and c and np.isfinite(c["time_s"]) and str(c["status"]) == "optimal":
                lines.append(
                    f"\nN={n} {pe}: fast is {c['time_s'] / f['time_s']:.1f}x faster than "
                    f"Clarabel; |fast - Clarabel| = {abs(f['value'] - c['value']):.2e} bits"
                )
    if not args.no_surface:
        surf = time_surface()
        lines += ["", f"32x32 surface at N=256 (TV): {json.dumps(surf)}"]
        (RESULTS / f"discrete_surface_{stamp}.json").write_text(json.dumps(surf, indent=1))
    (RESULTS / f"discrete_{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
