"""Plots: tension trajectories across replicates, with the documented record beside them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display is needed or assumed
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.patches  # noqa: E402
import matplotlib.ticker  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.cm import ScalarMappable  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, Normalize  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from PIL import Image  # noqa: E402

from sim.core.actors import load_catalogue  # noqa: E402
from sim.core.events import event_types  # noqa: E402
from sim.records.observed import Observed, months, pair_monthly, primary  # noqa: E402
from sim.core.parameters import parameter_specs  # noqa: E402
from sim.core.relations import Pair, pair_label  # noqa: E402
from sim.core.io import atomic_path  # noqa: E402

TENSION_COLOUR = "#c0392b"
COOPERATION_COLOUR = "#2471a3"
BANDS = ((0.05, 0.95, 0.15), (0.25, 0.75, 0.30))  # (low quantile, high quantile, opacity)
OBSERVED_COLOUR = "#7f8c8d"


def _short_name(actor_id: str) -> str:
    return load_catalogue()[actor_id].short_name


def count_runs(tension: pd.DataFrame) -> int:
    """Runs in a tension table: a batch's have a ``run`` column, a single run's ``replicate``."""
    return tension["run" if "run" in tension.columns else "replicate"].nunique()


def runs_caption(tension: pd.DataFrame) -> str:
    """How many runs a fan pools: a sweep batch's fans pool every point's runs, and say so."""
    runs = count_runs(tension)
    points = tension["point"].nunique() if "point" in tension.columns else 1
    return f"all {runs} runs over {points} sweep points" if points > 1 else f"{runs} runs"


def fan(tension: pd.DataFrame, pair: str, column: str) -> pd.DataFrame:
    """Median and 50 % / 90 % quantiles of ``column`` across replicates, per date."""
    rows = tension[tension["pair"] == pair]
    quantiles = rows.groupby("date", observed=True)[column].quantile([0.05, 0.25, 0.5, 0.75, 0.95])
    return quantiles.unstack()


def _draw_fan(ax: plt.Axes, table: pd.DataFrame, colour: str, label: str) -> None:
    for low, high, alpha in BANDS:
        ax.fill_between(table.index, table[low], table[high], color=colour, alpha=alpha, linewidth=0)
    ax.plot(table.index, table[0.5], color=colour, linewidth=1.8, label=label)


@dataclass(frozen=True)
class Mark:
    """One marker above a panel: a week's documented events of one sign, and what to write beside it."""

    date: pd.Timestamp
    text: str
    conflictual: bool
    approximate: bool  # dated only to the month, or to an inferred week: drawn hollow


@dataclass(frozen=True)
class Layout:
    """Sizes of a figure of panels, in inches: each panel has a title, an event strip and its data axes."""

    width: float
    panel: float
    top: float
    bottom: float
    left: float
    right: float
    columns: int = 1
    gap: float = 0.5  # between columns

    @property
    def axes_width(self) -> float:
        return (self.width - self.left - self.right - (self.columns - 1) * self.gap) / self.columns


STRIP_ROW = 0.17  # inches per row of labels in an event strip
STRIP_PAD = 0.06
TITLE = 0.34
LABEL_SIZE = 7.5  # points
MARKER_SIZE = 6  # points


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
    """One mark per week and sign (conflictual or cooperative) for the documented events counted once
    and placeable (:func:`sim.records.observed.primary`): ``summons 19 Apr``, ``visit, praise 20 Apr``."""
    kinds = event_types()
    events = primary(events).sort_values("date", kind="stable")
    if events.empty:
        return []
    week = events["date"].dt.to_period("W").dt.start_time
    conflictual = events["event_type"].map(lambda kind: kinds[kind].goldstein < 0)
    marks = []
    for (_week, negative), rows in events.groupby([week, conflictual], sort=True):
        counts = rows.groupby("event_type", sort=False).size()
        names = ", ".join(kinds[kind].label + (f" ×{n}" if n > 1 else "") for kind, n in counts.items())
        marks.append(Mark(rows["date"].min(), f"{names} {_when(rows)}", bool(negative), bool(_approximate(rows).all())))
    return sorted(marks, key=lambda mark: mark.date)


def _label_rows(marks: Sequence[Mark], period: tuple[pd.Timestamp, pd.Timestamp], axes_inches: float) -> list[int]:
    """The row of each mark's label: the lowest row where it does not run into an earlier label.

    Label widths are measured with the Agg renderer's font metrics, so no two labels overlap
    whatever their length."""
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


def _pair_marks(events: pd.DataFrame | None, pair: Pair, period: tuple[pd.Timestamp, pd.Timestamp]) -> list[Mark]:
    if events is None:
        return []
    a, b = pair
    mask = (
        ((events["source"] == a) & (events["target"] == b)) | ((events["source"] == b) & (events["target"] == a))
    ) & events["date"].between(*period)
    return event_marks(events[mask])


def _draw_strip(strip: plt.Axes, ax: plt.Axes, marks: Sequence[Mark], rows: Sequence[int], height: int) -> None:
    """The documented events above a panel, out of its data area: a marker and a label per mark, on
    the label's row, with a dotted line down through the panel to the date."""
    strip.set_ylim(0, height)
    strip.set_yticks([])
    strip.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for side in ("top", "right", "left", "bottom"):
        strip.spines[side].set_visible(False)
    strip.set_facecolor("#f4f6f7")
    for mark, row in zip(marks, rows, strict=True):
        colour = TENSION_COLOUR if mark.conflictual else COOPERATION_COLOUR
        y = row + 0.5
        strip.plot([mark.date, mark.date], [0, y], color=colour, alpha=0.5, linewidth=0.8, linestyle=":")
        ax.axvline(mark.date, color=colour, alpha=0.35, linewidth=0.8, linestyle=":")
        strip.plot(
            [mark.date],
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
            (mdates.date2num(mark.date), y),
            xytext=(MARKER_SIZE / 2 + 3, 0),
            textcoords="offset points",
            fontsize=LABEL_SIZE,
            va="center",
            ha="left",
            color="#222222",
            annotation_clip=False,
        )


def _panel_grid(fig: Figure, layout: Layout, strip_rows: Sequence[int]) -> list[list[tuple[plt.Axes, plt.Axes]]]:
    """(event strip, data axes) for each panel, one grid row per entry of ``strip_rows`` (its label
    rows): sizes fixed in inches, so the labels placed by :func:`_label_rows` keep their room."""
    heights = [size for rows in strip_rows for size in (TITLE, rows * STRIP_ROW + STRIP_PAD, layout.panel)]
    total = layout.top + sum(heights) + layout.bottom
    fig.set_size_inches(layout.width, total)
    grid = fig.add_gridspec(
        len(heights),
        layout.columns,
        height_ratios=heights,
        hspace=0,
        wspace=layout.gap / layout.axes_width,
        left=layout.left / layout.width,
        right=1 - layout.right / layout.width,
        top=1 - layout.top / total,
        bottom=layout.bottom / total,
    )
    first = None
    panels = []
    for g in range(len(strip_rows)):
        row = []
        for c in range(layout.columns):
            ax = fig.add_subplot(grid[3 * g + 2, c], sharex=first)
            first = first or ax
            strip = fig.add_subplot(grid[3 * g + 1, c], sharex=ax)
            if g < len(strip_rows) - 1:
                ax.tick_params(axis="x", labelbottom=False)
            row.append((strip, ax))
        panels.append(row)
    return panels


def _pair_panel(
    strip: plt.Axes,
    ax: plt.Axes,
    pair: Pair,
    period: tuple[pd.Timestamp, pd.Timestamp],
    marks: tuple[Sequence[Mark], Sequence[int], int],
    documented_tension: pd.DataFrame | None,
    title_size: float = 11,
) -> None:
    """What a pair's panel shows beside the simulated lines: the documented record, axes and title."""
    a, b = pair
    if documented_tension is not None:
        record = documented_tension[documented_tension["pair"] == pair_label(a, b)]
        ax.plot(
            record["date"],
            record["tension"],
            color="#641e16",
            linestyle="--",
            linewidth=1.2,
            label="tension of the documented record",
        )
        ax.plot(
            record["date"],
            record["cooperation"],
            color="#154360",
            linestyle="--",
            linewidth=1.2,
            label="cooperation of the documented record",
        )
    ax.set_xlim(*period)
    ax.set_ylim(0, 1)
    ax.set_ylabel("level (0–1)")
    strip.set_title(f"{_short_name(a)} – {_short_name(b)}", loc="left", fontsize=title_size, fontweight="bold", pad=3)
    ax.grid(axis="y", alpha=0.3)
    _draw_strip(strip, ax, *marks)


def _strips(
    events: pd.DataFrame | None, key_pairs: Sequence[Pair], period: tuple[pd.Timestamp, pd.Timestamp], layout: Layout
) -> tuple[list[tuple[list[Mark], list[int], int]], list[int]]:
    """Each pair's marks with their label rows and its grid row's strip height (at least one row)."""
    placed = []
    for pair in key_pairs:
        marks = _pair_marks(events, pair, period)
        placed.append((marks, _label_rows(marks, period, layout.axes_width)))
    heights = [
        max([1, *(max(rows, default=-1) + 1 for _, rows in placed[g : g + layout.columns])])
        for g in range(0, len(placed), layout.columns)
    ]
    return [(marks, rows, heights[k // layout.columns]) for k, (marks, rows) in enumerate(placed)], heights


def _legend_with_markers(ax: plt.Axes) -> tuple[list, list[str]]:
    """The panel's legend entries plus the kinds of documented-event marker."""
    handles, labels = ax.get_legend_handles_labels()
    handles += [
        plt.Line2D([], [], marker="v", color=TENSION_COLOUR, linestyle="", markeredgecolor="black"),
        plt.Line2D([], [], marker="^", color=COOPERATION_COLOUR, linestyle="", markeredgecolor="black"),
        plt.Line2D([], [], marker="^", color="#555555", markerfacecolor="white", linestyle=""),
    ]
    labels += [
        "documented conflictual event (above the panel)",
        "documented cooperative event (above the panel)",
        "hollow: date known only to the month, or an inferred week",
    ]
    return handles, labels


def tension_figure(
    tension: pd.DataFrame,
    key_pairs: Sequence[Pair],
    title: str,
    documented_events: pd.DataFrame | None = None,
    documented_tension: pd.DataFrame | None = None,
    observed: Observed | None = None,
) -> Figure:
    """One panel per key pair: simulated tension and cooperation fans, the documented events in a strip
    above it and the documented record's series dashed in it, and, given an imported event table, the
    pair's observed monthly events (or deaths) as bars."""
    pairs = [pair_label(*pair) for pair in key_pairs]
    start, end = tension["date"].min(), tension["date"].max()
    layout = Layout(width=11, panel=2.3, top=0.5, bottom=1.15, left=0.8, right=0.85 if observed is not None else 0.25)
    strips, heights = _strips(documented_events, key_pairs, (start, end), layout)
    fig = plt.figure()
    panels = [row[0] for row in _panel_grid(fig, layout, heights)]
    for (strip, ax), pair, (a, b), marks in zip(panels, pairs, key_pairs, strips, strict=True):
        _draw_fan(ax, fan(tension, pair, "tension"), TENSION_COLOUR, "tension (simulated median)")
        _draw_fan(ax, fan(tension, pair, "cooperation"), COOPERATION_COLOUR, "cooperation (simulated median)")
        _pair_panel(strip, ax, (a, b), (start, end), marks, documented_tension)
        if observed is not None:
            _draw_observed(ax, observed, (a, b), start, end)
    bottom = panels[-1][1]
    _date_axis(bottom, months=(1, 4, 7, 10))
    bottom.set_xlabel("date (weekly steps)")
    handles, labels = _legend_with_markers(panels[0][1])
    if observed is not None:
        handles.append(matplotlib.patches.Patch(color=OBSERVED_COLOUR, alpha=0.45))
        labels.append(f"observed {observed.measure} / month of the pair (imported, right axis)")
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8.5, frameon=False)
    fig.suptitle(
        f"{title}: simulated relations, median with 50 % and 90 % bands over {runs_caption(tension)}",
        fontsize=12,
        x=0.01,
        y=1 - 0.12 / fig.get_figheight(),
        ha="left",
        va="top",
    )
    return fig


def _draw_observed(ax: plt.Axes, observed: Observed, pair: Pair, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """The pair's observed monthly events (or deaths) as bars on a right-hand axis of the same panel."""
    series = pair_monthly(observed.events, pair, months(start, end), observed.measure)
    right = ax.twinx()
    right.bar(
        series.index.to_timestamp(),
        series.to_numpy(),
        width=27,
        align="edge",
        color=OBSERVED_COLOUR,
        alpha=0.45,
        linewidth=0,
        zorder=0,
    )
    right.set_ylim(0, max(1, series.max()) * 1.9)  # bars in the lower half, under the fans and labels
    right.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    right.set_ylabel(f"observed {observed.measure} / month", fontsize=8, color="#555555")
    right.tick_params(axis="y", labelsize=7.5, colors="#555555")
    ax.set_zorder(right.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.set_xlim(start, end)


class Frame:
    """A figure redrawn many times: its still parts rendered once, the changing ones over them.

    Matplotlib's blitting: the artists that change are ``animated`` (left out of a full draw);
    each frame restores the saved background, draws them, and encodes the canvas as PNG.
    """

    def __init__(self, figure: Figure, changing: Sequence[plt.Artist]) -> None:
        self.canvas = FigureCanvasAgg(figure)
        self.changing = changing
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(figure.bbox)

    def png(self) -> bytes:
        self.canvas.restore_region(self.background)
        for artist in self.changing:
            (artist.axes or self.canvas.figure).draw_artist(artist)
        out = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(out, format="png", compress_level=1)
        return out.getvalue()


class LiveTension:
    """One run's key pairs as it unfolds, kept as one figure whose lines grow each step.

    The panels are those of :func:`tension_figure` (documented record dashed, documented
    events as labelled triangles) drawn once; :meth:`update` only moves the run's lines and
    the marker of the current week, so a page can redraw it after every step cheaply.
    """

    def __init__(
        self,
        key_pairs: Sequence[Pair],
        period: tuple[pd.Timestamp, pd.Timestamp],
        title: str,
        documented_events: pd.DataFrame | None = None,
        documented_tension: pd.DataFrame | None = None,
    ) -> None:
        columns = 2 if len(key_pairs) > 2 else 1
        layout = Layout(width=10.5, panel=1.6, top=0.35, bottom=0.95, left=0.7, right=0.2, columns=columns)
        strips, heights = _strips(documented_events, key_pairs, period, layout)
        self.figure = Figure(dpi=72)
        panels = [panel for row in _panel_grid(self.figure, layout, heights) for panel in row]
        for strip, ax in panels[len(key_pairs) :]:
            strip.set_visible(False)
            ax.set_visible(False)
        self.lines: list[tuple[plt.Line2D, plt.Line2D]] = []
        self.now = []
        for (strip, ax), pair, marks in zip(panels, key_pairs, strips, strict=False):
            (tension_line,) = ax.plot(
                [], [], color=TENSION_COLOUR, linewidth=2, label="tension (this run)", animated=True
            )
            (cooperation_line,) = ax.plot(
                [], [], color=COOPERATION_COLOUR, linewidth=2, label="cooperation (this run)", animated=True
            )
            self.lines.append((tension_line, cooperation_line))
            self.now.append(ax.axvline(period[0], color="#7f8c8d", linewidth=1, animated=True))
            _pair_panel(strip, ax, pair, period, marks, documented_tension, title_size=9.5)
            ax.tick_params(labelsize=8)
        for strip, ax in panels[-columns:]:
            _date_axis(ax, months=(1, 7))
        self.figure.legend(*_legend_with_markers(panels[0][1]), loc="lower center", ncol=3, fontsize=8, frameon=False)
        self.figure.suptitle(
            title, fontsize=10.5, x=0.01, y=1 - 0.08 / self.figure.get_figheight(), ha="left", va="top"
        )
        self.frame = Frame(self.figure, [artist for pair in self.lines for artist in pair] + self.now)

    def update(self, dates: Sequence, tension: np.ndarray, cooperation: np.ndarray) -> bytes:
        """The figure as PNG, showing the weeks so far (``tension`` and ``cooperation`` have a column per key pair)."""
        x = mdates.date2num(np.asarray(dates, dtype="datetime64[D]"))
        for k, (tension_line, cooperation_line) in enumerate(self.lines):
            tension_line.set_data(x, tension[:, k])
            cooperation_line.set_data(x, cooperation[:, k])
        for line in self.now:
            line.set_visible(len(x) > 0)
            if len(x):
                line.set_xdata([x[-1], x[-1]])
        return self.frame.png()


RELATIONS_COLOURS = LinearSegmentedColormap.from_list("relations", [COOPERATION_COLOUR, "#d5d8dc", TENSION_COLOUR])


class LiveNetwork:
    """The relations between actors as a network: nodes on a circle, an edge per pair whose
    tension or cooperation exceeds ``shown_from``, coloured by tension minus cooperation (red:
    tension, blue: cooperation) and as wide as the stronger. :meth:`update` recolours the edges."""

    def __init__(self, actors: Sequence[str], pairs: Sequence[Pair], shown_from: float = 0.05) -> None:
        self.shown_from = shown_from
        angles = np.linspace(np.pi / 2, np.pi / 2 - 2 * np.pi, len(actors), endpoint=False)
        where = {actor: (np.cos(angle), np.sin(angle)) for actor, angle in zip(actors, angles, strict=True)}
        self.figure = Figure(figsize=(6.6, 4.5), dpi=72)
        ax = self.figure.subplots()
        self.edges = LineCollection([[where[a], where[b]] for a, b in pairs], zorder=1, animated=True)
        ax.add_collection(self.edges)
        xy = np.array(list(where.values()))
        ax.scatter(xy[:, 0], xy[:, 1], s=150, color="white", edgecolors="#34495e", linewidths=1.5, zorder=2)
        for actor, (x, y) in where.items():
            ax.annotate(
                _short_name(actor),
                (x, y),
                xytext=(9 * x, 9 * y),
                textcoords="offset points",
                fontsize=9,
                ha="left" if x > 0.1 else "right" if x < -0.1 else "center",
                va="bottom" if y > 0.1 else "top" if y < -0.1 else "center",
            )
        ax.set_xlim(-2.1, 2.1)
        ax.set_ylim(-1.2, 1.25)
        ax.set_aspect("equal")
        ax.axis("off")
        bar = self.figure.colorbar(
            ScalarMappable(Normalize(-1, 1), RELATIONS_COLOURS),
            ax=ax,
            orientation="horizontal",
            fraction=0.045,
            pad=0.02,
        )
        bar.set_label("edge: tension − cooperation (blue: cooperation, red: tension); width: strength", fontsize=8)
        bar.ax.tick_params(labelsize=7)
        self.title = ax.set_title("", fontsize=10, loc="left", animated=True)
        self.figure.tight_layout()
        self.frame = Frame(self.figure, [self.edges, self.title])

    def update(self, tension: np.ndarray, cooperation: np.ndarray, title: str) -> bytes:
        """Colour and width each edge from the pairs' levels now; hide the weak ones."""
        strength = np.maximum(tension, cooperation)
        colours = RELATIONS_COLOURS((tension - cooperation + 1) / 2)
        colours[:, 3] = strength > self.shown_from
        self.edges.set_colors(colours)
        self.edges.set_linewidths(0.8 + 6 * strength)
        self.title.set_text(title)
        return self.frame.png()


def _date_axis(ax: plt.Axes, months: tuple[int, ...] = (1, 7)) -> None:
    """Dates on the x axis, ticked on the first of the given months."""
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def compare_figure(
    a: pd.DataFrame,
    b: pd.DataFrame,
    difference: pd.DataFrame,
    key_pairs: Sequence[Pair],
    names: tuple[str, str],
    observed: Observed | None = None,
) -> Figure:
    """Per key pair: scenario A, scenario B (same axes), and B - A run by run; the observed monthly
    events (or deaths) of the pair beside both scenarios when an imported table is given.

    ``difference`` is :func:`sim.experiments.compare.paired_difference` of the two tension tables.
    Batches whose runs share no week (e.g. different periods) have no run-by-run difference:
    they are drawn side by side, each on its own dates, and the title says why.
    """
    pairs = [pair_label(*pair) for pair in key_pairs]
    paired = not difference.empty
    columns = 3 if paired else 2
    height = 2.7 * len(pairs) + 1.5
    fig, axes = plt.subplots(
        len(pairs), columns, figsize=(5 * columns, height), sharex=True if paired else "col", squeeze=False
    )
    for row, (pair, (x, y)) in enumerate(zip(pairs, key_pairs, strict=True)):
        for col, (table, name) in enumerate(((a, names[0]), (b, names[1]))):
            ax = axes[row, col]
            _draw_fan(ax, fan(table, pair, "tension"), TENSION_COLOUR, "tension (median)")
            _draw_fan(ax, fan(table, pair, "cooperation"), COOPERATION_COLOUR, "cooperation (median)")
            ax.set_ylim(0, 1)
            ax.set_title(f"{name}: {_short_name(x)} – {_short_name(y)}", loc="left", fontsize=10)
            if observed is not None:
                _draw_observed(ax, observed, (x, y), table["date"].min(), table["date"].max())
        if paired:
            _difference_panel(axes[row, 2], difference, pair, names)
        axes[row, 0].set_ylabel("level (0–1)")
        for ax in axes[row]:
            ax.grid(axis="y", alpha=0.3)
    for ax in axes[-1]:
        _date_axis(ax)
        ax.set_xlabel("date (weekly steps)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if observed is not None:
        handles.append(matplotlib.patches.Patch(color=OBSERVED_COLOUR, alpha=0.45))
        labels.append(f"observed {observed.measure} / month of the pair (imported, right axis)")
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    paired_text = (
        f"{difference['run'].nunique()} paired runs in the difference"
        if paired
        else "no run-by-run difference: the batches share no week"
    )
    fig.suptitle(
        f"{names[0]} vs {names[1]}: median with 50 % and 90 % bands\n({runs_caption(a)} and {runs_caption(b)}; "
        f"{paired_text})",
        fontsize=12,
        x=0.01,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0.45 / height, 1, 1 - 0.1 / height))
    return fig


def _difference_panel(ax: plt.Axes, difference: pd.DataFrame, pair: str, names: tuple[str, str]) -> None:
    """B - A fans of one pair, on a y range symmetric around 0 that fits the 90 % bands."""
    tension, cooperation = fan(difference, pair, "tension"), fan(difference, pair, "cooperation")
    _draw_fan(ax, tension, TENSION_COLOUR, "tension (median)")
    _draw_fan(ax, cooperation, COOPERATION_COLOUR, "cooperation (median)")
    ax.axhline(0, color="black", linewidth=0.8)
    reach = max(float(np.nanmax(np.abs(table[[0.05, 0.95]].to_numpy()))) for table in (tension, cooperation))
    ax.set_ylim(-max(reach, 0.01) * 1.1, max(reach, 0.01) * 1.1)
    ax.set_ylabel("difference (B − A)", fontsize=9)
    ax.set_title(f"B − A: {names[1]} minus {names[0]}, run by run", loc="left", fontsize=10)


def sweep_figure(
    metrics: pd.DataFrame, points: pd.DataFrame, selected: Sequence[tuple[str, str]], title: str, method: str
) -> Figure:
    """Each selected (metric, pair) against each swept parameter: a sweep point's median as a marker
    with its runs' 5-95 % range as a bar, coloured by another swept parameter when there is one.

    Medians are joined by a line only on a one-parameter grid: in a sampled sweep (or a grid over
    several parameters) neighbouring points differ in the other parameters too, so a line between
    them would draw a response curve that does not exist.
    """
    parameters = list(points.columns)
    specs = parameter_specs()
    label = {name: f"{name} ({specs[name].unit})" if specs[name].unit else name for name in parameters}
    joined = method == "grid" and len(parameters) == 1
    fig, axes = plt.subplots(
        len(selected),
        len(parameters),
        figsize=(5.6 * len(parameters) + 0.6, 3.0 * len(selected) + 1.6),
        squeeze=False,
        layout="constrained",
    )
    colour_by = {parameter: next((name for name in parameters if name != parameter), None) for parameter in parameters}
    norms = {name: Normalize(points[name].min(), points[name].max()) for name in parameters}
    for row, (metric, pair) in enumerate(selected):
        grouped = metrics[(metrics["metric"] == metric) & (metrics["pair"] == pair)].groupby("point")["value"]
        stats = pd.DataFrame(
            {"median": grouped.median(), "q05": grouped.quantile(0.05), "q95": grouped.quantile(0.95)}
        ).join(points)
        for col, parameter in enumerate(parameters):
            ax, ordered, other = axes[row, col], stats.sort_values(parameter), colour_by[parameter]
            if other is None:
                colours = np.tile(matplotlib.colors.to_rgba(TENSION_COLOUR), (len(ordered), 1))
            else:
                colours = plt.get_cmap("viridis")(norms[other](ordered[other].to_numpy()))
            ax.vlines(ordered[parameter], ordered["q05"], ordered["q95"], colors=colours, alpha=0.6, linewidth=1.4)
            if joined:
                ax.plot(ordered[parameter], ordered["median"], color="black", linewidth=1, zorder=2)
            ax.scatter(
                ordered[parameter], ordered["median"], c=colours, s=30, edgecolors="black", linewidths=0.5, zorder=3
            )
            ax.set_xlabel(label[parameter], fontsize=9)
            ax.grid(alpha=0.3)
            if col == 0:
                ax.set_ylabel(f"{metric.replace('_', ' ')}\n{pair}", fontsize=9)
    for col, parameter in enumerate(parameters):
        if colour_by[parameter] is not None:
            bar = fig.colorbar(
                ScalarMappable(norms[colour_by[parameter]], "viridis"),
                ax=axes[:, col],
                location="bottom",
                shrink=0.85,
                aspect=40,
            )
            bar.set_label(f"marker colour: {label[colour_by[parameter]]}", fontsize=9)
    handles = [
        plt.Line2D([], [], marker="o", color="#7f8c8d", markeredgecolor="black", linestyle="-" if joined else ""),
        plt.Line2D([], [], marker="|", color="#7f8c8d", markersize=14, linestyle=""),
    ]
    fig.legend(
        handles,
        ["median of a sweep point's runs", "5–95 % of the point's runs"],
        loc="outside lower center",
        ncol=2,
        fontsize=9,
        frameon=False,
    )
    fig.suptitle(
        f"{title}: metrics across the {method} sweep ({len(points)} points, {metrics['run'].nunique()} runs)",
        fontsize=12,
        x=0.01,
        ha="left",
    )
    return fig


def sensitivity_figure(table: pd.DataFrame, title: str, top: int = 10) -> Figure:
    """Per statistic, the ``top`` parameters by index, as bars with 95 % confidence intervals."""
    statistics = list(dict.fromkeys(table["statistic"]))
    method = table["method"].iloc[0]
    label = "Morris μ* (mean absolute elementary effect)" if method == "morris" else "Sobol total index ST"
    columns = 2
    rows = -(-len(statistics) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(13, 2.9 * rows + 0.8), squeeze=False)
    for ax, statistic in zip(axes.flat, statistics, strict=False):
        rows_of = table[table["statistic"] == statistic].nlargest(top, "index").iloc[::-1]
        below = rows_of[["conf", "index"]].min(axis=1).clip(lower=0)  # an index is never negative
        ax.barh(
            rows_of["parameter"],
            rows_of["index"],
            xerr=[below, rows_of["conf"]],
            color=COOPERATION_COLOUR,
            alpha=0.8,
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
        ax.set_title(statistic.replace("_", " "), loc="left", fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel(label, fontsize=8)
    for ax in list(axes.flat)[len(statistics) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{title}: sensitivity of each calibration statistic, top {top} parameters (bars: 95 % CI)",
        fontsize=12,
        x=0.01,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def crps_figure(summary: pd.DataFrame, countries: pd.DataFrame, title: str) -> Figure:
    """Mean CRPS of the model and the benchmarks, per measure overall and per country (lower is better)."""
    measures = list(dict.fromkeys(summary["measure"]))
    fig, axes = plt.subplots(1, len(measures), figsize=(6.2 * len(measures), 4.4), squeeze=False)
    for ax, measure in zip(axes[0], measures, strict=True):
        rows = countries.loc[measure]
        forecasters = list(summary.loc[summary["measure"] == measure, "forecaster"])
        width = 0.8 / len(forecasters)
        colours = [TENSION_COLOUR, "#7f8c8d", "#b7950b", COOPERATION_COLOUR]
        for i, name in enumerate(forecasters):
            overall = summary.loc[(summary["measure"] == measure) & (summary["forecaster"] == name), "mean_crps"].iloc[
                0
            ]
            values = [*rows[name].to_numpy(), overall]
            ax.bar(
                [x + i * width for x in range(len(values))], values, width, color=colours[i % len(colours)], label=name
            )
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(rows) + 1)], [*rows.index, "all"])
        ax.set_ylabel(f"mean CRPS, {measure} per country-month")
        ax.set_title(f"{measure} (lower is better)", loc="left", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].legend(fontsize=8.5, frameon=False)
    fig.suptitle(title, fontsize=11, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig


def save_figure(fig: Figure, path_without_suffix: Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Save a figure in each format (PNG at 150 dpi), each atomically, and close it."""
    paths = []
    for suffix in formats:
        path = path_without_suffix.with_suffix(f".{suffix}")
        with atomic_path(path) as temporary:
            fig.savefig(temporary, dpi=150, format=suffix)
        paths.append(path)
    plt.close(fig)
    return paths
