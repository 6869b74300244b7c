"""Running scenarios: ``sahelsim run | batch | validate``.

The simulation's layers are imported inside the commands: ``validate`` needs only the scenario
model, and ``--help`` none of them.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from sim.cli.shared import (
    CORES,
    MeasureOption,
    ObservedOption,
    ParametersFrom,
    ParametersOption,
    choice,
    console,
    default_out,
    errors,
    load_observed,
    progress,
)
from sim.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from sim.model.scenario import LoadedScenario

# The choices of sim.experiments.batch.Executor and sim.model.sweep.Method, whose modules are slower to
# import than --help should wait for (tests/cli/test_cli.py checks that they agree)
Executor = Literal["local", "dask"]
SweepMethod = Literal["grid", "lhs", "sobol"]


RUN_KIND = "sahelsim run"  # the run manifest's ``kind``: what may replace a folder (see sim.core.io.earlier_result)


def run(
    scenario: Annotated[Path, typer.Argument(help="scenario file (YAML)")],
    seed: Annotated[int | None, typer.Option(help="override the scenario's seed", min=0)] = None,
    replicates: Annotated[int | None, typer.Option(help="override the scenario's replicate count", min=1)] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="results folder: new, empty, or an earlier run's with --overwrite (in the default folder an earlier "
            "run of the same scenario is replaced) [default: results/<scenario name>]"
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="replace the earlier run result in --out (never any other folder)")
    ] = False,
    parameters: ParametersOption = None,
    observed: ObservedOption = None,
    observed_measure: MeasureOption = "events",
) -> None:
    """Run a scenario's replicates; write events, tension, a manifest and the tension plot."""
    from sim.core.io import (
        disk_full_guard,
        earlier_result,
        remove_stale_temporaries,
        results_folder,
        write_json,
        write_parquet,
    )
    from sim.experiments.runner import run_scenario
    from sim.model.scenario import load_scenario, require_run_memory
    from sim.plots import save_figure, tension_figure
    from sim.records.documented import documented_record

    loaded = _with_overrides(load_scenario(scenario), seed=seed, replicates=replicates, parameters=parameters)
    require_run_memory(loaded, "replicates" if replicates is None else "--replicates")
    imported = load_observed(observed, observed_measure)
    spec = loaded.scenario
    default = out is None
    out = out or default_out(spec.name)
    earlier = earlier_result(out, RUN_KIND)  # a folder that is not a run result is refused here, before the work
    # results/<scenario name> is this command's own folder: an earlier run of the scenario there is replaced
    overwrite = overwrite or (default and earlier is not None and earlier.get("scenario") == spec.name)
    documented_events, documented_tension = documented_record(loaded) or (None, None)
    remove_stale_temporaries(out)  # what a run killed halfway left beside its results folder
    console.print(f"parameters: {spec.parameter_source}")
    started = time.perf_counter()
    with disk_full_guard(out, field="--out"), results_folder(out, RUN_KIND, overwrite) as staging:
        with progress() as bar:
            task = bar.add_task(f"{spec.name}: replicates", total=spec.replicates)
            result = run_scenario(spec, progress=lambda done: bar.update(task, completed=done))
        wall = time.perf_counter() - started
        write_parquet(result.events, staging / "events.parquet")
        write_parquet(result.tension, staging / "tension.parquet")
        figure = tension_figure(
            result.tension, spec.key_pairs, spec.name, documented_events, documented_tension, imported
        )
        plots = save_figure(figure, staging / "tension")
        write_json(_manifest(loaded, wall, len(result.events), [p.name for p in plots]), staging / "manifest.json")
    _print_counts(result.events, spec.replicates, out, wall)
    if earlier is not None:
        console.print(f"replaced the earlier run of {earlier.get('scenario', '?')} ({earlier.get('created_at', '?')})")


def batch(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="scenario file (YAML) [default with --resume: the one the batch records]", show_default=False
        ),
    ] = None,
    replicates: Annotated[
        int | None, typer.Option(help="replicates per sweep point [default: the scenario's]", min=1)
    ] = None,
    workers: Annotated[
        int, typer.Option(help="worker processes [default: number of cores]", show_default=False, min=1)
    ] = CORES,
    executor: Annotated[
        Executor, typer.Option(help="local (process pool) or dask", parser=choice(Executor, "executor", "--executor"))
    ] = "local",
    address: Annotated[
        str | None, typer.Option(help="Dask scheduler, tcp://HOST:PORT [default: a new LocalCluster]")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="batch folder [default: results/<scenario name>-batch]")] = None,
    resume: Annotated[
        Path | None,
        typer.Option(help="finish the missing runs of this batch folder, with the scenario and options it records"),
    ] = None,
    method: Annotated[
        SweepMethod | None,
        typer.Option(
            help="override the sweep method: grid, lhs or sobol", parser=choice(SweepMethod, "sweep method", "--method")
        ),
    ] = None,
    samples: Annotated[int | None, typer.Option(help="override the sweep's sample count (lhs, sobol)", min=1)] = None,
    parameters: ParametersOption = None,
) -> None:
    """Run replicates times sweep points in parallel into a resumable Parquet store."""
    from sim.experiments.batch import run_batch
    from sim.experiments.store import BatchStore

    loaded = _batch_scenario(
        scenario, resume, out, replicates=replicates, method=method, samples=samples, parameters=parameters
    )
    spec = loaded.scenario
    folder = resume or out or default_out(f"{spec.name}-batch", create=False)
    console.print(f"parameters: {spec.parameter_source}")
    with progress() as bar, _terminate_as_interrupt():
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
    if outcome.set_aside:
        errors.print(
            f"note: {_count(len(outcome.set_aside), 'damaged file')} moved to {folder / 'damaged'}; "
            "the runs of their chunks were run again"
        )
    console.print(f"next: sahelsim summary {folder}  |  sahelsim plot {folder}")


def _batch_scenario(
    scenario: Path | None,
    resume: Path | None,
    out: Path | None,
    replicates: int | None,
    method: SweepMethod | None,
    samples: int | None,
    parameters: ParametersFrom | None,
) -> LoadedScenario:
    """The scenario a batch runs: the file with the options, or, to resume, the one the batch records.

    A batch is resumed as it was started (:func:`sim.experiments.resume.resumed_scenario`); a folder
    stopped before its manifest was written holds no scenario, so it needs the file.
    """
    from sim.experiments.resume import resumed_scenario
    from sim.experiments.store import BatchStore
    from sim.model.scenario import load_scenario

    given = None if scenario is None else load_scenario(scenario)
    if resume is not None:
        if out is not None and out.resolve() != resume.resolve():
            raise InputError(
                f"goes with a new batch; --resume {resume} finishes the batch in {resume} (leave --out out)",
                field="--out",
            )
        if BatchStore(resume).manifest_path.exists():
            options = {"--replicates": replicates, "--method": method, "--samples": samples, "--parameters": parameters}
            return resumed_scenario(BatchStore.existing(resume, field="--resume"), given, options)
    if given is None:
        raise InputError(
            "a new batch needs a scenario file: sahelsim batch SCENARIO"
            if resume is None
            else "holds no batch manifest.json (a batch stopped before it started, or not a batch's folder); "
            f"give the scenario to start it there: sahelsim batch SCENARIO --resume {resume}",
            path=resume,
            field="SCENARIO" if resume is None else "--resume",
        )
    return _with_overrides(given, replicates=replicates, method=method, samples=samples, parameters=parameters)


def validate(scenario: Annotated[Path, typer.Argument(help="scenario file (YAML)")]) -> None:
    """Check a scenario file without running it."""
    from sim.model.scenario import load_scenario, require_run_memory

    loaded = load_scenario(scenario)
    require_run_memory(loaded)
    spec = loaded.scenario
    console.print(
        f"[green]ok[/green] {scenario}: '{spec.name}', {spec.start} to {spec.end} ({spec.weeks} weeks), "
        f"{len(spec.actors)} actors, {len(spec.shocks)} shocks, {len(spec.parameters)} parameter overrides, "
        f"seed {spec.seed}, {spec.replicates} replicates"
    )


def _with_overrides(
    loaded: LoadedScenario,
    seed: int | None = None,
    replicates: int | None = None,
    method: SweepMethod | None = None,
    samples: int | None = None,
    parameters: ParametersFrom | None = None,
) -> LoadedScenario:
    """The scenario with command-line overrides, validated like the file itself."""
    given = (("seed", seed), ("replicates", replicates), ("parameters_from", parameters))
    changes: dict = {key: value for key, value in given if value is not None}
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
    from sim.experiments.store import scenario_record

    return {
        **scenario_record(loaded),
        "kind": RUN_KIND,
        "wall_seconds": round(wall, 3),
        "events": n_events,
        "files": ["events.parquet", "tension.parquet", *plots],
    }


def _count(n: int, noun: str) -> str:
    """'1 worker', '2 workers'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _print_counts(events: pd.DataFrame, replicates: int, out: Path, wall: float) -> None:
    """The mean count of each event type per replicate, and what the results folder holds."""
    counts = events.groupby("event_type").size().sort_values(ascending=False) / replicates
    view = Table(title=f"events per replicate ({replicates} replicates, {wall:.2f} s)")
    view.add_column("event type")
    view.add_column("mean count", justify="right")
    for kind, mean in counts.items():
        view.add_row(str(kind), f"{mean:.1f}")
    console.print(view)
    console.print(f"results in {out}/: events.parquet, tension.parquet, manifest.json, tension.png, tension.svg")
