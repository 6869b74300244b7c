"""Summary metrics of runs: what a batch keeps per run to compare runs and sweep points.

Per key pair: the peak, mean and final tension, the weeks at or above the scenario's
tension threshold, the mean cooperation, the week of the first joint patrol or operation,
and the counts of cross-border incidents, protests (summons, recalls) and de-escalating
contacts (visits, delegations). Event counts by type are kept apart (see :func:`event_counts`).
Every function takes a whole ensemble at once: arrays with a replicate axis, and the ensemble's
event records as one table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.relations import Pair, pair_key, pair_label

FAMILIES_COUNTED = {
    "incidents": ("cross_border_incident",),
    "protests": ("summon_ambassador", "recall_ambassador"),
    "contacts": ("visit", "delegation"),
}
JOINT_ACTION = ("joint_patrol", "joint_operation")
METRIC_COLUMNS = ["run", "metric", "pair", "value"]


def pair_metrics(tension: np.ndarray, cooperation: np.ndarray, threshold: float) -> dict[str, np.ndarray]:
    """Metrics of weekly tension and cooperation series: [week, ...] arrays, one value per series."""
    return {
        "peak_tension": tension.max(axis=0),
        "mean_tension": tension.mean(axis=0),
        "final_tension": tension[-1],
        "weeks_above_threshold": (tension >= threshold).sum(axis=0).astype(float),
        "mean_cooperation": cooperation.mean(axis=0),
    }


def event_metrics(records: pd.DataFrame, runs: np.ndarray, key_pairs: Sequence[Pair]) -> dict[str, np.ndarray]:
    """Counts of event families and the first week of joint action: (runs, key pairs) arrays per metric.

    ``records`` holds the run, week, source, target and event_type of every event, in time order
    within each run; a pair with no joint action has NaN as its first week.
    """
    actors = pd.Index(sorted({actor for pair in key_pairs for actor in pair}))
    lookup = np.full((len(actors) + 1, len(actors) + 1), -1)  # [source, target] -> key pair column; -1: other
    for k, pair in enumerate(key_pairs):
        a, b = actors.get_indexer(pd.Index(pair_key(*pair)))
        lookup[a, b] = lookup[b, a] = k
    k = lookup[_positions(records["source"], actors), _positions(records["target"], actors)]
    r = pd.Index(runs).get_indexer(records["run"])
    kind = records["event_type"]
    keep = (k >= 0) & (r >= 0)
    shape = (len(runs), len(key_pairs))
    result = {}
    for name, types in FAMILIES_COUNTED.items():
        counted = np.zeros(shape)
        hit = keep & _is_in(kind, types)
        np.add.at(counted, (r[hit], k[hit]), 1.0)
        result[name] = counted
    first = np.full(shape, np.inf)
    joint = keep & _is_in(kind, JOINT_ACTION)
    np.minimum.at(first, (r[joint], k[joint]), records["week"].to_numpy()[joint].astype(float))
    result["first_joint_action_week"] = np.where(np.isinf(first), np.nan, first)
    return result


def _positions(column: pd.Series, names: pd.Index) -> np.ndarray:
    """Where each value of ``column`` stands in ``names`` (-1 if absent), read through its codes if categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        by_code = np.append(names.get_indexer(column.cat.categories), -1)  # code -1 (missing) maps to -1
        return np.asarray(by_code[column.cat.codes.to_numpy()])
    return np.asarray(names.get_indexer(pd.Index(column)))


def _is_in(column: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Whether each value of a text column is one of ``names``; a categorical one is read through its codes.

    An ensemble's records hold hundreds of thousands of events: comparing a few integer codes is
    much cheaper than comparing as many strings.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = np.flatnonzero(column.cat.categories.isin(names))
        return np.isin(column.cat.codes.to_numpy(), codes)
    return np.isin(column.to_numpy(dtype=object), names)


def run_metrics(
    tension: np.ndarray,
    cooperation: np.ndarray,
    records: pd.DataFrame,
    runs: np.ndarray,
    key_pairs: Sequence[Pair],
    threshold: float,
) -> pd.DataFrame:
    """All summary metrics of an ensemble's runs, a row per (run, metric, pair).

    ``tension`` and ``cooperation`` are [week, run, key pair] arrays. Rows come by run, then
    metric by metric (the series metrics, then the event metrics by name), then pair by pair.
    """
    labels = [pair_label(*pair) for pair in key_pairs]
    metrics = pair_metrics(tension, cooperation, threshold) | dict(
        sorted(event_metrics(records, runs, key_pairs).items())
    )
    n_runs, n_pairs, names = len(runs), len(key_pairs), list(metrics)
    values = np.stack([metrics[name] for name in names], axis=1) if names else np.empty((n_runs, 0, n_pairs))
    return pd.DataFrame(
        {
            "run": np.repeat(runs, len(names) * n_pairs),
            "metric": np.tile(np.repeat(names, n_pairs), n_runs),
            "pair": np.tile(labels, n_runs * len(names)),
            "value": values.reshape(-1).astype(float),
        },
        columns=METRIC_COLUMNS,
    )


def event_counts(records: pd.DataFrame, runs: np.ndarray) -> pd.DataFrame:
    """How many events of each type each run had: (run, event_type, count) rows, types sorted within a run.

    Counted on integer keys (run, type code), so a chunk's millions of events are never turned
    into strings; only the (run, type) pairs that occur are.
    """
    kinds = pd.Categorical(records["event_type"])
    names = np.asarray(kinds.categories.astype(str), dtype=object)
    order = np.argsort(names)  # categories in name order, whatever order the log gave them
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    run = records["run"].to_numpy(dtype=np.int64)
    keep = np.isin(run, runs)
    key, count = np.unique(run[keep] * len(names) + rank[kinds.codes[keep]], return_counts=True)
    return pd.DataFrame(
        {"run": key // max(len(names), 1), "event_type": names[order][key % max(len(names), 1)], "count": count}
    ).astype({"run": "int64", "event_type": str, "count": "int64"})
