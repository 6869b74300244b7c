"""Conflict datasets in: ACLED exports and UCDP GED files read into the one event schema.

Files are read as users have them (ACLED's export tool, the portal variant with a second
header row of HXL hashtags, UCDP GED CSV with quoted multi-line fields) by pyarrow's columnar
CSV reader, and every step after it works on whole columns, so a continent-wide export of
hundreds of thousands of rows imports in seconds. What the datasets' codes mean for the model
is data: actor names -> catalogue actors in ``sim/data/dataset_actors.yaml`` (exact names and
patterns; names matching nothing are kept under ``unmatched``), event coding, date precision
and country names in ``sim/data/dataset_event_types.yaml``.

A required value that cannot be read (an id, a date, a fatality count, a precision code) stops the
import with the file, row and column, and so do a date outside the plausible range, a death count
above the configured bound (both in the coding file), a byte that is not UTF-8 anywhere in the file
and one event id given to rows that say different things. A bad optional value (coordinates, an
ACLED export timestamp) is left empty and counted in the table's ``attrs["import"]``, which Parquet
keeps and ``summary`` reports, together with the rows left out and why.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.core.actors import UNMATCHED, ActorKind, load_catalogue
from sim.core.datafiles import PACKAGE_DATA, load_yaml_model
from sim.core.errors import InputError
from sim.core.events import Precision, event_families, event_types, validate_frame

ALIASES_PATH = PACKAGE_DATA / "dataset_actors.yaml"
CODING_PATH = PACKAGE_DATA / "dataset_event_types.yaml"
Format = Literal["acled", "ucdp"]
HXL_MARK = "#"
# What a file holds when it starts with these bytes instead of CSV text, and the command that unpacks it.
ARCHIVES = (
    (b"PK\x03\x04", "a zip archive", "unzip"),
    (b"\x1f\x8b", "a gzip archive", "gunzip"),
    (b"BZh", "a bzip2 archive", "bunzip2"),
    (b"\xfd7zXZ\x00", "an xz archive", "unxz"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "7z x"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive", "unzstd"),
)
BLOCK = 1 << 24  # bytes pyarrow's reader parses at a time
CHECK_BLOCK = 1 << 20  # bytes the UTF-8 check decodes at a time (its text, up to 4 bytes a character, is dropped)
NULL_VALUES = ["", "NA"]  # empty cells, and the "NA" that exports written from R (acled.api, readr) carry


# --- the mapping tables ---------------------------------------------------------------------------


class AliasRule(BaseModel):
    """The dataset names of one catalogue actor."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    actor: str
    names: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)


class AliasTable(BaseModel):
    """The dataset actor names mapped to catalogue actors (``dataset_actors.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    aliases: list[AliasRule]
    no_target: Literal["country_state"]

    @model_validator(mode="after")
    def _known_actors(self) -> AliasTable:
        unknown = sorted({rule.actor for rule in self.aliases} - set(load_catalogue().ids))
        if unknown:
            raise ValueError(f"aliases name unknown actors {unknown}; expected catalogue ids")
        for rule in self.aliases:
            for pattern in rule.patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(
                        f"pattern {pattern!r} of {rule.actor} is not a regular expression ({exc})"
                    ) from None
        return self


class AcledType(BaseModel):
    """One ACLED event_type: its default type, per sub_event_type and per acting-actor kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    default: str
    sub_event_types: dict[str, str] = Field(default_factory=dict)
    by_source_kind: dict[ActorKind, str] = Field(default_factory=dict)


class AcledCoding(BaseModel):
    """How ACLED's event types, sub-event types and time precisions map into the event schema."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    event_types: dict[str, AcledType]
    date_precision: dict[int, Precision]


class UcdpCoding(BaseModel):
    """How UCDP GED's types of violence and date precisions map into the event schema."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    event_types: dict[int, str]
    date_precision: dict[int, Precision]


class DateRange(BaseModel):
    """The event dates an import accepts: a fixed first day, and a last one that moves with the day of the import."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    earliest: dt.date
    years_after_today: int = Field(ge=0, le=100)

    def bounds(self) -> tuple[dt.date, dt.date]:
        """The first and the last accepted day, as of today."""
        latest = pd.Timestamp(dt.date.today()) + pd.DateOffset(years=self.years_after_today)
        return self.earliest, latest.date()


class DatasetCoding(BaseModel):
    """The whole coding of imported datasets (``dataset_event_types.yaml``), with its bounds and duplicate rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    acled: AcledCoding
    ucdp: UcdpCoding
    duplicate_days: dict[Precision, int]
    duplicate_km: float = Field(gt=0)
    date_range: DateRange
    max_count: int = Field(gt=0, le=2**53)  # counts pass through float64, exact up to 2**53
    countries: dict[str, str]

    @model_validator(mode="after")
    def _known_types(self) -> DatasetCoding:
        named = set(self.ucdp.event_types.values())
        for entry in self.acled.event_types.values():
            named |= {entry.default, *entry.sub_event_types.values(), *entry.by_source_kind.values()}
        unknown = sorted(named - set(event_types()))
        if unknown:
            raise ValueError(f"maps to unknown event types {unknown}; expected types of event_types.yaml")
        return self


@lru_cache(maxsize=1)
def alias_table() -> AliasTable:
    """The alias table, read once."""
    return load_yaml_model(AliasTable, ALIASES_PATH)


@lru_cache(maxsize=1)
def coding() -> DatasetCoding:
    """The dataset coding, read once."""
    return load_yaml_model(DatasetCoding, CODING_PATH)


def match_actors(names: pd.Series) -> pd.Series:
    """Catalogue actor ids for dataset actor names (``unmatched`` for names matching no alias).

    Each distinct name is matched once, so the cost grows with the number of names, not rows.
    """
    table = alias_table()
    exact = {name: rule.actor for rule in table.aliases for name in rule.names}
    patterns = [(re.compile(pattern), rule.actor) for rule in table.aliases for pattern in rule.patterns]

    def one(name: str) -> str:
        if name in exact:
            return exact[name]
        return next((actor for pattern, actor in patterns if pattern.match(name)), UNMATCHED)

    distinct = names.dropna().unique()
    return names.map({name: one(name) for name in distinct}).astype("string")


# --- reading the files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What identifies a dataset's CSV and which of its columns the import needs."""

    name: Format
    signature: tuple[str, ...]  # columns that identify the format
    required: tuple[str, ...]  # the event id first, the date second

    @property
    def id_column(self) -> str:
        """The column of the dataset's event id."""
        return self.required[0]


LAYOUTS = (
    Layout(
        "acled",
        ("event_id_cnty", "event_date", "sub_event_type"),
        (
            "event_id_cnty",
            "event_date",
            "time_precision",
            "event_type",
            "sub_event_type",
            "actor1",
            "actor2",
            "country",
            "location",
            "latitude",
            "longitude",
            "fatalities",
        ),
    ),
    Layout(
        "ucdp",
        ("id", "type_of_violence", "side_a", "side_b", "date_start", "date_prec"),
        (
            "id",
            "type_of_violence",
            "side_a",
            "side_b",
            "date_start",
            "date_prec",
            "country",
            "where_description",
            "latitude",
            "longitude",
            "best",
            "low",
            "high",
        ),
    ),
)
OPTIONAL = {"acled": ("timestamp",), "ucdp": ()}


@dataclass
class RawTable:
    """One file's columns as text, with the offset from a table row to the file's data row number."""

    path: Path
    layout: Layout
    columns: pd.DataFrame
    first_row: int  # data row number (1 = the first row after the header) of table row 0

    def fail(self, positions: np.ndarray, column: str, expected: str) -> None:
        """Raise for the first flagged row, naming its data row and value."""
        if positions.any():
            row = int(np.flatnonzero(positions)[0])
            value = self.columns[column].iloc[row]
            raise InputError(
                f"data row {row + self.first_row} has {column} {None if pd.isna(value) else value!r}; "
                f"expected {expected}",
                path=self.path,
                field=column,
            )


def read_file(path: Path, requested: str = "auto") -> RawTable:
    """Read an ACLED or UCDP CSV with pyarrow, every column as text; detect its format from the header."""
    path = Path(path)
    header = _header(path)
    layout = _layout(path, header, requested)
    _require_utf8(path, header)
    needed = [c for c in (*layout.required, *OPTIONAL[layout.name]) if c in header]
    try:
        table = _read_csv(path, header, needed, pa.string())
    except pa.ArrowInvalid as exc:
        raise _unparsable(path, header, layout, exc) from None
    first_row = 1
    first = table.column(layout.required[1])
    if table.num_rows and str(first[0]).startswith(HXL_MARK):  # the portal variant's HXL hashtag row
        table, first_row = table.slice(1), 2
    if table.num_rows == 0:
        raise InputError(f"holds a header but no events; expected at least one {layout.name.upper()} row", path=path)
    columns = table.to_pandas(types_mapper=_arrow_strings)
    return RawTable(path, layout, columns.apply(_stripped), first_row)


def _read_csv(
    path: Path,
    header: list[str],
    columns: list[str],
    kind: pa.DataType,
    threads: bool = True,
    on_invalid: Callable[[pacsv.InvalidRow], Literal["skip", "error"]] | None = None,
) -> pa.Table:
    """The file's data rows (the header row skipped, its names given) in ``columns``, each of type ``kind``."""
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK, use_threads=threads),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={name: kind for name in columns},
            include_columns=columns,
            strings_can_be_null=True,
            null_values=NULL_VALUES,
            quoted_strings_can_be_null=True,
        ),
    )


def _stripped(column: pd.Series) -> pd.Series:
    """Cells without surrounding spaces; a cell of spaces only is empty, like an empty one."""
    column = column.str.strip()
    return column.mask(column == "")


def _arrow_strings(kind: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    """Arrow's strings as pandas strings backed by Arrow; every other column in pandas' default type."""
    return pd.StringDtype("pyarrow") if kind == pa.string() else None


def _header(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError("file not found; expected an ACLED or UCDP GED CSV file", path=path)
    with path.open("rb") as handle:
        start = handle.read(1 << 16)
    for magic, kind, command in ARCHIVES:
        if start.startswith(magic):
            raise InputError(f"is {kind}; unpack it ({command} {path.name}) and import the CSV inside", path=path)
    if not start.strip():
        raise InputError("is empty; expected an ACLED or UCDP GED CSV file with a header row", path=path)
    try:  # the first line only, decoded incrementally: a character cut at the end of the 64 KB read is no error
        line = codecs.getincrementaldecoder("utf-8-sig")().decode(start.split(b"\n", 1)[0])
    except UnicodeDecodeError:
        raise InputError(
            "is not UTF-8 text; expected an ACLED or UCDP GED CSV file (re-save it as UTF-8)", path=path, line=1
        ) from None
    return [name.strip().strip('"').lower() for name in (line.splitlines() or [""])[0].split(",")]


def _require_utf8(path: Path, header: list[str]) -> None:
    """Refuse a byte that is not UTF-8 anywhere in the file, with its row and column where they can be found.

    pyarrow checks only the columns it converts, so a stray Latin-1 byte in a column the import
    skips (notes, sources) would pass unseen while the same byte in a read column stops it; the
    whole file is decoded in blocks instead (a fraction of a second per 100 MB).
    """
    decoder, newlines = codecs.getincrementaldecoder("utf-8")(), 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(CHECK_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:  # exc.object: the block after the bytes held from the one before
                line = newlines + exc.object[: exc.start].count(b"\n") + 1
                raise _undecodable(path, header, line, exc.object[exc.start]) from None
            if not block:
                return
            newlines += block.count(b"\n")


def _undecodable(path: Path, header: list[str], line: int, byte: int) -> InputError:
    """The error for a file that is not UTF-8, naming the first such cell's data row and column.

    The cells are found by reading every column as bytes, each checked whole by pyarrow and bisected
    where it fails; a file that does not parse as CSV is named with the line of the byte instead.
    """
    problem = f"byte 0x{byte:02x}, which is not UTF-8"
    advice = "expected UTF-8 text (re-save the file as UTF-8)"
    try:
        table = _read_csv(path, header, header, pa.binary())
    except pa.ArrowInvalid:
        table = None
    first_rows = {} if table is None else {i: _first_undecodable(table.column(i)) for i in range(table.num_columns)}
    found = [(row, position) for position, row in first_rows.items() if row is not None]
    if table is None or not found:
        return InputError(f"has {problem}; {advice}", path=path, line=line)
    row, position = min(found)  # the first row, and in it the first column from the left
    column = table.column_names[position]
    text = table.column(position)[row].as_py().decode("utf-8", "replace")
    at = text.find("\ufffd")
    return InputError(
        f"data row {row + 1} has {column} with {problem} (shown as \ufffd in {text[max(at - 30, 0) : at + 30]!r}); "
        f"{advice}",
        path=path,
        field=column,
    )


def _first_undecodable(column: pa.ChunkedArray) -> int | None:
    """The first row whose bytes are not UTF-8, by bisection on pyarrow's vectorised check."""

    def valid(stop: int) -> bool:
        try:
            column.slice(0, stop).cast(pa.string())
        except pa.ArrowInvalid:
            return False
        return True

    if valid(len(column)):
        return None
    good, bad = 0, len(column)
    while bad - good > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if valid(middle) else (good, middle)
    return good


def _unparsable(path: Path, header: list[str], layout: Layout, exc: pa.ArrowInvalid) -> InputError:
    """The error for a file pyarrow cannot parse, naming the first row whose values do not match the header.

    The row is found by a second, single-threaded read (the only kind that numbers its rows); a
    problem that is not one row's is told in pyarrow's own words.
    """
    rows: list[pacsv.InvalidRow] = []

    def stop(row: pacsv.InvalidRow) -> Literal["error"]:
        rows.append(row)
        return "error"

    with contextlib.suppress(pa.ArrowInvalid):  # the error is the one read_file caught; the row is what is new
        _read_csv(path, header, header[:1], pa.binary(), threads=False, on_invalid=stop)
    expected = f"expected an {layout.name.upper()} export"
    row = rows[0] if rows else None
    if row is not None and row.number is not None:
        return InputError(
            f"data row {row.number - 1} has {row.actual_columns} values where the header has {row.expected_columns} "
            f"(a comma or a quote out of place?); {expected}",
            path=path,
        )
    return InputError(f"is not a readable CSV ({str(exc)[:300]}); {expected}", path=path)


def _layout(path: Path, header: list[str], requested: str) -> Layout:
    if requested not in ("auto", *(layout.name for layout in LAYOUTS)):
        raise InputError(f"unknown format {requested!r}; expected auto, acled or ucdp", field="--format")
    candidates = [layout for layout in LAYOUTS if requested in ("auto", layout.name)]
    for layout in candidates:
        if requested != "auto" or set(layout.signature) <= set(header):
            missing = [column for column in layout.required if column not in header]
            if missing:
                raise InputError(
                    f"lacks the {layout.name.upper()} column(s) {missing}; the header has {header[:12]}...",
                    path=path,
                    line=1,
                )
            twice = sorted(
                {column for column in (*layout.required, *OPTIONAL[layout.name]) if header.count(column) > 1}
            )
            if twice:
                raise InputError(
                    f"names the column(s) {twice} more than once; expected each column the import reads once",
                    path=path,
                    line=1,
                )
            return layout
    raise InputError(
        "is neither an ACLED export (columns event_id_cnty, event_date, sub_event_type, ...) nor a UCDP GED file "
        f"(id, type_of_violence, side_a, side_b, date_start, date_prec, ...); its header starts {header[:6]}",
        path=path,
        line=1,
    )


# --- parsing columns ------------------------------------------------------------------------------


def _dates(raw: RawTable, column: str) -> pd.Series:
    """ISO dates, or the '15 January 2023' form of older ACLED exports, within the configured date range.

    Any other value stops the import. Dates are parsed at microseconds, whose range holds any
    four-digit year, and checked before they become the table's nanoseconds, whose range ends in
    1677 and 2262.
    """
    earliest, latest = coding().date_range.bounds()
    text = raw.columns[column]
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")
    unread = dates.isna() & text.notna()
    if unread.any():
        dates[unread] = pd.to_datetime(text[unread], format="%d %B %Y", errors="coerce").astype("datetime64[us]")
    outside = dates.isna() | (dates < pd.Timestamp(earliest)) | (dates > pd.Timestamp(latest))
    raw.fail(
        outside.to_numpy(),
        column,
        f"a date from {earliest} to {latest} (date_range of {CODING_PATH.name}) as YYYY-MM-DD or '15 January 2023'",
    )
    return dates.astype("datetime64[ns]")


def _counts(raw: RawTable, column: str, required: bool, bad: Counter) -> pd.Series:
    """Whole numbers from 0 to the configured ``max_count``.

    A larger one stops the import even where the value is optional (it is a broken file, not a
    missing figure, and would overflow the integer column); another bad optional value is left
    empty and counted.
    """
    limit = coding().max_count
    text = raw.columns[column]
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    wrong = (numbers.isna() & text.notna()) | (numbers < 0) | (numbers % 1 != 0)
    refused = (numbers > limit) | ((wrong | text.isna()) if required else False)
    raw.fail(refused.to_numpy(), column, f"a whole number from 0 to {limit} (max_count of {CODING_PATH.name})")
    bad[column] += int(wrong.sum())
    return numbers.mask(wrong).astype("Int64")


def _edition(raw: RawTable, bad: Counter) -> str:
    """' (export updated YYYY-MM-DD)' from the newest of ACLED's row timestamps (Unix seconds), '' without one.

    A timestamp that is not a number within the configured date range is a bad optional value,
    counted and not used.
    """
    if "timestamp" not in raw.columns:
        return ""
    text = raw.columns["timestamp"]
    seconds = pd.to_numeric(text, errors="coerce").astype("float64")
    earliest, latest = (pd.Timestamp(day, tz="UTC").timestamp() for day in coding().date_range.bounds())
    wrong = text.notna() & ~seconds.between(earliest, latest)
    bad["timestamp"] += int(wrong.sum())
    newest = seconds.mask(wrong).max()
    return "" if math.isnan(newest) else f" (export updated {dt.datetime.fromtimestamp(newest, dt.UTC):%Y-%m-%d})"


def _coordinates(raw: RawTable, column: str, limit: float, bad: Counter) -> pd.Series:
    text = raw.columns[column]
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    wrong = (numbers.isna() & text.notna()) | (numbers.abs() > limit)
    bad[column] += int(wrong.sum())
    return numbers.mask(wrong)


def _codes(raw: RawTable, column: str, table: Mapping[int, str], expected: str) -> pd.Series:
    """A dataset code looked up in its mapping table; an unknown code stops the import."""
    numbers = pd.to_numeric(raw.columns[column], errors="coerce")
    mapped = numbers.map(table)
    raw.fail(mapped.isna().to_numpy(), column, f"{expected} (one of {sorted(table)})")
    return mapped.astype("string")


def _period_start(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """ACLED dates coarser than a day become the first day of their week or month, as the schema says.

    ACLED places them inside the period; UCDP's date_start already opens its range.
    """
    result = dates.copy()
    for name, freq in (("week", "W-SUN"), ("month", "M"), ("year", "Y")):
        rows = (precision == name).to_numpy()
        if rows.any():
            result[rows] = dates[rows].dt.to_period(freq).dt.start_time
    return result


def _country_codes(names: pd.Series) -> pd.Series:
    return names.map(coding().countries).astype("string")


def _version(path: Path) -> str:
    """UCDP's version from the file name as UCDP ships it (GEDEvent_v23_1.csv, ged231.csv)."""
    found = re.search(r"(?:ged|_v)(\d{2})[._]?(\d{1,2})(?!\d)", path.name, flags=re.IGNORECASE)
    return f"{coding().ucdp.name} {found.group(1)}.{found.group(2)}" if found else coding().ucdp.name


# --- one file into the schema ---------------------------------------------------------------------


def _acled(raw: RawTable, bad: Counter) -> pd.DataFrame:
    spec = coding().acled
    columns = raw.columns
    precision = _codes(raw, "time_precision", spec.date_precision, "an ACLED time precision")
    kinds = raw.columns["event_type"]
    raw.fail(
        (~kinds.isin(list(spec.event_types)).fillna(False)).to_numpy(),
        "event_type",
        f"an ACLED event type of sim/data/dataset_event_types.yaml ({sorted(spec.event_types)})",
    )
    source = match_actors(columns["actor1"]).fillna(UNMATCHED)
    kind_of = {actor.id: actor.kind for actor in load_catalogue().actors}
    event_type = pd.Series(pd.NA, index=columns.index, dtype="string")
    for name, entry in spec.event_types.items():
        rows = kinds == name
        event_type[rows] = entry.default
        for sub, mapped in entry.sub_event_types.items():
            event_type[rows & (columns["sub_event_type"] == sub)] = mapped
        for kind, mapped in entry.by_source_kind.items():
            event_type[rows & (source.map(kind_of) == kind)] = mapped
    country = _country_codes(columns["country"])
    return pd.DataFrame(
        {
            "original_id": columns["event_id_cnty"],
            "date": _period_start(_dates(raw, "event_date"), precision),
            "date_precision": precision,
            "source_name": columns["actor1"],
            "target_name": columns["actor2"],
            "source": source,
            "target": _targets(columns["actor2"], country),
            "event_type": event_type,
            "location": columns["location"],
            "country": country,
            "latitude": _coordinates(raw, "latitude", 90, bad),
            "longitude": _coordinates(raw, "longitude", 180, bad),
            "fatalities": _counts(raw, "fatalities", True, bad),
            "dataset": spec.name + _edition(raw, bad),
        }
    )


def _ucdp(raw: RawTable, bad: Counter) -> pd.DataFrame:
    spec = coding().ucdp
    columns = raw.columns
    country = _country_codes(columns["country"])
    low, best, high = (_counts(raw, column, column == "best", bad) for column in ("low", "best", "high"))
    inconsistent = (low > best).fillna(False) | (best > high).fillna(False)
    bad["low/high"] += int(inconsistent.sum())
    return pd.DataFrame(
        {
            "original_id": columns["id"],
            "date": _dates(raw, "date_start"),
            "date_precision": _codes(raw, "date_prec", spec.date_precision, "a UCDP date precision"),
            "source_name": columns["side_a"],
            "target_name": columns["side_b"],
            "source": match_actors(columns["side_a"]).fillna(UNMATCHED),
            "target": _targets(columns["side_b"], country),
            "event_type": _codes(raw, "type_of_violence", spec.event_types, "a UCDP type of violence"),
            "location": columns["where_description"].str.replace(r"\s+", " ", regex=True),
            "country": country,
            "latitude": _coordinates(raw, "latitude", 90, bad),
            "longitude": _coordinates(raw, "longitude", 180, bad),
            "fatalities": best,
            "fatalities_low": low.mask(inconsistent),
            "fatalities_high": high.mask(inconsistent),
            "dataset": _version(raw.path),
        }
    )


def _targets(names: pd.Series, country: pd.Series) -> pd.Series:
    """Matched second actors; without a second actor, the state of the event's country (else unmatched)."""
    state_of = {actor.iso3: actor.id for actor in load_catalogue().actors if actor.kind == "state" and actor.iso3}
    matched = match_actors(names)
    return matched.fillna(country.map(state_of).astype("string")).fillna(UNMATCHED)


def import_file(path: Path, requested: str = "auto") -> tuple[pd.DataFrame, Counter]:
    """One file as event rows and its count of bad optional values.

    The rows are not yet filtered or validated, and carry their ``data_row`` in the file for the
    messages of the steps after.
    """
    raw = read_file(path, requested)
    raw.fail(raw.columns[raw.layout.id_column].isna().to_numpy(), raw.layout.id_column, "an event id")
    bad: Counter = Counter()
    frame = _acled(raw, bad) if raw.layout.name == "acled" else _ucdp(raw, bad)
    frame["event_id"] = raw.layout.name + ":" + frame["original_id"]
    frame["origin"] = "imported"
    frame["date_inferred"] = False
    frame["source_file"] = path.name
    frame["data_row"] = np.arange(len(frame)) + raw.first_row
    return frame, bad


# --- many files into one table --------------------------------------------------------------------


# Why rows read are not in the imported table: the keys of ``attrs["import"]["dropped"]``.
OLDER_EDITION = "older edition of an event read"
REPEAT_IN_FILE = "repeats a row earlier in its file"
REPEAT_OF_FILE = "repeats a row of another file"
OUTSIDE_COUNTRIES = "outside the selected countries"
BEFORE_SINCE = "before the selected start"
AFTER_UNTIL = "after the selected end"
PROVENANCE = ("dataset", "source_file", "file_number", "data_row")  # where a row was read, not what it says


@dataclass(frozen=True)
class Selection:
    """Which imported events to keep."""

    countries: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None

    def __post_init__(self) -> None:
        """Refuse country codes that are not ISO 3166 alpha-3 and a start after the end."""
        wrong = [code for code in self.countries if not re.fullmatch(r"[A-Z]{3}", code)]
        if wrong:
            raise InputError(
                f"got {wrong}; expected ISO 3166 alpha-3 codes such as MLI,MRT,BFA,NER", field="--countries"
            )
        if self.since is not None and self.until is not None and self.since > self.until:
            raise InputError(
                f"got {self.since}, after --until {self.until}; expected a first day on or before the last",
                field="--since",
            )

    def split(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, Counter]:
        """The rows in the selection, and how many of the others each criterion left out.

        A row failing several criteria is counted under the first, in the order countries, since, until.
        """
        dates = frame["date"]
        criteria = (
            (OUTSIDE_COUNTRIES, ~frame["country"].isin(self.countries).fillna(False) if self.countries else None),
            (BEFORE_SINCE, dates < pd.Timestamp(self.since) if self.since is not None else None),
            (AFTER_UNTIL, dates > pd.Timestamp(self.until) if self.until is not None else None),
        )
        keep, dropped = np.ones(len(frame), dtype=bool), Counter[str]()
        for reason, outside in criteria:
            if outside is not None:
                left_out = keep & outside.to_numpy(dtype=bool)
                dropped[reason] = int(left_out.sum())
                keep &= ~left_out
        return frame[keep], dropped


def import_events(paths: list[Path], requested: str = "auto", selection: Selection = Selection()) -> pd.DataFrame:
    """Every file into one validated event table, repeats removed and cross-dataset duplicates flagged.

    Rows are identified by dataset and original id, so the same event read twice (the same
    file given twice, overlapping exports) is kept once, from the newest edition, and
    re-importing gives the same table; one id given to rows of one edition that say different
    things is refused. ``attrs["import"]`` records the files, rows read and kept, the rows left
    out by reason (``dropped``: reason -> count, the reasons with a count only, summing to rows
    read minus rows kept), bad optional values and the selection.
    """
    parts: list[pd.DataFrame] = []
    bad: Counter[str] = Counter()
    for number, path in enumerate(paths):
        frame, file_bad = import_file(Path(path), requested)
        frame["file_number"] = number
        parts.append(frame)
        bad.update(file_bad)
    frame = pd.concat(parts, ignore_index=True)
    read = len(frame)
    frame, dropped = _one_row_per_event(frame, [Path(path) for path in paths])
    frame, left_out = selection.split(frame)
    dropped.update(left_out)
    frame = frame.sort_values(["date", "event_id"], kind="stable")
    frame = flag_duplicates(frame.reset_index(drop=True))
    # validate_frame keeps the schema's columns only: file_number and data_row, there for the messages, go
    frame = validate_frame(frame, ", ".join(str(path) for path in paths))
    frame.attrs["import"] = {
        "files": [Path(path).name for path in paths],
        "rows_read": read,
        "rows_kept": len(frame),
        "repeated_ids_dropped": dropped[OLDER_EDITION] + dropped[REPEAT_IN_FILE] + dropped[REPEAT_OF_FILE],
        "dropped": {reason: count for reason, count in dropped.items() if count},
        "cross_dataset_duplicates": int(frame["duplicate_of"].notna().sum()),
        "bad_optional_values": {column: count for column, count in sorted(bad.items()) if count},
        "selection": {
            "countries": list(selection.countries),
            "since": str(selection.since or ""),
            "until": str(selection.until or ""),
        },
    }
    return frame


def _one_row_per_event(frame: pd.DataFrame, paths: list[Path]) -> tuple[pd.DataFrame, Counter[str]]:
    """Each event id once, from the newest edition that has it, and the count of rows dropped by reason.

    The edition decides whatever the file order ("ACLED (export updated 2020-10-31)" sorts after
    "... 2020-08-03", "UCDP GED 24.1" after "23.1"). Rows of that edition repeating the kept one
    exactly (the same file twice, overlapping exports) are dropped; two of its rows that differ in
    any imported field are refused, naming both. Only the rows of ids read more than once are
    compared, and a table without any is returned as it is (a continent-wide export is not copied).
    """
    shared = frame[frame["event_id"].duplicated(keep=False).to_numpy(dtype=bool)]
    if shared.empty:
        return frame, Counter()
    shared = shared.sort_values("dataset", ascending=False, kind="stable")
    newest = shared.groupby("event_id", sort=False)["dataset"].transform("first")
    older = (shared["dataset"] != newest).to_numpy(dtype=bool)
    current = shared[~older]
    versions = current.drop_duplicates([column for column in frame.columns if column not in PROVENANCE])
    conflicting = versions["event_id"].duplicated().to_numpy(dtype=bool)
    if conflicting.any():
        event_id = versions["event_id"].iloc[int(np.flatnonzero(conflicting)[0])]
        raise _conflict(versions[versions["event_id"] == event_id].head(2), paths)
    repeats = current["event_id"].duplicated().to_numpy(dtype=bool)
    kept_file = current.groupby("event_id", sort=False)["file_number"].transform("first")
    in_file = repeats & (current["file_number"] == kept_file).to_numpy(dtype=bool)
    dropped = {OLDER_EDITION: older, REPEAT_IN_FILE: in_file, REPEAT_OF_FILE: repeats & ~in_file}
    left = frame.drop(index=shared.index[older].append(current.index[repeats]))
    return left, Counter({reason: int(rows.sum()) for reason, rows in dropped.items()})


def _conflict(rows: pd.DataFrame, paths: list[Path]) -> InputError:
    """Two rows of one edition under one event id that say different things."""
    first, second = rows.iloc[0], rows.iloc[1]
    content = rows.drop(columns=list(PROVENANCE))
    differing = [column for column in content.columns if content[column].nunique(dropna=False) > 1]
    id_column = next(layout.id_column for layout in LAYOUTS if first["event_id"].startswith(layout.name + ":"))
    where = (
        f"data rows {first['data_row']} and {second['data_row']}"
        if first["file_number"] == second["file_number"]
        else f"data row {first['data_row']} of {first['source_file']} and data row {second['data_row']} of "
        f"{second['source_file']}"
    )
    shown = ", ".join(f"{column} {_plain(first[column])!r} and {_plain(second[column])!r}" for column in differing[:3])
    return InputError(
        f"{where} have {id_column} {first['original_id']!r} but differ ({shown}); expected one row per event, "
        "or the same row repeated",
        path=paths[second["file_number"]],
        field=id_column,
    )


def _plain(value: object) -> object:
    """A cell as its plain Python value, to show in a message (a Timestamp as its day)."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value.item() if isinstance(value, np.generic) else value


def flag_duplicates(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark ACLED rows that report a UCDP event.

    A match has the same actor pair and event family, dates within their precision and places
    within the configured distance. The UCDP row stays the primary one
    (its best/low/high deaths are the field's reference); the ACLED row gets ``duplicate_of``.
    Rows dated only to the year are not matched.
    """
    frame = frame.assign(duplicate_of=pd.Series(pd.NA, index=frame.index, dtype="string"))
    is_ucdp = frame["event_id"].str.startswith("ucdp:").to_numpy(dtype=bool)
    is_acled = frame["event_id"].str.startswith("acled:").to_numpy(dtype=bool)
    if not (is_ucdp.any() and is_acled.any()):
        return frame
    keyed = frame.assign(
        row=np.arange(len(frame)),
        pair=np.where(
            frame["source"] < frame["target"],
            frame["source"] + "|" + frame["target"],
            frame["target"] + "|" + frame["source"],
        ),
        family=frame["event_type"].map(event_families()),
        month=frame["date"].dt.to_period("M"),
    )
    keyed = keyed[keyed["latitude"].notna() & keyed["longitude"].notna() & (keyed["date_precision"] != "year")]
    columns = ["row", "event_id", "pair", "family", "month", "date", "date_precision", "latitude", "longitude"]
    ucdp = keyed[is_ucdp[keyed["row"]]][columns]
    ucdp = pd.concat([ucdp.assign(month=ucdp["month"] + shift) for shift in (-1, 0, 1)])
    candidates = keyed[is_acled[keyed["row"]]][columns].merge(ucdp, on=["pair", "family", "month"], suffixes=("", "_u"))
    if candidates.empty:
        return frame
    days = coding().duplicate_days
    allowed = np.maximum(candidates["date_precision"].map(days), candidates["date_precision_u"].map(days))
    gap = (candidates["date"] - candidates["date_u"]).abs().dt.days
    distance = haversine_km(
        candidates["latitude"], candidates["longitude"], candidates["latitude_u"], candidates["longitude_u"]
    )
    close = candidates.assign(distance=distance, gap=gap)[(gap <= allowed) & (distance <= coding().duplicate_km)]
    best = close.sort_values(["row", "distance", "gap", "event_id_u"]).drop_duplicates("row")
    frame.loc[best["row"].to_numpy(), "duplicate_of"] = best["event_id_u"].to_numpy()
    return frame


def haversine_km(lat1: pd.Series, lon1: pd.Series, lat2: pd.Series, lon2: pd.Series) -> np.ndarray:
    """Great-circle distance in km on a sphere of the Earth's mean radius."""
    p1, p2 = np.radians(lat1.to_numpy(float)), np.radians(lat2.to_numpy(float))
    dlat, dlon = p2 - p1, np.radians(lon2.to_numpy(float) - lon1.to_numpy(float))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


# --- what an imported table holds ----------------------------------------------------------------


def unmatched_names(frame: pd.DataFrame, top: int = 10) -> pd.Series:
    """The most frequent dataset names imported as ``unmatched`` (source and target together)."""
    names = pd.concat(
        [
            frame.loc[frame["source"] == UNMATCHED, "source_name"],
            frame.loc[frame["target"] == UNMATCHED, "target_name"],
        ]
    ).dropna()
    counts = names.value_counts()
    return counts.iloc[np.lexsort((counts.index.to_numpy(str), -counts.to_numpy()))].head(top)


def matched_share(frame: pd.DataFrame) -> float | None:
    """Share of actor slots (source and target) mapped to a catalogue actor.

    None for a table without rows, which has no slots to match (a mean of nothing is no number).
    """
    slots = np.concatenate([frame["source"].to_numpy(str), frame["target"].to_numpy(str)])
    return float(np.mean(slots != UNMATCHED)) if len(slots) else None


def summary_tables(frame: pd.DataFrame, top: int = 15) -> dict[str, pd.DataFrame]:
    """Events and deaths by year, actor pair, event type and dataset, cross-dataset duplicates left out.

    Every table but the years' keeps its ``top`` largest rows.
    """
    primary = frame[frame["duplicate_of"].isna()]
    keys = {
        "year": primary["date"].dt.year,
        "actor pair": primary["source"] + " → " + primary["target"],
        "event type": primary["event_type"],
        "dataset": primary["dataset"],
    }
    tables = {}
    for name, key in keys.items():
        table = (
            primary.groupby(key.rename(name))
            .agg(events=("event_id", "size"), fatalities=("fatalities", "sum"))
            .reset_index()
        )
        tables[name] = (
            table if name == "year" else table.sort_values(["events", name], ascending=[False, True]).head(top)
        )
    return tables


def load_imported(path: Path) -> pd.DataFrame:
    """An imported event table (Parquet written by ``events import``), with its import record."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found; expected a Parquet file written by 'sahelsim events import'", path=path)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for files that are not Parquet
        raise InputError(
            f"cannot be read as Parquet ({exc}); expected a file written by 'sahelsim events import'", path=path
        ) from None
    if "import" not in frame.attrs:
        raise InputError("holds no import record; expected a file written by 'sahelsim events import'", path=path)
    return frame
