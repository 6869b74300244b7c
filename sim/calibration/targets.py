"""Calibration targets: summary statistics of an event sequence.

The same functions measure the documented record and a simulated run, since both are event
tables in the one schema. A target picks events by type, pair (or directed source and
target) and dates, and measures either the lag in weeks from a first event to the first
matching event after it (``lag``), how many matching events fall in a window (``count``), or
what share of the events picked by ``of`` they are (``share``, e.g. the share of one-sided
violence among all violent events in an imported dataset).
A lag whose second event never comes within its window counts as the window (censored).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.model.scenario import Day

if TYPE_CHECKING:  # for type hints only
    from sim.model.scenario import Scenario


MAX_WINDOW_WEEKS = 7_400  # about 142 years: the longest a scenario runs (1960 to 2100, sim.model.scenario)
NEVER = np.iinfo(np.int64).max  # the start of a window that never opened (no anchoring event in the row)
Columns = dict[str, np.ndarray | pd.Categorical]  # an event table's row, event_type, source, target and date


def columns(events: pd.DataFrame, by_row: bool = False) -> Columns:
    """The columns targets read, read once per table, not once per selector.

    Actors and types become categoricals (a simulated log's already are), so that a selector compares
    a few categories and not a string per event; dates become nanoseconds. ``row`` is the row of the
    ensemble each event belongs to when ``by_row`` (an ensemble's log), else 0: one table, such as
    the documented record or one run.
    """
    table: Columns = {name: pd.Categorical(events[name]) for name in ("event_type", "source", "target")}
    table["date"] = events["date"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    table["row"] = events["row"].to_numpy(dtype=np.intp) if by_row else np.zeros(len(events), np.intp)
    return table


def _is_in(column: np.ndarray | pd.Categorical, values: list[str]) -> np.ndarray:
    """Which entries of a categorical column are among ``values``: decided once per category."""
    assert isinstance(column, pd.Categorical)
    among = np.append(np.isin(np.asarray(column.categories, dtype=object), values), False)  # code -1: missing
    return among[column.codes]


class Selector(BaseModel):
    """Which events count: any of ``types``, between two actors, between two dates.

    Between ``pair`` (either direction) or from ``source`` to ``target``, dated on or after ``since`` and on
    or before ``until``: days a scenario can simulate, as a target's window ends within one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    types: list[str] = Field(min_length=1)
    pair: tuple[str, str] | None = None
    source: str | None = None
    target: str | None = None
    since: Day | None = None
    until: Day | None = None

    @model_validator(mode="after")
    def _pair_or_direction(self) -> Selector:
        if self.pair is not None and (self.source is not None or self.target is not None):
            raise ValueError("give either 'pair' or 'source'/'target', not both")
        return self

    def mask(self, columns: Columns) -> np.ndarray:
        """Which rows match, as one boolean array (calibration calls this for every particle)."""
        keep = _is_in(columns["event_type"], self.types)
        if self.pair is not None:
            a, b = self.pair
            a_b = _is_in(columns["source"], [a]) & _is_in(columns["target"], [b])
            keep &= a_b | (_is_in(columns["source"], [b]) & _is_in(columns["target"], [a]))
        if self.source is not None:
            keep &= _is_in(columns["source"], [self.source])
        if self.target is not None:
            keep &= _is_in(columns["target"], [self.target])
        dates = columns["date"]
        if self.since is not None:
            keep &= dates >= _nanoseconds(self.since)
        if self.until is not None:
            keep &= dates <= _nanoseconds(self.until)
        return keep

    def select(self, events: pd.DataFrame) -> pd.DataFrame:
        """The matching rows."""
        return events[self.mask(columns(events))]


class Target(BaseModel):
    """One summary statistic, compared between the documented record and simulations."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scenario: str = Field(description="name of the calibration scenario the statistic is measured in")
    kind: Literal["lag", "count", "share"]
    after: Selector | None = Field(default=None, description="lag: the first event; count: start the window at it")
    then: Selector = Field(description="the events measured")
    of: Selector | None = Field(default=None, description="share: the events the measured ones are a share of")
    window_weeks: float = Field(
        gt=0,
        le=MAX_WINDOW_WEEKS,
        description=f"how long after the first event to look (the lag's censoring value), at most {MAX_WINDOW_WEEKS:,}",
    )
    observed_in: str | None = Field(
        default=None,
        description="a dataset of the config (imported events) the observed value is measured on "
        "[default: the documented events]",
    )
    weight: float = Field(default=1.0, ge=0)
    scale: float | None = Field(
        default=None, gt=0, description="a difference worth 1 [default: the window for a lag, 1 for a count or a share]"
    )
    meaning: str

    @model_validator(mode="after")
    def _lag_needs_a_start(self) -> Target:
        if self.kind == "lag" and self.after is None:
            raise ValueError(f"target {self.name!r}: a lag needs 'after', the event it is measured from")
        if (self.kind == "share") != (self.of is not None):
            raise ValueError(f"target {self.name!r}: 'of' (the events a share is taken of) goes with kind share only")
        return self

    def _window(self, columns: Columns, rows: int, selector: Selector | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per row of the ensemble the window's start, and the mask of the measured events in their row's window.

        The window opens at the row's first anchoring event (the start is :data:`NEVER` where the row
        has none, and no event is in its window); without ``after`` every row's window is its whole run.
        The measured events are those of ``selector``, by default ``then``.
        """
        measured = (selector or self.then).mask(columns)
        if self.after is None:
            return np.zeros(rows, np.int64), measured
        start = np.full(rows, NEVER, dtype=np.int64)
        anchors = self.after.mask(columns)
        np.minimum.at(start, columns["row"][anchors], columns["date"][anchors])
        opened = start[columns["row"]]
        window = round(self.window_weeks * 7 * 86400) * 10**9  # nanoseconds
        inside = (opened != NEVER) & (columns["date"] >= opened) & (columns["date"] - opened <= window)
        return start, measured & inside

    def measure(self, events: pd.DataFrame | Columns) -> float:
        """The statistic on one event table (documented or simulated), or on its :func:`columns`."""
        table = columns(events) if isinstance(events, pd.DataFrame) else events
        return float(self.measure_rows(table, 1)[0])

    def measure_rows(self, table: Columns, rows: int) -> np.ndarray:
        """The statistic of each of ``rows`` runs of an ensemble at once, from the :func:`columns` of its log.

        A row whose window never opened (no anchoring event) scores the window for a lag, 0 otherwise;
        a lag whose answer never comes within the window is censored at the window.
        """
        start, measured = self._window(table, rows)
        opened = start != NEVER
        row = table["row"]
        if self.kind == "count":
            return np.bincount(row[measured], minlength=rows).astype(float)
        if self.kind == "share":
            part = np.bincount(row[measured], minlength=rows)
            whole = np.bincount(row[self._window(table, rows, self.of)[1]], minlength=rows)
            return np.divide(part, whole, out=np.zeros(rows), where=whole > 0)
        first = np.full(rows, NEVER, dtype=np.int64)
        np.minimum.at(first, row[measured], table["date"][measured])
        answered = opened & (first != NEVER)
        weeks = (first - np.where(opened, start, 0)) / (7 * 86400 * 10**9)
        return np.where(answered, weeks, self.window_weeks)

    def evidence(self, events: pd.DataFrame) -> pd.DataFrame:
        """The events the statistic rests on: the first anchoring event(s) and those measured."""
        table = columns(events)
        start, measured = self._window(table, 1)
        rows = events[measured]
        if self.after is not None and start[0] != NEVER:
            first = self.after.select(events)
            rows = pd.concat([first[first["date"].to_numpy(dtype="datetime64[ns]").view(np.int64) == start[0]], rows])
        return rows.drop_duplicates("event_id") if "event_id" in rows.columns else rows

    def horizon(self, scenario: Scenario) -> dt.date:
        """The last date of ``scenario`` this statistic can depend on: calibration runs need not simulate past it.

        A window opens at the first anchoring event, and a scheduled shock that matches ``after`` always
        happens: the window opens on the first such shock's date at the latest (or at the end of the anchors'
        period when no shock matches).
        """
        if self.after is None:
            last = self.then.until or scenario.end
        else:
            taking_part = [s for s in scenario.shocks if s.source in scenario.actors and s.target in scenario.actors]
            shocks = pd.DataFrame(
                {
                    "event_type": [s.kind for s in taking_part],
                    "source": [s.source for s in taking_part],
                    "target": [s.target for s in taking_part],
                    "date": pd.to_datetime([s.date for s in taking_part]),
                }
            )
            anchors = self.after.select(shocks)
            opens = anchors["date"].min().date() if not anchors.empty else (self.after.until or scenario.end)
            last = opens + dt.timedelta(weeks=self.window_weeks)
        return min(last, scenario.end)

    @property
    def unit(self) -> float:
        """The difference between two values of this statistic that counts as 1 in the distance."""
        if self.scale is not None:
            return self.scale
        return self.window_weeks if self.kind == "lag" else 1.0


def statistics(targets: list[Target], events_by_scenario: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Every target measured on the events of its scenario, each taken as one table."""
    tables = {name: columns(events) for name, events in events_by_scenario.items()}
    return {target.name: target.measure(tables[target.scenario]) for target in targets}


def row_statistics(targets: list[Target], logs: dict[str, pd.DataFrame], rows: int) -> pd.DataFrame:
    """Every target measured on each of ``rows`` runs at once: a table of one row per run, one column per target.

    ``logs`` holds, for each scenario, the events of an ensemble with their ``row`` column.
    """
    tables = {name: columns(events, by_row=True) for name, events in logs.items()}
    return pd.DataFrame({target.name: target.measure_rows(tables[target.scenario], rows) for target in targets})


def _nanoseconds(day: dt.date) -> np.int64:
    """A day's midnight as nanoseconds since the epoch, the unit of the :func:`columns` dates."""
    return np.datetime64(day, "ns").astype(np.int64)
