"""Checks of a calibration: posterior-predictive runs and how many documented events they reproduce.

Posterior-predictive runs draw parameter sets from the ABC posterior (by weight) and run each
calibration scenario once per draw. A documented event counts as reproduced by a run when
the run has an event of the same type between the same two actors (either direction)
within the documented event's period (its date and precision) widened by three weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from sim.calibration.fitting import LoadedConfig
from sim.calibration.targets import statistics
from sim.model.model import SahelModel
from sim.model.scenario import LoadedScenario

SLACK = pd.Timedelta(weeks=3)  # how far outside its documented period a simulated event may fall (weekly steps)
PERIOD = {
    "day": pd.DateOffset(days=1),
    "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1),
    "year": pd.DateOffset(years=1),
}
REPRODUCED_SHARE = 0.5  # a documented event is reproduced when at least this share of runs has it


def posterior_draws(posterior: pd.DataFrame, n: int, seed: int) -> list[dict[str, float]]:
    """``n`` parameter sets drawn from the weighted ABC particles."""
    rng = np.random.default_rng(seed)
    weights = posterior["weight"].to_numpy() / posterior["weight"].sum()
    rows = rng.choice(len(posterior), size=n, p=weights)
    names = [c for c in posterior.columns if c != "weight"]
    return [{name: float(posterior.iloc[row][name]) for name in names} for row in rows]


@dataclass(frozen=True)
class PredictiveRuns:
    """The runs of one scenario drawn from the posterior: their events (to score) and tension (to draw)."""

    events: list[pd.DataFrame]  # one fast event table per run (date, source, target, event_type)
    tension: pd.DataFrame  # weekly tension of all pairs, with a ``run`` column


def predictive_runs(scenario: LoadedScenario, draws: list[dict[str, float]]) -> PredictiveRuns:
    """One run of the scenario per parameter draw, run ``i`` seeded by its index as in a batch."""
    model = SahelModel(scenario.scenario, len(draws), draws).run()  # one ensemble, a draw per replicate
    log = model.log_frame()
    events = [log[log["row"] == row].drop(columns=["row", "run"]).reset_index(drop=True) for row in range(len(draws))]
    tension = model.tension_frame().rename(columns={"replicate": "run"})
    return PredictiveRuns(events, tension)


@dataclass(frozen=True)
class Checks:
    """What a posterior-predictive check found: the tables to keep, and the runs' tension to draw."""

    reproduction: pd.DataFrame  # per documented event and scenario: the share of runs that have it
    statistics: pd.DataFrame  # the target statistics of each run, one row per run
    tension: dict[str, pd.DataFrame]  # per scenario, the weekly tension of its runs (with a ``run`` column)


def reproduction(documented: pd.DataFrame, runs: list[pd.DataFrame], scenario: LoadedScenario) -> pd.DataFrame:
    """Per documented event of the scenario (not replayed as a shock): the share of runs that have it."""
    spec = scenario.scenario
    actors = set(spec.actors)
    inside = documented[
        documented["source"].isin(actors)
        & documented["target"].isin(actors)
        & (documented["source"] != documented["target"])
        & documented["date"].between(pd.Timestamp(spec.start), pd.Timestamp(spec.end))
    ]
    rows = []
    for event in inside.itertuples():
        date = cast(pd.Timestamp, event.date)  # the stubs cannot know a column's type: this one holds datetime64
        window = (date - SLACK, date + PERIOD[str(event.date_precision)] + SLACK)
        if _replayed(event, spec.shocks, window):
            continue
        hits = sum(_has(run, event, window) for run in runs)
        rows.append(
            {
                "event_id": event.event_id,
                "date": event.date,
                "precision": event.date_precision,
                "event_type": event.event_type,
                "source": event.source,
                "target": event.target,
                "share_of_runs": hits / len(runs) if runs else float("nan"),
            }
        )
    table = pd.DataFrame(
        rows, columns=["event_id", "date", "precision", "event_type", "source", "target", "share_of_runs"]
    )
    return table.assign(reproduced=table["share_of_runs"] >= REPRODUCED_SHARE)


def _replayed(event, shocks, window: tuple[pd.Timestamp, pd.Timestamp]) -> bool:
    """Whether the scenario replays this documented event as a shock (then it proves nothing)."""
    return any(
        shock.kind == event.event_type
        and {shock.source, shock.target} == {event.source, event.target}
        and window[0] <= pd.Timestamp(shock.date) <= window[1]
        for shock in shocks
    )


def _has(run: pd.DataFrame, event, window: tuple[pd.Timestamp, pd.Timestamp]) -> bool:
    same = run[
        (run["event_type"] == event.event_type)
        & (
            ((run["source"] == event.source) & (run["target"] == event.target))
            | ((run["source"] == event.target) & (run["target"] == event.source))
        )
    ]
    return bool(same["date"].between(*window).any())


def run_checks(loaded_config: LoadedConfig, posterior: pd.DataFrame, n_runs: int, seed: int) -> Checks:
    """Posterior-predictive runs of every calibration scenario, and what they show.

    Every scenario is run with the same ``n_runs`` parameter draws; the result holds which
    documented events the runs reproduce, their target statistics, and their tension.
    """
    documented = loaded_config.documented_events()
    draws = posterior_draws(posterior, n_runs, seed)
    runs = {name: predictive_runs(scenario, draws) for name, scenario in loaded_config.scenarios.items()}
    reproduced = [
        reproduction(documented, runs[name].events, scenario).assign(scenario=name)
        for name, scenario in loaded_config.scenarios.items()
    ]
    predictive = [
        statistics(
            loaded_config.config.targets, {name: scenario_runs.events[i] for name, scenario_runs in runs.items()}
        )
        for i in range(n_runs)
    ]
    return Checks(
        reproduction=pd.concat(reproduced, ignore_index=True),
        statistics=pd.DataFrame(predictive),
        tension={name: scenario_runs.tension for name, scenario_runs in runs.items()},
    )
