"""The event log of an ensemble, kept as columns: one batch of rows per kind of event emitted.

A rule emits all of a week's events of one type at once (every replicate, every decision slot
where the draw succeeded), so the log stores each emission as a batch of arrays (replicate,
source, target, fatalities, count, country) beside the fields the batch shares (date, type,
rule, ...). Tables are built from the batches only when asked: :meth:`EventLog.frame` gives the
events in the one :class:`~sim.core.events.Event` schema, checked by the vectorised
:func:`~sim.core.events.validate_frame`; :meth:`EventLog.records` gives the light (week, source,
target, type) columns that counts and metrics need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.events import Event, event_types, frame_to_events, validate_frame

NONE = -1  # an absent fatality or count in the integer columns
_MISSING: dict[str, object] = {"fatalities": NONE, "count": NONE, "country": ""}  # what a batch's None column holds


@dataclass(frozen=True, slots=True)
class Batch:
    """Events of one type emitted together; arrays have one entry per event.

    ``fatalities``, ``count`` and ``country`` are None when no event of the batch records one (most
    batches): the log fills in :data:`NONE` or ``''`` when it builds a table, rather than every
    emission allocating a column of them.
    """

    sequence: int  # emission order: batches are read back in this order within each replicate
    replicate: np.ndarray  # row in the ensemble (0 .. replicates - 1)
    source: np.ndarray  # actor index
    target: np.ndarray  # actor index
    fatalities: np.ndarray | None  # NONE where the event records none
    count: np.ndarray | None  # NONE where the event records none
    country: np.ndarray | None  # ISO 3166 alpha-3, '' where none
    week: int
    date: dt.date
    precision: str
    event_type: str
    rule: str
    count_unit: str | None = None
    location: str | None = None
    note: str | None = None


class EventLog:
    """Every event of every replicate, appended a batch at a time in the order they happen."""

    def __init__(self, actors: list[str], runs: np.ndarray) -> None:
        """An empty log for an ensemble of ``runs`` (a run index per replicate) of ``actors`` (in index order)."""
        self.actors = np.array(actors, dtype=object)
        self.runs = np.asarray(runs)
        self.batches: list[Batch] = []

    def add(self, batch: Batch) -> None:
        """Append a batch (empty ones are not kept)."""
        if len(batch.replicate):
            self.batches.append(batch)

    def __len__(self) -> int:
        """The number of events logged, over all replicates."""
        return sum(len(batch.replicate) for batch in self.batches)

    def _column(self, name: str) -> np.ndarray:
        """One column of every batch, end to end (a batch's None column filled with what it stands for)."""
        if not self.batches:
            return np.empty(0, int)
        return np.concatenate([self._of(batch, name) for batch in self.batches])

    @staticmethod
    def _of(batch: Batch, name: str) -> np.ndarray:
        values: np.ndarray | None = getattr(batch, name)
        if values is not None:
            return values
        missing = _MISSING[name]
        return np.full(len(batch.replicate), missing, dtype=object if isinstance(missing, str) else np.int64)

    def _shared(self, name: str) -> np.ndarray:
        """A field the batches share, repeated for each of its events."""
        values = [getattr(batch, name) for batch in self.batches]
        return np.repeat(np.array(values, dtype=object), [len(batch.replicate) for batch in self.batches])

    def order(self) -> np.ndarray:
        """Rows by replicate, then in the order they happened (batches are appended in time order)."""
        return np.argsort(self._column("replicate"), kind="stable")

    def records(self, replicate: int | None = None) -> pd.DataFrame:
        """The light columns of every event (or one row of the ensemble's), by run then time, unvalidated.

        Row (of the ensemble), run, week, date, source, target, event_type, rule, fatalities and count
        (-1 where none) and count_unit: what counts, metrics and the page's feed read. Actors and types are categorical
        columns (the actors in the ensemble's order), so a table of millions of events is built from
        the batches' integer codes without a string per event.
        """
        order = self.order()
        if replicate is not None:
            order = order[self._column("replicate")[order] == replicate]
        sizes = [len(batch.replicate) for batch in self.batches]
        actors = list(self.actors)
        dates = np.array([b.date for b in self.batches], dtype="datetime64[D]")
        return pd.DataFrame(
            {
                "row": self._column("replicate")[order],
                "run": self.runs[self._column("replicate")[order]],
                "week": np.repeat([b.week for b in self.batches], sizes).astype(int)[order],
                "date": np.repeat(dates, sizes)[order].astype("datetime64[ns]"),
                "source": _categorical(self._column("source")[order], actors),
                "target": _categorical(self._column("target")[order], actors),
                "event_type": self._categorical("event_type", sizes, order),
                "rule": self._categorical("rule", sizes, order),
                "fatalities": self._column("fatalities")[order],
                "count": self._column("count")[order],
                "count_unit": self._categorical("count_unit", sizes, order),
            }
        )

    def _categorical(self, name: str, sizes: list[int], order: np.ndarray) -> pd.Categorical:
        """A field the batches share, as a categorical column built from one code per batch."""
        values = [getattr(batch, name) for batch in self.batches]
        categories = sorted({value for value in values if value is not None})
        code = {value: i for i, value in enumerate(categories)}
        codes = np.repeat([code.get(value, -1) for value in values], sizes).astype(np.int32)
        return _categorical(codes[order] if len(codes) else codes, categories)

    def frame(self, replicate: int | None = None) -> pd.DataFrame:
        """The events in the :class:`Event` schema (all replicates, or one row of the ensemble), validated."""
        order = self.order()
        if replicate is not None:
            order = order[self._column("replicate")[order] == replicate]
        run = self.runs[self._column("replicate")[order]]
        number = _rank_within(run)
        kinds = event_types()
        event_type = self._shared("event_type")[order]
        fatalities, count = self._column("fatalities")[order], self._column("count")[order]
        country = self._column("country")[order] if self.batches else np.empty(0, object)
        frame = pd.DataFrame(
            {
                "event_id": [f"S{r:04d}-{n:05d}" for r, n in zip(run, number, strict=True)],
                "date": pd.to_datetime(self._shared("date")[order]),
                "date_precision": self._shared("precision")[order],
                "date_inferred": False,
                "source": self.actors[self._column("source")[order]],
                "target": self.actors[self._column("target")[order]],
                "event_type": event_type,
                "cameo_root": [kinds[kind].cameo_root for kind in event_type],
                "goldstein": [kinds[kind].goldstein for kind in event_type],
                "location": self._shared("location")[order],
                "country": pd.Series(country, dtype="string").replace("", pd.NA),
                "fatalities": pd.Series(fatalities, dtype="Int64").mask(fatalities == NONE),
                "count": pd.Series(count, dtype="Int64").mask(count == NONE),
                "count_unit": self._shared("count_unit")[order],
                "origin": "simulated",
                "rule": self._shared("rule")[order],
                "replicate": run,
                "note": self._shared("note")[order],
            }
        )
        return validate_frame(frame, path="simulated events")

    def events(self, replicate: int = 0) -> list[Event]:
        """One row of the ensemble's events as :class:`Event` objects, for the page and the API."""
        return frame_to_events(self.frame(replicate), path="simulated events")


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    """A categorical column from integer codes (-1 for none) into ``categories``."""
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))  # type: ignore[return-value]


def _rank_within(run: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal consecutive values (the event's number in its run)."""
    if len(run) == 0:
        return np.empty(0, int)
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    return np.arange(len(run)) - np.repeat(starts, np.diff(np.r_[starts, len(run)]))
