"""Events: the one schema shared by documented, simulated, extracted and imported events.

Everything downstream of an event table (tension series, plots, calibration targets) takes a
table in this schema and does not care where it came from. ``Event`` validates one row;
``events_to_frame`` and ``frame_to_events`` convert between rows and a pandas table with
fixed column types; ``load_events`` reads a CSV or Parquet file of events with clear errors.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.core.datafiles import PACKAGE_DATA, load_yaml_model, validation_problem
from sim.core.errors import InputError

if TYPE_CHECKING:  # imported where used: a scenario's validation needs the schema, not the tables
    import numpy as np
    import pandas as pd

Precision = Literal["day", "week", "month", "year"]
Origin = Literal["documented", "simulated", "extracted", "imported"]

EVENT_TYPES_PATH = PACKAGE_DATA / "event_types.yaml"


class EventType(BaseModel):
    """One entry of the event-type catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    family: str
    magnitude: Literal["fatalities", "count", "boost"] | None = None
    cameo_root: int = Field(ge=1, le=20)
    cameo_code: str = Field(pattern=r"^\d{3,4}$")
    goldstein: float = Field(ge=-10.0, le=10.0)
    label: str
    phrase: str
    meaning: str


class EventTypes(BaseModel):
    """The event-type catalogue file (``event_types.yaml``), checked as a whole when it is read."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_types: dict[str, EventType]


@lru_cache(maxsize=1)
def event_types() -> dict[str, EventType]:
    """The event-type catalogue, keyed by type id."""
    return load_yaml_model(EventTypes, EVENT_TYPES_PATH).event_types


@lru_cache(maxsize=1)
def event_families() -> dict[str, str]:
    """The family of every event type (what matching, targets and observed series group by)."""
    return {name: kind.family for name, kind in event_types().items()}


class Event(BaseModel):
    """One dated interaction between two actors, with its coding and provenance.

    ``cameo_root`` and ``goldstein`` default to the event type's values when omitted, so a
    row only needs to give them where it departs from the catalogue.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str = Field(min_length=1, description="unique within its table")
    date: dt.date = Field(description="ISO date; the first day of the period when precision is coarser than a day")
    date_precision: Precision
    date_inferred: bool = Field(default=False, description="the date was worked out from context (e.g. 'on Friday')")
    source: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="actor id of the actor that acts")
    target: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="actor id of the actor acted upon")
    event_type: str
    cameo_root: int = Field(ge=1, le=20)
    goldstein: float = Field(ge=-10.0, le=10.0)
    location: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3 of the place")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    fatalities: int | None = Field(default=None, ge=0, description="deaths, best estimate")
    fatalities_low: int | None = Field(default=None, ge=0)
    fatalities_high: int | None = Field(default=None, ge=0)
    count: int | None = Field(default=None, ge=0, description="a stated count other than deaths")
    count_unit: str | None = Field(default=None, description="what count counts (hostages, vehicles, ...)")
    origin: Origin
    source_file: str | None = Field(default=None, description="file the event comes from")
    rule: str | None = Field(default=None, description="simulated: the rule or shock that produced it")
    replicate: int | None = Field(default=None, ge=0, description="simulated: the replicate index")
    note: str | None = Field(default=None, description="short summary in the project's own words")
    source_name: str | None = Field(default=None, description="the acting actor as the text or dataset names it")
    target_name: str | None = Field(default=None, description="the actor acted upon as the text or dataset names it")
    dataset: str | None = Field(default=None, description="imported: dataset name and version, e.g. 'UCDP GED 23.1'")
    original_id: str | None = Field(default=None, description="imported: the event's id in its dataset")
    duplicate_of: str | None = Field(
        default=None, description="event_id of the event this one repeats in another source"
    )
    span: str | None = Field(
        default=None, pattern=r"^\d+-\d+$", description="extracted: character span START-END in source_file"
    )
    evidence: str | None = Field(
        default=None, description="extracted: the sentence read, for review (not kept in the curated record)"
    )
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, description="extracted: the extractor's confidence")

    @model_validator(mode="before")
    @classmethod
    def _coding_defaults(cls, data: object) -> object:
        if not isinstance(data, dict) or (data.get("cameo_root") is not None and data.get("goldstein") is not None):
            return data
        event_type = data.get("event_type")  # an unknown type is reported by _consistent, one not a string by the field
        kind = event_types().get(event_type) if isinstance(event_type, str) else None
        if kind is not None:
            data = {"cameo_root": kind.cameo_root, "goldstein": kind.goldstein} | {
                key: value for key, value in data.items() if value is not None
            }
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.event_type not in event_types():
            raise ValueError(f"unknown event_type '{self.event_type}'; expected one of {sorted(event_types())}")
        if self.origin == "documented" and not self.source_file:
            raise ValueError("a documented event needs its source_file")
        low, best, high = self.fatalities_low, self.fatalities, self.fatalities_high
        if low is not None and high is not None and low > high:
            raise ValueError(f"fatalities_low {low} is above fatalities_high {high}")
        if best is not None and ((low is not None and best < low) or (high is not None and best > high)):
            raise ValueError(f"fatalities {best} lies outside [{low}, {high}]")
        return self


COLUMNS: tuple[str, ...] = tuple(Event.model_fields)
_INTEGER_COLUMNS = ("cameo_root", "fatalities", "fatalities_low", "fatalities_high", "count", "replicate")
_FLOAT_COLUMNS = ("goldstein", "latitude", "longitude", "confidence")


def events_to_frame(events: Iterable[Event]) -> pd.DataFrame:
    """A table of events with one column per ``Event`` field and stable column types."""
    import pandas as pd

    frame = pd.DataFrame([event.model_dump() for event in events], columns=list(COLUMNS))
    return normalise_frame(frame)


def normalise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Give an event table the canonical column order and types (dates, nullable ints, strings)."""
    import pandas as pd

    frame = frame.reindex(columns=list(COLUMNS)).copy()
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["date_inferred"] = frame["date_inferred"].fillna(False).astype(bool)
    for column in _INTEGER_COLUMNS:
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    for column in _FLOAT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in set(COLUMNS) - set(_INTEGER_COLUMNS) - set(_FLOAT_COLUMNS) - {"date", "date_inferred"}:
        frame[column] = frame[column].astype("string")
    return frame.reset_index(drop=True)


def _plain(value: object) -> object:
    """A pandas cell as a plain Python value for validation (NA -> None, Timestamp -> date)."""
    import pandas as pd

    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def frame_to_events(frame: pd.DataFrame, path: str | Path = "events table") -> list[Event]:
    """Validate every row of an event table; the first bad row raises an InputError naming it."""
    events = []
    for position, row in enumerate(frame.to_dict(orient="records")):
        data = {key: _plain(value) for key, value in row.items()}
        try:
            events.append(Event.model_validate(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise InputError(
                f"row {position + 1} (event_id {data.get('event_id')!r}) is invalid: {validation_problem(first)}",
                path=path,
                field=field,
            ) from None
    return events


def validate_frame(frame: pd.DataFrame, path: str | Path = "events table") -> pd.DataFrame:
    """Check a canonical event table column by column against the ``Event`` field constraints.

    The vectorised twin of :func:`frame_to_events` for tables too large to validate row by
    row (an imported dataset): the constraints are read from the schema itself (required
    fields, literal choices, patterns, bounds, the event-type catalogue and the fatality
    range), so the two cannot drift apart. CAMEO root and Goldstein weight default to the
    event type's, as in ``Event``. The first bad row raises an InputError naming it.
    """
    import numpy as np

    frame = normalise_frame(frame)
    kinds = event_types()
    known = frame["event_type"].isin(list(kinds)).fillna(False).to_numpy(dtype=bool)
    _reject(frame, ~known, "event_type", f"unknown event_type; expected one of {sorted(kinds)}", path)
    for column, attribute in (("cameo_root", "cameo_root"), ("goldstein", "goldstein")):
        default = frame["event_type"].map({name: getattr(kind, attribute) for name, kind in kinds.items()})
        frame[column] = frame[column].fillna(default.astype(frame[column].dtype))
    for name, field in Event.model_fields.items():
        values = frame[name]
        missing = values.isna().to_numpy(dtype=bool)
        if field.is_required() and name != "date_inferred":
            _reject(frame, missing, name, "is required but missing", path)
        present = ~missing
        choices = typing.get_args(field.annotation) if typing.get_origin(field.annotation) is Literal else ()
        if choices:
            bad = present & ~values.isin(choices).fillna(False).to_numpy(dtype=bool)
            _reject(frame, bad, name, f"expected one of {list(choices)}", path)
        for rule in field.metadata:
            if getattr(rule, "pattern", None):
                matches = values.str.fullmatch(rule.pattern).fillna(False).to_numpy(dtype=bool)
                _reject(frame, present & ~matches, name, f"expected text matching {rule.pattern}", path)
            if getattr(rule, "min_length", None):
                _reject(
                    frame,
                    present & (values.str.len() < rule.min_length).fillna(False).to_numpy(dtype=bool),
                    name,
                    f"expected at least {rule.min_length} characters",
                    path,
                )
            for bound, below in (("ge", True), ("le", False)):
                limit = getattr(rule, bound, None)
                if limit is not None:
                    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
                    bad = present & ((numbers < limit) if below else (numbers > limit))
                    _reject(frame, bad, name, f"expected a value {'>=' if below else '<='} {limit}", path)
    low, best, high = (
        frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("fatalities_low", "fatalities", "fatalities_high")
    )
    _reject(frame, low > high, "fatalities_low", "fatalities_low is above fatalities_high", path)
    _reject(
        frame,
        (best < low) | (best > high),
        "fatalities",
        "fatalities lies outside [fatalities_low, fatalities_high]",
        path,
    )
    return frame


def _reject(frame: pd.DataFrame, bad: np.ndarray, field: str, problem: str, path: str | Path) -> None:
    """Raise for the first row flagged in ``bad``, naming its position, id and value."""
    import numpy as np

    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"row {row + 1} (event_id {frame['event_id'].iloc[row]!r}) has {field} "
            f"{frame[field].iloc[row]!r}: {problem}",
            path=path,
            field=field,
        )


def load_events(path: str | Path, actor_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet event file, validate every row, and return the canonical table.

    When ``actor_ids`` is given, every source and target must be one of them.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError("file not found; expected a CSV or Parquet table of events", path=path)
    try:
        if path.suffix == ".parquet":
            raw = pd.read_parquet(path)
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:  # pandas and pyarrow raise many types for unreadable files
        raise InputError(f"cannot be read as an event table ({exc})", path=path) from None
    unknown = sorted(set(raw.columns) - set(COLUMNS))
    if unknown:
        raise InputError(f"unknown columns {unknown}; expected the Event fields {list(COLUMNS)}", path=path)
    events = frame_to_events(raw, path)
    _check_unique_ids(events, path)
    if actor_ids is not None:
        _check_actors(events, set(actor_ids), path)
    return events_to_frame(events)


def _check_unique_ids(events: list[Event], path: Path) -> None:
    seen: set[str] = set()
    for event in events:
        if event.event_id in seen:
            raise InputError(
                f"event_id {event.event_id!r} appears twice; ids must be unique", path=path, field="event_id"
            )
        seen.add(event.event_id)


def _check_actors(events: list[Event], known: set[str], path: Path) -> None:
    for event in events:
        for field in ("source", "target"):
            actor = getattr(event, field)
            if actor not in known:
                raise InputError(
                    f"event {event.event_id!r} names unknown actor {actor!r}; expected one of {sorted(known)}",
                    path=path,
                    field=field,
                )


def select_events(
    frame: pd.DataFrame,
    actor: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """Rows involving ``actor`` (as source or target) dated within [since, until]."""
    import pandas as pd

    keep = pd.Series(True, index=frame.index)
    if actor is not None:
        keep &= (frame["source"] == actor) | (frame["target"] == actor)
    if since is not None:
        keep &= frame["date"] >= pd.Timestamp(since)
    if until is not None:
        keep &= frame["date"] <= pd.Timestamp(until)
    return frame[keep]
