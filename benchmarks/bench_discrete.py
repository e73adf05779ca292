"""Benchmark of the finite R(D, P) solvers on named families: fast vs cvxpy (Clarabel, then SCS).

Every solve runs in a child process under a wall-clock limit, so a solver that
hangs costs at most ``--limit`` seconds. Times are of one ``rate_point`` call on
a fresh method object (the fast solver's includes its D_min / D_max work; the
cvxpy one includes building and solving the program). The target D is fixed
beforehand from the exact D_min(P) and D_max(P).

Families (``FAMILIES``): a Dirichlet(1) source with Hamming distortion (TV
P = 0.05, and no perception); ``Gaussian().discretize(N)`` with squared error
and W₂² (P = 0.05), W₁ (P = 0.1), TV (P = 0.05), KL(p_X̂‖p_X) and KL(p_X‖p_X̂)
(P = 0.02 bits), squared Hellinger (P = 0.0035), Jensen–Shannon (P = 0.005 bits) and χ² in
both directions (P = 0.028: levels close to KL's 0.02 bits for small moves); a discretised
Laplacian with absolute error and W₁ (P = 0.1);
the Gaussian/W₂² family at the border where the perception constraint turns
active (D where the Gaussian R(D) optimum has W₂² = P) and within 1 % of
D_min(P); sources of points in R² and R³ (``GaussianVector(Σ).discretize(n)``, N = n^d
cells, Σ = diag(1, 1/4) and diag(1, 1/2, 1/4)) with squared Euclidean distortion and W₂²
(P = 0.05). The gauss-w2 and gauss-w1 families run with a memory ceiling of 4 GB (at
N = 4096 the estimate is 2.1 GB, above the default 2 GB). Unless said otherwise
D = D_min(P) + 0.3 (D_max(P) − D_min(P)). The report
fits the exponent k of time ≈ c·N^k for each family.

Writes ``<out>/discrete.csv``, ``<out>/machine.json`` (date, machine, load) and the
markdown report (``<out>/discrete.md``, or the ``--markdown`` file). ``--surface G``
also times a G × G (D, P) surface of the discretised Gaussian (N = 128, MSE, W₂²) into
``<out>/surface.json`` (``--surface-workers W``: its rows in W processes, into
``<out>/surface-G-workersW.json``), each with its date, commit, load and command;
``--surface-only`` stops there; ``--report-only`` rewrites the report from those files.

Usage::

    python benchmarks/bench_discrete.py --cvxpy-max 32 --surface 64 --out docs/benchmarks \
        --markdown build/benchmarks.md   # the committed record (docs/benchmarks.md reads it)
    python benchmarks/bench_discrete.py --surface 64 --surface-workers 2 --surface-only \
        --out docs/benchmarks
    python benchmarks/bench_discrete.py --families gauss-w2 --sizes 32 64
    python benchmarks/bench_discrete.py --quick --out /tmp/bench   # a smoke run
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
# time this checkout's rdp, not whichever one the environment has installed
sys.path.insert(0, str(ROOT))

#: name -> (source, distortion, perception, P, point, fast sizes, cvxpy sizes)
FAMILIES: dict[str, dict] = {
    "dirichlet-tv": dict(source="dirichlet", distortion="hamming", perception="tv", P=0.05,
                         sizes=(32, 64, 128, 256, 512, 2048, 4096), cvxpy=(32, 64)),
    "dirichlet-none": dict(source="dirichlet", distortion="hamming", perception="none",
                           P=float("inf"), sizes=(32, 64, 128, 256, 512, 2048, 4096),
                           cvxpy=(32, 64)),
    # N = 4096 is estimated at 2.1 GB (measured peak with W1: 1.8 GB): a 4 GB ceiling
    "gauss-w2": dict(source="gauss", distortion="mse", perception="w2", P=0.05,
                     sizes=(32, 64, 128, 256, 512, 1024, 2048, 4096), cvxpy=(32, 64),
                     max_memory=4.0),
    "gauss-w1": dict(source="gauss", distortion="mse", perception="w1", P=0.1,
                     sizes=(32, 64, 128, 256, 512, 1024, 2048, 4096), cvxpy=(32, 64),
                     max_memory=4.0),
    "gauss-tv": dict(source="gauss", distortion="mse", perception="tv", P=0.05,
                     sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    "gauss-kl-rs": dict(source="gauss", distortion="mse", perception="kl-recon-source",
                        P=0.02, sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    "gauss-kl-sr": dict(source="gauss", distortion="mse", perception="kl-source-recon",
                        P=0.02, sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    # f-divergence balls at levels close to KL's 0.02 bits for small moves
    # (χ² ≈ 2 KL, H² ≈ JS ≈ χ²/8 in nats)
    "gauss-hellinger": dict(source="gauss", distortion="mse", perception="hellinger",
                            P=0.0035, sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    "gauss-js": dict(source="gauss", distortion="mse", perception="js",
                     P=0.005, sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    "gauss-chi2-rs": dict(source="gauss", distortion="mse", perception="chi2-recon-source",
                          P=0.028, sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    "gauss-chi2-sr": dict(source="gauss", distortion="mse", perception="chi2-source-recon",
                          P=0.028, sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    "laplace-w1": dict(source="laplace", distortion="absolute", perception="w1", P=0.1,
                       sizes=(32, 64, 128, 256, 512), cvxpy=(32, 64)),
    "gauss-w2-border": dict(source="gauss", distortion="mse", perception="w2", P=0.05,
                            point="border", sizes=(32, 64, 128, 256), cvxpy=(32,)),
    "gauss-w2-near-dmin": dict(source="gauss", distortion="mse", perception="w2", P=0.05,
                               point="near-dmin", sizes=(32, 64, 128, 256), cvxpy=(32,)),
    # points of R^2 and R^3: N = n^d cells of GaussianVector(Σ).discretize(n), squared
    # Euclidean distortion, W₂² with the squared Euclidean ground cost
    # (N = 4096 needs more memory than the default ceiling of 2 GB: max_memory in GB)
    "gauss2d-w2": dict(source="gauss2d", distortion="mse", perception="w2", P=0.05,
                       sizes=(64, 144, 256, 576, 1024, 4096), cvxpy=(64,), max_memory=8),
    "gauss3d-w2": dict(source="gauss3d", distortion="mse", perception="w2", P=0.05,
                       sizes=(64, 512, 4096), cvxpy=(64,), max_memory=8),
}  # fmt: skip

#: Covariances of the multi-dimensional families.
COVARIANCES = {"gauss2d": np.diag([1.0, 0.25]), "gauss3d": np.diag([1.0, 0.5, 0.25])}

QUICK = {"dirichlet-tv": (8,), "gauss-w2": (8,), "gauss-kl-rs": (8,)}

FIELDS = [
    "family", "N", "method", "time_s", "value", "lower", "upper", "gap", "status",
    "iterations", "D", "P", "agrees", "slope", "dist_violation",
]  # fmt: skip


def make_problem(family: str, n: int):
    """The Problem of a named family at size N (seeded)."""
    from scipy import stats

    from rdp import Discrete, Gaussian, GaussianVector, Problem

    spec = FAMILIES[family]
    if spec["source"] in COVARIANCES:
        cov = COVARIANCES[spec["source"]]
        side = round(n ** (1.0 / cov.shape[0]))
        if side ** cov.shape[0] != n:
            raise ValueError(f"{family}: N = {n} is not a {cov.shape[0]}-th power")
        source = GaussianVector(cov).discretize(side)
    elif spec["source"] == "dirichlet":
        source = Discrete(np.random.default_rng(1000 + n).dirichlet(np.ones(n)))
    elif spec["source"] == "gauss":
        source = Gaussian().discretize(n)
    else:
        source = Discrete.from_scipy(stats.laplace(), n)
    return Problem(source, spec["distortion"], spec["perception"])


def target_point(family: str, n: int) -> tuple[float, float]:
    """(D, P) of the benchmark point of a family at size N."""
    from rdp.solvers.fast import FastSolver

    spec = FAMILIES[family]
    P = spec["P"]
    solver = FastSolver(make_problem(family, n), max_memory=spec.get("max_memory"))
    d_min, d_max = solver.min_distortion(P), solver.zero_rate_distortion(P)
    point = spec.get("point", "0.3")
    if point == "border":
        # Gaussian N(0, 1): the R(D) optimum N(0, 1 − D) has W2² = (1 − √(1 − D))² = P here
        return float(1.0 - (1.0 - np.sqrt(P)) ** 2), P
    if point == "near-dmin":
        return float(d_min + 0.01 * (d_max - d_min)), P
    return float(d_min + 0.3 * (d_max - d_min)), P


def solve_one(method: str, family: str, n: int, D: float, P: float, limit: float) -> dict:
    """One timed solve in this process; returns a JSON-able record."""
    problem = make_problem(family, n)
    record = {"family": family, "N": n, "method": method, "D": D, "P": P}
    if method == "fast":
        from rdp.solvers.fast import FastSolver

        memory = FAMILIES[family].get("max_memory")
        solver = FastSolver(problem, tol=1e-6, time_limit=limit, max_memory=memory)
        start = time.perf_counter()
        point = solver.rate_point(D, P)
        record["time_s"] = time.perf_counter() - start
        record.update(
            value=point.value, lower=point.lower, upper=point.upper, gap=point.upper - point.lower,
            status=str(point.status), iterations=point.iterations,
            slope=point.diagnostics.get("slope"),
        )  # fmt: skip
        return record
    from rdp.solvers import ConvexProgram

    solver = ConvexProgram(problem, solvers=("CLARABEL", "SCS"))
    start = time.perf_counter()
    try:
        point = solver.rate_point(D, P)
        record.update(
            value=point.value, lower=point.lower, upper=point.upper,
            gap=point.upper - point.lower,
            status=f"{point.diagnostics.get('solver')}: {point.status}",
            dist_violation=point.diagnostics.get("distortion", D) - D,
        )  # fmt: skip
    except Exception as err:  # a failed solve is a result of the benchmark
        record.update(value=float("nan"), status=f"failed: {err}"[:100])
    record["time_s"] = time.perf_counter() - start
    return record


def run_child(
    method: str, family: str, n: int, D: float, P: float, limit: float, in_process: bool = False
) -> dict:
    """``solve_one`` in a child process, killed after ``limit`` seconds (plus start-up)."""
    if in_process:
        return solve_one(method, family, n, D, P, limit)
    cmd = [sys.executable, __file__, "--child", method, family, str(n), repr(D), repr(P),
           str(limit)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    base = {"family": family, "N": n, "method": method, "D": D, "P": P, "value": float("nan")}
    start = time.perf_counter()
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=limit + 30, check=False, env=env
        )
        lines = out.stdout.strip().splitlines()
        if out.returncode != 0 or not lines:
            tail = out.stderr.strip().splitlines()[-1:] or ["no output"]
            return {**base, "status": f"error: {tail[0]}"[:100], "time_s": float("nan")}
        return json.loads(lines[-1])
    except subprocess.TimeoutExpired:
        elapsed = time.perf_counter() - start
        return {**base, "status": f"no answer in {limit:.0f} s", "time_s": elapsed}


def agreement(fast: dict, ref: dict) -> str:
    """Whether the cvxpy value lies in the certified interval, up to Clarabel's accuracy.

    Clarabel's 'optimal' joint may exceed D by ~1e-8; at slope s (nats per unit of D)
    that lowers its rate by about s·excess/ln 2 bits, which is added to the 5e-7 slack.
    """
    excess = max(float(ref.get("dist_violation") or 0.0), 0.0)
    slack = 5e-7 + float(fast.get("slope") or 0.0) * excess / np.log(2)
    if fast["lower"] - slack <= ref["value"] <= fast["upper"] + 5e-7:
        return "yes"
    return f"NO ({ref['value'] - fast['value']:.1e})"


def machine() -> dict:
    """Where and when the benchmark ran, with the load average (the machine may be shared)."""
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
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit,
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _fmt(x, spec: str) -> str:
    try:
        return "—" if x is None or not np.isfinite(float(x)) else format(float(x), spec)
    except (TypeError, ValueError):
        return str(x)


def report(
    records: list[dict], before: dict, after: dict, limit: float, surface: dict | None = None
) -> str:
    """The markdown report: one row per (family, N), fast next to cvxpy, and the ratio."""
    lines = [
        "# Finite R(D, P) solver benchmark",
        "",
        f"Run {before['date']} on {before['platform']} ({before['processor']}, "
        f"{before['cpus']} CPUs), Python {before['python']}, commit `{before['commit']}`. "
        f"Load average (1/5/15 min) {before['load']} at the start and {after['load']} "
        "at the end: the machine was shared, so times are noisy upper bounds.",
        "",
        'fast = `method="fast"` (certified gap ≤ 1e-6 bits); cvxpy = `method="cvxpy"` '
        "(Clarabel at tolerances 1e-9, then at its defaults, then SCS); "
        f"every solve in a child process, at most {limit:.0f} s. "
        "*agrees*: the cvxpy value lies in the fast solver's certified interval "
        "[lower, upper] up to 5e-7 bits, plus s·(excess distortion)/ln 2 below when "
        "Clarabel's 'optimal' joint exceeds D (its own accuracy).",
        "",
        "| family | N | fast (s) | status | iterations | R (bits) | gap | cvxpy (s) | cvxpy status "
        "| ratio | agrees |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    by = {(r["family"], r["N"], r["method"]): r for r in records}
    ratios = []
    for family, n in dict.fromkeys((r["family"], r["N"]) for r in records):
        f = by.get((family, n, "fast"), {})
        c = by.get((family, n, "cvxpy"))
        ratio = ""
        # cvxpy answered: certified ('converged'; 'optimal' in records before certification)
        if c is not None and f and str(c.get("status", "")).endswith(("converged", "optimal")):
            ratio = f"{c['time_s'] / f['time_s']:.0f}×"
            ratios.append(c["time_s"] / f["time_s"])
        elif c is not None and f and str(c.get("status", "")).startswith("no answer"):
            ratio = f"> {c['time_s'] / f['time_s']:.0f}×"
        lines.append(
            f"| {family} | {n} | {_fmt(f.get('time_s'), '.3g')} | {f.get('status', '')} | "
            f"{f.get('iterations', '')} | {_fmt(f.get('value'), '.7f')} | "
            f"{_fmt(f.get('gap'), '.1e')} | "
            + (f"{_fmt(c.get('time_s'), '.3g')} | {c.get('status', '')} | " if c else "| | ")
            + f"{ratio} | {c.get('agrees', '') if c else ''} |"
        )
    if ratios:
        lines += [
            "",
            f"Median ratio cvxpy/fast where cvxpy answered: {np.median(ratios):.0f}× "
            f"(min {min(ratios):.1f}×, {len(ratios)} points).",
        ]
    exponents = scaling_exponents(records)
    if exponents:
        lines += ["", "Time of the fast solver against N, fitted as c·N^k (least squares in "
                  "log–log over the certified sizes of each family): "
                  + "; ".join(f"{family} k = {k:.2f} (N = {lo}–{hi})"
                              for family, (k, lo, hi) in exponents.items()) + "."]  # fmt: skip
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for family, n, goal in TARGETS:
        f = by.get((family, n, "fast"))
        if f is None:
            lines.append(f"| {family}, N = {n} in ≤ {goal:g} s | not run | — |")
            continue
        done = f.get("status") in ("converged", "exact")
        met = done and float(f.get("time_s", np.inf)) <= goal
        lines.append(
            f"| {family}, N = {n} in ≤ {goal:g} s | {_fmt(f.get('time_s'), '.3g')} s "
            f"({f.get('status')}) | {'yes' if met else 'no'} |"
        )
    if ratios:
        slower = [r for r in ratios if r < 1]
        lines.append(
            f"| never slower than cvxpy | {len(slower)} of {len(ratios)} points slower | "
            f"{'yes' if not slower else 'no'} |"
        )
        median = float(np.median(ratios))
        lines.append(
            f"| median ratio cvxpy/fast ≥ 100× | {median:.0f}× over the {len(ratios)} points "
            f"where cvxpy answered | {'yes' if median >= 100 else 'no'} |"
        )
    processes = ""
    if surface and surface.get("workers", 1) > 1:
        processes = f", {surface['workers']} processes"
    if surface:
        per_cell = surface["time_s"] / surface["cells"]
        met = surface["cells"] >= 64 * 64 and surface["time_s"] <= 60
        scaled = (
            ""
            if surface["cells"] >= 64 * 64
            else (f"; 64 × 64 at that rate: about {per_cell * 4096:.0f} s")
        )
        lines.append(
            f"| 64 × 64 surface (N = {surface['N']}) in ≤ 60 s | {surface['grid']} in "
            f"{surface['time_s']:.0f} s{processes} ({per_cell * 1e3:.0f} ms per cell{scaled}), "
            f"{surface['certified']} of {surface['cells']} cells certified "
            f"| {'yes' if met else 'no'} |"
        )
    if surface:
        lines += [
            "",
            "## Surface",
            "",
            f"A {surface['grid']} (D, P) surface of `Gaussian().discretize({surface['N']})`, "
            f"MSE, W₂² (`Problem.surface`, fast, tol 1e-6, warm starts in snake order"
            f"{processes}): "
            f"{surface['time_s']:.1f} s ({surface['time_s'] / surface['cells'] * 1e3:.0f} ms per "
            f"cell), {surface['certified']} of {surface['cells']} cells certified "
            f"(converged or exact), largest gap {surface['max_gap']:.1e} bits.",
        ]
    return "\n".join(lines) + "\n"


def scaling_exponents(records: list[dict]) -> dict[str, tuple[float, int, int]]:
    """k of time ≈ c·N^k per family (log–log least squares over its certified fast solves,
    at least three sizes), with the smallest and largest N used."""
    out = {}
    for family in dict.fromkeys(r["family"] for r in records):
        rows = [r for r in records if r["family"] == family and r["method"] == "fast"
                and r.get("status") in ("converged", "exact") and r.get("time_s")]  # fmt: skip
        if len({r["N"] for r in rows}) >= 3:
            n = np.log([float(r["N"]) for r in rows])
            t = np.log([float(r["time_s"]) for r in rows])
            out[family] = (float(np.polyfit(n, t, 1)[0]), min(r["N"] for r in rows),
                           max(r["N"] for r in rows))  # fmt: skip
    return out


#: (family, N, seconds) targets of the issue.
TARGETS = [
    ("gauss-w2", 256, 1.0),
    ("gauss-w2", 1024, 10.0),
    ("gauss-w2", 4096, 10.0),
    ("gauss-w1", 4096, 20.0),
    ("dirichlet-tv", 2048, 2.0),
    ("dirichlet-tv", 4096, 8.0),
    ("dirichlet-none", 4096, 2.0),
    ("gauss2d-w2", 1024, 30.0),
    ("gauss2d-w2", 4096, 300.0),
]


def time_surface(n: int = 128, size: int = 16, limit: float = 60.0, workers: int = 1) -> dict:
    """Time a size × size (D, P) surface of the discretised Gaussian, MSE, W₂².

    ``workers`` processes solve the rows (``Problem.surface(workers=...)``; the time
    includes starting them).
    """
    from rdp import Gaussian, Problem

    problem = Problem(Gaussian().discretize(n), "mse", "w2")
    P = np.linspace(0.0, 0.3, size)
    solver = problem.method("fast")
    d_max = solver.zero_rate_distortion(0.0)
    D = np.linspace(0.02, d_max, size)
    start = time.perf_counter()
    surf = problem.surface(
        D, P, method="fast", tol=1e-6, time_limit=limit, progress=False, workers=workers
    )
    elapsed = time.perf_counter() - start
    gap = np.asarray(surf.upper, dtype=float) - np.asarray(surf.lower, dtype=float)
    finite_gap = gap[np.isfinite(gap)]
    return {
        "N": n,
        "grid": f"{size}×{size}",
        "cells": size * size,
        "workers": workers,
        "time_s": elapsed,
        "certified": int(np.count_nonzero(surf.certified)),
        "max_gap": float(finite_gap.max()) if finite_gap.size else float("nan"),
    }


def surface_record(size: int, workers: int) -> tuple[str, dict]:
    """Time the surface and say where, when and how: (file name, record).

    One worker writes ``surface.json``, W > 1 ``surface-<size>-workers<W>.json``.
    """
    before = machine()
    record = time_surface(size=size, workers=workers)
    record.update(
        date=before["date"],
        commit=before["commit"],
        load_at_start=before["load"],
        load_at_end=machine()["load"],
        command="python benchmarks/bench_discrete.py "
        + f"--surface {size}"
        + (f" --surface-workers {workers}" if workers > 1 else ""),
    )
    name = "surface.json" if workers == 1 else f"surface-{size}-workers{workers}.json"
    return name, record


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--sizes", type=int, nargs="+", help="only these N (default: per family)")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--no-cvxpy", action="store_true")
    parser.add_argument("--cvxpy-max", type=int, default=10**9, help="largest N for cvxpy")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--in-process", action="store_true", help="no child processes")
    parser.add_argument("--surface", type=int, help="also time a G×G surface (N = 128)")
    parser.add_argument(
        "--surface-workers", type=int, default=1, metavar="W", help="processes for --surface"
    )
    parser.add_argument("--surface-only", action="store_true", help="only the --surface run")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from CSV")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        method, family, n, D, P, limit = args.child
        print(json.dumps(solve_one(method, family, int(n), float(D), float(P), float(limit))))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    if args.surface:
        name, surf = surface_record(args.surface, args.surface_workers)
        (args.out / name).write_text(json.dumps(surf, indent=1) + "\n")
        print(json.dumps(surf))
        if args.surface_only:
            return
    if args.report_only:
        meta = json.loads((args.out / "machine.json").read_text())
        with (args.out / "discrete.csv").open() as fh:
            records = [_parse(r) for r in csv.DictReader(fh)]
        write_report(args, records, meta["before"], meta["after"])
        return
    before = machine()
    records: list[dict] = []
    jobs = QUICK if args.quick else {f: FAMILIES[f]["sizes"] for f in args.families}
    for family, sizes in jobs.items():
        if family not in args.families and not args.quick:
            continue
        cvxpy_sizes = (8,) if args.quick else FAMILIES[family]["cvxpy"]
        cvxpy_failed = False
        for n in sizes:
            if args.sizes and n not in args.sizes:
                continue
            D, P = target_point(family, n)
            fast = run_child("fast", family, n, D, P, args.limit, args.in_process)
            records.append(fast)
            print(f"{family:>20} N={n:<5} fast  {_fmt(fast.get('time_s'), '8.3f')} s "
                  f"{fast.get('status')}", flush=True)  # fmt: skip
            if args.no_cvxpy or n not in cvxpy_sizes or cvxpy_failed or n > args.cvxpy_max:
                continue
            ref = run_child("cvxpy", family, n, D, P, args.limit, args.in_process)
            ok = str(ref.get("status", "")).endswith(("converged", "estimate"))
            cvxpy_failed = not ok
            if ok and np.isfinite(fast.get("lower", np.nan)):
                ref["agrees"] = agreement(fast, ref)
            records.append(ref)
            print(f"{family:>20} N={n:<5} cvxpy {_fmt(ref.get('time_s'), '8.3f')} s "
                  f"{ref.get('status')}", flush=True)  # fmt: skip
    after = machine()
    with (args.out / "discrete.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
    meta = {"before": before, "after": after, "limit": args.limit}
    (args.out / "machine.json").write_text(json.dumps(meta, indent=1) + "\n")
    write_report(args, records, before, after)


def _parse(row: dict) -> dict:
    """A CSV row back into a record (numbers where they parse)."""
    out: dict = {}
    for key, value in row.items():
        try:
            out[key] = int(value) if key in ("N", "iterations") else float(value)
        except (TypeError, ValueError):
            out[key] = value
    return out


def write_report(args, records: list[dict], before: dict, after: dict) -> None:
    surface_path = args.out / "surface.json"
    surface = json.loads(surface_path.read_text()) if surface_path.exists() else None
    text = report(records, before, after, args.limit, surface)
    target = args.markdown or args.out / "discrete.md"
    target.parent.mkdir(parents=True, exist_ok=True)  # e.g. build/ in a fresh checkout
    target.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
