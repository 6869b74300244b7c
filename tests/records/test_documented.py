"""The documented record counts each real event once and only where it can be placed in time."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration.fitting import load_config, observed_statistics
from sim.model.scenario import load_scenario
from sim.plots.tension import tension_figure
from sim.records.documented import documented_record
from tests.conftest import ROOT, SEEDS


def _copy_project(tmp_path: Path) -> Path:
    """The calibration and scenario folders, side by side as in the repository, to edit freely."""
    for folder in ("calibration", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _append_copy(events_csv: Path, of: str, new_id: str, **changes: str) -> None:
    """Append a second coding of event ``of`` (as from another article), with some fields changed."""
    with events_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["event_id"] == of) | {"event_id": new_id} | changes
    with events_csv.open("a", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n").writerow(row)


def _markers(figure) -> tuple[int, list[str]]:
    """Documented-event markers drawn on the figure and the texts written on its axes.

    Markers are the triangles, not legend entries; a summons counted twice would read ``summons ×2``.
    """
    count = sum(
        len(line.get_xdata()) for ax in figure.axes for line in ax.get_lines() if line.get_marker() in ("v", "^")
    )
    return count, sorted(text.get_text() for ax in figure.axes for text in ax.texts)


@pytest.fixture
def project(tmp_path):
    return _copy_project(tmp_path)


def test_the_shipped_duplicates_point_at_rows_that_count():
    events = pd.read_csv(ROOT / "calibration" / "events.csv", dtype=str)
    ids = set(events["event_id"])
    duplicates = events.dropna(subset=["duplicate_of"])
    assert {"D043", "D045", "D054", "D018", "D025", "D026"} <= set(duplicates["event_id"])
    assert set(duplicates["duplicate_of"]) <= ids
    assert not set(duplicates["duplicate_of"]) & set(duplicates["event_id"])  # primaries are not duplicates


def test_a_duplicate_changes_neither_the_documented_series_nor_the_markers(project):
    scenario = project / "scenarios" / "sahel_2024.yaml"
    events, before = documented_record(load_scenario(scenario))
    markers = _markers(tension_figure(before.assign(replicate=0), [("mali", "mauritania")], "t", events, before))
    _append_copy(project / "calibration" / "events.csv", "D038", "D999", duplicate_of="D038", source_file="other.txt")
    events_after, after = documented_record(load_scenario(scenario))
    pd.testing.assert_frame_equal(before, after)
    assert "D999" not in set(events_after["event_id"])
    raw = pd.concat([events, events_after]).drop_duplicates("event_id")
    raw = pd.concat([raw, raw[raw["event_id"] == "D038"].assign(event_id="D999", duplicate_of="D038")])
    drawn = tension_figure(after.assign(replicate=0), [("mali", "mauritania")], "t", raw, after)
    assert _markers(drawn) == markers


def test_the_same_row_without_duplicate_of_would_count_twice(project):
    """The test above can fail: a second, unlinked coding of the summons moves the series."""
    scenario = project / "scenarios" / "sahel_2024.yaml"
    _, before = documented_record(load_scenario(scenario))
    _append_copy(project / "calibration" / "events.csv", "D038", "D999", source_file="other.txt")
    _, after = documented_record(load_scenario(scenario))
    assert not before["tension"].equals(after["tension"])


def test_a_duplicate_row_leaves_the_target_statistics_alone(project):
    config = project / "calibration" / "sahel.yaml"
    before = observed_statistics(load_config(config))
    for event_id, new_id in (("D038", "D998"), ("D039", "D999"), ("D002", "D997")):
        _append_copy(project / "calibration" / "events.csv", event_id, new_id, duplicate_of=event_id)
    assert observed_statistics(load_config(config)) == before
    assert "D999" not in set(load_config(config).documented_events()["event_id"])


def test_year_precision_events_stay_out_of_the_documented_series(project):
    """An event known only by its year would otherwise land on 1 January."""
    scenario = project / "scenarios" / "sahel_2024.yaml"
    events, before = documented_record(load_scenario(scenario))
    assert not (events["date_precision"] == "year").any()
    _append_copy(project / "calibration" / "events.csv", "D038", "D999", date="2024-01-01", date_precision="year")
    _, after = documented_record(load_scenario(scenario))
    pd.testing.assert_frame_equal(before, after)
    _append_copy(project / "calibration" / "events.csv", "D038", "D998", date="2024-01-01", date_precision="month")
    _, placed = documented_record(load_scenario(scenario))
    assert not placed["tension"].equals(before["tension"])


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_no_note_copies_six_words_running_from_a_seed_article():
    """Facts from the articles may carry over, their sentences may not (names are shorter than this)."""
    runs = set()
    for article in SEEDS.glob("*.txt"):
        words = _words(article.read_text(encoding="utf-8"))
        runs |= {tuple(words[i : i + 6]) for i in range(len(words) - 5)}
    events = pd.read_csv(ROOT / "calibration" / "events.csv", dtype=str)
    copied = {
        row.event_id: " ".join(run)
        for row in events.itertuples()
        for run in (tuple(_words(row.note)[i : i + 6]) for i in range(len(_words(row.note)) - 5))
        if run in runs
    }
    assert copied == {}
