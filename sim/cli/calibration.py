"""Calibration: ``sahelsim calibrate | sensitivity | report``.

Each command writes what the calibration layer returns into one calibration folder, then
regenerates that folder's report when it holds a fitted set. The folder is ``--out`` (by default
``results/calibration_NAME``, shared by the commands so that a trial's report gathers what was tried);
only ``--update-shipped`` writes the committed files beside the config, which the scenarios use. The
layers are imported inside the commands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from sim.cli.shared import CORES, choice, console, default_out, progress, show_table
from sim.core.errors import InputError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from sim.calibration.checks import Checks
    from sim.calibration.fitting import LoadedConfig
    from sim.calibration.report import Layout

# sim.calibration.sensitivity.Method (whose module loads SALib and the model), or both in turn
SensitivityMethod = Literal["morris", "sobol", "both"]
# sim.calibration.smc.Method, the budget's inference method (its module loads pandas)
InferenceMethod = Literal["abc", "npe"]

# --out and --update-shipped, as calibrate, sensitivity, forecast and report take them
OutOption = Annotated[
    Path | None,
    typer.Option(
        help="folder to write into: new, empty or one these commands wrote for the config "
        "[default: results/calibration_<config name>]"
    ),
]
UpdateShippedOption = Annotated[
    bool,
    typer.Option(
        "--update-shipped",
        help="write the committed files instead: fitted/, report/ and report.md beside the config, "
        "which the scenarios' parameter_set uses",
    ),
]


def calibrate(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    out: OutOption = None,
    update_shipped: UpdateShippedOption = False,
    population: Annotated[int | None, typer.Option(help="override the particles per generation", min=10)] = None,
    generations: Annotated[int | None, typer.Option(help="override the maximum number of generations", min=1)] = None,
    workers: Annotated[
        int | None, typer.Option(help="override the worker processes (the same bits whatever the count)", min=1)
    ] = None,
    checks: Annotated[int, typer.Option(help="posterior-predictive runs per scenario", min=1)] = 40,
    method: Annotated[
        InferenceMethod | None,
        typer.Option(
            help="override the budget's method: abc (ABC-SMC) or npe (neural posterior estimation)",
            parser=choice(InferenceMethod, "method", "--method"),
        ),
    ] = None,
    simulations: Annotated[
        int | None, typer.Option(help="override the prior simulations NPE trains on (method npe)", min=50)
    ] = None,
) -> None:
    """Fit parameters to the documented events (ABC-SMC or NPE); write the posterior, fitted set, checks and report."""
    from sim.calibration.checks import run_checks
    from sim.calibration.fitting import CalibrationResult, fitted_set, load_config
    from sim.calibration.fitting import fit as fit_model
    from sim.calibration.report import generations_table
    from sim.core.io import write_csv, write_parquet, write_yaml

    loaded = load_config(config)
    overrides = (
        ("population_size", population),
        ("max_generations", generations),
        ("workers", workers),
        ("method", method),
        ("simulations", simulations),
    )
    changes = {k: v for k, v in overrides if v is not None}
    if changes:
        loaded = loaded.with_budget(**changes)
    layout = chosen_layout(loaded, out, update_shipped)
    budget, name = loaded.config.budget, loaded.config.name
    plan = (
        f"NPE on {budget.simulations} prior simulations"
        if budget.method == "npe"
        else f"ABC-SMC, population {budget.population_size}, up to {budget.max_generations} generations"
    )
    console.print(
        f"calibrating '{name}': {len(loaded.config.fit)} parameters, {len(loaded.config.targets)} targets, "
        f"{plan}, {budget.workers} workers"
    )
    result = fit_model(loaded, report=print_indented)
    fitted = fitted_set(loaded, result)
    show_table(
        f"{name}: posterior (weighted median and 90 % interval)",
        ("parameter", "prior", "median", "5 %", "95 %"),
        (
            (
                parameter,
                f"[{entry.prior[0]:g}, {entry.prior[1]:g}]",
                f"{entry.median:.3g}",
                f"{entry.low_5:.3g}",
                f"{entry.high_95:.3g}",
            )
            for parameter, entry in fitted.parameters.items()
        ),
    )
    rate = result.simulations / result.seconds if result.seconds else float("nan")
    console.print(
        f"{result.method}: {result.simulations} simulations in {result.seconds:.1f} s ({rate:.1f} simulations/s)"
    )
    console.print(f"posterior-predictive check: {checks} runs per scenario ...")
    found = run_checks(loaded, result.posterior, checks, budget.seed)
    layout.create()
    write_parquet(result.posterior, layout.posterior)
    write_yaml(fitted.model_dump(mode="json"), layout.fitted_set)
    generations_csv = layout.assets / "generations.csv"
    if isinstance(result, CalibrationResult):
        write_csv(generations_table(result, budget), generations_csv)
    else:  # NPE has no generations (its fitted set's method says how it went): no earlier ABC fit's table stays
        generations_csv.unlink(missing_ok=True)
    _write_checks(loaded, found, layout.assets)
    console.print(
        f"documented events reproduced (same type and pair, in their window, in >= half the runs): "
        f"{int(found.reproduction['reproduced'].sum())} of {len(found.reproduction)}"
    )
    console.print(f"written: {layout.fitted_set}, its posterior and the checks in {layout.assets}")
    refresh_report(loaded, layout)


def sensitivity(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML)")],
    out: OutOption = None,
    update_shipped: UpdateShippedOption = False,
    method: Annotated[
        SensitivityMethod,
        typer.Option(help="morris, sobol or both", parser=choice(SensitivityMethod, "method", "--method")),
    ] = "both",
    trajectories: Annotated[
        int, typer.Option(help="Morris trajectories (runs: trajectories x (parameters + 1) x replicates)", min=2)
    ] = 100,
    samples: Annotated[
        int,
        typer.Option(help="Sobol base samples, a power of two (runs: samples x (parameters + 2) x replicates)", min=2),
    ] = 512,
    replicates: Annotated[
        int, typer.Option(help="runs per sample, with common random numbers; each index is of their mean", min=1)
    ] = 2,
    workers: Annotated[
        int, typer.Option(help="worker processes [default: number of cores]", show_default=False, min=1)
    ] = CORES,
    seed: Annotated[int, typer.Option(help="seed of the SALib samples", min=0)] = 1,
) -> None:
    """Morris screening and Sobol indices (SALib) of the calibration statistics to every parameter."""
    from sim.calibration.fitting import load_config
    from sim.calibration.sensitivity import analyse
    from sim.core.io import write_csv
    from sim.plots import save_figure, sensitivity_figure

    if samples & (samples - 1):
        raise InputError(f"got {samples}; Sobol sampling needs a power of two", field="--samples")
    loaded = load_config(config)
    layout = chosen_layout(loaded, out, update_shipped)
    methods: list[Literal["morris", "sobol"]] = ["morris", "sobol"] if method == "both" else [method]
    sizes = {"morris": trajectories, "sobol": samples}
    for chosen in methods:
        with progress() as bar:
            task = bar.add_task(f"{chosen}: runs", total=None)
            table = analyse(loaded, chosen, sizes[chosen], seed, replicates, workers, _advance(bar, task))
        layout.create()
        write_csv(table, layout.assets / f"sensitivity_{chosen}.csv")
        written = save_figure(sensitivity_figure(table, loaded.config.name), layout.assets / f"sensitivity_{chosen}")
        console.print(
            f"{chosen}: written {layout.assets / f'sensitivity_{chosen}.csv'}, " + ", ".join(map(str, written))
        )
        top = table.sort_values("index", ascending=False).drop_duplicates("statistic")
        for row in top.itertuples():
            console.print(f"  {row.statistic}: most sensitive to {row.parameter} ({row.index:.3g} ± {row.conf:.2g})")
    refresh_report(loaded, layout)


def _advance(bar: Progress, task: TaskID) -> Callable[[int, int], None]:
    """The progress callback of one task of a bar: runs done of their total."""

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update


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
    out: Annotated[
        Path | None,
        typer.Option(
            help="folder whose fitted set the report describes, as calibrate --out wrote it; the report is "
            "written there [default: results/calibration_<config name>]"
        ),
    ] = None,
    update_shipped: Annotated[
        bool,
        typer.Option(
            "--update-shipped", help="regenerate the committed report.md beside the config, of the shipped fit"
        ),
    ] = False,
) -> None:
    """Regenerate the calibration report from the fitted set, checks and sensitivity files."""
    from sim.calibration.fitting import load_config

    loaded = load_config(config)
    layout = chosen_layout(loaded, out, update_shipped)
    if not layout.fitted_set.is_file():
        raise InputError(
            f"holds no {layout.fitted_set.name}; run 'sahelsim calibrate {config} {layout.option}' first",
            path=layout.fitted,
        )
    refresh_report(loaded, layout)


def chosen_layout(loaded: LoadedConfig, out: Path | None, update_shipped: bool) -> Layout:
    """The calibration folder that --out or --update-shipped choose, checked before any work is done."""
    from sim.calibration.report import Layout

    if update_shipped:
        if out is not None:
            raise InputError(
                "cannot go with --update-shipped, which writes the committed files beside the config; expected "
                "one of them",
                field="--out",
            )
        return Layout.shipped(loaded)
    return Layout.trial(loaded, out or default_out(f"calibration_{loaded.config.name}"))


def refresh_report(loaded: LoadedConfig, layout: Layout) -> None:
    """Rewrite the layout's report when it holds a fitted set (which is what a report describes)."""
    from sim.calibration.report import report_markdown
    from sim.core.io import write_text

    if not layout.fitted_set.is_file():
        console.print(
            f"no report: {layout.fitted} holds no fitted set {layout.fitted_set.name} (write one with "
            f"'sahelsim calibrate {loaded.path} {layout.option}')",
            highlight=False,
        )
        return
    write_text(report_markdown(loaded, layout), layout.report)
    console.print(f"report: {layout.report}")
