"""Reading batches back: ``sahelsim summary | plot | compare``."""

from __future__ import annotations

import math
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sim.cli.shared import MeasureOption, ObservedOption, console, default_out, errors, load_observed, show_table
from sim.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from sim.model.scenario import LoadedScenario, Scenario


def summary(folder: Annotated[Path, typer.Argument(help="batch folder")]) -> None:
    """Summary metrics and event counts of a batch (5-95 % interval by sweep point); also written as CSV."""
    from sim.core.io import write_csv
    from sim.experiments.store import BatchStore
    from sim.experiments.summary import KINDS, MAX_POINTS_SHOWN, summarise

    store = BatchStore.existing(folder)
    table = summarise(store)
    write_csv(table, folder / "summary.csv")
    points = table["point"].unique()
    swept = store.points().columns
    for point in points[:MAX_POINTS_SHOWN]:
        rows = table[table["point"] == point]
        settings = ", ".join(f"{k}={v:g}" for k, v in rows.iloc[0].items() if k in swept)
        runs = rows["runs"].iloc[0]
        metrics, counts = rows[rows["kind"] == KINDS[0]], rows[rows["kind"] == KINDS[1]]
        show_table(
            f"sweep point {point}" + (f": {settings}" if settings else "") + f" ({runs} runs)",
            ("metric", "pair", "median", "5 %", "95 %", "runs without it"),
            (
                (
                    str(row["metric"]),
                    str(row["pair"]),
                    *(_number(row[figure]) for figure in ("median", "q05", "q95")),
                    f"{row['missing']} ({row['missing'] / row['runs']:.0%})" if row["missing"] else "",
                )
                for row in metrics.to_dict(orient="records")
            ),
            names=2,
        )
        show_table(
            f"sweep point {point}: events per run by type ({runs} runs)",
            ("event type", "mean", "5 %", "95 %"),
            (
                (str(row["metric"]), *(_number(row[figure]) for figure in ("mean", "q05", "q95")))
                for row in counts.to_dict(orient="records")
            ),
        )
    if len(points) > MAX_POINTS_SHOWN:
        console.print(f"{len(points) - MAX_POINTS_SHOWN} more sweep points in the CSV.")
    if table["missing"].any():
        console.print(
            "runs without it: runs in which the event never happened (e.g. no joint action); "
            "median and interval are over the others"
        )
    console.print(f"written: {folder / 'summary.csv'}")


def _interval(row: dict[Hashable, Any], side: str, centre: str = "median") -> str:
    """'median [5 %, 95 %]' of one side of a comparison (a, b or diff), or the mean with ``centre``."""
    middle, low, high = (_number(row[f"{side}_{name}"]) for name in (centre, "q05", "q95"))
    return middle if middle == "–" else f"{middle} [{low}, {high}]"


def _number(value: float) -> str:
    """A figure of a table, to three significant digits ('–' for none)."""
    return "–" if math.isnan(value) else f"{value:.3g}"


def plot(
    folder: Annotated[Path, typer.Argument(help="batch folder")],
    metric: Annotated[
        list[str] | None, typer.Option(help="metric for the sweep plot, as NAME or NAME:PAIR (repeatable)")
    ] = None,
    point: Annotated[
        int | None,
        typer.Option(
            help="draw the fans of this sweep point's runs only (written as tension_point_K) "
            "[default: all runs, pooled]",
            min=0,
        ),
    ] = None,
    observed: ObservedOption = None,
    observed_measure: MeasureOption = "events",
) -> None:
    """Fan charts of a batch with the documented events; for a sweep, metrics against each parameter."""
    from sim.experiments.store import BatchStore
    from sim.plots import save_figure, sweep_figure, tension_figure
    from sim.records.documented import documented_record

    store = BatchStore.existing(folder)
    imported = load_observed(observed, observed_measure)
    loaded = store.scenario()
    spec = loaded.scenario
    points = store.points()
    metrics = store.read("metrics")
    sweep = len(points) > 1 and len(points.columns)
    selected = _selected_metrics(metric, spec, metrics) if sweep or metric else []
    if metric and not sweep:
        errors.print("note: this batch has no sweep, so there is no sweep plot for --metric to choose from")
    tension = store.tension(point)
    documented = documented_record(loaded) if _documented_available(loaded) else None
    documented_events, documented_tension = documented or (None, None)
    title = spec.name if point is None else f"{spec.name}, sweep point {point}"
    name = "tension" if point is None else f"tension_point_{point}"
    written = save_figure(
        tension_figure(tension, spec.key_pairs, title, documented_events, documented_tension, imported), folder / name
    )
    if sweep:
        method = spec.sweep.method if spec.sweep is not None else "grid"
        written += save_figure(sweep_figure(metrics, points, selected, spec.name, method), folder / "sweep")
    console.print("written: " + ", ".join(str(path) for path in written))


def compare(
    folder_a: Annotated[Path, typer.Argument(help="batch folder of scenario A (e.g. the factual one)")],
    folder_b: Annotated[Path, typer.Argument(help="batch folder of scenario B (e.g. a counterfactual)")],
    out: Annotated[
        Path | None,
        typer.Option(help="file name without suffix, for the figure and the table [default: results/compare_A_vs_B]"),
    ] = None,
    point: Annotated[
        int | None,
        typer.Option(help="compare only this sweep point's runs of each batch [default: all runs, pooled]", min=0),
    ] = None,
    observed: ObservedOption = None,
    observed_measure: MeasureOption = "events",
) -> None:
    """Two batches side by side on the same axes, and their run-by-run difference, in a figure and a table."""
    from sim.core.io import require_parent, write_csv
    from sim.core.relations import pair_key
    from sim.experiments.compare import compare_values, paired_difference
    from sim.experiments.store import BatchStore
    from sim.experiments.summary import run_values
    from sim.plots import compare_figure, save_figure

    a, b = BatchStore.existing(folder_a), BatchStore.existing(folder_b)
    imported = load_observed(observed, observed_measure)
    spec_a, spec_b = a.scenario().scenario, b.scenario().scenario
    key_pairs = [pair for pair in spec_a.key_pairs if pair_key(*pair) in {pair_key(*q) for q in spec_b.key_pairs}]
    if not key_pairs:
        raise InputError(f"shares no key pair with {folder_a}; expected scenarios with common key_pairs", path=folder_b)
    if spec_a.start != spec_b.start or spec_a.end != spec_b.end:
        errors.print(f"note: the periods differ ({spec_a.start}..{spec_a.end} vs {spec_b.start}..{spec_b.end})")
        if spec_a.end < spec_b.start or spec_b.end < spec_a.start:
            errors.print("note: the periods do not overlap; drawing the batches side by side, without a difference")
    _pairing_notes(spec_a, spec_b)
    if out is not None:
        require_parent(out)
    tension_a, tension_b = a.tension(point), b.tension(point)
    difference = paired_difference(tension_a, tension_b)
    values = compare_values(run_values(a, point), run_values(b, point))
    figure = compare_figure(tension_a, tension_b, difference, key_pairs, (spec_a.name, spec_b.name), imported)
    out = out or default_out(f"compare_{spec_a.name}_vs_{spec_b.name}")
    _show_comparison(values, spec_a.name, spec_b.name)
    write_csv(values, out.with_suffix(".csv"))
    written = [*save_figure(figure, out), out.with_suffix(".csv")]
    console.print("written: " + ", ".join(str(path) for path in written))


def _pairing_notes(spec_a: Scenario, spec_b: Scenario) -> None:
    """Say so when the runs paired by index do not share what pairing assumes: the seed and the parameter draws."""
    if spec_a.seed != spec_b.seed:
        errors.print(
            f"note: the seeds differ ({spec_a.seed} vs {spec_b.seed}), so runs with the same index share no random "
            "numbers; B − A then holds the noise of two independent runs"
        )
    if spec_a.parameter_source != spec_b.parameter_source:
        errors.print(
            f"note: A runs {spec_a.parameter_source} and B {spec_b.parameter_source}, so B − A mixes the "
            "scenarios' difference with the parameters' uncertainty"
        )


def _show_comparison(values: pd.DataFrame, name_a: str, name_b: str) -> None:
    """The key metrics of A, B and B - A with their 90 % intervals, and the events per run of each type."""
    from sim.experiments.summary import KINDS

    metrics, counts = values[values["kind"] == KINDS[0]], values[values["kind"] == KINDS[1]]
    show_table(
        f"A: {name_a}, B: {name_b}: median [5 %, 95 %] over runs; B − A run by run, paired by run index (same seed)",
        ("metric", "pair", "A", "B", "B − A", "P(B > A)", "P(B < A)", "paired runs"),
        (
            (
                str(row["metric"]),
                str(row["pair"]),
                _interval(row, "a"),
                _interval(row, "b"),
                _interval(row, "diff"),
                _number(row["p_b_greater"]),
                _number(row["p_b_less"]),
                str(row["paired_runs"]),
            )
            for row in metrics.to_dict(orient="records")
        ),
        names=2,
    )
    show_table(
        "events per run by type: mean of A and of B; B − A run by run, mean [5 %, 95 %]",
        ("event type", "A", "B", "B − A", "P(B > A)", "P(B < A)"),
        (
            (
                str(row["metric"]),
                _number(row["a_mean"]),
                _number(row["b_mean"]),
                _interval(row, "diff", centre="mean"),
                _number(row["p_b_greater"]),
                _number(row["p_b_less"]),
            )
            for row in counts.to_dict(orient="records")
        ),
    )


def _documented_available(loaded: LoadedScenario) -> bool:
    """Whether the scenario names a documented-event file that is here (a note on stderr when it is not)."""
    path = loaded.documented_events_path
    if path is not None and not path.is_file():
        errors.print(f"note: the documented events {path} are not here; plotting without them")
        return False
    return path is not None


def _selected_metrics(requested: list[str] | None, spec: Scenario, metrics: pd.DataFrame) -> list[tuple[str, str]]:
    """(metric, pair label) for the sweep plot: NAME[:PAIR], the first key pair by default.

    Each must be in the batch's metrics table, whether or not the batch has a sweep to plot it
    in, so that a misspelt name is never passed over in silence. A PAIR is read as users type it
    (``mali-mauritania``, ``mali:mauritania``, either order: :func:`sim.core.names.parse_pair`).
    """
    from sim.core.names import parse_pair, unknown
    from sim.core.relations import pair_label

    names = sorted(set(metrics["metric"]))
    pairs = sorted(set(metrics["pair"]) - {""})
    measured = set(zip(metrics["metric"], metrics["pair"], strict=True))
    selected = []
    for choice in requested or ["peak_tension", "weeks_above_threshold", "incidents"]:
        name, _, typed = choice.partition(":")
        if name not in names:
            raise InputError(unknown("metric", name, names), field="--metric")
        try:
            pair = pair_label(*(parse_pair(typed, spec.actors) if typed else spec.key_pairs[0]))
        except ValueError as error:
            raise InputError(f"{choice!r}: {error}; this batch's key pairs are {pairs}", field="--metric") from None
        if (name, pair) not in measured:
            raise InputError(f"{choice!r}: {unknown('key pair', pair, pairs)}", field="--metric")
        selected.append((name, pair))
    return selected
