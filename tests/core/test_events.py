"""The documented record: every row valid, sourced, dated with its precision."""

import pandas as pd
import pytest

from sim.core.actors import load_catalogue
from sim.core.errors import InputError
from sim.core.events import Event, event_types, events_to_frame, frame_to_events, load_events, select_events
from tests.conftest import DOCUMENTED, SEEDS


@pytest.fixture(scope="module")
def documented() -> pd.DataFrame:
    return load_events(DOCUMENTED, load_catalogue().ids)


def test_every_seed_document_contributes_events(documented):
    seeds = sorted(path.name for path in SEEDS.glob("*.txt"))
    assert len(seeds) == 5
    counts = documented.groupby("source_file").size()
    assert sorted(counts.index) == seeds
    assert (counts >= 5).all()


def test_documented_events_are_documented_and_coded(documented):
    assert (documented["origin"] == "documented").all()
    for row in documented.itertuples():
        assert row.cameo_root == event_types()[row.event_type].cameo_root


def test_coarse_dates_start_their_period(documented):
    for row in documented.itertuples():
        if row.date_precision == "month":
            assert row.date.day == 1, row.event_id
        elif row.date_precision == "year":
            assert (row.date.month, row.date.day) == (1, 1), row.event_id
        elif row.date_precision == "week":
            assert row.date.weekday() == 0, row.event_id


@pytest.mark.parametrize(
    ("event_type", "source", "target", "year"),
    [
        ("coup", "mali", "mali", 2020),
        ("expulsion", "mali", "france", 2022),
        ("expulsion", "mali", "minusma", 2023),
        ("recall_ambassador", "mauritania", "mali", 2010),
        ("restore_ambassador", "mauritania", "mali", 2010),
        ("joint_patrol", "mali", "mauritania", 2010),
        ("kidnapping", "jnim_aqim", "civilians", 2010),
        ("cross_border_incident", "mali", "mauritania", 2024),
        ("summon_ambassador", "mauritania", "mali", 2024),
        ("visit", "mauritania", "mali", 2024),
        ("delegation", "mali", "mauritania", 2024),
        ("attack", "tuareg_separatists", "wagner", 2024),
        ("joint_operation", "mali", "burkina_faso", 2024),
        ("pledge_support", "russia", "mali", 2024),
        ("alliance_formation", "mali", "aes", 2024),
    ],
)
def test_the_key_documented_facts_are_in_the_record(documented, event_type, source, target, year):
    match = documented[
        (documented["event_type"] == event_type)
        & (documented["source"] == source)
        & (documented["target"] == target)
        & (documented["date"].dt.year == year)
    ]
    assert len(match) >= 1


def test_summons_is_dated_to_the_friday_before_publication(documented):
    summons = documented[documented["event_type"] == "summon_ambassador"].iloc[0]
    assert summons["date"] == pd.Timestamp("2024-04-19")
    assert summons["date_precision"] == "day"
    assert bool(summons["date_inferred"])


def test_frame_round_trip_keeps_every_field(documented):
    events = frame_to_events(documented)
    again = events_to_frame(events)
    pd.testing.assert_frame_equal(documented, again)


def test_select_by_actor_and_date(documented):
    rows = select_events(documented, actor="russia", since=pd.Timestamp("2024-08-01").date())
    assert len(rows) >= 2
    assert ((rows["source"] == "russia") | (rows["target"] == "russia")).all()
    assert (rows["date"] >= pd.Timestamp("2024-08-01")).all()


def test_coding_defaults_come_from_the_catalogue():
    event = Event(
        event_id="x",
        date="2024-04-19",
        date_precision="day",
        source="mauritania",
        target="mali",
        event_type="summon_ambassador",
        origin="documented",
        source_file="a.txt",
    )
    assert (event.cameo_root, event.goldstein) == (11, -2.0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"event_type": "invasion"}, "unknown event_type"),
        ({"date": "2024-13-40"}, "date"),
        ({"source_file": None}, "source_file"),
        ({"fatalities": "-3"}, "fatalities"),
        ({"source": "atlantis"}, "unknown actor"),
    ],
)
def test_a_bad_row_names_the_file_the_row_and_the_field(tmp_path, documented, change, expected):
    bad = documented.copy()
    for column, value in change.items():
        bad[column] = bad[column].astype(object)
        bad.loc[3, column] = value
    path = tmp_path / "events.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError) as error:
        load_events(path, load_catalogue().ids)
    assert str(path) in error.value.message
    assert expected in error.value.message


def test_the_committed_json_schema_is_the_event_model():
    import json

    committed = json.loads((DOCUMENTED.parent / "events.schema.json").read_text())
    assert committed == Event.model_json_schema(), (
        "regenerate with: python -m sim events --schema > calibration/events.schema.json"
    )
