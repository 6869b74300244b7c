"""Running a scenario: replicates of the model, gathered into event and tension tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.model.model import SahelModel
from sim.model.scenario import Scenario


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
