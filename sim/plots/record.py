"""The documented record on a pair's panel: its events as labelled marks in a strip above, its series dashed in it.

A strip holds one mark per week and sign of the pair's documented events; labels are placed in
rows, measured with the Agg renderer's font metrics, so that no two overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D

from sim.core.events import event_types
from sim.core.relations import Pair, pair_label
from sim.plots.panels import COOPERATION_COLOUR, TENSION_COLOUR, Layout, short_name
from sim.records.observed import primary

LABEL_SIZE = 7.5  # points
MARKER_SIZE = 6  # points
Period = tuple[pd.Timestamp, pd.Timestamp]


@dataclass(frozen=True)
class Mark:
    """One marker above a panel: a week's documented events of one sign, and what to write beside it."""

    date: pd.Timestamp
    text: str
    conflictual: bool
    approximate: bool  # dated only to the month, or to an inferred week: drawn hollow


@dataclass(frozen=True)
class PlacedMarks:
    """A panel's marks, the label row of each, and the height in rows of its grid row's strips."""

    marks: list[Mark]
    rows: list[int]
    height: int


def _when(rows: pd.DataFrame) -> str:
    """When a group of events happened, as precisely as the record says: 19 Apr, 19–20 Apr, wk 1 Apr, Apr."""
    days = rows.loc[rows["date_precision"] == "day", "date"]
    if len(days):
        first, last = days.min(), days.max()
        if first == last:
            return f"{first.day} {first:%b}"
        return (
            f"{first.day}–{last.day} {last:%b}"
            if first.month == last.month
            else f"{first.day} {first:%b}–{last.day} {last:%b}"
        )
    first = rows.sort_values("date").iloc[0]
    return f"wk {first['date'].day} {first['date']:%b}" if first["date_precision"] == "week" else f"{first['date']:%b}"


def _approximate(rows: pd.DataFrame) -> pd.Series:
    """Events whose marker date is a stand-in: known only to the month, or to a week worked out from the text."""
    inferred = rows["date_inferred"].fillna(False).astype(bool) if "date_inferred" in rows else False
    return (rows["date_precision"] == "month") | ((rows["date_precision"] == "week") & inferred)


def event_marks(events: pd.DataFrame) -> list[Mark]:
    """One mark per week and sign (conflictual or cooperative) of the documented events.

    Only the events counted once and placeable (:func:`sim.records.observed.primary`) are marked;
    a mark's text names them and says when: ``summons 19 Apr``, ``visit, praise 20 Apr``.
    """
    kinds = event_types()
    events = primary(events).sort_values("date", kind="stable")
    if events.empty:
        return []
    week = events["date"].dt.to_period("W").dt.start_time
    conflictual = events["event_type"].map(lambda kind: kinds[kind].goldstein < 0)
    marks = []
    for (_week, negative), rows in events.groupby([week, conflictual], sort=True):
        counts = rows.groupby("event_type", sort=False).size()
        names = ", ".join(kinds[str(kind)].label + (f" ×{n}" if n > 1 else "") for kind, n in counts.items())
        marks.append(Mark(rows["date"].min(), f"{names} {_when(rows)}", bool(negative), bool(_approximate(rows).all())))
    return sorted(marks, key=lambda mark: mark.date)


def _label_rows(marks: Sequence[Mark], period: Period, axes_inches: float) -> list[int]:
    """The row of each mark's label: the lowest row where it does not run into an earlier label.

    Label widths are measured with the Agg renderer's font metrics, so no two labels overlap
    whatever their length.
    """
    renderer = FigureCanvasAgg(Figure(dpi=72)).get_renderer()  # 72 dpi: one pixel per point
    font = FontProperties(size=LABEL_SIZE)
    span_days = max((period[1] - period[0]).days, 1)
    points_per_day = axes_inches * 72 / span_days
    ends: list[float] = []  # where the last label of each row ends, in points from the axes' left
    rows = []
    for mark in marks:
        x = (mark.date - period[0]).days * points_per_day
        width = renderer.get_text_width_height_descent(mark.text, font, ismath=False)[0]
        row = next((r for r, end in enumerate(ends) if end < x - MARKER_SIZE / 2), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = x + MARKER_SIZE / 2 + 3 + width + 6
        rows.append(row)
    return rows


def _pair_marks(events: pd.DataFrame | None, pair: Pair, period: Period) -> list[Mark]:
    """The marks of the documented events between the pair's two actors, either way round, in the period."""
    if events is None:
        return []
    a, b = pair
    mask = (
        ((events["source"] == a) & (events["target"] == b)) | ((events["source"] == b) & (events["target"] == a))
    ) & events["date"].between(*period)
    return event_marks(events[mask])


def place_marks(
    events: pd.DataFrame | None, key_pairs: Sequence[Pair], period: Period, layout: Layout
) -> tuple[list[PlacedMarks], list[int]]:
    """Each pair's marks with their label rows, and each grid row's strip height (its tallest, at least one row)."""
    placed = []
    for pair in key_pairs:
        marks = _pair_marks(events, pair, period)
        placed.append((marks, _label_rows(marks, period, layout.axes_width)))
    heights = [
        max([1, *(max(rows, default=-1) + 1 for _, rows in placed[g : g + layout.columns])])
        for g in range(0, len(placed), layout.columns)
    ]
    return [PlacedMarks(marks, rows, heights[k // layout.columns]) for k, (marks, rows) in enumerate(placed)], heights


def _draw_mark(strip: Axes, ax: Axes, mark: Mark, y: float) -> None:
    """A mark's triangle and label on its row of the strip, and its dotted line down through the panel."""
    colour = TENSION_COLOUR if mark.conflictual else COOPERATION_COLOUR
    x = mdates.date2num(mark.date)  # the axes have date units already (pair_panel sets their limits first)
    strip.plot([x, x], [0, y], color=colour, alpha=0.5, linewidth=0.8, linestyle=":")
    ax.axvline(x, color=colour, alpha=0.35, linewidth=0.8, linestyle=":")
    strip.plot(
        [x],
        [y],
        marker="v" if mark.conflictual else "^",
        markersize=MARKER_SIZE,
        linestyle="",
        color=colour,
        markerfacecolor="white" if mark.approximate else colour,
        markeredgecolor=colour if mark.approximate else "black",
        markeredgewidth=1.0 if mark.approximate else 0.5,
        clip_on=False,
        zorder=5,
    )
    strip.annotate(
        mark.text,
        (x, y),
        xytext=(MARKER_SIZE / 2 + 3, 0),
        textcoords="offset points",
        fontsize=LABEL_SIZE,
        va="center",
        ha="left",
        color="#222222",
        annotation_clip=False,
    )


def _draw_strip(strip: Axes, ax: Axes, placed: PlacedMarks) -> None:
    """The documented events above a panel, out of its data area, on a shaded strip without axes."""
    strip.set_ylim(0, placed.height)
    strip.set_yticks([])
    strip.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for side in ("top", "right", "left", "bottom"):
        strip.spines[side].set_visible(False)
    strip.set_facecolor("#f4f6f7")
    for mark, row in zip(placed.marks, placed.rows, strict=True):
        _draw_mark(strip, ax, mark, row + 0.5)


def _draw_documented_series(ax: Axes, documented_tension: pd.DataFrame, pair: Pair) -> None:
    """The documented record's tension and cooperation of the pair, dashed."""
    record = documented_tension[documented_tension["pair"] == pair_label(*pair)]
    for column, colour in (("tension", "#641e16"), ("cooperation", "#154360")):
        ax.plot(
            record["date"],
            record[column],
            color=colour,
            linestyle="--",
            linewidth=1.2,
            label=f"documented {column} (reported subset)",
        )


def pair_panel(
    strip: Axes,
    ax: Axes,
    pair: Pair,
    period: Period,
    placed: PlacedMarks,
    documented_tension: pd.DataFrame | None,
    title_size: float = 11,
) -> None:
    """What a pair's panel shows beside the simulated lines: the documented record, axes and title."""
    if documented_tension is not None:
        _draw_documented_series(ax, documented_tension, pair)
    # dates, which the stubs type as floats: they leave out matplotlib's units (matplotlib#25676)
    ax.set_xlim(*period)  # type: ignore[arg-type]
    ax.set_ylim(0, 1)
    ax.set_ylabel("level (0–1)")
    a, b = pair
    strip.set_title(f"{short_name(a)} – {short_name(b)}", loc="left", fontsize=title_size, fontweight="bold", pad=3)
    ax.grid(axis="y", alpha=0.3)
    _draw_strip(strip, ax, placed)


def legend_with_markers(ax: Axes) -> tuple[list[Artist], list[str]]:
    """The panel's legend entries plus the kinds of documented-event marker."""
    handles, labels = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], marker="v", color=TENSION_COLOUR, linestyle="", markeredgecolor="black"),
        Line2D([], [], marker="^", color=COOPERATION_COLOUR, linestyle="", markeredgecolor="black"),
        Line2D([], [], marker="^", color="#555555", markerfacecolor="white", linestyle=""),
    ]
    labels += [
        "documented conflictual event (above the panel)",
        "documented cooperative event (above the panel)",
        "hollow: date known only to the month, or an inferred week",
    ]
    return handles, labels
