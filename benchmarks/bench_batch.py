"""Benchmark scenario batches: ``sahelsim batch`` against ``mesa.batch_run`` on the same runs.

Run:  python benchmarks/bench_batch.py [--runs 1000] [--big]

Both sides run the same work in this one process session: replicates 0..runs-1 of
scenarios/sahel_2024.yaml, replicate i being ``SahelModel(scenario, i)`` (same seeds), once
with 1 worker and once with 2, and both keep the weekly tension and cooperation of the
scenario's key pairs:

* ours: ``sim.experiments.batch.run_batch`` (executor "local") into a temporary folder; it also stores
  per-run metrics, event counts and the run table, all as Parquet on disk;
* mesa: ``mesa.batch_run`` with ``CollectingSahelModel`` below (SahelModel plus a
  DataCollector whose model reporters are the key pairs' tension and cooperation, collected
  every step), its list of rows turned into a DataFrame, held in memory.

It prints seconds and runs/s for each, the ratio ours/mesa at 1 and 2 workers and the
parallel efficiency (runs/s at 2 workers / (2 x runs/s at 1 worker)) against the targets
of the issue, and checks that both sides produced the same series. Times are wall-clock
(``time.perf_counter``) around the whole call and exclude nothing: worker start-up (spawn),
scenario hand-over, collection and storing all count. Only the scenario load and one
warm-up run in this process come before the clocks. For reference it also times the bare
model loop (min(runs, 200) runs, one process, nothing collected): no batch runner of this
model can beat that rate per worker, so it bounds the ratio ours/mesa.

``--big`` also runs 10,000 runs through ``run_batch`` with 2 workers and prints the wall
time (target <= 120 s), the batch folder's size on disk (target <= 200 MB, MB = 10^6 bytes)
and the time to read the tension table back with pandas.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
from mesa.batchrunner import batch_run  # note: forces the multiprocessing start method to "spawn"

from sim.core.relations import pair_label
from sim.experiments.batch import run_batch
from sim.model.model import SahelModel
from sim.model.scenario import LoadedScenario, load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "sahel_2024.yaml"
TARGET_RATIO = 1.5  # ours / mesa runs/s
TARGET_EFFICIENCY = 0.90  # at 2 workers
TARGET_BIG_SECONDS = 120.0  # 10,000 runs on 2 cores
TARGET_BIG_MB = 200.0  # stored results of 10,000 runs
BIG_RUNS = 10_000


# --- the mesa side ----------------------------------------------------------------------------


@functools.cache
def _scenario(path: str):
    """The validated scenario, loaded once per process (mesa's workers get only the path)."""
    return load_scenario(path).scenario


class CollectingSahelModel(SahelModel):
    """SahelModel as mesa's batch runner wants it: keyword arguments and a ``datacollector``.

    Defined at module level so mesa's spawned workers find it: they re-import this script
    (as ``__mp_main__``) and unpickle ``__main__.CollectingSahelModel`` from it.
    """

    def __init__(self, scenario_path: str, replicate: int = 0) -> None:
        scenario = _scenario(scenario_path)
        super().__init__(scenario, replicate)
        reporters: dict[str, Callable[[SahelModel], float]] = {}
        for a, b in scenario.key_pairs:
            label = pair_label(a, b)
            reporters[f"tension {label}"] = lambda m, a=a, b=b: m.ledger.tension(a, b)
            reporters[f"cooperation {label}"] = lambda m, a=a, b=b: m.ledger.cooperation(a, b)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)  # one row per week, as ours stores


def run_mesa(runs: int, workers: int, weeks: int) -> pd.DataFrame:
    """``mesa.batch_run`` over replicates 0..runs-1, its rows as a DataFrame."""
    rows = batch_run(
        CollectingSahelModel,
        parameters={"scenario_path": str(SCENARIO), "replicate": range(runs)},
        number_processes=workers,
        iterations=1,  # mesa does not pass the iteration to the model: the replicate is swept instead
        data_collection_period=1,
        max_steps=weeks,
        display_progress=False,
    )
    return pd.DataFrame(rows)


# --- our side ---------------------------------------------------------------------------------


def run_ours(loaded: LoadedScenario, out: Path, workers: int) -> float:
    """``run_batch`` into ``out``; returns its own timer.

    That timer starts before the pool is entered, so worker start-up is inside it.
    """
    return run_batch(loaded, out, workers, executor="local").seconds


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


# --- measuring and reporting ------------------------------------------------------------------


def timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def load_average() -> str:
    return "load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def verdict(value: float, target: float) -> str:
    return "PASS" if value >= target else "MISS"


def series_from_ours(folder: Path, labels: list[str], runs: int, weeks: int) -> np.ndarray:
    """[run, week, pair, (tension, cooperation)] from our stored tension table."""
    table = pd.read_parquet(folder / "tension").sort_values(["run", "date", "pair"])
    values = table[["tension", "cooperation"]].to_numpy(dtype=np.float64)
    return values.reshape(runs, weeks, len(labels), 2)


def series_from_mesa(frame: pd.DataFrame, labels: list[str], runs: int, weeks: int) -> np.ndarray:
    """The same array from mesa's rows."""
    frame = frame.sort_values(["replicate", "Step"])
    columns = [f"{kind} {label}" for label in labels for kind in ("tension", "cooperation")]
    return frame[columns].to_numpy(dtype=np.float64).reshape(runs, weeks, len(labels), 2)


def compare_series(folder: Path, frame: pd.DataFrame, labels: list[str], runs: int, weeks: int) -> str:
    ours = series_from_ours(folder, labels, runs, weeks)
    theirs = series_from_mesa(frame, labels, runs, weeks)
    diff = float(np.max(np.abs(ours - theirs)))
    same = "yes" if diff < 1e-6 else "NO"  # ours stores float32
    return f"same weekly key-pair series on both sides (2-worker runs): {same} (max |difference| {diff:.1e})"


def model_alone(scenario, runs: int) -> float:
    """Runs/s of the bare model loop in this process (nothing collected or stored): the ceiling at 1 worker."""
    seconds, _ = timed(lambda: [SahelModel(scenario, i).run() for i in range(runs)])
    return runs / seconds


def measure(batch: LoadedScenario, runs: int, weeks: int, labels: list[str]) -> tuple[dict, list[str]]:
    """Seconds of each (method, workers), notes on what each produced, and the cross-check."""
    seconds: dict[tuple[str, int], float] = {}
    notes: list[str] = []
    frames: dict[int, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory(prefix="bench_batch-") as tmp:
        for workers in (1, 2):
            out = Path(tmp) / f"ours-{workers}"
            seconds["ours", workers], own = timed(functools.partial(run_ours, batch, out, workers))
            notes.append(
                f"ours, {workers} worker(s): BatchOutcome.seconds {own:.2f} s (worker start-up "
                f"included); stored {folder_mb(out):.1f} MB"
            )
            seconds["mesa", workers], frames[workers] = timed(functools.partial(run_mesa, runs, workers, weeks))
            notes.append(
                f"mesa, {workers} worker(s): {len(frames[workers]):,} rows, "
                f"{frames[workers].memory_usage(deep=True).sum() / 1e6:.1f} MB in memory"
            )
        notes.append(compare_series(Path(tmp) / "ours-2", frames[2], labels, runs, weeks))
    return seconds, notes


def report(seconds: dict[tuple[str, int], float], runs: int, ceiling: tuple[int, float]) -> None:
    print(f"{'method':<16}{'workers':>8}{'runs':>8}{'seconds':>10}{'runs/s':>10}")
    for (method, workers), took in seconds.items():
        name = "sahelsim batch" if method == "ours" else "mesa.batch_run"
        print(f"{name:<16}{workers:>8}{runs:>8}{took:>10.2f}{runs / took:>10.1f}")
    rate = {key: runs / took for key, took in seconds.items()}
    alone_runs, alone_rate = ceiling
    print(
        f"(model alone, 1 process, nothing collected, {alone_runs} runs: {alone_rate:.1f} runs/s; "
        f"ours at 1 worker reaches {rate['ours', 1] / alone_rate:.0%} of it, mesa {rate['mesa', 1] / alone_rate:.0%})"
    )
    print()
    for workers in (1, 2):
        ratio = rate["ours", workers] / rate["mesa", workers]
        print(
            f"ratio ours/mesa at {workers} worker(s): {ratio:5.2f}x   target >= {TARGET_RATIO}x   "
            f"{verdict(ratio, TARGET_RATIO)}"
        )
    for method in ("ours", "mesa"):
        efficiency = rate[method, 2] / (2 * rate[method, 1])
        print(
            f"parallel efficiency, {method:<4} at 2 workers: {efficiency:6.1%}   target >= {TARGET_EFFICIENCY:.0%}   "
            f"{verdict(efficiency, TARGET_EFFICIENCY)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs per measurement (default 1000)")
    parser.add_argument("--big", action="store_true", help=f"also time {BIG_RUNS:,} runs with 2 workers")
    args = parser.parse_args()

    loaded = load_scenario(SCENARIO)
    scenario = loaded.scenario
    weeks = len(SahelModel(scenario, 0).run().dates)  # also warms this process's caches
    labels = [pair_label(*pair) for pair in scenario.key_pairs]

    print(f"{scenario.name}: {weeks} weekly steps, {len(labels)} key pairs, {args.runs} runs per measurement")
    print(
        f"mesa collects with a DataCollector, every step: tension and cooperation of the key pairs "
        f"({', '.join(labels)}) = {2 * len(labels)} model reporters; rows kept in memory as a DataFrame"
    )
    print(
        "ours stores: the same weekly key-pair tension/cooperation, plus per-run metrics, event counts "
        "and runs, as Parquet parts on disk"
    )
    print("both: replicate i = SahelModel(scenario, i); mesa sweeps 'replicate' over range(runs) with iterations=1")
    print("times: wall clock around the whole call, worker start-up (spawn) included on both sides")
    print(f"{os.cpu_count()} CPUs; before: {load_average()}", flush=True)

    ceiling = min(args.runs, 200), model_alone(scenario, min(args.runs, 200))
    seconds, notes = measure(loaded.with_changes(replicates=args.runs), args.runs, weeks, labels)
    print(f"after: {load_average()}")
    print("\n".join(["", *notes, ""]))
    report(seconds, args.runs, ceiling)
    if args.big:
        run_big(loaded)


def run_big(loaded: LoadedScenario) -> None:
    """10,000 runs through run_batch with 2 workers: wall time, size on disk, read-back time."""
    print(
        f"\n--big: {BIG_RUNS:,} runs of {loaded.scenario.name}, sahelsim batch, 2 workers; {load_average()}", flush=True
    )
    with tempfile.TemporaryDirectory(prefix="bench_batch-big-") as tmp:
        out = Path(tmp) / "big"
        seconds, own = timed(lambda: run_ours(loaded.with_changes(replicates=BIG_RUNS), out, 2))
        size = folder_mb(out)
        read_seconds, table = timed(lambda: pd.read_parquet(out / "tension"))
        tension_mb = folder_mb(out / "tension")
    print(
        f"wall time: {seconds:.1f} s ({BIG_RUNS / seconds:.1f} runs/s; run_batch's own timer {own:.1f} s)   "
        f"target <= {TARGET_BIG_SECONDS:.0f} s   {'PASS' if seconds <= TARGET_BIG_SECONDS else 'MISS'}"
    )
    print(
        f"batch folder on disk: {size:.1f} MB (tension table {tension_mb:.1f} MB)   target <= {TARGET_BIG_MB:.0f} MB   "
        f"{'PASS' if size <= TARGET_BIG_MB else 'MISS'}"
    )
    print(
        f"read back the tension table with pandas.read_parquet: {read_seconds:.2f} s, {len(table):,} rows, "
        f"{table.memory_usage(deep=True).sum() / 1e6:.1f} MB in memory"
    )


if __name__ == "__main__":
    sys.exit(main())
