"""Review of candidate events against the curated record, and accepting them into it.

A candidate is compared with every curated event: a *duplicate* has the same unordered actor
pair, the same event family and a date that can be the same day given both precisions; a
*conflict* has the same pair and event type at a different date no more than
``review.conflict_window_days`` away (another account of the same event, or a second event: a
person decides); anything else is *new*. Accepting returns the grown record, checked to load as
the curated file will be loaded; :func:`write_record` writes it over the file through a
temporary file and an atomic rename (:mod:`sim.core.io`), so the file is never half-written. A
duplicate is refused, so accepting an event twice adds it once. Accepted rows keep their
provenance (source file, span, rule, confidence, names as written) but not the article's
sentence (``evidence``), which stays out of the committed record.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from sim.core.actors import UNMATCHED, load_catalogue
from sim.core.errors import InputError
from sim.core.events import COLUMNS, event_families, load_events
from sim.core.io import write_parquet, write_text
from sim.documents.dates import PRECISIONS, overlap, period_end, period_start
from sim.documents.patterns import settings

Status = Literal["new", "duplicate", "conflict"]


@dataclass(frozen=True)
class Verdict:
    """How one candidate stands against the curated record."""

    candidate: str
    status: Status
    curated: str | None  # the curated event it repeats or contradicts
    reason: str


def same_event(first: dict, second: dict) -> bool:
    """Same unordered actor pair, same event family, dates that overlap given their precision."""
    return (
        {first["source"], first["target"]} == {second["source"], second["target"]}
        and event_families()[first["event_type"]] == event_families()[second["event_type"]]
        and overlap(_day(first["date"]), first["date_precision"], _day(second["date"]), second["date_precision"])
    )


def review(candidates: pd.DataFrame, curated: pd.DataFrame) -> list[Verdict]:
    """A verdict for every candidate, in the candidates' order.

    A duplicate names the curated event it repeats: one of the same type if there is one, and
    of all those the most precisely dated.
    """
    window = dt.timedelta(days=settings().review["conflict_window_days"])
    records = curated.to_dict(orient="records")
    verdicts = []
    for row in candidates.to_dict(orient="records"):
        same = sorted(
            (c for c in records if same_event(row, c)),
            key=lambda c: (c["event_type"] != row["event_type"], PRECISIONS.index(c["date_precision"])),
        )
        duplicate = same[0] if same else None
        if duplicate is not None:
            verdicts.append(Verdict(row["event_id"], "duplicate", duplicate["event_id"], "same pair, family and date"))
            continue
        close = sorted(
            (
                c
                for c in records
                if {row["source"], row["target"]} == {c["source"], c["target"]}
                and row["event_type"] == c["event_type"]
                and _gap(row, c) <= window
            ),
            key=lambda c: PRECISIONS.index(c["date_precision"]),
        )
        conflict = close[0] if close else None
        if conflict is not None:
            reason = f"same pair and type, dated {_day(conflict['date'])} ({conflict['date_precision']}) there"
            verdicts.append(Verdict(row["event_id"], "conflict", conflict["event_id"], reason))
        else:
            verdicts.append(
                Verdict(row["event_id"], "new", None, "no curated event of this pair and family at this date")
            )
    return verdicts


def select(
    verdicts: list[Verdict], candidates: pd.DataFrame, ids: Iterable[str], accept_new: bool
) -> tuple[list[str], list[str]]:
    """The candidates to accept and, for each one refused, why. Named ids must exist."""
    by_id = {verdict.candidate: verdict for verdict in verdicts}
    rows = candidates.set_index("event_id")
    unknown = sorted(set(ids) - set(by_id))
    if unknown:
        raise InputError(
            f"no candidate with id {unknown}; expected ids from the candidates file {sorted(by_id)}", field="--accept"
        )
    wanted = list(dict.fromkeys([*ids, *(v.candidate for v in verdicts if accept_new and v.status == "new")]))
    accepted, refused = [], []
    for candidate in wanted:
        verdict = by_id[candidate]
        unmatched = UNMATCHED in (rows.at[candidate, "source"], rows.at[candidate, "target"])
        if verdict.status == "duplicate":
            refused.append(f"{candidate}: not accepted, duplicate of {verdict.curated}")
        elif unmatched:
            names = [
                rows.at[candidate, f"{r}_name"] for r in ("source", "target") if rows.at[candidate, r] == UNMATCHED
            ]
            refused.append(
                f"{candidate}: not accepted, {names} is not in the actor catalogue "
                "(add it to sim/data/actors.yaml first)"
            )
        else:
            accepted.append(candidate)
    return accepted, refused


@dataclass(frozen=True)
class GrownRecord:
    """The curated record with accepted candidates appended: what to write over it, and the rows added.

    ``content`` is a CSV record's text, its existing lines kept byte for byte, or a Parquet
    record's table; :func:`write_record` writes it.
    """

    path: Path
    content: str | pd.DataFrame
    added: pd.DataFrame


def accept(candidates: pd.DataFrame, ids: list[str], curated_path: Path) -> GrownRecord:
    """The curated file with the candidates ``ids`` appended under fresh ids, checked to load as it will be read."""
    curated = load_events(curated_path, load_catalogue().ids)
    rows = candidates.set_index("event_id").loc[ids].reset_index()
    rows["event_id"] = _fresh_ids(curated["event_id"], len(rows))
    rows["evidence"] = pd.NA
    rows["duplicate_of"] = pd.NA
    content: str | pd.DataFrame
    if curated_path.suffix == ".parquet":
        content = pd.concat([curated, rows[list(COLUMNS)]], ignore_index=True)
    else:
        text = curated_path.read_text(encoding="utf-8")
        header = text.splitlines()[0].split(",")
        added = rows.reindex(columns=header)
        added["date"] = pd.to_datetime(added["date"]).dt.strftime("%Y-%m-%d")
        added["date_inferred"] = added["date_inferred"].map({True: "true", False: "false"})
        content = (text if text.endswith("\n") else text + "\n") + added.to_csv(
            index=False, header=False, lineterminator="\n"
        )
    grown = GrownRecord(curated_path, content, rows)
    _check_as_written(grown)
    return grown


def write_record(grown: GrownRecord) -> None:
    """Write the grown record over the curated file, through a temporary file and an atomic rename."""
    if isinstance(grown.content, str):
        write_text(grown.content, grown.path)
    else:
        write_parquet(grown.content, grown.path)


def _fresh_ids(existing: pd.Series, count: int) -> list[str]:
    """D-numbers after the highest in the curated file (D056, D057, ...)."""
    numbers = existing.str.extract(r"^D(\d+)$")[0].dropna().astype(int)
    start = int(numbers.max()) + 1 if len(numbers) else 1
    return [f"D{n:03d}" for n in range(start, start + count)]


def _check_as_written(grown: GrownRecord) -> None:
    """Load a scratch copy of the grown record as the curated file will be loaded.

    An accept that would leave the file invalid is refused before the file is touched.
    """
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / grown.path.name
        if isinstance(grown.content, str):
            trial.write_text(grown.content, encoding="utf-8")
        else:
            grown.content.to_parquet(trial, index=False)
        try:
            load_events(trial, load_catalogue().ids)
        except InputError as error:
            raise InputError(
                f"accepting would leave it invalid, so nothing was written ({error.problem})", path=grown.path
            ) from None


def _gap(first: dict, second: dict) -> dt.timedelta:
    """Time between two dated periods (zero when they overlap)."""
    spans = []
    for row in (first, second):
        start = period_start(_day(row["date"]), row["date_precision"])
        spans.append((start, period_end(start, row["date_precision"])))
    (a_start, a_end), (b_start, b_end) = spans
    return max(b_start - a_end, a_start - b_end, dt.timedelta(0))


def _day(value: dt.date | str) -> dt.date:
    """The calendar day of an event's date, whether a table gives it as a timestamp or as text."""
    return pd.Timestamp(value).date()
