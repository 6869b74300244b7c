"""Scenario files: what to simulate, validated before anything runs.

A scenario names its period, seed and replicates, the actors that take part, their starting
relations, parameter overrides and scheduled shocks (documented or counterfactual events
replayed on their dates). Any problem is reported as one :class:`~sim.core.errors.InputError`
naming the file, the line, the field and what was expected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sim.core.actors import load_catalogue
from sim.core.datafiles import line_of, load_yaml_model, read_yaml, validate
from sim.core.errors import InputError
from sim.core.events import event_types
from sim.core.parameters import parameter_specs
from sim.model.sweep import Sweep


def _known_actor(actor: str, info: ValidationInfo) -> str:
    allowed = (info.context or {}).get("actors") or load_catalogue().ids
    if actor not in allowed:
        raise ValueError(f"unknown actor {actor!r}; expected one of {sorted(allowed)}")
    return actor


class Relation(BaseModel):
    """Starting levels of one pair's relation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    pair: tuple[str, str]
    tension: float = Field(default=0.0, ge=0.0, lt=1.0)
    cooperation: float = Field(default=0.0, ge=0.0, lt=1.0)
    trade: float = Field(default=0.0, ge=0.0, le=1.0, description="economic interdependence, 0 none to 1 vital")

    @field_validator("pair")
    @classmethod
    def _pair_of_actors(cls, pair: tuple[str, str], info: ValidationInfo) -> tuple[str, str]:
        for actor in pair:
            _known_actor(actor, info)
        if pair[0] == pair[1]:
            raise ValueError(f"a relation needs two different actors, got {list(pair)}")
        return pair


class Shock(BaseModel):
    """A scheduled event, replayed on its date with the same effects as a simulated one."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date
    kind: str = Field(description="an event type id, e.g. cross_border_incident, pledge_support, withdrawal")
    source: str
    target: str
    magnitude: float | None = Field(
        default=None,
        ge=0,
        description="size of the shock, as the event type's `magnitude` says: deaths, people, or a boost multiple",
    )
    note: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in event_types():
            raise ValueError(f"unknown shock kind {kind!r}; expected an event type, one of {sorted(event_types())}")
        return kind

    @field_validator("source", "target")
    @classmethod
    def _actor(cls, actor: str, info: ValidationInfo) -> str:
        return _known_actor(actor, info)

    @field_validator("magnitude")
    @classmethod
    def _has_magnitude(cls, magnitude: float | None, info: ValidationInfo) -> float | None:
        kind = info.data.get("kind")
        if magnitude is not None and kind in event_types() and event_types()[kind].magnitude is None:
            raise ValueError(f"a {kind} shock takes no magnitude; only kinds with deaths, people or a boost do")
        return magnitude


class ActorOverride(BaseModel):
    """Per-scenario changes to an actor's catalogue attributes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    capability: float | None = Field(default=None, ge=0.0, le=1.0)
    resolve: float | None = Field(default=None, ge=0.0, le=1.0)
    alignment: float | None = Field(default=None, ge=-1.0, le=1.0)
    present: bool | None = None
    members: list[str] | None = Field(default=None, description="alliance members at the start")
    operates_in: list[str] | None = Field(default=None, description="states where an armed group attacks")


class Scenario(BaseModel):
    """A validated scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str
    start: dt.date
    end: dt.date
    seed: int = Field(ge=0)
    replicates: int = Field(default=1, ge=1)
    actors: list[str] = Field(min_length=2)
    relations: list[Relation] = Field(default_factory=list)
    parameters: dict[str, float] = Field(default_factory=dict)
    actor_attributes: dict[str, ActorOverride] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)
    key_pairs: list[tuple[str, str]] = Field(min_length=1, description="pairs drawn in plots")
    documented_events: str | None = Field(
        default=None, description="event file to overlay, relative to the scenario file"
    )
    parameter_set: str | None = Field(
        default=None, description="fitted parameter set whose medians the run uses, relative to the scenario file"
    )
    tension_threshold: float = Field(
        default=0.3, gt=0.0, lt=1.0, description="level counted in 'weeks above threshold'"
    )
    sweep: Sweep | None = Field(default=None, description="parameters to vary across a batch")

    @field_validator("actors")
    @classmethod
    def _catalogue_actors(cls, actors: list[str], info: ValidationInfo) -> list[str]:
        catalogue = load_catalogue().ids
        for actor in actors:
            if actor not in catalogue:
                raise ValueError(f"unknown actor {actor!r}; expected one of {sorted(catalogue)}")
        if len(set(actors)) != len(actors):
            raise ValueError("an actor is listed twice")
        if info.context is not None:
            info.context["actors"] = actors
        return actors

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, values: dict[str, float]) -> dict[str, float]:
        specs = parameter_specs()
        for name, value in values.items():
            if name not in specs:
                raise ValueError(f"unknown parameter {name!r}; expected one of {sorted(specs)}")
            if not specs[name].contains(value):
                low, high = specs[name].range
                raise ValueError(f"parameter {name!r} = {value} lies outside its range [{low}, {high}]")
        return values

    @field_validator("actor_attributes", "key_pairs")
    @classmethod
    def _actors_taking_part(cls, value: Any, info: ValidationInfo) -> Any:
        names = value.keys() if isinstance(value, dict) else [a for pair in value for a in pair]
        for actor in names:
            _known_actor(actor, info)
        return value

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"end {end} must come after start {start}")
        return end

    @field_validator("shocks")
    @classmethod
    def _shocks_in_period(cls, shocks: list[Shock], info: ValidationInfo) -> list[Shock]:
        start, end = info.data.get("start"), info.data.get("end")
        for shock in shocks:
            if start is not None and end is not None and not start <= shock.date <= end:
                raise ValueError(f"shock on {shock.date} lies outside the period {start} to {end}")
        return shocks


class LoadedScenario(BaseModel):
    """A scenario together with where it came from (for provenance and relative paths)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    scenario: Scenario
    path: Path
    text: str  # the file's text, and that of the files it extends, outermost first

    @property
    def sha256(self) -> str:
        """Hash of the validated scenario's content, so equal scenarios hash equal however written."""
        return hashlib.sha256(self.scenario.model_dump_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_record(cls, record: dict[str, Any], where: Path) -> LoadedScenario:
        """The scenario a result recorded (see :func:`sim.experiments.store.scenario_record`)."""
        try:
            path, text, data = Path(record["scenario_path"]), record["scenario_text"], record["scenario_validated"]
        except KeyError as missing:
            raise InputError(f"records no {missing}; expected a manifest written by sahelsim", path=where) from None
        return cls(scenario=validate(Scenario, data, where, context={}), path=path, text=text)

    def with_changes(self, **changes: Any) -> LoadedScenario:
        """The scenario with some fields replaced (e.g. from the command line), validated again."""
        data = self.scenario.model_dump(mode="json") | changes
        return self.model_copy(update={"scenario": validate(Scenario, data, self.path, context={})})

    @property
    def documented_events_path(self) -> Path | None:
        relative = self.scenario.documented_events
        return None if relative is None else (self.path.parent / relative).resolve()

    @property
    def parameter_set_path(self) -> Path | None:
        relative = self.scenario.parameter_set
        return None if relative is None else (self.path.parent / relative).resolve()


def _relative_to(file: Path, folder: Path) -> str:
    """``file`` as a path from ``folder``: what a scenario stores, so that its validated content
    (and hash) is the same wherever the repository is checked out."""
    return Path(os.path.relpath(file.resolve(), folder.resolve())).as_posix()


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read and validate a scenario file (YAML, safe loader only).

    A scenario may start with ``extends: OTHER.yaml`` (relative to itself): it then takes every
    field of that scenario and replaces those it gives, except ``actor_attributes``, which it
    merges, and ``parameters``, which build up in this order: the parent's, then the medians of
    the scenario's own ``parameter_set`` if it names one, then its own ``parameters``.
    Counterfactuals are written this way. A chain of ``extends:`` that comes back to a file
    already in it is refused, as is one longer than :data:`MAX_EXTENDS`.
    """
    return _load_scenario(Path(path), ())


MAX_EXTENDS = 16  # scenarios extending scenarios: the shipped ones go one deep


def _load_scenario(path: Path, chain: tuple[Path, ...]) -> LoadedScenario:
    """:func:`load_scenario`, given the files that extend this one (innermost last)."""
    where = Path(os.path.realpath(path))
    if where in chain or len(chain) >= MAX_EXTENDS:
        route = " -> ".join(p.name for p in (*chain, where))
        problem = "comes back to a file already in the chain" if where in chain else f"is over {MAX_EXTENDS} long"
        raise InputError(
            f"the chain of 'extends:' ({route}) {problem}; expected scenarios that each extend another at most once "
            "and end in one that extends none",
            path=chain[-1] if chain else path,
            field="extends",
        )
    own, node = read_yaml(path)
    if not isinstance(own, dict):
        raise InputError("expected a mapping of fields at the top level", path=path, line=1)
    text = path.read_text(encoding="utf-8")
    data = dict(own)
    inherited: dict[str, Any] = {}
    if "extends" in data:
        parent_path = path.parent / str(data.pop("extends"))
        parent = _load_scenario(parent_path, (*chain, where))
        base = parent.scenario.model_dump(mode="json")
        # the parent's files, from the child's folder
        if parent.documented_events_path is not None:
            base["documented_events"] = _relative_to(parent.documented_events_path, path.parent)
        if parent.parameter_set_path is not None:
            base["parameter_set"] = _relative_to(parent.parameter_set_path, path.parent)
        if isinstance(data.get("actor_attributes"), dict):
            data["actor_attributes"] = base["actor_attributes"] | data["actor_attributes"]
        inherited = base["parameters"]
        data = base | data
        text = f"# {parent_path.name}\n{parent.text}\n# {path.name}\n{text}"
    fitted: dict[str, float] = {}
    if own.get("parameter_set"):
        fitted_path = path.parent / str(own["parameter_set"])
        if not fitted_path.is_file():
            raise InputError(
                f"names {fitted_path}, which does not exist; expected a fitted set written by 'sahelsim calibrate'",
                path=path,
                line=line_of(node, ("parameter_set",)),
                field="parameter_set",
            )
        fitted = load_fitted_set(fitted_path).medians()
        data["parameter_set"] = _relative_to(fitted_path, path.parent)
    explicit = own.get("parameters") or {}
    # a parameters field of the wrong type is passed on as it is, for validation to report
    data["parameters"] = inherited | fitted | explicit if isinstance(explicit, dict) else explicit
    scenario = validate(Scenario, data, path, node, context={})
    return LoadedScenario(scenario=scenario, path=path, text=text)


class FittedParameter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    median: float
    low_5: float
    high_95: float
    prior: tuple[float, float]


class FittedSet(BaseModel):
    """A fitted parameter set written by ``sahelsim calibrate``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    config: str
    config_sha256: str
    date: dt.date
    method: str
    parameters: dict[str, FittedParameter]

    def medians(self) -> dict[str, float]:
        return {name: entry.median for name, entry in self.parameters.items()}


def load_fitted_set(path: Path) -> FittedSet:
    return load_yaml_model(FittedSet, path)
