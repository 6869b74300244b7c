"""Run-by-run differences between two batches: B minus A on the runs, weeks and pairs both have."""

from __future__ import annotations

import pandas as pd

from sim.experiments.compare import paired_difference


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
