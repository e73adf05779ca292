"""Run figure specs: write each figure (PNG + PDF), its data (CSV) and the index page.

Every run updates ``manifest.json`` in the output folder (one entry per
figure ever written there whose files still exist) and rewrites ``index.md``
from it, so that reproducing a subset keeps the earlier figures listed.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from rdp import __version__
from rdp.plot import save_figure
from rdp.reproduce.registry import Columns, FigureSpec

INDEX_NAME = "index.md"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Written:
    """What one figure run wrote.

    Attributes
    ----------
    spec : FigureSpec
        The figure.
    files : list of Path
        PNG, PDF and CSV files written.
    seconds : float
        Wall-clock time to compute, draw and write it.
    note : str
        The figure's [`FigureOutput.note`][rdp.reproduce.registry.FigureOutput].
    stopped : int
        Points with bounds only ([`FigureOutput.stopped`][rdp.reproduce.registry.FigureOutput]).
    """

    spec: FigureSpec
    files: list[Path]
    seconds: float
    note: str = ""
    stopped: int = 0


def write_table(columns: Columns, path: Path) -> Path:
    """Write equal-length columns as CSV (floats with 12 significant digits; inf/nan as text)."""
    names = list(columns)
    arrays = [np.asarray(columns[name]) for name in names]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in zip(*arrays, strict=True):
            writer.writerow([f"{v:.12g}" if isinstance(v, float | np.floating) else v for v in row])
    return path


def read_table(path: str | Path) -> dict[str, np.ndarray]:
    """Read a CSV written by ``write_table`` back into float columns (text stays text)."""
    with Path(path).open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    out: dict[str, np.ndarray] = {}
    for i, name in enumerate(header):
        values = [row[i] for row in body]
        try:
            out[name] = np.array([float(v) for v in values])
        except ValueError:
            out[name] = np.array(values)
    return out


def table_filename(figure_id: str, table: str) -> str:
    """``<ID>.csv`` for the table named 'data', else ``<ID>-<table>.csv``."""
    return f"{figure_id}.csv" if table == "data" else f"{figure_id}-{table}.csv"


def run_figure(spec: FigureSpec, out_dir: Path) -> Written:
    """Compute, draw and write one figure into ``out_dir``."""
    start = time.perf_counter()
    output = spec.make()
    files = save_figure(output.figure, out_dir / spec.id)
    for table, columns in output.tables.items():
        files.append(write_table(columns, out_dir / table_filename(spec.id, table)))
    return Written(spec, files, time.perf_counter() - start, output.note, output.stopped)


def reproduce(
    specs: Sequence[FigureSpec], out_dir: str | Path, *, progress: bool = True
) -> list[Written]:
    """Write every figure in ``specs`` into ``out_dir`` and update the index.

    Parameters
    ----------
    specs : sequence of FigureSpec
        The figures (see [`rdp.reproduce.select_figures`][rdp.reproduce.registry.select_figures]).
    out_dir : str or Path
        Output folder (created if missing).
    progress : bool
        Show a tqdm progress bar on stderr.

    Returns
    -------
    list of Written
        One entry per figure, in order.

    Raises
    ------
    ReproduceInterrupted
        On Ctrl-C, after writing ``index.md`` for the figures finished.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    bar = tqdm(specs, desc="figures", unit="fig", disable=not progress, leave=True)
    try:
        for spec in bar:
            bar.set_postfix_str(spec.id)
            written.append(run_figure(spec, out))
    except KeyboardInterrupt as err:
        # Ctrl-C: index the figures finished so far, then stop
        bar.close()
        write_index(out, _update_manifest(out, written))
        raise ReproduceInterrupted(written) from err
    manifest = _update_manifest(out, written)
    write_index(out, manifest)
    return written


class ReproduceInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``reproduce``; ``written`` lists the figures finished (and indexed)."""

    def __init__(self, written: list[Written]) -> None:
        super().__init__("interrupted")
        self.written = written


def _entry(item: Written, out: Path) -> dict[str, Any]:
    spec = item.spec
    return {
        "id": spec.id,
        "title": spec.title,
        "caption": spec.caption,
        "paper": spec.paper,
        "paper_figure": spec.paper_figure,
        "group": spec.group,
        "command": spec.command,
        "files": [str(path.relative_to(out)) for path in item.files],
        "seconds": round(item.seconds, 3),
        "note": item.note,
        "stopped": item.stopped,
    }


def _update_manifest(out: Path, written: Iterable[Written]) -> list[dict[str, Any]]:
    path = out / MANIFEST_NAME
    entries: dict[str, dict[str, Any]] = {}
    if path.exists():
        entries = {entry["id"]: entry for entry in json.loads(path.read_text())["figures"]}
    for item in written:
        entries[item.spec.id] = _entry(item, out)
    kept = [e for e in entries.values() if all((out / f).exists() for f in e["files"])]
    path.write_text(json.dumps({"rdp_version": __version__, "figures": kept}, indent=2) + "\n")
    return kept


def write_index(out: Path, entries: Sequence[dict[str, Any]]) -> Path:
    """Write ``index.md``: each figure embedded with caption, paper/figure, command and data."""
    lines = [
        "# Reproduced figures",
        "",
        f"Made by `rdp reproduce` (rdp {__version__}). Each figure lists the paper and figure "
        "it reproduces, the command that makes it, and its data (CSV).",
        "",
        "| ID | figure | reproduces | time (s) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| [{e['id']}](#{e['id']}) | {e['title']} | {e['paper_figure']} | {e['seconds']:.2f} |"
        for e in entries
    ]
    for e in entries:
        png = next(f for f in e["files"] if f.endswith(".png"))
        pdf = next(f for f in e["files"] if f.endswith(".pdf"))
        data = [f for f in e["files"] if f.endswith(".csv")]
        lines += [
            "",
            f'<a id="{e["id"]}"></a>',
            "",
            f"## {e['id']}: {e['title']}",
            "",
            f"![{e['title']}]({png})",
            "",
            e["caption"],
            "",
            *([f"- **Points:** {e['note']}"] if e.get("note") else []),
            f"- **Reproduces:** {e['paper']} — {e['paper_figure']}",
            f"- **Command:** `{e['command']}`",
            f"- **Files:** [PDF]({pdf}), " + ", ".join(f"[{f}]({f})" for f in data),
        ]
    path = out / INDEX_NAME
    path.write_text("\n".join(lines) + "\n")
    return path
