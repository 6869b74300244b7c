"""Dates in news text: resolved against the publication date, with their precision.

An article says "on Friday", "last week", "two weeks earlier" or "le 28 janvier dernier";
the event record needs a calendar date, the precision it is known to (day, week, month, year;
the date is the first day of that period) and whether it was inferred. ``dateparser`` reads
the expressions, with the publication date (or, for "two weeks earlier" and "the following
day", the date read just before) as its ``RELATIVE_BASE`` and ``PREFER_DATES_FROM='past'``.
The forms it misses are rewritten first by the normalisations of ``sim/data/date_forms.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.core.datafiles import PACKAGE_DATA, load_yaml_model
from sim.core.events import Precision

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

DATE_FORMS_PATH = PACKAGE_DATA / "date_forms.yaml"
PRECISIONS: tuple[Precision, ...] = ("day", "week", "month", "year")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


class Normalisation(BaseModel):
    """One rewrite of a date expression that dateparser does not read as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    match: str
    replace: str
    anchor: Literal["publication", "previous"] = "publication"
    shift_years: int = 0
    precision: Precision | None = None


class DateForms(BaseModel):
    """The date forms file: the Matcher patterns that find date expressions, and their rewrites."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    spans: dict[str, list[list[dict[str, Any]]]] = Field(description="spaCy Matcher patterns per language")
    normalisations: list[Normalisation]


@lru_cache(maxsize=1)
def date_forms() -> DateForms:
    """The date forms, read and checked once per process."""
    return load_yaml_model(DateForms, DATE_FORMS_PATH)


class MissingPublicationDate(Exception):
    """A relative date (e.g. 'on Friday') was met in an article that has no publication date."""

    def __init__(self, expression: str) -> None:
        """Keep the expression, so the article's error can quote it."""
        self.expression = expression
        super().__init__(expression)


@dataclass(frozen=True)
class ResolvedDate:
    """A date read from text: the first day of its period, the period and whether it was inferred."""

    date: dt.date
    precision: Precision
    inferred: bool
    expression: str


def period_start(day: dt.date, precision: Precision) -> dt.date:
    """The first day of the period of ``precision`` that contains ``day`` (weeks start on Monday)."""
    if precision == "week":
        return day - dt.timedelta(days=day.weekday())
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


def period_end(start: dt.date, precision: Precision) -> dt.date:
    """The day after the last day of the period that starts at ``start``."""
    if precision == "week":
        return start + dt.timedelta(days=7)
    if precision == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if precision == "year":
        return start.replace(year=start.year + 1, month=1, day=1)
    return start + dt.timedelta(days=1)


def overlap(first: dt.date, first_precision: Precision, second: dt.date, second_precision: Precision) -> bool:
    """Whether two dates, each known to its precision, can be the same day."""
    a_start, b_start = period_start(first, first_precision), period_start(second, second_precision)
    return a_start < period_end(b_start, second_precision) and b_start < period_end(a_start, first_precision)


def coarsest(first: Precision, second: Precision) -> Precision:
    """The less precise of two precisions (a date from context is known no better than its source)."""
    return max(first, second, key=PRECISIONS.index)


def resolve(expression: str, lang: str, publication: dt.date | None, previous: dt.date | None) -> ResolvedDate | None:
    """Read one date expression; None when dateparser cannot read it.

    Raises MissingPublicationDate when the expression is relative and there is no date to
    read it against.
    """
    text = " ".join(expression.split()).strip(" ,;.")
    explicit = _YEAR.search(text) is not None
    rule = next((n for n in date_forms().normalisations if re.search(n.match, text, re.IGNORECASE)), None)
    if rule is not None:
        text = re.sub(rule.match, rule.replace, text, flags=re.IGNORECASE)
    anchor = previous if rule is not None and rule.anchor == "previous" and previous is not None else publication
    if anchor is None:
        year = _YEAR.search(text)  # the stated year, as the rewrite left it
        if not explicit or year is None:
            raise MissingPublicationDate(expression)
        anchor = dt.date(int(year.group(0)), 12, 31)
    if rule is not None and rule.shift_years:
        anchor = anchor.replace(year=anchor.year + rule.shift_years, day=min(anchor.day, 28))
    read = _read(text, lang, anchor)
    if read is None:
        return None
    day, period = read
    precision = (rule.precision if rule is not None and rule.precision else None) or period
    return ResolvedDate(period_start(day, precision), precision, not explicit, expression)


@lru_cache(maxsize=4096)
def _read(text: str, lang: str, anchor: dt.date) -> tuple[dt.date, Precision] | None:
    """Dateparser's reading of an expression against ``anchor``: its day and the period it names.

    Kept for the expressions read again ('on Friday' after the same date), which a long article
    has by the thousand: dateparser takes milliseconds for each.
    """
    data = _parser(lang, anchor).get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), _precision(data.period)


def _precision(period: str | None) -> Precision:
    return period if period in PRECISIONS else "day"  # dateparser reports 'time' for clock times


@lru_cache(maxsize=256)
def _parser(lang: str, anchor: dt.date) -> DateDataParser:
    """A dateparser reading relative dates against ``anchor`` (imported here: only extraction reads dates)."""
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": dt.datetime.combine(anchor, dt.time()),
        "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True,
    }
    return DateDataParser(languages=[lang], settings=settings)
