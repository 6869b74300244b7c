"""The documented record of a scenario: its documented events and their tension series.

The series is measured with the same ruler as the simulated runs (the scenario's initial
relations and parameters), so a plot or a check can lay the two side by side.
"""

from __future__ import annotations

import pandas as pd

from sim.core.actors import load_catalogue
from sim.core.events import load_events
from sim.core.parameters import resolve_parameters
from sim.core.relations import pair_key, tension_series
from sim.model.scenario import LoadedScenario
from sim.records.observed import primary


def documented_record(loaded: LoadedScenario) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The scenario's documented events and their tension series, on the scenario's terms.

    The series starts from the scenario's initial relations and uses its parameters, so it
    is measured with the same ruler as the simulated runs. Only the events counted once and
    placeable in a month are kept (:func:`sim.records.observed.primary`): a duplicate coded from a second
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
