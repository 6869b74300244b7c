"""Diagnostic figures: metrics across a sweep, sensitivity indices, and forecast scores against benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.core.parameters import parameter_specs
from sim.plots.panels import COOPERATION_COLOUR, TENSION_COLOUR, new_figure


def sweep_figure(
    metrics: pd.DataFrame, points: pd.DataFrame, selected: Sequence[tuple[str, str]], title: str, method: str
) -> Figure:
    """Each selected (metric, pair) against each swept parameter, a marker and bar per sweep point.

    A marker is the point's median, its bar the runs' 5-95 % range, coloured by another swept
    parameter when there is one. Medians are joined by a line only on a one-parameter grid: in a
    sampled sweep (or a grid over several parameters) neighbouring points differ in the other
    parameters too, so a line between them would draw a response curve that does not exist.
    """
    parameters = list(points.columns)
    specs = parameter_specs()
    label = {name: f"{name} ({specs[name].unit})" if specs[name].unit else name for name in parameters}
    joined = method == "grid" and len(parameters) == 1
    fig = new_figure(figsize=(5.6 * len(parameters) + 0.6, 3.0 * len(selected) + 1.6), layout="constrained")
    axes = fig.subplots(len(selected), len(parameters), squeeze=False)
    colour_by = {parameter: next((name for name in parameters if name != parameter), None) for parameter in parameters}
    norms = {name: Normalize(points[name].min(), points[name].max()) for name in parameters}
    for row, (metric, pair) in enumerate(selected):
        stats = _point_stats(metrics, points, metric, pair)
        for col, parameter in enumerate(parameters):
            other = colour_by[parameter]
            _sweep_panel(axes[row, col], stats, parameter, None if other is None else (other, norms[other]), joined)
            axes[row, col].set_xlabel(label[parameter], fontsize=9)
            if col == 0:
                axes[row, col].set_ylabel(f"{metric.replace('_', ' ')}\n{pair}", fontsize=9)
    for col, parameter in enumerate(parameters):
        other = colour_by[parameter]
        if other is not None:
            bar = fig.colorbar(
                ScalarMappable(norms[other], "viridis"),
                ax=axes[:, col],
                location="bottom",
                shrink=0.85,
                aspect=40,
            )
            bar.set_label(f"marker colour: {label[other]}", fontsize=9)
    handles = [
        Line2D([], [], marker="o", color="#7f8c8d", markeredgecolor="black", linestyle="-" if joined else ""),
        Line2D([], [], marker="|", color="#7f8c8d", markersize=14, linestyle=""),
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


def _point_stats(metrics: pd.DataFrame, points: pd.DataFrame, metric: str, pair: str) -> pd.DataFrame:
    """Median and 5 % / 95 % quantiles of one metric of one pair per sweep point, with the point's parameters."""
    grouped = metrics[(metrics["metric"] == metric) & (metrics["pair"] == pair)].groupby("point")["value"]
    return pd.DataFrame(
        {"median": grouped.median(), "q05": grouped.quantile(0.05), "q95": grouped.quantile(0.95)}
    ).join(points)


def _sweep_panel(
    ax: Axes, stats: pd.DataFrame, parameter: str, colour_by: tuple[str, Normalize] | None, joined: bool
) -> None:
    """The sweep points' medians and ranges against one parameter, coloured by ``colour_by`` (parameter, scale)."""
    ordered = stats.sort_values(parameter)
    if colour_by is None:
        colours = np.tile(to_rgba(TENSION_COLOUR), (len(ordered), 1))
    else:
        other, norm = colour_by
        colours = colormaps["viridis"](norm(ordered[other].to_numpy()))
    # the stubs leave out an (N, 4) RGBA array, which matplotlib takes as one colour per line
    ax.vlines(ordered[parameter], ordered["q05"], ordered["q95"], colors=colours, alpha=0.6, linewidth=1.4)  # type: ignore[arg-type]
    if joined:
        ax.plot(ordered[parameter], ordered["median"], color="black", linewidth=1, zorder=2)
    ax.scatter(ordered[parameter], ordered["median"], c=colours, s=30, edgecolors="black", linewidths=0.5, zorder=3)
    ax.grid(alpha=0.3)


def sensitivity_figure(table: pd.DataFrame, title: str, top: int = 10) -> Figure:
    """Per statistic, the ``top`` parameters by index, as bars with 95 % confidence intervals."""
    statistics = list(dict.fromkeys(table["statistic"]))
    method = table["method"].iloc[0]
    label = "Morris μ* (mean absolute elementary effect)" if method == "morris" else "Sobol total index ST"
    columns = 2
    rows = -(-len(statistics) // columns)
    fig = new_figure(figsize=(13, 2.9 * rows + 0.8))
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax, statistic in zip(axes.flat, statistics, strict=False):  # a last odd panel is left over, hidden below
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
    fig = new_figure(figsize=(6.2 * len(measures), 4.4))
    axes = fig.subplots(1, len(measures), squeeze=False)
    for ax, measure in zip(axes[0], measures, strict=True):
        rows = countries.loc[measure]
        scores = summary[summary["measure"] == measure]
        width = 0.8 / len(scores)
        colours = [TENSION_COLOUR, "#7f8c8d", "#b7950b", COOPERATION_COLOUR]
        for i, (name, overall) in enumerate(zip(scores["forecaster"], scores["mean_crps"], strict=True)):
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
