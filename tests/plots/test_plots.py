"""The tension plot: documented events in a strip above each panel, labels apart, approximate dates hollow."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pandas as pd
import pytest

from sim.plots.record import event_marks
from sim.plots.tension import tension_figure
from sim.records.documented import documented_record
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def figure(sahel_2024):
    events, series = documented_record(sahel_2024)
    fig = tension_figure(series.assign(replicate=0), sahel_2024.scenario.key_pairs, "test", events, series)
    fig.canvas.draw()
    return fig


def _triangles(ax):
    return [line for line in ax.get_lines() if line.get_marker() in ("v", "^")]


def test_no_event_marker_is_drawn_inside_a_data_axes(figure):
    data_axes = [ax for ax in figure.axes if ax.get_ylabel() == "level (0–1)"]
    strips = [ax for ax in figure.axes if ax not in data_axes]
    assert len(data_axes) == len(strips) == 4
    assert not any(_triangles(ax) for ax in data_axes)
    assert sum(len(_triangles(ax)) for ax in strips) >= 10
    for strip, ax in zip(strips, data_axes, strict=True):  # each strip sits right on top of its panel
        assert strip.get_position().y0 == pytest.approx(ax.get_position().y1)


def test_the_legend_says_the_documented_series_is_only_what_was_reported(figure):
    """The documented record is what a few articles chose to report, not everything that happened."""
    legend = [text.get_text() for legend in figure.legends for text in legend.get_texts()]
    documented = [label for label in legend if label.startswith(("documented tension", "documented cooperation"))]
    assert len(documented) == 2 and all("(reported subset)" in label for label in documented)


def test_labels_do_not_overlap(figure):
    renderer = figure.canvas.get_renderer()
    for ax in figure.axes:
        boxes = [text.get_window_extent(renderer) for text in ax.texts]
        for first, second in itertools.combinations(boxes, 2):
            assert not first.overlaps(second)


def test_labels_say_when_and_approximate_dates_are_hollow():
    events = pd.read_csv(ROOT / "calibration" / "events.csv", parse_dates=["date"])
    pair = events[events["event_id"].isin(["D032", "D036", "D038", "D039", "D040"])]
    marks = {mark.text: mark for mark in event_marks(pair)}
    assert set(marks) == {"cross-border killings wk 1 Apr", "delegation Apr", "summons 19 Apr", "visit, praise 20 Apr"}
    assert marks["delegation Apr"].approximate and marks["cross-border killings wk 1 Apr"].approximate
    assert not marks["summons 19 Apr"].approximate and marks["summons 19 Apr"].conflictual
    assert not marks["visit, praise 20 Apr"].conflictual


def test_figures_are_drawn_and_saved_without_pyplot(tmp_path):
    """No backend is chosen (pyplot chooses one): the figures are drawn on their own Agg canvas."""
    code = (
        "import sys, pathlib\n"
        "import sim.plots.compare, sim.plots.diagnostics, sim.plots.live, sim.plots.tension\n"
        "from sim.plots.panels import new_figure, save_figure\n"
        "figure = new_figure()\n"
        "figure.subplots().plot([0, 1])\n"
        f"save_figure(figure, pathlib.Path({str(tmp_path / 'figure')!r}))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["figure.png", "figure.svg"]
