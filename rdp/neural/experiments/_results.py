"""Writing results (JSON + CSV) and caching finished models' rows for resumption."""

from __future__ import annotations

import csv
import json
import platform
from pathlib import Path
from typing import Any

import jax

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
        **extra,
    }
    path = out / RESULTS_FILE
    path.write_text(json.dumps(to_jsonable(payload), indent=1))
    if rows:
        with open(out / TABLE_FILE, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(to_jsonable(rows))
    return path


def read_results(path: str | Path) -> dict[str, Any]:
    """Load a ``results.json`` (or the one inside a directory)."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_FILE
    return json.loads(path.read_text())
