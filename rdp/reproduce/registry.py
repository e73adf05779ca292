"""The registry of reproducible figures.

A figure is a [`FigureSpec`][rdp.reproduce.registry.FigureSpec]: an ID, a caption, the paper and
figure
number it reproduces, and a function that computes its data and draws it
([`FigureOutput`][rdp.reproduce.registry.FigureOutput]). Specs come from *providers*: functions
returning a
list of specs. The built-in providers are the ``figures()`` functions of the
modules in ``PROVIDER_MODULES``; optional modules (e.g. the neural MNIST
figures, which exist only once their training results do) are listed in
``OPTIONAL_PROVIDER_MODULES`` and skipped when they cannot be imported;
any code may add a provider at run time with
[`register_provider`][rdp.reproduce.registry.register_provider].
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

#: Modules whose ``figures()`` returns the built-in figure specs, in index order.
PROVIDER_MODULES: tuple[str, ...] = (
    "rdp.reproduce.blau_michaeli",
    "rdp.reproduce.yan",
    "rdp.reproduce.freirich",
    "rdp.reproduce.discrete",
)

#: Modules that provide figures when they can be imported (their ``figures()`` may
#: return an empty list, e.g. when no trained results exist yet).
OPTIONAL_PROVIDER_MODULES: tuple[str, ...] = ("rdp.neural.figures", "rdp.codec.figures")

Columns = dict[str, NDArray]

#: The tables of every live FigureOutput, by its figure (see ``tables_of``).
_TABLES: weakref.WeakKeyDictionary[Figure, dict[str, Columns]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class FigureOutput:
    """What a figure's ``make`` function returns.

    Attributes
    ----------
    figure : Figure
        The drawn figure (object-oriented matplotlib API).
    tables : dict of str to dict of str to ndarray
        The data behind the figure: each table maps column names to equal-length
        1-D arrays and is written as CSV (table ``'data'`` as ``<ID>.csv``, any
        other table ``name`` as ``<ID>-<name>.csv``).
    note : str
        One line on how the numbers were obtained and how many are certified; the
        index shows it under the caption ('' for none).
    stopped : int
        How many computed points have no certified value
        ([`rdp.status.is_certified`][rdp.status.is_certified]) and carry bounds only
        (the figure marks them; ``rdp reproduce`` names the figure on stderr).
    """

    figure: Figure
    tables: dict[str, Columns]
    note: str = ""
    stopped: int = 0

    def __post_init__(self) -> None:
        for name, columns in self.tables.items():
            lengths = {np.asarray(v).shape for v in columns.values()}
            if len(lengths) != 1 or len(next(iter(lengths))) != 1:
                raise ValueError(
                    f"table {name!r} must hold equal-length 1-D columns; got shapes {lengths}"
                )
        _TABLES[self.figure] = self.tables


def tables_of(figure: Figure) -> dict[str, Columns] | None:
    """The data tables of the [`FigureOutput`][rdp.reproduce.registry.FigureOutput] that drew
    ``figure``, or ``None`` for a figure no ``make`` function returned.

    For code that is handed only the figure (the documentation's gallery saves each
    figure a script draws, with its data as CSV beside it). The figure is held weakly.
    """
    return _TABLES.get(figure)


@dataclass(frozen=True)
class FigureSpec:
    """One reproducible figure.

    Attributes
    ----------
    id : str
        Short identifier, used on the command line and as the file stem.
    title : str
        One-line title.
    caption : str
        What the figure shows and how to read it.
    paper : str
        The paper it reproduces (authors, title, venue, year), or a note that
        it goes beyond the papers.
    paper_figure : str
        Which figure, theorem or equation of that paper.
    make : callable
        ``make() -> FigureOutput``: computes the data and draws the figure.
    group : str
        'analytic', 'discrete' or 'neural'.
    environment : str
        Environment settings the command needs, e.g. ``RDP_NEURAL_RESULTS=docs/neural``
        for figures drawn from stored results (shown before the command).
    """

    id: str
    title: str
    caption: str
    paper: str
    paper_figure: str
    make: Callable[[], FigureOutput] = field(repr=False)
    group: str = "analytic"
    environment: str = ""

    @property
    def command(self) -> str:
        """The shell command that produces this figure (with the environment it needs)."""
        prefix = f"{self.environment} " if self.environment else ""
        return f"{prefix}rdp reproduce {self.id}"


_PROVIDERS: list[Callable[[], Iterable[FigureSpec]]] = []


def register_provider(provider: Callable[[], Iterable[FigureSpec]]) -> None:
    """Add ``provider`` (a function returning figure specs) after the built-in ones."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def _module_providers() -> tuple[list[Callable[[], Iterable[FigureSpec]]], dict[str, str]]:
    providers = [importlib.import_module(name).figures for name in PROVIDER_MODULES]
    skipped: dict[str, str] = {}
    for name in OPTIONAL_PROVIDER_MODULES:
        try:
            providers.append(importlib.import_module(name).figures)
        except ImportError as err:  # e.g. rdp.neural without the neural extra
            skipped[name] = f"not importable ({err})"
    return providers, skipped


def skipped_providers() -> dict[str, str]:
    """Optional provider modules that could not be imported, with the reason."""
    return _module_providers()[1]


def all_figures() -> list[FigureSpec]:
    """Every available figure spec, in index order; IDs are unique."""
    providers, _ = _module_providers()
    specs: list[FigureSpec] = []
    seen: set[str] = set()
    for provider in [*providers, *_PROVIDERS]:
        for spec in provider():
            if spec.id in seen:
                raise ValueError(f"two figures share the ID {spec.id!r}")
            seen.add(spec.id)
            specs.append(spec)
    return specs


def select_figures(ids: Iterable[str] | None = None) -> list[FigureSpec]:
    """The specs named by ``ids`` (all when ``None`` or empty), in the order given."""
    specs = all_figures()
    wanted = list(ids or [])
    if not wanted:
        return specs
    by_id = {spec.id: spec for spec in specs}
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        raise ValueError(
            f"unknown figure ID(s) {', '.join(map(repr, unknown))}; "
            "run 'rdp reproduce --list' for the available IDs"
        )
    return [by_id[i] for i in dict.fromkeys(wanted)]
