"""Forecast skill: ``sahelsim forecast`` and ``sahelsim score``.

``forecast`` scores out-of-sample forecasts of the documented record (Brier); ``score`` scores the
model against an imported dataset and the VIEWS benchmarks (CRPS). Both write their tables into a
calibration folder, as calibrate and sensitivity do (:func:`sim.cli.calibration.chosen_layout`), and
regenerate its report when it holds a fitted set (:func:`sim.cli.calibration.refresh_report`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.cli.calibration import OutOption, UpdateShippedOption, chosen_layout, print_indented, refresh_report
from sim.cli.shared import console, default_out, iso3_codes, progress, show_table
from sim.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from sim.calibration.scoring import Skill

CUTOFF = dt.datetime(2024, 6, 30)  # the cut-off of the shipped config's forecast: the last pre-Tinzaouaten month
UNTIL = dt.datetime(2024, 12, 31)


def forecast(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    out: OutOption = None,
    update_shipped: UpdateShippedOption = False,
    cutoff: Annotated[
        dt.datetime,
        typer.Option(
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            show_default=False,
            help=f"calibrate on documented events up to this date [default: {CUTOFF:%Y-%m-%d}]",
        ),
    ] = CUTOFF,
    scenario: Annotated[str, typer.Option(help="calibration scenario to forecast with")] = "sahel_2024",
    until: Annotated[
        dt.datetime,
        typer.Option(
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            show_default=False,
            help=f"score the months up to this date [default: {UNTIL:%Y-%m-%d}]",
        ),
    ] = UNTIL,
    population: Annotated[int, typer.Option(help="particles per generation of the cut-off calibration", min=10)] = 500,
    generations: Annotated[int, typer.Option(help="generations of the cut-off calibration", min=1)] = 8,
    runs: Annotated[int, typer.Option(help="posterior-predictive runs", min=1)] = 200,
) -> None:
    """Out-of-sample skill: calibrate up to a cut-off, forecast the months after it, score against baselines."""
    from sim.calibration.fitting import load_config
    from sim.calibration.forecast import forecast as run_forecast
    from sim.calibration.forecast import forecast_config
    from sim.core.io import write_csv

    loaded = load_config(config)
    layout = chosen_layout(loaded, out, update_shipped)
    oos = forecast_config(loaded, scenario, cutoff.date(), population, generations)
    console.print(f"calibrating on events up to {cutoff.date()}: targets {[t.name for t in oos.config.targets]}")
    scores = run_forecast(oos, scenario, until.date(), runs, report=print_indented)
    layout.create()
    write_csv(scores, layout.assets / "forecast_scores.csv")
    show_table(
        f"Brier score, {scenario}: key pairs x event families x months after {cutoff.date()} (lower is better)",
        ("forecast", "brier", "cells", "events observed"),
        ((str(r.forecast), f"{r.brier:.4f}", str(r.cells), str(r.events_observed)) for r in scores.itertuples()),
    )
    best = str(scores.sort_values("brier").iloc[0]["forecast"])
    console.print(f"best: {best}" + ("" if best.startswith("sahelsim") else " (the model does not beat this baseline)"))
    console.print(f"written: {layout.assets / 'forecast_scores.csv'}")
    refresh_report(loaded, layout)


def score(
    observed: Annotated[Path, typer.Option(help="imported events (Parquet from 'sahelsim events import')")],
    scenario: Annotated[Path, typer.Option(help="scenario whose runs are the model's forecast")] = Path(
        "scenarios/sahel_2024.yaml"
    ),
    runs: Annotated[int, typer.Option(help="model runs in the ensemble", min=2)] = 20,
    posterior: Annotated[
        Path | None,
        typer.Option(
            help="posterior particles to draw each run's parameters from [default: the scenario's parameters]"
        ),
    ] = None,
    countries: Annotated[str, typer.Option(help="ISO3 codes of the countries scored")] = "MLI,BFA,NER,MRT",
    horizon: Annotated[int, typer.Option(help="months ahead of each origin", min=1)] = 3,
    history: Annotated[int, typer.Option(help="months the bootstrap benchmark draws from", min=1)] = 12,
    out: Annotated[Path | None, typer.Option(help="folder for the scores and plot [default: results/score]")] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            help="calibration config whose report should include the table: the report in --out (a folder "
            "'calibrate --out' wrote), or with --update-shipped the committed one"
        ),
    ] = None,
    update_shipped: Annotated[
        bool,
        typer.Option(
            "--update-shipped", help="with --report: also write the table into the committed report beside the config"
        ),
    ] = False,
) -> None:
    """Rolling-origin CRPS of country-month fatalities and event counts: the model against the VIEWS benchmarks."""
    from sim.calibration.fitting import load_config
    from sim.calibration.report import Layout
    from sim.calibration.scoring import Design, covered, skill
    from sim.core.io import require_parent, write_csv
    from sim.model.scenario import load_scenario
    from sim.records.datasets import load_imported

    if update_shipped and report is None:
        raise InputError("needs --report CONFIG, the config whose committed report to update", field="--update-shipped")
    imported = load_imported(observed)
    loaded = load_scenario(scenario)
    particles = None if posterior is None else _posterior(posterior)
    scored, uncovered = covered(imported, iso3_codes(countries), observed)
    if uncovered:
        console.print(f"not scored: {', '.join(uncovered)} (no events of {observed.name} there)")
    spec = loaded.scenario
    out = out or default_out("score")
    require_parent(out)
    config = None if report is None else load_config(report)
    layout = None if config is None else Layout.shipped(config) if update_shipped else Layout.trial(config, out)
    with progress() as bar:
        bar.add_task(f"{spec.name}: {runs} runs", total=None)
        found = skill(imported, loaded, runs, particles, Design(scored, horizon, history))
    show_table(
        f"mean CRPS vs VIEWS benchmarks ({found.period}; lower is better)",
        ("measure", "forecaster", "mean CRPS", "model / this", "country-months"),
        (
            (str(r.measure), str(r.forecaster), f"{r.mean_crps:.2f}", f"{r.model_over_this:.2f}", str(r.cells))
            for r in found.summary.itertuples()
        ),
        names=2,
    )
    for measure, rows in found.summary.groupby("measure", sort=False):
        beaten = rows[(rows["forecaster"] != "sahelsim") & (rows["model_over_this"] > 1)]["forecaster"].tolist()
        console.print(
            f"{measure}: "
            + (f"the model loses to {', '.join(beaten)}" if beaten else "the model beats every benchmark")
        )
    out.mkdir(exist_ok=True)
    write_csv(found.scores, out / "crps_scores.csv")
    written = _write_skill(found, spec.name, out)
    console.print(f"written: {out / 'crps_scores.csv'}, " + ", ".join(map(str, written)))
    if config is not None and layout is not None:
        if layout.assets != out:
            layout.create()
            _write_skill(found, spec.name, layout.assets)
        refresh_report(config, layout)


def _posterior(path: Path) -> pd.DataFrame:
    """The posterior particles a --posterior option names."""
    import pandas as pd

    if not path.is_file():
        raise InputError(
            "file not found; expected posterior particles written by 'sahelsim calibrate'",
            path=path,
            field="--posterior",
        )
    return pd.read_parquet(path)


def _write_skill(found: Skill, name: str, folder: Path) -> list[Path]:
    """The CRPS table and its figure (what the report shows), in ``folder``; returns the files written."""
    from sim.core.io import write_csv
    from sim.plots import crps_figure, save_figure

    write_csv(found.summary, folder / "crps_table.csv")
    figure = crps_figure(found.summary, found.countries, f"{name} vs VIEWS benchmarks: {found.period}")
    return [folder / "crps_table.csv", *save_figure(figure, folder / "crps")]
