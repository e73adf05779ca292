"""``rdp.estimate.rate`` on points of R^d: correlated Gaussians against the closed forms.

For d = 2, 3, 4 a covariance Σ = AAᵀ/d + 0.3·I (A with standard normal entries, seed 1),
n = 10⁴ samples per run (seeds 0 … repeats − 1), D = 0.25·d (squared error summed over the
coordinates), without perception (reverse water-filling) and with W₂² = 0 (the library's
vector Gaussian closed form, Qian et al. 2024). Records the estimate, the Shannon lower side
and their errors against the closed form, and the target 0.02·d bits. Writes
``estimate-dimensions.json`` and ``.csv``::

    python benchmarks/estimate_dimensions.py --out docs/benchmarks
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

from rdp import GaussianVector, Problem
from rdp.estimate import rate

COLUMNS = [
    "d", "perception", "n", "repeats", "cells", "closed_form", "mean_error", "max_abs_error",
    "target", "mean_lower_error", "median_seconds",
]  # fmt: skip


def covariance(d: int) -> np.ndarray:
    a = np.random.default_rng(1).standard_normal((d, d))
    return a @ a.T / d + 0.3 * np.eye(d)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_dimensions.py " + " ".join(sys.argv[1:]))
    rows = []
    for d in (2, 3, 4):
        cov, D = covariance(d), 0.25 * d
        for perception, P in (("none", np.inf), ("w2", 0.0)):
            exact = float(Problem(GaussianVector(cov), "mse", perception).rate(D, P).rate)
            runs = []
            for seed in range(args.repeats):
                x = np.random.default_rng(seed).multivariate_normal(np.zeros(d), cov, args.n)
                start = time.perf_counter()
                r = rate(x, D, P, perception=perception, bootstrap=0, progress=False)
                runs.append({"seed": seed, "estimate": r.estimate, "cells": r.cells,
                             "shannon_lower": r.shannon_lower,
                             "seconds": time.perf_counter() - start})  # fmt: skip
                print(d, perception, seed, r.estimate, exact, file=sys.stderr)
            errors = np.array([run["estimate"] - exact for run in runs])
            lower = np.array([run["shannon_lower"] - exact for run in runs])
            rows.append({
                "d": d, "perception": perception, "n": args.n, "repeats": args.repeats,
                "cells": int(np.median([run["cells"] for run in runs])), "closed_form": exact,
                "mean_error": float(errors.mean()), "max_abs_error": float(np.abs(errors).max()),
                "target": 0.02 * d, "mean_lower_error": float(lower.mean()),
                "median_seconds": float(np.median([run["seconds"] for run in runs])),
                "runs": runs,
            })  # fmt: skip
    out = Path(args.out)
    with open(out / "estimate-dimensions.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (out / "estimate-dimensions.json").write_text(
        json.dumps({"provenance": record, "rows": rows}, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
