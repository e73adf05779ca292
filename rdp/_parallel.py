"""Local process pools shared by the parallel paths: surfaces and the ``'processes'`` sweeps.

[`Problem.surface`][rdp.problem.Problem.surface] (``workers=``) and the ``'processes'``
executor of [`rdp.batch`][rdp.batch] run their work in a pool of *spawned*
processes: a spawned worker starts from a fresh interpreter (no BLAS thread pool
or lock inherited from a fork), the same way on every operating system. Each
unit of work runs with one BLAS/OpenMP thread ([`one_blas_thread`][rdp._parallel.one_blas_thread]),
so ``W`` workers use ``W`` cores, not ``W`` times the BLAS thread count.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # multiprocessing is imported when a pool is made, not by ``import rdp``
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

__all__ = [
    "BROKEN_POOL_MESSAGE",
    "check_workers",
    "explain_broken_pool",
    "one_blas_thread",
    "process_pool",
    "spawn_context",
]

#: The error raised in place of ``BrokenProcessPool`` (a worker process died).
BROKEN_POOL_MESSAGE = (
    "a worker process ended abruptly. Run from a script, the call that asks for workers "
    "must sit under 'if __name__ == \"__main__\":' (workers are started with 'spawn' and "
    "import the script again, so code outside that guard runs in every worker); otherwise "
    "a worker ran out of memory or was killed. workers=1 runs in this process"
)


def check_workers(workers: Any, name: str = "workers") -> int:
    """The number of worker processes that ``workers`` asks for.

    Parameters
    ----------
    workers : int or None
        An integer ≥ 1, or None for one process per core (``os.cpu_count()``).
    name : str
        The parameter's name in the error message (``'--workers'`` on the command line).

    Returns
    -------
    int
        The number of processes, ≥ 1.

    Raises
    ------
    ValueError
        For a bool, a non-integer (``2.5``, ``'2'``) or a value below 1.
    """
    if workers is None:
        return os.cpu_count() or 1
    bad = ValueError(
        f"{name} must be an integer ≥ 1 (or None for one process per core); got {workers!r}"
    )
    if isinstance(workers, bool):
        raise bad
    try:
        count = operator.index(workers)
    except TypeError:
        raise bad from None
    if count < 1:
        raise bad
    return count


def spawn_context() -> BaseContext:
    """The ``'spawn'`` multiprocessing context every pool of the library uses."""
    import multiprocessing

    return multiprocessing.get_context("spawn")


def process_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes.

    Parameters
    ----------
    workers : int
        Processes (≥ 1; see [`check_workers`][rdp._parallel.check_workers]).
    initializer, initargs
        Run once in each worker before its first task (as in ``ProcessPoolExecutor``);
        ``initargs`` may hold queues and events of [`spawn_context`][rdp._parallel.spawn_context].

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
        The caller shuts it down (``shutdown(wait=True, cancel_futures=True)``).
    """
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=spawn_context(),
        initializer=initializer,
        initargs=initargs,
    )


#: The threadpoolctl controller, made on the first call (inspecting the loaded
#: libraries takes about 3 ms: too long to repeat for every solve); ``[None]`` when
#: threadpoolctl cannot inspect them.
_CONTROLLER: list = []


@contextmanager
def explain_broken_pool() -> Iterator[None]:
    """Turn ``BrokenProcessPool`` into a ``RuntimeError`` that says what to do.

    The usual cause is a script without the ``if __name__ == "__main__":`` guard
    (see [`BROKEN_POOL_MESSAGE`][rdp._parallel.BROKEN_POOL_MESSAGE]).
    """
    from concurrent.futures.process import BrokenProcessPool

    try:
        yield
    except BrokenProcessPool as err:
        raise RuntimeError(BROKEN_POOL_MESSAGE) from err


def one_blas_thread() -> AbstractContextManager:
    """A context in which BLAS and OpenMP run on one thread (threadpoolctl), else a no-op context.

    Used around each unit of pool work and by the fast solver around its loop: its
    matrix–vector products are memory-bound, and on a loaded machine a
    multi-threaded BLAS spends far longer synchronising its threads (measured:
    30 ms instead of 0.4 ms for one 1024 × 1024 product) than it gains. The
    libraries are those loaded at the first call in this process.
    """
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER.append(ThreadpoolController())
        except Exception:  # threadpoolctl missing or unable to inspect the libraries
            _CONTROLLER.append(None)
    controller = _CONTROLLER[0]
    if controller is None:
        return nullcontext()
    return controller.limit(limits=1)
