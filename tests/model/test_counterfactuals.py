"""Counterfactuals a scenario can write: documented links overridden, rule-made events blocked."""

import datetime as dt

import pytest

from sim.core.errors import InputError
from sim.model.model import SahelModel
from sim.model.scenario import load_scenario
from tests.conftest import SCENARIOS

WINDOW = (dt.date(2024, 7, 25), dt.date(2025, 12, 31))  # no_pledge_after_tinzaouaten_2024's


def child(tmp_path, text: str):
    path = tmp_path / "child.yaml"
    path.write_text(f"extends: {SCENARIOS / 'sahel_2024.yaml'}\nname: child\n{text}")
    return load_scenario(path)


def pledges(scenario, replicate: int) -> list[tuple[dt.date, str, str]]:
    records = SahelModel(scenario, [replicate]).run().log.records()
    pledged = records[records["event_type"] == "pledge_support"]
    return [
        (day.date(), source, target)
        for day, source, target in pledged[["date", "source", "target"]].itertuples(index=False)
    ]


def touches_window(week: dt.date) -> bool:
    return week + dt.timedelta(days=6) >= WINDOW[0] and week <= WINDOW[1]


def test_no_russian_pledge_after_tinzaouaten_while_the_factual_runs_have_some():
    factual = load_scenario(SCENARIOS / "sahel_2024.yaml").scenario
    counterfactual = load_scenario(SCENARIOS / "no_pledge_after_tinzaouaten_2024.yaml").scenario
    assert counterfactual.seed == factual.seed and counterfactual.shocks == factual.shocks
    in_window = {"factual": 0, "counterfactual": 0}
    for replicate in range(6):
        for name, scenario in (("factual", factual), ("counterfactual", counterfactual)):
            in_window[name] += sum(
                touches_window(date) for date, source, target in pledges(scenario, replicate) if source == "russia"
            )
        before = [p for p in pledges(factual, replicate) if not touches_window(p[0])]
        assert [p for p in pledges(counterfactual, replicate) if not touches_window(p[0])][: len(before)] == before
    assert in_window["factual"] >= 6 and in_window["counterfactual"] == 0


def test_a_blocked_window_names_its_actors_and_spares_the_rest(tmp_path):
    loaded = child(tmp_path, "blocked: [{kind: pledge_support, source: russia, target: mali}]")
    found = {(source, target) for replicate in range(4) for _, source, target in pledges(loaded.scenario, replicate)}
    assert ("russia", "mali") not in found and ("russia", "wagner") in found


def test_a_blocked_window_survives_the_round_trip_of_a_result(tmp_path):
    loaded = child(tmp_path, "blocked: [{kind: pledge_support, source: russia, from: 2024-07-25}]")
    dumped = loaded.scenario.model_dump(mode="json")
    assert dumped["blocked"] == [
        {"kind": "pledge_support", "source": "russia", "target": None, "from": "2024-07-25", "until": None}
    ]
    assert loaded.with_changes().scenario == loaded.scenario
    assert loaded.sha256 != load_scenario(SCENARIOS / "sahel_2024.yaml").sha256


@pytest.mark.parametrize(
    ("blocked", "field", "expected"),
    [
        ("[{kind: pledge_suport}]", "blocked.0.kind", "unknown event type 'pledge_suport'; did you mean"),
        ("[{kind: pledge_support, source: rusia}]", "blocked.0.source", "did you mean 'russia'?"),
        ("[{kind: pledge_support, target: france}]", "blocked.0.target", "unknown actor 'france'"),  # not taking part
        ("[{kind: visit, from: 2024-05-01, until: 2024-04-01}]", "blocked.0", "comes before from"),
        ("[{kind: visit, from: 2023-05-01}]", "blocked", "lies outside the period"),
        ("[{kind: visit, until: 2031-05-01}]", "blocked", "lies outside the period"),
        ("[{kind: visit, since: 2024-05-01}]", "blocked.0.since", "unknown field"),
    ],
)
def test_a_bad_blocked_window_is_refused(tmp_path, blocked, field, expected):
    with pytest.raises(InputError, match=expected) as error:
        child(tmp_path, f"blocked: {blocked}")
    assert error.value.field == field


def test_a_documented_link_can_be_cut_or_changed(tmp_path):
    loaded = child(
        tmp_path,
        "actor_attributes:\n"
        "  mali: {patron: null, neighbours: [mauritania, algeria]}\n"
        "  wagner: {host: null}\n"
        "  jnim_aqim: {rear_bases: [mauritania], operates_in: [mali]}\n",
    )
    model = SahelModel(loaded.scenario)
    mali, wagner, jnim = model.agent("mali"), model.agent("wagner"), model.agent("jnim_aqim")
    assert mali.patron is None and mali.neighbours == ["mauritania", "algeria"]
    assert wagner.host is None and model.hosted_in("mali") == []
    assert jnim.rear_bases == ["mauritania"] and jnim.operates_in == ["mali"]
    assert model.agent("burkina_faso").patron == "russia"  # the catalogue's, untouched
    assert model.agent("aes").members == [{"mali", "burkina_faso", "niger"}]  # the parent's override, merged
    clients = [a.actor_id for a in model.agents_in_order if a.patron == "russia"]
    assert clients == ["burkina_faso", "niger", "wagner"]
    records = model.run().log.records()
    made = records[~records["rule"].str.startswith("shock:")]
    assert not len(made[(made["event_type"] == "pledge_support") & (made["target"] == "mali")])
    assert not len(made[made["source"] == "wagner"])  # deployed nowhere, it acts nowhere
    assert set(made.loc[made["target"] == "wagner", "event_type"]) <= {"pledge_support"}  # and is attacked nowhere


def test_a_cut_link_survives_the_round_trip_of_a_result(tmp_path):
    loaded = child(tmp_path, "actor_attributes: {mali: {patron: null, capability: null}}")
    assert loaded.scenario.model_dump(mode="json")["actor_attributes"]["mali"] == {"patron": None, "capability": None}
    again = loaded.with_changes()
    assert SahelModel(again.scenario).agent("mali").patron is None
    assert SahelModel(again.scenario).agent("mali").capability.tolist() == [0.5]  # null keeps the catalogue's value
    assert loaded.sha256 != load_scenario(SCENARIOS / "sahel_2024.yaml").sha256


@pytest.mark.parametrize(
    ("attributes", "field", "expected"),
    [
        (
            "{mali: {patron: wagner}}",
            "actor_attributes.mali.patron",
            "'wagner' \\(pmc\\) is not a state; expected a state as patron",
        ),
        ("{mali: {patron: france}}", "actor_attributes.mali.patron", "unknown actor 'france'"),  # not taking part
        ("{mali: {neighbours: [mauritanie]}}", "actor_attributes.mali.neighbours", "did you mean 'mauritania'?"),
        ("{mali: {neighbours: [niger, niger]}}", "actor_attributes.mali.neighbours", "listed twice"),
        (
            "{mali: {host: algeria}}",
            "actor_attributes",
            "'host' does not apply to 'mali' \\(state\\): the rules read it for international_force and pmc",
        ),
        (
            "{aes: {operates_in: [mali]}}",
            "actor_attributes",
            "expected one of capability, resolve, alignment, present, members$",
        ),
        ("{mali: {patron: mali}}", "actor_attributes", "'mali' names itself as its patron"),
        ("{mali: {neighbours: [mali]}}", "actor_attributes", "names itself as its neighbours"),
        ("{mail: {capability: 0.4}}", "actor_attributes", "unknown actor 'mail'; did you mean 'mali'?"),
        ("{mali: {capability: .inf}}", "actor_attributes.mali.capability", "finite number"),
        ("{mali: {allies: [niger]}}", "actor_attributes.mali.allies", "unknown field"),
    ],
)
def test_a_bad_actor_override_is_refused(tmp_path, attributes, field, expected):
    with pytest.raises(InputError, match=expected) as error:
        child(tmp_path, f"actor_attributes: {attributes}")
    assert error.value.field == field
