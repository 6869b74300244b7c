"""The model: reproducible, valid output, and its tension is the observable of its own events."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.events import frame_to_events
from sim.core.parameters import parameter_specs
from sim.core.relations import tension_series
from sim.experiments.runner import run_replicate
from sim.model.model import SahelModel


def short(scenario, weeks: int = 26):
    return scenario.model_copy(update={"end": scenario.start + dt.timedelta(weeks=weeks)})


def test_same_seed_same_results(sahel_2024):
    first_events, first_tension = run_replicate(sahel_2024.scenario, 3)
    second_events, second_tension = run_replicate(sahel_2024.scenario, 3)
    pd.testing.assert_frame_equal(first_events, second_events)
    pd.testing.assert_frame_equal(first_tension, second_tension)


def test_replicates_differ(sahel_2024):
    first, _ = run_replicate(sahel_2024.scenario, 0)
    second, _ = run_replicate(sahel_2024.scenario, 1)
    assert not first.drop(columns=["event_id", "replicate"]).equals(second.drop(columns=["event_id", "replicate"]))


def test_a_replicate_does_not_depend_on_how_many_run(sahel_2024):
    alone, _ = run_replicate(sahel_2024.scenario, 5)
    from sim.experiments.runner import run_scenario

    batch = run_scenario(sahel_2024.scenario.model_copy(update={"replicates": 6}))
    pd.testing.assert_frame_equal(alone, batch.events[batch.events["replicate"] == 5].reset_index(drop=True))


def test_a_replicate_is_the_same_alone_or_among_many_with_other_parameters(sahel_2024):
    """Common random numbers: a run's decisions do not depend on the ensemble it is stepped in."""
    alone = SahelModel(sahel_2024.scenario, [7]).run()
    others = [{"attack_base": -3.0 + 0.5 * r} for r in range(12)]
    others[5] = {}  # run 7 of the ensemble of runs 2..13 keeps the scenario's parameters
    among = SahelModel(sahel_2024.scenario, range(2, 14), others).run()
    pd.testing.assert_frame_equal(alone.events_frame(), among.log.frame(replicate=5).reset_index(drop=True))
    np.testing.assert_array_equal(alone.tension_history[:, 0], among.tension_history[:, 5])


def test_a_diplomatic_shock_changes_diplomacy_after_it_and_nothing_else(sahel_2024):
    """Common random numbers per decision: a visit in week k changes only what it changes.

    Every event before k is as it was, and every decision whose inputs the visit does not change
    (the violence, joint action, pledges) is identical after k too.
    """
    from sim.model.scenario import Shock

    scenario, week = sahel_2024.scenario, 20
    visit = Shock(date=scenario.start + dt.timedelta(weeks=week), kind="visit", source="mauritania", target="mali")
    runs = 32  # a visit moves contact chances a little: in some of 32 runs a contact comes or goes
    factual = SahelModel(scenario, runs).run().log.records()
    shocked = SahelModel(scenario.model_copy(update={"shocks": [*scenario.shocks, visit]}), runs).run().log.records()
    columns = ["run", "week", "source", "target", "event_type", "rule", "fatalities", "count"]

    def rows(records, keep):  # categorical columns as text: the two runs' rules differ by the shock
        text = {"source": str, "target": str, "event_type": str, "rule": str}
        return records.loc[keep, columns].astype(text).reset_index(drop=True)

    pd.testing.assert_frame_equal(rows(factual, factual.week < week), rows(shocked, shocked.week < week))
    for rule in ("insurgency", "counter_insurgency", "common_threat", "patronage"):
        pd.testing.assert_frame_equal(
            rows(factual, factual.rule == rule), rows(shocked, shocked.rule == rule), obj=rule
        )
    contacts = [rows(r, r.rule == "de_escalation") for r in (factual, shocked)]
    assert not contacts[0].equals(contacts[1])


def test_one_step_is_one_week(sahel_2024):
    model = SahelModel(short(sahel_2024.scenario, 4)).run()
    assert model.steps == 5
    assert [d.isoformat() for d in model.dates] == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-01-22",
        "2024-01-29",
    ]


def test_every_simulated_event_validates_and_is_dated_in_its_week(sahel_2024):
    model = SahelModel(sahel_2024.scenario, 2).run()
    frame = model.events_frame()
    assert len(frame_to_events(frame)) == len(frame)
    assert (frame["origin"] == "simulated").all()
    assert frame["event_id"].is_unique
    assert frame["date"].between(pd.Timestamp(sahel_2024.scenario.start), pd.Timestamp(sahel_2024.scenario.end)).all()
    assert set(frame["rule"]) >= {"insurgency", "counter_insurgency", "shock:attack"}


def test_the_models_tension_is_the_observable_of_its_own_event_log(sahel_2024):
    scenario = sahel_2024.scenario
    model = SahelModel(scenario, 1).run()
    initial = {tuple(sorted(r.pair)): (r.tension, r.cooperation) for r in scenario.relations}
    observed = tension_series(
        model.events_frame(),
        model.taking_part,
        scenario.start,
        scenario.end,
        float(model.params.tension_half_life_weeks[0, 0]),
        float(model.params.tension_scale[0, 0]),
        initial,
    )
    simulated = model.tension_frame().drop(columns="replicate")
    np.testing.assert_allclose(simulated["tension"], observed["tension"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(simulated["cooperation"], observed["cooperation"], rtol=0, atol=1e-12)


def test_the_documented_shocks_are_replayed_on_their_dates(sahel_2024):
    frame = SahelModel(sahel_2024.scenario).run().events_frame()
    shocks = frame[frame["rule"].str.startswith("shock:")]
    assert len(shocks) == len(sahel_2024.scenario.shocks)
    tinzaouaten = shocks[(shocks["event_type"] == "attack") & (shocks["target"] == "mali")].iloc[0]
    assert tinzaouaten["date"] == pd.Timestamp("2024-07-25") and tinzaouaten["fatalities"] == 24


def test_without_wagner_no_contractor_takes_part(sahel_2024):
    from sim.model.scenario import load_scenario
    from tests.conftest import SCENARIOS

    counterfactual = load_scenario(SCENARIOS / "no_wagner_2024.yaml").scenario
    frame = SahelModel(counterfactual).run().events_frame()
    assert not ((frame["source"] == "wagner") | (frame["target"] == "wagner")).any()


def _ranges():
    return st.fixed_dictionaries({name: st.floats(*spec.range) for name, spec in parameter_specs().items()})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parameters=_ranges(), replicate=st.integers(0, 1000))
def test_relations_stay_in_range_and_events_validate_whatever_the_parameters(sahel_2024, parameters, replicate):
    model = SahelModel(short(sahel_2024.scenario, 30), range(replicate, replicate + 3), parameters).run()
    tension = model.tension_frame()
    for column in ("tension", "cooperation"):
        assert tension[column].between(0.0, 1.0, inclusive="both").all()
    for agent in model.agents:
        assert ((agent.capability >= 0.0) & (agent.capability <= 1.0)).all()
    frame_to_events(model.events_frame())


def test_a_finished_ensemble_is_freed_before_the_next_large_one_is_built(sahel_2024):
    """Workers step ensemble after ensemble: none may keep the ones before alive (mesa #3179, reference cycles)."""
    import weakref

    from sim.model.model import LARGE_ENSEMBLE

    scenario = short(sahel_2024.scenario, weeks=2)
    finished = SahelModel(scenario, LARGE_ENSEMBLE).run()
    gone = weakref.ref(finished)
    del finished
    SahelModel(scenario, LARGE_ENSEMBLE)
    assert gone() is None
