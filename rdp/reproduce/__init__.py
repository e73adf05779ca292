"""Reproduce the papers' figures: a registry of figure specs and a runner.

>>> from rdp.reproduce import select_figures
>>> [spec.id for spec in select_figures(["bernoulli-tv-rd"])]
['bernoulli-tv-rd']

``rdp reproduce [ID ...] --out DIR`` writes each figure as PNG and PDF, its
data as CSV, and ``DIR/index.md``. Add figures by registering a provider
([`register_provider`][rdp.reproduce.registry.register_provider]) or an optional provider module
(``OPTIONAL_PROVIDER_MODULES``).
"""

from rdp.reproduce.registry import (
    OPTIONAL_PROVIDER_MODULES,
    PROVIDER_MODULES,
    FigureOutput,
    FigureSpec,
    all_figures,
    register_provider,
    select_figures,
    skipped_providers,
    tables_of,
)
from rdp.reproduce.runner import Written, read_table, reproduce, write_index, write_table

__all__ = [
    "OPTIONAL_PROVIDER_MODULES",
    "PROVIDER_MODULES",
    "FigureOutput",
    "FigureSpec",
    "Written",
    "all_figures",
    "read_table",
    "register_provider",
    "reproduce",
    "select_figures",
    "skipped_providers",
    "tables_of",
    "write_index",
    "write_table",
]
