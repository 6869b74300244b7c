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


def to_raw(level: float, scale: float | np.ndarray) -> np.ndarray:
    """The raw accumulated weight that shows as ``level`` in [0, 1) (per replicate when ``scale`` is an array)."""
    return np.asarray(-np.asarray(scale) * np.log1p(-level))


def week_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each simulated week from ``start`` up to ``end`` inclusive."""
    weeks = (end - start).days // 7 + 1
    return [start + dt.timedelta(weeks=k) for k in range(weeks)]


class RelationLedger:
    """Raw tension, cooperation and hostility per pair of actors, for every replicate of an ensemble.

    Each raw sum is a (replicates, actors, actors) array: the first axis is the replicate, so one
    ledger serves a single run (one row) and thousands of runs stepped together. Decay factors and
    scales may differ by replicate (a parameter draw per replicate): they are (replicates, 1, 1)
    columns that broadcast over the pairs.
    """

    def __init__(
        self,
        actors: Sequence[str],
        half_life_weeks: float | np.ndarray,
        scale: float | np.ndarray,
        initial: Mapping[Pair, tuple[float, float]] | None = None,
        replicates: int = 1,
    ) -> None:
        """Start from ``initial`` (tension, cooperation) levels per pair, stored raw on each replicate's scale."""
        self.actors = list(actors)
        self.index = {actor: i for i, actor in enumerate(self.actors)}
        self.replicates = replicates
        self.scale = np.broadcast_to(np.asarray(scale, dtype=np.float64).reshape(-1, 1, 1), (replicates, 1, 1))
        half_life = np.broadcast_to(np.asarray(half_life_weeks, dtype=np.float64).reshape(-1, 1, 1), (replicates, 1, 1))
        self.decay_factor = 0.5 ** (1.0 / half_life)
        n = len(self.actors)
        # The three raw sums are planes of one array, so a week's decay is one product and a batch
        # of events is added to all three in one call (see :meth:`record`).
        self._raw = np.zeros((3, replicates, n, n))
        self.raw_tension, self.raw_cooperation = self._raw[0], self._raw[1]
        self.raw_hostility = self._raw[2]  # [r, i, j]: conflictual weight i has directed at j
        for (a, b), (tension, cooperation) in (initial or {}).items():
            i, j = self.index[a], self.index[b]
            for raw, level in (
                (self.raw_tension, tension),
                (self.raw_hostility, tension),
                (self.raw_cooperation, cooperation),
            ):
                raw[:, i, j] = raw[:, j, i] = to_raw(level, self.scale[:, 0, 0])
        self._upper = np.triu_indices(n, k=1)
        self._columns = {pair_key(*pair): k for k, pair in enumerate(self.pairs)}
        # Flat indices, computed once: ``record`` and ``levels_at`` run thousands of times a run on a
        # few cells each, so what they index is looked up rather than computed.
        self._cells = n * n  # cells of one replicate's (actors, actors) plane
        cell = np.arange(self._cells).reshape(n, n)
        self._cell = cell  # [i, j]: the cell (i, j) in a replicate's plane
        plane = replicates * self._cells  # cells of one raw sum, every replicate
        upper, lower = np.minimum(cell, cell.T), np.maximum(cell, cell.T)  # a pair's cells above and below the diagonal
        # [i, j, sum]: the cells an event of i towards j adds to, in replicate 0 of the flattened
        # sums: the pair's upper cell of tension and of cooperation, and the directed cell of hostility
        self._added = np.stack([upper, upper + plane, cell + 2 * plane], axis=2)
        self._mirrors = np.stack([lower, lower + plane], axis=2)  # [i, j, sum]: where the pair sums are mirrored
        self._signs = np.array([-1.0, 1.0, -1.0])  # a Goldstein weight's sign in tension, cooperation, hostility
        self._scale = self.scale[:, :, 0]  # (replicates, 1): divides a (replicates, cells) block
        self._upper_flat = cell[self._upper]

    @property
    def pairs(self) -> list[Pair]:
        """The pairs in the order of :meth:`snapshot` (upper triangle, catalogue order)."""
        return [(self.actors[i], self.actors[j]) for i, j in zip(*self._upper, strict=True)]

    def column(self, a: str, b: str) -> int:
        """Where the pair {a, b} stands in :attr:`pairs` and in each :meth:`snapshot`."""
        return self._columns[pair_key(a, b)]

    def decay(self) -> None:
        """One week passes: every raw sum shrinks by its replicate's weekly decay factor."""
        self._raw *= self.decay_factor

    def record(
        self, replicate: np.ndarray, source: np.ndarray, target: np.ndarray, goldstein: float | np.ndarray
    ) -> None:
        """Add the weights of a batch of events, one event per (replicate, source, target) row.

        The weights must share a sign (all conflictual, or none): the model records one event type
        at a time, with one weight for the batch. Events of an actor with itself do not count. Rows
        may repeat a pair: their weights add up, and since they share a sign, clipping the sums at
        zero once gives what recording the rows one by one would.

        Each row adds to three cells at once (its pair's tension and cooperation, its directed
        hostility: see ``_added``), in row order within each cell; a cooperative weight adds zero
        hostility, which leaves it as it was.
        """
        weight = np.asarray(goldstein, dtype=np.float64)
        itself = source == target
        if np.count_nonzero(itself):
            keep = ~itself
            replicate, source, target = replicate[keep], source[keep], target[keep]
            weight = weight[keep] if weight.ndim else weight
        base = (replicate * self._cells)[:, None]
        added = base + self._added[source, target]  # [row, sum]
        # every row's three values, written out in full: numpy 2.4's ``add.at`` reads past a (sum,)
        # row of values that it is left to broadcast over (row, sum) indices
        values = np.empty(added.shape)
        values[...] = self._signs * weight[..., None]
        values[:, 2] = np.maximum(values[:, 2], 0.0)
        flat = self._raw.reshape(-1)
        np.add.at(flat, added, values)
        pair = added[:, :2]
        flat[pair] = flat[base + self._mirrors[source, target]] = np.maximum(flat[pair], 0.0)

    def tension(self, a: str, b: str) -> np.ndarray:
        """The pair's tension now, in [0, 1), one value per replicate."""
        return self._one(self.raw_tension, a, b)

    def cooperation(self, a: str, b: str) -> np.ndarray:
        """The pair's cooperation now, in [0, 1), measured as tension is, one value per replicate."""
        return self._one(self.raw_cooperation, a, b)

    def hostility(self, source: str, target: str) -> np.ndarray:
        """How much conflict ``source`` has recently directed at ``target``, in [0, 1), per replicate."""
        return self._one(self.raw_hostility, source, target)

    def _one(self, raw: np.ndarray, a: str, b: str) -> np.ndarray:
        """The level at (a, b) of one raw sum, per replicate."""
        return self.levels(raw, np.array([self.index[a]]), np.array([self.index[b]]))[:, 0]

    def cells(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Where the cells (i[k], j[k]) lie in a replicate's flattened plane: what :meth:`levels_at` reads.

        A rule asks once for the cells it reads every week.
        """
        return np.asarray(self._cell[i, j])

    def levels(self, raw: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Levels of the raw sums at (i[k], j[k]) for every replicate: a (replicates, len(i)) array."""
        return self.levels_at(raw, self.cells(i, j))

    def levels_at(self, raw: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Levels of the raw sums at flat ``cells`` (see :meth:`cells`): a (replicates, len(cells)) array."""
        return -np.expm1(-raw.reshape(self.replicates, self._cells).take(cells, axis=1) / self._scale)

    def snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """Tension and cooperation of every pair (see :attr:`pairs`), (replicates, pairs) arrays of [0, 1) levels."""
        upper = self._upper_flat
        return self.levels_at(self.raw_tension, upper), self.levels_at(self.raw_cooperation, upper)


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
    order = np.argsort(week, kind="stable")  # stable: keeps table order within a week
    week = week[order]
    source = np.array([ledger.index[a] for a in in_scope["source"]], dtype=np.intp)[order]
    target = np.array([ledger.index[a] for a in in_scope["target"]], dtype=np.intp)[order]
    goldstein = in_scope["goldstein"].to_numpy(dtype=np.float64)[order]
    tension = np.empty((len(dates), len(ledger.pairs)))
    cooperation = np.empty_like(tension)
    bounds = np.searchsorted(week, np.arange(len(dates) + 1))
    for k in range(len(dates)):
        ledger.decay()
        for rows in _same_sign_runs(goldstein, bounds[k], bounds[k + 1]):
            ledger.record(np.zeros(len(rows), dtype=np.intp), source[rows], target[rows], goldstein[rows])
        tension[k], cooperation[k] = (level[0] for level in ledger.snapshot())
    return history_frame(dates, ledger.pairs, tension, cooperation)


def _same_sign_runs(goldstein: np.ndarray, first: int, stop: int) -> list[np.ndarray]:
    """Rows first..stop-1 cut into maximal runs of conflictual (< 0) or other weights, in order.

    Within a run the order of the rows does not change the sums (see :meth:`RelationLedger.record`),
    so each run is recorded in one call and the series is still that of the table's order.
    """
    if stop <= first:
        return []
    conflict = goldstein[first:stop] < 0
    cuts = np.flatnonzero(conflict[1:] != conflict[:-1]) + 1
    return np.split(np.arange(first, stop), cuts)
