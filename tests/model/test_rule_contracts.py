"""Every rule of the model keeps the rule contract (tests/model/rule_contract.py).

Each class below declares one rule: the event types it emits, where it acts, and which way
each of its probabilities moves with each state term, as the rule's docstring says.
"""

from hypothesis import strategies as st

from sim.model import rules
from tests.conftest import ROOT, SCENARIOS
from tests.model.rule_contract import Probability, RuleContract, unit

ALIGNMENT = ROOT / "tests" / "data" / "alignment_2021.yaml"
alignment = st.floats(-1.0, 1.0)
deaths = st.floats(0.0, 500.0)


class TestInsurgency(RuleContract):
    rule = rules.Insurgency
    emits = frozenset({"attack", "attack_civilians", "kidnapping"})
    probabilities = (
        Probability(rules.attack_rate, {"capability": unit, "defence": unit}, ("capability",), ("defence",), rate=True),
        Probability(rules.civilian_attack_rate, {"capability": unit}, ("capability",), rate=True),
        Probability(rules.kidnap_probability, {"capability": unit}, ("capability",)),
    )


class TestRivalry(RuleContract):
    rule = rules.Rivalry
    emits = frozenset({"non_state_fight"})
    probabilities = (Probability(rules.clash_rate, {"tension": unit}, ("tension",), rate=True),)


class TestCounterInsurgency(RuleContract):
    rule = rules.CounterInsurgency
    emits = frozenset({"counterinsurgency_operation", "attack_civilians", "cross_border_incident"})
    probabilities = (
        Probability(rules.operation_rate, {"threat": unit, "capability": unit}, ("threat", "capability"), rate=True),
        Probability(rules.civilian_harm_probability, {"with_wagner": st.booleans()}, ("with_wagner",)),
        Probability(rules.pursuit_probability, {"with_wagner": st.booleans()}, ("with_wagner",)),
    )


class TestProtest(RuleContract):
    rule = rules.Protest
    emits = frozenset({"summon_ambassador", "recall_ambassador", "restore_ambassador"})
    scenario = SCENARIOS / "joint_patrols_2010.yaml"
    probabilities = (
        Probability(rules.summons_probability, {"resolve": unit, "tension": unit}, ("resolve", "tension")),
        Probability(rules.recall_probability, {"resolve": unit, "tension": unit}, ("resolve", "tension")),
        Probability(rules.restore_probability, {"tension": unit}, falls_with=("tension",)),
    )


class TestRhetoric(RuleContract):
    rule = rules.Rhetoric
    emits = frozenset({"accusation", "praise", "talks"})
    probabilities = (
        Probability(rules.accusation_probability, {"tension": unit}, ("tension",)),
        Probability(rules.praise_probability, {"cooperation": unit}, ("cooperation",)),
        Probability(rules.talks_probability, {"tension": unit, "cooperation": unit}, ("tension", "cooperation")),
    )


class TestDeEscalation(RuleContract):
    rule = rules.DeEscalation
    emits = frozenset({"delegation", "visit"})
    probabilities = (
        Probability(rules.deescalation_probability, {"tension": unit, "stakes": unit}, ("tension", "stakes")),
    )


class TestCommonThreat(RuleContract):
    rule = rules.CommonThreat
    emits = frozenset({"joint_operation", "joint_patrol", "counterinsurgency_operation"})
    probabilities = (
        Probability(
            rules.joint_action_probability, {"shared_threat": unit, "tension": unit}, ("shared_threat",), ("tension",)
        ),
    )


class TestPatronage(RuleContract):
    rule = rules.Patronage
    emits = frozenset({"pledge_support"})
    probabilities = (Probability(rules.pledge_probability, {"losses": deaths}, ("losses",)),)


class TestExpulsion(RuleContract):
    rule = rules.Expulsion
    emits = frozenset({"expulsion"})
    scenario = ALIGNMENT
    replicates = 6  # one expulsion per force and run at most: enough runs for two seeds to differ
    probabilities = (
        Probability(
            rules.expulsion_probability,
            {"host_alignment": alignment, "force_alignment": alignment, "tension": unit},
            ("tension",),
        ),
    )


class TestAllianceFormation(RuleContract):
    rule = rules.AllianceFormation
    emits = frozenset({"alliance_formation"})
    scenario = ALIGNMENT
    replicates = 6
    probabilities = (
        Probability(rules.joining_probability, {"threat": unit, "alignment": alignment}, ("threat", "alignment")),
    )


def test_every_rule_the_week_runs_has_a_contract():
    run = {rule for _, phase in rules.PHASES for rule in phase}
    contracted = {contract.rule for contract in RuleContract.__subclasses__()}
    assert run == contracted, sorted(rule.name for rule in run ^ contracted)
