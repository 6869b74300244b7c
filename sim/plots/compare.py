"""Comparisons of two batches: each scenario's fans on the same axes, and their run-by-run difference."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.core.relations import Pair, pair_label
from sim.plots.panels import (
    COOPERATION_COLOUR,
    TENSION_COLOUR,
    date_axis,
    draw_fan,
    draw_observed,
    fan,
    new_figure,
    observed_legend,
    runs_caption,
    short_name,
)
from sim.records.observed import Observed


def compare_figure(
    a: pd.DataFrame,
    b: pd.DataFrame,
    difference: pd.DataFrame,
    key_pairs: Sequence[Pair],
    names: tuple[str, str],
    observed: Observed | None = None,
) -> Figure:
    """Per key pair: scenario A, scenario B (same axes), and B - A run by run.

    ``difference`` is :func:`sim.experiments.compare.paired_difference` of the two tension tables.
    Given an imported table, the observed monthly events (or deaths) of the pair are drawn beside
    both scenarios. Batches whose runs share no week (e.g. different periods) have no run-by-run
    difference: they are drawn side by side, each on its own dates, and the title says why.
    """
    paired = not difference.empty
    columns = 3 if paired else 2
    height = 2.7 * len(key_pairs) + 1.5
    fig = new_figure(figsize=(5 * columns, height))
    axes = fig.subplots(len(key_pairs), columns, sharex=True if paired else "col", squeeze=False)
    for row, pair in enumerate(key_pairs):
        for col, (table, name) in enumerate(((a, names[0]), (b, names[1]))):
            _scenario_panel(axes[row, col], table, pair, name, observed)
        if paired:
            _difference_panel(axes[row, 2], difference, pair)
        axes[row, 0].set_ylabel("level (0–1)")
        for ax in axes[row]:
            ax.grid(axis="y", alpha=0.3)
    for ax in axes[-1]:
        date_axis(ax)
        ax.set_xlabel("date (weekly steps)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if observed is not None:
        handle, label = observed_legend(observed)
        handles.append(handle)
        labels.append(label)
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    paired_text = (
        f"{difference['run'].nunique()} paired runs in the difference"
        if paired
        else "no run-by-run difference: the batches share no week"
    )
    fig.suptitle(
        f"A: {names[0]} vs B: {names[1]}, median with 50 % and 90 % bands\n({runs_caption(a)} and {runs_caption(b)}; "
        f"{paired_text})",
        fontsize=12,
        x=0.01,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0.45 / height, 1, 1 - 0.1 / height))
    return fig


def _scenario_panel(ax: Axes, table: pd.DataFrame, pair: Pair, name: str, observed: Observed | None) -> None:
    """One scenario's fans of one pair, with the pair's observed bars when a table is given."""
    draw_fan(ax, fan(table, pair_label(*pair), "tension"), TENSION_COLOUR, "tension (median)")
    draw_fan(ax, fan(table, pair_label(*pair), "cooperation"), COOPERATION_COLOUR, "cooperation (median)")
    ax.set_ylim(0, 1)
    ax.set_title(f"{name}: {short_name(pair[0])} – {short_name(pair[1])}", loc="left", fontsize=10)
    if observed is not None:
        draw_observed(ax, observed, pair, table["date"].min(), table["date"].max())


def _difference_panel(ax: Axes, difference: pd.DataFrame, pair: Pair) -> None:
    """B - A fans of one pair, on a y range symmetric around 0 that fits the 90 % bands.

    The title names the pair only: the figure's title says which scenario is A and which is B
    (two long scenario names here ran past the panel's edge).
    """
    label = pair_label(*pair)
    tension, cooperation = fan(difference, label, "tension"), fan(difference, label, "cooperation")
    draw_fan(ax, tension, TENSION_COLOUR, "tension (median)")
    draw_fan(ax, cooperation, COOPERATION_COLOUR, "cooperation (median)")
    ax.axhline(0, color="black", linewidth=0.8)
    reach = max(float(np.nanmax(np.abs(table[[0.05, 0.95]].to_numpy()))) for table in (tension, cooperation))
    ax.set_ylim(-max(reach, 0.01) * 1.1, max(reach, 0.01) * 1.1)
    ax.set_ylabel("difference (B − A)", fontsize=9)
    ax.set_title(f"B − A, run by run: {short_name(pair[0])} – {short_name(pair[1])}", loc="left", fontsize=10)
