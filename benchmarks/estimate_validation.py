"""Validation of ``rdp.estimate`` against closed forms and a fine certified solve.

For each case and each of its independent sample sets (seeds 0, 1, ...), runs the estimator
with bootstrap resamples and records the estimate, the percentile interval and whether it
covers the reference, the Shannon lower side and whether its lower limit lies below the
reference, and the reference evaluated at the sample's own scale (the closed form at the
sample variance, or at the Laplacian scale's maximum-likelihood estimate): the difference
``estimate − that`` is the estimator's own error, what is left once the sample's spread,
which no estimator can remove, is accounted for. ``sampling_sd`` is the standard deviation
of the reference at the estimated scale, |dR/d log σ²|·√(2/n) (Gaussian) or
|dR/d log b|/√n (Laplacian): the Cramér–Rao bound of an estimate from n samples.

References: Zhang et al. (NeurIPS 2021, Thm 2) for N(0, 1) with MSE and squared W₂, and its
D(R, P); Shannon's R(D); the Laplacian R(D) = log₂(b/D) under absolute error (Berger 1971,
§4.3); the certified fast solver on the Laplacian law discretised on a fine grid for W₁.

    python benchmarks/estimate_validation.py --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from rdp import Gaussian, Problem
from rdp.estimate import distortion, rate
from rdp.sources import Discrete

ROOT = Path(__file__).resolve().parent.parent

#: (id, law, quantity, target, P, distortion, perception, n, repeats, bootstrap, cells)
CASES = [
    ("gauss-w2-p0", "N(0, 1)", "R", 0.3, 0.0, "mse", "w2", 10_000, 20, 50, 64),
    ("gauss-w2-p002", "N(0, 1)", "R", 0.5, 0.02, "mse", "w2", 10_000, 10, 20, 64),
    ("gauss-none", "N(0, 1)", "R", 0.4, math.inf, "mse", "none", 10_000, 20, 50, 64),
    ("gauss-none-1e5", "N(0, 1)", "R", 0.4, math.inf, "mse", "none", 100_000, 20, 20, 64),
    ("gauss-w2-d", "N(0, 1)", "D", 1.0, 0.0, "mse", "w2", 10_000, 10, 20, 64),
    ("laplace-abs", "Laplace(1)", "R", 0.5, math.inf, "absolute", "none", 10_000, 20, 50, 256),
    ("laplace-w1", "Laplace(1)", "R", 0.6, 0.05, "absolute", "w1", 10_000, 5, 20, 128),
]

#: The fine grid of the Laplacian reference: 401 points on [−10, 10].
LAPLACE_GRID = (401, 10.0)


def _gaussian_rate(D: float, P: float, perception: str, variance: float) -> float:
    source = Gaussian(0.0, variance)
    return float(Problem(source, "mse", perception).rate(D, P).rate)


def _gaussian_distortion(R: float, P: float, perception: str, variance: float) -> float:
    source = Gaussian(0.0, variance)
    return float(Problem(source, "mse", perception).distortion(R, P).distortion)


def _laplace_w1(D: float, P: float) -> tuple[float, float]:
    """The certified bracket of the fine discretisation (bits)."""
    size, half = LAPLACE_GRID
    grid = np.linspace(-half, half, size)
    pmf = np.exp(-np.abs(grid))
    result = Problem(Discrete(pmf / pmf.sum(), grid), "absolute", "w1").rate(D, P, method="fast")
    return float(result.lower), float(result.upper)


def reference(case: tuple, x: np.ndarray | None) -> float:
    """The reference value for the population (``x`` None) or at the sample's scale."""
    _, law, quantity, target, P, _, perception, *_ = case
    if law == "N(0, 1)":
        variance = 1.0 if x is None else float(np.var(x))
        if quantity == "R":
            return _gaussian_rate(target, P, perception, variance)
        return _gaussian_distortion(target, P, perception, variance)
    if perception == "none":
        scale = 1.0 if x is None else float(np.mean(np.abs(x)))
        return max(math.log2(scale / target), 0.0)
    if x is None:
        return float(np.mean(_laplace_w1(target, P)))
    return math.nan  # no closed form at another scale


def sampling_sd(case: tuple, n: int) -> float:
    """|dR/d log σ²|·√(2/n) (Gaussian) or |dR/d log b|/√n (Laplacian, no perception)."""
    _, law, quantity, target, P, _, perception, *_ = case
    if law == "N(0, 1)":
        step = 1e-4
        f = _gaussian_rate if quantity == "R" else _gaussian_distortion
        slope = (f(target, P, perception, math.exp(step)) - f(target, P, perception, 1.0)) / step
        return abs(slope) * math.sqrt(2.0 / n)
    if perception == "none":
        return 1.0 / math.log(2) / math.sqrt(n)
    return math.nan


def draw(law: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) if law == "N(0, 1)" else rng.laplace(0.0, 1.0, n)


def run_case(case: tuple) -> dict:
    name, law, quantity, target, P, dist, perception, n, repeats, resamples, cells = case
    exact = reference(case, None)
    runs = []
    for seed in range(repeats):
        x = draw(law, n, seed)
        options = {"distortion": dist, "perception": perception, "cells": cells,
                   "bootstrap": resamples, "seed": seed, "progress": False}  # fmt: skip
        start = time.perf_counter()
        if quantity == "R":
            r = rate(x, target, P, **options)
        else:
            r = distortion(x, target, P, rtol=2e-3, **options)
        seconds = time.perf_counter() - start
        at_sample = reference(case, x)
        lower_ci = r.shannon_lower_ci
        runs.append({
            "seed": seed, "estimate": r.estimate, "ci": [r.ci_lower, r.ci_upper],
            "covers": bool(r.ci_lower <= exact <= r.ci_upper),
            "at_sample_scale": None if math.isnan(at_sample) else at_sample,
            "shannon_lower": r.shannon_lower, "shannon_lower_ci": lower_ci,
            "lower_holds": bool(lower_ci is not None and lower_ci <= exact),
            "seconds": seconds,
        })  # fmt: skip
        print(f"{name} seed {seed}: {r.estimate:.5f} (reference {exact:.5f}) "
              f"[{r.ci_lower:.5f}, {r.ci_upper:.5f}] {seconds:.1f} s", file=sys.stderr)  # fmt: skip
    errors = np.array([run["estimate"] - exact for run in runs])
    own = [run["estimate"] - run["at_sample_scale"] for run in runs
           if run["at_sample_scale"] is not None]  # fmt: skip
    gaps = [exact - run["shannon_lower"] for run in runs if run["shannon_lower"] is not None]
    return {
        "case": name, "law": law, "quantity": quantity,
        "D": target if quantity == "R" else None, "R": target if quantity == "D" else None,
        "P": None if math.isinf(P) else P, "distortion": dist, "perception": perception,
        "n": n, "cells": cells, "bootstrap": resamples, "repeats": repeats,
        "reference": exact,
        "reference_kind": "fine grid" if law != "N(0, 1)" and perception != "none"
        else "closed form",
        "mean_error": float(errors.mean()), "rms_error": float(np.sqrt((errors**2).mean())),
        "max_abs_error": float(np.abs(errors).max()),
        "max_abs_own_error": float(np.max(np.abs(own))) if own else None,
        "sampling_sd": None if math.isnan(sd := sampling_sd(case, n)) else sd,
        "covered": sum(run["covers"] for run in runs),
        "lower_holds": sum(run["lower_holds"] for run in runs),
        "mean_lower_gap": float(np.mean(gaps)) if gaps else None,
        "median_seconds": float(np.median([run["seconds"] for run in runs])), "runs": runs,
    }  # fmt: skip


def write_results(
    out: str | Path, stem: str, columns: list[str], rows: list[dict], document: dict
) -> None:
    """``<out>/<stem>.csv`` (``columns`` of ``rows``, other keys ignored) and
    ``<out>/<stem>.json`` (``document``, which holds the rows and their provenance)."""
    out = Path(out)
    with open(out / f"{stem}.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (out / f"{stem}.json").write_text(json.dumps(document, indent=1) + "\n")


def provenance(command: str) -> dict:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return {
        "commit": commit or "?",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": {
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "system": platform.system(),
        },
        "python": platform.python_version(),
        "command": command,
    }


CSV_COLUMNS = [
    "case", "law", "quantity", "D", "R", "P", "distortion", "perception", "n", "repeats",
    "reference", "reference_kind", "mean_error", "rms_error", "max_abs_error",
    "max_abs_own_error", "sampling_sd", "covered", "lower_holds", "mean_lower_gap",
    "median_seconds",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="folder for estimate.json and .csv")
    parser.add_argument("--only", action="append", default=None, help="case id (repeatable)")
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_validation.py " + " ".join(sys.argv[1:]))
    cases = [c for c in CASES if args.only is None or c[0] in args.only]
    rows = [run_case(case) for case in cases]
    if args.out:
        out = Path(args.out)
        previous = {}
        if args.only and (out / "estimate.json").exists():  # update the cases run
            previous = {r["case"]: r for r in json.loads((out / "estimate.json").read_text())
                        .get("cases", [])}  # fmt: skip
        merged = {**previous, **{r["case"]: r for r in rows}}
        ordered = [merged[c[0]] for c in CASES if c[0] in merged]
        for row in rows:
            row["provenance"] = record
        (out / "estimate.json").write_text(
            json.dumps({"provenance": record, "cases": ordered}, indent=1) + "\n"
        )
        with open(out / "estimate.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for row in ordered:
                writer.writerow({k: ("∞" if k == "P" and row[k] is None and row["perception"]
                                     == "none" else ("" if row[k] is None else row[k]))
                                 for k in CSV_COLUMNS})  # fmt: skip
    for row in rows:
        print({k: row[k] for k in CSV_COLUMNS})


if __name__ == "__main__":
    main()
