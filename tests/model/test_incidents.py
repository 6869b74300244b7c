"""Incident counts and their deaths (sim/model/incidents.py): the distributions they claim, drawn from uniforms."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import nbinom, poisson

from sim.model import incidents, rules
from sim.model.incidents import MAX_INCIDENTS, each_incident, incident_counts, incident_deaths, thinned
from sim.model.model import SahelModel

UNIFORMS = np.random.default_rng(5).random(200_000).astype(np.float32)


@settings(max_examples=20, deadline=None)
@given(rate=st.floats(0.01, 4.0))
def test_counts_are_poisson_with_the_rate(rate):
    counts = incident_counts(np.full(len(UNIFORMS), rate), UNIFORMS)
    assert abs(counts.mean() - rate) < 5 * np.sqrt(rate / len(UNIFORMS)) + 1e-3
    assert abs((counts == 0).mean() - np.exp(-rate)) < 0.01
    assert counts.max() <= MAX_INCIDENTS


def test_counts_at_a_low_rate_keep_the_weekly_chance():
    """At low rates a rate and a chance agree: the first incident is the old weekly event."""
    counts = incident_counts(np.full(len(UNIFORMS), 0.05), UNIFORMS)
    assert abs((counts > 0).mean() - poisson.sf(0, 0.05)) < 0.003


@settings(max_examples=30, deadline=None)
@given(counts=st.lists(st.integers(0, MAX_INCIDENTS), min_size=1, max_size=50), chance=st.floats(0.0, 1.0))
def test_thinning_never_exceeds_the_incidents(counts, chance):
    n = np.array(counts)
    u = UNIFORMS[: len(n)]
    out = thinned(n, np.full(len(n), chance), u)
    assert ((out >= 0) & (out <= n)).all()
    if chance == 0.0:
        assert (out == 0).all()


def test_thinning_is_binomial():
    n = np.full(len(UNIFORMS), 6)
    out = thinned(n, np.full(len(n), 0.3), UNIFORMS)
    assert abs(out.mean() - 1.8) < 0.02 and abs(out.var() - 1.26) < 0.03


@given(st.lists(st.lists(st.integers(0, 5), min_size=3, max_size=3), min_size=1, max_size=6))
def test_each_incident_lists_every_incident_once(rows):
    counts = np.array(rows)
    r, k, j = each_incident(counts)
    assert len(r) == counts.sum()
    for row, slot in zip(*np.nonzero(counts), strict=True):
        assert sorted(j[(r == row) & (k == slot)]) == list(range(counts[row, slot]))


def test_deaths_are_negative_binomial_with_the_mean_and_dispersion():
    mean, size = 4.0, 0.8
    deaths = incident_deaths(np.full(len(UNIFORMS), mean), np.full(len(UNIFORMS), size), UNIFORMS)
    assert abs(deaths.mean() - mean) < 0.1
    assert abs(deaths.var() - (mean + mean**2 / size)) < 1.5
    share = np.bincount(deaths, minlength=11)[:11] / len(deaths)
    assert np.abs(share - nbinom.pmf(np.arange(11), size, size / (size + mean))).max() < 0.005


def test_no_deaths_where_the_mean_is_zero():
    assert (incident_deaths(np.zeros(100), np.full(100, 0.8), UNIFORMS[:100]) == 0).all()


def test_the_count_cap_is_almost_never_reached_at_the_defaults(sahel_2024, monkeypatch):
    reached, slot_weeks = [0], [0]

    def counting(rate, uniform):
        counts = incidents.incident_counts(rate, uniform)
        reached[0] += int((counts >= MAX_INCIDENTS).sum())
        slot_weeks[0] += counts.size
        return counts

    monkeypatch.setattr(rules, "incident_counts", counting)
    SahelModel(sahel_2024.scenario.model_copy(update={"parameters_from": "median"}), replicates=40).run()
    assert slot_weeks[0] > 0 and reached[0] / slot_weeks[0] < 1e-4


def test_each_incident_of_a_week_is_an_event_of_the_log(sahel_2024):
    """Counts reach the log: a group attacks a state several times in some weeks, each attack its own row."""
    events = SahelModel(sahel_2024.scenario, replicates=4).run().log.records()
    attacks = events[events["event_type"] == "attack"].groupby(["row", "week", "source", "target"], observed=True)
    assert attacks.size().max() > 1
