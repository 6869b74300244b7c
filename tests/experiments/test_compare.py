"""Run-by-run differences between two batches: B minus A on the runs, weeks and pairs both have."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.experiments.compare import compare_values, paired_difference


def _tension(runs, dates, tension, cooperation):
    return pd.DataFrame(
        {
            "run": runs,
            "date": pd.to_datetime(dates),
            "pair": "mali-russia",
            "tension": tension,
            "cooperation": cooperation,
            "point": 0,
        }
    )


def test_the_difference_is_b_minus_a_on_the_runs_and_weeks_both_have():
    a = _tension([0, 0, 1], ["2024-01-01", "2024-01-08", "2024-01-01"], [0.5, 0.25, 0.5], [0.25, 0.5, 0.5])
    b = _tension([0, 0, 2], ["2024-01-01", "2024-01-08", "2024-01-01"], [0.75, 0.25, 1.0], [0.0, 0.75, 1.0])
    difference = paired_difference(a, b)
    assert list(difference.columns) == ["run", "date", "pair", "tension", "cooperation"]
    assert difference["run"].tolist() == [0, 0]  # run 1 is only in A, run 2 only in B
    assert difference["tension"].tolist() == [0.25, 0.0]
    assert difference["cooperation"].tolist() == [-0.25, 0.25]


def test_batches_that_share_no_week_have_no_difference():
    a = _tension([0], ["2024-01-01"], [0.5], [0.5])
    b = _tension([0], ["2026-01-05"], [0.5], [0.5])
    assert paired_difference(a, b).empty


def _values(rows):
    """A run_values table from (run, kind, metric, pair, value) rows."""
    frame = pd.DataFrame(rows, columns=["run", "kind", "metric", "pair", "value"])
    return frame.assign(point=0)[["run", "point", "kind", "metric", "pair", "value"]]


def test_the_values_of_two_batches_are_compared_run_by_run():
    a = _values(
        [(run, "metric", "peak_tension", "mali–mauritania", 0.5 + run / 10) for run in range(4)]
        + [(run, "metric", "peak_tension", "mali–russia", 0.1) for run in range(4)]  # a pair B does not have
        + [(run, "event count", "visit", "", 2.0) for run in range(4)]
    )
    b = _values(
        [
            (run, "metric", "peak_tension", "mali–mauritania", 0.5 + run / 10 + (0.2 if run < 3 else -0.1))
            for run in range(5)
        ]
        + [(run, "event count", "summon_ambassador", "", 1.0) for run in range(5)]  # a type A never saw
    )
    table = compare_values(a, b).set_index(["kind", "metric", "pair"])
    assert list(table.index) == [
        ("metric", "peak_tension", "mali–mauritania"),
        ("event count", "summon_ambassador", ""),
        ("event count", "visit", ""),
    ]
    peak = table.loc[("metric", "peak_tension", "mali–mauritania")]
    assert (peak["a_runs"], peak["b_runs"], peak["paired_runs"]) == (4, 5, 4)  # run 4 is only in B
    assert peak["diff_median"] == pytest.approx(0.2) and peak["p_b_greater"] == 0.75
    assert peak["p_b_less"] == 0.25  # run 3, the one pair where B is below A
    assert peak["diff_q05"] == pytest.approx(-0.055) and peak["diff_q95"] == pytest.approx(0.2)
    assert peak["a_median"] == pytest.approx(0.65) and peak["b_mean"] == pytest.approx(0.78)
    summons, visits = table.loc[("event count", "summon_ambassador", "")], table.loc[("event count", "visit", "")]
    assert (summons["a_mean"], summons["b_mean"], summons["diff_mean"], summons["p_b_greater"]) == (0, 1, 1, 1)
    assert (visits["a_mean"], visits["b_mean"], visits["diff_mean"]) == (2, 0, -2)


def test_a_metric_a_run_lacks_is_left_out_of_its_figures():
    a = _values(
        [
            (0, "metric", "first_joint_action_week", "mali–niger", float("nan")),
            (1, "metric", "first_joint_action_week", "mali–niger", 3.0),
        ]
    )
    b = _values(
        [
            (0, "metric", "first_joint_action_week", "mali–niger", 5.0),
            (1, "metric", "first_joint_action_week", "mali–niger", 2.0),
        ]
    )
    row = compare_values(a, b).iloc[0]
    assert (row["a_runs"], row["b_runs"], row["paired_runs"]) == (1, 2, 1)
    assert row["a_median"] == 3.0 and row["diff_median"] == -1.0 and row["p_b_greater"] == 0.0
