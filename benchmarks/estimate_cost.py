"""The cost of one (D, P) point of ``rdp.estimate.rate`` against the sample size and the
number of particles, on the line and in the plane.

d = 1: N(0, 1) samples, MSE, D = 0.3, 64 cells, with ``particles`` reconstruction points, at
P = ∞ (no perception constraint) and W₂² = 0.05 (fewer particles than cells cannot reach
W₂² = 0). d = 2: the correlated Gaussian of ``tests/test_estimate.py`` (covariance [[1, 0.5],
[0.5, 0.8]]), ‖x − x̂‖² summed, D = 0.5, with ``cells`` per coordinate (the particles are the
non-empty lattice cells), at P = ∞ and W₂² = 0. Without bootstrap (each resample costs one
more such point). Records the wall-clock and the CPU time
of the process (the better measure on a shared machine) of the median of ``--repeats`` runs,
the number of particles used, the Lloyd rounds, the estimate and the status of the finite
solve (``time_limit``: the solver stopped at its time limit with the gap open; the estimate is
then the upper end of its bracket). Writes
``estimate-cost.json`` (with the commit, date, machine and command) and ``.csv``::

    python benchmarks/estimate_cost.py --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from estimate_validation import provenance, write_results

from rdp.estimate import rate

SIZES = (1_000, 10_000, 100_000)
#: d = 1: particles; d = 2: cells per coordinate.
PARTICLES_1D = (16, 32, 64)
CELLS_2D = (8, 16, 24)
COVARIANCE = np.array([[1.0, 0.5], [0.5, 0.8]])
COLUMNS = [
    "d", "n", "perception", "P", "cells", "particles", "rounds", "estimate", "status",
    "wall_seconds", "cpu_seconds",
]  # fmt: skip


def samples(d: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.standard_normal(n) if d == 1 else rng.multivariate_normal([0, 0], COVARIANCE, n)


def measure(x: np.ndarray, D: float, P: float, perception: str, repeats: int, **options):
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        r = rate(x, D, P, perception=perception, bootstrap=0, progress=False, **options)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return r, float(np.median(walls)), float(np.median(cpus))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_cost.py " + " ".join(sys.argv[1:]))
    rows = []
    for d, D, P_w2, sizes in ((1, 0.3, 0.05, PARTICLES_1D), (2, 0.5, 0.0, CELLS_2D)):
        for n in SIZES:
            x = samples(d, n)
            for perception, P in (("none", np.inf), ("w2", P_w2)):
                for k in sizes:
                    options = {"cells": 64, "particles": k} if d == 1 else {"cells": k}
                    r, wall, cpu = measure(x, D, P, perception, args.repeats, **options)
                    rows.append({
                        "d": d, "n": n, "perception": perception,
                        "P": "∞" if np.isinf(P) else P, "cells": r.cells,
                        "particles": len(r.particles), "rounds": r.rounds,
                        "estimate": r.estimate, "status": r.empirical_status,
                        "wall_seconds": wall, "cpu_seconds": cpu,
                    })  # fmt: skip
                    print(rows[-1], file=sys.stderr)
    write_results(
        args.out,
        "estimate-cost",
        COLUMNS,
        rows,
        {"provenance": record, "repeats": args.repeats, "rows": rows},
    )


if __name__ == "__main__":
    main()
