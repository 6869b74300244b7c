"""Summaries of a batch: each metric's median and 5-95 % interval across runs, by sweep point."""

from __future__ import annotations

import pandas as pd

from sim.experiments.store import BatchStore

MAX_POINTS_SHOWN = 10  # sweep points printed on the console; the CSV has all


def summarise(store: BatchStore) -> pd.DataFrame:
    """One row per sweep point, metric and pair, with the swept parameter values of the point."""
    metrics = store.read("metrics")
    grouped = metrics.groupby(["point", "metric", "pair"], sort=True)["value"]
    table = pd.DataFrame(
        {
            "runs": grouped.size(),
            "median": grouped.median(),
            "q05": grouped.quantile(0.05),
            "q95": grouped.quantile(0.95),
            "missing": grouped.apply(lambda values: int(values.isna().sum())),
        }
    ).reset_index()
    points = store.points()
    return table.merge(points, left_on="point", right_index=True, how="left") if len(points.columns) else table
