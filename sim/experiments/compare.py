"""Run-by-run differences between two batches: the effect of what differs between their scenarios."""

from __future__ import annotations

import pandas as pd

KEYS = ["run", "date", "pair"]


def paired_difference(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """B minus A of tension and cooperation, run by run, on the runs, weeks and pairs both batches have.

    Runs with the same index share their seed, so the difference is the effect of what differs
    between the scenarios (common random numbers). Batches that share no week give an empty table.
    """
    joined = a[KEYS + ["tension", "cooperation"]].merge(
        b[KEYS + ["tension", "cooperation"]], on=KEYS, suffixes=("_a", "_b"), how="inner"
    )
    return pd.DataFrame(
        {
            "run": joined["run"],
            "date": joined["date"],
            "pair": joined["pair"],
            "tension": joined["tension_b"] - joined["tension_a"],
            "cooperation": joined["cooperation_b"] - joined["cooperation_a"],
        }
    )
