"""Scenario files: what to simulate, validated before anything runs.

A scenario names its period, seed and replicates, the actors that take part, their starting
relations, parameter overrides, changes to actors' attributes and links, scheduled shocks
(documented or counterfactual events replayed on their dates) and blocked windows (events the
rules may not make). Validation is the single gate: every number has a finite range, every date
lies where a run can simulate it, every name is checked (a near miss is named), every file named
exists and a run must fit in memory (:func:`require_run_memory`), so what ``sahelsim validate``
passes, ``run`` can run. Any problem is reported as one :class:`~sim.core.errors.InputError`
naming the file, the line, the field and what was expected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import string
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.core.actors import Actor, ActorKind, load_catalogue
from sim.core.datafiles import line_of, load_yaml_model, named_file, read_yaml, validate
from sim.core.errors import InputError
from sim.core.events import event_types
from sim.core.names import known, parse_pair
from sim.core.parameters import parameter_specs
from sim.model.memory import available_memory, memory_model, size_text
from sim.model.posterior import posterior_draws
from sim.model.sweep import Sweep

# The bounds of what a scenario may ask for: what validation passes, a run can run.
EARLIEST = dt.date(1960, 1, 1)  # dates a run can simulate and pandas' nanosecond timestamps hold
LATEST = dt.date(2100, 12, 31)
MAX_SEED = 2**63 - 1  # a seed fits a signed 64-bit integer, as tables and manifests keep it
MAX_REPLICATES = 10_000
MAX_MAGNITUDE = 1_000_000  # deaths or people in one shock (the dataset import's bound), or a boost multiple
MAX_NAME_LENGTH = 100  # a scenario's name names its results folder
NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_.-")

# The links a scenario may override, and the kinds of actor whose rules read each of them
# (every link points at states: see the catalogue's `links`, sim/data/actors.yaml).
LINK_HOLDERS: dict[str, frozenset[ActorKind]] = {
    "neighbours": frozenset({"state"}),
    "patron": frozenset({"state", "pmc", "international_force"}),
    "host": frozenset({"pmc", "international_force"}),
    "members": frozenset({"alliance"}),
    "operates_in": frozenset({"armed_group"}),
    "rear_bases": frozenset({"armed_group"}),
}
SINGLE_LINKS = ("patron", "host")  # where null means none, not the catalogue's value


def _taking_part(info: ValidationInfo) -> list[str]:
    """The actors of the scenario being validated (set by its ``actors`` field), else the catalogue's."""
    actors: list[str] | None = (info.context or {}).get("actors")
    return actors or load_catalogue().ids


def _known_actor(actor: str, info: ValidationInfo) -> str:
    return known("actor", actor, _taking_part(info))


def _a_state(actor: str, link: str, info: ValidationInfo) -> str:
    """An actor a link points at: one taking part, and a state."""
    kind = load_catalogue()[_known_actor(actor, info)].kind
    if kind != "state":
        raise ValueError(f"{actor!r} ({kind}) is not a state; expected a state as {link}")
    return actor


def _in_range(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            f"{day} lies outside the dates a run can simulate; expected a date from {EARLIEST} to {LATEST}"
        )
    return day


def _pair_from_text(value: object, info: ValidationInfo) -> object:
    """A pair written as text (``mali-mauritania``, ``mali:mauritania``, ...) read as its two actors."""
    return list(parse_pair(value, _taking_part(info))) if isinstance(value, str) else value


Day = Annotated[dt.date, AfterValidator(_in_range)]
# two actors, as a list [mali, mauritania] or as text: see sim.core.names.parse_pair
TypedPair = Annotated[tuple[str, str], BeforeValidator(_pair_from_text)]


class Relation(BaseModel):
    """Starting levels of one pair's relation."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    pair: TypedPair
    tension: float = Field(default=0.0, ge=0.0, lt=1.0, description="starting tension, from 0 (none) to below 1")
    cooperation: float = Field(default=0.0, ge=0.0, lt=1.0, description="starting cooperation, 0 to below 1")
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

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    date: Day
    kind: str = Field(description="an event type id, e.g. cross_border_incident, pledge_support, withdrawal")
    source: str
    target: str
    magnitude: float | None = Field(
        default=None,
        ge=0,
        le=MAX_MAGNITUDE,
        description="size of the shock, as the event type's `magnitude` says: deaths, people, or a boost multiple; "
        "0 to 1,000,000",
    )
    note: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        return known("shock kind", kind, event_types())

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
    """Per-scenario changes to an actor's catalogue attributes and links (``sim/data/actors.yaml``).

    Only what the scenario gives changes. A null keeps the catalogue's value, except for the
    single links ``patron`` and ``host``, where null is the way to say "none" (a scenario in
    which Russia backs no one); an empty list empties a list. Every actor a link names must take
    part and be a state, and a link may be given only to the kinds of actor whose rules read it
    (:data:`LINK_HOLDERS`), which the scenario checks.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    capability: float | None = Field(default=None, ge=0.0, le=1.0, description="force it can bring to bear, 0 to 1")
    resolve: float | None = Field(default=None, ge=0.0, le=1.0, description="readiness to protest harm, 0 to 1")
    alignment: float | None = Field(default=None, ge=-1.0, le=1.0, description="-1 western- to +1 Russia-aligned")
    present: bool | None = Field(default=None, description="whether a deployed force is in its host at the start")
    members: list[str] | None = Field(default=None, description="alliance members at the start")
    operates_in: list[str] | None = Field(default=None, description="states where an armed group attacks")
    rear_bases: list[str] | None = Field(default=None, description="states an armed group falls back into")
    neighbours: list[str] | None = Field(default=None, description="states sharing a land border")
    patron: str | None = Field(default=None, description="the state that backs the actor; null for none")
    host: str | None = Field(default=None, description="where a force or contractor is deployed; null for none")

    @field_validator("members", "operates_in", "rear_bases", "neighbours")
    @classmethod
    def _states_taking_part(cls, actors: list[str] | None, info: ValidationInfo) -> list[str] | None:
        for actor in actors or []:
            _a_state(actor, str(info.field_name), info)
        if actors is not None and len(set(actors)) != len(actors):
            raise ValueError(f"an actor is listed twice in {actors}")
        return actors

    @field_validator("patron", "host")
    @classmethod
    def _state_taking_part(cls, actor: str | None, info: ValidationInfo) -> str | None:
        return None if actor is None else _a_state(actor, str(info.field_name), info)

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only what the scenario gives, so that a null link ("no patron") survives a round trip."""
        dumped: dict[str, Any] = handler(self)
        return {name: value for name, value in dumped.items() if name in self.model_fields_set}

    def given(self) -> dict[str, Any]:
        """The changes to make: the attributes given, less those given as null that keep the catalogue's."""
        values = {name: getattr(self, name) for name in sorted(self.model_fields_set)}
        return {name: value for name, value in values.items() if value is not None or name in SINGLE_LINKS}

    def applied_to(self, actor: Actor) -> Actor:
        """The catalogue's actor with these changes made (for one scenario's run)."""
        return actor.model_copy(update=self.given())


class Block(BaseModel):
    """A window in which the rules may not make one kind of event: a counterfactual without it.

    It removes events the model's rules would emit (e.g. Russia's pledges after Tinzaouaten)
    without changing the parameters every other event depends on. Scheduled shocks are never
    blocked: a scenario that lists one wants it. A rule-made event is dated by the week it
    happens in, so a window blocks every week it touches.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)
    kind: str = Field(description="the event type the rules may not emit, e.g. pledge_support")
    source: str | None = Field(default=None, description="only events by this actor [default: any]")
    target: str | None = Field(default=None, description="only events aimed at this actor [default: any]")
    from_: Day | None = Field(default=None, alias="from", description="first day [default: the scenario's start]")
    until: Day | None = Field(default=None, description="last day [default: the scenario's end]")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        return known("event type", kind, event_types())

    @field_validator("source", "target")
    @classmethod
    def _actor(cls, actor: str | None, info: ValidationInfo) -> str | None:
        return None if actor is None else _known_actor(actor, info)

    @model_validator(mode="after")
    def _a_window(self) -> Block:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            raise ValueError(f"until {self.until} comes before from {self.from_}; expected a window of at least a day")
        return self

    def blocks(self, source: str, target: str, week: dt.date, period: tuple[dt.date, dt.date]) -> bool:
        """Whether an event of this kind from ``source`` to ``target``, in the week starting ``week``, is blocked.

        ``period`` is the scenario's (start, end), where the window's own ends are not given.
        """
        first, last = self.from_ or period[0], self.until or period[1]
        return (
            self.source in (None, source)
            and self.target in (None, target)
            and week <= last
            and week + dt.timedelta(days=6) >= first
        )


class Scenario(BaseModel):
    """A validated scenario: what validation passes, a run can run."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    name: str = Field(
        description=f"names the results folder: letters, digits, '_', '-' and '.', not starting with '.' or '-', "
        f"at most {MAX_NAME_LENGTH} characters"
    )
    description: str
    start: Day = Field(description=f"first day, from {EARLIEST} to {LATEST}")
    end: Day = Field(description=f"last day, after the start and at most {LATEST}")
    seed: int = Field(ge=0, le=MAX_SEED, description="seed of the run's random numbers, 0 to 2**63 - 1")
    replicates: int = Field(default=1, ge=1, le=MAX_REPLICATES, description="runs of the scenario, 1 to 10,000")
    actors: list[str] = Field(min_length=2)
    relations: list[Relation] = Field(default_factory=list)
    parameters: dict[str, float] = Field(default_factory=dict, description="each within its range in parameters.yaml")
    actor_attributes: dict[str, ActorOverride] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)
    blocked: list[Block] = Field(
        default_factory=list, description="windows in which the rules may not emit an event (shocks still replay)"
    )
    key_pairs: list[TypedPair] = Field(min_length=1, description="pairs drawn in plots")
    documented_events: str | None = Field(
        default=None, description="event file to overlay, relative to the scenario file"
    )
    parameter_set: str | None = Field(
        default=None,
        description="fitted parameter set the runs take their parameters from, relative to the scenario file",
    )
    parameters_from: Literal["posterior", "median"] = Field(
        default="posterior",
        description="with a parameter_set: 'posterior', each replicate runs its own posterior draw; 'median', "
        "every replicate runs the posterior medians",
    )
    posterior: dict[str, list[float]] = Field(
        default_factory=dict,
        description="equally weighted posterior draws by parameter, filled from parameter_set's sample when the "
        "scenario is read (parameters the scenario sets itself are left out)",
    )
    tension_threshold: float = Field(
        default=0.3, gt=0.0, lt=1.0, description="level counted in 'weeks above threshold'"
    )
    sweep: Sweep | None = Field(default=None, description="parameters to vary across a batch")

    @property
    def weeks(self) -> int:
        """The weekly steps a run takes, from the start to the end.

        Counted as :func:`sim.core.relations.week_dates` lists them, whose module (numpy) ``validate``
        does not load.
        """
        return (self.end - self.start).days // 7 + 1

    @property
    def parameter_source(self) -> str:
        """Where the runs take their parameters from, in words (for what a command prints)."""
        if self.parameters_from == "posterior" and self.posterior:
            draws = len(next(iter(self.posterior.values())))
            return f"a posterior draw per replicate ({draws} draws of {len(self.posterior)} parameters)"
        return "the posterior medians" if self.parameter_set else "the scenario's parameters"

    @field_validator("name")
    @classmethod
    def _a_folder_name(cls, name: str) -> str:
        if not name or len(name) > MAX_NAME_LENGTH or not set(name) <= NAME_CHARACTERS or name[0] in ".-":
            raise ValueError(
                f"{name!r} cannot name the results folder (results/NAME); expected letters, digits, '_', '-' and '.', "
                f"not starting with '.' or '-', at most {MAX_NAME_LENGTH} characters"
            )
        return name

    @field_validator("posterior")
    @classmethod
    def _posterior_draws(cls, posterior: dict[str, list[float]]) -> dict[str, list[float]]:
        specs = parameter_specs()
        sizes = {len(draws) for draws in posterior.values()}
        if len(sizes) > 1 or 0 in sizes:
            raise ValueError(f"draws of {len(sizes)} different lengths; expected the same number (at least 1) for each")
        for name, draws in posterior.items():
            known("parameter", name, specs)
            outside = [value for value in draws if not specs[name].contains(value)]
            if outside:
                low, high = specs[name].range
                raise ValueError(f"draw {outside[0]} of {name!r} leaves its range [{low}, {high}]")
        return posterior

    @field_validator("actors")
    @classmethod
    def _catalogue_actors(cls, actors: list[str], info: ValidationInfo) -> list[str]:
        catalogue = load_catalogue().ids
        for actor in actors:
            known("actor", actor, catalogue)
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
            known("parameter", name, specs)
            if not specs[name].contains(value):
                low, high = specs[name].range
                raise ValueError(f"parameter {name!r} = {value} lies outside its range [{low}, {high}]")
        return values

    @field_validator("actor_attributes")
    @classmethod
    def _overrides_fit(cls, overrides: dict[str, ActorOverride], info: ValidationInfo) -> dict[str, ActorOverride]:
        """Each overridden actor takes part, and each link it is given is one its kind's rules read."""
        catalogue = load_catalogue()
        for actor, override in overrides.items():
            kind = catalogue[_known_actor(actor, info)].kind
            for link, holders in LINK_HOLDERS.items():
                if link not in override.model_fields_set:
                    continue
                if kind not in holders:
                    raise ValueError(
                        f"{link!r} does not apply to {actor!r} ({kind}): the rules read it for "
                        f"{' and '.join(sorted(holders))} actors only; expected one of {_overridable(kind)}"
                    )
                value = getattr(override, link)
                if actor == value or (isinstance(value, list) and actor in value):
                    raise ValueError(f"{actor!r} names itself as its {link}; expected other actors")
        return overrides

    @field_validator("key_pairs")
    @classmethod
    def _pairs_taking_part(cls, pairs: list[tuple[str, str]], info: ValidationInfo) -> list[tuple[str, str]]:
        seen: set[frozenset[str]] = set()
        for pair in pairs:
            for actor in pair:
                _known_actor(actor, info)
            if pair[0] == pair[1]:
                raise ValueError(f"a key pair needs two different actors, got {list(pair)}")
            if frozenset(pair) in seen:
                raise ValueError(f"the key pair {list(pair)} is given twice; expected each pair once")
            seen.add(frozenset(pair))
        return pairs

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

    @field_validator("blocked")
    @classmethod
    def _windows_in_period(cls, windows: list[Block], info: ValidationInfo) -> list[Block]:
        start, end = info.data.get("start"), info.data.get("end")
        for window in windows:
            for day in (window.from_, window.until):
                if day is not None and start is not None and end is not None and not start <= day <= end:
                    raise ValueError(f"a blocked window's day {day} lies outside the period {start} to {end}")
        return windows


def _overridable(kind: ActorKind) -> str:
    """The attributes a scenario may override for an actor of this kind, for the refusal's message."""
    links = [link for link, holders in LINK_HOLDERS.items() if kind in holders]
    return ", ".join(["capability", "resolve", "alignment", "present", *links])


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
        """The documented-event file to overlay, if the scenario names one (it may be absent on another machine)."""
        relative = self.scenario.documented_events
        return None if relative is None else (self.path.parent / relative).resolve()

    @property
    def parameter_set_path(self) -> Path | None:
        """The fitted parameter set the scenario takes its parameters from, if it names one."""
        relative = self.scenario.parameter_set
        return None if relative is None else (self.path.parent / relative).resolve()


def require_run_memory(loaded: LoadedScenario, field: str = "replicates") -> None:
    """Refuse a scenario whose ``sahelsim run`` would not fit in memory, before any replicate runs.

    ``run`` holds every replicate's tables until it writes them (see :mod:`sim.model.memory`); a
    run that cannot fit would be killed by the system after minutes of work, so the gate refuses
    it with the estimate and the limit. ``batch`` streams its runs to disk and does not call this.
    ``field`` is where the replicate count came from (the scenario's field or ``--replicates``).
    """
    spec, model = loaded.scenario, memory_model()
    needed = model.run_bytes(spec.replicates, spec.weeks, len(spec.actors))
    available = available_memory()
    limit = model.limit_bytes(available)
    if needed > limit:
        raise InputError(
            f"a run of {spec.replicates:,} replicates x {spec.weeks} weeks with {len(spec.actors)} actors needs about "
            f"{size_text(needed)} of memory, more than the {size_text(limit)} it may use "
            f"({model.available_fraction:.0%} of the {size_text(available)} available now); expected fewer "
            "replicates, or 'sahelsim batch', which streams its runs to disk",
            path=loaded.path,
            field=field,
        )


def _relative_to(file: Path, folder: Path) -> str:
    """``file`` as a path from ``folder``: what a scenario stores.

    Its validated content (and hash) is then the same wherever the repository is checked out.
    """
    return Path(os.path.relpath(file.resolve(), folder.resolve())).as_posix()


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read and validate a scenario file (YAML, safe loader only).

    A scenario may start with ``extends: OTHER.yaml`` (relative to itself): it then takes every
    field of that scenario and replaces those it gives, except ``actor_attributes``, which it
    merges, and ``parameters``, which build up in this order: the parent's, then the medians of
    the scenario's own ``parameter_set`` if it names one, then its own ``parameters``. The set's
    posterior draws (:mod:`sim.model.posterior`) come with its medians, less the parameters the
    scenario sets itself. Counterfactuals are written this way. A chain of ``extends:`` that comes back to a file
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
    _named_file(own, "documented_events", path, node, "an event table (CSV or Parquet) to overlay")
    fitted: dict[str, float] = {}
    fitted_path = _named_file(own, "parameter_set", path, node, "a fitted set written by 'sahelsim calibrate'")
    if fitted_path is not None:
        fitted = load_fitted_set(fitted_path).medians()
        data["parameter_set"] = _relative_to(fitted_path, path.parent)
        data["posterior"] = posterior_draws(fitted_path, list(fitted))
    explicit = own.get("parameters") or {}
    if isinstance(data.get("posterior"), dict) and isinstance(explicit, dict):  # what a scenario sets, it sets
        data["posterior"] = {name: draws for name, draws in data["posterior"].items() if name not in explicit}
    # a parameters field of the wrong type is passed on as it is, for validation to report
    data["parameters"] = inherited | fitted | explicit if isinstance(explicit, dict) else explicit
    scenario = validate(Scenario, data, path, node, context={})
    return LoadedScenario(scenario=scenario, path=path, text=text)


def _named_file(own: dict[Any, Any], field: str, path: Path, node: yaml.Node | None, expected: str) -> Path | None:
    """The file a scenario's own field names (relative to the scenario), which must be an existing file.

    Checked where the scenario is read, so that ``validate`` refuses what ``run`` could not open; a
    result's recorded scenario is not checked again (its files may be elsewhere by then). A value
    that is not text is left for validation to report.
    """
    value = own.get(field)
    if not isinstance(value, str) or not value:
        return None
    return named_file(path, value, field, expected, line_of(node, (field,)))


class FittedParameter(BaseModel):
    """One calibrated parameter: its posterior median, 90 % interval and the prior it was fitted within."""

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
        """The posterior medians by parameter: the values a scenario naming this set runs with."""
        return {name: entry.median for name, entry in self.parameters.items()}


def load_fitted_set(path: Path) -> FittedSet:
    """Read and validate a fitted parameter set."""
    return load_yaml_model(FittedSet, path)
