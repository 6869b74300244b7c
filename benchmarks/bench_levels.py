"""Violence levels: simulated country-year deaths and violent events against recorded ones.

Run: python benchmarks/bench_levels.py [--scenario scenarios/sahel_2024.yaml] [--runs 200]
     [--reference benchmarks/levels_reference.yaml]

Runs the scenario (a posterior draw per run, the default), counts deaths and violent events
(the event family ``violence``) per country and calendar year with the same code the forecast
scores use (events placed in their state's country), and prints each country-year's median and
90 % interval over runs beside the reference figures of ``--reference``: recorded totals of the
same measures. The reference years need not be the scenario's, so the ratio is a check of order
of magnitude, not a hindcast; issue 15 asks for country-year levels within a factor of 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.calibration.scoring import with_state_countries
from sim.model.model import SahelModel
from sim.model.scenario import load_scenario
from sim.records.observed import country_monthly, months

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ("MLI", "BFA", "NER")


def yearly(runs: list[pd.DataFrame], span: pd.PeriodIndex, measure: str) -> np.ndarray:
    """(runs, years, countries) totals of a measure: deaths or violent events."""
    totals = []
    for run in runs:
        monthly = country_monthly(with_state_countries(run), COUNTRIES, span, measure)  # type: ignore[arg-type]
        totals.append(monthly.groupby(monthly.index.year).sum().to_numpy())
    return np.stack(totals)


def main() -> None:
    """Print simulated country-year levels with their intervals, and the reference figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "sahel_2024.yaml")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reference", type=Path, default=ROOT / "benchmarks" / "levels_reference.yaml")
    args = parser.parse_args()
    spec = load_scenario(args.scenario).scenario.model_copy(update={"replicates": args.runs})
    print(f"{spec.name}: {args.runs} runs, {spec.parameter_source}", flush=True)
    events = SahelModel(spec, args.runs).run().events_frame()
    runs = [events[events["replicate"] == run].reset_index(drop=True) for run in range(args.runs)]
    span = months(spec.start, spec.end)
    years = sorted(set(span.year))
    simulated = {}
    for measure, label in (("fatalities", "deaths"), ("events", "events")):
        values = yearly(runs, span, measure)
        for j, year in enumerate(years):
            for k, country in enumerate(COUNTRIES):
                low, median, high = np.quantile(values[:, j, k], [0.05, 0.5, 0.95])
                simulated[(country, year, label)] = median
                print(f"  {country} {year} {label:>6}: median {median:7.0f}  90 % interval [{low:.0f}, {high:.0f}]")
    reference = yaml.safe_load(args.reference.read_text(encoding="utf-8"))
    print(f"reference: {reference['source']}")
    for row in reference["rows"]:
        for label in ("deaths", "events"):
            if label in row:
                ours = np.mean([v for (c, _, m), v in simulated.items() if c == row["country"] and m == label])
                print(
                    f"  {row['country']} {row['year']} {label:>6}: recorded {row[label]:6d}; simulated median per "
                    f"year {ours:7.0f} (ratio {ours / row[label]:.2f})"
                )


if __name__ == "__main__":
    main()
