"""Scenario batches: replicates times sweep points, run in parallel, stored as they finish.

Run ``i`` of a batch is replicate ``i % replicates`` of sweep point ``i // replicates``; its
random numbers are those of run ``i`` of the scenario's decision streams (see
:mod:`sim.model.draws`), so a run's results depend only on the scenario and its index: not on
the number of workers, the executor, the chunking or the order in which runs finish. Runs are
grouped into chunks, each stepped as one ensemble (one model, a replicate axis, the sweep
point's parameters per replicate); each finished chunk is
written at once (see :class:`sim.experiments.store.BatchStore`), so an interrupted batch keeps every
finished chunk and ``--resume`` runs only what is missing.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from sim.core.errors import InputError, WorkerLost
from sim.core.relations import pair_key, pair_label
from sim.experiments.metrics import event_counts, run_metrics
from sim.experiments.runner import ENSEMBLE_SIZE
from sim.experiments.store import BatchStore, scenario_record
from sim.model.model import SahelModel
from sim.model.scenario import LoadedScenario, Scenario
from sim.model.sweep import sweep_points

if TYPE_CHECKING:  # for type hints only: dask is optional
    from dask.distributed import LocalCluster

Executor = Literal["local", "dask"]
Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: its index (which seeds it), sweep point, replicate and parameters."""

    run: int
    point: int
    replicate: int
    parameters: dict[str, float]


def plan_runs(scenario: Scenario, points: pd.DataFrame) -> list[RunSpec]:
    """Every run of the scenario's batch over its sweep ``points``, in run-index order."""
    runs = []
    for point, row in enumerate(points.to_dict(orient="records") or [{}]):
        parameters = {str(name): float(value) for name, value in row.items()}
        for replicate in range(scenario.replicates):
            runs.append(RunSpec(point * scenario.replicates + replicate, point, replicate, parameters))
    return runs


def simulate_chunk(scenario: Scenario, runs: Sequence[RunSpec]) -> Tables:
    """Step a chunk of runs together as one ensemble and gather their tables (what a worker executes).

    The model's replicates are the chunk's runs, each with its index (which lays out its random
    numbers), its sweep point's parameters and its replicate's posterior draw (the same at every point).
    """
    ids = np.array([spec.run for spec in runs])
    model = SahelModel(scenario, ids, [spec.parameters for spec in runs], [spec.replicate for spec in runs]).run()
    key_pairs = [pair_key(*pair) for pair in scenario.key_pairs]
    columns = [model.ledger.column(*pair) for pair in key_pairs]
    tension, cooperation = model.tension_history[:, :, columns], model.cooperation_history[:, :, columns]
    records = model.log.records()
    point = {spec.run: spec.point for spec in runs}
    metrics = run_metrics(tension, cooperation, records, ids, key_pairs, scenario.tension_threshold)
    metrics.insert(1, "point", metrics["run"].map(point))
    metrics.insert(2, "replicate", metrics["run"].map({spec.run: spec.replicate for spec in runs}))
    counts = event_counts(records, ids)
    counts.insert(1, "point", counts["run"].map(point))
    events = records.groupby("run").size().reindex(ids, fill_value=0).to_numpy()
    dates = pd.to_datetime(np.array(model.dates, dtype="datetime64[D]"))
    return {
        "tension": _tension_table(runs, tension, cooperation, dates, [pair_label(*pair) for pair in key_pairs]),
        "metrics": metrics,
        "counts": counts,
        "runs": pd.DataFrame(
            {"run": ids, "point": [s.point for s in runs], "replicate": [s.replicate for s in runs], "events": events}
        ),
    }


def _tension_table(
    runs: Sequence[RunSpec], tension: np.ndarray, cooperation: np.ndarray, dates: pd.DatetimeIndex, labels: list[str]
) -> pd.DataFrame:
    """[week, run, pair] arrays as one long table (by run, week, pair) with compact column types."""
    n_weeks, n_runs, n_pairs = tension.shape
    per_run = n_weeks * n_pairs
    return pd.DataFrame(
        {
            "run": np.repeat([spec.run for spec in runs], per_run).astype(np.int32),
            "point": np.repeat([spec.point for spec in runs], per_run).astype(np.int32),
            "date": np.tile(np.repeat(dates.to_numpy(), n_pairs), n_runs),
            "pair": pd.Categorical(np.tile(labels, n_weeks * n_runs), categories=labels),
            "tension": tension.transpose(1, 0, 2).reshape(-1).astype(np.float32),
            "cooperation": cooperation.transpose(1, 0, 2).reshape(-1).astype(np.float32),
        }
    )


def chunked(runs: Sequence[RunSpec], workers: int) -> list[list[RunSpec]]:
    """Chunks small enough to balance the workers and show progress, large enough to fill an ensemble."""
    size = max(1, min(ENSEMBLE_SIZE, math.ceil(len(runs) / (4 * max(workers, 1)))))
    return [list(runs[i : i + size]) for i in range(0, len(runs), size)]


class SerialPool:
    """Runs chunks one after the other in this process (``--workers 1``)."""

    size = 1

    def __enter__(self) -> SerialPool:
        """Nothing to start: chunks run in this process."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to stop."""
        return None

    def run(self, scenario: Scenario, chunks: list[list[RunSpec]]) -> Iterator[Tables]:
        """Each chunk's tables, in order."""
        for chunk in chunks:
            yield simulate_chunk(scenario, chunk)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Worker initializer: end the worker when the batch's process dies.

    Even a SIGKILL, which gives the batch no chance to stop its pool, must not leave the workers
    computing as orphans.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``; the
    pool's workers are started by the parent's main thread); elsewhere a thread checks the parent.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class ProcessPool:
    """Runs chunks on local worker processes, yielding each chunk's tables as it finishes."""

    def __init__(self, workers: int) -> None:
        """A pool of ``workers`` processes, started on entry."""
        self.workers = workers

    @property
    def size(self) -> int:
        """How many chunks run at once."""
        return self.workers

    def __enter__(self) -> ProcessPool:
        """Start the worker processes."""
        # Spawned workers start clean (no inherited state or threads) on every platform.
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers at once, cancelling chunks not started and ending those in flight."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in list((self.pool._processes or {}).values()):  # stop work in flight at once
            process.terminate()

    def run(self, scenario: Scenario, chunks: list[list[RunSpec]]) -> Iterator[Tables]:
        """Each chunk's tables as it finishes (in completion order: the store sorts runs)."""
        pending = {self.pool.submit(simulate_chunk, scenario, chunk) for chunk in chunks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    yield future.result()
                except BrokenProcessPool:
                    raise WorkerLost(
                        "a worker process died while simulating (killed by the system, most often for want of "
                        f"memory); the chunks finished before are kept: go on with 'sahelsim batch --resume DIR', "
                        f"with fewer workers than {self.workers} or on a machine with more memory",
                        field="--workers",
                    ) from None


class DaskPool:
    """Runs chunks on a Dask cluster: the scheduler at ``address``, or a new LocalCluster."""

    def __init__(self, workers: int, address: str | None) -> None:
        """A client of the scheduler at ``address``, or of a new cluster of ``workers`` processes."""
        self.workers = workers
        self.address = address
        self.cluster: LocalCluster | None = None

    def __enter__(self) -> DaskPool:
        """Connect to the scheduler, or start a LocalCluster."""
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                "the dask executor needs dask.distributed; install it with: pip install 'sahelsim[dask]'",
                field="--executor",
            ) from None
        try:
            if self.address is None:
                self.cluster = LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(self.address, timeout="5s")
        except (OSError, TimeoutError, ValueError) as error:
            raise InputError(
                f"cannot reach the Dask scheduler at {self.address} ({error}); "
                "expected tcp://HOST:PORT of a running scheduler",
                field="--address",
            ) from None
        return self

    @property
    def size(self) -> int:
        """The cluster's workers now (with ``--address``, whatever the cluster was started with)."""
        return len(self.client.scheduler_info()["workers"])

    def __exit__(self, *exc: object) -> None:
        """Close the client, and the cluster if this pool started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, scenario: Scenario, chunks: list[list[RunSpec]]) -> Iterator[Tables]:
        """Each chunk's tables as it finishes on the cluster."""
        from dask.distributed import as_completed

        shared = self.client.scatter(scenario, broadcast=True)
        futures = [self.client.submit(simulate_chunk, shared, chunk, pure=False) for chunk in chunks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            self.client.cancel(futures)


def open_pool(executor: Executor, workers: int, address: str | None) -> SerialPool | ProcessPool | DaskPool:
    """The executor to run chunks on; entering it connects (so a bad address fails before anything is written)."""
    if executor == "dask":
        return DaskPool(workers, address)
    if address is not None:
        raise InputError("--address goes with --executor dask", field="--address")
    return ProcessPool(workers) if workers > 1 else SerialPool()


@dataclass(frozen=True)
class BatchOutcome:
    """How a batch call ended."""

    runs_total: int
    runs_done: int
    runs_this_call: int
    seconds: float  # from the start of the executor (a Dask cluster's start-up included) to the end
    points: int
    workers: int  # the executor's workers (a Dask cluster's real count)
    set_aside: tuple[Path, ...] = ()  # damaged files moved to DIR/damaged/ (their runs were run again)


def run_batch(
    loaded: LoadedScenario,
    out: Path,
    workers: int,
    executor: Executor = "local",
    address: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    make_parent: bool = False,
) -> BatchOutcome:
    """Run (or finish) a batch into ``out``; every finished chunk is stored at once.

    ``make_parent`` creates ``out``'s parent folder (the default ``results/``) when the store is
    created, so bad input leaves no empty folder behind. The folder is held by this call alone
    (:meth:`BatchStore.writing`). On an interruption (Ctrl-C, SIGTERM, a full disk) the manifest
    records the runs kept and the error propagates; ``resume=True`` later runs only the missing
    ones, and those of any damaged chunk.
    """
    scenario = loaded.scenario
    points = sweep_points(scenario.sweep, scenario.seed)
    runs = plan_runs(scenario, points)
    manifest = {**scenario_record(loaded), "kind": BatchStore.KIND, "runs_total": len(runs)}
    BatchStore.check_writable(out, loaded.sha256, resume, make_parent)  # refused before a cluster is started for it
    started = time.perf_counter()
    with (
        open_pool(executor, workers, address) as pool,
        BatchStore.writing(out, manifest, points, resume=resume, make_parent=make_parent) as store,
    ):
        size = pool.size
        done = store.done_runs()
        todo = [spec for spec in runs if spec.run not in done]
        store.update_status("running", done, len(runs))
        if progress is not None:
            progress(len(done), len(runs))
        try:
            for tables in pool.run(scenario, chunked(todo, size)):
                store.write_chunk(tables)
                done.update(tables["runs"]["run"].tolist())
                store.update_status("running", done, len(runs))
                if progress is not None:
                    progress(len(done), len(runs))
        except BaseException:
            # The parts on disk are the truth: the interruption may have landed after a chunk
            # was committed but before ``done`` heard of it. A full disk may refuse this write
            # too: the manifest then keeps its last status, and the error that stopped the batch
            # is the one to report.
            with contextlib.suppress(InputError):
                store.update_status("interrupted", store.done_runs(), len(runs))
            raise
        seconds = time.perf_counter() - started
        store.update_status(
            "complete", done, len(runs), last_call_seconds=round(seconds, 3), workers=size, executor=executor
        )
    return BatchOutcome(len(runs), len(done), len(todo), seconds, len(points), size, tuple(store.set_aside))
