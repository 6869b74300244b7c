"""The command line: ``sahelsim run | validate | events | actors | parameters``.

Bad input is reported as one paragraph on stderr with exit code 2 and no traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sim.actors import load_catalogue
from sim.errors import InputError
from sim.events import Event, load_events, select_events
from sim.parameters import parameter_specs, resolve_parameters
from sim.plots import save_figure, tension_figure
from sim.runner import documented_record, run_scenario
from sim.scenario import LoadedScenario, load_scenario
from sim.store import provenance, results_folder, write_json, write_parquet

DOCUMENTED_EVENTS = Path("calibration/events.csv")

app = typer.Typer(help="sahelsim: agent-based simulation of Sahel geopolitics.", no_args_is_help=True, add_completion=False)
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
) -> None:
    """Run a scenario's replicates; write events, tension, a manifest and the tension plot."""
    loaded = _with_overrides(load_scenario(scenario), seed=seed, replicates=replicates)
    spec = loaded.scenario
    out = out or Path("results") / spec.name
    documented = documented_record(loaded)
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc)
    with results_folder(out) as staging:
        with _progress() as bar:
            task = bar.add_task(f"{spec.name}: replicates", total=spec.replicates)
            result = run_scenario(spec, progress=lambda done: bar.update(task, completed=done))
        wall = time.perf_counter() - started
        write_parquet(result.events, staging / "events.parquet")
        write_parquet(result.tension, staging / "tension.parquet")
        figure = tension_figure(
            result.tension, spec.key_pairs, spec.name,
            None if documented is None else documented[0], None if documented is None else documented[1],
        )
        plots = save_figure(figure, staging / "tension")
        write_json(_manifest(loaded, started_at, wall, len(result.events), [p.name for p in plots]), staging / "manifest.json")
    _summary(result.events, spec.replicates, out, wall)


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
    since: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="from this date (YYYY-MM-DD)")] = None,
    until: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="up to this date (YYYY-MM-DD)")] = None,
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
            row["event_id"], f"{inferred}{row['date']:%Y-%m-%d} ({row['date_precision']})",
            f"{row['source']} → {row['target']}", f"{row['event_type']} ({row['goldstein']:+.1f})",
            "" if pd.isna(deaths) else str(deaths), str(row["source_file"])[:3], "" if pd.isna(row["note"]) else row["note"],
        )
    console.print(view)
    console.print("~ marks a date inferred from context; file gives the seed's number (calibration/events.csv has the full name).")


@app.command()
def actors() -> None:
    """List the actor catalogue with kinds, attributes and the documents naming each actor."""
    catalogue = load_catalogue()
    view = Table(title=f"{len(catalogue.actors)} actors")
    for column in ("id", "name", "kind", "capability", "resolve", "alignment", "aliases (en / fr)", "mentioned in"):
        view.add_column(column, overflow="fold")
    for actor in catalogue.actors:
        view.add_row(
            actor.id, actor.name, actor.kind, f"{actor.capability:.2f}", f"{actor.resolve:.2f}", f"{actor.alignment:+.2f}",
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

def _with_overrides(loaded: LoadedScenario, seed: int | None, replicates: int | None) -> LoadedScenario:
    changes = {key: value for key, value in (("seed", seed), ("replicates", replicates)) if value is not None}
    if not changes:
        return loaded
    return loaded.model_copy(update={"scenario": loaded.scenario.model_copy(update=changes)})


def _manifest(loaded: LoadedScenario, started_at: dt.datetime, wall: float, n_events: int, plots: list[str]) -> dict:
    spec = loaded.scenario
    return {
        "scenario": spec.name,
        "scenario_path": str(loaded.path),
        "scenario_sha256": loaded.sha256,
        "scenario_text": loaded.text,
        "seed": spec.seed,
        "replicates": spec.replicates,
        "replicate_seeds": "numpy.random.SeedSequence(seed, spawn_key=(replicate,))",
        "parameters": vars(resolve_parameters(spec.parameters)),
        "versions": provenance(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 3),
        "events": n_events,
        "files": ["events.parquet", "tension.parquet", *plots],
    }


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=errors, transient=True,
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


def main() -> None:
    """Entry point: bad input becomes a one-paragraph message on stderr and exit code 2."""
    try:
        app()  # standalone: usage errors exit 2 with their message, Ctrl-C exits 1
    except InputError as error:
        errors.print(f"error: {error.message}", highlight=False, soft_wrap=True)
        sys.exit(2)
