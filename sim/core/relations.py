"""Relations between actors: tension and cooperation, derived from events.

Tension is an observable. For each unordered pair of actors it is a Goldstein-weighted,
exponentially decaying sum of the events between them: conflictual events (negative
weight) add to the pair's raw tension and take from its raw cooperation, cooperative events
do the reverse, neither falls below zero, and both decay each week with the same half-life.
What users see is the raw sum squashed into [0, 1] (below 1 but for rounding): ``1 - exp(-raw / scale)``.

Beside the symmetric pair levels, the ledger keeps a directed *hostility*: the decaying sum of
conflictual weight that one actor has directed at another. A state's threat from an armed
group is the group's hostility towards it, so a state's own operations do not make it feel
more threatened.

The same :class:`RelationLedger` is the model's dyadic state *and* the function that turns
any event table into a tension series (:func:`tension_series`), so the documented record,
imported datasets and simulated runs are measured with one ruler.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

Pair = tuple[str, str]
PAIR_SEPARATOR = "–"


def pair_key(a: str, b: str) -> Pair:
    """The canonical (sorted) form of an unordered actor pair."""
    return (a, b) if a <= b else (b, a)


def pair_label(a: str, b: str) -> str:
    """The pair as it is shown and stored in tables: its two ids, sorted, joined by an en dash."""
    return PAIR_SEPARATOR.join(pair_key(a, b))


def to_raw(level: float, scale: float) -> float:
    """The raw accumulated weight that shows as ``level`` in [0, 1)."""
    return -scale * math.log1p(-level)


def week_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each simulated week from ``start`` up to ``end`` inclusive."""
    weeks = (end - start).days // 7 + 1
    return [start + dt.timedelta(weeks=k) for k in range(weeks)]


class RelationLedger:
    """Raw tension and cooperation per pair of actors, in symmetric numpy arrays."""

    def __init__(
        self,
        actors: Sequence[str],
        half_life_weeks: float,
        scale: float,
        initial: Mapping[Pair, tuple[float, float]] | None = None,
    ) -> None:
        """Start from ``initial`` (tension, cooperation) levels per pair, stored raw on the ``scale``."""
        self.actors = list(actors)
        self.index = {actor: i for i, actor in enumerate(self.actors)}
        self.scale = scale
        self.decay_factor = 0.5 ** (1.0 / half_life_weeks)
        n = len(self.actors)
        self.raw_tension = np.zeros((n, n))
        self.raw_cooperation = np.zeros((n, n))
        self.raw_hostility = np.zeros((n, n))  # [i, j]: conflictual weight i has directed at j
        for (a, b), (tension, cooperation) in (initial or {}).items():
            i, j = self.index[a], self.index[b]
            self.raw_tension[i, j] = self.raw_tension[j, i] = to_raw(tension, scale)
            self.raw_hostility[i, j] = self.raw_hostility[j, i] = to_raw(tension, scale)
            self.raw_cooperation[i, j] = self.raw_cooperation[j, i] = to_raw(cooperation, scale)
        self._upper = np.triu_indices(n, k=1)
        self._columns = {pair_key(*pair): k for k, pair in enumerate(self.pairs)}

    @property
    def pairs(self) -> list[Pair]:
        """The pairs in the order of :meth:`snapshot` (upper triangle, catalogue order)."""
        return [(self.actors[i], self.actors[j]) for i, j in zip(*self._upper, strict=True)]

    def column(self, a: str, b: str) -> int:
        """Where the pair {a, b} stands in :attr:`pairs` and in each :meth:`snapshot`."""
        return self._columns[pair_key(a, b)]

    def decay(self) -> None:
        """One week passes: every raw sum shrinks by the weekly decay factor."""
        self.raw_tension *= self.decay_factor
        self.raw_cooperation *= self.decay_factor
        self.raw_hostility *= self.decay_factor

    def record(self, source: str, target: str, goldstein: float) -> None:
        """Add one event's weight to its pair (events of an actor with itself do not count)."""
        i, j = self.index[source], self.index[target]
        if i == j:
            return
        tension = max(0.0, self.raw_tension.item(i, j) - goldstein)
        cooperation = max(0.0, self.raw_cooperation.item(i, j) + goldstein)
        self.raw_tension[i, j] = self.raw_tension[j, i] = tension
        self.raw_cooperation[i, j] = self.raw_cooperation[j, i] = cooperation
        if goldstein < 0:
            self.raw_hostility[i, j] -= goldstein

    def tension(self, a: str, b: str) -> float:
        """The pair's tension now, in [0, 1): the raw conflictual weight, saturated by the scale."""
        return 1.0 - math.exp(-self.raw_tension.item(self.index[a], self.index[b]) / self.scale)

    def cooperation(self, a: str, b: str) -> float:
        """The pair's cooperation now, in [0, 1), measured as tension is."""
        return 1.0 - math.exp(-self.raw_cooperation.item(self.index[a], self.index[b]) / self.scale)

    def hostility(self, source: str, target: str) -> float:
        """How much conflict ``source`` has recently directed at ``target``, in [0, 1)."""
        return 1.0 - math.exp(-self.raw_hostility.item(self.index[source], self.index[target]) / self.scale)

    def snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """Tension and cooperation of every pair (see :attr:`pairs`), as [0, 1) levels."""
        return (
            -np.expm1(-self.raw_tension[self._upper] / self.scale),
            -np.expm1(-self.raw_cooperation[self._upper] / self.scale),
        )


def history_frame(
    dates: Sequence[dt.date], pairs: Sequence[Pair], tension: np.ndarray, cooperation: np.ndarray
) -> pd.DataFrame:
    """A long table (date, actor_a, actor_b, pair, tension, cooperation) from per-week snapshots."""
    n_weeks, n_pairs = tension.shape
    return pd.DataFrame(
        {
            "date": pd.to_datetime(np.repeat(np.array(dates, dtype="datetime64[D]"), n_pairs)).astype("datetime64[ns]"),
            "actor_a": pd.Categorical([a for a, _ in pairs] * n_weeks),
            "actor_b": pd.Categorical([b for _, b in pairs] * n_weeks),
            "pair": pd.Categorical([pair_label(a, b) for a, b in pairs] * n_weeks),
            "tension": tension.reshape(-1),
            "cooperation": cooperation.reshape(-1),
        }
    )


def tension_series(
    events: pd.DataFrame,
    actors: Sequence[str],
    start: dt.date,
    end: dt.date,
    half_life_weeks: float,
    scale: float,
    initial: Mapping[Pair, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """The weekly tension and cooperation of every pair of ``actors``, from an event table.

    Week k covers [start + 7k, start + 7k + 7). Each week the ledger decays, then that week's
    events are recorded in table order, then the levels are read: exactly what the model does,
    so a simulated run's series equals the series of its own event log. Events outside the
    period or naming an actor outside ``actors`` are ignored.
    """
    ledger = RelationLedger(actors, half_life_weeks, scale, initial)
    dates = week_dates(start, end)
    known = set(actors)
    in_scope = events[events["source"].isin(known) & events["target"].isin(known)]
    day = (pd.to_datetime(in_scope["date"]) - pd.Timestamp(start)).dt.days.to_numpy()
    week = np.floor_divide(day, 7)
    rows = list(zip(week, in_scope["source"], in_scope["target"], in_scope["goldstein"], strict=True))
    tension = np.empty((len(dates), len(ledger.pairs)))
    cooperation = np.empty_like(tension)
    cursor = 0
    order = sorted(range(len(rows)), key=lambda r: rows[r][0])  # stable: keeps table order within a week
    for k in range(len(dates)):
        ledger.decay()
        while cursor < len(order) and rows[order[cursor]][0] <= k:
            w, source, target, goldstein = rows[order[cursor]]
            if w == k:
                ledger.record(source, target, float(goldstein))
            cursor += 1
        tension[k], cooperation[k] = ledger.snapshot()
    return history_frame(dates, ledger.pairs, tension, cooperation)
