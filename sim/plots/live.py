"""The live figures of the teaching page: one run's key pairs and the relations network, redrawn each step."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from sim.core.relations import Pair
from sim.plots.panels import COOPERATION_COLOUR, TENSION_COLOUR, Layout, date_axis, panel_grid, short_name
from sim.plots.record import legend_with_markers, pair_panel, place_marks

RELATIONS_COLOURS = LinearSegmentedColormap.from_list("relations", [COOPERATION_COLOUR, "#d5d8dc", TENSION_COLOUR])


class Frame:
    """A figure redrawn many times: its still parts rendered once, the changing ones over them.

    Matplotlib's blitting: the artists that change are ``animated`` (left out of a full draw);
    each frame restores the saved background, draws them, and encodes the canvas as PNG.
    """

    def __init__(self, figure: Figure, changing: Sequence[Artist]) -> None:
        """Render ``figure`` once without the ``changing`` artists, and keep that as the background."""
        self.canvas = FigureCanvasAgg(figure)
        self.changing = changing
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(figure.bbox)

    def png(self) -> bytes:
        """The figure as PNG with the changing artists as they are now (fast compression: it is redrawn soon)."""
        self.canvas.restore_region(self.background)
        for artist in self.changing:
            (artist.axes or self.canvas.figure).draw_artist(artist)
        out = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(out, format="png", compress_level=1)
        return out.getvalue()


class LiveTension:
    """One run's key pairs as it unfolds, kept as one figure whose lines grow each step.

    The panels are those of :func:`sim.plots.tension.tension_figure` (documented record dashed,
    documented events as labelled triangles) drawn once; :meth:`update` only moves the run's lines
    and the marker of the current week, so a page can redraw it after every step cheaply.
    """

    def __init__(
        self,
        key_pairs: Sequence[Pair],
        period: tuple[pd.Timestamp, pd.Timestamp],
        title: str,
        documented_events: pd.DataFrame | None = None,
        documented_tension: pd.DataFrame | None = None,
    ) -> None:
        """Draw the still parts: a panel per key pair (two columns beyond two pairs), the legend and the title."""
        columns = 2 if len(key_pairs) > 2 else 1
        layout = Layout(width=10.5, panel=1.6, top=0.35, bottom=0.95, left=0.7, right=0.2, columns=columns)
        placed, heights = place_marks(documented_events, key_pairs, period, layout)
        self.figure = Figure(dpi=72)
        panels = [panel for row in panel_grid(self.figure, layout, heights) for panel in row]
        for strip, ax in panels[len(key_pairs) :]:
            strip.set_visible(False)
            ax.set_visible(False)
        self.lines: list[tuple[Line2D, Line2D]] = []
        self.now: list[Line2D] = []
        # a grid of two columns may have a panel more than there are pairs: it is hidden above
        for (strip, ax), pair, marks in zip(panels, key_pairs, placed, strict=False):
            (tension_line,) = ax.plot(
                [], [], color=TENSION_COLOUR, linewidth=2, label="tension (this run)", animated=True
            )
            (cooperation_line,) = ax.plot(
                [], [], color=COOPERATION_COLOUR, linewidth=2, label="cooperation (this run)", animated=True
            )
            self.lines.append((tension_line, cooperation_line))
            # dates, which the stubs type as floats: they leave out matplotlib's units (matplotlib#25676)
            self.now.append(ax.axvline(period[0], color="#7f8c8d", linewidth=1, animated=True))  # type: ignore[arg-type]
            pair_panel(strip, ax, pair, period, marks, documented_tension, title_size=9.5)
            ax.tick_params(labelsize=8)
        for _strip, ax in panels[-columns:]:
            date_axis(ax, months=(1, 7))
        self.figure.legend(*legend_with_markers(panels[0][1]), loc="lower center", ncol=3, fontsize=8, frameon=False)
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


class LiveNetwork:
    """The relations between actors as a network, its edges recoloured each step.

    Nodes sit on a circle, with an edge per pair whose tension or cooperation exceeds ``shown_from``,
    coloured by tension minus cooperation (red: tension, blue: cooperation) and as wide as the
    stronger. :meth:`update` recolours the edges.
    """

    def __init__(self, actors: Sequence[str], pairs: Sequence[Pair], shown_from: float = 0.05) -> None:
        """Draw the still parts: the actors on a circle, the colour bar and an (animated) edge per pair."""
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
                short_name(actor),
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
        self.edges.set_linewidth(0.8 + 6 * strength)
        self.title.set_text(title)
        return self.frame.png()
