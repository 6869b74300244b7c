"""Date expressions of news text resolved against a publication date, with their precision."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.documents.dates import MissingPublicationDate, date_forms, overlap, period_end, period_start, resolve

SUNDAY = dt.date(2024, 4, 21)  # the publication date of seed 000


@pytest.mark.parametrize(
    ("lang", "text", "previous", "expected", "precision", "inferred"),
    [
        ("en", "Friday", None, dt.date(2024, 4, 19), "day", True),
        ("en", "last week", None, dt.date(2024, 4, 8), "week", True),
        ("en", "In March", None, dt.date(2024, 3, 1), "month", True),
        ("en", "March 3, 2022", None, dt.date(2022, 3, 3), "day", False),
        ("en", "2020", None, dt.date(2020, 1, 1), "year", False),
        ("fr", "samedi", None, dt.date(2024, 4, 20), "day", True),
        ("fr", "il y a deux semaines", None, dt.date(2024, 4, 1), "week", True),
        ("fr", "jeudi 9 mai 2024", None, dt.date(2024, 5, 9), "day", False),
        # the normalisations of date_forms.yaml, one case each
        ("en", "two weeks earlier", dt.date(2024, 4, 20), dt.date(2024, 4, 1), "week", True),
        ("en", "three days later", dt.date(2024, 4, 10), dt.date(2024, 4, 13), "day", True),
        ("en", "the following day", dt.date(2024, 4, 19), dt.date(2024, 4, 20), "day", True),
        ("en", "the day before", dt.date(2024, 4, 19), dt.date(2024, 4, 18), "day", True),
        ("en", "the following week", dt.date(2024, 4, 3), dt.date(2024, 4, 8), "week", True),
        ("en", "earlier this year", None, dt.date(2024, 1, 1), "year", True),
        ("en", "January last year", None, dt.date(2023, 1, 1), "month", True),
        ("en", "mid-September", None, dt.date(2023, 9, 1), "month", True),
        ("fr", "fin septembre", None, dt.date(2023, 9, 1), "month", True),
        ("fr", "le 28 janvier dernier", None, dt.date(2024, 1, 28), "day", True),
        ("fr", "le lendemain", dt.date(2024, 4, 19), dt.date(2024, 4, 20), "day", True),
        ("fr", "la veille", dt.date(2024, 4, 19), dt.date(2024, 4, 18), "day", True),
        ("fr", "deux semaines plus tôt", dt.date(2024, 4, 20), dt.date(2024, 4, 1), "week", True),
        ("fr", "trois jours plus tard", dt.date(2024, 4, 10), dt.date(2024, 4, 13), "day", True),
        ("en", "this weekend", None, dt.date(2024, 4, 15), "week", True),
    ],
)
def test_expressions_resolve_against_the_publication_date(lang, text, previous, expected, precision, inferred):
    resolved = resolve(text, lang, SUNDAY, previous)
    assert (resolved.date, resolved.precision, resolved.inferred) == (expected, precision, inferred)


def test_every_normalisation_has_a_case_above():
    """Each rewrite in date_forms.yaml is exercised by the table of the test above."""
    import re

    cases = [case[1] for case in test_expressions_resolve_against_the_publication_date.pytestmark[0].args[1]]
    for rule in date_forms().normalisations:
        assert any(re.search(rule.match, text, re.IGNORECASE) for text in cases), rule.match


def test_relative_expression_without_publication_date_is_refused():
    with pytest.raises(MissingPublicationDate):
        resolve("on Friday", "en", None, None)
    assert resolve("12 March 2022", "en", None, None).date == dt.date(2022, 3, 12)


def test_unreadable_expression_gives_none():
    assert resolve("the day of the jackal", "en", SUNDAY, None) is None


days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))
precisions = st.sampled_from(["day", "week", "month", "year"])


@given(days, precisions)
def test_a_period_contains_its_day_and_starts_once(day, precision):
    start = period_start(day, precision)
    assert start <= day < period_end(start, precision)
    assert period_start(start, precision) == start


@given(days, precisions, days, precisions)
def test_overlap_is_symmetric_and_reflexive(a, pa, b, pb):
    assert overlap(a, pa, b, pb) == overlap(b, pb, a, pa)
    assert overlap(a, pa, a, pa)
