"""Documents to events: ``sahelsim extract`` and ``sahelsim events review``.

``extract`` reads news articles into candidate events; ``events review`` compares them with the
curated record and accepts some into it. The extraction pipeline loads spaCy, an optional extra
(``pip install .[extract]``): it is imported inside the commands only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from sim.cli.events import DOCUMENTED_EVENTS
from sim.cli.outputs import check_out_file, writing
from sim.cli.shared import choice, console
from sim.core.errors import InputError

# the languages of sim.documents.extraction (whose module loads spaCy), or auto: recognised from the stop words
Language = Literal["auto", "en", "fr"]


def extract(
    articles: Annotated[list[Path], typer.Argument(help="plain-text news articles (English or French)")],
    published: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="publication date of articles without a leading 'date YYYY-MM-DD' line"
        ),
    ] = None,
    lang: Annotated[
        Language, typer.Option(help="auto, en or fr", parser=choice(Language, "language", "--lang"))
    ] = "auto",
    out: Annotated[Path | None, typer.Option(help="write the candidates to FILE.csv or FILE.parquet")] = None,
) -> None:
    """Extract candidate events (Event schema, origin 'extracted', with provenance) from news articles."""
    from sim.core.io import write_csv, write_parquet
    from sim.documents import extract_articles, read_article

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
        with writing(out):
            (write_parquet if out.suffix == ".parquet" else write_csv)(frame, out)
        console.print(f"wrote {len(frame)} candidates to {out}; review them with: sahelsim events review {out}")


def review(
    candidates: Annotated[Path, typer.Argument(help="candidate events written by 'sahelsim extract --out'")],
    accept: Annotated[
        list[str] | None, typer.Option(help="accept these candidate ids (repeat, or comma-separated)")
    ] = None,
    accept_new: Annotated[bool, typer.Option("--accept-new", help="accept every candidate reviewed as new")] = False,
    curated: Annotated[
        Path, typer.Option(help="the curated event record to compare with and append to")
    ] = DOCUMENTED_EVENTS,
) -> None:
    """Compare candidates with the curated record (new, duplicate, conflict); accept some into it."""
    import pandas as pd

    from sim.core.actors import UNMATCHED, load_catalogue
    from sim.core.events import load_events
    from sim.core.io import remove_stale_temporaries
    from sim.documents import accept as accept_candidates
    from sim.documents import review as review_candidates
    from sim.documents import select, write_record

    table = load_events(candidates, [*load_catalogue().ids, UNMATCHED])
    record = load_events(curated, load_catalogue().ids)
    verdicts = review_candidates(table, record)
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
    if refused and not chosen:  # something was asked for and none of it can be accepted
        raise InputError(
            f"nothing was accepted into {curated}: {'; '.join(refused)}; expected candidates that are new or "
            "in conflict, with catalogue actors",
            path=candidates,
            field="--accept" if ids else "--accept-new",
        )
    for reason in refused:
        console.print(reason, highlight=False)
    if not chosen:
        console.print(f"nothing accepted into {curated} (use --accept ID or --accept-new)")
        return
    grown = accept_candidates(table, chosen, curated)
    with writing(curated, "--curated"):
        remove_stale_temporaries(curated)  # what a review killed while writing the record left beside it
        write_record(grown)
    for candidate, row in zip(chosen, grown.added.to_dict(orient="records"), strict=True):
        console.print(
            f"accepted {candidate} as {row['event_id']}: {row['source']} {row['event_type']} {row['target']}",
            highlight=False,
        )
    console.print(f"{len(grown.added)} events appended to {curated}")


def _check_table_path(out: Path) -> None:
    """Refuse an --out that is neither FILE.csv nor FILE.parquet, or that could not be written."""
    if out.suffix not in (".csv", ".parquet"):
        raise InputError(f"has suffix {out.suffix!r}; expected FILE.csv or FILE.parquet", path=out, field="--out")
    check_out_file(out)


def _shown_date(row: dict) -> str:
    """'2024-04-19 (day)', with '~' before a date inferred from context."""
    import pandas as pd

    return f"{'~' if row['date_inferred'] else ''}{pd.Timestamp(row['date']):%Y-%m-%d} ({row['date_precision']})"


def _actor_shown(row: dict, role: str) -> str:
    """The actor id, or the name an unmatched actor was found under."""
    import pandas as pd

    name = row.get(f"{role}_name")
    return row[role] if row[role] != "unmatched" or pd.isna(name) else f"unmatched '{name}'"
