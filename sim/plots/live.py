"""The live figure of the classroom page: two ensembles' fans per key pair and their difference, redrawn each step.

Sized in pixels for a projector: drawn at 72 dpi (a point is a pixel), about as wide as the page's
main area at 1024x768, with every text at least the ``font_px`` it is given. Each step only the
fans, the current week's line and the title change: they are matplotlib "animated" artists drawn
over a background rendered once (blitting), so a step costs a few milliseconds of drawing and
a PNG encoding, however many worlds the fans summarise.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

from sim.core.relations import Pair, pair_key, pair_label
from sim.plots.panels import BANDS, COOPERATION_COLOUR, TENSION_COLOUR, short_name
from sim.plots.record import event_marks

SIDE_COLOURS = {"A": "#2c3e50", "B": "#d35400", "B − A": "#7d3c98"}
DIFFERENCE_LIMITS = (0.1, 0.25, 0.5, 1.0)  # the difference axis widens to the first that holds the 90 % band
WIDTH_PX = 720
LEFT, RIGHT, GAP = 52, 12, 44  # pixels: the y labels' margin, the right margin, between the two columns
TOP = 50  # the two-line title
ROW_TITLE, MAIN, BETWEEN, DIFFERENCE, TICKS = 26, 136, 14, 58, 30  # pixels of a row of panels, top to bottom
LEGEND = 52
Period = tuple[pd.Timestamp, pd.Timestamp]


class Frame:
    """A figure redrawn many times: its still parts rendered once, the changing ones over them.

    Matplotlib's blitting: the artists that change are ``animated`` (left out of a full draw);
    each frame restores the saved background, draws them, and encodes the canvas as PNG.
    """

    def __init__(self, figure: Figure, changing: Sequence[Artist]) -> None:
        """Render ``figure`` once without the ``changing`` artists, and keep that as the background."""
        self.canvas = FigureCanvasAgg(figure)
        self.changing = sorted(changing, key=lambda artist: artist.get_zorder())  # drawn in order, so by zorder
        self.refresh()

    def refresh(self) -> None:
        """Render the still parts again (after one of them changed: an axis widened, a mark added)."""
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.canvas.figure.bbox)

    def png(self) -> bytes:
        """The figure as PNG with the changing artists as they are now (fast compression: it is redrawn soon)."""
        self.canvas.restore_region(self.background)
        for artist in self.changing:
            (artist.axes or self.canvas.figure).draw_artist(artist)
        out = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(out, format="png", compress_level=1)
        return out.getvalue()

    def export(self, fmt: str, dpi: float = 72) -> bytes:
        """The whole figure, changing artists included, as a file (``png`` or ``svg``) to download."""
        for artist in self.changing:
            artist.set_animated(False)
        try:
            out = io.BytesIO()
            self.canvas.figure.savefig(out, format=fmt, dpi=dpi)
            return out.getvalue()
        finally:
            for artist in self.changing:
                artist.set_animated(True)
            self.refresh()


class Fan:
    """A fan on an axes: the 90 % and 50 % bands as polygons and the median as a line, all animated."""

    def __init__(self, ax: Axes, colour: str, layer: int = 0, dashed: bool = False) -> None:
        """Empty bands and median of ``colour``, to be filled by :meth:`set`.

        ``layer`` orders fans sharing an axes (bands of the higher layer over the lower's, medians
        over every band); a ``dashed`` median shows through a median it coincides with.
        """
        self.bands = [
            PolyCollection([], facecolor=colour, alpha=alpha, linewidth=0, animated=True, zorder=1 + layer / 10)
            for *_, alpha in BANDS
        ]
        for band in self.bands:
            ax.add_collection(band)
        (self.median,) = ax.plot(
            [],
            [],
            color=colour,
            linewidth=2.2,
            linestyle="--" if dashed else "-",
            animated=True,
            zorder=4 if dashed else 3,
        )

    @property
    def artists(self) -> list[Artist]:
        """What a frame redraws."""
        return [*self.bands, self.median]

    def set(self, x: np.ndarray, quantiles: np.ndarray) -> None:
        """Show (weeks, 5) quantiles (5 %, 25 %, median, 75 %, 95 %) over dates ``x``."""
        for band, (low, high) in zip(self.bands, ((0, 4), (1, 3)), strict=True):
            if len(x):
                band.set_verts([np.column_stack([np.r_[x, x[::-1]], np.r_[quantiles[:, low], quantiles[::-1, high]]])])
            else:
                band.set_verts([])
        self.median.set_data(x, quantiles[:, 2] if len(x) else [])


def _pair_events(events: pd.DataFrame | None, pair: Pair, period: Period) -> pd.DataFrame | None:
    """The documented events between the pair's two actors (either way round) in the period."""
    if events is None:
        return None
    key = pair_key(*pair)
    both = [pair_key(str(s), str(t)) == key for s, t in zip(events["source"], events["target"], strict=True)]
    return events[np.asarray(both, dtype=bool) & events["date"].between(*period).to_numpy()]


class LiveFans:
    """Two ensembles of the key pairs as they unfold: A's and B's fans of one measure, and B − A beneath.

    A panel per key pair (two columns), each with the documented record of the measure dashed and
    the pair's documented events as triangles on its top edge; under it the difference B − A world
    by world, on an axis that widens when the band outgrows it. :meth:`update` moves the fans,
    the current week's line and the title; :meth:`mark` adds a pulled shock's line.
    """

    def __init__(
        self,
        key_pairs: Sequence[Pair],
        period: Period,
        measure: str,
        font_px: float,
        documented_events: pd.DataFrame | None = None,
        documented_series: pd.DataFrame | None = None,
    ) -> None:
        """Draw the still parts: the panels, the documented record, the legend; leave the fans empty."""
        self.font = font_px
        self.tick = font_px
        rows = (len(key_pairs) + 1) // 2
        row = ROW_TITLE + MAIN + BETWEEN + DIFFERENCE + TICKS
        height = TOP + rows * row + LEGEND
        self.figure = Figure(figsize=(WIDTH_PX / 72, height / 72), dpi=72)
        self.measure = measure
        column = (WIDTH_PX - LEFT - RIGHT - GAP) / 2
        self.main: list[Axes] = []
        self.difference: list[Axes] = []
        self.fans: list[tuple[Fan, Fan, Fan]] = []
        self.now: list[Line2D] = []
        self.limit = DIFFERENCE_LIMITS[0]
        self.marks: list[Artist] = []  # the pulled shocks' lines and labels, cleared for a new run
        for k, pair in enumerate(key_pairs):
            x0 = LEFT + (k % 2) * (column + GAP)
            top = TOP + (k // 2) * row + ROW_TITLE
            main = self.figure.add_axes(self._box(x0, top, column, MAIN, height))
            difference = self.figure.add_axes(
                self._box(x0, top + MAIN + BETWEEN, column, DIFFERENCE, height), sharex=main
            )
            self._draw_still(main, difference, pair, period, documented_events, documented_series)
            self.main.append(main)
            self.difference.append(difference)
            self.fans.append(
                (
                    Fan(main, SIDE_COLOURS["A"], 1),
                    Fan(main, SIDE_COLOURS["B"], 0, dashed=True),
                    Fan(difference, SIDE_COLOURS["B − A"]),
                )
            )
            self.now.append(main.axvline(mdates.date2num(period[0]), color="#7f8c8d", linewidth=1, animated=True))
        self._legend()
        self.title = self.figure.text(
            8 / WIDTH_PX, 1 - 6 / height, "", fontsize=self.font, ha="left", va="top", animated=True, linespacing=1.25
        )
        changing = [artist for fans in self.fans for fan in fans for artist in fan.artists] + self.now + [self.title]
        self.frame = Frame(self.figure, changing)

    @staticmethod
    def _box(
        x: float, top: float, width: float, height: float, figure_height: float
    ) -> tuple[float, float, float, float]:
        """An axes' rectangle in figure fractions, from pixels measured from the top-left corner."""
        return (x / WIDTH_PX, 1 - (top + height) / figure_height, width / WIDTH_PX, height / figure_height)

    def _draw_still(
        self,
        main: Axes,
        difference: Axes,
        pair: Pair,
        period: Period,
        events: pd.DataFrame | None,
        series: pd.DataFrame | None,
    ) -> None:
        """A pair's axes, its title, its documented series and events, and the difference's zero line."""
        # dates, which the stubs type as floats: they leave out matplotlib's units (matplotlib#25676)
        main.set_xlim(*period)  # type: ignore[arg-type]
        main.set_ylim(0, 1)
        main.set_yticks([0, 0.5, 1], ["0", ".5", "1"])
        main.grid(axis="y", alpha=0.3)
        main.tick_params(labelsize=self.tick, labelbottom=False)
        a, b = pair
        main.set_title(f"{short_name(a)} – {short_name(b)}", loc="left", fontsize=self.font, fontweight="bold", pad=8)
        if series is not None:
            record = series[series["pair"] == pair_label(a, b)]
            main.plot(record["date"], record[self.measure], color="#555555", linestyle="--", linewidth=1.3)
        pair_events = _pair_events(events, pair, period)
        for mark in event_marks(pair_events) if pair_events is not None and len(pair_events) else []:
            colour = TENSION_COLOUR if mark.conflictual else COOPERATION_COLOUR
            x = mdates.date2num(mark.date)
            main.axvline(x, color=colour, alpha=0.35, linewidth=0.9, linestyle=":")
            main.plot([x], [1.0], marker="v" if mark.conflictual else "^", color=colour, markersize=9, clip_on=False)
        difference.axhline(0, color="#7f8c8d", linewidth=0.8)
        difference.grid(axis="y", alpha=0.3)
        difference.tick_params(labelsize=self.tick)
        difference.text(
            0.01, 0.95, "B − A", transform=difference.transAxes, fontsize=self.tick, va="top", color="#555555"
        )
        self._difference_axis(difference)
        difference.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
        difference.xaxis.set_major_formatter(mdates.DateFormatter("%b %y"))

    def _difference_axis(self, ax: Axes) -> None:
        ax.set_ylim(-self.limit, self.limit)
        ax.set_yticks([-self.limit, 0, self.limit], [f"{-self.limit:g}", "0", f"{self.limit:g}"])

    def _legend(self) -> None:
        """What the colours and marks mean, under the panels."""
        handles = [
            Patch(color=SIDE_COLOURS["A"], alpha=0.5),
            Patch(color=SIDE_COLOURS["B"], alpha=0.5),
            Patch(color=SIDE_COLOURS["B − A"], alpha=0.5),
            Line2D([], [], color="#555555", linestyle="--"),
            Line2D([], [], marker="v", color=TENSION_COLOUR, linestyle=""),
            Line2D([], [], color="black", linestyle="-.", linewidth=1.2),
        ]
        labels = [
            "A factual",
            "B counterfactual",
            "B − A, world by world",
            "documented (reported only)",
            "documented event",
            "shock pulled",
        ]
        self.figure.legend(
            handles, labels, loc="lower center", ncol=3, fontsize=self.tick, frameon=False, handlelength=1.5
        )

    def mark(self, date: pd.Timestamp, text: str) -> None:
        """A pulled shock: a line through the pair panels at its week, labelled with the side it went into."""
        x = mdates.date2num(date)
        for main, difference in zip(self.main, self.difference, strict=True):
            self.marks.append(main.axvline(x, color="black", linestyle="-.", linewidth=1.2))
            self.marks.append(difference.axvline(x, color="black", linestyle="-.", linewidth=1.2))
            self.marks.append(main.text(x, 0.97, f" {text}", fontsize=self.tick, va="top", ha="left", color="black"))
        self.frame.refresh()

    def clear_marks(self) -> None:
        """Remove the pulled shocks' marks, so the figure serves a new run of the same scenario."""
        for artist in self.marks:
            artist.remove()
        self.marks = []
        self.frame.refresh()

    def update(self, dates: Sequence, a: np.ndarray, b: np.ndarray, difference: np.ndarray, title: str) -> bytes:
        """The figure as PNG for the weeks so far: fans as (weeks, 5 quantiles, key pairs) arrays."""
        x = mdates.date2num(np.asarray(dates, dtype="datetime64[D]"))
        spread = float(np.nanmax(np.abs(difference[:, [0, 4]]))) if len(x) and not np.isnan(difference).all() else 0.0
        limit = next((limit for limit in DIFFERENCE_LIMITS if spread <= limit), DIFFERENCE_LIMITS[-1])
        if limit != self.limit:
            self.limit = limit
            for ax in self.difference:
                self._difference_axis(ax)
            self.frame.refresh()
        for k, (fan_a, fan_b, fan_difference) in enumerate(self.fans):
            fan_a.set(x, a[:, :, k])
            fan_b.set(x, b[:, :, k])
            fan_difference.set(x, difference[:, :, k])
        for line in self.now:
            line.set_visible(len(x) > 0)
            if len(x):
                line.set_xdata([x[-1], x[-1]])
        self.title.set_text(title)
        return self.frame.png()
