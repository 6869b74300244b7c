"""Benchmark the ensemble engine and scenario batches, against ``mesa.batch_run`` on the same runs.

Run:  python benchmarks/bench_batch.py [--quick] [--runs N]

Every figure is printed as a Markdown table under the command that printed it, with the load
average before and after (the machine may be shared). Times are wall clock
(``time.perf_counter``); nothing is asserted, the targets of issue 14 are printed beside the
figures. The scenario is scenarios/sahel_2024.yaml; run ``i`` is ``SahelModel(scenario,
[i])`` alone or a row of an ensemble, with the same random numbers either way.

1. One replicate at R=1, as the teaching page steps it: the median of >= 20 warm runs (after a
   warm-up run) of the model's build and its weeks (target <= 10 ms).
2. Throughput and memory by ensemble size R = 1 .. 10,000: each R in a fresh subprocess, one
   ``SahelModel(scenario, replicates=R).run()`` (the median of several for small R), then the same
   runs through ``sim.experiments.batch.simulate_chunk`` (the model plus the batch's tables), and
   the process's peak resident memory (``ru_maxrss``) after each.
3. The ceiling: the same weekly decisions as bare numpy (uniforms for R replicates and the
   model's decision slots, compared with logistic probabilities, events counted per week), the
   rate no bookkeeping at all would reach, beside the engine's at the same R.
4. The side-by-side with mesa: ``run_batch`` and ``mesa.batch_run`` over runs 0..N-1 at 1 and
   2 workers, both keeping the weekly key-pair series (mesa through a ``DataCollector``, running
   the model at R=1, one model per run, as a mesa user would), and a check that the series agree.
5. 10,000 runs through the real command line, ``sahelsim batch scenarios/sahel_2024.yaml
   --replicates 10000 --workers 2 --out TMP`` (interpreter start-up and storing included; target
   <= 5 s), and the ratio to ``mesa.batch_run`` at 2 workers on the same runs (target >= 25x).
   mesa is not run 10,000 times: its time is extrapolated linearly from its N runs of (4) and a
   batch of 2 runs (one per worker), so its pool start-up is counted once.
6. Where the time goes: cProfile of 20 runs at R=1, of one run at R=1,000 and of
   ``simulate_chunk`` on 1,000 runs (the model and the batch's tables, what a worker does): the
   top 10 functions by own time (tottime), and the project's top 10 by cumulative time.

``--quick`` shrinks every size (a smoke check of the script, not a measurement).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar
from unittest import mock

import mesa
import numpy as np
import pandas as pd
from mesa.batchrunner import batch_run  # note: forces the multiprocessing start method to "spawn"
from scipy.special import expit

from sim.core.relations import pair_label
from sim.experiments.batch import RunSpec, run_batch, simulate_chunk
from sim.model.draws import Decisions
from sim.model.model import SahelModel
from sim.model.scenario import LoadedScenario, Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "sahel_2024.yaml"
TARGET_ONE_MS = 10.0  # one replicate at R=1, warm
TARGET_CLI_SECONDS = 5.0  # 10,000 runs through sahelsim batch on 2 workers
TARGET_RATIO = 25.0  # sahelsim batch / mesa.batch_run, runs/s
CLI_RUNS = 10_000
T = TypeVar("T")
PROFILE_R1_RUNS = 20


@dataclass(frozen=True)
class Sizes:
    """How much each measurement does: the full benchmark, or ``--quick``."""

    repeats: int  # warm runs at R=1
    ensembles: tuple[int, ...]  # the R of the throughput table
    cli_runs: int  # runs through sahelsim batch
    profile_big: int  # the larger profiled R


FULL = Sizes(repeats=30, ensembles=(1, 10, 100, 1_000, 10_000), cli_runs=CLI_RUNS, profile_big=1_000)
QUICK = Sizes(repeats=5, ensembles=(1, 10, 100), cli_runs=200, profile_big=100)


# --- reporting ----------------------------------------------------------------------------------


def markdown(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, numbers right-aligned (the first column is the row's name)."""
    align = ["---"] + ["---:"] * (len(headers) - 1)
    lines = [headers, align, *[[str(cell) for cell in row] for row in rows]]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def section(title: str, command: str) -> None:
    """A table's heading and the command that printed it."""
    print(f"\n### {title}\n\nPrinted by `{command}`; {load_average()}.\n", flush=True)


def load_average() -> str:
    return "load average (1, 5, 15 min) " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def timed(call: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def peak_mib() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def decision_slots(scenario: Scenario) -> int:
    """How many decision slots (random streams) the rules lay out: counted as they ask for them."""
    with mock.patch.object(Decisions, "block", autospec=True, side_effect=Decisions.block) as block:
        SahelModel(scenario, 1)
    return sum(len(call.args[1]) for call in block.call_args_list)


# --- 1. one replicate ---------------------------------------------------------------------------


def one_replicate(scenario: Scenario, repeats: int) -> None:
    """Build and run one replicate ``repeats`` times after a warm-up; the median, min and max in ms."""
    SahelModel(scenario, 1).run()  # warm-up: catalogues, parameter file, imports
    build, weeks = [], []
    for i in range(repeats):
        seconds, model = timed(functools.partial(SahelModel, scenario, [i]))
        build.append(seconds)
        weeks.append(timed(model.run)[0])
    total = [b + w for b, w in zip(build, weeks, strict=True)]
    chunk = [timed(functools.partial(simulate_chunk, scenario, [RunSpec(i, 0, i, {})]))[0] for i in range(repeats)]
    n_weeks = len(SahelModel(scenario, 1).dates)

    def row(name: str, values: list[float], target: str = "", passed: str = "") -> list[object]:
        ms = [1000 * v for v in values]
        return [name, f"{statistics.median(ms):.2f}", f"{min(ms):.2f}", f"{max(ms):.2f}", target, passed]

    median = 1000 * statistics.median(total)
    print(
        markdown(
            ["one sahel_2024 replicate, R=1", "median ms", "min ms", "max ms", "target", ""],
            [
                row(f"build + {n_weeks} weeks", total, f"<= {TARGET_ONE_MS:.0f} ms", verdict(median <= TARGET_ONE_MS)),
                row("build (SahelModel(scenario, [i]))", build),
                row(f"{n_weeks} weeks (.run())", weeks),
                row("one week", [w / n_weeks for w in weeks]),
                row("simulate_chunk of the run (model + batch tables)", chunk),
            ],
        )
    )
    print(f"\n{repeats} warm runs each (runs 0..{repeats - 1}), after one warm-up run.")


# --- 2. throughput and memory by ensemble size, one subprocess per R ----------------------------


def repeats_at(replicates: int) -> int:
    """Runs of the model per R, so small ensembles are timed over more than a few milliseconds."""
    return max(1, min(20, 1000 // replicates))


def ensemble_child(replicates: int) -> None:
    """In a fresh process: time R replicates as one model, then through simulate_chunk; print JSON."""
    scenario = load_scenario(SCENARIO).scenario
    SahelModel(scenario, 1).run()  # warm-up
    baseline = peak_mib()
    repeats = repeats_at(replicates)
    model_seconds = []
    for _ in range(repeats):
        seconds, model = timed(lambda: SahelModel(scenario, replicates).run())
        model_seconds.append(seconds)
        events = len(model.log)
        del model
    after_model = peak_mib()
    runs = [RunSpec(i, 0, i, {}) for i in range(replicates)]
    chunk_seconds = [timed(lambda: simulate_chunk(scenario, runs))[0] for _ in range(repeats)]
    result = {
        "replicates": replicates,
        "repeats": repeats,
        "model_seconds": statistics.median(model_seconds),
        "chunk_seconds": statistics.median(chunk_seconds),
        "events": events,
        "baseline_mib": baseline,
        "model_mib": after_model,
        "chunk_mib": peak_mib(),
    }
    print(json.dumps(result))


def by_ensemble_size(sizes: Sequence[int]) -> dict[int, dict[str, float]]:
    """Each R measured in its own subprocess (so its peak memory is its own); the results by R."""
    results = {}
    for replicates in sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--ensemble", str(replicates)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"the measurement at R={replicates} failed:\n{done.stderr}")
        results[replicates] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def throughput_table(results: dict[int, dict[str, float]]) -> None:
    rows = []
    for replicates, m in results.items():
        rows.append(
            [
                f"{replicates:,}",
                m["repeats"],
                f"{m['model_seconds']:.3f}",
                f"{replicates / m['model_seconds']:,.0f}",
                f"{m['chunk_seconds']:.3f}",
                f"{replicates / m['chunk_seconds']:,.0f}",
                f"{m['events'] / replicates:,.0f}",
                f"{m['model_mib']:,.0f}",
                f"{m['chunk_mib']:,.0f}",
            ]
        )
    print(
        markdown(
            [
                "R",
                "timed (median of)",
                "model s",
                "model runs/s",
                "+ tables s",
                "+ tables runs/s",
                "events/run",
                "peak MiB, model",
                "peak MiB, + tables",
            ],
            rows,
        )
    )
    baseline = statistics.median(m["baseline_mib"] for m in results.values())
    print(
        "\nmodel: `SahelModel(scenario, replicates=R).run()`; + tables: `simulate_chunk(scenario, runs 0..R-1)` "
        "(the model again plus the tension, metrics, counts and runs tables a batch stores). Peak MiB: the "
        f"subprocess's ru_maxrss after the model runs, then after simulate_chunk (the process holds {baseline:,.0f} "
        "MiB after imports and a warm-up run)."
    )


# --- 3. the ceiling: the weekly decisions as bare numpy -----------------------------------------


def bare_decisions(replicates: int, slots: int, weeks: int) -> tuple[float, int]:
    """Seconds and events of the weekly decisions alone: uniforms against logistic chances, counted.

    Each week draws one single-precision uniform per (replicate, slot) from Philox (the engine's
    generator), compares it with a logistic chance and counts what fired. The chance is recomputed
    every week from the least state that makes it change (a decaying count of each slot's events),
    so numpy cannot hoist it out of the loop; there is no other bookkeeping: no ledger, no
    effects, no log.
    """
    rng = np.random.Generator(np.random.Philox(0))
    base = np.linspace(-5.0, 0.0, slots, dtype=np.float32)  # weekly chances from under 1 % to 50 %
    state = np.zeros((replicates, slots), dtype=np.float32)
    counts = np.zeros(weeks, dtype=np.int64)
    started = time.perf_counter()
    for week in range(weeks):
        fired = rng.random((replicates, slots), dtype=np.float32) < expit(base + state)
        counts[week] = np.count_nonzero(fired)
        state *= 0.9
        state += fired
    return time.perf_counter() - started, int(counts.sum())


def ceiling_table(results: dict[int, dict[str, float]], slots: int, weeks: int) -> None:
    rows = []
    for replicates, m in results.items():
        repeats = max(3, min(100, 10_000 // replicates))
        seconds = statistics.median(bare_decisions(replicates, slots, weeks)[0] for _ in range(repeats))
        ceiling, engine = replicates / seconds, replicates / m["model_seconds"]
        rows.append(
            [
                f"{replicates:,}",
                repeats,
                f"{1000 * seconds:.2f}",
                f"{ceiling:,.0f}",
                f"{engine:,.0f}",
                f"{engine / ceiling:.1%}",
            ]
        )
    print(markdown(["R", "timed (median of)", "bare numpy ms", "bare runs/s", "engine runs/s", "engine / bare"], rows))
    print(
        f"\nbare numpy: {weeks} weeks x R replicates x {slots} decision slots (the model's count), Philox float32 "
        "uniforms < expit(intercept + decaying event count), events counted per week; engine: the model column of "
        "the throughput table."
    )


# --- 4. the side-by-side with mesa.batch_run ----------------------------------------------------


@functools.cache
def _scenario(path: str) -> Scenario:
    """The validated scenario, loaded once per process (mesa's workers get only the path)."""
    return load_scenario(path).scenario


def first_replicate(measure: Literal["tension", "cooperation"], a: str, b: str, model: SahelModel) -> float:
    """A mesa model reporter: the pair's tension or cooperation in the model's one replicate."""
    return float(getattr(model.ledger, measure)(a, b)[0])


class CollectingSahelModel(SahelModel):
    """SahelModel as mesa's batch runner wants it: keyword arguments and a ``datacollector``.

    One run per model (``replicates=1``, the run ``first``), as a mesa user runs it. Defined at
    module level so mesa's spawned workers find it: they re-import this script (as
    ``__mp_main__``) and unpickle ``__main__.CollectingSahelModel`` from it.
    """

    def __init__(self, scenario_path: str, replicates: int = 1, first: int = 0) -> None:
        scenario = _scenario(scenario_path)
        super().__init__(scenario, range(first, first + replicates))
        reporters: dict[str, Callable[[SahelModel], float]] = {}
        for a, b in scenario.key_pairs:
            label = pair_label(a, b)
            reporters[f"tension {label}"] = functools.partial(first_replicate, "tension", a, b)
            reporters[f"cooperation {label}"] = functools.partial(first_replicate, "cooperation", a, b)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)  # one row per week, as ours stores


def run_mesa(runs: int, workers: int, weeks: int) -> pd.DataFrame:
    """``mesa.batch_run`` over runs 0..runs-1 (swept as ``first``), its rows as a DataFrame."""
    rows = batch_run(
        CollectingSahelModel,
        parameters={"scenario_path": str(SCENARIO), "replicates": 1, "first": range(runs)},
        number_processes=workers,
        iterations=1,  # mesa does not pass the iteration to the model: the run is swept instead
        data_collection_period=1,
        max_steps=weeks,
        display_progress=False,
    )
    return pd.DataFrame(rows)


def series_from_ours(folder: Path, labels: list[str], runs: int, weeks: int) -> np.ndarray:
    """[run, week, pair, (tension, cooperation)] from our stored tension table."""
    table = pd.read_parquet(folder / "tension").sort_values(["run", "date", "pair"])
    values = table[["tension", "cooperation"]].to_numpy(dtype=np.float64)
    return values.reshape(runs, weeks, len(labels), 2)


def series_from_mesa(frame: pd.DataFrame, labels: list[str], runs: int, weeks: int) -> np.ndarray:
    """The same array from mesa's rows."""
    frame = frame.sort_values(["first", "Step"])
    columns = [f"{kind} {label}" for label in labels for kind in ("tension", "cooperation")]
    return frame[columns].to_numpy(dtype=np.float64).reshape(runs, weeks, len(labels), 2)


def side_by_side(loaded: LoadedScenario, runs: int, weeks: int, labels: list[str]) -> dict[tuple[str, int], float]:
    """Seconds of ``run_batch`` and ``mesa.batch_run`` at 1 and 2 workers; prints the table and the cross-check."""
    seconds: dict[tuple[str, int], float] = {}
    notes = []
    frames: dict[int, pd.DataFrame] = {}
    batch = loaded.with_changes(replicates=runs)
    with tempfile.TemporaryDirectory(prefix="bench_batch-") as tmp:
        for workers in (1, 2):
            out = Path(tmp) / f"ours-{workers}"
            seconds["ours", workers], _ = timed(functools.partial(run_batch, batch, out, workers))
            notes.append(f"sahelsim batch (run_batch), {workers} worker(s): stored {folder_mb(out):.1f} MB of Parquet")
            seconds["mesa", workers], frame = timed(functools.partial(run_mesa, runs, workers, weeks))
            frames[workers] = frame
            notes.append(
                f"mesa.batch_run, {workers} worker(s): {len(frames[workers]):,} rows, "
                f"{frames[workers].memory_usage(deep=True).sum() / 1e6:.1f} MB in memory"
            )
        ours = series_from_ours(Path(tmp) / "ours-2", labels, runs, weeks)
    theirs = series_from_mesa(frames[2], labels, runs, weeks)
    diff = float(np.max(np.abs(ours - theirs)))
    rows = []
    for (method, workers), took in seconds.items():
        name = "sahelsim batch (run_batch)" if method == "ours" else "mesa.batch_run"
        rows.append([name, workers, runs, f"{took:.2f}", f"{runs / took:,.1f}"])
    print(markdown(["method", "workers", "runs", "seconds", "runs/s"], rows))
    ratios = ", ".join(f"{seconds['mesa', w] / seconds['ours', w]:.1f}x at {w} worker(s)" for w in (1, 2))
    print(f"\nratio sahelsim batch / mesa.batch_run (runs/s): {ratios}.")
    print("\n".join(["", *notes]))
    print(
        f"same weekly key-pair series ({', '.join(labels)}) on both sides, 2-worker runs: "
        f"{'yes' if diff < 1e-6 else 'NO'} (max |difference| {diff:.1e}; ours stores float32)"
    )
    print(
        "Both sides: wall clock around the whole call, worker start-up (spawn) included; mesa keeps its rows in "
        "memory, ours stores per-run metrics, event counts and runs beside the series, as Parquet on disk."
    )
    return seconds


# --- 5. the command line at 10,000 runs ---------------------------------------------------------


def sahelsim_batch(runs: int) -> tuple[float, float]:
    """Wall seconds of ``sahelsim batch`` on ``runs`` runs at 2 workers, as a user types it, and the MB it stored."""
    sahelsim = shutil.which("sahelsim", path=str(Path(sys.executable).parent)) or shutil.which("sahelsim")
    if sahelsim is None:
        raise SystemExit("the sahelsim command is not installed (pip install -e .)")
    with tempfile.TemporaryDirectory(prefix="bench_batch-cli-") as tmp:
        out = Path(tmp) / "batch"
        command = [sahelsim, "batch", str(SCENARIO), "--replicates", str(runs), "--workers", "2", "--out", str(out)]
        seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True, check=False))
        if done.returncode != 0:
            raise SystemExit(f"sahelsim batch failed:\n{done.stderr}")
        return seconds, folder_mb(out)


def command_line_batch(runs: int, mesa_seconds: float, mesa_runs: int, weeks: int) -> None:
    """``sahelsim batch`` on ``runs`` runs and on 2, and mesa.batch_run on the same runs by extrapolation."""
    seconds, stored = sahelsim_batch(runs)
    fixed, _ = sahelsim_batch(2)
    start_up, _ = timed(lambda: run_mesa(2, 2, weeks))  # pool start-up and one run per worker
    marginal = (mesa_seconds - start_up) / (mesa_runs - 2)
    fitted = start_up + marginal * (runs - 2)
    proportional = mesa_seconds * runs / mesa_runs
    fitted_ratio = fitted / seconds
    rows = [
        [
            "sahelsim batch, measured",
            f"{runs:,}",
            f"{seconds:.2f}",
            f"{runs / seconds:,.0f}",
            f"<= {TARGET_CLI_SECONDS:.0f} s",
            verdict(seconds <= TARGET_CLI_SECONDS),
        ],
        ["sahelsim batch, measured (its fixed cost)", "2", f"{fixed:.2f}", "", "", ""],
        ["mesa.batch_run, extrapolated (start-up once)", f"{runs:,}", f"{fitted:.1f}", f"{runs / fitted:,.1f}", "", ""],
        [
            "mesa.batch_run, extrapolated (proportional)",
            f"{runs:,}",
            f"{proportional:.1f}",
            f"{runs / proportional:,.1f}",
            "",
            "",
        ],
        [
            "ratio sahelsim batch / mesa (start-up once)",
            "",
            "",
            f"{fitted_ratio:.1f}x",
            f">= {TARGET_RATIO:.0f}x",
            verdict(fitted_ratio >= TARGET_RATIO),
        ],
        ["ratio sahelsim batch / mesa (proportional)", "", "", f"{proportional / seconds:.1f}x", "", ""],
    ]
    print(markdown(["2 workers", "runs", "seconds", "runs/s", "target", ""], rows))
    print(
        f"\nsahelsim batch: `sahelsim batch scenarios/sahel_2024.yaml --replicates {runs} --workers 2 --out TMP`, "
        f"wall clock of the subprocess (interpreter start-up, imports, the workers' spawn, storing {stored:.1f} MB "
        "included); the same with `--replicates 2` is what any batch pays before its runs. "
        f"mesa.batch_run was not run {runs:,} times: its time is extrapolated linearly from {mesa_runs} runs "
        f"({mesa_seconds:.2f} s, the side-by-side above) and 2 runs ({start_up:.2f} s: the pool start-up and a run "
        f"per worker): start-up once + {1000 * marginal:.1f} ms per further run. The proportional line scales the "
        f"{mesa_runs} runs' time, so it counts mesa's start-up {runs / mesa_runs:.0f} times."
    )
    if mesa_runs < 200:
        print("(fewer than 200 mesa runs: the extrapolation is noise, not a measurement)")


# --- 6. where the time goes ---------------------------------------------------------------------


def where(function: tuple[str, int, str]) -> str:
    """A profile entry's function and where it is defined, the path cut to the package."""
    file, line, name = function
    if file == "~":
        return name
    path = Path(file)
    for anchor in ("site-packages", "lib"):
        if anchor in path.parts:
            path = Path(*path.parts[path.parts.index(anchor) + 1 :])
            break
    else:
        path = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return f"{name} ({path}:{line})"


def profile_table(call: Callable[[], object], top: int = 10) -> None:
    """Profile ``call``: the ``top`` functions by own time, then the project's own by cumulative time.

    Own time says which calls are slow; the project's functions by cumulative time say which step
    of ours they serve (a pandas iterator near the top is explained by the metric that calls it).
    """
    profiler = cProfile.Profile()
    profiler.runcall(call)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]  # filled by the constructor, untyped in typeshed
    total = sum(entry[2] for entry in stats.values())

    def table(entries: list[tuple[tuple[str, int, str], tuple[int, int, float, float, object]]]) -> str:
        rows = [
            [f"`{where(function)}`", f"{calls:,}", f"{own:.3f}", f"{own / total:.1%}", f"{cumulative:.3f}"]
            + [f"{cumulative / total:.1%}"]
            for function, (_, calls, own, cumulative, _) in entries
        ]
        return markdown(["function", "calls", "tottime s", "tottime share", "cumtime s", "cumtime share"], rows)

    by_own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    ours = [item for item in stats.items() if Path(item[0][0]).is_relative_to(ROOT / "sim")]
    by_cumulative = sorted(ours, key=lambda item: item[1][3], reverse=True)[:top]
    print(f"Top {top} by own time (tottime):\n\n{table(by_own)}")
    print(f"\nThe project's top {top} by cumulative time (cumtime):\n\n{table(by_cumulative)}")
    print(f"\n(profiled total {total:.2f} s; times are inflated by the profiler, shares are what to read)")


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke check of the script")
    parser.add_argument("--runs", type=int, help="runs of the side-by-side with mesa (default 400; --quick 20)")
    parser.add_argument(
        "--ensemble", type=int, help=argparse.SUPPRESS
    )  # one R of the throughput table, in a subprocess
    args = parser.parse_args()
    if args.ensemble is not None:
        ensemble_child(args.ensemble)
        return
    sizes = QUICK if args.quick else FULL
    runs = args.runs or (20 if args.quick else 400)
    if runs < 3:
        parser.error("--runs: expected at least 3 (mesa's time is extrapolated from it and from 2 runs)")
    command = " ".join(["python benchmarks/bench_batch.py", *sys.argv[1:]])

    loaded = load_scenario(SCENARIO)
    scenario = loaded.scenario
    weeks = len(SahelModel(scenario, 1).run().dates)
    labels = [pair_label(*pair) for pair in scenario.key_pairs]
    slots = decision_slots(scenario)
    print(f"## {scenario.name}: {weeks} weekly steps, {len(scenario.actors)} actors, {slots} decision slots")
    print(f"\n`{command}` on {os.cpu_count()} CPUs; before: {load_average()}.")

    section("1. One replicate at R=1 (the teaching page's case)", command)
    one_replicate(scenario, sizes.repeats)

    section("2. Throughput and peak memory by ensemble size, one process", command)
    results = by_ensemble_size(sizes.ensembles)
    throughput_table(results)

    section("3. The ceiling: the weekly decisions as bare numpy", command)
    ceiling_table(results, slots, weeks)

    section(f"4. sahelsim batch and mesa.batch_run on runs 0..{runs - 1}", command)
    seconds = side_by_side(loaded, runs, weeks, labels)

    section(f"5. {sizes.cli_runs:,} runs through the command line", command)
    command_line_batch(sizes.cli_runs, seconds["mesa", 2], runs, weeks)

    section(f"6. Profile: {PROFILE_R1_RUNS} runs at R=1, top 10 by tottime", command)
    profile_table(lambda: [SahelModel(scenario, [i]).run() for i in range(PROFILE_R1_RUNS)])
    section(f"6. Profile: one run at R={sizes.profile_big:,}, top 10 by tottime", command)
    profile_table(lambda: SahelModel(scenario, sizes.profile_big).run())
    big = [RunSpec(i, 0, i, {}) for i in range(sizes.profile_big)]
    section(f"6. Profile: simulate_chunk of {sizes.profile_big:,} runs (a batch worker's chunk), top 10", command)
    profile_table(lambda: simulate_chunk(scenario, big))
    print(f"\nafter: {load_average()}")


if __name__ == "__main__":
    main()
