"""Sweeps over families of problems: specs, chunks, executors (serial, processes, Dask), stores.

A sweep spec ([`rdp.batch.spec`][rdp.batch.spec]) names families of problems with parameter
grids and (D, P) grids; [`sweep`][rdp.batch.run.sweep] expands it into chunks (one problem × a
block of the grid, warm-started inside by [`Problem.surface`][rdp.problem.Problem.surface]), runs
them on an executor (``rdp.batch.run``) and writes one labelled xarray
dataset to a Zarr store (``rdp.batch.store``), resumable chunk by chunk.
``rdp sweep SPEC --out STORE`` is the command-line form.

Dask, xarray and Zarr (the ``sweep`` extra) are imported when a sweep runs,
never by ``import rdp``.
"""

from rdp.batch.run import EXECUTORS, SweepSummary, run_chunk, sweep, write_sweep
from rdp.batch.spec import (
    MAX_BLOCK,
    MAX_GRID,
    MAX_POINTS,
    SPEC_SCHEMA,
    Chunk,
    Family,
    SweepSpec,
    load_spec,
    parse_spec,
)
from rdp.batch.store import SweepStore, open_sweep, to_surface

__all__ = [
    "EXECUTORS",
    "MAX_BLOCK",
    "MAX_GRID",
    "MAX_POINTS",
    "SPEC_SCHEMA",
    "Chunk",
    "Family",
    "SweepSpec",
    "SweepStore",
    "SweepSummary",
    "load_spec",
    "open_sweep",
    "parse_spec",
    "run_chunk",
    "sweep",
    "to_surface",
    "write_sweep",
]


# ``run_sweep``: deprecated, use [`write_sweep`][rdp.batch.run.write_sweep].
def __getattr__(name: str) -> object:
    if name == "run_sweep":
        from rdp.batch import run

        return run.run_sweep
    raise AttributeError(f"module 'rdp.batch' has no attribute {name!r}")
