"""Benchmark neural posterior estimation on a calibration config: speed, SBC, and ABC-SMC on the same budget.

Run: python benchmarks/bench_npe.py [--config calibration/sahel.yaml] [--population N] [--generations N]
     [--sbc N] [--draws N] [--workers N]

1. ABC-SMC with the config's budget (``--population`` and ``--generations`` override it), counting its simulations.
2. NPE trained on as many prior simulations as ABC used: simulations per second while simulating, and
   while training (simulations / training seconds), reported apart.
3. SBC of the NPE posterior on ``--sbc`` held-out prior-predictive data sets (``--draws`` posterior
   draws each): per parameter, the p of rank uniformity (sbi's Kolmogorov-Smirnov, and a chi-square of
   the rank histogram) and the coverage of the central 50 % and 90 % intervals.
4. ABC against NPE at the observed statistics: posterior median, 90 % width and contraction
   (1 - posterior variance / prior variance) per parameter.
Nothing is written: the committed fitted set is not touched.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.calibration.fitting import Fit, LoadedConfig, calibrate, fitted_set, load_config
from sim.calibration.npe import contraction, fit_npe, held_out, sbc

ROOT = Path(__file__).resolve().parent.parent


def indented(line: str) -> None:
    print(f"  {line}", flush=True)


def summary(loaded: LoadedConfig, result: Fit) -> pd.DataFrame:
    """Median, 90 % width and contraction per parameter of a fit's posterior."""
    fitted = fitted_set(loaded, result).parameters
    return pd.DataFrame(
        {
            "median": {name: entry.median for name, entry in fitted.items()},
            "width_90": {name: entry.high_95 - entry.low_5 for name, entry in fitted.items()},
            "contraction": contraction(result.posterior, loaded.config.priors()),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "calibration" / "sahel.yaml")
    parser.add_argument("--population", type=int, default=None, help="override ABC's particles per generation")
    parser.add_argument("--generations", type=int, default=None, help="override ABC's generation cap")
    parser.add_argument("--sbc", type=int, default=200, help="held-out data sets for SBC")
    parser.add_argument("--draws", type=int, default=200, help="posterior draws per SBC data set")
    parser.add_argument("--workers", type=int, default=None, help="override the config's worker processes")
    args = parser.parse_args()

    loaded = load_config(args.config)
    changes = {"population_size": args.population, "max_generations": args.generations, "workers": args.workers}
    loaded = loaded.with_budget(**{k: v for k, v in changes.items() if v is not None})
    budget = loaded.config.budget
    print(
        f"{loaded.config.name}: {len(loaded.config.fit)} parameters, {len(loaded.config.targets)} targets, "
        f"{budget.workers} workers, seed {budget.seed}"
    )

    print(f"ABC-SMC: population {budget.population_size}, up to {budget.max_generations} generations")
    abc = calibrate(loaded, report=indented)
    print(f"ABC-SMC: {abc.simulations} simulations in {abc.seconds:.1f} s ({abc.simulations / abc.seconds:.0f}/s)")

    print(f"NPE on the same budget: {abc.simulations} prior simulations")
    npe = fit_npe(loaded, abc.simulations, budget.seed, budget.workers, report=indented)
    rates = [npe.simulations / seconds for seconds in (npe.simulation_seconds, npe.training_seconds, npe.seconds)]
    print(
        f"NPE: simulating {npe.simulation_seconds:.1f} s ({rates[0]:.0f} simulations/s), training and drawing "
        f"{npe.training_seconds:.1f} s ({rates[1]:.0f} simulations/s, {npe.epochs} epochs); "
        f"total {npe.seconds:.1f} s ({rates[2]:.0f} simulations/s)"
    )

    print(f"SBC: {args.sbc} held-out prior-predictive data sets, {args.draws} posterior draws each")
    theta, x = held_out(loaded, npe, args.sbc, report=indented)
    found = sbc(npe.estimator, theta, x, args.draws, seed=budget.seed, names=list(loaded.config.priors()))
    print(found.table.round(3).to_string())
    rejected = found.table.index[(found.table[["ks_p", "chi2_p"]] < 0.01).any(axis=1)].tolist()
    print(f"rank histograms rejected at p < 0.01: {rejected or 'none'}")

    comparison = pd.concat({"abc": summary(loaded, abc), "npe": summary(loaded, npe)}, axis=1)
    print(f"ABC-SMC against NPE at the observed statistics, {abc.simulations} simulations each")
    print(comparison.round(3).to_string())


if __name__ == "__main__":
    main()
