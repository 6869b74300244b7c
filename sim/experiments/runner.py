"""Running a scenario: its replicates stepped together as ensembles, gathered into event and tension tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from sim.model.model import SahelModel
from sim.model.scenario import Scenario

ENSEMBLE_SIZE = 500
"""Replicates stepped together in one model: large enough that array operations dominate the step's
overhead, small enough that a chunk's decision streams and histories stay in a few hundred MB
(``benchmarks/bench_batch.py`` prints the throughput and memory by ensemble size)."""


@dataclass(frozen=True)
class RunResult:
    """What a run produced: every replicate's events and weekly relations."""

    events: pd.DataFrame  # Event columns; by replicate, log order within each
    tension: pd.DataFrame  # date, actor_a, actor_b, pair, tension, cooperation, replicate


def run_replicate(scenario: Scenario, replicate: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One replicate alone (an ensemble of one): its event log and its weekly tension table."""
    model = SahelModel(scenario, [replicate]).run()
    return model.events_frame(), model.tension_frame()


def ensembles(replicates: int, size: int = ENSEMBLE_SIZE) -> Iterator[tuple[int, int]]:
    """(first, count) of consecutive ensembles covering runs 0 .. replicates - 1."""
    for first in range(0, replicates, size):
        yield first, min(size, replicates - first)


def run_scenario(scenario: Scenario, progress: Callable[[int], None] | None = None) -> RunResult:
    """All of the scenario's replicates, in replicate order, stepped in ensembles; ``progress`` gets the runs done."""
    events, tension = [], []
    for first, count in ensembles(scenario.replicates):
        model = SahelModel(scenario, range(first, first + count)).run()
        events.append(model.events_frame())
        tension.append(model.tension_frame())
        if progress is not None:
            progress(first + count)
    return RunResult(events=pd.concat(events, ignore_index=True), tension=pd.concat(tension, ignore_index=True))
