"""Forecast skill the VIEWS way: country-month fatalities and event counts scored with the CRPS.

For every forecast origin (a month) in the overlap of the scenario's period and an imported
dataset, each forecaster gives a distribution for each of the next ``horizon`` months and
country: the model its ensemble of runs (posterior-predictive: one parameter set drawn from the
calibration posterior per run, when a posterior exists), and the three benchmark models of the
VIEWS prediction challenge: all zeros, the last observed month (persistence), and draws with
replacement from the country's last ``history`` observed months. The continuous ranked
probability score of each distribution against the observed value comes from ``scoringrules``'
ensemble CRPS; lower is better, and a point forecast's CRPS is its absolute error.

The model's runs start at the scenario's start and are not re-initialised at each origin, so
its distribution for a month is the same whatever the origin; the benchmarks see the record up
to the origin. Simulated events count for the country of their state actor (target first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scoringrules

from sim.calibration.checks import posterior_draws
from sim.core.actors import load_catalogue
from sim.core.errors import InputError
from sim.model.model import SahelModel
from sim.model.scenario import LoadedScenario
from sim.records.observed import MEASURES, country_monthly, months

MODEL = "sahelsim"
BENCHMARKS = ("zeros", "last month", "bootstrap")


@dataclass(frozen=True)
class Design:
    """What is scored: countries, how far ahead, how much history the bootstrap draws from."""

    countries: tuple[str, ...] = ("MLI", "BFA", "NER", "MRT")
    horizon: int = 3
    history: int = 12
    draws: int = 1000
    seed: int = 1


def covered(
    observed: pd.DataFrame, countries: tuple[str, ...], path: str | Path = "observed events"
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The requested countries the observed table covers, and those it does not.

    A country with no row at all is not a record of zero violence but a file that does not
    cover it; scoring it would count zeros against the model, so it is left out (and said).
    """
    present = set(observed["country"].dropna())
    kept = tuple(code for code in countries if code in present)
    if not kept:
        raise InputError(
            f"has no events in any of the countries {', '.join(countries)}; expected ISO3 codes the file covers "
            f"({', '.join(sorted(present)) or 'none'})",
            path=path,
            field="--countries",
        )
    return kept, tuple(code for code in countries if code not in present)


def simulated_runs(
    scenario: LoadedScenario, runs: int, posterior: pd.DataFrame | None, seed: int
) -> list[pd.DataFrame]:
    """The model's ensemble: one event table per run, parameters drawn from the posterior when given."""
    spec = scenario.scenario
    draws = posterior_draws(posterior, runs, seed) if posterior is not None else [{}] * runs
    events = SahelModel(spec, runs, draws).run().events_frame()  # one ensemble, a draw per replicate
    return [events[events["replicate"] == run].reset_index(drop=True) for run in range(runs)]


def with_state_countries(events: pd.DataFrame) -> pd.DataFrame:
    """Simulated events placed in the country of their target state (else their source state)."""
    iso = {actor.id: actor.iso3 for actor in load_catalogue().actors if actor.kind == "state" and actor.iso3}
    country = events["target"].map(iso).fillna(events["source"].map(iso))
    return events.assign(country=events["country"].fillna(country) if "country" in events else country)


def evaluate(
    observed: pd.DataFrame, runs: list[pd.DataFrame], start: pd.Timestamp, end: pd.Timestamp, design: Design = Design()
) -> pd.DataFrame:
    """CRPS of every forecaster for every origin, horizon, country and measure (one row each)."""
    last = observed["date"].max().to_period("M")
    span = months(start, min(pd.Timestamp(end), last.to_timestamp(how="end")))
    origins = span[: len(span) - design.horizon]
    if len(origins) == 0:
        raise InputError(
            f"the observed events end in {last}, which leaves no forecast origin in the scenario's period "
            f"{start:%Y-%m} to {end:%Y-%m} with {design.horizon} months after it",
            field="--observed",
        )
    history_span = months(span[0].to_timestamp() - pd.DateOffset(months=design.history), span[-1].to_timestamp())
    rng = np.random.default_rng(design.seed)
    rows = []
    for measure in MEASURES:
        truth = country_monthly(observed, design.countries, history_span, measure)
        ensemble = np.stack(
            [country_monthly(with_state_countries(run), design.countries, span, measure).to_numpy() for run in runs],
            axis=-1,
        )  # months x countries x runs
        for origin in origins:
            past = truth.loc[:origin].tail(design.history).to_numpy()
            for step in range(1, design.horizon + 1):
                month = origin + step
                row = truth.loc[month]  # type: ignore[call-overload]  # pandas-stubs omit Period labels
                observed_value = row.to_numpy().astype(float)
                forecasts = {
                    MODEL: ensemble[span.get_loc(month)].astype(float),
                    "zeros": np.zeros((len(design.countries), 1)),
                    "last month": past[-1][:, None].astype(float),
                    "bootstrap": past[rng.integers(0, len(past), design.draws)].T.astype(float),
                }
                for name, members in forecasts.items():
                    scores = scoringrules.crps_ensemble(observed_value, members, m_axis=-1)
                    rows += [
                        (measure, name, str(origin), step, country, float(value), float(score))
                        for country, value, score in zip(design.countries, observed_value, scores, strict=True)
                    ]
    return pd.DataFrame(rows, columns=["measure", "forecaster", "origin", "horizon", "country", "observed", "crps"])


def table(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean CRPS per measure and forecaster, with the model's ratio to each (below 1: the model is better)."""
    mean = scores.groupby(["measure", "forecaster"], sort=False)["crps"].mean().rename("mean_crps").reset_index()
    model = mean[mean["forecaster"] == MODEL].set_index("measure")["mean_crps"]
    mean["model_over_this"] = mean["mean_crps"].where(mean["mean_crps"] > 0).rdiv(mean["measure"].map(model))
    cells = scores.groupby(["measure", "forecaster"], sort=False).size().to_numpy()
    return mean.assign(cells=cells)


def by_country(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean CRPS per measure, country and forecaster (where the model wins or loses)."""
    return scores.pivot_table(index=["measure", "country"], columns="forecaster", values="crps", aggfunc="mean")


@dataclass(frozen=True)
class Skill:
    """What :func:`skill` found: every score, the tables printed, written and drawn, and what was scored."""

    scores: pd.DataFrame  # :func:`evaluate`'s rows
    summary: pd.DataFrame  # :func:`table`, with the ``period`` scored
    countries: pd.DataFrame  # :func:`by_country`
    period: str  # the origins, horizon and countries scored, in words


def skill(
    observed: pd.DataFrame, scenario: LoadedScenario, runs: int, posterior: pd.DataFrame | None, design: Design
) -> Skill:
    """The CRPS of the model and the benchmarks against the observed events, and their summaries.

    The model's ensemble is ``runs`` runs of the scenario, their parameters drawn from
    ``posterior`` when given; the scores are summarised per measure and forecaster, and per country.
    """
    spec = scenario.scenario
    ensemble = simulated_runs(scenario, runs, posterior, spec.seed)
    scores = evaluate(observed, ensemble, pd.Timestamp(spec.start), pd.Timestamp(spec.end), design)
    origins = sorted(scores["origin"].unique())
    period = f"origins {origins[0]} to {origins[-1]}, {design.horizon} months ahead, {', '.join(design.countries)}"
    return Skill(scores, table(scores).assign(period=period), by_country(scores), period)
