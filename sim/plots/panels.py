"""Panel pieces the figures share: figures without pyplot, fans, date axes, observed bars, layout, saving.

Figures are built on matplotlib's object API (:class:`~matplotlib.figure.Figure` on an Agg canvas):
no backend is chosen at import, and none is needed to draw, measure or save a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import matplotlib.patches
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.core.actors import load_catalogue
from sim.core.io import atomic_path
from sim.core.relations import Pair
from sim.records.observed import Observed, months, pair_monthly

TENSION_COLOUR = "#c0392b"
COOPERATION_COLOUR = "#2471a3"
BANDS = ((0.05, 0.95, 0.15), (0.25, 0.75, 0.30))  # (low quantile, high quantile, opacity)
OBSERVED_COLOUR = "#7f8c8d"
STRIP_ROW = 0.17  # inches per row of labels in an event strip
STRIP_PAD = 0.06
TITLE = 0.34


def new_figure(**options: Any) -> Figure:
    """A figure on its own Agg canvas, so it can be drawn and measured (text extents) as well as saved.

    Args:
        **options: passed to :class:`~matplotlib.figure.Figure` (``figsize``, ``layout``, ...).
    """
    figure = Figure(**options)
    FigureCanvasAgg(figure)
    return figure


def short_name(actor_id: str) -> str:
    """The actor's name as the panels' titles and labels write it."""
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
    quantiles = rows.groupby("date", observed=True)[column].quantile(np.array([0.05, 0.25, 0.5, 0.75, 0.95]))
    return quantiles.unstack()


def draw_fan(ax: Axes, table: pd.DataFrame, colour: str, label: str) -> None:
    """A :func:`fan` as its two bands and the median line (the line carries the legend label)."""
    for low, high, alpha in BANDS:
        ax.fill_between(table.index, table[low], table[high], color=colour, alpha=alpha, linewidth=0)
    ax.plot(table.index, table[0.5], color=colour, linewidth=1.8, label=label)


def date_axis(ax: Axes, months: tuple[int, ...] = (1, 7)) -> None:
    """Dates on the x axis, ticked on the first of the given months."""
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def draw_observed(ax: Axes, observed: Observed, pair: Pair, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """The pair's observed monthly events (or deaths) as bars on a right-hand axis of the same panel."""
    span = months(start, end)
    series = pair_monthly(observed.events, pair, span, observed.measure)  # indexed by span
    right = ax.twinx()
    right.bar(
        span.to_timestamp(),
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
    # dates, which the stubs type as floats: they leave out matplotlib's units (matplotlib#25676)
    ax.set_xlim(start, end)  # type: ignore[arg-type]


def observed_legend(observed: Observed) -> tuple[Artist, str]:
    """The legend entry of :func:`draw_observed`'s bars (they are on a twin axis, out of the panel's legend)."""
    handle = matplotlib.patches.Patch(color=OBSERVED_COLOUR, alpha=0.45)
    return handle, f"observed {observed.measure} / month of the pair (imported, right axis)"


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
        """The width of one panel's axes (what its event labels are placed along)."""
        return (self.width - self.left - self.right - (self.columns - 1) * self.gap) / self.columns


def panel_grid(fig: Figure, layout: Layout, strip_rows: Sequence[int]) -> list[list[tuple[Axes, Axes]]]:
    """(event strip, data axes) for each panel, one grid row per entry of ``strip_rows`` (its label rows).

    Sizes are fixed in inches, so the labels placed along :attr:`Layout.axes_width` keep their room.
    """
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


def save_figure(fig: Figure, path_without_suffix: Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Save a figure in each format (PNG at 150 dpi), each atomically: a failed write leaves the old file whole.

    The figures of this package belong to no pyplot figure manager, so there is nothing to close:
    the garbage collector frees a figure once nothing refers to it.
    """
    paths = []
    for suffix in formats:
        path = path_without_suffix.with_suffix(f".{suffix}")
        with atomic_path(path) as temporary:
            fig.savefig(temporary, dpi=150, format=suffix)
        paths.append(path)
    return paths
