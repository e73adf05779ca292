"""Running an experiment over several seeds: per-seed results and their mean ± std."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from rdp.neural.experiments._results import aggregate_rows, read_results, write_results

#: Columns that identify a row (matched across seeds) in each experiment.
ROW_KEYS = {
    "yan": ("bits",),
    "theory-check": ("levels",),
    "blau-michaeli": ("dims", "levels", "perception_weight"),
}

#: Files of the first seed copied next to the aggregate (figures drawn from them).
SHARED_FILES = ("samples.npz",)


def run_experiment(
    experiment: str,
    out: str | os.PathLike,
    preset: str = "quick",
    *,
    seed: int = 0,
    seeds: int = 1,
    **kwargs: Any,
) -> dict[str, Any]:
    """Run ``experiment`` with ``seeds`` seeds starting at ``seed``; return the results.

    With one seed this is the experiment's runner writing to ``out``. With
    several, seed ``s`` writes to ``out/seed-s`` (each resumable on its own)
    and ``out/results.json`` holds, per row, the mean over seeds under each
    column's name and the standard deviation under ``NAME_std``
    (:func:`~rdp.neural.experiments._results.aggregate_rows`); the figures
    drawn there show the standard deviations as error bars.
    """
    from rdp.neural.experiments import EXPERIMENTS
    from rdp.neural.figures import make_figures

    if experiment not in EXPERIMENTS:
        raise ValueError(f"experiment must be one of {', '.join(EXPERIMENTS)}; got {experiment!r}")
    runner = EXPERIMENTS[experiment]
    out = Path(out)
    if seeds == 1:
        return runner(out, preset, seed=seed, **kwargs)
    start = time.perf_counter()
    results = [
        runner(out / f"seed-{s}", preset, seed=s, **kwargs) for s in range(seed, seed + seeds)
    ]
    first = results[0]
    rows = aggregate_rows([r["rows"] for r in results], ROW_KEYS[experiment])
    settings = {**first["settings"], "seed": list(range(seed, seed + seeds))}
    extra = {
        "seeds": list(range(seed, seed + seeds)),
        "per_seed": [f"seed-{s}/results.json" for s in range(seed, seed + seeds)],
        "wall_seconds": time.perf_counter() - start,
    }
    if "reference" in first:
        extra["reference"] = first["reference"]
    for name in SHARED_FILES:
        if (out / f"seed-{seed}" / name).is_file():
            shutil.copyfile(out / f"seed-{seed}" / name, out / name)
    write_results(out, experiment, preset, settings, rows, extra)
    make_figures(out)
    return read_results(out)
