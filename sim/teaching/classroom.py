"""The classroom: what the teaching page offers and what it says, apart from its widgets.

A teacher picks a shipped scenario, moves levers (parameters), pulls shocks and steps the
model; the page (``sim/teaching/app.py``) draws what this module computes: the model built from those
choices (:class:`ClassroomModel`, with every bad choice turned into a message rather than a
crash), the feed of the latest events in plain words, the monitors, and the figures' inputs.
What is offered is data: ``sim/data/classroom.yaml``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import SupportsFloat

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.core.actors import load_catalogue
from sim.core.datafiles import PACKAGE_DATA, load_yaml_model
from sim.core.errors import InputError
from sim.core.events import event_types
from sim.core.names import known, unknown
from sim.core.parameters import parameter_specs
from sim.model.model import SahelModel
from sim.model.scenario import MAX_SEED, LoadedScenario, Scenario, Shock, load_fitted_set, load_scenario
from sim.records.documented import documented_record

CLASSROOM_PATH = PACKAGE_DATA / "classroom.yaml"
SCENARIOS_VARIABLE = "SAHELSIM_SCENARIOS"  # the folder of scenario files, set by `sahelsim app --scenarios`
SCENARIO_VARIABLE = "SAHELSIM_SCENARIO"  # the scenario the page opens with, set by `sahelsim app --scenario`


class Lever(BaseModel):
    """A parameter's slider on the page: its short label and the step it moves by."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    step: float = Field(gt=0)


class ShockButton(BaseModel):
    """A button that schedules one shock for the coming week: a scenario shock without its date."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    kind: str
    source: str
    target: str
    magnitude: float | None = None

    @model_validator(mode="after")
    def _a_valid_shock(self) -> ShockButton:
        """Checked as a scenario's shock is (kind, actors, magnitude), on any date."""
        Shock.model_validate(self.model_dump(exclude={"label"}) | {"date": dt.date.today()}, context={})
        return self


class Classroom(BaseModel):
    """The contents of ``sim/data/classroom.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    scenarios: list[str] = Field(min_length=1)
    levers: dict[str, Lever]
    shocks: list[ShockButton]
    monitors: dict[str, list[str]]
    feed_length: int = Field(ge=1)
    worlds: int = Field(ge=1)
    max_worlds: int = Field(ge=1)
    pairings: dict[str, str]
    routine: list[str]
    feed_weeks: int = Field(ge=1)
    lessons: dict[str, str]
    info: dict[str, str]
    figure_font_px: float = Field(ge=14)

    @model_validator(mode="after")
    def _offered_names(self) -> Classroom:
        """Pairings and lessons name offered scenarios; the default worlds fit under the page's maximum."""
        for name in [*self.pairings, *self.pairings.values(), *self.lessons]:
            known("scenario", name, self.scenarios)
        if self.worlds > self.max_worlds:
            raise ValueError(f"worlds {self.worlds} above max_worlds {self.max_worlds}")
        return self

    @field_validator("levers")
    @classmethod
    def _known_parameters(cls, levers: dict[str, Lever]) -> dict[str, Lever]:
        for name in levers:
            known("parameter", name, parameter_specs())
        return levers

    @field_validator("monitors")
    @classmethod
    def _known_types(cls, monitors: dict[str, list[str]]) -> dict[str, list[str]]:
        for kinds in monitors.values():
            for kind in kinds:
                known("event type", kind, event_types())
        return monitors

    @field_validator("routine")
    @classmethod
    def _known_routine(cls, routine: list[str]) -> list[str]:
        for kind in routine:
            known("event type", kind, event_types())
        return routine


@lru_cache(maxsize=1)
def classroom() -> Classroom:
    """What the page offers, read once (``sim/data/classroom.yaml``)."""
    return load_yaml_model(Classroom, CLASSROOM_PATH)


def scenarios_folder() -> Path:
    """The folder of the scenario files, as ``sahelsim app --scenarios`` set it (else ``scenarios``)."""
    return Path(os.environ.get(SCENARIOS_VARIABLE, "scenarios"))


def opening_scenario() -> str:
    """The scenario the page opens with, as ``sahelsim app --scenario`` set it (else the first offered)."""
    return os.environ.get(SCENARIO_VARIABLE) or classroom().scenarios[0]


def load_offered(name: str, folder: Path | None = None) -> LoadedScenario:
    """One of the scenarios the page offers, read from the scenarios folder.

    A name the page does not offer is refused as the choice it is (not as a fault of the
    classroom file), with the nearest offered name.
    """
    offered = classroom().scenarios
    if name not in offered:
        raise InputError(unknown("scenario", name, offered), path="scenario choice", field="scenario")
    return _load_cached(name, (folder or scenarios_folder()).resolve())


@lru_cache(maxsize=16)
def _load_cached(name: str, folder: Path) -> LoadedScenario:
    return load_scenario(folder / f"{name}.yaml")


@lru_cache(maxsize=16)
def _documented(name: str, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    return documented_record(_load_cached(name, folder))


@dataclass(frozen=True)
class LeverSetting:
    """A lever as the page shows it: its slider's range, its meaning, and the value to mark."""

    name: str
    label: str
    meaning: str
    low: float
    high: float
    step: float
    value: float  # the scenario's value, where the slider starts
    calibrated: float | None  # the fitted set's median, when the parameter was calibrated

    @property
    def title(self) -> str:
        """The slider's label with the value it marks: the calibrated median, else the default."""
        mark = f"calibrated {self.calibrated:.3g}" if self.calibrated is not None else f"default {self.value:.3g}"
        return f"{self.label} ({mark})"


def lever_settings(loaded: LoadedScenario) -> list[LeverSetting]:
    """The levers of ``sim/data/classroom.yaml`` on the scenario's terms."""
    scenario = loaded.scenario
    fitted = load_fitted_set(loaded.parameter_set_path).medians() if loaded.parameter_set_path else {}
    specs = parameter_specs()
    return [
        LeverSetting(
            name=name,
            label=lever.label,
            meaning=specs[name].meaning,
            low=specs[name].range[0],
            high=specs[name].range[1],
            step=lever.step,
            value=scenario.parameters.get(name, specs[name].default),
            calibrated=fitted.get(name),
        )
        for name, lever in classroom().levers.items()
    ]


def parse_seed(text: str | int | None, scenario_seed: int) -> int:
    """The seed as typed (empty: the scenario's); anything else than a whole number in range is refused."""
    if text is None or str(text).strip() == "":
        return scenario_seed
    try:
        seed = int(str(text).strip())
    except ValueError:
        seed = -1
    if not 0 <= seed <= MAX_SEED:
        raise InputError(
            f"got {text!r}; expected a whole number 0 or above, at most {MAX_SEED}", path="seed field", field="seed"
        )
    return seed


def _seed(text: str | int | None, scenario_seed: int, problems: list[str]) -> int:
    """The seed as typed, or the scenario's with a message when it is refused (the model still runs)."""
    try:
        return parse_seed(text, scenario_seed)
    except InputError as error:
        problems.append(f"{error.message} (kept the scenario's seed {scenario_seed})")
        return scenario_seed


def _lever_values(chosen: dict[str, object], scenario: Scenario, problems: list[str]) -> dict[str, float]:
    """The levers moved to a number within their parameter's range; bad values become messages.

    A slider snaps to its step, so one left within half a step of the scenario's value (its
    calibrated mark) counts as not moved and the run keeps the exact value.
    """
    values = {}
    for name, value in chosen.items():
        spec = parameter_specs().get(name)
        if name not in classroom().levers or spec is None:
            problems.append(InputError(unknown("lever", name, classroom().levers), path="slider", field=name).message)
            continue
        try:
            number = float(value) if isinstance(value, (SupportsFloat, str)) else float("nan")
        except (TypeError, ValueError, OverflowError):
            number = float("nan")
        if not spec.contains(number):
            low, high = spec.range
            problems.append(
                InputError(
                    f"got {value!r}; expected a number in the parameter's range [{low:g}, {high:g}] "
                    "(kept the scenario's value)",
                    path="slider",
                    field=name,
                ).message
            )
            continue
        if abs(number - scenario.parameters.get(name, spec.default)) > classroom().levers[name].step / 2:
            values[name] = number
    return values


class ClassroomModel(SahelModel):
    """The model built from the page's choices: a scenario by name, a seed as typed, lever values.

    Bad choices never stop the page: each becomes a message in :attr:`problems` and the model
    runs with the scenario's own value instead (the default scenario for an unknown name).
    One world runs the posterior medians (``parameters_from: median``), the values the sliders
    mark, not a posterior draw the sliders would not show; an ensemble of worlds runs the
    scenario's own setting (a posterior draw per world), so its spread holds what the calibration
    leaves uncertain, as the lessons' figures do. A moved lever sets its parameter in every world.

    Args:
        scenario: name of an offered scenario (``sim/data/classroom.yaml``).
        seed: the seed as typed; empty for the scenario's seed.
        worlds: how many worlds (replicates, runs 0 to worlds - 1) to step together.
        kwargs: lever values by parameter name.
    """

    def __init__(
        self, scenario: str | None = None, seed: str | int | None = "", worlds: int = 1, **kwargs: object
    ) -> None:
        """Load the chosen scenario, turn each bad choice into a message, and build the model."""
        problems: list[str] = []
        name = scenario or opening_scenario()
        try:
            loaded = load_offered(name)
        except InputError as error:
            problems.append(error.message)
            name = classroom().scenarios[0]
            loaded = load_offered(name)
        chosen_seed = _seed(seed, loaded.scenario.seed, problems)
        moved = _lever_values(kwargs, loaded.scenario, problems)
        drawn = "median" if worlds == 1 else loaded.scenario.parameters_from
        stepped = loaded.scenario.model_copy(update={"seed": chosen_seed, "parameters_from": drawn})
        super().__init__(stepped, worlds, moved)
        self.name = name
        self.loaded = loaded
        self.problems = problems

    @property
    def documented(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The scenario's documented events and their tension series (read once per scenario)."""
        return _documented(self.name, self.loaded.path.parent.resolve())

    def pull(self, button: ShockButton) -> Shock:
        """Schedule the button's shock for the coming week."""
        return self.inject(
            button.kind, button.source, button.target, button.magnitude, note=f"{button.label.lower()}, pulled in class"
        )

    def can_pull(self, button: ShockButton) -> bool:
        """Whether the button's shock can be pulled now: its actors take part and the run has weeks left."""
        return self.has(button.source) and self.has(button.target) and self.running


def sentence(source: str, target: str, kind: str, details: dict | None = None) -> str:
    """An event in plain words: "Mauritania summons the ambassador of Mali"."""
    catalogue = load_catalogue()
    text = f"{catalogue[source].short_name} {event_types()[kind].phrase} {catalogue[target].short_name}"
    details = details or {}
    if details.get("fatalities"):
        text += f" ({details['fatalities']} killed)"
    elif details.get("count"):
        text += f" ({details['count']} {details.get('count_unit') or 'people'})"
    return text


def week_number(model: SahelModel, date: dt.date) -> int:
    """The 1-based week of the run a date falls in."""
    return (date - model.dates[0]).days // 7 + 1


def feed(model: SahelModel, length: int | None = None) -> list[str]:
    """The feed, newest first.

    The shocks due in the coming week, the shocks of the week just simulated (so a pulled shock
    stays in view however busy the week), then the latest events.
    """
    length = length or classroom().feed_length
    lines = []
    if model.steps < len(model.dates):
        start = model.dates[model.steps]
        end = start + dt.timedelta(days=7)
        lines += [
            f"coming week {week_number(model, start)}: {sentence(s.source, s.target, s.kind)} (shock)"
            for s in model.shocks
            if start <= s.date < end
        ]
    week_start = model.dates[model.steps - 1] if model.steps else model.dates[0]
    shocks: list[str] = []
    others: list[str] = []
    for row in reversed(model.log.records(0).to_dict(orient="records")):
        date, rule = row["date"].date(), row["rule"]
        details = {
            "fatalities": max(row["fatalities"], 0),
            "count": max(row["count"], 0),
            "count_unit": row["count_unit"],
        }
        said = sentence(row["source"], row["target"], row["event_type"], details)
        line = f"week {week_number(model, date)} ({date:%d %b %Y}): {said}"
        if rule.startswith("shock:") and date >= week_start:
            shocks.append(line + " (shock)")
        elif len(others) < length:
            others.append(line)
        if date < week_start and len(others) >= length:
            break
    return lines + shocks + others[: max(0, length - len(shocks))]


@dataclass(frozen=True)
class PairReading:
    """A key pair's tension now and its change since the week before, as the page's monitor shows it."""

    label: str
    tension: float
    change: float  # since the week before


def monitors(model: ClassroomModel) -> tuple[dict[str, int], list[PairReading]]:
    """Counts of the monitored event types so far, and the key pairs' tension now."""
    kinds = model.log.records(0)["event_type"]
    counts = {name: int(kinds.isin(types).sum()) for name, types in classroom().monitors.items()}
    catalogue = load_catalogue()
    readings = []
    for a, b in model.scenario.key_pairs:
        column = model.ledger.column(a, b)
        now = float(model.ledger.tension(a, b)[0])
        before = float(model.tension_history[model.steps - 2, 0, column]) if model.steps >= 2 else now
        readings.append(PairReading(f"{catalogue[a].short_name} – {catalogue[b].short_name}", now, now - before))
    return counts, readings
