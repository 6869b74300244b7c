"""Observed monthly series from an imported event table, for plots and forecast scores.

Cross-dataset duplicates (``duplicate_of`` set) are left out so an event reported by both
ACLED and UCDP counts once, and events dated only to the year are left out of monthly series.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from sim.core.events import event_families

Measure = Literal["events", "fatalities"]  # a count of events, or the sum of their best death estimates
MEASURES: tuple[Measure, ...] = typing.get_args(Measure)


@dataclass(frozen=True)
class Observed:
    """An imported event table to draw beside simulations, and which measure of it to draw."""

    events: pd.DataFrame
    measure: Measure = "events"


def primary(events: pd.DataFrame) -> pd.DataFrame:
    """Events counted once and placeable in a month."""
    keep = events["date_precision"] != "year"
    if "duplicate_of" in events.columns:
        keep &= events["duplicate_of"].isna()
    return events[keep]


def months(start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> pd.PeriodIndex:
    """Every calendar month from ``start``'s to ``end``'s, both included: the span a monthly series covers."""
    return pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")


def _monthly(rows: pd.DataFrame, keys: pd.Series | None, span: pd.PeriodIndex, measure: Measure) -> pd.DataFrame:
    month = rows["date"].dt.to_period("M").rename("month")
    values = rows["fatalities"].fillna(0).astype("int64") if measure == "fatalities" else pd.Series(1, index=rows.index)
    grouped = values.groupby([month] if keys is None else [month, keys]).sum()
    table = grouped.to_frame("value") if keys is None else grouped.unstack(fill_value=0)
    return table.reindex(span, fill_value=0)


def pair_monthly(
    events: pd.DataFrame, pair: tuple[str, str], span: pd.PeriodIndex, measure: Measure = "events"
) -> pd.Series:
    """Monthly events (or deaths) between the two actors, in either direction, over ``span``."""
    a, b = pair
    rows = primary(events)
    rows = rows[((rows["source"] == a) & (rows["target"] == b)) | ((rows["source"] == b) & (rows["target"] == a))]
    return _monthly(rows, None, span, measure)["value"]


def country_monthly(
    events: pd.DataFrame,
    countries: Sequence[str],
    span: pd.PeriodIndex,
    measure: Measure = "fatalities",
    families: Sequence[str] = ("violence",),
) -> pd.DataFrame:
    """Country-month series (months x ISO3 codes) of events of the given families, zeros where none."""
    rows = primary(events)
    rows = rows[rows["event_type"].map(event_families()).isin(families) & rows["country"].isin(countries)]
    table = _monthly(rows, rows["country"].rename("country"), span, measure)
    return table.reindex(columns=list(countries), fill_value=0).astype("int64")
