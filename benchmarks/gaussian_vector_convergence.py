"""Discretised 2-D Gaussians against the vector Gaussian closed form, as the grid is refined.

For each covariance (identity, diag(1, 1/4), a rotated correlated one) and each perception
(squared W₂ with the Euclidean ground cost, KL(p_X̂‖p_X)), solves
``Problem(GaussianVector(Σ).discretize(n), "mse", perception).rate(D, P)`` with the certified
fast solver on n × n grids and compares with ``Problem(GaussianVector(Σ), "mse",
perception).rate(D, P)`` (two-multiplier water-filling, Qian et al. 2024). The order of
convergence is the least-squares slope of log|error| against log n over the finest sizes.
Writes one JSON file and prints a Markdown table.

    python benchmarks/gaussian_vector_convergence.py --sizes 8 12 16 24 32 \
        --out docs/benchmarks/gaussian-vector-convergence.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from rdp import GaussianVector, Problem

COVARIANCES = {
    "identity": [[1.0, 0.0], [0.0, 1.0]],
    "diag(1, 1/4)": [[1.0, 0.0], [0.0, 0.25]],
    "rotated": [[1.0, 0.6], [0.6, 0.5]],
}
#: (perception, D, P): D = E‖X − X̂‖² summed over both coordinates; P in its own unit
#: (squared W₂) or bits (KL).
CASES = [("w2", 0.5, 0.05), ("kl-recon-source", 0.5, 0.05)]


def order(ns: list[int], errors: list[float]) -> float | None:
    """Least-squares slope of −log|error| against log n over the last three sizes."""
    pairs = [(n, abs(e)) for n, e in zip(ns, errors, strict=True) if e != 0][-3:]
    if len(pairs) < 2:
        return None
    x = np.log([n for n, _ in pairs])
    y = np.log([e for _, e in pairs])
    return float(-np.polyfit(x, y, 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 12, 16, 24, 32])
    parser.add_argument("--perceptions", nargs="+", default=[c[0] for c in CASES])
    parser.add_argument("--covariances", nargs="+", default=list(COVARIANCES))
    parser.add_argument("--tol", type=float, default=1e-5)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rows = []
    for name in args.covariances:
        cov = np.array(COVARIANCES[name])
        for perception, D, P in (c for c in CASES if c[0] in args.perceptions):
            exact = float(Problem(GaussianVector(cov), "mse", perception).rate(D, P).rate)
            for n in args.sizes:
                problem = Problem(GaussianVector(cov).discretize(n), "mse", perception)
                start = time.perf_counter()
                r = problem.rate(D, P, tol=args.tol, time_limit=args.time_limit, progress=False)
                seconds = time.perf_counter() - start
                mid = 0.5 * (r.lower + r.upper)
                rows.append({"covariance": name, "perception": perception, "D": D, "P": P,
                             "n": n, "N": n * n, "lower": r.lower, "upper": r.upper,
                             "status": r.status, "seconds": seconds, "closed_form": exact,
                             "error": mid - exact})  # fmt: skip
                line = f"{name:>14} {perception:>16} n={n:3d} [{r.lower:.6f}, {r.upper:.6f}]"
                print(f"{line} {r.status} {seconds:7.1f}s error {mid - exact:+.2e}", flush=True)
    print()
    print("| covariance | perception | closed form (bits) | n × n | R(D,P) of the grid (bits) "
          "| error | time (s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    orders = {}
    for name in args.covariances:
        for perception, *_ in (c for c in CASES if c[0] in args.perceptions):
            group = [r for r in rows if r["covariance"] == name and r["perception"] == perception]
            orders[f"{name} / {perception}"] = order([r["n"] for r in group],
                                                     [r["error"] for r in group])  # fmt: skip
            for r in group:
                print(f"| {name} | {perception} | {r['closed_form']:.6f} | {r['n']} × {r['n']} "
                      f"| {0.5 * (r['lower'] + r['upper']):.6f} | {r['error']:+.2e} "
                      f"| {r['seconds']:.1f} |")  # fmt: skip
    print()
    for key, value in orders.items():
        print(f"{key}: fitted order {value:.2f}" if value is not None else f"{key}: -")
    if args.out:
        record = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                  "machine": platform.platform(), "load": os.getloadavg(),
                  "tol": args.tol, "rows": rows, "orders": orders}  # fmt: skip
        with open(args.out, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main()
