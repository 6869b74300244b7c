"""Run-by-run differences between two batches: the effect of what differs between their scenarios.

Runs with the same index share their seed, so each difference is taken run by run: of the weekly
tension and cooperation (:func:`paired_difference`, what ``compare`` draws) and of each metric and
event count (:func:`compare_values`, the numbers it prints and writes beside the figure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments.summary import KINDS, spread

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


VALUE_KEYS = ["kind", "metric", "pair"]


def compare_values(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Each value of two batches side by side: A, B and B - A run by run, with 90 % intervals and P(B > A).

    ``a`` and ``b`` are :func:`sim.experiments.summary.run_values` tables. The metrics compared are
    those both batches have (the key pairs they share); an event type one batch never saw counts 0 in
    each of its runs. Runs with the same index share their seed, so B - A of a pair of runs is the effect
    of what differs between the scenarios (common random numbers), and ``p_b_greater`` (``p_b_less``) is
    the share of paired runs in which B's value is the larger (the smaller); with ties, the two do not
    sum to 1, so an effect of A over B reads ``p_b_less`` as its P(effect > 0). ``a_runs``, ``b_runs``
    and ``paired_runs`` count the runs (or pairs) with the value: a run without it (no joint action, so
    no week of the first one) is left out of that value's figures (see :func:`sim.experiments.summary.spread`).
    """
    wide_a, wide_b = (table.set_index([*VALUE_KEYS, "run"])["value"].unstack("run") for table in (a, b))
    metrics = wide_a.index[wide_a.index.get_level_values("kind") == KINDS[0]].intersection(wide_b.index, sort=True)
    events = wide_a.index.union(wide_b.index, sort=True)
    events = events[events.get_level_values("kind") == KINDS[1]]
    rows = metrics.append(events)
    wide_a, wide_b = (wide.reindex(rows) for wide in (wide_a, wide_b))
    counted = rows.get_level_values("kind") == KINDS[1]
    wide_a[counted], wide_b[counted] = wide_a[counted].fillna(0.0), wide_b[counted].fillna(0.0)
    paired = wide_a.columns.intersection(wide_b.columns)
    difference = wide_b[paired].to_numpy(dtype=float) - wide_a[paired].to_numpy(dtype=float)
    table = []
    for i, key in enumerate(rows):
        values = {"a": wide_a.iloc[i].to_numpy(dtype=float), "b": wide_b.iloc[i].to_numpy(dtype=float)}
        values["diff"] = difference[i]
        present = difference[i][~np.isnan(difference[i])]
        row: dict[str, object] = dict(zip(VALUE_KEYS, key, strict=True))
        for side in ("a", "b"):
            row[f"{side}_runs"] = int((~np.isnan(values[side])).sum())
            row |= {f"{side}_{name}": figure for name, figure in spread(values[side]).items()}
        row["paired_runs"] = len(present)
        row |= {f"diff_{name}": figure for name, figure in spread(values["diff"]).items()}
        row["p_b_greater"] = float((present > 0).mean()) if len(present) else float("nan")
        row["p_b_less"] = float((present < 0).mean()) if len(present) else float("nan")
        table.append(row)
    columns = [*VALUE_KEYS, "a_runs", "a_mean", "a_median", "a_q05", "a_q95", "b_runs", "b_mean", "b_median"]
    columns += ["b_q05", "b_q95", "paired_runs", "diff_mean", "diff_median", "diff_q05", "diff_q95", "p_b_greater"]
    columns += ["p_b_less"]
    return pd.DataFrame(table, columns=columns)
