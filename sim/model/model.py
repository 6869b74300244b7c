"""The mesa model: actors as agents, one step per calendar week, events as output.

Each step the relations decay a week, capabilities recover, the week's scheduled shocks are
replayed, and the agents act in random order (from the model's seeded generator). Every
action is logged (read back as :class:`~sim.core.events.Event` objects, the schema of the
documented events) and recorded in the relation ledger at once, so later rules in the same
week see it. The tension history is the ledger read at
the end of each week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import mesa
import numpy as np
import pandas as pd

from sim.core.actors import load_catalogue
from sim.core.datafiles import validate
from sim.core.errors import InputError
from sim.core.events import Event, event_types, events_to_frame
from sim.core.parameters import resolve_parameters
from sim.core.relations import Pair, RelationLedger, history_frame, pair_key, week_dates
from sim.model.agents import AGENT_CLASSES, SahelAgent
from sim.model.rules import EFFECTS
from sim.model.scenario import Block, Scenario, Shock

# one logged event: date, date precision, source, target, event type, rule, and the other Event fields it sets
LogRecord = tuple[dt.date, str, str, str, str, str, dict[str, object]]


def replicate_seed(seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed of one replicate: spawned from the scenario seed by index, independent of how many run."""
    return np.random.SeedSequence(seed, spawn_key=(replicate,))


class SahelModel(mesa.Model):
    """Sahel geopolitics as an agent-based model.

    Args:
        scenario: the validated scenario (actors, relations, parameters, shocks, period).
        replicate: index of this run; its randomness comes from ``replicate_seed``.
        parameters: overrides applied on top of the scenario's (e.g. by a sweep).
    """

    def __init__(self, scenario: Scenario, replicate: int = 0, parameters: dict[str, float] | None = None) -> None:
        """Build the agents, the relation ledger and the schedule of shocks; nothing is simulated yet."""
        super().__init__(rng=replicate_seed(scenario.seed, replicate))
        self.scenario = scenario
        self.replicate = replicate
        self.params = resolve_parameters({**scenario.parameters, **(parameters or {})})
        self.losses_decay = 0.5 ** (1.0 / self.params.losses_half_life_weeks)
        self.dates = week_dates(scenario.start, scenario.end)
        self.date = self.dates[0]

        catalogue = load_catalogue()
        self.taking_part = [actor for actor in catalogue.ids if actor in scenario.actors]  # catalogue order
        self._agents_by_id: dict[str, SahelAgent] = {
            actor_id: AGENT_CLASSES[catalogue[actor_id].kind](
                self, catalogue[actor_id], scenario.actor_attributes.get(actor_id)
            )
            for actor_id in self.taking_part
        }
        self.states = [a for a in self._agents_by_id.values() if a.kind == "state"]

        initial: dict[Pair, tuple[float, float]] = {}
        self.trade: dict[Pair, float] = {}
        for relation in scenario.relations:
            if all(actor in self._agents_by_id for actor in relation.pair):
                key = pair_key(*relation.pair)
                initial[key] = (relation.tension, relation.cooperation)
                self.trade[key] = relation.trade
        self.ledger = RelationLedger(
            self.taking_part, self.params.tension_half_life_weeks, self.params.tension_scale, initial
        )
        self._index_who_is_where()

        self.recalled: set[Pair] = set()  # (recalling state, state it recalled its ambassador from)
        self.shocks = sorted(
            (s for s in scenario.shocks if s.source in self._agents_by_id and s.target in self._agents_by_id),
            key=lambda s: s.date,
        )
        self._event_types = event_types()
        self._blocked: dict[str, list[Block]] = {}  # the scenario's blocked windows by event type
        for window in scenario.blocked:
            self._blocked.setdefault(window.kind, []).append(window)
        self.draw = self.random.random  # a uniform draw in [0, 1) from the model's seeded generator
        # one seed per week (see _reseed), from a sequence of its own: spawn key (replicate, 0)
        self._week_seeds = np.random.SeedSequence(scenario.seed, spawn_key=(replicate, 0)).generate_state(
            len(self.dates), np.uint64
        )
        self._counts_rng: np.random.Generator | None = None
        self.current_rule = "setup"  # the rule now acting, recorded in each event's provenance
        self.log: list[LogRecord] = []
        n_pairs = len(self.ledger.pairs)
        self.tension_history = np.zeros((len(self.dates), n_pairs))
        self.cooperation_history = np.zeros((len(self.dates), n_pairs))
        self.running = True

    def _index_who_is_where(self) -> None:
        """Index what does not change during a run (who is hosted where, who deals with whom)."""
        agents = list(self._agents_by_id.values())
        ids = self.taking_part
        self._order = {actor_id: i for i, actor_id in enumerate(ids)}
        self._hosted = {s: [a for a in agents if a.host == s] for s in ids}
        self._groups_in = {s: [a for a in agents if a.kind == "armed_group" and s in a.operates_in] for s in ids}
        self._clients = {s: [a for a in agents if a.patron == s] for s in ids}
        self._alliances = [a for a in agents if a.kind == "alliance"]
        self._fixed_stakes = {  # a shared border and trade; the common enemy is added as it changes
            (a.actor_id, b.actor_id): (b.actor_id in a.neighbours)
            + self.trade.get(pair_key(a.actor_id, b.actor_id), 0.0)
            for a in self.states
            for b in self.states
        }
        self._shared_groups = {  # pairs of states (first in catalogue order first) and the groups active in both
            (a.actor_id, b.actor_id): [g.actor_id for g in self._groups_in[a.actor_id] if b.actor_id in g.operates_in]
            for a in self.states
            for b in self.states
            if self._order[a.actor_id] < self._order[b.actor_id]
        }
        self._shared_groups = {pair: groups for pair, groups in self._shared_groups.items() if groups}
        self._common_threats: dict[Pair, tuple[str, float]] = {}
        self._counterparts = {
            a.actor_id: [b for b in self.states if b is not a and self._deal_with_each_other(a, b)] for a in self.states
        }

    def _deal_with_each_other(self, a: SahelAgent, b: SahelAgent) -> bool:
        """Neighbours, patron and client, or a pair the scenario gives a starting relation."""
        return (
            b.actor_id in a.neighbours
            or pair_key(a.actor_id, b.actor_id) in self.trade
            or a.actor_id == b.patron
            or b.actor_id == a.patron
        )

    # --- the weekly step ------------------------------------------------------------------------

    def step(self) -> None:
        """Simulate one week: decay, recovery, the week's shocks, then every agent in random order."""
        week = self.steps - 1  # mesa counts steps from 1
        self._reseed(week)
        self.date = self.dates[week]
        self.ledger.decay()
        self.agents.do("recover")
        week_end = self.date + dt.timedelta(days=7)
        for shock in self.shocks:
            if self.date <= shock.date < week_end:
                self.replay(shock)
        self._assess_common_threats()
        self.agents.shuffle_do("step")
        self.tension_history[week], self.cooperation_history[week] = self.ledger.snapshot()
        if week + 1 == len(self.dates):
            self.running = False

    def _reseed(self, week: int) -> None:
        """Draw this week's randomness from its own stream, seeded by week from the run's seed.

        A change that alters one week's decisions (a parameter, a counterfactual shock) then
        leaves the random numbers of every later week as they were, so two runs with the same
        seed differ by what the change does rather than by reshuffled luck: the common random
        numbers that ``compare`` and the sensitivity analysis rely on.
        """
        self._week_seed = int(self._week_seeds[week])
        self.random.seed(self._week_seed)
        self._counts_rng = None  # numpy's generator for counts, built only in a week that needs one

    def run(self) -> SahelModel:
        """Run every week of the scenario's period."""
        while self.running:
            self.step()
        return self

    # --- events ---------------------------------------------------------------------------------

    def emit(
        self,
        event_type: str,
        source: str,
        target: str,
        *,
        date: dt.date | None = None,
        precision: str = "week",
        rule: str | None = None,
        magnitude: float = 1.0,
        fatalities: int | None = None,
        **details: object,
    ) -> None:
        """Log one event, record it in the relation ledger, and apply its effects.

        The log keeps each event as a light record; :attr:`events` turns the records into
        validated :class:`Event` objects when asked, so batches that only need counts and
        tension do not pay for validating every event. ``fatalities`` is named because the
        effects count the deaths; ``details`` are the other :class:`Event` fields the event sets.

        An event a rule makes (one without an explicit ``rule``: shocks name theirs) that a window
        of the scenario's ``blocked`` covers is not made at all: nothing is logged, recorded or
        changed, and the rule's draws stay as they were, so later weeks keep their random numbers.
        """
        if rule is None and self._is_blocked(event_type, source, target):
            return
        if fatalities is not None:
            details["fatalities"] = fatalities
        self.log.append((date or self.date, precision, source, target, event_type, rule or self.current_rule, details))
        self.ledger.record(source, target, self._event_types[event_type].goldstein)
        effect = EFFECTS.get(event_type)
        if effect is not None:
            effect(self, source, target, fatalities or 0, magnitude)

    def _is_blocked(self, event_type: str, source: str, target: str) -> bool:
        """Whether a window of the scenario's ``blocked`` covers this rule-made event in the current week."""
        windows = self._blocked.get(event_type)
        period = (self.scenario.start, self.scenario.end)
        return windows is not None and any(window.blocks(source, target, self.date, period) for window in windows)

    def replay(self, shock: Shock) -> None:
        """A scheduled shock: the same event, with the same effects, on its own date."""
        meaning = event_types()[shock.kind].magnitude
        size = shock.magnitude
        counted = round(size) if size is not None and meaning == "count" else None
        self.emit(
            shock.kind,
            shock.source,
            shock.target,
            date=shock.date,
            precision="day",
            rule=f"shock:{shock.kind}",
            magnitude=size if size is not None and meaning == "boost" else 1.0,
            fatalities=round(size) if size is not None and meaning == "fatalities" else None,
            count=counted,
            count_unit=None if counted is None else "people",
            note=shock.note,
        )

    def inject(
        self, kind: str, source: str, target: str, magnitude: float | None = None, note: str | None = None
    ) -> Shock:
        """Schedule a shock for the coming week, as if the scenario had listed it (a lever to pull "now").

        The shock joins the scheduled ones and is replayed at the start of the next step, with
        the same effects; it is validated like a scenario's (known kind, actors taking part in
        this run, a magnitude only where the kind has one).
        """
        week = self.steps  # the week the next step simulates (mesa counts finished steps)
        where = f"shock {kind} by {source} on {target}"
        if week >= len(self.dates):
            raise InputError(f"the run ended on {self.dates[-1]}; reset it to inject another shock", path=where)
        shock = validate(
            Shock,
            {
                "date": self.dates[week],
                "kind": kind,
                "source": source,
                "target": target,
                "magnitude": magnitude,
                "note": note,
            },
            where,
            context={"actors": self.taking_part},
        )
        self.shocks.append(shock)
        return shock

    @property
    def events(self) -> list[Event]:
        """The event log as validated events, in the order they happened."""
        return [
            Event(
                event_id=f"S{self.replicate:04d}-{n:05d}",
                date=date,
                date_precision=precision,
                source=source,
                target=target,
                event_type=event_type,
                cameo_root=self._event_types[event_type].cameo_root,
                goldstein=self._event_types[event_type].goldstein,
                origin="simulated",
                rule=rule,
                replicate=self.replicate,
                **details,
            )
            for n, (date, precision, source, target, event_type, rule, details) in enumerate(self.log)
        ]

    def events_frame(self) -> pd.DataFrame:
        """The event log as a validated table in the :class:`Event` schema."""
        return events_to_frame(self.events)

    def log_frame(self) -> pd.DataFrame:
        """The date, actors and type of each logged event, without validation (fast, for statistics)."""
        return pd.DataFrame(
            [(date, source, target, kind) for date, _, source, target, kind, _, _ in self.log],
            columns=["date", "source", "target", "event_type"],
        ).astype({"date": "datetime64[ns]"})

    def tension_frame(self) -> pd.DataFrame:
        """The weekly tension and cooperation of every pair so far, as a long table."""
        return history_frame(self.dates, self.ledger.pairs, self.tension_history, self.cooperation_history)

    # --- queries the rules use ---------------------------------------------------------------

    def agent(self, actor_id: str) -> SahelAgent:
        """The agent of an actor taking part."""
        return self._agents_by_id[actor_id]

    def has(self, actor_id: str) -> bool:
        """Whether the actor takes part in this run."""
        return actor_id in self._agents_by_id

    def draw_deaths(self, median: float) -> int:
        """Deaths of one violent event: log-normal around ``median``, heavy-tailed."""
        return round(median * self.random.lognormvariate(0.0, 0.8))

    def draw_count(self, mean: float) -> int:
        """A Poisson count around ``mean`` (e.g. hostages), from this week's numpy generator."""
        if self._counts_rng is None:
            self._counts_rng = np.random.default_rng(self._week_seed)
        return int(self._counts_rng.poisson(mean))

    def choose(self, agents: Sequence[SahelAgent], weights: Sequence[float]) -> SahelAgent:
        """One of ``agents`` with probability proportional to its weight (the first if all are 0)."""
        point = self.draw() * sum(weights)
        for agent, weight in zip(agents, weights, strict=True):
            point -= weight
            if point < 0:
                return agent
        return agents[0]

    def comes_first(self, a: str, b: str) -> bool:
        """Whether ``a`` stands before ``b`` in the catalogue: who of a pair considers it, once a week."""
        return self._order[a] < self._order[b]

    def defenders(self, state_id: str) -> list[SahelAgent]:
        """The state and the foreign forces and contractors present on its territory."""
        return [self._agents_by_id[state_id]] + [a for a in self._hosted[state_id] if a.present]

    def contractors_in(self, state_id: str) -> list[SahelAgent]:
        """The private military companies present in a state."""
        return [a for a in self._hosted[state_id] if a.kind == "pmc" and a.present]

    def forces_in(self, state_id: str) -> list[SahelAgent]:
        """The international forces present in a state."""
        return [a for a in self._hosted[state_id] if a.kind == "international_force" and a.present]

    def counterparts(self, state_id: str) -> list[SahelAgent]:
        """The states a state deals with.

        Its neighbours, its patron or clients, and those it has a starting relation with.
        """
        return self._counterparts[state_id]

    def groups_in(self, state_id: str) -> list[SahelAgent]:
        """The armed groups that operate in a state."""
        return self._groups_in[state_id]

    def clients_of(self, patron_id: str) -> list[SahelAgent]:
        """The actors a patron backs."""
        return self._clients[patron_id]

    def alliances_open_to(self, state_id: str) -> list[SahelAgent]:
        """The alliances a state may join: it is a candidate and not yet a member."""
        return [a for a in self._alliances if state_id in a.candidates and state_id not in a.members]

    def threat(self, state_id: str) -> float:
        """The highest hostility towards the state of an armed group active on its territory."""
        return max((self.ledger.hostility(g.actor_id, state_id) for g in self.groups_in(state_id)), default=0.0)

    def common_enemy(self, a: str, b: str) -> tuple[str | None, float]:
        """The armed group active in both states that threatens them most, and that shared threat.

        Assessed once a week, at the start of the step (see :meth:`_assess_common_threats`).
        """
        return self._common_threats.get((a, b), (None, 0.0))

    def _assess_common_threats(self) -> None:
        """For each pair of states facing a common armed group, the group that threatens both most."""
        hostility = self.ledger.hostility
        assessed = {}
        for (a, b), groups in self._shared_groups.items():
            shared = [(min(hostility(g, a), hostility(g, b)), -self._order[g], g) for g in groups]
            threat, _, enemy = max(shared)
            assessed[a, b] = assessed[b, a] = (enemy, threat)
        self._common_threats = assessed

    def stakes(self, a: str, b: str) -> float:
        """What the pair stands to lose, in [0, 1]: a shared border, trade, a common enemy."""
        _, shared = self.common_enemy(a, b)
        return (self._fixed_stakes[a, b] + shared) / 3.0
