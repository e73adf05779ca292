"""Why the W₂² estimate in R^d draws a companion sample: one sample against two.

For the correlated Gaussians and the (D, P = 0) points of ``estimate_dimensions.py``, each
run draws n = 10⁴ samples (seed s) and the estimator's atoms A and companion sample B
(2000 points each, ``split_atoms`` with the estimator's default seed). It solves, with
the certified fast solver, the *one-sample* problem — source A, reconstruction A, W₂²
measured from A's own law (a channel may then keep an atom where it is, at no distortion)
— and the *two-sample* problem that ``rdp.estimate.rate`` solves (reconstruction B, W₂²
measured from B's law), and records both errors against the vector Gaussian closed form
(Qian et al. 2024). Writes ``estimate-one-sample.json`` and ``.csv``::

    python benchmarks/estimate_one_sample.py --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from estimate_dimensions import DISTORTION_PER_COORDINATE, closed_form, samples
from estimate_validation import provenance, write_results

from rdp import Problem
from rdp.estimate.empirical import solve_empirical, split_atoms
from rdp.estimate.estimator import ATOMS_W2

COLUMNS = [
    "d", "D", "seed", "atoms", "closed_form", "one_sample", "two_sample",
    "one_sample_error", "two_sample_error", "one_sample_seconds", "two_sample_seconds",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--dims", type=int, nargs="+", default=list(DISTORTION_PER_COORDINATE))
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_one_sample.py " + " ".join(sys.argv[1:]))
    rows = []
    for d in args.dims:
        D = DISTORTION_PER_COORDINATE[d] * d
        exact = closed_form(d, D, "w2", 0.0)
        for seed in range(args.repeats):
            # the estimator's draw: rate(..., seed=0) takes its atoms from the seed [0, 2**32]
            order = np.random.default_rng([0, 2**32]).permutation(args.n)
            cut = split_atoms(samples(d, args.n, seed), ATOMS_W2, order)
            atoms = cut.source.alphabet
            start = time.perf_counter()
            one = Problem(cut.source, "mse", "w2", reconstruction_alphabet=atoms).rate(
                D, 0.0, method="fast", tol=1e-6, progress=False
            )
            middle = time.perf_counter()
            two = solve_empirical(
                cut.source, D, 0.0, distortion="mse", perception="w2", particles=None,
                max_rounds=0, units="bits", tol=1e-6, companion=cut.companion,
            )  # fmt: skip
            end = time.perf_counter()
            assert one.certified and two.status == "converged"
            rows.append({
                "d": d, "D": D, "seed": seed, "atoms": cut.source.size, "closed_form": exact,
                "one_sample": one.upper, "two_sample": two.upper,
                "one_sample_error": one.upper - exact, "two_sample_error": two.upper - exact,
                "one_sample_seconds": middle - start, "two_sample_seconds": end - middle,
            })  # fmt: skip
            print(
                d, seed, rows[-1]["one_sample_error"], rows[-1]["two_sample_error"], file=sys.stderr
            )
    write_results(
        args.out, "estimate-one-sample", COLUMNS, rows, {"provenance": record, "rows": rows}
    )


if __name__ == "__main__":
    main()
