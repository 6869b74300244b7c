"""Where calibration and sensitivity simulate their chunks of rows: here, on local processes, or on a Dask cluster.

Both cut their work into chunks of (parameters, run) rows, each chunk one ensemble, and map a
function over the chunks; since every row is measured as if it ran alone, where a chunk runs
changes the time, never a result.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, WorkerLost

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]  # like map: results in the chunks' order


@contextlib.contextmanager
def open_map(workers: int, dask_address: str | None = None, where: Path | None = None) -> Iterator[tuple[Mapper, int]]:
    """A map over chunks and how many chunks it runs at once: serial, ``workers`` spawned processes, or Dask.

    ``dask_address`` (tcp://HOST:PORT) names a running scheduler; ``where`` is the file that asked
    for it, named if it cannot be reached.
    """
    if dask_address is not None:
        with _dask_map(dask_address, where) as dask:
            yield dask
    elif workers == 1:
        yield map, 1
    else:
        # Spawned workers start clean (no inherited state or threads) on every platform.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:

            def mapped(function: Callable[[Any], Any], chunks: Iterable[Any]) -> Iterator[Any]:
                try:
                    yield from pool.map(function, chunks)
                except BrokenProcessPool:
                    raise WorkerLost(
                        f"a worker process died while simulating (killed by the system, most often for want of "
                        f"memory); nothing was written. Run again with fewer workers (there were {workers}) or "
                        "on a machine with more memory",
                        path=where,
                        field="budget.workers",
                    ) from None

            yield mapped, workers


@contextlib.contextmanager
def _dask_map(address: str, where: Path | None) -> Iterator[tuple[Mapper, int]]:
    """A map over the workers of the Dask scheduler at ``address``."""
    from dask.distributed import Client

    try:
        client = Client(address, timeout="5s")
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(
            f"cannot reach the Dask scheduler at {address} ({error})", path=where, field="budget.dask_address"
        ) from None

    def mapped(function: Callable[[Any], Any], chunks: Iterable[Any]) -> Iterator[Any]:
        futures = client.map(function, list(chunks), pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            client.cancel(futures)

    try:
        yield mapped, max(1, len(client.scheduler_info()["workers"]))
    finally:
        client.close()
