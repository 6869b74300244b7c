"""Running a scenario: replicates of the model, gathered into event and tension tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.actors import load_catalogue
from sim.events import load_events
from sim.model import SahelModel
from sim.observed import primary
from sim.parameters import resolve_parameters
from sim.relations import pair_key, tension_series
from sim.scenario import LoadedScenario, Scenario


@dataclass(frozen=True)
class RunResult:
    """What a run produced: every replicate's events and weekly relations."""

    events: pd.DataFrame  # Event columns; log order within each replicate
    tension: pd.DataFrame  # date, actor_a, actor_b, pair, tension, cooperation, replicate


def run_replicate(scenario: Scenario, replicate: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One model run: its event log and its weekly tension table."""
    model = SahelModel(scenario, replicate).run()
    tension = model.tension_frame()
    tension["replicate"] = replicate
    return model.events_frame(), tension


def run_scenario(scenario: Scenario, progress: Callable[[int], None] | None = None) -> RunResult:
    """All of the scenario's replicates, in replicate order (each seeded on its own)."""
    events, tension = [], []
    for replicate in range(scenario.replicates):
        replicate_events, replicate_tension = run_replicate(scenario, replicate)
        events.append(replicate_events)
        tension.append(replicate_tension)
        if progress is not None:
            progress(replicate + 1)
    return RunResult(
        events=pd.concat(events, ignore_index=True),
        tension=pd.concat(tension, ignore_index=True),
    )


def documented_record(loaded: LoadedScenario) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The scenario's documented events and their tension series, on the scenario's terms.

    The series starts from the scenario's initial relations and uses its parameters, so it
    is measured with the same ruler as the simulated runs. Only the events counted once and
    placeable in a month are kept (:func:`sim.observed.primary`): a duplicate coded from a second
    article would count its event twice, and an event dated only to the year would land on
    1 January. None when the scenario names no documented-event file.
    """
    path = loaded.documented_events_path
    if path is None:
        return None
    scenario = loaded.scenario
    events = primary(load_events(path, load_catalogue().ids))
    params = resolve_parameters(scenario.parameters)
    actors = [actor for actor in load_catalogue().ids if actor in scenario.actors]
    initial = {pair_key(*r.pair): (r.tension, r.cooperation) for r in scenario.relations}
    series = tension_series(
        events, actors, scenario.start, scenario.end, params.tension_half_life_weeks, params.tension_scale, initial
    )
    return events, series
