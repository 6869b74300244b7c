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
Columns = dict[str, np.ndarray]  # an event table's event_type, source, target and date columns


def columns(events: pd.DataFrame) -> Columns:
    """The columns targets read, as numpy arrays: read once per table, not once per selector."""
    return {name: np.asarray(events[name]) for name in ("event_type", "source", "target")} | {
        "date": events["date"].to_numpy(dtype="datetime64[ns]")
    }


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
        source, target = columns["source"], columns["target"]
        keep = np.isin(columns["event_type"], self.types)
        if self.pair is not None:
            a, b = self.pair
            keep &= ((source == a) & (target == b)) | ((source == b) & (target == a))
        if self.source is not None:
            keep &= source == self.source
        if self.target is not None:
            keep &= target == self.target
        dates = columns["date"]
        if self.since is not None:
            keep &= dates >= np.datetime64(self.since)
        if self.until is not None:
            keep &= dates <= np.datetime64(self.until)
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

    def _window(self, columns: Columns, selector: Selector | None = None) -> tuple[np.ndarray | None, np.ndarray]:
        """The dates of the anchoring events (None without ``after``) and the row mask of the measured events.

        The mask is that of the measured events (or those of ``selector``) in the window that opens at the
        first anchor (none when no anchor happened).
        """
        measured = (selector or self.then).mask(columns)
        if self.after is None:
            return None, measured
        anchors = columns["date"][self.after.mask(columns)]
        if anchors.size == 0:
            return anchors, measured & False
        dates, start = columns["date"], anchors.min()
        return anchors, measured & (dates >= start) & (
            dates <= start + np.timedelta64(round(self.window_weeks * 7 * 86400), "s")
        )

    def measure(self, events: pd.DataFrame | Columns) -> float:
        """The statistic on an event table (documented or simulated), or on its :func:`columns`."""
        table = columns(events) if isinstance(events, pd.DataFrame) else events
        anchors, measured = self._window(table)
        if anchors is not None and anchors.size == 0:
            return self.window_weeks if self.kind == "lag" else 0.0
        if self.kind == "count":
            return float(measured.sum())
        if self.kind == "share":
            whole = self._window(table, self.of)[1].sum()
            return measured.sum() / whole if whole else 0.0
        if not measured.any():
            return self.window_weeks
        assert anchors is not None  # a lag has an 'after' (validated), so its window has anchors
        return (table["date"][measured].min() - anchors.min()) / np.timedelta64(7, "D")

    def evidence(self, events: pd.DataFrame) -> pd.DataFrame:
        """The events the statistic rests on: the first anchoring event(s) and those measured."""
        table = columns(events)
        anchors, measured = self._window(table)
        rows = events[measured]
        if self.after is not None and anchors is not None and anchors.size:
            first = self.after.select(events)
            rows = pd.concat([first[first["date"] == anchors.min()], rows])
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
    """Every target measured on the events of its scenario."""
    tables = {name: columns(events) for name, events in events_by_scenario.items()}
    return {target.name: target.measure(tables[target.scenario]) for target in targets}
