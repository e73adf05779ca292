"""``rdp.estimate`` on laws without a closed form, against a certified solve of a fine grid.

Two laws with no closed form for R(D) or R(D, P) under squared error:

- the Laplacian law with scale 1 (variance 2) on the line;
- the mixture of three Gaussians in the plane drawn in ``docs/multidim.md`` (weights
  0.5, 0.3, 0.2; independent axes).

The reference is the certified fast solver on an exact discretisation of the true law:
equal-width cells (per coordinate) over a box, tails merged into the end cells, each cell's
probability and centroid computed exactly from the law's CDF and first moment. It is given
at two grid sizes; their difference shows how far the grid itself moves the value. Each case
runs the estimator on independent sample sets (seeds 0, 1, ...) with bootstrap resamples and
records the error against the finer grid's certified value, whether the 90 % interval covers
it and whether the Shannon lower limit lies below it. The mixture runs twice: with the
lattice of 24 cells per axis (``cells=24``) and, in the cases whose id ends in ``-atoms``,
with the estimator's default atoms (10 resamples there: a solve on 10⁴ atoms costs more).
Writes ``estimate-fine-grid.json`` (every run, the references' brackets, and the commit,
date, machine and command of each case) and ``estimate-fine-grid.csv`` (one row per
case)::

    python benchmarks/estimate_fine_grid.py --out docs/benchmarks
    python benchmarks/estimate_fine_grid.py --out docs/benchmarks --merge \
        --only mixture-mse-atoms --only mixture-mse-w2-p0-atoms
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from estimate_validation import provenance
from scipy.special import ndtr

from rdp import Problem
from rdp.estimate import rate
from rdp.sources import Discrete

#: The mixture of ``docs/multidim.md``: weights, means, standard deviations (independent axes).
MIXTURE = (
    np.array([0.5, 0.3, 0.2]),
    np.array([[-1.2, 0.0], [1.0, 0.8], [0.9, -1.1]]),
    np.array([[0.45, 0.6], [0.5, 0.35], [0.3, 0.4]]),
)

#: (id, law, D, P, perception, n, repeats, bootstrap, reference grids (cells per axis)).
CASES = [
    ("laplace-mse", "Laplace(1)", 0.5, math.inf, "none", 10_000, 10, 20, (400, 800)),
    ("laplace-mse-w2-p0", "Laplace(1)", 0.5, 0.0, "w2", 10_000, 10, 20, (400, 800)),
    ("laplace-mse-w2", "Laplace(1)", 0.5, 0.1, "w2", 10_000, 10, 20, (400, 800)),
    ("mixture-mse", "mixture", 0.3, math.inf, "none", 10_000, 5, 20, (24, 32)),
    ("mixture-mse-w2-p0", "mixture", 0.3, 0.0, "w2", 10_000, 5, 20, (24, 32)),
    ("mixture-mse-atoms", "mixture", 0.3, math.inf, "none", 10_000, 5, 10, (24, 32)),
    ("mixture-mse-w2-p0-atoms", "mixture", 0.3, 0.0, "w2", 10_000, 5, 10, (24, 32)),
]
#: Half-width of the Laplacian grid's box; the mixture's box per axis.
LAPLACE_BOX = 14.0
MIXTURE_BOX = ((-3.5, 3.0), (-3.0, 3.0))
#: Lattice cells per axis of the estimator on the mixture's samples (``cells=`` on points),
#: except in the cases whose id ends in ``-atoms``: the estimator's default atoms there.
MIXTURE_CELLS = 24


def mode(name: str, law: str) -> str:
    """How the estimator holds the case's samples: 'cells' on the line, 'lattice' (cells
    per axis) or 'atoms' (the default for points of R^d) in the plane."""
    if law == "Laplace(1)":
        return "cells"
    return "atoms" if name.endswith("-atoms") else "lattice"


def laplace_grid(cells: int, half: float = LAPLACE_BOX) -> Discrete:
    """Laplace(1) on ``cells`` equal cells of [−half, half] (tails in the end cells), with
    exact cell probabilities F(b) − F(a) and centroids (G(b) − G(a))/(F(b) − F(a)), where
    G(x) = ∫_{−∞}^x t f(t) dt = ½(x − 1)eˣ (x ≤ 0), −½(x + 1)e^{−x} (x ≥ 0)."""
    edges = np.linspace(-half, half, cells + 1)
    edges[0], edges[-1] = -np.inf, np.inf

    def cdf(x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.where(x <= 0, 0.5 * np.exp(np.minimum(x, 0)), 1 - 0.5 * np.exp(-x))

    def moment(x: np.ndarray) -> np.ndarray:
        finite = np.where(np.isfinite(x), x, 0.0)
        low = 0.5 * (finite - 1) * np.exp(np.minimum(finite, 0))
        high = -0.5 * (finite + 1) * np.exp(-np.maximum(finite, 0))
        return np.where(np.isfinite(x), np.where(x <= 0, low, high), 0.0)

    mass = np.diff(cdf(edges))
    centroid = np.diff(moment(edges)) / mass
    return Discrete(mass / mass.sum(), centroid)


def mixture_grid(cells: int) -> Discrete:
    """The mixture on ``cells`` × ``cells`` equal cells of its box (tails in the end cells),
    with exact cell probabilities and centroids (Gaussian CDF and first moments, per
    component and axis)."""
    weights, means, stds = MIXTURE
    mass = np.zeros((cells, cells))
    first = np.zeros((2, cells, cells))
    for w, mean, std in zip(weights, means, stds, strict=True):
        per_axis = []
        for axis, (low, high) in enumerate(MIXTURE_BOX):
            edges = np.linspace(low, high, cells + 1)
            z = (edges - mean[axis]) / std[axis]
            z[0], z[-1] = -np.inf, np.inf
            p = np.diff(ndtr(z))
            density = np.where(np.isfinite(z), np.exp(-0.5 * np.where(np.isfinite(z), z, 0) ** 2),
                               0.0) / math.sqrt(2 * math.pi)  # fmt: skip
            per_axis.append((p, mean[axis] * p - std[axis] * np.diff(density)))
        (p0, m0), (p1, m1) = per_axis
        mass += w * np.outer(p0, p1)
        first[0] += w * np.outer(m0, p1)
        first[1] += w * np.outer(p0, m1)
    keep = mass.ravel() > 1e-300
    points = np.stack([first[0].ravel(), first[1].ravel()], axis=1)[keep] / mass.ravel()[keep, None]
    pmf = mass.ravel()[keep]
    return Discrete(pmf / pmf.sum(), points)


def draw(law: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if law == "Laplace(1)":
        return rng.laplace(0.0, 1.0, n)
    weights, means, stds = MIXTURE
    which = rng.choice(weights.size, size=n, p=weights)
    return means[which] + stds[which] * rng.standard_normal((n, 2))


def reference(law: str, cells: int, D: float, P: float, perception: str) -> dict:
    """The certified bracket (bits) of the law's grid with ``cells`` cells per axis."""
    source = laplace_grid(cells) if law == "Laplace(1)" else mixture_grid(cells)
    start = time.perf_counter()
    result = Problem(source, "mse", perception).rate(D, P, method="fast", tol=1e-5)
    if not result.certified:
        raise RuntimeError(f"the {cells}-cell grid of {law} was not certified: {result.status}")
    return {
        "cells": cells, "symbols": source.size, "lower": float(result.lower),
        "upper": float(result.upper), "seconds": time.perf_counter() - start,
    }  # fmt: skip


def run_case(case: tuple) -> dict:
    name, law, D, P, perception, n, repeats, resamples, grids = case
    grids_found = [reference(law, cells, D, P, perception) for cells in grids]
    fine = grids_found[-1]
    exact = 0.5 * (fine["lower"] + fine["upper"])
    print(f"{name}: reference {[(g['cells'], g['upper']) for g in grids_found]}", file=sys.stderr)
    runs = []
    for seed in range(repeats):
        x = draw(law, n, seed)
        # the plane: the lattice plug-in (24 cells per axis), whose bias the page discusses,
        # or the default atoms
        cells = {"cells": MIXTURE_CELLS} if mode(name, law) == "lattice" else {}
        r = rate(
            x, D, P, perception=perception, bootstrap=resamples, seed=seed, progress=False,
            **cells,
        )  # fmt: skip
        runs.append({
            "seed": seed, "estimate": r.estimate, "ci": [r.ci_lower, r.ci_upper],
            "covers": bool(r.ci_lower <= exact <= r.ci_upper), "cells": r.cells,
            "shannon_lower": r.shannon_lower, "shannon_lower_ci": r.shannon_lower_ci,
            "lower_holds": bool(r.shannon_lower_ci is not None and r.shannon_lower_ci <= exact),
            "seconds": r.seconds,
        })  # fmt: skip
        print(f"{name} seed {seed}: {r.estimate:.5f} (reference {exact:.5f}) "
              f"[{r.ci_lower:.5f}, {r.ci_upper:.5f}] {r.seconds:.1f} s",
              file=sys.stderr)  # fmt: skip
    errors = np.array([run["estimate"] - exact for run in runs])
    gaps = [exact - run["shannon_lower"] for run in runs if run["shannon_lower"] is not None]
    return {
        "case": name, "law": law, "mode": mode(name, law), "d": 1 if law == "Laplace(1)" else 2,
        "D": D,
        "P": None if math.isinf(P) else P, "perception": perception, "n": n,
        "repeats": repeats, "bootstrap": resamples,
        "cells": int(np.median([run["cells"] for run in runs])),
        "reference": exact, "grids": grids_found,
        "grid_change": fine["upper"] - grids_found[0]["upper"],
        "mean_error": float(errors.mean()), "rms_error": float(np.sqrt((errors**2).mean())),
        "max_abs_error": float(np.abs(errors).max()),
        "covered": sum(run["covers"] for run in runs),
        "lower_holds": sum(run["lower_holds"] for run in runs),
        "mean_lower_gap": float(np.mean(gaps)) if gaps else None,
        "median_seconds": float(np.median([run["seconds"] for run in runs])), "runs": runs,
    }  # fmt: skip


CSV_COLUMNS = [
    "case", "law", "mode", "d", "D", "P", "perception", "n", "repeats", "bootstrap", "cells",
    "reference", "grid_change", "mean_error", "rms_error", "max_abs_error", "covered",
    "lower_holds", "mean_lower_gap", "median_seconds",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for estimate-fine-grid.json/.csv")
    parser.add_argument("--only", action="append", default=None, help="case id (repeatable)")
    parser.add_argument(
        "--merge", action="store_true",
        help="keep the cases of the existing JSON that are not rerun (each case keeps the "
        "provenance of the run that made it)",
    )  # fmt: skip
    args = parser.parse_args()
    record = provenance("python benchmarks/estimate_fine_grid.py " + " ".join(sys.argv[1:]))
    out = Path(args.out)
    kept, heads = {}, {}
    if args.merge and (out / "estimate-fine-grid.json").exists():
        old = json.loads((out / "estimate-fine-grid.json").read_text())
        heads = {k: v for k, v in old.items() if k.startswith("provenance")}
        for case in old["cases"]:
            case.setdefault("provenance", old["provenance"])
            case.setdefault("mode", mode(case["case"], case["law"]))
            kept[case["case"]] = case
    for c in CASES:
        if args.only is None or c[0] in args.only:
            kept[c[0]] = {**run_case(c), "provenance": record}
            # 'provenance' for the cells and lattice cases, 'provenance_<id>' for each atoms case
            heads[f"provenance_{c[0]}" if c[0].endswith("-atoms") else "provenance"] = record
    rows = [kept[c[0]] for c in CASES if c[0] in kept]
    (out / "estimate-fine-grid.json").write_text(
        json.dumps({**heads, "cases": rows}, indent=1) + "\n"
    )
    with open(out / "estimate-fine-grid.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "∞" if k == "P" and row[k] is None else row[k]
                             for k in CSV_COLUMNS})  # fmt: skip


if __name__ == "__main__":
    main()
