"""The command line: ``sahelsim run | validate | events | actors | parameters | extract | events review``.

Bad input is reported as one paragraph on stderr with exit code 2 and no traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sim.core.actors import load_catalogue
from sim.experiments.batch import default_workers, run_batch
from sim.calibration.fitting import calibrate as calibrate_model
from sim.calibration.fitting import LoadedConfig, fitted_set, load_config
from sim.calibration.checks import Checks, run_checks
from sim.calibration.forecast import forecast as run_forecast
from sim.calibration.forecast import forecast_config
from sim.calibration.report import assets as report_assets
from sim.calibration.report import report_markdown
from sim.calibration.sensitivity import analyse
from sim.experiments.summary import MAX_POINTS_SHOWN, summarise
from sim.records.datasets import (
    ALIASES_PATH,
    Selection,
    import_events,
    load_imported,
    matched_share,
    summary_tables,
    unmatched_names,
)
from sim.core.errors import InputError
from sim.records.observed import MEASURES, Observed
from sim.calibration.scoring import Design, Skill, covered, skill
from sim.core.events import Event, load_events, select_events
from sim.core.parameters import parameter_specs
from sim.plots.figures import compare_figure, crps_figure, save_figure, sensitivity_figure, sweep_figure, tension_figure
from sim.core.relations import pair_key, pair_label
from sim.records.documented import documented_record
from sim.experiments.runner import run_scenario
from sim.model.scenario import LoadedScenario, load_scenario
from sim.teaching.classroom import classroom
from sim.teaching.serve import LOOPBACK, check_port_free, check_scenarios, serve, where
from sim.core.io import require_parent, results_folder, write_csv, write_json, write_parquet, write_text, write_yaml
from sim.experiments.store import BatchStore, scenario_record

DOCUMENTED_EVENTS = (
    Path(__file__).resolve().parent.parent / "calibration" / "events.csv"
)  # the repository's, wherever run from

app = typer.Typer(
    help="sahelsim: agent-based simulation of Sahel geopolitics.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # help texts are plain: "[default: ...]" is text, not Rich markup
)
events_app = typer.Typer(help="List the documented events (filter by actor and date).")
app.add_typer(events_app, name="events")
console = Console()
errors = Console(stderr=True)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="scenario file (YAML)")],
    seed: Annotated[Optional[int], typer.Option(help="override the scenario's seed", min=0)] = None,
    replicates: Annotated[Optional[int], typer.Option(help="override the scenario's replicate count", min=1)] = None,
    out: Annotated[Optional[Path], typer.Option(help="results folder [default: results/<scenario name>]")] = None,
    observed: Annotated[
        Optional[Path], typer.Option(help="imported events (Parquet from 'events import') to draw beside the fans")
    ] = None,
    observed_measure: Annotated[
        str, typer.Option(help="what of the observed events to draw: events or fatalities")
    ] = "events",
) -> None:
    """Run a scenario's replicates; write events, tension, a manifest and the tension plot."""
    loaded = _with_overrides(load_scenario(scenario), seed=seed, replicates=replicates)
    imported = _observed(observed, observed_measure)
    spec = loaded.scenario
    out = out or _default_out(spec.name)
    documented = documented_record(loaded)
    started = time.perf_counter()
    with results_folder(out) as staging:
        with _progress() as bar:
            task = bar.add_task(f"{spec.name}: replicates", total=spec.replicates)
            result = run_scenario(spec, progress=lambda done: bar.update(task, completed=done))
        wall = time.perf_counter() - started
        write_parquet(result.events, staging / "events.parquet")
        write_parquet(result.tension, staging / "tension.parquet")
        figure = tension_figure(
            result.tension,
            spec.key_pairs,
            spec.name,
            None if documented is None else documented[0],
            None if documented is None else documented[1],
            imported,
        )
        plots = save_figure(figure, staging / "tension")
        write_json(_manifest(loaded, wall, len(result.events), [p.name for p in plots]), staging / "manifest.json")
    _summary(result.events, spec.replicates, out, wall)


@app.command()
def batch(
    scenario: Annotated[Path, typer.Argument(help="scenario file (YAML)")],
    replicates: Annotated[
        Optional[int], typer.Option(help="replicates per sweep point [default: the scenario's]", min=1)
    ] = None,
    workers: Annotated[
        int, typer.Option(help="worker processes [default: number of cores]", min=1)
    ] = default_workers(),
    executor: Annotated[str, typer.Option(help="local (process pool) or dask")] = "local",
    address: Annotated[
        Optional[str], typer.Option(help="Dask scheduler, tcp://HOST:PORT [default: a new LocalCluster]")
    ] = None,
    out: Annotated[Optional[Path], typer.Option(help="batch folder [default: results/<scenario name>-batch]")] = None,
    resume: Annotated[Optional[Path], typer.Option(help="finish the missing runs of this batch folder")] = None,
    method: Annotated[Optional[str], typer.Option(help="override the sweep method: grid, lhs or sobol")] = None,
    samples: Annotated[
        Optional[int], typer.Option(help="override the sweep's sample count (lhs, sobol)", min=1)
    ] = None,
) -> None:
    """Run replicates times sweep points in parallel into a resumable Parquet store."""
    if executor not in ("local", "dask"):
        raise InputError(f"unknown executor {executor!r}; expected local or dask", field="--executor")
    loaded = _with_overrides(load_scenario(scenario), replicates=replicates, method=method, samples=samples)
    spec = loaded.scenario
    folder = resume or out or _default_out(f"{spec.name}-batch", create=False)
    with _progress() as bar, _terminate_as_interrupt():
        task = bar.add_task(f"{spec.name}: runs", total=None)
        try:
            outcome = run_batch(
                loaded,
                folder,
                workers,
                executor,
                address,
                resume=resume is not None,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                make_parent=resume is None and out is None,
            )
        except KeyboardInterrupt:
            if not (folder / "runs").is_dir():  # e.g. while a Dask cluster was starting
                errors.print(f"interrupted before the batch started: nothing was written to {folder}")
            else:
                kept = len(BatchStore(folder).done_runs())
                errors.print(f"interrupted: {kept} finished runs are kept in {folder}; finish with --resume {folder}")
            raise typer.Exit(130) from None
    view = Table(title=f"batch {spec.name}", show_header=False)
    rate = outcome.runs_this_call / outcome.seconds if outcome.seconds > 0 else float("nan")
    for name, value in (
        ("folder", str(folder)),
        ("runs", f"{outcome.runs_done} of {outcome.runs_total} ({outcome.runs_this_call} run now)"),
        ("sweep points", str(outcome.points)),
        ("executor", f"{executor}, {_count(outcome.workers, 'worker')}"),
        ("wall time", f"{outcome.seconds:.1f} s ({rate:.1f} runs/s), executor start-up included"),
    ):
        view.add_row(name, value)
    console.print(view)
    console.print(f"next: sahelsim summary {folder}  |  sahelsim plot {folder}")


@app.command()
def summary(folder: Annotated[Path, typer.Argument(help="batch folder")]) -> None:
    """Summary metrics of a batch (median and 5-95 % interval by sweep point); also written as CSV."""
    store = BatchStore.existing(folder)
    table = summarise(store)
    write_csv(table, folder / "summary.csv")
    points = table["point"].unique()
    for point in points[:MAX_POINTS_SHOWN]:
        rows = table[table["point"] == point]
        settings = ", ".join(f"{k}={v:g}" for k, v in rows.iloc[0].items() if k in store.points().columns)
        view = Table(
            title=f"sweep point {point}" + (f": {settings}" if settings else "") + f" ({rows['runs'].iloc[0]} runs)"
        )
        for column in ("metric", "pair", "median", "5 %", "95 %", "runs without it"):
            view.add_column(column, justify="left" if column in ("metric", "pair") else "right")
        for row in rows.itertuples():
            missing = f"{row.missing} ({row.missing / row.runs:.0%})" if row.missing else ""
            shown = ["–" if pd.isna(value) else f"{value:.3g}" for value in (row.median, row.q05, row.q95)]
            view.add_row(row.metric, row.pair, *shown, missing)
        console.print(view)
    if len(points) > MAX_POINTS_SHOWN:
        console.print(f"{len(points) - MAX_POINTS_SHOWN} more sweep points in the CSV.")
    if table["missing"].any():
        console.print(
            "runs without it: runs in which the event never happened (e.g. no joint action); "
            "median and interval are over the others"
        )
    console.print(f"written: {folder / 'summary.csv'}")


@app.command()
def plot(
    folder: Annotated[Path, typer.Argument(help="batch folder")],
    metric: Annotated[
        Optional[list[str]], typer.Option(help="metric for the sweep plot, as NAME or NAME:PAIR (repeatable)")
    ] = None,
    point: Annotated[
        Optional[int],
        typer.Option(
            help="draw the fans of this sweep point's runs only (written as tension_point_K) [default: all runs, pooled]",
            min=0,
        ),
    ] = None,
    observed: Annotated[
        Optional[Path], typer.Option(help="imported events (Parquet from 'events import') to draw beside the fans")
    ] = None,
    observed_measure: Annotated[
        str, typer.Option(help="what of the observed events to draw: events or fatalities")
    ] = "events",
) -> None:
    """Fan charts of a batch with the documented events; for a sweep, metrics against each parameter."""
    store = BatchStore.existing(folder)
    imported = _observed(observed, observed_measure)
    loaded = LoadedScenario.from_record(store.manifest(), store.manifest_path)
    spec = loaded.scenario
    points = store.points()
    metrics = store.read("metrics")
    sweep = len(points) > 1 and len(points.columns)
    selected = _selected_metrics(metric, spec.key_pairs, metrics) if sweep else []
    tension = _one_point(store.read("tension"), point, store.folder)
    documented = documented_record(loaded) if _documented_available(loaded) else None
    title = spec.name if point is None else f"{spec.name}, sweep point {point}"
    name = "tension" if point is None else f"tension_point_{point}"
    written = save_figure(
        tension_figure(tension, spec.key_pairs, title, *(documented or (None, None)), imported), folder / name
    )
    if sweep:
        method = spec.sweep.method if spec.sweep is not None else "grid"
        written += save_figure(sweep_figure(metrics, points, selected, spec.name, method), folder / "sweep")
    console.print("written: " + ", ".join(str(path) for path in written))


@app.command()
def compare(
    folder_a: Annotated[Path, typer.Argument(help="batch folder of scenario A (e.g. the factual one)")],
    folder_b: Annotated[Path, typer.Argument(help="batch folder of scenario B (e.g. a counterfactual)")],
    out: Annotated[
        Optional[Path], typer.Option(help="file name without suffix [default: results/compare_A_vs_B]")
    ] = None,
    point: Annotated[
        Optional[int],
        typer.Option(help="compare only this sweep point's runs of each batch [default: all runs, pooled]", min=0),
    ] = None,
    observed: Annotated[
        Optional[Path], typer.Option(help="imported events (Parquet from 'events import') to draw beside the fans")
    ] = None,
    observed_measure: Annotated[
        str, typer.Option(help="what of the observed events to draw: events or fatalities")
    ] = "events",
) -> None:
    """Two batches side by side on the same axes, and their run-by-run difference."""
    a, b = BatchStore.existing(folder_a), BatchStore.existing(folder_b)
    imported = _observed(observed, observed_measure)
    spec_a = LoadedScenario.from_record(a.manifest(), a.manifest_path).scenario
    spec_b = LoadedScenario.from_record(b.manifest(), b.manifest_path).scenario
    key_pairs = [pair for pair in spec_a.key_pairs if pair_key(*pair) in {pair_key(*q) for q in spec_b.key_pairs}]
    if not key_pairs:
        raise InputError(f"shares no key pair with {folder_a}; expected scenarios with common key_pairs", path=folder_b)
    if spec_a.start != spec_b.start or spec_a.end != spec_b.end:
        errors.print(f"note: the periods differ ({spec_a.start}..{spec_a.end} vs {spec_b.start}..{spec_b.end})")
        if spec_a.end < spec_b.start or spec_b.end < spec_a.start:
            errors.print("note: the periods do not overlap; drawing the batches side by side, without a difference")
    if out is not None:
        require_parent(out)
    tension_a, tension_b = (
        _one_point(a.read("tension"), point, a.folder),
        _one_point(b.read("tension"), point, b.folder),
    )
    figure = compare_figure(tension_a, tension_b, key_pairs, (spec_a.name, spec_b.name), imported)
    out = out or _default_out(f"compare_{spec_a.name}_vs_{spec_b.name}")
    console.print("written: " + ", ".join(str(path) for path in save_figure(figure, out)))


@app.command()
def calibrate(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    out: Annotated[
        Optional[Path],
        typer.Option(help="folder for the fitted set and posterior [default: fitted/ beside the config]"),
    ] = None,
    population: Annotated[Optional[int], typer.Option(help="override the particles per generation", min=10)] = None,
    generations: Annotated[
        Optional[int], typer.Option(help="override the maximum number of generations", min=1)
    ] = None,
    workers: Annotated[
        Optional[int], typer.Option(help="override the worker processes (1 is bit-reproducible)", min=1)
    ] = None,
    checks: Annotated[int, typer.Option(help="posterior-predictive runs per scenario", min=1)] = 40,
) -> None:
    """Fit parameters to the documented events with ABC-SMC; write the posterior, the fitted set, checks and report."""
    loaded = load_config(config)
    changes = {
        k: v
        for k, v in (("population_size", population), ("max_generations", generations), ("workers", workers))
        if v is not None
    }
    if changes:
        loaded = loaded.with_budget(**changes)
    out = out or config.parent / "fitted"
    if not out.is_dir():
        raise InputError("does not exist; expected a folder for the fitted set", path=out, field="--out")
    budget = loaded.config.budget
    console.print(
        f"calibrating '{loaded.config.name}': {len(loaded.config.fit)} parameters, {len(loaded.config.targets)} targets, "
        f"population {budget.population_size}, up to {budget.max_generations} generations, {budget.workers} workers"
    )
    result = calibrate_model(loaded, report=_indented)
    write_parquet(result.posterior, out / f"{loaded.config.name}.posterior.parquet")
    fitted = fitted_set(loaded, result)
    write_yaml(fitted.model_dump(mode="json"), out / f"{loaded.config.name}.yaml")
    view = Table(title=f"{loaded.config.name}: posterior (weighted median and 90 % interval)")
    for column in ("parameter", "prior", "median", "5 %", "95 %"):
        view.add_column(column, justify="left" if column == "parameter" else "right")
    for name, entry in fitted.parameters.items():
        view.add_row(
            name,
            f"[{entry.prior[0]:g}, {entry.prior[1]:g}]",
            f"{entry.median:.3g}",
            f"{entry.low_5:.3g}",
            f"{entry.high_95:.3g}",
        )
    console.print(view)
    rate = result.simulations / result.seconds if result.seconds else float("nan")
    console.print(
        f"{len(result.generations)} generations, {result.simulations} simulations in {result.seconds:.1f} s "
        f"({rate:.1f} simulations/s); written {out / (loaded.config.name + '.yaml')} and its posterior"
    )
    folder = report_assets(loaded)
    folder.mkdir(exist_ok=True)
    write_csv(result.generations.assign(seconds_total=round(result.seconds, 1)), folder / "generations.csv")
    console.print(f"posterior-predictive check: {checks} runs per scenario ...")
    found = run_checks(loaded, result.posterior, checks, loaded.config.budget.seed)
    _write_checks(loaded, found, folder)
    console.print(
        f"documented events reproduced (same type and pair, in their window, in >= half the runs): "
        f"{int(found.reproduction['reproduced'].sum())} of {len(found.reproduction)}"
    )
    _refresh_report(loaded, out)


@app.command()
def sensitivity(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    method: Annotated[str, typer.Option(help="morris, sobol or both")] = "both",
    trajectories: Annotated[
        int, typer.Option(help="Morris trajectories (runs: trajectories x (parameters + 1) x replicates)", min=2)
    ] = 20,
    samples: Annotated[
        int,
        typer.Option(help="Sobol base samples, a power of two (runs: samples x (parameters + 2) x replicates)", min=2),
    ] = 64,
    replicates: Annotated[
        int, typer.Option(help="runs per sample, with common random numbers; each index is of their mean", min=1)
    ] = 2,
    workers: Annotated[int, typer.Option(help="worker processes", min=1)] = default_workers(),
    seed: Annotated[int, typer.Option(help="seed of the SALib samples", min=0)] = 1,
) -> None:
    """Morris screening and Sobol indices (SALib) of the calibration statistics to every parameter."""
    if method not in ("morris", "sobol", "both"):
        raise InputError(f"unknown method {method!r}; expected morris, sobol or both", field="--method")
    if samples & (samples - 1):
        raise InputError(f"got {samples}; Sobol sampling needs a power of two", field="--samples")
    loaded = load_config(config)
    folder = report_assets(loaded)
    folder.mkdir(exist_ok=True)
    for chosen, n in (("morris", trajectories), ("sobol", samples)):
        if method not in (chosen, "both"):
            continue
        with _progress() as bar:
            task = bar.add_task(f"{chosen}: runs", total=None)
            table = analyse(
                loaded,
                chosen,
                n,
                seed,
                replicates,
                workers,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
        write_csv(table, folder / f"sensitivity_{chosen}.csv")
        written = save_figure(sensitivity_figure(table, loaded.config.name), folder / f"sensitivity_{chosen}")
        console.print(f"{chosen}: written {folder / f'sensitivity_{chosen}.csv'}, " + ", ".join(map(str, written)))
        top = table.sort_values("index", ascending=False).drop_duplicates("statistic")
        for row in top.itertuples():
            console.print(f"  {row.statistic}: most sensitive to {row.parameter} ({row.index:.3g} ± {row.conf:.2g})")
    _refresh_report(loaded, config.parent / "fitted")


@app.command()
def forecast(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    cutoff: Annotated[
        dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="calibrate on documented events up to this date")
    ] = dt.datetime(2024, 6, 30),
    scenario: Annotated[str, typer.Option(help="calibration scenario to forecast with")] = "sahel_2024",
    until: Annotated[
        dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="score the months up to this date")
    ] = dt.datetime(2024, 12, 31),
    population: Annotated[int, typer.Option(help="particles per generation of the cut-off calibration", min=10)] = 100,
    generations: Annotated[int, typer.Option(help="generations of the cut-off calibration", min=1)] = 6,
    runs: Annotated[int, typer.Option(help="posterior-predictive runs", min=1)] = 40,
) -> None:
    """Out-of-sample skill: calibrate up to a cut-off, forecast the months after it, score against baselines."""
    loaded = load_config(config)
    oos = forecast_config(loaded, scenario, cutoff.date(), population, generations)
    console.print(f"calibrating on events up to {cutoff.date()}: targets {[t.name for t in oos.config.targets]}")
    scores = run_forecast(oos, scenario, until.date(), runs, report=_indented)
    folder = report_assets(loaded)
    folder.mkdir(exist_ok=True)
    write_csv(scores, folder / "forecast_scores.csv")
    view = Table(
        title=f"Brier score, {scenario}: key pairs x event families x months after {cutoff.date()} (lower is better)"
    )
    for column in ("forecast", "brier", "cells", "events observed"):
        view.add_column(column)
    for row in scores.itertuples():
        view.add_row(row.forecast, f"{row.brier:.4f}", str(row.cells), str(row.events_observed))
    console.print(view)
    best = scores.sort_values("brier").iloc[0]["forecast"]
    console.print(f"best: {best}" + ("" if best.startswith("sahelsim") else " (the model does not beat this baseline)"))
    _refresh_report(loaded, config.parent / "fitted")


# --- forecast skill against an imported dataset: score ------------------------------------------


@app.command("score")
def score_observed(
    observed: Annotated[Path, typer.Option(help="imported events (Parquet from 'sahelsim events import')")],
    scenario: Annotated[Path, typer.Option(help="scenario whose runs are the model's forecast")] = Path(
        "scenarios/sahel_2024.yaml"
    ),
    runs: Annotated[int, typer.Option(help="model runs in the ensemble", min=2)] = 20,
    posterior: Annotated[
        Optional[Path],
        typer.Option(
            help="posterior particles to draw each run's parameters from [default: the scenario's parameters]"
        ),
    ] = None,
    countries: Annotated[str, typer.Option(help="ISO3 codes of the countries scored")] = "MLI,BFA,NER,MRT",
    horizon: Annotated[int, typer.Option(help="months ahead of each origin", min=1)] = 3,
    history: Annotated[int, typer.Option(help="months the bootstrap benchmark draws from", min=1)] = 12,
    out: Annotated[Optional[Path], typer.Option(help="folder for the scores and plot [default: results/score]")] = None,
    report: Annotated[
        Optional[Path], typer.Option(help="calibration config whose report should include the table")
    ] = None,
) -> None:
    """Rolling-origin CRPS of country-month fatalities and event counts: the model against the VIEWS benchmarks."""
    imported = load_imported(observed)
    loaded = load_scenario(scenario)
    particles = None if posterior is None else _posterior(posterior)
    scored, uncovered = covered(imported, _iso3_codes(countries), observed)
    if uncovered:
        console.print(f"not scored: {', '.join(uncovered)} (no events of {observed.name} there)")
    spec = loaded.scenario
    out = out or _default_out("score")
    require_parent(out)
    out.mkdir(exist_ok=True)
    with _progress() as bar:
        bar.add_task(f"{spec.name}: {runs} runs", total=None)
        found = skill(imported, loaded, runs, particles, Design(scored, horizon, history))
    view = Table(title=f"mean CRPS vs VIEWS benchmarks ({found.period}; lower is better)")
    for column in ("measure", "forecaster", "mean CRPS", "model / this", "country-months"):
        view.add_column(column, justify="left" if column in ("measure", "forecaster") else "right")
    for row in found.summary.itertuples():
        view.add_row(row.measure, row.forecaster, f"{row.mean_crps:.2f}", f"{row.model_over_this:.2f}", str(row.cells))
    console.print(view)
    for measure, rows in found.summary.groupby("measure", sort=False):
        beaten = rows[(rows["forecaster"] != "sahelsim") & (rows["model_over_this"] > 1)]["forecaster"].tolist()
        console.print(
            f"{measure}: "
            + (f"the model loses to {', '.join(beaten)}" if beaten else "the model beats every benchmark")
        )
    write_csv(found.scores, out / "crps_scores.csv")
    written = _write_skill(found, spec.name, out)
    console.print(f"written: {out / 'crps_scores.csv'}, " + ", ".join(map(str, written)))
    if report is not None:
        config = load_config(report)
        folder = report_assets(config)
        folder.mkdir(exist_ok=True)
        _write_skill(found, spec.name, folder)
        _refresh_report(config, report.parent / "fitted")


def _posterior(path: Path) -> pd.DataFrame:
    """The posterior particles a --posterior option names."""
    if not path.is_file():
        raise InputError(
            "file not found; expected posterior particles written by 'sahelsim calibrate'",
            path=path,
            field="--posterior",
        )
    return pd.read_parquet(path)


def _write_skill(found: Skill, name: str, folder: Path) -> list[Path]:
    """The CRPS table and its figure (what the report shows), in ``folder``; returns the files written."""
    write_csv(found.summary, folder / "crps_table.csv")
    figure = crps_figure(found.summary, found.countries, f"{name} vs VIEWS benchmarks: {found.period}")
    return [folder / "crps_table.csv", *save_figure(figure, folder / "crps")]


def _write_checks(loaded: LoadedConfig, found: Checks, folder: Path) -> None:
    """The posterior-predictive tables, and a fan chart of each scenario's runs with its documented record."""
    for name, tension in found.tension.items():
        scenario = loaded.scenarios[name]
        figure = tension_figure(
            tension,
            scenario.scenario.key_pairs,
            f"{name}, posterior-predictive",
            *(documented_record(scenario) or (None, None)),
        )
        save_figure(figure, folder / f"ppc_{name}", formats=("png",))
    write_csv(found.statistics, folder / "predictive_statistics.csv")
    write_csv(found.reproduction, folder / "reproduction.csv")


def _indented(line: str) -> None:
    """A calibration's progress line, under the command's own."""
    console.print(f"  {line}", highlight=False)


@app.command()
def report(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    fitted: Annotated[
        Optional[Path], typer.Option(help="folder of the fitted set [default: fitted/ beside the config]")
    ] = None,
) -> None:
    """Regenerate the calibration report from the fitted set, checks and sensitivity files."""
    loaded = load_config(config)
    fitted = fitted or config.parent / "fitted"
    if not (fitted / f"{loaded.config.name}.yaml").is_file():
        raise InputError(f"holds no {loaded.config.name}.yaml; run 'sahelsim calibrate {config}' first", path=fitted)
    _refresh_report(loaded, fitted)


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="scenario file (YAML)")]) -> None:
    """Check a scenario file without running it."""
    loaded = load_scenario(scenario)
    spec = loaded.scenario
    weeks = (spec.end - spec.start).days // 7 + 1
    console.print(
        f"[green]ok[/green] {scenario}: '{spec.name}', {spec.start} to {spec.end} ({weeks} weeks), "
        f"{len(spec.actors)} actors, {len(spec.shocks)} shocks, {len(spec.parameters)} parameter overrides, "
        f"seed {spec.seed}, {spec.replicates} replicates"
    )


@events_app.callback(invoke_without_command=True)
def events(
    context: typer.Context,
    file: Annotated[Path, typer.Option(help="event table (CSV or Parquet)")] = DOCUMENTED_EVENTS,
    actor: Annotated[Optional[str], typer.Option(help="only events with this actor as source or target")] = None,
    since: Annotated[
        Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="from this date (YYYY-MM-DD)")
    ] = None,
    until: Annotated[
        Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="up to this date (YYYY-MM-DD)")
    ] = None,
    schema: Annotated[bool, typer.Option("--schema", help="print the JSON Schema of an event and stop")] = False,
) -> None:
    """List documented events, filtered by actor and date."""
    if context.invoked_subcommand is not None:
        return
    if schema:
        print(json.dumps(Event.model_json_schema(), indent=2))
        return
    catalogue = load_catalogue()
    if actor is not None and actor not in catalogue.ids:
        raise InputError(f"unknown actor {actor!r}; expected one of {sorted(catalogue.ids)}", field="--actor")
    table = load_events(file, catalogue.ids)
    rows = select_events(table, actor, since and since.date(), until and until.date())
    view = Table(title=f"{len(rows)} of {len(table)} events in {file}")
    for column in ("id", "date", "source → target", "type", "deaths", "file", "note"):
        view.add_column(column, overflow="fold")
    for row in rows.to_dict(orient="records"):
        inferred = "~" if row["date_inferred"] else ""
        deaths = row["fatalities"]
        view.add_row(
            row["event_id"],
            f"{inferred}{row['date']:%Y-%m-%d} ({row['date_precision']})",
            f"{row['source']} → {row['target']}",
            f"{row['event_type']} ({row['goldstein']:+.1f})",
            "" if pd.isna(deaths) else str(deaths),
            str(row["source_file"])[:3],
            "" if pd.isna(row["note"]) else row["note"],
        )
    console.print(view)
    console.print(
        "~ marks a date inferred from context; file gives the seed's number (calibration/events.csv has the full name)."
    )


# --- conflict datasets: events import | events summary -------------------------------------------


@events_app.command("import")
def events_import(
    files: Annotated[list[Path], typer.Argument(help="ACLED export(s) and/or UCDP GED CSV file(s)")],
    out: Annotated[Path, typer.Option(help="Parquet file to write the imported events to")],
    dataset_format: Annotated[str, typer.Option("--format", help="auto (from the header), acled or ucdp")] = "auto",
    countries: Annotated[Optional[str], typer.Option(help="keep these ISO3 codes, e.g. MLI,MRT,BFA,NER")] = None,
    since: Annotated[
        Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="from this date (YYYY-MM-DD)")
    ] = None,
    until: Annotated[
        Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="up to this date (YYYY-MM-DD)")
    ] = None,
) -> None:
    """Import ACLED / UCDP GED events into the event schema (one Parquet file)."""
    require_parent(out)
    codes = _iso3_codes(countries or "")
    started = time.perf_counter()
    table = import_events(files, dataset_format, Selection(codes, since and since.date(), until and until.date()))
    write_parquet(table, out)
    record = table.attrs["import"]
    console.print(
        f"imported {record['rows_kept']} of {record['rows_read']} rows from {len(files)} file(s) in "
        f"{time.perf_counter() - started:.1f} s into {out}; {record['cross_dataset_duplicates']} cross-dataset duplicates "
        f"flagged, {record['repeated_ids_dropped']} repeated ids dropped; {matched_share(table):.1%} of actor slots "
        f"matched a catalogue actor"
    )
    _print_unmatched(table)


@events_app.command("summary")
def events_summary(
    file: Annotated[Path, typer.Argument(help="Parquet file written by 'sahelsim events import'")],
) -> None:
    """Imported events by year, actor pair and event type; unmatched names and bad optional values."""
    table = load_imported(file)
    record = table.attrs["import"]
    console.print(
        f"{file}: {len(table)} events from {', '.join(record['files'])} "
        f"({int(table['duplicate_of'].notna().sum())} cross-dataset duplicates not counted below)"
    )
    for name, rows in summary_tables(table).items():
        view = Table(title=f"by {name}")
        for column in rows.columns:
            view.add_column(column, justify="left" if column == name else "right")
        for row in rows.itertuples(index=False):
            view.add_row(*(str(value) for value in row))
        console.print(view)
    bad = record["bad_optional_values"]
    console.print(
        "rows with a bad optional value (kept, value left empty): "
        + (", ".join(f"{column} {count}" for column, count in bad.items()) if bad else "none")
    )
    _print_unmatched(table)


def _observed(path: Path | None, measure: str) -> Observed | None:
    """The imported events an --observed option names, with the measure to draw."""
    if measure not in MEASURES:
        raise InputError(f"unknown measure {measure!r}; expected one of {list(MEASURES)}", field="--observed-measure")
    return None if path is None else Observed(load_imported(path), measure)


def _print_unmatched(table: pd.DataFrame) -> None:
    names = unmatched_names(table)
    if names.empty:
        console.print("every actor name matched the alias table")
        return
    console.print(
        f"top unmatched actor names (extend {ALIASES_PATH.relative_to(ALIASES_PATH.parents[2])} to map them):"
    )
    for name, count in names.items():
        console.print(f"  {count:6d}  {name}", highlight=False)


# --- documents to events: extract candidates from articles, review them into the record ---
# sim.documents.extraction loads spaCy, an optional extra (pip install .[extract]): imported inside these commands only.


@app.command()
def extract(
    articles: Annotated[list[Path], typer.Argument(help="plain-text news articles (English or French)")],
    published: Annotated[
        Optional[dt.datetime],
        typer.Option(
            formats=["%Y-%m-%d"], help="publication date of articles without a leading 'date YYYY-MM-DD' line"
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="auto, en or fr")] = "auto",
    out: Annotated[Optional[Path], typer.Option(help="write the candidates to FILE.csv or FILE.parquet")] = None,
) -> None:
    """Extract candidate events (Event schema, origin 'extracted', with provenance) from news articles."""
    from sim.documents.articles import read_article
    from sim.documents.extraction import extract_articles

    if out is not None:
        _check_table_path(out)
    texts = [read_article(path, published and published.date()) for path in articles]
    found = extract_articles(texts, lang)
    frame = found.frame()
    view = Table(title=f"{len(frame)} candidate events from {len(texts)} article(s)")
    for column in ("id", "date", "source → target", "type", "rule", "conf.", "file:span"):
        view.add_column(column, overflow="fold")
    for row in frame.to_dict(orient="records"):
        view.add_row(
            row["event_id"],
            _shown_date(row),
            f"{_actor_shown(row, 'source')} → {_actor_shown(row, 'target')}",
            row["event_type"],
            row["rule"],
            f"{row['confidence']:.2f}",
            f"{row['source_file']}:{row['span']}",
        )
    console.print(view)
    if found.new_actors:
        console.print("candidate new actors (not in sim/data/actors.yaml; coded 'unmatched'):")
        for name, files in sorted(found.new_actors.items()):
            console.print(f"  {name} ({', '.join(sorted(set(files)))})", highlight=False)
    if out is not None:
        (write_parquet if out.suffix == ".parquet" else write_csv)(frame, out)
        console.print(f"wrote {len(frame)} candidates to {out}; review them with: sahelsim events review {out}")


@events_app.command("review")
def events_review(
    candidates: Annotated[Path, typer.Argument(help="candidate events written by 'sahelsim extract --out'")],
    accept: Annotated[
        Optional[list[str]], typer.Option(help="accept these candidate ids (repeat, or comma-separated)")
    ] = None,
    accept_new: Annotated[bool, typer.Option("--accept-new", help="accept every candidate reviewed as new")] = False,
    curated: Annotated[
        Path, typer.Option(help="the curated event record to compare with and append to")
    ] = DOCUMENTED_EVENTS,
) -> None:
    """Compare candidates with the curated record (new, duplicate, conflict); accept some into it."""
    from sim.core.actors import UNMATCHED
    from sim.documents.review import accept as accept_candidates
    from sim.documents.review import review, select

    table = load_events(candidates, [*load_catalogue().ids, UNMATCHED])
    record = load_events(curated, load_catalogue().ids)
    verdicts = review(table, record)
    rows = table.set_index("event_id")
    view = Table(title=f"{len(table)} candidates in {candidates} against {len(record)} events in {curated}")
    for column in ("id", "status", "date", "source → target", "type", "conf.", "evidence"):
        view.add_column(column, overflow="fold")
    for verdict in verdicts:
        row = rows.loc[verdict.candidate].to_dict() | {"event_id": verdict.candidate}
        status = verdict.status + (f" of {verdict.curated}" if verdict.curated else "")
        view.add_row(
            verdict.candidate,
            f"{status}: {verdict.reason}",
            _shown_date(row),
            f"{_actor_shown(row, 'source')} → {_actor_shown(row, 'target')}",
            row["event_type"],
            f"{row['confidence']:.2f}" if pd.notna(row["confidence"]) else "",
            str(row["evidence"])[:160],
        )
    console.print(view)
    ids = [part.strip() for value in accept or [] for part in value.split(",") if part.strip()]
    chosen, refused = select(verdicts, table, ids, accept_new)
    for reason in refused:
        console.print(reason, highlight=False)
    if not chosen:
        console.print(f"nothing accepted into {curated} (use --accept ID or --accept-new)")
        return
    added = accept_candidates(table, chosen, curated)
    for candidate, row in zip(chosen, added.to_dict(orient="records")):
        console.print(
            f"accepted {candidate} as {row['event_id']}: {row['source']} {row['event_type']} {row['target']}",
            highlight=False,
        )
    console.print(f"{len(added)} events appended to {curated}")


def _check_table_path(out: Path) -> None:
    if out.suffix not in (".csv", ".parquet"):
        raise InputError(f"has suffix {out.suffix!r}; expected FILE.csv or FILE.parquet", path=out, field="--out")
    require_parent(out)


def _shown_date(row: dict) -> str:
    return f"{'~' if row['date_inferred'] else ''}{pd.Timestamp(row['date']):%Y-%m-%d} ({row['date_precision']})"


def _actor_shown(row: dict, role: str) -> str:
    name = row.get(f"{role}_name")
    return row[role] if row[role] != "unmatched" or pd.isna(name) else f"unmatched '{name}'"


# --- end of documents to events ---


@app.command()
def actors() -> None:
    """List the actor catalogue with kinds, attributes and the documents naming each actor."""
    catalogue = load_catalogue()
    view = Table(title=f"{len(catalogue.actors)} actors")
    for column in ("id", "name", "kind", "capability", "resolve", "alignment", "aliases (en / fr)", "mentioned in"):
        view.add_column(column, overflow="fold")
    for actor in catalogue.actors:
        view.add_row(
            actor.id,
            actor.name,
            actor.kind,
            f"{actor.capability:.2f}",
            f"{actor.resolve:.2f}",
            f"{actor.alignment:+.2f}",
            ", ".join(actor.aliases.en[:3]) + " / " + ", ".join(actor.aliases.fr[:3]),
            ", ".join(name[:3] for name in actor.mentioned_in),
        )
    console.print(view)
    for name, spec in catalogue.attributes.items():
        console.print(f"[bold]{name}[/bold] {list(spec.range)}: {spec.meaning}")
    for name, meaning in catalogue.links.items():
        console.print(f"[bold]{name}[/bold]: {meaning}")


@app.command()
def parameters() -> None:
    """List the model's parameters with defaults, ranges, units and meanings."""
    view = Table(title=f"{len(parameter_specs())} parameters")
    for column in ("name", "default", "range", "unit", "meaning"):
        view.add_column(column, overflow="fold")
    for name, spec in parameter_specs().items():
        view.add_row(name, f"{spec.default:g}", f"[{spec.range[0]:g}, {spec.range[1]:g}]", spec.unit, spec.meaning)
    console.print(view)


# --- helpers ------------------------------------------------------------------------------------


def _with_overrides(
    loaded: LoadedScenario,
    seed: int | None = None,
    replicates: int | None = None,
    method: str | None = None,
    samples: int | None = None,
) -> LoadedScenario:
    """The scenario with command-line overrides, validated like the file itself."""
    changes: dict = {key: value for key, value in (("seed", seed), ("replicates", replicates)) if value is not None}
    if method is not None or samples is not None:
        if loaded.scenario.sweep is None:
            raise InputError(
                "declares no sweep; --method and --samples change a scenario's sweep", path=loaded.path, field="sweep"
            )
        sweep = loaded.scenario.sweep.model_dump(mode="json")
        changes["sweep"] = sweep | {
            key: value for key, value in (("method", method), ("samples", samples)) if value is not None
        }
    return loaded.with_changes(**changes) if changes else loaded


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so a terminated batch records what it kept."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _manifest(loaded: LoadedScenario, wall: float, n_events: int, plots: list[str]) -> dict:
    return {
        **scenario_record(loaded),
        "wall_seconds": round(wall, 3),
        "events": n_events,
        "files": ["events.parquet", "tension.parquet", *plots],
    }


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text("" if task.speed is None else f"{task.speed:.1f}/s", style="progress.data.speed")


def _iso3_codes(text: str) -> tuple[str, ...]:
    """Country codes from an option such as "mli, MRT,BFA" (upper case, blanks dropped)."""
    return tuple(code.strip().upper() for code in text.split(",") if code.strip())


def _default_out(name: str, create: bool = True) -> Path:
    """``results/NAME`` in the current folder, creating ``results/`` on first use unless the
    caller creates it itself once the input has been checked (``create=False``)."""
    results = Path("results")
    if create:
        results.mkdir(exist_ok=True)
    return results / name


def _refresh_report(loaded: LoadedConfig, fitted: Path) -> None:
    """Rewrite the calibration report when its fitted set exists (it is what the report is about)."""
    if (fitted / f"{loaded.config.name}.yaml").is_file():
        out = loaded.path.parent / "report.md"
        write_text(report_markdown(loaded, fitted, out), out)
        console.print(f"report: {out}")


def _documented_available(loaded: LoadedScenario) -> bool:
    path = loaded.documented_events_path
    if path is not None and not path.is_file():
        errors.print(f"note: the documented events {path} are not here; plotting without them")
        return False
    return path is not None


def _selected_metrics(requested: list[str] | None, key_pairs: list, metrics: pd.DataFrame) -> list[tuple[str, str]]:
    """(metric, pair) for the sweep plot: NAME[:PAIR], the first key pair by default; each must be
    in the batch's metrics table."""
    first = pair_label(*key_pairs[0])
    choices = requested or ["peak_tension", "weeks_above_threshold", "incidents"]
    selected = [tuple(choice.split(":", 1)) if ":" in choice else (choice, first) for choice in choices]
    known = set(zip(metrics["metric"], metrics["pair"]))
    unknown = [f"{name}:{pair}" for name, pair in selected if (name, pair) not in known]
    if unknown:
        raise InputError(
            f"{', '.join(unknown)} is not in this batch's metrics; expected NAME or NAME:PAIR with a NAME among "
            f"{sorted(set(metrics['metric']))} and a PAIR among {sorted(set(metrics['pair']) - {''})}",
            field="--metric",
        )
    return selected


def _one_point(tension: pd.DataFrame, point: int | None, folder: Path) -> pd.DataFrame:
    """The runs of one sweep point (all runs when ``point`` is None)."""
    if point is None:
        return tension
    chosen = tension[tension["point"] == point]
    if chosen.empty:
        raise InputError(
            f"has no runs at sweep point {point}; expected a point from 0 to {tension['point'].max()}",
            path=folder,
            field="--point",
        )
    return chosen


def _count(n: int, noun: str) -> str:
    """'1 worker', '2 workers'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    )


def _summary(events, replicates: int, out: Path, wall: float) -> None:
    counts = events.groupby("event_type").size().sort_values(ascending=False) / replicates
    view = Table(title=f"events per replicate ({replicates} replicates, {wall:.2f} s)")
    view.add_column("event type")
    view.add_column("mean count", justify="right")
    for kind, mean in counts.items():
        view.add_row(str(kind), f"{mean:.1f}")
    console.print(view)
    console.print(f"results in {out}/: events.parquet, tension.parquet, manifest.json, tension.png, tension.svg")


# --- the teaching page (issue 5) ------------------------------------------------------------------


@app.command("app")
def app_command(
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to serve on")] = 8765,
    host: Annotated[str, typer.Option(help="address to bind: 127.0.0.1 (this machine only) unless asked")] = LOOPBACK,
    scenario: Annotated[
        Optional[str], typer.Option(help="scenario the page opens with (a name from sim/data/classroom.yaml)")
    ] = None,
    scenarios: Annotated[Path, typer.Option(help="folder of the scenario files")] = Path("scenarios"),
) -> None:
    """Serve the interactive teaching page (mesa SolaraViz): levers, shocks, live plots, feed and monitors."""
    opening = scenario or classroom().scenarios[0]
    check_scenarios(opening, scenarios)
    check_port_free(host, port)
    console.print(
        f"sahelsim app: serving the teaching page on {where(host, port)}; Ctrl-C stops it.",
        highlight=False,
        soft_wrap=True,
    )
    serve(host, port, opening, scenarios)


def main() -> None:
    """Entry point: bad input becomes a one-paragraph message on stderr and exit code 2."""
    try:
        app()  # standalone: usage errors exit 2 with their message, Ctrl-C exits 1
    except InputError as error:
        errors.print(f"error: {error.message}", highlight=False, soft_wrap=True)
        sys.exit(2)
