"""The classroom behind the teaching page.

Shocks pulled now, bad choices as messages, the feed, the monitors, the live figures, and the
`sahelsim app` checks before the server starts.
"""

from __future__ import annotations

import datetime as dt
import socket

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.datafiles import load_yaml_model
from sim.core.errors import InputError
from sim.core.relations import tension_series
from sim.model.model import SahelModel
from sim.model.scenario import load_fitted_set
from sim.teaching.classroom import (
    Classroom,
    ClassroomModel,
    classroom,
    feed,
    lever_settings,
    load_offered,
    monitors,
    sentence,
)
from sim.teaching.serve import where
from tests.conftest import ROOT, run_cli


def short(scenario, weeks: int = 20):
    return scenario.model_copy(update={"end": scenario.start + dt.timedelta(weeks=weeks)})


def test_an_injected_shock_is_replayed_in_the_coming_week_with_its_effects(sahel_2024):
    model = SahelModel(short(sahel_2024.scenario))
    for _ in range(3):
        model.step()
    shock = model.inject("withdrawal", "wagner", "mali")
    assert shock.date == model.dates[3]
    assert model.agent("wagner").present.all()
    assert not (model.log.records()["event_type"] == "withdrawal").any()  # not before the step
    model.step()
    records = model.log.records()
    replayed = records[records["event_type"] == "withdrawal"]
    assert len(replayed) == 1 and replayed["date"].iloc[0].date() == model.dates[3]
    assert replayed["rule"].iloc[0] == "shock:withdrawal"
    assert not model.agent("wagner").present.any()


def test_the_same_pulls_give_the_same_run(sahel_2024):
    def run() -> list:
        model = SahelModel(short(sahel_2024.scenario))
        model.step()
        model.inject("attack", "jnim_aqim", "mali", magnitude=40)
        model.run()
        return model.log.records()

    pd.testing.assert_frame_equal(run(), run())


@pytest.mark.parametrize(
    ("kind", "source", "target", "magnitude", "expected"),
    [
        ("meteor_strike", "mali", "mauritania", None, "unknown shock kind 'meteor_strike'"),
        ("visit", "mali", "france", None, "unknown actor 'france'"),  # not taking part in sahel_2024
        ("visit", "mauritania", "mali", 3, "takes no magnitude"),
    ],
)
def test_a_bad_injection_is_one_clear_error(sahel_2024, kind, source, target, magnitude, expected):
    model = SahelModel(short(sahel_2024.scenario))
    scheduled = list(model.shocks)
    with pytest.raises(InputError, match=expected):
        model.inject(kind, source, target, magnitude)
    assert model.shocks == scheduled


def test_no_injection_once_the_run_has_ended(sahel_2024):
    model = SahelModel(short(sahel_2024.scenario, weeks=2)).run()
    with pytest.raises(InputError, match="the run ended"):
        model.inject("visit", "mauritania", "mali")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pulls=st.lists(st.tuples(st.integers(0, 11), st.sampled_from(range(5))), max_size=6))
def test_with_any_pulls_the_tension_is_still_the_observable_of_the_event_log(sahel_2024, pulls):
    """Pulled shocks go through the same ledger as every event: the invariant of the model holds."""
    scenario = short(sahel_2024.scenario, weeks=12)
    model = SahelModel(scenario)
    buttons = classroom().shocks
    for week in range(len(model.dates)):
        for when, which in pulls:
            if when == week:
                button = buttons[which]
                model.inject(button.kind, button.source, button.target, button.magnitude)
        model.step()
    initial = {tuple(sorted(r.pair)): (r.tension, r.cooperation) for r in scenario.relations}
    series = tension_series(
        model.events_frame(),
        model.taking_part,
        scenario.start,
        scenario.end,
        model.params.tension_half_life_weeks,
        model.params.tension_scale,
        initial,
    )
    np.testing.assert_allclose(series["tension"].to_numpy(), model.tension_frame()["tension"].to_numpy(), atol=1e-12)


def test_every_offered_scenario_loads_and_every_button_names_real_actors():
    for name in classroom().scenarios:
        loaded = load_offered(name)
        assert loaded.scenario.name == name
    with pytest.raises(InputError, match="unknown scenario 'atlantis'"):
        load_offered("atlantis")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"levers": {"courage": {"label": "x", "step": 1}}}, "unknown parameter 'courage'"),
        ({"monitors": {"meteors": ["meteor_strike"]}}, "unknown event type 'meteor_strike'"),
        (
            {"shocks": [{"label": "x", "kind": "visit", "source": "mali", "target": "atlantis"}]},
            "unknown actor 'atlantis'",
        ),
        (
            {"shocks": [{"label": "x", "kind": "visit", "source": "mali", "target": "niger", "magnitude": 2}]},
            "takes no magnitude",
        ),
    ],
)
def test_a_bad_classroom_file_is_one_clear_error(tmp_path, change, expected):
    data = classroom().model_dump() | change
    path = tmp_path / "classroom.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError, match=expected) as error:
        load_yaml_model(Classroom, path)
    assert str(path) in error.value.message and next(iter(change)) in error.value.message


def test_sliders_mark_the_calibrated_value_of_the_fitted_set(sahel_2024):
    fitted = load_fitted_set(ROOT / "calibration" / "fitted" / "sahel.yaml").medians()
    levers = {lever.name: lever for lever in lever_settings(sahel_2024)}
    assert levers["protest_tension"].calibrated == fitted["protest_tension"]
    assert levers["protest_tension"].value == fitted["protest_tension"]
    assert f"calibrated {fitted['protest_tension']:.3g}" in levers["protest_tension"].title
    assert levers["harm_wagner"].calibrated is None and "default" in levers["harm_wagner"].title
    for lever in levers.values():
        assert lever.low <= lever.value <= lever.high and lever.meaning


def test_bad_choices_become_messages_and_the_model_still_runs():
    model = ClassroomModel(
        scenario="atlantis", seed="-4", protest_tension=99.0, deescalation_tension="lots", harm_wagner=3.0
    )
    assert model.name == classroom().scenarios[0]
    assert model.scenario.seed == load_offered(model.name).scenario.seed
    text = " ".join(model.problems)
    assert "unknown scenario 'atlantis'" in text
    assert "seed" in text and "'-4'" in text
    assert "protest_tension" in text and "[0, 40]" in text
    assert "deescalation_tension" in text
    assert len(model.problems) == 4
    assert model.params.harm_wagner == 3.0  # a good value is applied
    assert model.params.protest_tension == load_offered(model.name).scenario.parameters["protest_tension"]
    model.step()
    assert model.steps == 1


def test_a_slider_left_at_its_snapped_mark_keeps_the_exact_calibrated_value():
    exact = load_offered("sahel_2024").scenario.parameters["protest_tension"]
    step = classroom().levers["protest_tension"].step
    mark = round(exact / step) * step  # where the slider shows the calibrated value
    assert mark != exact
    assert ClassroomModel(scenario="sahel_2024", protest_tension=mark).params.protest_tension == exact
    assert ClassroomModel(scenario="sahel_2024", protest_tension=mark + 1.0).params.protest_tension == mark + 1.0


def test_a_slider_and_a_seed_change_the_run():
    base = ClassroomModel(scenario="sahel_2024")
    moved = ClassroomModel(scenario="sahel_2024", seed="7", pledge_losses=0.0)
    assert not base.problems and not moved.problems
    assert moved.scenario.seed == 7 and moved.params.pledge_losses == 0.0


def test_the_feed_reads_events_in_plain_words_newest_first():
    assert sentence("mauritania", "mali", "summon_ambassador") == "Mauritania summons the ambassador of Mali"
    assert (
        sentence("jnim_aqim", "mali", "attack", {"fatalities": 12})
        == "JNIM / AQIM attacks the forces of Mali (12 killed)"
    )
    model = ClassroomModel(scenario="sahel_2024")
    for _ in range(13):
        model.step()
    pending = feed(model)
    assert pending[0] == "coming week 14: Mali harms civilians across the border of Mauritania (shock)"
    assert len(pending) == 2 + classroom().feed_length
    newest = model.log.records(0).iloc[-1]
    details = {"fatalities": max(newest["fatalities"], 0), "count": max(newest["count"], 0)}
    said = sentence(newest["source"], newest["target"], newest["event_type"], details)
    assert pending[2] == f"week 13 ({newest['date']:%d %b %Y}): {said}"
    model.step()
    lines = feed(model)
    assert lines[:2] == [  # the week's shocks first, whatever else happened that week
        "week 14 (01 Apr 2024): Wagner Group harms civilians across the border of Mauritania (5 killed) (shock)",
        "week 14 (01 Apr 2024): Mali harms civilians across the border of Mauritania (5 killed) (shock)",
    ]
    assert len(lines) == classroom().feed_length
    weeks = [int(line.split()[1]) for line in lines]
    assert weeks[0] == 14 and weeks == sorted(weeks, reverse=True)  # newest first


def test_monitors_count_the_log_and_read_the_key_pairs():
    model = ClassroomModel(scenario="sahel_2024")
    for _ in range(15):
        model.step()
    counts, readings = monitors(model)
    kinds = model.log.records()["event_type"]
    assert counts["incidents"] == (kinds == "cross_border_incident").sum() >= 2
    assert counts["attacks"] == kinds.isin(["attack", "attack_civilians"]).sum()
    assert counts["patrols"] == kinds.isin(["joint_patrol", "joint_operation"]).sum()
    assert readings[0].label == "Mali – Mauritania"
    assert readings[0].tension == pytest.approx(model.ledger.tension("mali", "mauritania")[0])


def test_a_misspelt_choice_on_the_page_is_named_with_the_nearest_one():
    model = ClassroomModel(scenario="sahel_2042", pledge_lossess=3.0)
    text = " ".join(model.problems)
    assert "scenario choice, field 'scenario': unknown scenario 'sahel_2042'; did you mean 'sahel_2024'?" in text
    assert "unknown lever 'pledge_lossess'; did you mean 'pledge_losses'?" in text
    assert "classroom.yaml" not in text


def test_app_refuses_an_unknown_scenario_before_starting():
    result = run_cli("app", "--scenario", "atlantis", "--port", "1")
    assert result.returncode == 2
    assert "unknown scenario 'atlantis'" in result.stderr and "Traceback" not in result.stderr


def test_app_refuses_a_port_in_use_before_starting():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("app", "--port", str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_address_line_says_who_can_reach_the_page():
    assert where("127.0.0.1", 8765).startswith("http://127.0.0.1:8765") and "loopback only" in where("127.0.0.1", 8765)
    exposed = where("0.0.0.0", 8765)
    assert exposed.startswith("http://127.0.0.1:8765") and "bound to 0.0.0.0" in exposed and "other machines" in exposed
