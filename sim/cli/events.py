"""Event tables: ``sahelsim events`` and ``sahelsim events import | summary``.

``events`` lists the documented record; ``import`` brings conflict datasets (ACLED, UCDP GED)
into the event schema and ``summary`` describes what was imported.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from sim.cli.outputs import check_out_file, writing
from sim.cli.shared import choice, console, iso3_codes
from sim.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

# the dataset layouts of sim.records.datasets.Format, or auto: recognised from the header
DatasetFormat = Literal["auto", "acled", "ucdp"]
# the repository's curated record (sim/cli/events.py is two folders below it), wherever the command runs from
DOCUMENTED_EVENTS = Path(__file__).resolve().parents[2] / "calibration" / "events.csv"


def events(
    context: typer.Context,
    file: Annotated[Path, typer.Option(help="event table (CSV or Parquet)")] = DOCUMENTED_EVENTS,
    actor: Annotated[str | None, typer.Option(help="only events with this actor as source or target")] = None,
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="from this date (YYYY-MM-DD)")] = None,
    until: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="up to this date (YYYY-MM-DD)")
    ] = None,
    schema: Annotated[bool, typer.Option("--schema", help="print the JSON Schema of an event and stop")] = False,
) -> None:
    """List documented events, filtered by actor and date."""
    import pandas as pd

    from sim.core.actors import load_catalogue
    from sim.core.events import Event, load_events, select_events
    from sim.core.names import unknown

    if context.invoked_subcommand is not None:
        return
    if schema:
        print(json.dumps(Event.model_json_schema(), indent=2))
        return
    catalogue = load_catalogue()
    if actor is not None and actor not in catalogue.ids:
        raise InputError(unknown("actor", actor, catalogue.ids), field="--actor")
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


def events_import(
    files: Annotated[list[Path], typer.Argument(help="ACLED export(s) and/or UCDP GED CSV file(s)")],
    out: Annotated[Path, typer.Option(help="Parquet file to write the imported events to")],
    dataset_format: Annotated[
        DatasetFormat,
        typer.Option(
            "--format", help="auto (from the header), acled or ucdp", parser=choice(DatasetFormat, "format", "--format")
        ),
    ] = "auto",
    countries: Annotated[str | None, typer.Option(help="keep these ISO3 codes, e.g. MLI,MRT,BFA,NER")] = None,
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="from this date (YYYY-MM-DD)")] = None,
    until: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="up to this date (YYYY-MM-DD)")
    ] = None,
) -> None:
    """Import ACLED / UCDP GED events into the event schema (one Parquet file)."""
    from sim.core.io import write_parquet
    from sim.records.datasets import Selection, import_events, matched_share

    check_out_file(out)
    codes = iso3_codes(countries or "")
    started = time.perf_counter()
    table = import_events(files, dataset_format, Selection(codes, since and since.date(), until and until.date()))
    with writing(out):
        write_parquet(table, out)
    record = table.attrs["import"]
    share = matched_share(table)
    matched = (
        "no events kept, so no actor slots to match"
        if share is None
        else f"{share:.1%} of actor slots matched a catalogue actor"
    )
    left_out = ", ".join(f"{count} {reason}" for reason, count in record["dropped"].items())
    console.print(
        f"imported {record['rows_kept']} of {record['rows_read']} rows from {len(files)} file(s) in "
        f"{time.perf_counter() - started:.1f} s into {out}" + (f" (left out: {left_out})" if left_out else "") + "; "
        f"{record['cross_dataset_duplicates']} cross-dataset duplicates flagged; {matched}"
    )
    _print_unmatched(table)


def events_summary(
    file: Annotated[Path, typer.Argument(help="Parquet file written by 'sahelsim events import'")],
) -> None:
    """Imported events by year, actor pair and event type; unmatched names and bad optional values."""
    from sim.records.datasets import load_imported, summary_tables

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


def _print_unmatched(table: pd.DataFrame) -> None:
    """The actor names of an imported table that matched no catalogue actor, most frequent first."""
    from sim.records.datasets import ALIASES_PATH, unmatched_names

    names = unmatched_names(table)
    if names.empty:
        console.print("every actor name matched the alias table")
        return
    console.print(
        f"top unmatched actor names (extend {ALIASES_PATH.relative_to(ALIASES_PATH.parents[2])} to map them):"
    )
    for name, count in names.items():
        console.print(f"  {count:6d}  {name}", highlight=False)
