"""Running a sweep: chunks on an executor, results into the store, a summary at the end.

One chunk is one problem × a block of the (P, D) grid, solved by
[`Problem.surface`][rdp.problem.Problem.surface] (warm-started along the block's snake order) in
``run_chunk``, a pure function of the chunk: the same chunk gives the same
numbers, bit for bit, whichever executor runs it (each chunk runs with one BLAS
thread). The client writes each finished chunk into the store as it arrives,
so an interrupted or killed sweep keeps its finished chunks and a rerun with
the same spec and store runs only the others.

Executors:

- ``'serial'``: in this process, one chunk after another;
- ``'processes'``: a pool of local processes (default: one per core);
- ``'dask'``: ``dask.distributed``, on a ``LocalCluster`` of ``workers``
  processes, or on the running cluster whose scheduler is at ``scheduler``
  (``'tcp://host:8786'``). A worker lost mid-sweep is survived: Dask reruns
  its chunks on the other workers.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rdp._deprecation import deprecated
from rdp._parallel import check_workers, explain_broken_pool, one_blas_thread, process_pool
from rdp.batch.spec import Chunk, SweepSpec, build_problem, parse_spec
from rdp.batch.store import SweepStore, open_sweep
from rdp.exceptions import UnconvergedWarning, uncertified_message

__all__ = ["EXECUTORS", "SweepSummary", "run_chunk", "sweep", "write_sweep"]

EXECUTORS = ("serial", "processes", "dask")
#: Seconds to wait for a running Dask scheduler (``scheduler=``) to answer.
SCHEDULER_TIMEOUT = 10.0


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep run did.

    Attributes
    ----------
    points : int
        Points of the whole sweep.
    chunks : int
        Chunks of the whole sweep.
    computed_chunks, skipped_chunks : int
        Chunks run now, and chunks found finished in the store (resumed).
    computed_points : int
        Points solved now.
    uncertified : int
        Points of the store that are not certified
        ([`rdp.status.is_certified`][rdp.status.is_certified], stored as ``certified``).
    uncertified_statuses : dict
        Status -> count among those points.
    infeasible : int
        Points below D_min(P).
    wall_seconds : float
        Wall time of this run.
    executor : str
    store : str or None
    """

    points: int
    chunks: int
    computed_chunks: int
    skipped_chunks: int
    computed_points: int
    uncertified: int
    uncertified_statuses: dict[str, int]
    infeasible: int
    wall_seconds: float
    executor: str
    store: str | None

    def warning(self) -> str:
        """The one line that reports the uncertified points ('' when there are none)."""
        if not self.uncertified:
            return ""
        line = uncertified_message(self.uncertified, self.points, self.uncertified_statuses)
        return f"UNCERTIFIED: {line}; 'status' and 'certified' are kept in the store"

    @property
    def unconverged(self) -> int:
        """Deprecated name of ``uncertified``."""
        deprecated("SweepSummary.unconverged", "SweepSummary.uncertified")
        return self.uncertified

    @property
    def unconverged_statuses(self) -> dict[str, int]:
        """Deprecated name of ``uncertified_statuses``."""
        deprecated("SweepSummary.unconverged_statuses", "SweepSummary.uncertified_statuses")
        return self.uncertified_statuses

    @property
    def points_per_second(self) -> float:
        """Points solved now per second of wall time."""
        return self.computed_points / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def lines(self) -> list[str]:
        """The summary as text lines."""
        out = [
            f"sweep: {self.points:,} points in {self.chunks:,} chunks "
            f"({self.computed_chunks:,} run now, {self.skipped_chunks:,} already in the store)",
            f"wall time {self.wall_seconds:.2f} s, {self.points_per_second:,.1f} points/s "
            f"({self.executor})",
            f"infeasible points (D < D_min(P)): {self.infeasible:,}",
        ]
        if self.uncertified:
            out.append(self.warning())
        else:
            out.append(
                "every point is certified (exact, infeasible, or converged/bounds with "
                "upper - lower <= tol)"
            )
        if self.store:
            out.append(f"store: {self.store}")
        return out


# ---------------------------------------------------------------------- one chunk
def run_chunk(chunk: Chunk) -> dict[str, Any]:
    """Solve one chunk: R(D, P) of its problem on its (P, D) block.

    Returns the block's arrays (``rate``, ``lower``, ``upper``, ``feasible``,
    ``status``, ``iterations``; ``min_distortion``, ``zero_rate_distortion``
    per P), the ``method`` name and the compute ``seconds``.
    """
    start = time.perf_counter()
    # uncertified points are counted once for the whole sweep (``SweepSummary.warning``)
    with one_blas_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UnconvergedWarning)
        result = build_problem(chunk.problem).surface(
            chunk.D,
            chunk.P,
            method=chunk.method,
            units=chunk.units,
            warm_start=chunk.warm_start,
            progress=False,
            **chunk.options,
        )
    return {
        "key": chunk.key,
        "rate": np.asarray(result.rate, dtype=float),
        "lower": np.asarray(result.lower, dtype=float),
        "upper": np.asarray(result.upper, dtype=float),
        "feasible": np.asarray(result.feasible, dtype=bool),
        "status": np.asarray(result.status).astype(str),
        "certified": np.asarray(result.certified, dtype=bool),
        "iterations": np.asarray(result.iterations, dtype=np.int64),
        "min_distortion": np.asarray(result.min_distortion, dtype=float),
        "zero_rate_distortion": np.asarray(result.zero_rate_distortion, dtype=float),
        "method": str(result.method),
        "tol": float(result.tol),
        "seconds": time.perf_counter() - start,
    }


# ---------------------------------------------------------------------- executors
Done = Callable[[Chunk, dict[str, Any]], None]


def _serial(chunks: list[Chunk], done: Done, **_: Any) -> None:
    for chunk in chunks:
        done(chunk, run_chunk(chunk))


def _processes(chunks: list[Chunk], done: Done, *, workers: int | None, **_: Any) -> None:
    from concurrent.futures import as_completed

    pool = process_pool(check_workers(workers))
    try:
        with explain_broken_pool():
            futures = {pool.submit(run_chunk, chunk): chunk for chunk in chunks}
            for future in as_completed(futures):
                done(futures[future], future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(
    chunks: list[Chunk],
    done: Done,
    *,
    workers: int | None,
    scheduler: str | None,
    fingerprint: str,
    announce: Callable[[str], None],
) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster)
    else:
        client = _connect(Client, scheduler)
    try:
        if client.dashboard_link:
            announce(f"dask dashboard: {client.dashboard_link}")
        by_key = {f"rdp-sweep-{fingerprint[:16]}-{c.key}": c for c in chunks}
        futures = client.map(run_chunk, chunks, key=list(by_key), pure=False)
        try:
            for future in as_completed(futures):
                done(by_key[future.key], future.result())
                future.release()
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(client_class: Any, scheduler: str) -> Any:
    """A client of the scheduler at ``scheduler``; one ``ValueError`` when it does not answer."""
    try:
        return client_class(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        if len(reason) > 160:
            reason = reason[:157] + "..."
        raise ValueError(
            f"cannot reach the Dask scheduler at {scheduler!r} ({reason}; waited at most "
            f"{SCHEDULER_TIMEOUT:g} s): check the address (tcp://HOST:PORT) and that the "
            "scheduler runs"
        ) from None


_EXECUTORS = {"serial": _serial, "processes": _processes, "dask": _dask}


# ---------------------------------------------------------------------- the sweep
def write_sweep(
    spec: dict[str, Any] | SweepSpec | str | Path,
    store: str | Path,
    *,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
    announce: Callable[[str], None] | None = None,
) -> SweepSummary:
    """Compute the sweep ``spec`` into the Zarr ``store``; return its summary.

    Returns a [`SweepSummary`][rdp.batch.run.SweepSummary]. The writing half of
    [`sweep`][rdp.batch.run.sweep] (which also reads the results back);
    [`open_sweep`][rdp.batch.store.open_sweep] reads a store it wrote.

    Parameters
    ----------
    spec : dict, SweepSpec, or path of a JSON/YAML spec
        The sweep (see [`rdp.batch.spec`][rdp.batch.spec]); checked before any work.
    store : str or Path
        The Zarr store (a folder). If it holds this spec's results, finished
        chunks are skipped (resume); if it holds another spec, ``ValueError``
        unless ``overwrite``.
    executor : {'serial', 'processes', 'dask'}
        Where chunks run (default: a pool of local processes).
    workers : int, optional
        Local processes or ``LocalCluster`` workers (default: the cores).
    scheduler : str, optional
        Address of a running Dask scheduler (``executor='dask'`` only).
    overwrite : bool
        Replace a store that holds something else.
    progress : bool, optional
        A progress bar over chunks on stderr (default: more than 20 chunks to run).
    announce : callable, optional
        Receives one-line notes (e.g. the Dask dashboard address).
    """
    spec = _as_spec(spec)
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}; got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError("a scheduler address needs executor 'dask'")
    if workers is not None:
        check_workers(workers)
    start = time.perf_counter()
    if executor == "dask" and scheduler is not None:  # unreachable: one line, before the store
        from distributed import Client

        _connect(Client, scheduler).close()
    target = SweepStore(store, spec)
    finished = target.prepare(overwrite=overwrite)
    chunks = spec.chunks()
    todo = [c for c in chunks if c.key not in finished]
    bar = _bar(progress, len(todo))
    computed = {"chunks": 0, "points": 0}
    statuses: dict[str, int] = {}
    uncertified: dict[str, int] = {}

    def count(values: np.ndarray, certified: np.ndarray) -> None:
        values = np.asarray(values).astype(str)
        for table, names in ((statuses, values), (uncertified, values[~certified])):
            for name, n in zip(*np.unique(names, return_counts=True), strict=True):
                table[str(name)] = table.get(str(name), 0) + int(n)

    for chunk in chunks:
        if chunk.key in finished:
            count(*target.statuses(chunk))

    def done(chunk: Chunk, result: dict[str, Any]) -> None:
        target.write(chunk, result)
        count(result["status"], result["certified"])
        computed["chunks"] += 1
        computed["points"] += chunk.points
        if bar is not None:
            bar.update(1)

    runner = _EXECUTORS[executor]
    try:
        if todo:
            runner(
                todo,
                done,
                workers=workers,
                scheduler=scheduler,
                fingerprint=spec.fingerprint,
                announce=announce or (lambda line: None),
            )
    finally:
        if bar is not None:
            bar.close()
    wall = time.perf_counter() - start
    not_certified = {s: n for s, n in uncertified.items() if s != "" and n > 0}
    return SweepSummary(
        points=spec.points,
        chunks=len(chunks),
        computed_chunks=computed["chunks"],
        skipped_chunks=len(chunks) - len(todo),
        computed_points=computed["points"],
        uncertified=sum(not_certified.values()),
        uncertified_statuses=not_certified,
        infeasible=statuses.get("infeasible", 0),
        wall_seconds=wall,
        executor=executor,
        store=str(store),
    )


def sweep(
    spec: dict[str, Any] | SweepSpec | str | Path,
    store: str | Path | None = None,
    *,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
):
    """Run a sweep of families of problems; return its results as xarray.

    [`write_sweep`][rdp.batch.run.write_sweep] into ``store`` (a temporary one by default),
    then [`open_sweep`][rdp.batch.store.open_sweep]. For one problem's curve or surface use
    [`Problem.rd_curve`][rdp.problem.Problem.rd_curve] and
    [`Problem.surface`][rdp.problem.Problem.surface].

    Returns an ``xarray.Dataset`` with dims ``(*swept parameters, P, D)`` and
    the variables of ``rdp.batch.store`` for a one-family spec, an
    ``xarray.DataTree`` with one child per family otherwise, read lazily from
    ``store`` ([`open_sweep`][rdp.batch.store.open_sweep]). Without ``store`` the
    sweep runs in a temporary store, read into memory and deleted.
    Points without a certificate give an
    [`UnconvergedWarning`][rdp.exceptions.UnconvergedWarning] (as ``Problem.surface`` does;
    ``status`` and ``certified`` in the data say which).

    Examples
    --------
    >>> import rdp
    >>> ds = rdp.sweep(
    ...     {
    ...         "families": [
    ...             {
    ...                 "source": {"kind": "bernoulli", "p": [0.1, 0.2]},
    ...                 "perception": ["tv"],
    ...             }
    ...         ],
    ...         "D": "0:0.3:4",
    ...         "P": [0.0, 0.1],
    ...     },
    ...     executor="serial",
    ... )
    >>> dict(ds.sizes)
    {'p': 2, 'perception': 1, 'P': 2, 'D': 4}
    """
    spec = _as_spec(spec)
    with (
        tempfile.TemporaryDirectory(prefix="rdp-sweep-") if store is None else nullcontext()
    ) as tmp:
        path = Path(tmp) / "sweep.zarr" if store is None else Path(store)
        summary = write_sweep(
            spec,
            path,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            overwrite=overwrite,
            progress=progress,
        )
        data = open_sweep(path)
        if store is None:
            data = data.load()
    if summary.uncertified:
        warnings.warn(summary.warning(), UnconvergedWarning, stacklevel=2)
    return data


def _as_spec(spec: dict[str, Any] | SweepSpec | str | Path) -> SweepSpec:
    if isinstance(spec, str | Path):
        from rdp.batch.spec import load_spec

        return load_spec(spec)
    return parse_spec(spec)


def _bar(show: bool | None, total: int) -> Any:
    if not (total > 20 if show is None else show) or total == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="sweep", unit="chunk", file=sys.stderr)


# ``run_sweep``: deprecated, use [`write_sweep`][rdp.batch.run.write_sweep].
def __getattr__(name: str) -> Any:
    if name == "run_sweep":
        from rdp._deprecation import forwarding

        return forwarding("rdp.batch.run_sweep", "rdp.batch.write_sweep", write_sweep)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
