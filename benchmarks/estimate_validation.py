"""Validation of ``rdp.estimate.rate`` on N(0, 1) samples against the closed form.

For each (D, P) point and each of ``--repeats`` independent sample sets of size ``--n``
(seeds 0, 1, ...), runs the estimator with ``--bootstrap`` resamples and records the
estimate, the 90 % percentile interval and whether it covers the closed form
(Zhang et al., NeurIPS 2021, Thm 2, for MSE and squared W₂; Shannon's R(D) without
perception). Writes one JSON file and prints a Markdown table.

    python benchmarks/estimate_validation.py --n 10000 --repeats 20 \
        --out docs/benchmarks/estimate.json
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from rdp import Gaussian, Problem
from rdp.estimate import rate

POINTS = [(0.3, 0.0, "w2"), (0.5, 0.02, "w2"), (0.4, np.inf, "none")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--bootstrap", type=int, default=50)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rows = []
    for D, P, perception in POINTS:
        exact = float(Problem(Gaussian(), "mse", perception).rate(D, P).rate)
        runs = []
        for seed in range(args.repeats):
            x = np.random.default_rng(seed).standard_normal(args.n)
            start = time.perf_counter()
            r = rate(x, D, P, perception=perception, bootstrap=args.bootstrap, seed=seed,
                     progress=False)  # fmt: skip
            runs.append({"seed": seed, "estimate": r.estimate, "ci": [r.ci_lower, r.ci_upper],
                         "covers": bool(r.ci_lower <= exact <= r.ci_upper),
                         "seconds": time.perf_counter() - start})  # fmt: skip
        errors = np.array([run["estimate"] - exact for run in runs])
        rows.append({
            "D": D, "P": None if np.isinf(P) else P, "perception": perception, "exact": exact,
            "mean_error": float(errors.mean()), "max_abs_error": float(np.abs(errors).max()),
            "rms_error": float(np.sqrt((errors**2).mean())),
            "covered": sum(run["covers"] for run in runs), "repeats": args.repeats,
            "median_seconds": float(np.median([run["seconds"] for run in runs])), "runs": runs,
        })  # fmt: skip
    print("| D | P | perception | closed form (bits) | mean error | RMS error | max abs error "
          "| 90 % interval covers | median time (s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        p = "∞" if row["P"] is None else f"{row['P']:g}"
        print(f"| {row['D']:g} | {p} | {row['perception']} | {row['exact']:.4f} | "
              f"{row['mean_error']:+.4f} | {row['rms_error']:.4f} | {row['max_abs_error']:.4f} | "
              f"{row['covered']}/{row['repeats']} | {row['median_seconds']:.1f} |")  # fmt: skip
    if args.out:
        meta = {"n": args.n, "repeats": args.repeats, "bootstrap": args.bootstrap,
                "cells": 64, "level": 0.9, "python": platform.python_version()}  # fmt: skip
        with open(args.out, "w") as f:
            json.dump({"settings": meta, "points": rows}, f, indent=1)


if __name__ == "__main__":
    main()
