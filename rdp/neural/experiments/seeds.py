"""Running an experiment over several seeds: per-seed results and their mean ± std."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from rdp.neural.experiments._results import aggregate_rows, read_results, write_results
from rdp.neural.experiments.blau_michaeli import run_blau_michaeli
from rdp.neural.experiments.theory_check import run_theory_check
from rdp.neural.experiments.yan import run_yan

#: Experiment name (as on the command line) -> runner of one seed.
EXPERIMENTS = {
    "blau-michaeli": run_blau_michaeli,
    "yan": run_yan,
    "theory-check": run_theory_check,
}

#: Columns that identify a row (matched across seeds) in each experiment.
ROW_KEYS = {
    "yan": ("bits",),
    "theory-check": ("levels",),
    "blau-michaeli": ("dims", "levels", "bits", "perception_weight"),
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
    (``aggregate_rows``); the figures
    drawn there show the standard deviations as error bars.
    """
    if experiment not in EXPERIMENTS:
        raise ValueError(f"experiment must be one of {', '.join(EXPERIMENTS)}; got {experiment!r}")
    runner = EXPERIMENTS[experiment]
    out = Path(out)
    if seeds == 1:
        return runner(out, preset, seed=seed, **kwargs)
    start = time.perf_counter()
    for s in range(seed, seed + seeds):
        runner(out / f"seed-{s}", preset, seed=s, **kwargs)
    return aggregate_seeds(out, wall_seconds=time.perf_counter() - start)


def aggregate_seeds(out: str | os.PathLike, *, wall_seconds: float | None = None) -> dict:
    """Write to ``out`` the mean ± std over the per-seed results in ``out/seed-*``.

    Rows are matched by ``ROW_KEYS``; a row present for only some seeds
    (e.g. rates run with fewer seeds, ``--bits``) is averaged over those, and
    its ``seeds`` column says how many.
    """
    from rdp.neural.figures import make_figures

    out = Path(out)
    folders = sorted(
        (p.parent for p in out.glob("seed-*/results.json")),
        key=lambda p: int(p.name.split("-")[1]),
    )
    if not folders:
        raise FileNotFoundError(f"no per-seed results (seed-*/results.json) in {out}")
    results = [read_results(p) for p in folders]
    first = results[0]
    experiment = first["experiment"]
    seeds = [int(p.name.split("-")[1]) for p in folders]
    rows = aggregate_rows([r["rows"] for r in results], ROW_KEYS[experiment])
    rows.sort(key=lambda r: tuple(r[k] for k in ROW_KEYS[experiment]))
    settings = {**first["settings"], "seed": seeds}
    settings.pop("bits", None)
    extra = {
        "seeds": seeds,
        "per_seed": [f"{p.name}/results.json" for p in folders],
        "per_seed_settings": {p.name: r["settings"] for p, r in zip(folders, results, strict=True)},
        "per_seed_provenance": {
            p.name: r.get("provenance") for p, r in zip(folders, results, strict=True)
        },
        "wall_seconds": (
            wall_seconds if wall_seconds is not None else sum(r["wall_seconds"] for r in results)
        ),
    }
    if "reference" in first:
        extra["reference"] = first["reference"]
    for name in SHARED_FILES:
        if (folders[0] / name).is_file():
            shutil.copyfile(folders[0] / name, out / name)
    write_results(out, experiment, first["preset"], settings, rows, extra)
    make_figures(out)
    return read_results(out)
