"""Summary metrics of one run: what a batch keeps per run to compare runs and sweep points.

Per key pair: the peak, mean and final tension, the weeks at or above the scenario's
tension threshold, the mean cooperation, the week of the first joint patrol or operation,
and the counts of cross-border incidents, protests (summons, recalls) and de-escalating
contacts (visits, delegations). Event counts by type are kept apart (see :func:`event_counts`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from sim.core.relations import Pair, pair_key, pair_label

FAMILIES_COUNTED = {
    "incidents": ("cross_border_incident",),
    "protests": ("summon_ambassador", "recall_ambassador"),
    "contacts": ("visit", "delegation"),
}
JOINT_ACTION = ("joint_patrol", "joint_operation")

Record = tuple[int, str, str, str]  # week, source, target, event_type
Metric = tuple[str, str, float]  # metric, pair label ('' for the whole run), value


def pair_metrics(tension: np.ndarray, cooperation: np.ndarray, threshold: float) -> dict[str, float]:
    """Metrics of one pair's weekly tension and cooperation series."""
    return {
        "peak_tension": float(tension.max()),
        "mean_tension": float(tension.mean()),
        "final_tension": float(tension[-1]),
        "weeks_above_threshold": float((tension >= threshold).sum()),
        "mean_cooperation": float(cooperation.mean()),
    }


def event_metrics(records: Iterable[Record], key_pairs: Sequence[Pair]) -> dict[tuple[str, str], float]:
    """Counts of event families and the first week of joint action, per key pair."""
    wanted = {pair_key(*pair) for pair in key_pairs}
    result: dict[tuple[str, str], float] = {}
    for pair in wanted:
        label = pair_label(*pair)
        for name in FAMILIES_COUNTED:
            result[name, label] = 0.0
        result["first_joint_action_week", label] = float("nan")
    for week, source, target, event_type in records:
        pair = pair_key(source, target)
        if pair not in wanted:
            continue
        label = pair_label(*pair)
        for name, types in FAMILIES_COUNTED.items():
            if event_type in types:
                result[name, label] += 1
        if event_type in JOINT_ACTION and math.isnan(result["first_joint_action_week", label]):
            result["first_joint_action_week", label] = float(week)  # records come in time order
    return result


def run_metrics(
    tension: np.ndarray,
    cooperation: np.ndarray,
    records: Iterable[Record],
    key_pairs: Sequence[Pair],
    threshold: float,
) -> list[Metric]:
    """All summary metrics of a run: ``tension`` and ``cooperation`` are [week, key pair] arrays."""
    metrics: list[Metric] = []
    for column, pair in enumerate(key_pairs):
        for name, value in pair_metrics(tension[:, column], cooperation[:, column], threshold).items():
            metrics.append((name, pair_label(*pair), value))
    metrics.extend((name, label, value) for (name, label), value in sorted(event_metrics(records, key_pairs).items()))
    return metrics


def event_counts(event_types: Iterable[str]) -> dict[str, int]:
    """How many events of each type, sorted by type."""
    return dict(sorted(Counter(event_types).items()))
