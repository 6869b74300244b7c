"""Each rule's probability moves the way its mechanism says, and the model shows it."""

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import sim.experiments.runner
import sim.model.agents
import sim.model.model
from sim.core.parameters import parameter_specs, resolve_parameters
from sim.model import rules
from sim.model.model import SahelModel

P = resolve_parameters()
unit = st.floats(0.0, 0.999)


def emit_everywhere(model: SahelModel, kind: str, source: str, target: str) -> None:
    """One event of ``kind`` in every replicate of the model, as a rule would emit it."""
    every = np.arange(model.replicates)
    at = np.full(model.replicates, 1, dtype=np.intp)
    model.emit("test", kind, every, at * model.index_of(source), at * model.index_of(target))


def test_logistic_is_safe_at_the_extremes():
    assert rules.logistic(-1000.0) == 0.0
    assert rules.logistic(1000.0) == 1.0
    assert math.isclose(rules.logistic(0.0), 0.5)


@given(low=unit, high=unit)
def test_heavy_losses_make_a_pledge_likelier(low, high):
    low, high = sorted((low * 200, high * 200))
    assert rules.pledge_probability(P, high) >= rules.pledge_probability(P, low)


@given(low=unit, high=unit, resolve=unit)
def test_protest_grows_with_tension(low, high, resolve):
    low, high = sorted((low, high))
    assert rules.summons_probability(P, resolve, high) >= rules.summons_probability(P, resolve, low)
    assert rules.recall_probability(P, resolve, high) >= rules.recall_probability(P, resolve, low)
    assert rules.restore_probability(P, high) <= rules.restore_probability(P, low)


@given(low=unit, high=unit, stakes=unit)
def test_de_escalation_grows_with_tension_and_stakes(low, high, stakes):
    low, high = sorted((low, high))
    assert rules.deescalation_probability(P, high, stakes) >= rules.deescalation_probability(P, low, stakes)
    assert rules.deescalation_probability(P, low, 1.0) >= rules.deescalation_probability(P, low, 0.0)


@given(threat=unit, tension=unit)
def test_joint_action_needs_the_common_threat_to_outweigh_tension(threat, tension):
    assert rules.joint_action_probability(P, threat, tension) <= rules.joint_action_probability(P, threat, 0.0)
    baseline = rules.logistic(P.joint_base)
    if threat > tension + 1e-3:
        assert rules.joint_action_probability(P, threat, tension) > baseline
    elif threat < tension - 1e-3:
        assert rules.joint_action_probability(P, threat, tension) < baseline


def test_wagner_raises_civilian_harm_and_pursuit():
    assert rules.civilian_harm_probability(P, True) > rules.civilian_harm_probability(P, False)
    assert rules.pursuit_probability(P, True) > rules.pursuit_probability(P, False)


@given(capability=unit, weak=unit, strong=unit)
def test_defence_deters_attacks(capability, weak, strong):
    weak, strong = sorted((weak, strong))
    assert rules.attack_rate(P, capability, strong) <= rules.attack_rate(P, capability, weak)


def _parameters_read(module) -> set[str]:
    """Attributes the module's source reads from a parameter set (``p.X``, ``params.X``, ``….params.X``)."""
    read = set()
    for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            owner = node.value
            if (isinstance(owner, ast.Name) and owner.id in ("p", "params")) or (
                isinstance(owner, ast.Attribute) and owner.attr == "params"
            ):
                read.add(node.attr)
    return read


def test_the_model_reads_every_parameter_of_the_file_and_no_other():
    """A parameter in sim/data/parameters.yaml that no rule reads would be calibrated and swept for nothing.

    A name read but not in the file would fail only when its branch runs.
    """
    read = set().union(
        *(_parameters_read(module) for module in (rules, sim.model.model, sim.model.agents, sim.experiments.runner))
    )
    assert read == set(parameter_specs())


def _pledges_to_mali(scenario, replicates: int, since, weeks: int) -> float:
    """Mean number of Russian pledges to Mali within ``weeks`` of ``since``, over replicates."""
    events = SahelModel(scenario, replicates).run().log.records()
    days = (pd.to_datetime(events["date"]) - pd.Timestamp(since)).dt.days
    pledges = (events["event_type"] == "pledge_support") & (events["target"] == "mali") & days.between(0, weeks * 7)
    return pledges.sum() / replicates


def test_in_the_model_heavy_losses_bring_a_patrons_pledge_within_weeks(sahel_2024):
    scenario = sahel_2024.scenario.model_copy(update={"end": sahel_2024.scenario.start.replace(month=10)})
    tinzaouaten = [s for s in scenario.shocks if s.kind == "attack" and s.target == "mali"]
    assert tinzaouaten and tinzaouaten[0].magnitude >= P.heavy_loss_threshold
    since = tinzaouaten[0].date
    without = scenario.model_copy(update={"shocks": [s for s in scenario.shocks if s.kind != "attack"]})
    assert _pledges_to_mali(scenario, 30, since, 8) > 2 * _pledges_to_mali(without, 30, since, 8)


@pytest.mark.parametrize(
    ("kind", "source", "target", "check"),
    [
        ("expulsion", "mali", "france", lambda m: not m.agent("france").present.any()),
        ("withdrawal", "wagner", "mali", lambda m: not m.agent("wagner").present.any()),
        (
            "recall_ambassador",
            "mauritania",
            "mali",
            lambda m: m.recalled[:, m.index_of("mauritania"), m.index_of("mali")].all(),
        ),
        (
            "pledge_support",
            "russia",
            "mali",
            lambda m: (m.agent("mali").capability > m.agent("mali").base_capability).all(),
        ),
    ],
)
def test_event_effects(sahel_2024, kind, source, target, check):
    actors = [*sahel_2024.scenario.actors, "france"]
    model = SahelModel(sahel_2024.scenario.model_copy(update={"actors": actors}), replicates=3)
    emit_everywhere(model, kind, source, target)
    assert check(model)


def test_an_alliance_gains_the_member_that_joins(sahel_2024):
    from sim.model.scenario import ActorOverride

    scenario = sahel_2024.scenario.model_copy(update={"actor_attributes": {"aes": ActorOverride(members=[])}})
    model = SahelModel(scenario, replicates=2)
    assert all("mali" not in members for members in model.agent("aes").members)
    emit_everywhere(model, "alliance_formation", "mali", "aes")
    assert all("mali" in members for members in model.agent("aes").members)


@given(low=unit, high=unit, resolve=st.floats(0.1, 1.0))
def test_protest_grows_strictly_with_tension(low, high, resolve):
    assume(high - low > 0.01)
    assert rules.summons_probability(P, resolve, high) > rules.summons_probability(P, resolve, low)
    assert rules.recall_probability(P, resolve, high) > rules.recall_probability(P, resolve, low)
    assert rules.restore_probability(P, high) < rules.restore_probability(P, low)


@given(low=unit, high=unit, stakes=unit)
def test_de_escalation_grows_strictly_with_tension(low, high, stakes):
    assume(high - low > 0.01)
    assert rules.deescalation_probability(P, high, stakes) > rules.deescalation_probability(P, low, stakes)


def _summons(scenario, parameters: dict[str, float], replicates: int) -> int:
    events = SahelModel(scenario, replicates, parameters).run().log.records()
    return int((events["event_type"] == "summon_ambassador").sum())


def test_in_the_model_a_higher_protest_weight_brings_more_summons(sahel_2024):
    scenario = sahel_2024.scenario.model_copy(update={"end": sahel_2024.scenario.start.replace(month=9)})
    assert _summons(scenario, {"protest_tension": 35.0}, 10) > _summons(scenario, {"protest_tension": 0.0}, 10)


def test_in_the_model_an_incident_raises_tension_and_a_visit_lowers_it(sahel_2024):
    """In a running model, whatever its history (each replicate has its own): each event's own effect on the pair."""
    model = SahelModel(sahel_2024.scenario, replicates=3)
    for _ in range(8):
        model.step()
    calm = model.ledger.tension("mali", "mauritania")
    emit_everywhere(model, "cross_border_incident", "mali", "mauritania")
    tense = model.ledger.tension("mali", "mauritania")
    emit_everywhere(model, "visit", "mauritania", "mali")
    assert (calm < tense).all() and (model.ledger.tension("mali", "mauritania") < tense).all()


def test_civilian_harm_in_a_joint_operation_is_attributed_to_every_operator(sahel_2024):
    """Wagner's part in the harm of the operations it joins is recorded, as in a pursuit."""
    scenario = sahel_2024.scenario.model_copy(update={"end": sahel_2024.scenario.start.replace(month=12)})
    events = SahelModel(scenario, replicates=4).run().events_frame()
    harm = events[events["event_type"] == "attack_civilians"]
    by_wagner = harm[harm["source"] == "wagner"]
    assert len(by_wagner)
    host_weeks = set(harm.loc[harm["source"] == "mali", ["replicate", "date"]].itertuples(index=False, name=None))
    assert set(by_wagner[["replicate", "date"]].itertuples(index=False, name=None)) <= host_weeks


@given(deaths=st.lists(st.integers(0, 500), min_size=1, max_size=8), forces=st.integers(1, 4))
def test_deaths_shared_among_forces_add_up_to_the_incident(deaths, forces):
    from sim.model.rules import shared_out

    incidents = np.array(deaths)
    shares = np.stack([shared_out(incidents, np.full(len(deaths), forces), position) for position in range(forces)])
    assert (shares.sum(axis=0) == incidents).all() and (shares.max(axis=0) - shares.min(axis=0) <= 1).all()


def test_in_the_model_rivals_clash_only_with_each_other_where_both_operate(sahel_2024):
    scenario = sahel_2024.scenario.model_copy(update={"end": sahel_2024.scenario.start.replace(month=7)})
    records = SahelModel(scenario, replicates=8).run().log.records()
    clashes = records[records["event_type"] == "non_state_fight"]
    assert len(clashes) > 0 and set(clashes["rule"]) == {"rivalry"}
    assert set(zip(clashes["source"], clashes["target"], strict=True)) <= {
        ("jnim_aqim", "is_sahel"),
        ("is_sahel", "jnim_aqim"),
    }  # the Tuareg groups, with no rival in the catalogue, fight neither
    assert (clashes["fatalities"] >= 0).all()


def test_a_clash_wears_down_the_group_attacked_and_raises_the_rivals_tension(sahel_2024):
    model = SahelModel(sahel_2024.scenario, replicates=3)
    before = model.agent("is_sahel").capability.copy()
    tension = model.ledger.tension("jnim_aqim", "is_sahel").copy()
    every = np.arange(model.replicates)
    at = np.ones(model.replicates, dtype=np.intp)
    model.emit(
        "test",
        "non_state_fight",
        every,
        at * model.index_of("jnim_aqim"),
        at * model.index_of("is_sahel"),
        fatalities=np.full(model.replicates, 30),
    )
    assert (model.agent("is_sahel").capability < before).all()
    assert (model.ledger.tension("jnim_aqim", "is_sahel") > tension).all()


@given(low=unit, high=unit)
def test_clashes_grow_strictly_with_the_rivals_tension(low, high):
    assume(high - low > 0.01)
    assert rules.clash_rate(P, high) > rules.clash_rate(P, low)


def test_in_the_model_operations_have_deaths_shared_among_their_operators(sahel_2024):
    scenario = sahel_2024.scenario.model_copy(update={"end": sahel_2024.scenario.start.replace(month=4)})
    events = SahelModel(scenario, replicates=4).run().events_frame()
    by_rule = events[events["rule"] == "counter_insurgency"]
    operations = by_rule[by_rule["event_type"] == "counterinsurgency_operation"]
    assert operations["fatalities"].notna().all() and operations["fatalities"].sum() > 0
    joint = operations.groupby(["replicate", "date", "target", "country"])["source"].agg(set)
    assert (joint.map(lambda sources: "wagner" in sources and "mali" in sources)).any()  # Wagner's share rides along


def _civilians_killed(model: SahelModel, by: str, deaths: int) -> None:
    every, at = np.arange(model.replicates), np.ones(model.replicates, dtype=np.intp)
    model.emit(
        "test",
        "attack_civilians",
        every,
        at * model.index_of(by),
        at * model.index_of("civilians"),
        fatalities=np.full(model.replicates, deaths),
    )


def test_civilians_killed_by_a_states_side_raise_what_the_groups_on_its_soil_recover_towards(sahel_2024):
    model = SahelModel(sahel_2024.scenario, replicates=2)
    groups = {g.actor_id for g in model.groups_in("mali")}
    before = model.potential.copy()
    _civilians_killed(model, "wagner", 100)  # Wagner is hosted by Mali: it recruits for Mali's groups
    gained = {a.actor_id for a in model.agents_in_order if (model.potential[:, a.index] > before[:, a.index]).all()}
    assert gained == groups
    rise = model.potential[:, model.index_of("jnim_aqim")] - before[:, model.index_of("jnim_aqim")]
    assert rise == pytest.approx(100 * P.recruitment_per_death)


def test_civilians_killed_by_a_group_recruit_for_nobody(sahel_2024):
    model = SahelModel(sahel_2024.scenario, replicates=2)
    before = model.potential.copy()
    _civilians_killed(model, "jnim_aqim", 100)
    assert (model.potential == before).all()


def test_grievance_fades_back_towards_the_catalogue_capability(sahel_2024):
    model = SahelModel(sahel_2024.scenario.model_copy(update={"parameters_from": "median"}), replicates=1)
    jnim = model.index_of("jnim_aqim")
    model.potential[:, jnim] = 1.0
    model.step()
    assert model.potential[0, jnim] < 1.0
    assert model.potential[0, jnim] > model.base_capability[jnim]
