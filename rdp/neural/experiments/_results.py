"""Writing results (JSON + CSV) and caching finished models' rows for resumption."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import jax
import numpy as np

from rdp._csv import write_csv
from rdp.result import to_jsonable

RESULTS_FILE = "results.json"
TABLE_FILE = "results.csv"


def cached_row(out: Path, name: str) -> dict[str, Any] | None:
    """The saved row of a finished model, or ``None``."""
    path = out / "rows" / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def save_row(out: Path, name: str, row: dict[str, Any]) -> None:
    """Save the row of a finished model so that a resumed run skips it."""
    path = out / "rows" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_jsonable(row), indent=1))


def write_results(
    out: Path, experiment: str, preset: str, settings: dict, rows: list[dict], extra: dict
) -> Path:
    """Write ``results.json`` (settings, rows, environment) and ``results.csv`` (rows)."""
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "experiment": experiment,
        "preset": preset,
        "settings": settings,
        "rows": rows,
        "environment": {
            "jax": jax.__version__,
            "backend": jax.default_backend(),
            "devices": [str(d) for d in jax.devices()],
            "python": platform.python_version(),
        },
        "provenance": {**provenance(), **_started_fields()},
        **extra,
    }
    path = out / RESULTS_FILE
    path.write_text(json.dumps(to_jsonable(payload), indent=1))
    write_csv(out / TABLE_FILE, to_jsonable(rows))
    return path


def aggregate_rows(per_seed: list[list[dict[str, Any]]], keys: tuple[str, ...]) -> list[dict]:
    """Mean and standard deviation over seeds of each numeric column, row by row.

    Rows of different seeds are matched by the values of ``keys`` (e.g. the
    rate). Each aggregated row holds the key columns, the mean under each
    column's own name, the sample standard deviation (``ddof=1``; 0 for one
    seed) under ``NAME_std``, and ``seeds``, the number of seeds averaged.
    """
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for rows in per_seed:
        for row in rows:
            groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    out = []
    for group in groups.values():
        row: dict[str, Any] = {k: group[0][k] for k in keys}
        numeric = [
            c
            for c, v in group[0].items()
            if c not in keys
            and c != "seed"
            and isinstance(v, int | float)
            and not isinstance(v, bool)
        ]
        for c in numeric:
            values = np.array([r[c] for r in group], dtype=float)
            row[c] = float(values.mean())
            row[f"{c}_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        row["seeds"] = len(group)
        if "seed" in group[0]:
            row["seed"] = ",".join(str(r["seed"]) for r in group)
        out.append(row)
    return out


_STARTED: dict[str, Any] = {}


def start_provenance() -> dict[str, Any]:
    """``provenance`` at the start of a run, kept for ``write_results``.

    The commit recorded is the one checked out when the run began (the code
    that trained the models), not whatever HEAD is when the results are written.
    """
    if not _STARTED:
        _STARTED.update(provenance())
    return dict(_STARTED)


def provenance() -> dict[str, Any]:
    """Machine, UTC date, command line and git commit of the code that produced a result.

    ``commit`` is the HEAD commit of the checkout ``rdp`` is imported from
    (``None`` outside a git checkout); ``dirty`` says whether tracked files
    under ``rdp/`` differed from it, in which case the commit alone does not
    reproduce the result.
    """
    import datetime
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no", "--", "rdp")
    return {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(["rdp" if i == 0 else a for i, a in enumerate(sys.argv)]),
        "commit": commit,
        "dirty": bool(status) if status is not None else None,
        "machine": {
            "node": platform.node(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "system": f"{platform.system()} {platform.release()}",
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
    }


def _started_fields() -> dict[str, Any]:
    if not _STARTED:
        return {}
    return {
        "commit": _STARTED["commit"],
        "dirty": _STARTED["dirty"],
        "started_utc": _STARTED["date_utc"],
    }


def read_results(path: str | Path) -> dict[str, Any]:
    """Load a ``results.json`` (or the one inside a directory)."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_FILE
    return json.loads(path.read_text())
