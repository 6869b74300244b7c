"""The mesa model: actors as agents, one step per calendar week, an ensemble of replicates at once.

``SahelModel(scenario, replicates=R)`` steps R replicates together: every agent's changing state
(capability, losses, presence) and the relation ledger are arrays with the replicate as their first
axis, and each rule decides for all replicates with array operations. R=1 is the same code, the
one the teaching page steps. Each replicate may have its own parameters (a sweep point or a
posterior draw per replicate is just another row of the parameter columns).

A week runs in fixed phases, each seeing what the earlier ones did this week:

1. the week starts: relations decay, grievance fades, capabilities recover and losses fade, the week's scheduled
   shocks are replayed in date order, and each pair of states assesses its common enemy;
2. armed groups act (attacks on forces and civilians, kidnappings): violence is what the rest
   of the week responds to, as in the reporting, where operations and protests follow attacks;
3. states and deployed forces operate against the groups on their territory, with the
   contractors who join them (and the civilian harm and pursuits across borders that follow);
4. diplomacy: protests (summons, recalls and returns of ambassadors), then delegations and
   visits, then joint action between neighbours, then expulsions of foreign forces: each reads
   the tension the week's violence has left;
5. patrons pledge support to clients, reacting to the losses of this and recent weeks;
6. candidate states join alliances.

Every random number is the fixed uniform of one decision (see :mod:`sim.model.draws`), so a
replicate's run is the same whether it is stepped alone or among thousands. Events are logged as
columns (:mod:`sim.model.log`) and recorded in the ledger as they are emitted; the tension
history is the ledger read at the end of each week.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Mapping, Sequence

import mesa
import numpy as np
import pandas as pd

from sim.core.actors import load_catalogue
from sim.core.datafiles import validate
from sim.core.errors import InputError
from sim.core.events import Event, event_types
from sim.core.parameters import parameter_columns, resolve_parameters
from sim.core.relations import Pair, RelationLedger, history_frame, pair_key, week_dates
from sim.model.agents import SahelAgent
from sim.model.draws import Decisions
from sim.model.log import Batch, EventLog
from sim.model.posterior import drawn_parameters
from sim.model.rules import EFFECTS, PHASES, Rule
from sim.model.scenario import Block, Scenario, Shock

ParameterChoice = Mapping[str, float] | Sequence[Mapping[str, float]] | None
# A mesa model lives in reference cycles (its agents and its wrapped step point back at it), so
# a finished ensemble is freed only by a full garbage collection, which Python runs after so
# many new objects, not so many bytes: a worker stepping ensemble after ensemble grew by about
# 100 MB per 500 runs until the kernel killed it. An ensemble of this many runs or more first
# collects (about 70 ms, a few per cent of its own time); the page's ensembles of one do not.
LARGE_ENSEMBLE = 64


class SahelModel(mesa.Model):
    """Sahel geopolitics as an agent-based model, an ensemble of replicates stepped together.

    Args:
        scenario: the validated scenario (actors, relations, parameters, shocks, period).
        replicates: how many replicates to step together (runs 0 to R - 1 of the scenario), or the
            run index of each replicate (e.g. ``range(500, 1000)`` for a batch chunk, ``[7]`` for
            run 7 alone). A run's random numbers depend only on its index and the scenario's seed.
        parameters: overrides applied on top of the scenario's: one mapping for every replicate,
            or a sequence with one mapping per replicate (e.g. sweep points or calibration particles).
        draws: which posterior draw of the scenario's fitted set each replicate runs with (see
            :mod:`sim.model.posterior`), keyed like a replicate index; by default its run index. A
            batch keys them on the replicate, so its sweep points share their draws. Overrides in
            ``parameters`` win over the draws; with ``parameters_from: median`` there are none.
    """

    def __init__(
        self,
        scenario: Scenario,
        replicates: int | Sequence[int] | np.ndarray = 1,
        parameters: ParameterChoice = None,
        draws: Sequence[int] | np.ndarray | None = None,
    ) -> None:
        """Build the agents, the state arrays, the ledger, the rules' decision slots and the schedule of shocks."""
        self.runs = np.arange(replicates) if isinstance(replicates, int) else np.asarray(replicates, dtype=np.int64)
        if len(self.runs) < 1 or self.runs.min() < 0:
            raise ValueError(f"an ensemble of runs {replicates}: expected at least one run, indexed from 0")
        if len(self.runs) >= LARGE_ENSEMBLE:
            gc.collect()  # free the ensembles stepped before this one first (see LARGE_ENSEMBLE)
        super().__init__(rng=np.random.SeedSequence(scenario.seed, spawn_key=(int(self.runs[0]),)))
        self.scenario = scenario
        self.replicates = replicates = len(self.runs)
        given = [parameters or {}] * replicates if parameters is None or isinstance(parameters, Mapping) else parameters
        if len(given) != replicates:
            raise ValueError(f"{len(given)} parameter sets for {replicates} replicates")
        posterior = scenario.posterior if scenario.parameters_from == "posterior" else {}
        drawn = drawn_parameters(posterior, scenario.seed, self.runs if draws is None else np.asarray(draws))
        if len(drawn) != replicates:
            raise ValueError(f"{len(drawn)} posterior draws for {replicates} replicates")
        self.params = parameter_columns(
            [resolve_parameters({**scenario.parameters, **draw, **one}) for draw, one in zip(drawn, given, strict=True)]
        )
        self.losses_decay = 0.5 ** (1.0 / self.params.losses_half_life_weeks)
        self.grievance_decay = 1.0 - 0.5 ** (1.0 / self.params.grievance_half_life_weeks)
        self.dates = week_dates(scenario.start, scenario.end)
        self.week, self.date = 0, self.dates[0]

        catalogue = load_catalogue()
        self.taking_part = [actor for actor in catalogue.ids if actor in scenario.actors]  # catalogue order
        self._index = {actor_id: i for i, actor_id in enumerate(self.taking_part)}
        self.agents_in_order = [
            SahelAgent(self, catalogue[actor_id], i, scenario.actor_attributes.get(actor_id))
            for i, actor_id in enumerate(self.taking_part)
        ]
        self._build_state()
        self._build_relations()

        self.shocks = sorted(
            (s for s in scenario.shocks if s.source in self._index and s.target in self._index), key=lambda s: s.date
        )
        self._event_types = event_types()
        self._blocked: dict[str, list[Block]] = {}  # the scenario's blocked windows by event type
        for window in scenario.blocked:
            self._blocked.setdefault(window.kind, []).append(window)
        self.log = EventLog(self.taking_part, self.runs)
        self.decisions = Decisions(scenario.seed, self.runs, len(self.dates))
        self.phases: list[tuple[str, list[Rule]]] = [(name, [rule(self) for rule in rules]) for name, rules in PHASES]
        n_pairs = len(self.ledger.pairs)
        self.tension_history = np.zeros((len(self.dates), replicates, n_pairs))
        self.cooperation_history = np.zeros_like(self.tension_history)
        self.running = True

    def _build_state(self) -> None:
        """The (replicates, actors) arrays of what changes during a run, and the fixed masks the rules use."""
        agents, shape = self.agents_in_order, (self.replicates, len(self.agents_in_order))
        self.base_capability = np.array([a.base_capability for a in agents])
        self.capability = np.tile(self.base_capability, (self.replicates, 1))
        # the capability each actor recovers towards: the catalogue's, raised for a group by the
        # grievance its state's harm to civilians feeds (rules._recruit), fading back as grievance does
        self.potential = self.capability.copy()
        self.recruits_for = np.zeros((len(agents), len(agents)))  # [harming force, group]: 1 where it recruits
        for force in agents:
            if force.kind in ("state", "pmc", "international_force") and force.territory is not None:
                self.recruits_for[force.index, [g.index for g in self.groups_in(force.territory)]] = 1.0
        self.losses = np.zeros(shape)
        self.present = np.tile(np.array([a.starts_present for a in agents], dtype=bool), (self.replicates, 1))
        self.is_state = np.array([a.kind == "state" for a in agents])
        self.is_alliance = np.array([a.kind == "alliance" for a in agents])
        self.members = np.zeros((*shape, shape[1]), dtype=bool)  # [r, alliance, member]
        for alliance in agents:
            self.members[:, alliance.index, [self._index[m] for m in alliance.starting_members]] = True
        self.recalled = np.zeros((*shape, shape[1]), dtype=bool)  # [r, recalling state, state recalled from]
        self.shared_threat = np.zeros((*shape, shape[1]))  # [r, a, b]: the common enemy's threat to both
        self.common_enemy = np.zeros((*shape, shape[1]), dtype=np.intp)  # [r, a, b]: that enemy's index

    def _build_relations(self) -> None:
        """The ledger from the scenario's starting relations, and the trade the stakes count."""
        initial: dict[Pair, tuple[float, float]] = {}
        self.trade: dict[Pair, float] = {}
        for relation in self.scenario.relations:
            if all(actor in self._index for actor in relation.pair):
                key = pair_key(*relation.pair)
                initial[key] = (relation.tension, relation.cooperation)
                self.trade[key] = relation.trade
        self.ledger = RelationLedger(
            self.taking_part,
            self.params.tension_half_life_weeks,
            self.params.tension_scale,
            initial,
            self.replicates,
        )
        states = self.of_kind("state")
        self._shared = {  # pairs of states (first in catalogue order first) and the groups active in both
            (a.index, b.index): self._ids(g for g in self.groups_in(a.actor_id) if b.actor_id in g.operates_in)
            for a in states
            for b in states
            if a.index < b.index
        }
        self._shared = {pair: groups for pair, groups in self._shared.items() if len(groups)}
        threats = [(s.index, self._ids(self.groups_in(s.actor_id))) for s in states if self.groups_in(s.actor_id)]
        # the cells the weekly threats read, as (state or pair, group) tables: one ledger read a week each
        self._threatened = np.array([state for state, _ in threats], dtype=np.intp)
        groups = _padded([groups for _, groups in threats])
        self._threat_cells = self.ledger.cells(groups, self._threatened[:, None])
        self._common_a = np.array([a for a, _ in self._shared], dtype=np.intp)
        self._common_b = np.array([b for _, b in self._shared], dtype=np.intp)
        self._common_groups = _padded(list(self._shared.values()))
        self._common_cells = (
            self.ledger.cells(self._common_groups, self._common_a[:, None]),
            self.ledger.cells(self._common_groups, self._common_b[:, None]),
        )

    # --- the weekly step ------------------------------------------------------------------------

    def step(self) -> None:
        """Simulate one week of every replicate: its start, then the phases of the rules in order."""
        week = self.steps - 1  # mesa counts steps from 1
        self.week, self.date = week, self.dates[week]
        self.ledger.decay()
        p = self.params
        self.potential += self.grievance_decay * (self.base_capability - self.potential)
        self.capability += p.capability_recovery * (self.potential - self.capability)
        self.losses *= self.losses_decay
        week_end = self.date + dt.timedelta(days=7)
        for shock in self.shocks:
            if self.date <= shock.date < week_end:
                self.replay(shock)
        self._assess_common_threats()
        for _, rules in self.phases:
            for rule in rules:
                rule.step(week)
        self.tension_history[week], self.cooperation_history[week] = self.ledger.snapshot()
        if week + 1 == len(self.dates):
            self.running = False

    def run(self, until: dt.date | None = None) -> SahelModel:
        """Run every week of the scenario's period, or stop after the week holding ``until``.

        A run stopped early is the first part of the whole run: the period, not the stop, lays out
        the random numbers.
        """
        while self.running and (
            until is None or self.steps == 0 or self.dates[self.steps - 1] + dt.timedelta(6) < until
        ):
            self.step()
        return self

    # --- events ---------------------------------------------------------------------------------

    def emit(
        self,
        rule: str,
        event_type: str,
        replicate: np.ndarray,
        source: np.ndarray,
        target: np.ndarray,
        *,
        fatalities: np.ndarray | None = None,
        count: np.ndarray | None = None,
        magnitude: float = 1.0,
        country: np.ndarray | None = None,
        date: dt.date | None = None,
        precision: str = "week",
        count_unit: str | None = None,
        location: str | None = None,
        note: str | None = None,
    ) -> None:
        """Log a batch of events of one type (one per row), record them in the ledger, and apply their effects.

        ``replicate``, ``source`` and ``target`` are arrays of rows of the ensemble and actor
        indices; ``fatalities``, ``count`` and ``country`` give each event's own (None: no event
        records one), and the other fields are the :class:`Event` fields the batch shares (a
        shock's ``date``, else the week's, and ``precision``). A rule-made event (one whose rule is
        not a shock's) that a window of the scenario's ``blocked`` covers is not made at all: nothing
        is logged, recorded or changed, and since every decision has its own random numbers the rest
        of the run is as it was. An empty batch returns at once: most of a week's emissions are.
        """
        if not len(replicate):
            return
        if event_type in self._blocked and not rule.startswith("shock:"):
            keep = ~self._blocked_now(event_type)[source, target]
            replicate, source, target = replicate[keep], source[keep], target[keep]
            fatalities = None if fatalities is None else fatalities[keep]
            count = None if count is None else count[keep]
            country = None if country is None else country[keep]
            if not len(replicate):
                return
        self.log.add(
            Batch(
                sequence=len(self.log.batches),
                replicate=replicate,
                source=source,
                target=target,
                fatalities=fatalities,
                count=count,
                country=country,
                week=self.week,
                date=self.date if date is None else date,
                precision=precision,
                event_type=event_type,
                rule=rule,
                count_unit=count_unit,
                location=location,
                note=note,
            )
        )
        kind = self._event_types[event_type]
        self.ledger.record(replicate, source, target, kind.goldstein)
        effect = EFFECTS.get(event_type)
        if effect is not None:
            deaths = np.zeros(len(replicate), np.int64) if fatalities is None else np.maximum(fatalities, 0)
            effect(self, replicate, source, target, deaths, magnitude)

    def _blocked_now(self, event_type: str) -> np.ndarray:
        """The (source, target) pairs a window of the scenario's ``blocked`` covers this week, as an actor matrix."""
        period = (self.scenario.start, self.scenario.end)
        ids = self.taking_part
        return np.array(
            [
                [any(w.blocks(source, target, self.date, period) for w in self._blocked[event_type]) for target in ids]
                for source in ids
            ]
        )

    def replay(self, shock: Shock) -> None:
        """A scheduled shock, in every replicate: the same event, with the same effects, on its own date."""
        meaning = self._event_types[shock.kind].magnitude
        size = shock.magnitude
        every = np.arange(self.replicates)
        one = np.full(self.replicates, 1, dtype=np.int64)
        source = np.full(self.replicates, self._index[shock.source])
        target = np.full(self.replicates, self._index[shock.target])
        counted = size is not None and meaning == "count"
        self.emit(
            f"shock:{shock.kind}",
            shock.kind,
            every,
            source,
            target,
            fatalities=one * round(size) if size is not None and meaning == "fatalities" else None,
            count=one * round(size) if counted and size is not None else None,
            magnitude=size if size is not None and meaning == "boost" else 1.0,
            date=shock.date,
            precision="day",
            count_unit="people" if counted else None,
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
        """The first replicate's event log as validated events, in the order they happened."""
        return self.log.events(0)

    def events_frame(self) -> pd.DataFrame:
        """Every replicate's events as a validated table in the :class:`Event` schema (by run, then time)."""
        return self.log.frame()

    def log_frame(self) -> pd.DataFrame:
        """The row, run, date, actors and type of each logged event, without validation (fast, for statistics)."""
        return self.log.records()[["row", "run", "date", "source", "target", "event_type"]]

    def tension_frame(self) -> pd.DataFrame:
        """The weekly tension and cooperation of every pair so far, as a long table with a ``replicate`` column."""
        frames = [
            history_frame(
                self.dates, self.ledger.pairs, self.tension_history[:, r], self.cooperation_history[:, r]
            ).assign(replicate=int(self.runs[r]))
            for r in range(self.replicates)
        ]
        return pd.concat(frames, ignore_index=True)

    # --- the structure the rules read ---------------------------------------------------------

    def agent(self, actor_id: str) -> SahelAgent:
        """The agent of an actor taking part."""
        return self.agents_in_order[self._index[actor_id]]

    def has(self, actor_id: str) -> bool:
        """Whether the actor takes part in this run."""
        return actor_id in self._index

    def index_of(self, actor_id: str) -> int:
        """The actor's column in the state arrays."""
        return self._index[actor_id]

    def of_kind(self, *kinds: str) -> list[SahelAgent]:
        """The agents of these kinds, in catalogue order."""
        return [a for a in self.agents_in_order if a.kind in kinds]

    def _ids(self, agents: object) -> np.ndarray:
        return np.array([a.index for a in agents], dtype=np.intp)  # type: ignore[attr-defined]

    def hosted_in(self, state_id: str) -> list[SahelAgent]:
        """The foreign forces and contractors a state hosts (present or not)."""
        return [a for a in self.agents_in_order if a.host == state_id]

    def groups_in(self, state_id: str) -> list[SahelAgent]:
        """The armed groups that operate in a state."""
        return [a for a in self.agents_in_order if a.kind == "armed_group" and state_id in a.operates_in]

    def counterpart_pairs(self) -> list[tuple[SahelAgent, SahelAgent]]:
        """(state, counterpart) for every state and each state it deals with.

        Neighbours, patron and client, and pairs the scenario gives a starting relation.
        """
        states = self.of_kind("state")
        return [(a, b) for a in states for b in states if b is not a and self._deal_with_each_other(a, b)]

    def _deal_with_each_other(self, a: SahelAgent, b: SahelAgent) -> bool:
        return (
            b.actor_id in a.neighbours
            or pair_key(a.actor_id, b.actor_id) in self.trade
            or a.actor_id == b.patron
            or b.actor_id == a.patron
        )

    def neighbour_pairs(self) -> list[tuple[SahelAgent, SahelAgent]]:
        """(a, b) for each state and each neighbouring state listed after it in the catalogue."""
        return [(a, self.agent(n)) for a in self.of_kind("state") for n in a.neighbours if a.index < self._index[n]]

    def shared_groups(self, a: SahelAgent, b: SahelAgent) -> bool:
        """Whether an armed group is active in both states."""
        return (min(a.index, b.index), max(a.index, b.index)) in self._shared

    def fixed_stakes(self, a: SahelAgent, b: SahelAgent) -> float:
        """What does not change of what a pair stands to lose: a shared border, and trade."""
        return (b.actor_id in a.neighbours) + self.trade.get(pair_key(a.actor_id, b.actor_id), 0.0)

    def threat_to(self, states: np.ndarray) -> np.ndarray:
        """The highest hostility towards each state of an armed group active on its soil: (replicates, states)."""
        threat = np.zeros((self.replicates, len(self.taking_part)))
        if len(self._threatened):
            threat[:, self._threatened] = self._hostility_at(self._threat_cells).max(axis=2)
        return threat[:, states]

    def _hostility_at(self, cells: np.ndarray) -> np.ndarray:
        """The hostility levels at a (rows, groups) table of ledger cells: a (replicates, rows, groups) array."""
        return self.ledger.levels_at(self.ledger.raw_hostility, cells.reshape(-1)).reshape(-1, *cells.shape)

    def _assess_common_threats(self) -> None:
        """For each pair of states facing a common armed group, the group that threatens both most.

        Ties go to the group listed first in the catalogue. All pairs are read at once, from a
        (pair, group) table (see :func:`_padded`).
        """
        if not len(self._common_a):
            return
        to_a, to_b = (self._hostility_at(cells) for cells in self._common_cells)
        shared = np.minimum(to_a, to_b)  # [r, pair, group]
        value, best = shared.max(axis=2), shared.argmax(axis=2)
        enemy = self._common_groups[np.arange(len(self._common_a)), best]
        a, b = self._common_a, self._common_b
        self.shared_threat[:, a, b] = self.shared_threat[:, b, a] = value
        self.common_enemy[:, a, b] = self.common_enemy[:, b, a] = enemy


def _padded(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Index arrays of different lengths as one (rows, longest) table, each row padded with its first entry.

    A repeated first entry changes neither a row's maximum nor, since ties go to the first, which
    entry is the maximum: the table gives what each row alone would.
    """
    longest = max((len(row) for row in rows), default=0)
    return np.array([[*row, *[row[0]] * (longest - len(row))] for row in rows], dtype=np.intp).reshape(-1, longest)
