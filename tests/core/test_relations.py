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


def test_a_cross_border_incident_raises_the_pairs_tension():
    relations = ledger()
    before = relations.tension("mali", "mauritania")
    relations.record("mali", "mauritania", goldstein("cross_border_incident"))
    assert relations.tension("mali", "mauritania") > before
    assert relations.tension("mauritania", "mali") == relations.tension("mali", "mauritania")
    assert relations.tension("mali", "wagner") == 0.0


def test_a_visit_lowers_tension_and_raises_cooperation():
    relations = ledger(initial={("mali", "mauritania"): (0.4, 0.1)})
    relations.record("mauritania", "mali", goldstein("visit"))
    assert relations.tension("mali", "mauritania") < 0.4
    assert relations.cooperation("mali", "mauritania") > 0.1


def test_hostility_is_directed():
    relations = ledger()
    relations.record("wagner", "mauritania", goldstein("cross_border_incident"))
    assert relations.hostility("wagner", "mauritania") > 0
    assert relations.hostility("mauritania", "wagner") == 0


def test_raw_tension_halves_after_one_half_life():
    relations = ledger(half_life=4.0)
    relations.record("mali", "mauritania", -10.0)
    raw = relations.raw_tension[0, 1]
    for _ in range(4):
        relations.decay()
    assert np.isclose(relations.raw_tension[0, 1], raw / 2)


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
