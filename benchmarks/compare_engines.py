"""Compare two engines' distributions of runs: the per-run metrics of the same scenarios, old against new.

Run:  python benchmarks/compare_engines.py --dump DIR [--replicates 1000] [--scenario NAME ...]
      python benchmarks/compare_engines.py --old DIR --new DIR [--scenario NAME ...]

``--dump`` runs each scenario's first ``--replicates`` runs (1,000 by default) with the engine
installed and writes ``DIR/{scenario}_events.parquet`` (the Event columns plus ``replicate``)
and ``DIR/{scenario}_tension.parquet`` (date, actor_a, actor_b, pair, tension, cooperation,
replicate). It uses only ``load_scenario``, ``with_changes``, ``run_scenario`` and
``write_parquet``, which the engine before issue 14 (commit 050e78d) has too, so the same file
reproduces both sides: check out the old commit, copy this script beside it and dump; check out
the new, dump.

``--old DIR --new DIR`` reads two such dumps and prints, per scenario, a Markdown table of the
metrics of each run: the peak tension of each of the scenario's key pairs, and the counts of
contacts (visit, delegation), summons (summon_ambassador), pledges (pledge_support), joint
actions (joint_patrol, joint_operation) and deaths (the sum of fatalities of every event) per
run (a run without such an event counts 0). For each: old and new mean, median and 5-95 %
interval over runs, and the p-values of two two-sample tests of equal distributions,
Kolmogorov-Smirnov (``scipy.stats.ks_2samp``) and Mann-Whitney U (two-sided). The engines draw
different random numbers, so runs are compared as distributions, not run by run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp, mannwhitneyu

from sim.core.io import write_parquet
from sim.core.relations import pair_label
from sim.experiments.runner import run_scenario
from sim.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("sahel_2024", "joint_patrols_2010")
COUNTED = {
    "contacts (visit + delegation)": ("visit", "delegation"),
    "summons": ("summon_ambassador",),
    "pledges": ("pledge_support",),
    "joint actions (patrol + operation)": ("joint_patrol", "joint_operation"),
}


def scenario_path(name: str) -> Path:
    return ROOT / "scenarios" / f"{name}.yaml"


def dump_paths(folder: Path, name: str) -> tuple[Path, Path]:
    """The events and tension files of a scenario's dump."""
    return folder / f"{name}_events.parquet", folder / f"{name}_tension.parquet"


# --- dumping ------------------------------------------------------------------------------------


def dump(folder: Path, names: Sequence[str], replicates: int) -> None:
    """Each scenario's runs 0..replicates-1 with the installed engine, as the two files of a dump."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        scenario = load_scenario(scenario_path(name)).with_changes(replicates=replicates).scenario
        result = run_scenario(scenario)
        events, tension = dump_paths(folder, name)
        write_parquet(result.events, events)
        write_parquet(result.tension, tension)
        print(f"{name}: {replicates} runs, {len(result.events):,} events -> {events}, {tension}")


# --- comparing ----------------------------------------------------------------------------------


def read_dump(folder: Path, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events (type, fatalities, replicate) and tension (pair, tension, replicate) of a dump."""
    events, tension = dump_paths(folder, name)
    for path in (events, tension):
        if not path.is_file():
            raise SystemExit(f"{path}: no such file; expected a dump made by --dump {folder}")
    return (
        pd.read_parquet(events, columns=["event_type", "fatalities", "replicate"]),
        pd.read_parquet(tension, columns=["pair", "tension", "replicate"]),
    )


def run_metrics(events: pd.DataFrame, tension: pd.DataFrame, key_pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """One row per run (every run of the tension table), one column per metric."""
    runs = np.sort(tension["replicate"].unique())
    pairs = tension["pair"].astype(str)
    columns: dict[str, pd.Series] = {}
    for a, b in key_pairs:
        label = pair_label(a, b)
        columns[f"peak tension {label}"] = tension[pairs == label].groupby("replicate")["tension"].max().reindex(runs)
    by_run = events.groupby("replicate")
    for metric, types in COUNTED.items():
        chosen = events[events["event_type"].isin(types)]
        columns[metric] = chosen.groupby("replicate").size().reindex(runs, fill_value=0)
    columns["deaths"] = by_run["fatalities"].sum().reindex(runs, fill_value=0)
    return pd.DataFrame(columns).astype(float)


def summary(values: np.ndarray, level: bool) -> tuple[str, str, str]:
    """Mean, median and the 5-95 % interval of a metric over runs: levels to 3 decimals, counts whole (mean to 1)."""
    low, median, high = np.quantile(values, [0.05, 0.5, 0.95])
    if level:
        return f"{values.mean():.3f}", f"{median:.3f}", f"{low:.3f} - {high:.3f}"
    return f"{values.mean():,.1f}", f"{median:,.0f}", f"{low:,.0f} - {high:,.0f}"


def comparison(old: pd.DataFrame, new: pd.DataFrame) -> str:
    """The Markdown table of every metric, old beside new, with the two tests' p-values."""
    rows = []
    for metric in old.columns:
        a, b = old[metric].to_numpy(), new[metric].to_numpy()
        level = metric.startswith("peak tension")
        (old_mean, old_median, old_interval), (new_mean, new_median, new_interval) = (
            summary(a, level),
            summary(b, level),
        )
        ks = ks_2samp(a, b).pvalue
        mwu = mannwhitneyu(a, b, alternative="two-sided").pvalue
        rows.append(
            [metric, old_mean, new_mean, old_median, new_median, old_interval, new_interval, f"{ks:.2g}", f"{mwu:.2g}"]
        )
    headers = [
        "per run",
        "old mean",
        "new mean",
        "old median",
        "new median",
        "old 5-95 %",
        "new 5-95 %",
        "KS p",
        "MWU p",
    ]
    align = ["---"] + ["---:"] * (len(headers) - 1)
    return "\n".join("| " + " | ".join(row) + " |" for row in [headers, align, *rows])


def compare(old: Path, new: Path, names: Sequence[str]) -> None:
    """Per scenario, the table of its metrics from the two dumps."""
    command = " ".join(["python benchmarks/compare_engines.py", *sys.argv[1:]])
    for name in names:
        key_pairs = load_scenario(scenario_path(name)).scenario.key_pairs
        before, after = (run_metrics(*read_dump(folder, name), key_pairs) for folder in (old, new))
        print(f"\n### {name}: {len(before):,} old runs ({old}), {len(after):,} new runs ({new})\n")
        print(f"Printed by `{command}`.\n")
        print(comparison(before, after))
    print(
        "\nKS: Kolmogorov-Smirnov, MWU: Mann-Whitney U (two-sided), both two-sample tests of equal distributions; "
        "a small p says the engines' distributions of that metric differ (many metrics are tested: read p < 0.01 "
        "as a difference, not p < 0.05)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="write the installed engine's runs into this folder")
    parser.add_argument("--replicates", type=int, default=1000, help="runs per scenario to dump (default 1000)")
    parser.add_argument("--old", type=Path, help="the old engine's dump")
    parser.add_argument("--new", type=Path, help="the new engine's dump")
    parser.add_argument(
        "--scenario", action="append", help=f"a scenario of scenarios/ (default: {', '.join(SCENARIOS)})"
    )
    args = parser.parse_args()
    names = args.scenario or list(SCENARIOS)
    if args.replicates < 1:
        parser.error(f"--replicates {args.replicates}: expected at least 1")
    for name in names:
        if not scenario_path(name).is_file():
            parser.error(f"--scenario {name}: no such scenario, expected a file {scenario_path(name)}")
    if args.dump is not None and args.old is None and args.new is None:
        dump(args.dump, names, args.replicates)
    elif args.dump is None and args.old is not None and args.new is not None:
        compare(args.old, args.new, names)
    else:
        parser.error("give either --dump DIR, or --old DIR and --new DIR")


if __name__ == "__main__":
    main()
