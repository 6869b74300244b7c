"""The classroom page's live ensembles: fans, the paired difference, pulled shocks, the feed, the figure, exports."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image

from sim.teaching.classroom import classroom
from sim.teaching.ensemble import (
    QUANTILES,
    Choice,
    Comparison,
    check_choice,
    counterfactuals,
    default_choice,
    fan,
    readings,
    series_table,
)
from sim.teaching.feed import FeedFilter, week_feed
from sim.teaching.live import LiveComparison


def small(factual: str = "joint_patrols_2010", worlds: int = 20, **changes) -> Choice:
    return dataclasses.replace(default_choice(factual), worlds=worlds, **changes)


def button(label: str):
    return next(b for b in classroom().shocks if b.label == label)


def test_the_default_choice_pairs_the_factual_with_its_counterfactual_of_the_same_period():
    choice = default_choice("sahel_2024")
    assert (choice.counterfactual, choice.worlds) == ("no_pursuit_2024", classroom().worlds)
    assert counterfactuals("sahel_2024")[0] == "sahel_2024"
    assert "joint_patrols_2010" not in counterfactuals("sahel_2024")
    assert check_choice(choice) == []


def test_bad_choices_are_refused_with_messages_before_anything_is_built():
    found = check_choice(Choice("sahel_2024", "joint_patrols_2010", "forty-two", 5000))
    text = " ".join(found)
    assert "got 'forty-two'; expected a whole number" in text
    assert "covers another period" in text
    assert "expected 1 to 1000 worlds" in text
    assert "unknown scenario 'atlantis'" in " ".join(check_choice(small(counterfactual="atlantis")))


def test_fan_gives_the_quantiles_over_the_worlds_week_by_week():
    values = np.arange(2 * 101 * 3, dtype=float).reshape(2, 101, 3)
    quantiles = fan(values)
    assert quantiles.shape == (2, len(QUANTILES), 3)
    assert np.allclose(quantiles[:, 2, :], np.median(values, axis=1))
    assert fan(values[:0]).shape == (0, len(QUANTILES), 3)


def test_a_side_compared_with_itself_differs_by_nothing_world_by_world():
    comparison = Comparison.build(small(counterfactual="joint_patrols_2010"))
    for _ in range(8):
        comparison.step()
    fans = comparison.fans("tension")
    assert fans.a.shape == (8, 5, len(comparison.key_pairs))
    assert np.array_equal(fans.a, fans.b)
    assert np.all(fans.difference == 0)
    assert fans.a[-1, 4].max() > fans.a[-1, 0].min()  # the worlds spread


def test_a_shock_pulled_into_one_side_changes_that_side_only():
    comparison = Comparison.build(small(counterfactual="joint_patrols_2010"))
    for _ in range(3):
        comparison.step()
    pulled = comparison.pull(button("Border incident"), "B")
    assert (pulled.week, pulled.sides, pulled.date) == (4, "B", comparison.a.dates[3])
    comparison.step()
    fans = comparison.fans("tension")
    column = comparison.key_pairs.index(("mali", "mauritania"))
    assert np.all(fans.difference[:3] == 0)
    assert np.all(fans.difference[3, :, column] >= 0) and fans.difference[3, 2, column] > 0

    def pulled_into(model):  # the worlds whose log holds the pulled incident in its week
        records = model.log.records()
        shocks = records[(records["week"] == 3) & records["rule"].astype(str).str.startswith("shock")]
        return set(shocks.loc[shocks["event_type"] == "cross_border_incident", "row"])

    assert pulled_into(comparison.b) == set(range(20)) and not pulled_into(comparison.a)
    assert comparison.pulled == [pulled]


def test_a_shock_whose_actors_do_not_take_part_is_refused_and_not_marked():
    comparison = Comparison.build(small())
    assert not comparison.can_pull(button("Wagner withdrawal"), "both")
    with pytest.raises(Exception, match="cannot be pulled"):
        comparison.pull(button("Wagner withdrawal"), "A")
    assert comparison.pulled == []


def test_a_moved_lever_goes_into_b_only_and_the_title_and_table_record_it():
    comparison = Comparison.build(small(counterfactual="joint_patrols_2010", levers=(("joint_threat", 0.0),)))
    assert (comparison.b.params.joint_threat == 0.0).all() and (comparison.a.params.joint_threat != 0.0).all()
    for _ in range(5):
        comparison.step()
    title = comparison.title("cooperation")
    assert "joint patrols 0" in title and f"seed {comparison.a.scenario.seed}" in title and "week 5" in title
    table = series_table(comparison)
    assert set(table["side"]) == {"A", "B", "B - A"} and set(table["measure"]) == {"tension", "cooperation"}
    assert len(table) == 5 * 3 * 2 * len(comparison.key_pairs)
    assert (table["levers"] == "joint_threat=0").all() and (table["worlds"] == 20).all()
    assert (table["q05"] <= table["q50"]).all() and (table["q50"] <= table["q95"]).all()


def test_monitors_read_the_median_tension_and_cooperation_of_each_side():
    comparison = Comparison.build(small())
    for _ in range(6):
        comparison.step()
    reading = readings(comparison)[0]
    column = comparison.a.ledger.column("mali", "mauritania")
    assert reading.label == "Mali – Mauritania"
    assert reading.tension_a == pytest.approx(np.median(comparison.a.tension_history[5, :, column]))
    assert reading.cooperation_b == pytest.approx(np.median(comparison.b.cooperation_history[5, :, column]))


def test_the_feed_groups_a_world_s_weeks_and_filters_them():
    comparison = Comparison.build(small("sahel_2024", worlds=5))
    for _ in range(16):
        comparison.step()
    events = comparison.a.documented[0]
    weeks = week_feed(comparison.a, FeedFilter(world=2), events, weeks=3)
    assert [w.week for w in weeks] == [16, 15, 14]
    assert "19 Apr: Mauritania summons the ambassador of Mali" in weeks[0].documented  # the record's week
    everything = week_feed(comparison.a, FeedFilter(world=2, routine=True), events, weeks=3)
    routine = {"conducts an operation against", "carries out a joint operation with"}
    assert not any(phrase in line for w in weeks for line in w.lines for phrase in routine)
    assert sum(w.hidden for w in everything) < sum(w.hidden for w in weeks)
    pair = week_feed(comparison.a, FeedFilter(world=2, pair=("mauritania", "mali"), routine=True), events, weeks=3)
    assert all("Mauritania" in line and "Mali" in line for w in pair for line in w.lines + w.documented)
    other_world = week_feed(comparison.a, FeedFilter(world=3, routine=True), events, weeks=3)
    assert [w.lines for w in other_world] != [w.lines for w in everything]


def test_the_live_figure_is_sized_for_a_projector_and_redraws_each_week():
    live = LiveComparison(small())
    figure = live.figure("tension")
    width, height = figure.figure.bbox.size
    assert (width, figure.figure.dpi) == (720, 72)  # a point is a pixel
    texts = [t for t in figure.figure.findobj(match=Text) if t.get_text() and t.get_visible()]
    assert len(texts) > 20 and min(t.get_fontsize() for t in texts) >= 14  # titles, ticks, legend, labels
    first = live.png("tension")
    live.step(4)
    second = live.png("tension")
    assert first.startswith(b"\x89PNG") and second != first
    assert Image.open(io.BytesIO(second)).size == (width, height)


def test_exports_record_the_week_and_hold_the_figure_and_the_series():
    live = LiveComparison(small(counterfactual="joint_patrols_2010"))
    live.step(3)
    live.pull(button("Border incident"), "both")
    live.step()
    svg = live.export("tension", "svg").decode()
    assert svg.startswith("<?xml") and "week 4" in svg and "A+B" in svg
    png = live.export("tension", "png")
    assert Image.open(io.BytesIO(png)).size[0] == 2 * 720
    table = pd.read_csv(io.BytesIO(live.csv()))
    assert table["week"].max() == 4
    assert live.filename("tension", "png").endswith("_seed2010_n20_week4_tension.png")
    assert live.png("tension").startswith(b"\x89PNG")  # the page's frame still draws after an export
