"""Out-of-sample skill: calibrate on the documented events up to a cut-off, forecast the rest.

The cut-off calibration keeps the targets whose documented events all fall on or before the
cut-off and measures them on the events up to it. Its posterior-predictive runs then give,
for every key pair, event family and month after the cut-off, the probability that at least
one such event happens; the documented record says whether one did (events dated to the
day, week or month). Forecasts are scored with the Brier score against three naive
baselines fitted on the documented months before the cut-off: never (always 0), base rate
(the share of earlier months with such an event, per pair and family), and persistence
(whether the last month before the cut-off had one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.calibration.checks import posterior_draws, predictive_runs
from sim.calibration.fitting import LoadedConfig, fit
from sim.core.errors import InputError
from sim.core.events import event_families
from sim.core.relations import pair_label


def pre_cutoff(loaded: LoadedConfig, cutoff: dt.date) -> LoadedConfig:
    """The config restricted to targets measured only on documented events up to ``cutoff``."""
    events = loaded.documented_events()
    keep = []
    for target in loaded.config.targets:
        dates = target.evidence(events)["date"]
        if len(dates) and (dates <= pd.Timestamp(cutoff)).all():
            keep.append(target)
    config = loaded.config.model_copy(update={"targets": keep, "until": cutoff})
    return LoadedConfig(config, loaded.path, loaded.scenarios)


def forecast_config(
    loaded: LoadedConfig, scenario: str, cutoff: dt.date, population: int, generations: int
) -> LoadedConfig:
    """The cut-off calibration behind a forecast of ``scenario``: :func:`pre_cutoff` with its own budget.

    Refuses a scenario the config does not calibrate on, and a cut-off that leaves no target.
    """
    if scenario not in loaded.scenarios:
        raise InputError(
            f"unknown scenario {scenario!r}; expected one of {sorted(loaded.scenarios)}", field="--scenario"
        )
    oos = pre_cutoff(loaded, cutoff)
    if not oos.config.targets:
        raise InputError(f"no target is measured only on events up to {cutoff}", path=loaded.path, field="--cutoff")
    return oos.with_budget(population_size=population, max_generations=generations)


def forecast(
    oos: LoadedConfig, scenario: str, until: dt.date, runs: int, report: Callable[[str], None]
) -> pd.DataFrame:
    """Brier scores of a forecast of ``scenario`` from the cut-off calibration ``oos`` (see :func:`forecast_config`).

    ``oos`` is calibrated (its progress lines go to ``report``), ``runs`` posterior-predictive
    runs of the scenario forecast the months after the cut-off, and :func:`score` scores those up
    to ``until`` (at most the scenario's end).
    """
    result = fit(oos, report=report)
    chosen = oos.scenarios[scenario]
    predicted = predictive_runs(chosen, posterior_draws(result.posterior, runs, oos.config.budget.seed))
    spec = chosen.scenario
    cutoff = oos.config.until
    if cutoff is None:
        raise ValueError("expected a cut-off config (from forecast_config), which has an 'until' date")
    return score(oos.documented_events(), predicted.events, spec.key_pairs, spec.start, cutoff, min(until, spec.end))


def occurrence(events: pd.DataFrame, pairs: list[tuple[str, str]], months: pd.PeriodIndex) -> pd.DataFrame:
    """1 where at least one event of the family happened between the pair in the month, else 0."""
    families = sorted(set(event_families().values()))
    dated = events[events.get("date_precision", pd.Series("day", index=events.index)).isin(["day", "week", "month"])]
    labels = {pair_label(*pair) for pair in pairs}
    pair_of = (
        dated.apply(lambda row: pair_label(row["source"], row["target"]), axis=1)
        if len(dated)
        else pd.Series(dtype=str)
    )
    seen = (
        set(zip(pair_of, dated["event_type"].map(event_families()), dated["date"].dt.to_period("M"), strict=True))
        if len(dated)
        else set()
    )
    cells = [(label, family, month) for label in sorted(labels) for family in families for month in months]
    return pd.DataFrame(
        [(label, family, month, int((label, family, month) in seen)) for label, family, month in cells],
        columns=["pair", "family", "month", "occurred"],
    )


def brier(probability: np.ndarray, outcome: np.ndarray) -> float:
    """The Brier score: the mean squared gap between forecast probabilities and what happened (0 or 1)."""
    return float(np.mean((probability - outcome) ** 2))


def score(
    documented: pd.DataFrame,
    runs: list[pd.DataFrame],
    pairs: list[tuple[str, str]],
    start: dt.date,
    cutoff: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """Brier scores of the model and the baselines on the months after ``cutoff`` up to ``end``."""
    after = pd.period_range(pd.Timestamp(cutoff) + pd.Timedelta(days=1), pd.Timestamp(end), freq="M")
    before = pd.period_range(pd.Timestamp(start), pd.Timestamp(cutoff), freq="M")
    observed = occurrence(documented, pairs, after)
    history = occurrence(documented, pairs, before)
    model = np.mean([occurrence(run, pairs, after)["occurred"].to_numpy() for run in runs], axis=0)
    base_rate = history.groupby(["pair", "family"])["occurred"].mean()
    last = history[history["month"] == before[-1]].set_index(["pair", "family"])["occurred"]
    keys = list(zip(observed["pair"], observed["family"], strict=True))
    forecasts = {
        "sahelsim (posterior-predictive)": model,
        "never (all zeros)": np.zeros(len(observed)),
        "base rate before the cut-off": np.array([base_rate[k] for k in keys]),
        "persistence of the last month": np.array([last[k] for k in keys], dtype=float),
    }
    outcome = observed["occurred"].to_numpy()
    return pd.DataFrame(
        [
            {"forecast": name, "brier": brier(p, outcome), "cells": len(outcome), "events_observed": int(outcome.sum())}
            for name, p in forecasts.items()
        ]
    )
