"""Figures drawn from stored results: one provider for the neural and the codec figures.

Training runs (``rdp neural ...``, ``rdp codec ...``) write their numbers as
JSON; their figures are redrawn from those files, never retrained. A module
declares its figures ([`StoredFigure`][rdp.reproduce.stored.StoredFigure]: an ID,
the rows of its data table and a draw function) and the results files they come
from ([`StoredResults`][rdp.reproduce.stored.StoredResults]);
[`stored_figures`][rdp.reproduce.stored.stored_figures] does the rest for
``rdp reproduce``:

- **discovery**: the folders named by an environment variable
  (``os.pathsep``-separated, with a default), each searched for the results
  files to a given depth; for each figure ID the first folder holding it wins;
- **provenance**: each caption ends with the results folder and the preset of
  the run, and the spec's command names the environment that selects that
  folder (when the folders were chosen by the environment variable);
- **registration**: a ``figures()`` function returning
  [`FigureSpec`][rdp.reproduce.registry.FigureSpec]s whose ``make`` redraws the
  figure and returns its data table (the rows of the results, one column per
  field).

[`write_stored_figures`][rdp.reproduce.stored.write_stored_figures] draws the same
figures as PNG files beside the results, as the training commands do.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from rdp.reproduce.registry import FigureOutput, FigureSpec

__all__ = [
    "StoredFigure",
    "StoredResults",
    "rows_as_columns",
    "stored_figures",
    "write_stored_figures",
]

Results = dict[str, Any]


def _rows(results: Results) -> list[dict[str, Any]]:
    return results["rows"]


@dataclass(frozen=True)
class StoredFigure:
    """One figure drawn from a stored results file.

    Attributes
    ----------
    id : str
        The figure's ID in ``rdp reproduce``.
    filename : str
        The PNG file the training command writes beside the results.
    title : str
        One-line title.
    caption : str or callable
        What the figure shows; a callable ``caption() -> str`` for a caption
        that depends on what else is found (it is called when the specs are listed).
    paper, paper_figure : str
        The paper and the figure, theorem or equation it follows.
    draw : callable
        ``draw(results, folder) -> Figure``: ``results`` is the parsed JSON,
        ``folder`` the folder holding it (for files saved beside it).
    table : callable
        ``table(results) -> rows``: the rows (dicts) of the data table; default
        ``results["rows"]``.
    numeric_only : bool
        Keep only the columns whose values are all numbers (for rows that also
        hold text or nested fields).
    needs : tuple of str
        Files that must exist beside the results for the figure to be drawn
        (e.g. saved samples); without them the figure is not offered.
    """

    id: str
    filename: str
    title: str
    caption: str | Callable[[], str]
    paper: str
    paper_figure: str
    draw: Callable[[Results, Path], Figure]
    table: Callable[[Results], list[dict[str, Any]]] = _rows
    numeric_only: bool = False
    needs: tuple[str, ...] = ()

    def available(self, folder: Path) -> bool:
        """Whether the files the figure needs exist in ``folder``."""
        return all((folder / name).is_file() for name in self.needs)

    def output(self, results: Results, folder: Path) -> FigureOutput:
        """The figure and its data table (table ``'data'``)."""
        columns = rows_as_columns(self.table(results), numeric_only=self.numeric_only)
        return FigureOutput(self.draw(results, folder), {"data": columns})


@dataclass(frozen=True)
class StoredResults:
    """A kind of results file and the figures drawn from it.

    Attributes
    ----------
    filename : str
        The JSON file a training command writes, e.g. ``'results.json'``.
    figures : callable
        ``figures(results) -> sequence of StoredFigure``: the figures of one
        file, chosen from its contents (e.g. by its ``experiment`` field).
    depth : int
        How many folder levels below a search folder to look (0: only in it).
    skip : callable
        ``skip(path) -> bool`` for files found but not to be used (e.g. the
        per-seed results under an aggregate).
    """

    filename: str
    figures: Callable[[Results], Sequence[StoredFigure]]
    depth: int = 0
    skip: Callable[[Path], bool] = lambda path: False

    def find(self, root: Path) -> list[Path]:
        """The results files under ``root`` (to ``depth`` levels), sorted."""
        if not root.is_dir():
            return []
        found = {
            p for level in range(self.depth + 1) for p in root.glob(level * "*/" + self.filename)
        }
        return sorted(p for p in found if p.is_file() and not self.skip(p))


def rows_as_columns(
    rows: list[dict[str, Any]], *, numeric_only: bool = False
) -> dict[str, np.ndarray]:
    """The fields of ``rows`` (dicts with the keys of the first) as columns.

    With ``numeric_only``, only the fields that are numbers in every row.
    """
    if not rows:
        return {}
    return {
        name: np.array([row[name] for row in rows])
        for name in rows[0]
        if not numeric_only or all(isinstance(row.get(name), (int, float)) for row in rows)
    }


def read_json(path: Path) -> Results:
    """A results file, or a ``ValueError`` naming it."""
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise ValueError(f"{path}: not a JSON results file ({err})") from None


def search_folders(variable: str, default: str) -> list[str]:
    """The folders in ``$variable`` (``os.pathsep``-separated), else in ``default``."""
    return [root for root in os.environ.get(variable, default).split(os.pathsep) if root]


def stored_figures(
    variable: str, default: str, kinds: Iterable[StoredResults], *, group: str = "neural"
) -> list[FigureSpec]:
    """Figure specs for ``rdp reproduce`` from the results found under the search folders.

    Parameters
    ----------
    variable : str
        Environment variable naming the folders to search (``os.pathsep``-separated).
    default : str
        The folders searched when ``variable`` is not set.
    kinds : iterable of StoredResults
        The results files to look for and their figures.
    group : str
        The specs' group.

    Returns
    -------
    list of FigureSpec
        One per figure whose results (and needed files) were found; for each ID
        the first folder in search order wins. Each caption ends with the
        results folder and the run's preset; when ``variable`` is set, each
        command sets it to the search folder the figure came from. Empty when no
        results exist.
    """
    kinds = list(kinds)
    chosen = variable in os.environ
    specs: dict[str, FigureSpec] = {}
    for root in search_folders(variable, default):
        environment = f"{variable}={root}" if chosen else ""
        for kind in kinds:
            for path in kind.find(Path(root)):
                results = read_json(path)
                for figure in kind.figures(results):
                    if figure.id in specs or not figure.available(path.parent):
                        continue
                    specs[figure.id] = _spec(figure, results, path.parent, environment, group)
    return list(specs.values())


def _spec(
    figure: StoredFigure, results: Results, folder: Path, environment: str, group: str
) -> FigureSpec:
    caption = figure.caption() if callable(figure.caption) else figure.caption
    return FigureSpec(
        id=figure.id,
        title=figure.title,
        caption=f"{caption} Results: {folder} (preset {results.get('preset', '?')}).",
        paper=figure.paper,
        paper_figure=figure.paper_figure,
        make=lambda: figure.output(results, folder),
        group=group,
        environment=environment,
    )


def write_stored_figures(
    figures: Iterable[StoredFigure],
    results: Results,
    folder: str | os.PathLike,
    *,
    dpi: int,
    note: str | None = None,
) -> list[Path]:
    """Draw ``figures`` as PNG files into ``folder`` (each under its ``filename``).

    ``note``: a provenance line written under the panels and into the PNG's
    ``Comment`` metadata (none when ``None``). Figures whose needed files are
    missing are skipped. Returns the paths written.
    """
    folder = Path(folder)
    written = []
    for figure in figures:
        if not figure.available(folder):
            continue
        fig = figure.draw(results, folder)
        metadata = None
        if note is not None:
            # supxlabel: the constrained layout keeps room for it under the panels
            fig.supxlabel(note, fontsize=5.5, color="#777777")
            metadata = {"Comment": note}
        fig.savefig(folder / figure.filename, dpi=dpi, metadata=metadata, bbox_inches="tight")
        written.append(folder / figure.filename)
    return written
