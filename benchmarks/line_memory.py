"""Peak memory and time of the fast solver on fine grids of the line (MSE, W₁ or W₂²).

Each solve of ``Gaussian().discretize(N)`` with squared error runs in a child process at
the point of ``bench_discrete.py``'s family (gauss-w1: W₁ ≤ 0.1; gauss-w2: W₂² ≤ 0.05;
D = D_min(P) + 0.3 (D_max(P) − D_min(P))), timed like that benchmark (one ``rate_point``
call on a fresh solver, its D_min / D_max work included); the child's peak resident
memory (``ru_maxrss``) covers the whole child, the target point's D_min / D_max included.
The memory ceiling of the solver is raised to ``--max-memory`` GB so that the
measurement, not the estimate, decides.

Writes ``<out>`` (JSON): one record per (family, N) with the time, status, gap,
iterations and peak memory, and the date, machine, load average, commit and command.

Usage::

    python benchmarks/line_memory.py --family gauss-w1 --sizes 4096 10000 \\
        --out docs/benchmarks/line-memory.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def child(family: str, n: int, limit: float, max_memory: float) -> dict:
    """One solve in this process (the child): the record without the memory."""
    import bench_discrete as bench

    from rdp.solvers.fast import FastSolver

    bench.FAMILIES[family] = {**bench.FAMILIES[family], "max_memory": max_memory}
    D, P = bench.target_point(family, n)
    problem = bench.make_problem(family, n)
    solver = FastSolver(problem, tol=1e-6, time_limit=limit, max_memory=max_memory)
    start = time.perf_counter()
    point = solver.rate_point(D, P)
    elapsed = time.perf_counter() - start
    return {
        "family": family, "N": n, "D": D, "P": P, "time_s": elapsed,
        "status": str(point.status), "value": point.value, "lower": point.lower,
        "upper": point.upper, "gap": point.upper - point.lower,
        "iterations": point.iterations,
        "newton_steps": point.diagnostics.get("perception_newton_steps"),
    }  # fmt: skip


def run(family: str, n: int, limit: float, max_memory: float) -> dict:
    """``child`` in a fresh process; adds its peak resident memory (GB)."""
    cmd = [sys.executable, __file__, "--child", family, str(n), str(limit), str(max_memory)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        record = {"family": family, "N": n, "status": f"error: {tail}"[:200]}
    else:
        record = json.loads(lines[-1])
    # ru_maxrss of the children is the largest child so far: only a new maximum is this one's
    record["peak_memory_gb"] = peak_kb * 1024 / 1e9 if peak_kb > before else None
    return record


def machine() -> dict:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} CPUs",
        "commit": commit,
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        family, n, limit, max_memory = argv[1], int(argv[2]), float(argv[3]), float(argv[4])
        print(json.dumps(child(family, n, limit, max_memory)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="gauss-w1", choices=("gauss-w1", "gauss-w2"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[4096, 10000])
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per solve")
    parser.add_argument("--max-memory", type=float, default=16.0, help="solver ceiling, GB")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/line-memory.json"))
    args = parser.parse_args(argv)
    start = machine()
    records = [run(args.family, n, args.limit, args.max_memory) for n in args.sizes]
    for record in records:
        print(json.dumps(record))
    result = {**start, "load_end": machine()["load"], "records": records}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
