"""``rdp.estimate.rate`` on points of R^d: correlated Gaussians against the closed forms.

For d = 2, 3, 4, 8, 16 a covariance Σ = AAᵀ/d + 0.3·I (A with standard normal entries,
seed 1), n = 10⁴ samples per run (seeds 0 … repeats − 1; fewer runs for d ≥ 8), squared
error summed over the coordinates, without perception (reverse water-filling) and with
W₂² = 0 (the library's vector Gaussian closed form, Qian et al. 2024), the estimator's
defaults (10⁴ source atoms and 256 particles without perception; 2000 atoms, which are the
particles, with W₂²). D = 0.25·d for d ≤ 4, 0.5·d for d = 8 and 0.75·d for d = 16: at
0.25·d the closed form is 6.6 bits in d = 8 and 14 bits in d = 16, beyond what 10⁴ samples
resolve (log₂ 10⁴ = 13.3 bits), so D grows with d to keep R(D) near 2–3 bits. Records the
estimate, the Shannon lower side and their errors against the closed form, and the target
0.02·d bits. Writes ``estimate-dimensions.json`` and ``.csv``::

    python benchmarks/estimate_dimensions.py --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from estimate_validation import provenance, write_results

from rdp import GaussianVector, Problem
from rdp.estimate import rate

COLUMNS = [
    "d", "D", "perception", "n", "repeats", "atoms", "particles", "closed_form",
    "mean_error", "max_abs_error", "target", "met", "mean_lower_error", "median_seconds",
    "median_cpu_seconds",
]  # fmt: skip

#: D / d per dimension (R(D) of the closed form near 2–3 bits for d ≥ 8).
DISTORTION_PER_COORDINATE = {2: 0.25, 3: 0.25, 4: 0.25, 8: 0.5, 16: 0.75}


def covariance(d: int) -> np.ndarray:
    a = np.random.default_rng(1).standard_normal((d, d))
    return a @ a.T / d + 0.3 * np.eye(d)


def samples(d: int, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).multivariate_normal(np.zeros(d), covariance(d), n)


def closed_form(d: int, D: float, perception: str, P: float) -> float:
    return float(Problem(GaussianVector(covariance(d)), "mse", perception).rate(D, P).rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=3, help="runs per row for d ≤ 4")
    parser.add_argument("--repeats-high", type=int, default=2, help="runs per row for d ≥ 8")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--dims", type=int, nargs="+", default=list(DISTORTION_PER_COORDINATE))
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_dimensions.py " + " ".join(sys.argv[1:]))
    rows = []
    for d in args.dims:
        D = DISTORTION_PER_COORDINATE[d] * d
        repeats = args.repeats if d <= 4 else args.repeats_high
        for perception, P in (("none", np.inf), ("w2", 0.0)):
            exact = closed_form(d, D, perception, P)
            runs = []
            for seed in range(repeats):
                x = samples(d, args.n, seed)
                start, cpu = time.perf_counter(), time.process_time()
                r = rate(x, D, P, perception=perception, bootstrap=0, progress=False)
                runs.append({
                    "seed": seed, "estimate": r.estimate, "empirical_lower": r.empirical_lower,
                    "atoms": r.cells, "particles": len(r.particles), "rounds": r.rounds,
                    "shannon_lower": r.shannon_lower, "seconds": time.perf_counter() - start,
                    "cpu_seconds": time.process_time() - cpu,
                })  # fmt: skip
                print(d, perception, seed, r.estimate - exact, runs[-1]["seconds"], file=sys.stderr)
            errors = np.array([run["estimate"] - exact for run in runs])
            lower = np.array([run["shannon_lower"] - exact for run in runs])
            rows.append({
                "d": d, "D": D, "perception": perception, "n": args.n, "repeats": repeats,
                "atoms": int(np.median([run["atoms"] for run in runs])),
                "particles": int(np.median([run["particles"] for run in runs])),
                "closed_form": exact, "mean_error": float(errors.mean()),
                "max_abs_error": float(np.abs(errors).max()), "target": 0.02 * d,
                "met": bool(np.abs(errors).max() <= 0.02 * d),
                "mean_lower_error": float(lower.mean()),
                "median_seconds": float(np.median([run["seconds"] for run in runs])),
                "median_cpu_seconds": float(np.median([run["cpu_seconds"] for run in runs])),
                "runs": runs,
            })  # fmt: skip
    write_results(
        args.out, "estimate-dimensions", COLUMNS, rows, {"provenance": record, "rows": rows}
    )


if __name__ == "__main__":
    main()
