"""Benchmark one two-year run of sahel_2024: median wall time, peak memory, and a profile.

Run: python benchmarks/bench_run.py [--repeats N] [--profile-top N]
Times exclude interpreter start-up and scenario loading (the scenario is loaded once); each
repeat builds the model and runs all its weeks, as the runner does for a replicate.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

from sim.experiments.runner import run_replicate
from sim.model.model import SahelModel
from sim.model.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "sahel_2024.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--profile-top", type=int, default=15)
    args = parser.parse_args()

    scenario = load_scenario(SCENARIO).scenario
    weeks = (scenario.end - scenario.start).days // 7 + 1
    SahelModel(scenario, 0).run()  # warm-up: caches (catalogues, parameter file) and imports

    model_times, replicate_times, events = [], [], []
    for replicate in range(args.repeats):
        started = time.perf_counter()
        model = SahelModel(scenario, replicate).run()
        model_times.append(time.perf_counter() - started)
        events.append(len(model.log))
        started = time.perf_counter()
        run_replicate(scenario, replicate)
        replicate_times.append(time.perf_counter() - started)

    tracemalloc.start()
    run_replicate(scenario, 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(
        f"sahel_2024: {weeks} weekly steps, {len(scenario.actors)} actors, {statistics.mean(events):.0f} events per run"
    )
    print(
        f"model run (build + all steps), median of {args.repeats}: {1000 * statistics.median(model_times):.1f} ms "
        f"(min {1000 * min(model_times):.1f}, max {1000 * max(model_times):.1f})"
    )
    print(f"replicate with its event and tension tables, median: {1000 * statistics.median(replicate_times):.1f} ms")
    print(f"peak traced memory of one replicate (Python allocations): {peak / 2**20:.1f} MiB")
    print(
        f"peak resident memory of this process (RSS, interpreter and libraries included): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    for replicate in range(10):
        SahelModel(scenario, replicate).run()
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(args.profile_top)
    print(f"\nprofile of 10 model runs, top {args.profile_top} by own time:")
    print("\n".join(line for line in stream.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    main()
