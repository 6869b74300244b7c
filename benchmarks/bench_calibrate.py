"""Benchmark the default calibration.

It measures the wall time, the simulations, simulations per second, whether epsilon and the
posterior medians stabilised, the effective sample size, and whether the run reproduces the
committed fitted set.

Run: python benchmarks/bench_calibrate.py [--config calibration/sahel.yaml] [--workers N]
It runs the config's ABC-SMC budget as `sahelsim calibrate` does (with its stopping
rules: epsilon falling by less than `stable_drop` in a generation, the generation cap, the wall
time cap), but writes nothing: the committed fitted set is compared, not replaced. A fitted
parameter is reproduced when this run's posterior median lies in the committed 90 % interval.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.calibration.fitting import calibrate, fitted_set, load_config
from sim.model.scenario import load_fitted_set

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "calibration" / "sahel.yaml")
    parser.add_argument("--workers", type=int, default=None, help="override the config's worker processes")
    args = parser.parse_args()

    loaded = load_config(args.config)
    if args.workers is not None:
        loaded = loaded.with_budget(workers=args.workers)
    budget = loaded.config.budget
    print(
        f"{loaded.config.name}: {len(loaded.config.fit)} parameters, {len(loaded.config.targets)} targets, "
        f"population {budget.population_size}, {budget.workers} workers, caps {budget.max_generations} generations "
        f"and {budget.max_minutes:g} min, stable below a {budget.stable_drop:.0%} fall of epsilon"
    )
    result = calibrate(loaded, report=lambda line: print(f"  {line}", flush=True))

    generations = result.generations
    drops = -generations["epsilon"].pct_change().iloc[1:]
    last_drop = drops.iloc[-1] if len(drops) else float("nan")
    stable = last_drop < budget.stable_drop
    print(
        f"wall time {result.seconds:.0f} s ({result.seconds / 60:.1f} min), {len(generations)} generations, "
        f"{result.simulations} simulations, {result.simulations / result.seconds:.1f} simulations/s"
    )
    print(
        f"epsilon {generations['epsilon'].iloc[0]:.3g} -> {generations['epsilon'].iloc[-1]:.3g}; last generation fell "
        f"{last_drop:.1%}: {'stable' if stable else 'NOT stable'} (threshold {budget.stable_drop:.0%})"
    )
    last = generations.iloc[-1]
    print(
        f"last generation: effective sample size {last['effective_sample_size']:.0f} of {budget.population_size}; "
        f"posterior medians moved at most {last['median_shift']:.1%} of their prior's width: "
        f"{'stable' if last['median_shift'] < budget.stable_drop else 'still moving'}"
    )

    committed_path = args.config.parent / "fitted" / f"{loaded.config.name}.yaml"
    if not committed_path.is_file():
        print(f"no committed fitted set at {committed_path} to compare with")
        return
    committed = load_fitted_set(committed_path).parameters
    now = fitted_set(loaded, result).parameters
    inside = 0
    print(f"{'parameter':28s} {'this run: median':>17s}   committed median [5 %, 95 %]")
    for name, entry in now.items():
        before = committed.get(name)
        if before is None:
            print(f"{name:28s} {entry.median:17.3g}   not in the committed set")
            continue
        ok = before.low_5 <= entry.median <= before.high_95
        inside += ok
        print(
            f"{name:28s} {entry.median:17.3g}   {before.median:.3g} [{before.low_5:.3g}, {before.high_95:.3g}]"
            f"{'' if ok else '   OUTSIDE'}"
        )
    print(f"reproduced: {inside} of {len(now)} posterior medians inside the committed 90 % intervals")


if __name__ == "__main__":
    main()
