"""Targets: one code path measures documented and simulated event tables."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calibration.fitting import load_config, observed_statistics
from sim.calibration.targets import Selector, Target, row_statistics
from sim.core.actors import load_catalogue
from sim.core.events import load_events
from sim.model.model import SahelModel
from tests.conftest import DOCUMENTED, ROOT

CONFIG = ROOT / "calibration" / "sahel.yaml"


def table(*rows):
    return pd.DataFrame(rows, columns=["date", "source", "target", "event_type"]).astype({"date": "datetime64[ns]"})


LAG = Target(
    name="lag",
    scenario="s",
    kind="lag",
    window_weeks=10,
    meaning="test",
    after=Selector(types=["cross_border_incident"], pair=("mali", "mauritania")),
    then=Selector(types=["summon_ambassador"], source="mauritania", target="mali"),
)


def test_a_lag_counts_weeks_from_the_first_event_to_the_first_answer():
    events = table(
        ("2024-04-01", "mali", "mauritania", "cross_border_incident"),
        ("2024-04-15", "mauritania", "mali", "summon_ambassador"),
        ("2024-05-01", "mauritania", "mali", "summon_ambassador"),
    )
    assert LAG.measure(events) == 2.0


def test_a_lag_with_no_answer_is_censored_at_its_window():
    events = table(
        ("2024-04-01", "wagner", "mauritania", "cross_border_incident"),
        ("2024-04-01", "mauritania", "mali", "cross_border_incident"),
    )
    assert LAG.measure(events) == 10.0
    late = table(
        ("2024-04-01", "mali", "mauritania", "cross_border_incident"),
        ("2024-08-01", "mauritania", "mali", "summon_ambassador"),
    )
    assert LAG.measure(late) == 10.0


def test_a_count_is_bounded_by_its_window_after_the_anchor():
    count = LAG.model_copy(update={"kind": "count", "window_weeks": 4})
    events = table(
        ("2024-03-01", "mauritania", "mali", "summon_ambassador"),
        ("2024-04-01", "mali", "mauritania", "cross_border_incident"),
        ("2024-04-10", "mauritania", "mali", "summon_ambassador"),
        ("2024-06-01", "mauritania", "mali", "summon_ambassador"),
    )
    assert count.measure(events) == 1.0


def test_the_observed_statistics_come_from_the_documented_record():
    observed = observed_statistics(load_config(CONFIG))
    assert observed["summons_after_incident"] == pytest.approx(18 / 7)  # 2024-04-01 -> 2024-04-19
    assert observed["contacts_after_incident"] == 3
    assert observed["pledge_after_losses"] == pytest.approx(10 / 7)  # 2024-07-22 -> 2024-08-01
    assert 30 < observed["ambassador_away"] < 40  # about eight months
    assert observed["joint_patrols_2010"] == 1


def test_the_same_code_measures_a_validated_and_a_fast_simulated_table():
    loaded = load_config(CONFIG)
    model = SahelModel(loaded.scenarios["sahel_2024"].scenario, 4).run()
    for target in loaded.config.targets:
        if target.scenario == "sahel_2024":
            assert target.measure(model.log_frame()) == target.measure(model.events_frame())


def test_documented_table_and_targets_share_the_schema():
    documented = load_events(DOCUMENTED, load_catalogue().ids)
    assert {"date", "source", "target", "event_type"} <= set(documented.columns)


TYPES = ["cross_border_incident", "summon_ambassador", "visit"]
ACTORS = ["mali", "mauritania", "wagner"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
            st.sampled_from(ACTORS),
            st.sampled_from(ACTORS),
            st.sampled_from(TYPES),
        ),
        max_size=40,
    ),
    st.sampled_from(["lag", "count", "share"]),
)
def test_an_ensemble_log_is_measured_row_by_row_as_each_run_alone(rows, kind):
    """row_statistics measures every run of an ensemble at once; each value is that run's own table's."""
    target = LAG.model_copy(
        update={"kind": kind, "of": Selector(types=TYPES) if kind == "share" else None, "window_weeks": 6}
    )
    log = pd.DataFrame(rows, columns=["row", "date", "source", "target", "event_type"], dtype=object).astype(
        {"row": int, "date": "datetime64[ns]"}
    )
    together = row_statistics([target], {"s": log}, 4)["lag"]
    alone = [target.measure(log[log["row"] == row]) for row in range(4)]
    assert together.tolist() == pytest.approx(alone)
