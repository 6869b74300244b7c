"""Which documented event types the model's rules can produce, and which they cannot yet.

A documented event whose type no rule emits can only be replayed, never reproduced, so the
calibration cannot learn from it and a counterfactual cannot change it. The set below is the
honest ledger of those gaps (issue 15 asks for none): the test fails when a rule comes to produce
one of them (take it off the list) and when a documented type appears that no rule produces.
"""

import pandas as pd

from sim.model import rules
from tests.conftest import DOCUMENTED

NOT_YET_PRODUCED = {
    "coup": "no rule changes a government; coups are replayed as shocks",
    "meeting": "multilateral meetings (Tamanrasset 2010) are replayed as shocks",
    "provide_aid": "no rule gives aid",
    "release_detainees": "the 2010 release is replayed as a shock",
}


def test_every_documented_type_is_produced_by_a_rule_or_listed_as_a_gap():
    produced = {kind for _, phase in rules.PHASES for rule in phase for kind in rule.emits}
    documented = set(pd.read_csv(DOCUMENTED)["event_type"])
    assert documented - produced == set(NOT_YET_PRODUCED)
