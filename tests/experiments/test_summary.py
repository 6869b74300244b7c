"""Batch summaries: every run counts in every value, a run without an event as 0 of it."""

import math

import pandas as pd

from sim.experiments.store import BatchStore, scenario_record
from sim.experiments.summary import run_values, summarise
from sim.model.scenario import load_scenario
from tests.conftest import SCENARIOS


def _store(tmp_path):
    """A batch of three runs at one sweep point: one metric, and the event counts of two of the runs."""
    folder = tmp_path / "b"
    recorded = scenario_record(load_scenario(SCENARIOS / "sahel_2024.yaml"))
    manifest = {**recorded, "kind": BatchStore.KIND, "runs_total": 3}
    with BatchStore.writing(folder, manifest, pd.DataFrame(index=pd.Index([0], name="point"))) as store:
        _write_runs(store)
    return BatchStore(folder)


def _write_runs(store):
    metrics = pd.DataFrame(
        {
            "run": [0, 1, 2, 0, 1, 2],
            "point": 0,
            "replicate": [0, 1, 2, 0, 1, 2],
            "metric": ["peak_tension"] * 3 + ["first_joint_action_week"] * 3,
            "pair": "mali–mauritania",
            "value": [0.2, 0.4, 0.9, 3.0, float("nan"), float("nan")],
        }
    )
    counts = pd.DataFrame(
        {"run": [0, 0, 2], "point": 0, "event_type": ["visit", "attack", "visit"], "count": [2, 5, 4]}
    )
    runs = pd.DataFrame({"run": [0, 1, 2], "point": 0, "replicate": [0, 1, 2], "events": [7, 0, 4]})
    tension = pd.DataFrame({"run": [0, 1, 2], "point": 0})
    store.write_chunk({"tension": tension, "metrics": metrics, "counts": counts, "runs": runs})


def test_a_run_without_an_event_type_counts_zero_of_it(tmp_path):
    values = run_values(_store(tmp_path))
    counts = values[values["kind"] == "event count"].pivot(index="run", columns="metric", values="value")
    assert counts.to_dict() == {"attack": {0: 5.0, 1: 0.0, 2: 0.0}, "visit": {0: 2.0, 1: 0.0, 2: 4.0}}
    assert set(values[values["kind"] == "event count"]["pair"]) == {""}


def test_the_summary_gives_each_metric_and_event_count_with_its_interval(tmp_path):
    table = summarise(_store(tmp_path)).set_index(["kind", "metric"])
    assert list(table.index) == [
        ("metric", "first_joint_action_week"),
        ("metric", "peak_tension"),
        ("event count", "attack"),
        ("event count", "visit"),
    ]
    assert (table["runs"] == 3).all()
    visits = table.loc[("event count", "visit")]
    assert (visits["mean"], visits["median"], visits["missing"]) == (2.0, 2.0, 0)
    assert math.isclose(visits["q05"], 0.2) and math.isclose(visits["q95"], 3.8)
    joint = table.loc[("metric", "first_joint_action_week")]
    assert joint["missing"] == 2 and joint["median"] == 3.0  # over the run that had a joint action
