"""Estimated R(D) and R(D, 0) curves of N(0, 1) from samples, with bands, for the docs figure.

One sample set of n = 10⁴ draws of N(0, 1) (seed 0); at each D of the grid, the estimate of
R(D) (no perception constraint) and of R(D, 0) (squared W₂ = 0, perfect realism) with its
90 % percentile bootstrap interval, and the Shannon lower side with its lower limit; the
closed forms beside them (Shannon's ½ log₂(1/D); Zhang et al., NeurIPS 2021, Thm 2).
Writes ``estimate-curves.csv`` (one row per curve and D) and ``estimate-curves.json`` (the
same rows with the commit, date and command)::

    python benchmarks/estimate_curves.py --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from estimate_validation import provenance, write_results

from rdp import Gaussian, Problem
from rdp.estimate import rate

#: The distortions of the grid.
D_GRID = (0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8)
#: (curve label, perception, P).
CURVES = (("R(D)", "none", np.inf), ("R(D, 0)", "w2", 0.0))
COLUMNS = [
    "curve", "D", "estimate", "ci_lower", "ci_upper", "shannon_lower", "shannon_lower_ci",
    "closed_form", "seconds",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--bootstrap", type=int, default=50)
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_curves.py " + " ".join(sys.argv[1:]))
    x = np.random.default_rng(0).standard_normal(args.n)
    rows = []
    for label, perception, P in CURVES:
        exact = Problem(Gaussian(), "mse", perception)
        for D in D_GRID:
            r = rate(x, D, P, perception=perception, bootstrap=args.bootstrap, seed=0,
                     progress=False)  # fmt: skip
            rows.append({
                "curve": label, "D": D, "estimate": r.estimate, "ci_lower": r.ci_lower,
                "ci_upper": r.ci_upper, "shannon_lower": r.shannon_lower,
                "shannon_lower_ci": r.shannon_lower_ci,
                "closed_form": float(exact.rate(D, P).rate), "seconds": r.seconds,
            })  # fmt: skip
            print(label, D, rows[-1]["estimate"], rows[-1]["closed_form"], file=sys.stderr)
    settings = {"n": args.n, "bootstrap": args.bootstrap, "level": 0.9, "seed": 0}
    write_results(
        args.out,
        "estimate-curves",
        COLUMNS,
        rows,
        {"provenance": record, "settings": settings, "rows": rows},
    )


if __name__ == "__main__":
    main()
