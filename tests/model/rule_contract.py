"""The contract every rule keeps, as a base class to subclass (in the manner of Axelrod's ``TestPlayer``).

A rule is a mechanism of :mod:`sim.model.rules` (a :class:`~sim.model.rules.Rule` class): it
turns the model's state into weekly probabilities, for every replicate at once, and emits events
where the draws succeed. A subclass of :class:`RuleContract`
declares, for one rule, the event types it may emit, a scenario (and parameters) in which it
acts, and for each of its probability (or rate) functions the state terms it rises and falls
with (what the rule's docstring says). The base class then checks, for every rule alike:

- each probability moves the declared way in each term, for any parameters within their
  documented ranges (so the direction is the mechanism's, not an accident of the defaults);
- the rule emits events in its scenario, and only of its declared types, all known to the
  event catalogue;
- a seed fixes its output, and another seed changes it;
- a scenario's ``blocked`` window on one of its types removes every rule-made event of that
  type and leaves the run as it was up to the first such event (the rule's draws are kept, so
  the random numbers do not shift), while the scheduled shocks of the type still replay.

To add a rule, copy one of the subclasses in ``tests/model/test_rule_contracts.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.events import event_types
from sim.core.parameters import parameter_specs, resolve_parameters
from sim.model.model import SahelModel
from sim.model.rules import Rule
from sim.model.scenario import load_scenario
from tests.conftest import SCENARIOS

unit = st.floats(0.0, 1.0)


@dataclass(frozen=True)
class Probability:
    """One probability function of a rule and how it must move in each of its state terms."""

    function: Callable[..., float]
    terms: Mapping[str, st.SearchStrategy[Any]]  # every state argument after the parameters, with its domain
    rises_with: tuple[str, ...] = ()
    falls_with: tuple[str, ...] = ()
    fixed: Mapping[str, float] = field(default_factory=dict)  # parameters held at a value (e.g. a scale)
    rate: bool = False  # a weekly rate of incidents (any non-negative value) rather than a chance


def parameter_draws() -> st.SearchStrategy[dict[str, float]]:
    """Any parameter set within the documented ranges of ``parameters.yaml``."""
    return st.fixed_dictionaries({name: st.floats(*spec.range) for name, spec in parameter_specs().items()})


Row = tuple[Any, ...]  # date, source, target, event_type, rule, fatalities, count


def model_logs(
    scenario: Path,
    seed: int,
    replicates: int,
    parameters: dict[str, float],
    blocked: Sequence[dict[str, str]] = (),
) -> list[list[Row]]:
    """The event log of each replicate, with the scenario's seed and ``blocked`` windows replaced."""
    loaded = load_scenario(scenario).with_changes(seed=seed, blocked=list(blocked)).scenario
    records = SahelModel(loaded, replicates, parameters).run().log.records()
    columns = ["date", "source", "target", "event_type", "rule", "fatalities", "count"]
    return [
        list(records.loc[records["run"] == replicate, columns].itertuples(index=False, name=None))
        for replicate in range(replicates)
    ]


def rule_events(rule: type[Rule], scenario: Path, seed: int, replicates: int, parameters: dict[str, float]):
    """The (replicate, date, type, source, target) of every event the rule emitted in the runs."""
    return [
        (replicate, date, kind, source, target)
        for replicate, log in enumerate(model_logs(scenario, seed, replicates, parameters))
        for date, source, target, kind, name, _, _ in log
        if name == rule.name
    ]


class RuleContract:
    """Subclass with ``Test...`` and set the class attributes below; the tests come from here."""

    rule: ClassVar[type[Rule]]
    emits: ClassVar[frozenset[str]]
    probabilities: ClassVar[tuple[Probability, ...]]
    scenario: ClassVar[Path] = SCENARIOS / "sahel_2024.yaml"
    parameters: ClassVar[dict[str, float]] = {}  # overrides that make the rule act in its scenario
    replicates: ClassVar[int] = 2

    def test_its_docstring_says_what_it_does(self):
        assert self.rule.__doc__ and len(self.rule.__doc__.split()) >= 5

    def test_the_declared_terms_are_the_probabilities_arguments(self):
        for probability in self.probabilities:
            arguments = probability.function.__code__.co_varnames[1 : probability.function.__code__.co_argcount]
            assert list(arguments) == list(probability.terms), probability.function.__name__
            assert set(probability.rises_with) | set(probability.falls_with) <= set(probability.terms)

    def test_each_probability_moves_the_declared_way(self):
        # hypothesis runs a function per contract (an inherited @given method would be one test
        # called from several classes, which hypothesis rightly refuses)
        @settings(max_examples=60, deadline=None)
        @given(data=st.data())
        def moves_the_declared_way(data: st.DataObject) -> None:
            for probability in self.probabilities:
                p = resolve_parameters({**data.draw(parameter_draws()), **probability.fixed})
                state = {name: data.draw(domain, label=name) for name, domain in probability.terms.items()}
                for term, sign in [(t, 1) for t in probability.rises_with] + [(t, -1) for t in probability.falls_with]:
                    low, high = sorted((state[term], data.draw(probability.terms[term], label=f"{term}'")))
                    at_low = probability.function(p, **{**state, term: low})
                    at_high = probability.function(p, **{**state, term: high})
                    top = np.inf if probability.rate else 1.0
                    assert 0.0 <= at_low <= top and 0.0 <= at_high <= top
                    assert sign * (at_high - at_low) >= -1e-12, (probability.function.__name__, term, low, high)

        moves_the_declared_way()

    def test_it_emits_only_its_declared_types_all_known(self):
        assert self.rule.emits == self.emits, "the rule's own emits differs from its contract's"
        assert self.emits <= set(event_types())
        found = rule_events(self.rule, self.scenario, 7, self.replicates, self.parameters)
        assert found, f"{self.rule.name} emitted nothing in {self.scenario.name}"
        assert {kind for _, _, kind, _, _ in found} <= self.emits

    def test_a_seed_fixes_its_output(self):
        first = rule_events(self.rule, self.scenario, 11, self.replicates, self.parameters)
        assert first == rule_events(self.rule, self.scenario, 11, self.replicates, self.parameters)
        assert first != rule_events(self.rule, self.scenario, 12, self.replicates, self.parameters)

    def test_a_blocked_window_removes_its_events_and_changes_nothing_before(self):
        free = model_logs(self.scenario, 7, self.replicates, self.parameters)
        emitted = {row[3] for log in free for row in log if row[4] == self.rule.name}
        assert emitted, f"{self.rule.name} emitted nothing in {self.scenario.name}"
        for kind in sorted(emitted):
            blocked = model_logs(self.scenario, 7, self.replicates, self.parameters, [{"kind": kind}])
            for before, after in zip(free, blocked, strict=True):
                made = [i for i, row in enumerate(before) if row[3] == kind and not row[4].startswith("shock:")]
                assert not [row for row in after if row[3] == kind and not row[4].startswith("shock:")], kind
                if made:
                    assert after[: made[0]] == before[: made[0]], kind
                shocks = [row for row in before if row[3] == kind and row[4].startswith("shock:")]
                assert [row for row in after if row[3] == kind and row[4].startswith("shock:")] == shocks, kind
