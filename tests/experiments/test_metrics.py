"""Per-run tables a batch stores, against the plain pandas they replace."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiments.metrics import event_counts

TYPES = ["visit", "attack", "summon_ambassador", "pledge_support"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from(TYPES)), max_size=60), st.permutations(TYPES))
def test_event_counts_are_a_groupby_of_run_and_type(rows, categories):
    """Whatever order the log's categories come in, counts are by run, then type name, over the runs asked for."""
    records = pd.DataFrame(rows, columns=["run", "event_type"]).astype({"run": "int64"})
    records["event_type"] = pd.Categorical(records["event_type"], categories=categories)
    runs = np.array([0, 2, 3, 5])
    expected = (
        records[records["run"].isin(runs)]
        .astype({"event_type": str})
        .groupby(["run", "event_type"], sort=True)
        .size()
        .rename("count")
        .reset_index()
    )
    pd.testing.assert_frame_equal(event_counts(records, runs), expected, check_dtype=False)
