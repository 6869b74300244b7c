"""Tension is an observable: one ledger measures documented and simulated events alike."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.events import event_types
from sim.core.relations import RelationLedger, tension_series

ACTORS = ["mali", "mauritania", "wagner"]


def ledger(**kwargs) -> RelationLedger:
    return RelationLedger(
        ACTORS, half_life_weeks=kwargs.get("half_life", 8.0), scale=20.0, initial=kwargs.get("initial")
    )


def goldstein(kind: str) -> float:
    return event_types()[kind].goldstein


def record(relations: RelationLedger, source: str, target: str, weight: float) -> None:
    """One event in every replicate of the ledger."""
    rows = np.arange(relations.replicates)
    index = relations.index
    relations.record(rows, np.full(len(rows), index[source]), np.full(len(rows), index[target]), weight)


def test_a_cross_border_incident_raises_the_pairs_tension():
    relations = ledger()
    before = relations.tension("mali", "mauritania")
    record(relations, "mali", "mauritania", goldstein("cross_border_incident"))
    assert relations.tension("mali", "mauritania") > before
    assert relations.tension("mauritania", "mali") == relations.tension("mali", "mauritania")
    assert relations.tension("mali", "wagner") == 0.0


def test_a_visit_lowers_tension_and_raises_cooperation():
    relations = ledger(initial={("mali", "mauritania"): (0.4, 0.1)})
    record(relations, "mauritania", "mali", goldstein("visit"))
    assert relations.tension("mali", "mauritania") < 0.4
    assert relations.cooperation("mali", "mauritania") > 0.1


def test_hostility_is_directed():
    relations = ledger()
    record(relations, "wagner", "mauritania", goldstein("cross_border_incident"))
    assert relations.hostility("wagner", "mauritania") > 0
    assert relations.hostility("mauritania", "wagner") == 0


def test_raw_tension_halves_after_one_half_life():
    relations = ledger(half_life=4.0)
    record(relations, "mali", "mauritania", -10.0)
    raw = relations.raw_tension[0, 0, 1]
    for _ in range(4):
        relations.decay()
    assert np.isclose(relations.raw_tension[0, 0, 1], raw / 2)


events_strategy = st.lists(
    st.tuples(st.sampled_from(ACTORS), st.sampled_from(ACTORS), st.floats(-10, 10), st.integers(0, 20)),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(events=events_strategy, half_life=st.floats(2, 52), scale=st.floats(5, 60))
def test_levels_stay_in_range_whatever_the_events_and_parameters(events, half_life, scale):
    frame = pd.DataFrame(
        {
            "source": [e[0] for e in events],
            "target": [e[1] for e in events],
            "goldstein": [e[2] for e in events],
            "date": [pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=e[3]) for e in events],
        }
    )
    series = tension_series(frame, ACTORS, dt.date(2024, 1, 1), dt.date(2024, 6, 1), half_life, scale)
    for column in ("tension", "cooperation"):
        assert series[column].between(0.0, 1.0, inclusive="both").all()


def test_tension_series_ignores_events_outside_the_period_and_the_actors():
    frame = pd.DataFrame(
        {
            "source": ["mali", "mali", "russia"],
            "target": ["mauritania", "mauritania", "mali"],
            "goldstein": [-9.0, -9.0, -9.0],
            "date": pd.to_datetime(["2023-06-01", "2025-06-01", "2024-02-01"]),
        }
    )
    series = tension_series(frame, ACTORS, dt.date(2024, 1, 1), dt.date(2024, 12, 31), 8.0, 20.0)
    assert (series["tension"] == 0).all()


same_sign_events = st.lists(
    st.tuples(st.sampled_from(ACTORS), st.sampled_from(ACTORS), st.floats(0.1, 10)), min_size=1, max_size=20
)


@settings(max_examples=60, deadline=None)
@given(events=same_sign_events, conflictual=st.booleans(), start=st.floats(0.0, 0.9))
def test_a_batch_of_same_sign_events_records_what_one_by_one_would(events, conflictual, start):
    """The model records a week's events of one type in one call; clipping at zero must not see the difference."""
    initial = {("mali", "mauritania"): (start, start), ("mali", "wagner"): (start / 2, start)}
    one_by_one, batched = ledger(initial=initial), ledger(initial=initial)
    weights = [-w if conflictual else w for _, _, w in events]
    for (source, target, _), weight in zip(events, weights, strict=True):
        record(one_by_one, source, target, weight)
    index = batched.index
    batched.record(
        np.zeros(len(events), dtype=int),
        np.array([index[s] for s, _, _ in events]),
        np.array([index[t] for _, t, _ in events]),
        np.array(weights),
    )
    for raw in ("raw_tension", "raw_cooperation", "raw_hostility"):
        assert np.allclose(getattr(one_by_one, raw), getattr(batched, raw))


def test_each_replicate_decays_and_saturates_with_its_own_parameters():
    relations = RelationLedger(ACTORS, half_life_weeks=np.array([2.0, 8.0]), scale=np.array([10.0, 40.0]), replicates=2)
    record(relations, "mali", "mauritania", -10.0)
    levels = relations.tension("mali", "mauritania")
    assert levels[0] > levels[1]  # the same weight saturates a smaller scale more
    relations.decay()
    raw = relations.raw_tension[:, 0, 1]
    assert np.allclose(raw, [10.0 * 0.5**0.5, 10.0 * 0.5**0.125])
