"""Discretised Gaussians against the certified bounds for f-divergence perception, n → ∞.

For squared Hellinger, Jensen–Shannon (P in bits) and χ² in both directions, at two
(D, P) points each, solves ``Problem(Gaussian(0, 1).discretize(n), "mse", measure)``
with the certified fast solver for n = 32 … 1024 and compares with the bounds of the
continuous problem (``rdp.closed_forms.gaussian_fdivergence.rate_bounds``). The
discretised problem is neither a lower nor an upper bound of the continuous one; its
values are extrapolated assuming an O(1/n²) error (Richardson, last two n). Writes a
CSV of the solves and a JSON with the bounds, the extrapolations and the provenance::

    python benchmarks/gaussian_fdivergence_convergence.py --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
from estimate_validation import provenance

from rdp import Gaussian, Problem
from rdp.closed_forms.gaussian_fdivergence import gaussian_std, rate_bounds
from rdp.closed_forms.gaussian_fdivergence_channel import gated_channel
from rdp.perceptions import perception_from_name

#: (measure, D, P): P in bits for JS, unit-free otherwise; σ² = 1.
CASES = [
    ("hellinger", 0.9, 0.1),
    ("hellinger", 0.5, 0.01),
    ("js", 0.9, 0.1),
    ("js", 0.5, 0.01),
    ("chi2-recon-source", 0.9, 0.5),
    ("chi2-recon-source", 0.5, 0.05),
    ("chi2-source-recon", 0.9, 0.5),
    ("chi2-source-recon", 0.5, 0.05),
]
COLUMNS = ["perception", "D", "P", "n", "lower", "upper", "status", "seconds"]
#: The gated channel is tried on every GATED_EVERY-th point of the width sweep.
GATED_EVERY = 8
#: Levels of the width table (bits for JS); D runs over the binding range (below).
WIDTH_LEVELS = {
    "hellinger": [0.001, 0.01, 0.1, 0.5],
    "js": [0.001, 0.01, 0.1, 0.5],
    "chi2-recon-source": [0.01, 0.1, 1.0, 10.0],
    "chi2-source-recon": [0.01, 0.1, 1.0, 10.0],
}


def widths() -> list[dict]:
    """Largest and median width of the bracket along D = D_s + (D_max(P) − D_s)·i/33,
    i = 1..32, with D_s = σ² − s_P² (below D_s both ends are Shannon's R(D))."""
    out = []
    for name, levels in WIDTH_LEVELS.items():
        measure = perception_from_name(name)
        for P in levels:
            d_max = Problem(Gaussian(), "mse", measure).zero_rate_distortion(P)
            d_free = 1.0 - gaussian_std(1.0, measure, P) ** 2
            values, relative, seconds, gated, gated_seconds = [], [], [], [], []
            for i in range(1, 33):
                D = d_free + (d_max - d_free) * i / 33.0
                began = time.perf_counter()
                b = rate_bounds(1.0, D, measure, P)
                seconds.append(time.perf_counter() - began)
                values.append(b.upper - b.lower)
                relative.append((b.upper - b.lower) / b.upper if b.upper > 0 else 0.0)
                if i % GATED_EVERY == 0:  # the gated channel (seconds each) on fewer points
                    began = time.perf_counter()
                    channel = gated_channel(measure, D, P)
                    gated_seconds.append(time.perf_counter() - began)
                    upper = b.upper if channel is None else min(b.upper, channel.rate)
                    low = b.lower if channel is None else min(max(b.lower, channel.lower), upper)
                    gated.append({"D": D, "lower": b.lower, "upper": b.upper,
                                  "gated_lower": low, "gated_upper": upper,
                                  "failed": channel is None})  # fmt: skip
            out.append({"perception": name, "P": P, "d_free": d_free, "d_max": d_max,
                        "max_width": max(values),
                        "median_width": float(np.median(values)),
                        "max_relative": max(relative),
                        "median_seconds": float(np.median(seconds)),
                        "gated": gated,
                        "gated_max_width": max(g["gated_upper"] - g["gated_lower"]
                                               for g in gated),
                        "analytic_max_width_at_gated": max(g["upper"] - g["lower"]
                                                           for g in gated),
                        "gated_failures": sum(g["failed"] for g in gated),
                        "gated_median_seconds": float(np.median(gated_seconds))})  # fmt: skip
            print(f"{name:>18} P={P:<6} D_max={d_max:.6f} widths: max {max(values):.2e}, "
                  f"relative {max(relative):.2%}, gated {out[-1]['gated_max_width']:.2e} "
                  f"(analytic there {out[-1]['analytic_max_width_at_gated']:.2e})",
                  flush=True)  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 64, 128, 256, 512, 1024])
    parser.add_argument("--tol", type=float, default=1e-8)
    parser.add_argument("--out", type=Path, required=True, help="folder for the CSV and JSON")
    args = parser.parse_args()
    record = provenance("python benchmarks/gaussian_fdivergence_convergence.py "
                        + " ".join(sys.argv[1:]))  # fmt: skip
    rows, cases = [], []
    for name, D, P in CASES:
        began = time.perf_counter()
        bounds = rate_bounds(1.0, D, perception_from_name(name), P)
        bound_seconds = time.perf_counter() - began
        began = time.perf_counter()
        channel = gated_channel(perception_from_name(name), D, P)
        gated_seconds = time.perf_counter() - began
        gated_upper = bounds.upper if channel is None else min(bounds.upper, channel.rate)
        gated_lower = bounds.lower if channel is None else min(channel.lower, gated_upper)
        gated_lower = max(gated_lower, bounds.lower)
        mids = []
        for n in args.sizes:
            problem = Problem(Gaussian(0.0, 1.0).discretize(n), "mse", name)
            began = time.perf_counter()
            r = problem.rate(D, P, method="fast", tol=args.tol, progress=False)
            seconds = time.perf_counter() - began
            rows.append({"perception": name, "D": D, "P": P, "n": n, "lower": r.lower,
                         "upper": r.upper, "status": str(r.status),
                         "seconds": seconds})  # fmt: skip
            mids.append(0.5 * (r.lower + r.upper))
            print(f"{name:>18} D={D} P={P} n={n:5d} [{r.lower:.8f}, {r.upper:.8f}] "
                  f"{r.status} {seconds:.1f}s", flush=True)  # fmt: skip
        extrapolated = mids[-1] + (mids[-1] - mids[-2]) / 3.0
        cases.append({"perception": name, "D": D, "P": P, "lower": bounds.lower,
                      "upper": bounds.upper, "width": bounds.upper - bounds.lower,
                      "bound_seconds": bound_seconds, "gated_upper": gated_upper,
                      "gated_lower": gated_lower,
                      "gated_seconds": gated_seconds, "last_n": args.sizes[-1],
                      "last": mids[-1], "extrapolated": extrapolated,
                      "extrapolated_inside": bounds.lower <= extrapolated <= gated_upper,
                      "gated_lower_minus_extrapolated": gated_lower - extrapolated,
                      "above_lower": extrapolated - bounds.lower})  # fmt: skip
        print(
            f"   bounds [{bounds.lower:.8f}, {bounds.upper:.8f}], gated {gated_upper:.8f}, "
            f"extrapolated {extrapolated:.8f} ({extrapolated - bounds.lower:+.2e} above lower)",
            flush=True,
        )
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "gaussian-fdivergence-convergence.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    record_all = {"provenance": record, "tol": args.tol, "sizes": args.sizes, "cases": cases,
                  "gated_every": GATED_EVERY,
                  "widths": widths()}  # fmt: skip
    (args.out / "gaussian-fdivergence-convergence.json").write_text(
        json.dumps(record_all, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
