"""Calibration: ``sahelsim calibrate | sensitivity | report``.

Each command writes what the calibration layer returns into the report's folder (``report/``
beside the config), then regenerates the report when a fitted set exists. The layers are
imported inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from sim.cli.shared import CORES, choice, console, progress
from sim.core.errors import InputError

if TYPE_CHECKING:
    from sim.calibration.checks import Checks
    from sim.calibration.fitting import LoadedConfig

# sim.calibration.sensitivity.Method (whose module loads SALib and the model), or both in turn
SensitivityMethod = Literal["morris", "sobol", "both"]


def calibrate(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    out: Annotated[
        Path | None,
        typer.Option(help="folder for the fitted set and posterior [default: fitted/ beside the config]"),
    ] = None,
    population: Annotated[int | None, typer.Option(help="override the particles per generation", min=10)] = None,
    generations: Annotated[int | None, typer.Option(help="override the maximum number of generations", min=1)] = None,
    workers: Annotated[
        int | None, typer.Option(help="override the worker processes (1 is bit-reproducible)", min=1)
    ] = None,
    checks: Annotated[int, typer.Option(help="posterior-predictive runs per scenario", min=1)] = 40,
) -> None:
    """Fit parameters to the documented events with ABC-SMC; write the posterior, the fitted set, checks and report."""
    from sim.calibration.checks import run_checks
    from sim.calibration.fitting import calibrate as calibrate_model
    from sim.calibration.fitting import fitted_set, load_config
    from sim.calibration.report import assets
    from sim.core.io import write_csv, write_parquet, write_yaml

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
    result = calibrate_model(loaded, report=print_indented)
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
    folder = assets(loaded)
    folder.mkdir(exist_ok=True)
    write_csv(result.generations.assign(seconds_total=round(result.seconds, 1)), folder / "generations.csv")
    console.print(f"posterior-predictive check: {checks} runs per scenario ...")
    found = run_checks(loaded, result.posterior, checks, loaded.config.budget.seed)
    _write_checks(loaded, found, folder)
    console.print(
        f"documented events reproduced (same type and pair, in their window, in >= half the runs): "
        f"{int(found.reproduction['reproduced'].sum())} of {len(found.reproduction)}"
    )
    refresh_report(loaded, out)


def sensitivity(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    method: Annotated[
        SensitivityMethod,
        typer.Option(help="morris, sobol or both", parser=choice(SensitivityMethod, "method", "--method")),
    ] = "both",
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
    workers: Annotated[int, typer.Option(help="worker processes", min=1)] = CORES,
    seed: Annotated[int, typer.Option(help="seed of the SALib samples", min=0)] = 1,
) -> None:
    """Morris screening and Sobol indices (SALib) of the calibration statistics to every parameter."""
    from sim.calibration.fitting import load_config
    from sim.calibration.report import assets
    from sim.calibration.sensitivity import analyse
    from sim.core.io import write_csv
    from sim.plots import save_figure, sensitivity_figure

    if samples & (samples - 1):
        raise InputError(f"got {samples}; Sobol sampling needs a power of two", field="--samples")
    loaded = load_config(config)
    folder = assets(loaded)
    folder.mkdir(exist_ok=True)
    for chosen, n in (("morris", trajectories), ("sobol", samples)):
        if method not in (chosen, "both"):
            continue
        with progress() as bar:
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
    refresh_report(loaded, config.parent / "fitted")


def _write_checks(loaded: LoadedConfig, found: Checks, folder: Path) -> None:
    """The posterior-predictive tables, and a fan chart of each scenario's runs with its documented record."""
    from sim.core.io import write_csv
    from sim.plots import save_figure, tension_figure
    from sim.records.documented import documented_record

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


def print_indented(line: str) -> None:
    """A calibration's progress line, under the command's own."""
    console.print(f"  {line}", highlight=False)


def report(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    fitted: Annotated[
        Path | None, typer.Option(help="folder of the fitted set [default: fitted/ beside the config]")
    ] = None,
) -> None:
    """Regenerate the calibration report from the fitted set, checks and sensitivity files."""
    from sim.calibration.fitting import load_config

    loaded = load_config(config)
    fitted = fitted or config.parent / "fitted"
    if not (fitted / f"{loaded.config.name}.yaml").is_file():
        raise InputError(f"holds no {loaded.config.name}.yaml; run 'sahelsim calibrate {config}' first", path=fitted)
    refresh_report(loaded, fitted)


def refresh_report(loaded: LoadedConfig, fitted: Path) -> None:
    """Rewrite the calibration report when its fitted set exists (it is what the report is about)."""
    from sim.calibration.report import report_markdown
    from sim.core.io import write_text

    if (fitted / f"{loaded.config.name}.yaml").is_file():
        out = loaded.path.parent / "report.md"
        write_text(report_markdown(loaded, fitted, out), out)
        console.print(f"report: {out}")
