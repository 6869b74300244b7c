"""Summaries of a batch: the spread across runs of each metric and each event count, by sweep point.

A run's values are its metrics (per key pair, :mod:`sim.experiments.metrics`) and its count of every
event type the batch saw, 0 for a type it did not see: a count table lists only the types a run
has, and leaving the others out would summarise only the runs in which the event happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments.store import BatchStore

MAX_POINTS_SHOWN = 10  # sweep points printed on the console; the CSV has all
KINDS = ("metric", "event count")  # the kinds of a run's values, in the order tables list them


def run_values(store: BatchStore, point: int | None = None) -> pd.DataFrame:
    """One row per run and value: each metric of each key pair, and the count of each event type.

    Columns ``run``, ``point``, ``kind`` (one of :data:`KINDS`), ``metric`` (a metric's name, or an event
    type), ``pair`` ('' for a count: it is the whole run's) and ``value``; the runs of one sweep point only
    when ``point`` is given.
    """
    metrics, counts, runs = store.read("metrics"), store.read("counts"), store.read("runs")[["run", "point"]]
    if point is not None:
        metrics, counts, runs = (table[table["point"] == point] for table in (metrics, counts, runs))
    types = pd.DataFrame({"event_type": sorted(counts["event_type"].unique())})
    every = runs.merge(types, how="cross").merge(counts[["run", "event_type", "count"]], how="left")
    events = pd.DataFrame(
        {
            "run": every["run"],
            "point": every["point"],
            "kind": KINDS[1],
            "metric": every["event_type"],
            "pair": "",
            "value": every["count"].fillna(0).astype(float),
        }
    )
    columns = ["run", "point", "kind", "metric", "pair", "value"]
    return pd.concat([metrics.assign(kind=KINDS[0])[columns], events], ignore_index=True)


def spread(values: np.ndarray) -> dict[str, float]:
    """The mean, median and 90 % interval (5 % and 95 % quantiles) of the values that are not NaN.

    A metric a run lacks (no joint action: no week of the first one) is NaN, and left out; with no value
    at all, every figure is NaN.
    """
    present = values[~np.isnan(values)]
    if present.size == 0:
        return dict.fromkeys(("mean", "median", "q05", "q95"), float("nan"))
    q05, median, q95 = np.quantile(present, [0.05, 0.5, 0.95])
    return {"mean": float(present.mean()), "median": float(median), "q05": float(q05), "q95": float(q95)}


def summarise(store: BatchStore) -> pd.DataFrame:
    """One row per sweep point, kind, metric and pair, with the swept parameter values of the point.

    ``runs`` counts the point's runs and ``missing`` those without the value (see :func:`spread`).
    """
    values = run_values(store)
    values["kind"] = pd.Categorical(values["kind"], categories=KINDS)
    rows = []
    keys = ["point", "kind", "metric", "pair"]
    for key, group in values.groupby(keys, sort=True, observed=True)["value"]:
        numbers = group.to_numpy(dtype=float)
        missing = int(np.isnan(numbers).sum())
        rows.append({**dict(zip(keys, key, strict=True)), "runs": len(numbers), **spread(numbers), "missing": missing})
    table = pd.DataFrame(rows, columns=[*keys, "runs", "mean", "median", "q05", "q95", "missing"])
    table["kind"] = table["kind"].astype(str)
    points = store.points()
    return table.merge(points, left_on="point", right_index=True, how="left") if len(points.columns) else table
