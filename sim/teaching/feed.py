"""The page's feed: one world's events grouped by week, filtered, beside the documented events of that week.

A week of the model holds dozens of events, most of them routine operations; a class follows
one world's story, so the feed shows one world's weeks (newest first), each event once with how
many times it happened, routine operations hidden unless asked, and under each week what the
documented record reports for it. It reads the model's event batches directly (newest first,
stopping at the oldest week shown), so its cost does not grow with the run or the ensemble.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.relations import Pair, pair_key
from sim.model.model import SahelModel
from sim.teaching.classroom import classroom, sentence


@dataclass(frozen=True)
class FeedFilter:
    """What the feed shows: one world, one pair or all, some event types or all, routine operations or not."""

    world: int = 0
    pair: Pair | None = None
    kinds: frozenset[str] = frozenset()  # empty: every type
    routine: bool = False

    def keeps(self, source: str, target: str, kind: str) -> bool:
        """Whether an event passes the filter."""
        if self.pair is not None and pair_key(source, target) != pair_key(*self.pair):
            return False
        if self.kinds and kind not in self.kinds:
            return False
        return self.routine or bool(self.kinds) or kind not in classroom().routine


@dataclass(frozen=True)
class WeekFeed:
    """A week of the feed: the followed world's events (each with its count), how many are hidden, the record's."""

    week: int  # 1-based
    date: dt.date
    lines: list[str]
    hidden: int  # events the filter left out
    documented: list[str]


def _details(fatalities: np.ndarray | None, count: np.ndarray | None, unit: str | None, i: int) -> dict:
    return {
        "fatalities": max(int(fatalities[i]), 0) if fatalities is not None else 0,
        "count": max(int(count[i]), 0) if count is not None else 0,
        "count_unit": unit,
    }


def _simulated(model: SahelModel, shown: FeedFilter, first_week: int) -> dict[int, tuple[Counter[str], int]]:
    """Each shown week's event lines of the followed world (counted), and how many the filter hid."""
    weeks: dict[int, tuple[Counter[str], int]] = {}
    for batch in reversed(model.log.batches):
        if batch.week < first_week:
            break
        rows = np.flatnonzero(batch.replicate == shown.world)
        lines, hidden = weeks.setdefault(batch.week, (Counter(), 0))
        for i in rows:
            source, target = model.taking_part[batch.source[i]], model.taking_part[batch.target[i]]
            if not shown.keeps(source, target, batch.event_type):
                hidden += 1
                continue
            details = _details(batch.fatalities, batch.count, batch.count_unit, int(i))
            text = sentence(source, target, batch.event_type, details)
            lines[text + (" (shock)" if batch.rule.startswith("shock:") else "")] += 1
        weeks[batch.week] = (lines, hidden)
    return weeks


def _documented(events: pd.DataFrame | None, start: dt.date, shown: FeedFilter) -> list[str]:
    """The documented events of the week starting on ``start`` that pass the pair and type filters."""
    if events is None:
        return []
    end = start + dt.timedelta(days=7)
    week = events[(events["date"] >= pd.Timestamp(start)) & (events["date"] < pd.Timestamp(end))]
    lines = []
    for row in week.itertuples():
        source, target, kind = str(row.source), str(row.target), str(row.event_type)
        if shown.pair is not None and pair_key(source, target) != pair_key(*shown.pair):
            continue
        if shown.kinds and kind not in shown.kinds:
            continue
        lines.append(f"{row.date:%d %b}: {sentence(source, target, kind)}")
    return lines


def week_feed(
    model: SahelModel, shown: FeedFilter, documented: pd.DataFrame | None = None, weeks: int | None = None
) -> list[WeekFeed]:
    """The last ``weeks`` simulated weeks (newest first) of one world, as :class:`WeekFeed` groups."""
    weeks = weeks or classroom().feed_weeks
    first = max(model.steps - weeks, 0)
    simulated = _simulated(model, shown, first)
    out = []
    for week in range(model.steps - 1, first - 1, -1):
        lines, hidden = simulated.get(week, (Counter(), 0))
        said = [text if n == 1 else f"{text} ×{n}" for text, n in lines.items()]
        out.append(
            WeekFeed(week + 1, model.dates[week], said, hidden, _documented(documented, model.dates[week], shown))
        )
    return out
