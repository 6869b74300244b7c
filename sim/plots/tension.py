"""Tension fans: each key pair's simulated tension and cooperation across runs, beside the documented record."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from sim.core.relations import Pair, pair_label
from sim.plots.panels import (
    COOPERATION_COLOUR,
    TENSION_COLOUR,
    Layout,
    count_runs,
    date_axis,
    draw_fan,
    draw_observed,
    fan,
    new_figure,
    observed_legend,
    panel_grid,
    runs_caption,
)
from sim.plots.record import legend_with_markers, pair_panel, place_marks
from sim.records.observed import Observed


def tension_figure(
    tension: pd.DataFrame,
    key_pairs: Sequence[Pair],
    title: str,
    documented_events: pd.DataFrame | None = None,
    documented_tension: pd.DataFrame | None = None,
    observed: Observed | None = None,
) -> Figure:
    """One panel per key pair: simulated tension and cooperation fans, median with 50 % and 90 % bands.

    The documented events are marked in a strip above each panel and the documented record's series
    dashed in it; given an imported event table, the pair's observed monthly events (or deaths) are
    drawn as bars.
    """
    start, end = tension["date"].min(), tension["date"].max()
    layout = Layout(width=11, panel=2.3, top=0.5, bottom=1.15, left=0.8, right=0.85 if observed is not None else 0.25)
    placed, heights = place_marks(documented_events, key_pairs, (start, end), layout)
    fig = new_figure()
    panels = [row[0] for row in panel_grid(fig, layout, heights)]
    for (strip, ax), pair, marks in zip(panels, key_pairs, placed, strict=True):
        draw_fan(ax, fan(tension, pair_label(*pair), "tension"), TENSION_COLOUR, "tension (simulated median)")
        draw_fan(
            ax, fan(tension, pair_label(*pair), "cooperation"), COOPERATION_COLOUR, "cooperation (simulated median)"
        )
        pair_panel(strip, ax, pair, (start, end), marks, documented_tension)
        if observed is not None:
            draw_observed(ax, observed, pair, start, end)
    bottom = panels[-1][1]
    date_axis(bottom, months=(1, 4, 7, 10))
    bottom.set_xlabel("date (weekly steps)")
    handles, labels = legend_with_markers(panels[0][1])
    if observed is not None:
        handle, label = observed_legend(observed)
        handles.append(handle)
        labels.append(label)
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8.5, frameon=False)
    spread = f"median with 50 % and 90 % bands over {runs_caption(tension)}"
    fig.suptitle(
        f"{title}: simulated relations, {spread if count_runs(tension) > 1 else 'a single run (no spread to show)'}",
        fontsize=12,
        x=0.01,
        y=1 - 0.12 / fig.get_figheight(),
        ha="left",
        va="top",
    )
    return fig
