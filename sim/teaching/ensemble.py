"""Two live ensembles side by side: the factual scenario (A) and a counterfactual (B), stepped together.

The page steps N worlds of each side per click. Both sides run the same seed and the same run
indices, so world *i* of A and world *i* of B draw the same random numbers (the model keys them
per run, week and decision, :mod:`sim.model.draws`) and differ only by what B changes: another
scenario of the same period, levers moved, or a shock pulled into one side. The difference
B − A is therefore taken world by world before its quantiles are read.

This module computes what the page shows (fans, the difference, monitors, the exported table);
the widgets are :mod:`sim.teaching.app`'s and the drawing :mod:`sim.plots.live`'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sim.core.actors import load_catalogue
from sim.core.errors import InputError
from sim.core.relations import Pair
from sim.teaching.classroom import ClassroomModel, ShockButton, classroom, load_offered, parse_seed

QUANTILES = np.array([0.05, 0.25, 0.5, 0.75, 0.95])  # the 90 % band, the 50 % band and the median
Measure = Literal["tension", "cooperation"]
Sides = Literal["A", "B", "both"]


@dataclass(frozen=True)
class Choice:
    """What the sidebar holds: the two scenarios, the seed as typed, the worlds and B's moved levers.

    The page compares the choice in the sidebar with the one applied, so each control can say
    whether its value is already running (applied) or waits for Apply (pending).
    """

    factual: str
    counterfactual: str
    seed: str
    worlds: int
    levers: tuple[tuple[str, float], ...] = ()

    def lever(self, name: str, default: float) -> float:
        """The value of one lever in this choice (``default`` where it was not set)."""
        return dict(self.levers).get(name, default)


def counterfactuals(factual: str) -> list[str]:
    """The offered scenarios a factual can be compared with week by week: those of the same period.

    The factual itself is first: B as A with levers moved (or a shock pulled into B only).
    """
    period = _period(factual)
    others = [name for name in classroom().scenarios if name != factual and _period(name) == period]
    return [factual, *others]


def _period(name: str) -> tuple[dt.date, dt.date]:
    scenario = load_offered(name).scenario
    return scenario.start, scenario.end


def default_choice(factual: str) -> Choice:
    """The factual's usual counterfactual (``pairings`` in the classroom file) with its own seed."""
    offered = counterfactuals(factual)
    paired = classroom().pairings.get(factual)
    counterfactual = paired if paired in offered else offered[-1]
    seed = str(load_offered(factual).scenario.seed)
    return Choice(factual, counterfactual, seed, classroom().worlds)


def check_choice(choice: Choice) -> list[str]:
    """What is wrong with a choice, as messages for the page (empty: it can be applied).

    Checked before anything is built, so a bad seed or a scenario of another period leaves the
    running comparison as it was instead of replacing it with a fallback.
    """
    problems: list[str] = []
    for name in (choice.factual, choice.counterfactual):
        try:
            load_offered(name)
        except InputError as error:
            problems.append(error.message)
    if problems:
        return problems
    if choice.counterfactual not in counterfactuals(choice.factual):
        problems.append(
            InputError(
                f"{choice.counterfactual} covers another period than {choice.factual}; expected one of "
                f"{', '.join(counterfactuals(choice.factual))}",
                path="counterfactual choice",
                field="counterfactual",
            ).message
        )
    if not 1 <= choice.worlds <= classroom().max_worlds:
        problems.append(
            InputError(
                f"got {choice.worlds}; expected 1 to {classroom().max_worlds} worlds", path="worlds", field="worlds"
            ).message
        )
    try:
        parse_seed(choice.seed, 0)
    except InputError as error:
        problems.append(error.message)
    return problems


@dataclass(frozen=True)
class Pulled:
    """A shock pulled in class: its week (1-based), its button and the side(s) it went into."""

    week: int
    date: dt.date
    label: str
    sides: Sides


@dataclass(frozen=True)
class Fans:
    """Quantiles over the worlds of each side, and of B − A world by world, for the weeks so far.

    Each array is (weeks, quantiles, key pairs), quantiles as :data:`QUANTILES`; NaN where a side
    lacks one of the pair's actors.
    """

    dates: list[dt.date]
    a: np.ndarray
    b: np.ndarray
    difference: np.ndarray


def fan(values: np.ndarray) -> np.ndarray:
    """Quantiles of (weeks, worlds, pairs) values over the worlds: (weeks, quantiles, pairs)."""
    if values.shape[0] == 0:
        return np.empty((0, len(QUANTILES), values.shape[2]))
    return np.moveaxis(np.quantile(values, QUANTILES, axis=1), 0, 1)


@dataclass
class Comparison:
    """The factual and the counterfactual ensembles of an applied :class:`Choice`, stepped together."""

    choice: Choice
    a: ClassroomModel
    b: ClassroomModel
    pulled: list[Pulled] = field(default_factory=list)

    @classmethod
    def build(cls, choice: Choice) -> Comparison:
        """Both ensembles of a choice :func:`check_choice` accepted (B with the choice's levers)."""
        a = ClassroomModel(choice.factual, choice.seed, worlds=choice.worlds)
        b = ClassroomModel(choice.counterfactual, choice.seed, worlds=choice.worlds, **dict(choice.levers))
        return cls(choice, a, b)

    @property
    def key_pairs(self) -> list[Pair]:
        """The factual scenario's key pairs: the panels and monitors of both sides."""
        return list(self.a.scenario.key_pairs)

    @property
    def week(self) -> int:
        """Weeks simulated so far (both sides step together)."""
        return self.a.steps

    @property
    def running(self) -> bool:
        """Whether both sides have weeks left."""
        return self.a.running and self.b.running

    def step(self) -> None:
        """One week of every world of both sides."""
        if self.running:
            self.a.step()
            self.b.step()

    def pull(self, button: ShockButton, sides: Sides) -> Pulled:
        """Schedule the button's shock for the coming week in A, in B or in both, and remember it for the plot."""
        chosen = {"A": [self.a], "B": [self.b], "both": [self.a, self.b]}[sides]
        for model in chosen:
            if not model.can_pull(button):
                raise InputError(
                    f"{button.label} cannot be pulled into {model.name} now (its actors do not take part, "
                    "or the run has ended)",
                    path="shock button",
                    field=button.label,
                )
        for model in chosen:
            model.pull(button)
        week = self.week + 1
        pulled = Pulled(week, self.a.dates[self.week], button.label, sides)
        self.pulled.append(pulled)
        return pulled

    def can_pull(self, button: ShockButton, sides: Sides) -> bool:
        """Whether the button's shock can go into the chosen side(s) now."""
        chosen = {"A": [self.a], "B": [self.b], "both": [self.a, self.b]}[sides]
        return all(model.can_pull(button) for model in chosen)

    def history(self, model: ClassroomModel, measure: Measure, first: int = 0) -> np.ndarray:
        """A side's (weeks from ``first`` to now, worlds, key pairs) levels of a measure; NaN for a pair it lacks."""
        source = model.tension_history if measure == "tension" else model.cooperation_history
        weeks = max(self.week - first, 0)
        out = np.full((weeks, model.replicates, len(self.key_pairs)), np.nan)
        for k, (x, y) in enumerate(self.key_pairs):
            if model.has(x) and model.has(y):
                out[:, :, k] = source[first : self.week, :, model.ledger.column(x, y)]
        return out

    def fans(self, measure: Measure) -> Fans:
        """Both sides' fans of a measure and the fan of B − A (world by world), for the weeks so far."""
        a, b = self.history(self.a, measure), self.history(self.b, measure)
        return Fans(self.a.dates[: self.week], fan(a), fan(b), fan(b - a))

    def title(self, measure: Measure) -> str:
        """What a figure or an export shows: scenarios, seed, worlds, levers, measure and week (two lines)."""
        choice = self.choice
        levers = ", ".join(f"{classroom().levers[name].label} {value:g}" for name, value in choice.levers)
        counterfactual = choice.counterfactual + (f" with {levers}" if levers else "")
        when = f"week {self.week}, {self.a.dates[self.week - 1]:%d %b %Y}" if self.week else "start"
        return (
            f"{measure}: A {choice.factual} vs B {counterfactual}\n"
            f"seed {self.a.scenario.seed}, {choice.worlds} worlds each, {when}"
        )


@dataclass(frozen=True)
class Reading:
    """A key pair's median tension and cooperation now, factual beside counterfactual."""

    label: str
    tension_a: float
    tension_b: float
    cooperation_a: float
    cooperation_b: float


def readings(comparison: Comparison) -> list[Reading]:
    """The monitors: each key pair's median tension and cooperation over the worlds, this week, in A and B."""
    catalogue = load_catalogue()
    week = comparison.week
    out = []
    for k, (x, y) in enumerate(comparison.key_pairs):
        levels = [
            float(np.median(comparison.history(model, measure, week - 1)[:, :, k])) if week else 0.0
            for measure in ("tension", "cooperation")
            for model in (comparison.a, comparison.b)
        ]
        out.append(Reading(f"{catalogue[x].short_name} – {catalogue[y].short_name}", *levels))
    return out


def series_table(comparison: Comparison) -> pd.DataFrame:
    """The ensembles' series as the CSV export holds them: a row per week, pair, measure and side.

    Sides are A, B and B − A (world by world); the columns q05 to q95 are the quantiles over the
    worlds; every row records the choice (scenarios, seed, worlds, levers) so a table alone says what ran.
    """
    choice = comparison.choice
    levers = "; ".join(f"{name}={value:g}" for name, value in choice.levers)
    frames = []
    for measure in ("tension", "cooperation"):
        fans = comparison.fans(measure)
        for side, values in (("A", fans.a), ("B", fans.b), ("B - A", fans.difference)):
            for k, (x, y) in enumerate(comparison.key_pairs):
                table = pd.DataFrame(values[:, :, k], columns=[f"q{round(100 * q):02d}" for q in QUANTILES])
                table.insert(0, "week", np.arange(1, len(fans.dates) + 1))
                table.insert(1, "date", fans.dates)
                table.insert(2, "pair", f"{x}-{y}")
                table.insert(3, "measure", measure)
                table.insert(4, "side", side)
                frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    return table.assign(
        factual=choice.factual,
        counterfactual=choice.counterfactual,
        seed=comparison.a.scenario.seed,
        worlds=choice.worlds,
        levers=levers,
    )
