"""The rules: how actors decide, and what events do to the world, for every replicate at once.

Each mechanism the documents show is one rule. It computes a weekly probability from named
parameters (a logistic of a few terms, in the ``*_probability`` functions, which are pure and
tested on their own), compares it with the uniforms of its decision slots (see
:mod:`sim.model.draws`) and emits events where the draw succeeds, through
:meth:`SahelModel.emit`. Violence is counted instead: the ``*_rate`` functions give a weekly rate
of incidents from the same kind of terms, and each incident, with its own deaths, is an event
(see :mod:`sim.model.incidents`). Every quantity is an array: (replicates, slots), with the parameters as
(replicates, 1) columns, so one code path steps one replicate for the teaching page and thousands
for a batch. What an event then does to the latent state (capabilities, losses, presence,
ambassadors, alliance membership) is in :data:`EFFECTS`, shared by rule-made events and
scheduled shocks.

A rule builds its decision slots once, when the model is built: the fixed list of (actor,
counterpart) pairs it decides about, and the block of uniforms for each kind of draw. The slot
names (``rule.draw:actor:counterpart``) key the random numbers, so a decision keeps its numbers
whatever else the scenario holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from scipy.special import expit, pdtr

from sim.core.parameter_values import Parameters
from sim.model.incidents import (
    MAX_INCIDENTS,
    each_incident,
    incident_counts,
    incident_deaths,
    incident_rate,
    sub_slot,
    thinned,
)

if TYPE_CHECKING:  # imported for type hints only: the model imports this module
    from sim.model.agents import SahelAgent
    from sim.model.model import SahelModel

Array = np.ndarray
P = Parameters[np.ndarray]

HOSTAGE_COUNTS = np.arange(64)  # the hostages beyond the first a kidnapping's draw can give (Poisson, mean <= 5)


def logistic(x: Array | float) -> Array:
    """The logistic function, safe for large negative or positive arguments."""
    return np.asarray(expit(x))


# --- Probabilities (pure functions of parameters and state) -------------------------------------


def attack_rate(p: P, capability: Array, defence: Array) -> Array:
    """Weekly rate of a group's attacks on the forces in a state defended with ``defence``."""
    return incident_rate(p.attack_base + p.attack_capability * capability - p.attack_deterrence * defence)


def civilian_attack_rate(p: P, capability: Array) -> Array:
    """Weekly rate of a group's attacks on civilians in a state where it operates; it grows with capability."""
    return incident_rate(p.civilian_attack_base + p.attack_capability * capability)


def kidnap_probability(p: P, capability: Array) -> Array:
    """Weekly chance that a group kidnaps people in a state where it operates; it grows with capability."""
    return logistic(p.kidnap_base + p.kidnap_capability * capability)


def clash_rate(p: P, tension: Array) -> Array:
    """Weekly rate of clashes of two rival armed groups in a state where both operate; it grows with their tension."""
    return incident_rate(p.rivalry_base + p.rivalry_tension * tension)


def operation_rate(p: P, threat: Array, capability: Array) -> Array:
    """Weekly rate of a force's operations against a group whose hostility towards it is ``threat``."""
    return incident_rate(p.coin_base + p.coin_threat * threat + p.coin_capability * capability)


def civilian_harm_probability(p: P, with_wagner: Array) -> Array:
    """Chance that an operation harms civilians, raised when Wagner operates alongside the force."""
    return logistic(p.harm_base + p.harm_wagner * with_wagner)


def pursuit_probability(p: P, with_wagner: Array) -> Array:
    """Chance that an operation pursues a group into a neighbour holding its rear bases (likelier with Wagner)."""
    return logistic(p.pursuit_base + p.pursuit_wagner * with_wagner)


def summons_probability(p: P, resolve: Array, tension: Array) -> Array:
    """Weekly chance that a state summons a counterpart's ambassador: its resolve times the pair's tension."""
    return logistic(p.protest_base + p.protest_tension * resolve * tension)


def recall_probability(p: P, resolve: Array, tension: Array) -> Array:
    """Weekly chance that a state recalls its ambassador from a counterpart, the step beyond a summons."""
    return logistic(p.recall_base + p.recall_tension * resolve * tension)


def restore_probability(p: P, tension: Array) -> Array:
    """Weekly chance that a recalled ambassador returns; it falls as the pair's tension rises."""
    return logistic(p.restore_base - p.restore_tension * tension)


def deescalation_probability(p: P, tension: Array, stakes: Array) -> Array:
    """Weekly chance of a delegation or a visit to a counterpart, likelier with tension and with what is at stake."""
    return logistic(p.deescalation_base + p.deescalation_tension * tension + p.deescalation_stakes * stakes)


def accusation_probability(p: P, tension: Array) -> Array:
    """Weekly chance that a state publicly accuses a counterpart; it grows with their tension."""
    return logistic(p.accusation_base + p.accusation_tension * tension)


def praise_probability(p: P, cooperation: Array) -> Array:
    """Weekly chance that a state publicly praises its relations with a counterpart; it grows with cooperation."""
    return logistic(p.praise_base + p.praise_cooperation * cooperation)


def talks_probability(p: P, tension: Array, cooperation: Array) -> Array:
    """Weekly chance of talks between counterparts: over what divides them (tension) and what they share."""
    return logistic(p.talks_base + p.talks_engagement * (tension + cooperation))


def joint_action_probability(p: P, shared_threat: Array, tension: Array) -> Array:
    """Weekly chance of joint action: the common threat must outweigh the pair's own tension."""
    return logistic(p.joint_base + p.joint_threat * (shared_threat - tension))


def pledge_probability(p: P, losses: Array) -> Array:
    """Weekly chance that a patron pledges support to a client with recent heavy ``losses`` (deaths)."""
    return logistic(p.pledge_base + p.pledge_losses * np.log1p(losses / p.losses_scale))


def expulsion_probability(p: P, host_alignment: Array, force_alignment: Array, tension: Array) -> Array:
    """Weekly chance that a host expels a foreign force, likelier as their alignments part and with tension."""
    gap = np.abs(host_alignment - force_alignment) / 2.0
    return logistic(p.expel_base + p.expel_alignment * gap + p.expel_tension * tension)


def joining_probability(p: P, threat: Array, alignment: Array) -> Array:
    """Weekly chance that a candidate state joins an alliance, likelier under threat and with aligned views."""
    return logistic(p.alliance_base + p.alliance_threat * threat + p.alliance_alignment * alignment)


# --- Draws from uniforms ---------------------------------------------------------------------------


def hostage_cdf(mean: Array) -> Array:
    """The Poisson CDF of the hostages beyond the first, for each row's ``mean``: a (rows, counts) table."""
    return np.asarray(pdtr(HOSTAGE_COUNTS, np.asarray(mean).reshape(-1, 1)))


def hostages_from(cdf: Array, uniform: Array) -> Array:
    """People taken in kidnappings: one plus a Poisson count, by inversion of the uniforms (a ``cdf`` row each)."""
    return 1 + np.asarray(np.count_nonzero(cdf <= uniform[:, None], axis=1), dtype=np.int64)


def shared_out(deaths: Array, forces: Array, position: Array | int) -> Array:
    """The share of an incident's deaths of the operator at ``position`` among ``forces`` operators.

    The first ``deaths % forces`` operators take one more, so adding up the rows counts every death once.
    """
    share, rest = np.divmod(deaths, forces)
    return share + (position < rest)


# --- Rules ----------------------------------------------------------------------------------------


class Rule:
    """A mechanism with fixed decision slots; :meth:`step` runs it for one week of every replicate."""

    name: ClassVar[str]
    emits: ClassVar[frozenset[str]]  # the event types it may emit: what the model can produce is their union

    def __init__(self, model: SahelModel) -> None:
        """Lay out the slots from the model's actors (a rule with no slots does nothing)."""
        self.model = model

    def uniforms(self, draw: str, slots: Sequence[tuple[str, ...]]) -> Array:
        """The (weeks, replicates, slots) uniforms of one kind of draw, a stream per slot."""
        return self.model.decisions.block([":".join((f"{self.name}.{draw}", *slot)) for slot in slots])

    def incident_uniforms(self, draw: str, slots: Sequence[tuple[str, ...]]) -> Array:
        """The uniforms of a draw made once per incident: (weeks, replicates, slots x incidents).

        Incident ``j`` of slot ``k`` reads column ``k * MAX_INCIDENTS + j`` (see :func:`at`), its own stream.
        """
        names = [":".join((sub_slot(f"{self.name}.{draw}", j), *slot)) for slot in slots for j in range(MAX_INCIDENTS)]
        return self.model.decisions.block(names)

    def step(self, week: int) -> None:
        """Decide and emit this week's events."""
        raise NotImplementedError


def at(uniforms: Array, r: Array, k: Array, j: Array) -> Array:
    """The per-incident uniforms (a week's row of :meth:`Rule.incident_uniforms`) of incidents ``j`` of slots ``k``."""
    return np.asarray(uniforms[r, k * MAX_INCIDENTS + j])


def _ids(agents: Sequence[SahelAgent]) -> Array:
    return np.array([agent.index for agent in agents], dtype=np.intp)


def _pair_slots(pairs: Sequence[tuple[SahelAgent, SahelAgent]]) -> tuple[Array, Array, list[tuple[str, str]]]:
    """A rule's (actor, counterpart) slots: the two index arrays, and the actor ids that name each slot's streams."""
    slots = [(a.actor_id, b.actor_id) for a, b in pairs]
    return _ids([a for a, _ in pairs]), _ids([b for _, b in pairs]), slots


class Insurgency(Rule):
    """Armed groups attack state and partner forces, attack civilians, and kidnap.

    The attack rate grows with the group's capability and falls with the defence of the state
    (its capability plus the partner forces present); the attack hits one of the defenders with
    a chance proportional to its share of the defence.
    """

    name = "insurgency"
    emits = frozenset({"attack", "attack_civilians", "kidnapping"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (group, state it operates in)."""
        super().__init__(model)
        pairs = [(g, model.agent(s)) for g in model.of_kind("armed_group") for s in g.operates_in]
        self.group, self.state, slots = _pair_slots(pairs)
        self.country = np.array([s.iso3 or "" for _, s in pairs], dtype=object)
        self.civilians = np.full(len(pairs), model.index_of("civilians") if model.has("civilians") else -1)
        self.defenders = np.zeros((len(pairs), len(model.taking_part)), dtype=bool)  # [slot, actor]
        for k, (_, state) in enumerate(pairs):
            self.defenders[k, [state.index] + [a.index for a in model.hosted_in(state.actor_id)]] = True
        self.u = {"attack": self.uniforms("attack", slots)}
        self.u |= {draw: self.incident_uniforms(draw, slots) for draw in ("target", "deaths")}
        if model.has("civilians"):
            self.u |= {draw: self.uniforms(draw, slots) for draw in ("civilians", "kidnap", "hostages")}
            self.u["civilians.deaths"] = self.incident_uniforms("civilians.deaths", slots)
            self.hostage_cdf = hostage_cdf(model.params.hostages_mean)  # [replicate, count]

    def step(self, week: int) -> None:
        """Attacks on forces, then on civilians, then kidnappings, all decided on the week's state so far."""
        model, p = self.model, self.model.params
        if not len(self.group):
            return
        u = {draw: block[week] for draw, block in self.u.items()}
        capability = model.capability[:, self.group]
        standing = model.present | model.is_state  # a state always defends its own soil
        weights = model.capability[:, None, :] * (self.defenders[None] & standing[:, None, :])
        defence = weights.sum(axis=2)
        r, k, j = each_incident(incident_counts(attack_rate(p, capability, defence), u["attack"]))
        if len(r):  # deaths and targets only where an attack happens, one draw of each per attack
            above = weights[r, k].cumsum(axis=1) > (at(u["target"], r, k, j) * defence[r, k])[:, None]
            target = np.where(above.any(axis=1), above.argmax(axis=1), self.state[k])
            mean = p.attack_lethality[r, 0] * capability[r, k]
            deaths = incident_deaths(mean, p.deaths_dispersion[r, 0], at(u["deaths"], r, k, j))
            model.emit(self.name, "attack", r, self.group[k], target, fatalities=deaths, country=self.country[k])
        if "civilians" not in u:
            return
        r, k, j = each_incident(incident_counts(civilian_attack_rate(p, capability), u["civilians"]))
        if len(r):
            mean = p.attack_lethality[r, 0] * capability[r, k]
            deaths = incident_deaths(mean, p.deaths_dispersion[r, 0], at(u["civilians.deaths"], r, k, j))
            model.emit(
                self.name,
                "attack_civilians",
                r,
                self.group[k],
                self.civilians[k],
                fatalities=deaths,
                country=self.country[k],
            )
        taken = u["kidnap"] < kidnap_probability(p, capability)
        r, k = np.nonzero(taken)
        if len(r):
            model.emit(
                self.name,
                "kidnapping",
                r,
                self.group[k],
                self.civilians[k],
                count=hostages_from(self.hostage_cdf[r], u["hostages"][r, k]),
                count_unit="people",
                country=self.country[k],
            )


class Rivalry(Rule):
    """Rival armed groups fight each other where both operate (JNIM/AQIM and IS Sahel since 2020).

    The attacker of a clash is drawn in proportion to the two groups' capabilities, and its deaths
    fall on the group attacked, wearing its capability down as an attack's deaths wear a force
    down. Every clash raises the pair's tension, and so the chance of the next one: the rivalry
    escalates until attrition and the decay of tension hold it.
    """

    name = "rivalry"
    emits = frozenset({"non_state_fight"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (group, rival listed after it in the catalogue, state where both operate)."""
        super().__init__(model)
        groups = model.of_kind("armed_group")
        triples = [
            (a, b, model.agent(s))
            for a in groups
            for b in groups
            if a.index < b.index and b.actor_id in a.rivals
            for s in a.operates_in
            if s in b.operates_in
        ]
        self.first = _ids([a for a, _, _ in triples])
        self.second = _ids([b for _, b, _ in triples])
        self.country = np.array([s.iso3 or "" for _, _, s in triples], dtype=object)
        self.cells = model.ledger.cells(self.first, self.second)  # the pairs' cells the weekly tension reads
        slots = [(a.actor_id, b.actor_id, s.actor_id) for a, b, s in triples]
        self.u = {"clash": self.uniforms("clash", slots)}
        self.u |= {draw: self.incident_uniforms(draw, slots) for draw in ("side", "deaths")}

    def step(self, week: int) -> None:
        """Clashes on the tension as the rule starts, each with its attacker and its deaths."""
        model, p = self.model, self.model.params
        if not len(self.first):
            return
        u = {draw: block[week] for draw, block in self.u.items()}
        tension = model.ledger.levels_at(model.ledger.raw_tension, self.cells)
        r, k, j = each_incident(incident_counts(clash_rate(p, tension), u["clash"]))
        if not len(r):
            return
        first, second = model.capability[r, self.first[k]], model.capability[r, self.second[k]]
        first_attacks = at(u["side"], r, k, j) * (first + second) < first
        source = np.where(first_attacks, self.first[k], self.second[k])
        target = np.where(first_attacks, self.second[k], self.first[k])
        mean = p.attack_lethality[r, 0] * np.where(first_attacks, first, second)
        deaths = incident_deaths(mean, p.deaths_dispersion[r, 0], at(u["deaths"], r, k, j))
        model.emit(self.name, "non_state_fight", r, source, target, fatalities=deaths, country=self.country[k])


class CounterInsurgency(Rule):
    """States and deployed forces operate against armed groups on their territory.

    The rate grows with the group's hostility towards the operator and the operator's capability.
    Wagner joins its host state's operations, raising the chance of civilian harm and of pursuit
    across a border into a neighbour where the group has rear bases (a cross-border incident).
    An operation's deaths (among the group's fighters, as UCDP's state-based events count them),
    and those of the civilian harm and pursuits it causes, are shared among the forces that carried
    it out.
    """

    name = "counter_insurgency"
    emits = frozenset({"counterinsurgency_operation", "attack_civilians", "cross_border_incident"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (force, group on its territory); one per (force, group, neighbour with the group's bases)."""
        super().__init__(model)
        operations = []
        for force in model.of_kind("state", "international_force"):
            if (territory := force.territory) is not None:
                operations += [(force, group, model.agent(territory)) for group in model.groups_in(territory)]
        slots = [(f.actor_id, g.actor_id) for f, g, _ in operations]
        self.force, self.group = _ids([f for f, _, _ in operations]), _ids([g for _, g, _ in operations])
        self.country = np.array([t.iso3 or "" for _, _, t in operations], dtype=object)
        contractors = model.of_kind("pmc")
        self.contractors = _ids(contractors)
        self.joins = np.array(  # [slot, contractor]: the contractor joins this operation when present
            [[f.kind == "state" and c.host == t.actor_id for c in contractors] for f, _, t in operations], dtype=bool
        ).reshape(len(operations), len(contractors))
        pursuits = [
            (k, model.agent(n)) for k, (_, g, t) in enumerate(operations) for n in t.neighbours if n in g.rear_bases
        ]
        self.pursuit_of, self.into = np.array([k for k, _ in pursuits], dtype=np.intp), _ids([n for _, n in pursuits])
        self.into_country = np.array([n.iso3 or "" for _, n in pursuits], dtype=object)
        pursuit_slots = [(*slots[k], n.actor_id) for k, n in pursuits]
        self.u = {draw: self.uniforms(draw, slots) for draw in ("operation", "harm")}
        self.u |= {draw: self.incident_uniforms(draw, slots) for draw in ("operation.deaths", "harm.deaths")}
        self.u |= {"pursuit": self.uniforms("pursuit", pursuit_slots)}
        self.u |= {"pursuit.deaths": self.incident_uniforms("pursuit.deaths", pursuit_slots)}
        self.threat_cells = model.ledger.cells(self.group, self.force)
        civilians = np.full(len(operations), model.index_of("civilians") if model.has("civilians") else -1)
        self.incidents = {  # by kind: each incident slot's force, target, country, and the batch's location
            "counterinsurgency_operation": (self.force, self.group, self.country, None),
            "attack_civilians": (self.force, civilians, self.country, None),
            "cross_border_incident": (self.force[self.pursuit_of], self.into, self.into_country, "border area"),
        }

    def step(self, week: int) -> None:
        """Operations (with the contractors who join them), then the civilian harm and pursuits some of them cause."""
        model, p = self.model, self.model.params
        if not len(self.force):
            return
        u = {draw: block[week] for draw, block in self.u.items()}
        threat = model.ledger.levels_at(model.ledger.raw_hostility, self.threat_cells)
        standing = (model.present | model.is_state)[:, self.force]
        rate = np.where(standing, operation_rate(p, threat, model.capability[:, self.force]), 0.0)
        operations = incident_counts(rate, u["operation"])
        # [r, slot, pmc]: a present contractor joins the week's operations of its host's slots
        joined = (operations > 0)[:, :, None] & self.joins[None] & model.present[:, None, self.contractors]
        with_wagner = joined.any(axis=2)
        operators = 1 + joined.sum(axis=2)
        position = np.cumsum(joined, axis=2)  # 1, 2, ... for the contractors that joined (the force is 0)
        self._shared(operations, u["operation.deaths"], operators, position, joined, "counterinsurgency_operation")
        if model.has("civilians"):
            harm = thinned(operations, civilian_harm_probability(p, with_wagner), u["harm"])
            self._shared(harm, u["harm.deaths"], operators, position, joined, "attack_civilians")
        k = self.pursuit_of
        pursuits = thinned(operations[:, k], pursuit_probability(p, with_wagner[:, k]), u["pursuit"])
        self._shared(
            pursuits, u["pursuit.deaths"], operators[:, k], position[:, k], joined[:, k], "cross_border_incident"
        )

    def _shared(
        self, counts: Array, uniforms: Array, operators: Array, position: Array, joined: Array, kind: str
    ) -> None:
        """One event per operator of each incident, each with its share of the incident's deaths.

        For operations and their civilian harm the incidents' slots are the operations'; for pursuits they are the
        pursuits' (targets are then the neighbours, and the country the neighbour's). The deaths are
        drawn, from each incident's own uniform, only for the incidents that happened.
        """
        r, k, j = each_incident(counts)
        if not len(r):
            return
        model, p = self.model, self.model.params
        force, target, country, location = self.incidents[kind]
        mean = p.operation_lethality if kind == "counterinsurgency_operation" else p.pursuit_lethality
        deaths = incident_deaths(mean[r, 0], p.deaths_dispersion[r, 0], at(uniforms, r, k, j))
        share = shared_out(deaths, operators[r, k], 0)
        model.emit(self.name, kind, r, force[k], target[k], fatalities=share, country=country[k], location=location)
        j, c = np.nonzero(joined[r, k])  # [incident, contractor]
        share = shared_out(deaths[j], operators[r[j], k[j]], position[r[j], k[j], c])
        model.emit(
            self.name,
            kind,
            r[j],
            self.contractors[c],
            target[k[j]],
            fatalities=share,
            country=country[k[j]],
            location=location,
        )


class Protest(Rule):
    """A state protests harm from a counterpart state: summons, then recall, as tension grows.

    A recalled ambassador returns once tension has fallen (the 2010 recall and return).
    """

    name = "protest"
    emits = frozenset({"summon_ambassador", "recall_ambassador", "restore_ambassador"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (state, counterpart state)."""
        super().__init__(model)
        pairs = model.counterpart_pairs()
        self.state, self.other, slots = _pair_slots(pairs)
        self.cells = model.ledger.cells(self.state, self.other)  # the pairs' cells the weekly tension reads
        self.resolve = np.array([a.resolve for a, _ in pairs])
        self.u = {draw: self.uniforms(draw, slots) for draw in ("summons", "recall", "restore")}

    def step(self, week: int) -> None:
        """Summons, then returns of recalled ambassadors, then recalls, all on the tension as the rule starts."""
        model, p = self.model, self.model.params
        if not len(self.state):
            return
        u = {draw: block[week] for draw, block in self.u.items()}
        tension = model.ledger.levels_at(model.ledger.raw_tension, self.cells)
        recalled = model.recalled[:, self.state, self.other]
        summon = u["summons"] < summons_probability(p, self.resolve, tension)
        restore = recalled & (u["restore"] < restore_probability(p, tension))
        recall = ~recalled & (u["recall"] < recall_probability(p, self.resolve, tension))
        for kind, happen in (
            ("summon_ambassador", summon),
            ("restore_ambassador", restore),
            ("recall_ambassador", recall),
        ):
            r, k = np.nonzero(happen)
            model.emit(self.name, kind, r, self.state[k], self.other[k])


class DeEscalation(Rule):
    """Delegations and ministerial visits to counterpart states, likelier with tension and with what is at stake."""

    name = "de_escalation"
    emits = frozenset({"delegation", "visit"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (state, counterpart state)."""
        super().__init__(model)
        pairs = model.counterpart_pairs()
        self.state, self.other, slots = _pair_slots(pairs)
        self.cells = model.ledger.cells(self.state, self.other)  # the pairs' cells the weekly tension reads
        self.fixed_stakes = np.array([model.fixed_stakes(a, b) for a, b in pairs])
        self.u = {draw: self.uniforms(draw, slots) for draw in ("contact", "kind")}

    def step(self, week: int) -> None:
        """Contacts on the tension as the rule starts; each a delegation with ``delegation_share``, else a visit."""
        model, p = self.model, self.model.params
        if not len(self.state):
            return
        u = {draw: block[week] for draw, block in self.u.items()}
        tension = model.ledger.levels_at(model.ledger.raw_tension, self.cells)
        stakes = (self.fixed_stakes + model.shared_threat[:, self.state, self.other]) / 3.0
        contact = u["contact"] < deescalation_probability(p, tension, stakes)
        delegation = u["kind"] < p.delegation_share
        for kind, happen in (("delegation", contact & delegation), ("visit", contact & ~delegation)):
            r, k = np.nonzero(happen)
            model.emit(self.name, kind, r, self.state[k], self.other[k])


class Rhetoric(Rule):
    """States speak of their counterparts: accusations as tension grows, praise as cooperation grows, and talks.

    Words move the pair's relations too (an accusation's Goldstein weight is -2, praise's +3.4,
    talks' +1), so an accusation after an incident feeds the protests that follow it, as
    Mauritania's did in April 2024, and praise after the delegations helps to talk the crisis down.
    """

    name = "rhetoric"
    emits = frozenset({"accusation", "praise", "talks"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (state, counterpart state)."""
        super().__init__(model)
        self.state, self.other, slots = _pair_slots(model.counterpart_pairs())
        self.cells = model.ledger.cells(self.state, self.other)  # the pairs' cells the weekly levels read
        self.u = {draw: self.uniforms(draw, slots) for draw in ("accuse", "praise", "talks")}

    def step(self, week: int) -> None:
        """Accusations, praise and talks, all on the pair's relations as the rule starts."""
        model, p = self.model, self.model.params
        if not len(self.state):
            return
        u = {draw: block[week] for draw, block in self.u.items()}
        tension = model.ledger.levels_at(model.ledger.raw_tension, self.cells)
        cooperation = model.ledger.levels_at(model.ledger.raw_cooperation, self.cells)
        for kind, happen in (
            ("accusation", u["accuse"] < accusation_probability(p, tension)),
            ("praise", u["praise"] < praise_probability(p, cooperation)),
            ("talks", u["talks"] < talks_probability(p, tension, cooperation)),
        ):
            r, k = np.nonzero(happen)
            model.emit(self.name, kind, r, self.state[k], self.other[k])


class CommonThreat(Rule):
    """Joint patrols, or joint operations, of neighbouring states facing the same armed group.

    Each pair is considered once a week, led by the neighbour listed first in the catalogue. A
    joint operation (when the shared threat reaches ``joint_operation_threshold``) is also an
    operation by each partner against the common enemy.
    """

    name = "common_threat"
    emits = frozenset({"joint_operation", "joint_patrol", "counterinsurgency_operation"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per pair of neighbouring states with an armed group active in both."""
        super().__init__(model)
        pairs = [(a, b) for a, b in model.neighbour_pairs() if model.shared_groups(a, b)]
        self.first, self.second, slots = _pair_slots(pairs)
        self.cells = model.ledger.cells(self.first, self.second)  # the pairs' cells the weekly tension reads
        self.country = np.array([a.iso3 or "" for a, _ in pairs], dtype=object)
        self.u = self.uniforms("joint", slots)

    def step(self, week: int) -> None:
        """Joint action where the common threat outweighs the pair's tension."""
        model, p = self.model, self.model.params
        if not len(self.first):
            return
        tension = model.ledger.levels_at(model.ledger.raw_tension, self.cells)
        shared = model.shared_threat[:, self.first, self.second]
        enemy = model.common_enemy[:, self.first, self.second]
        act = self.u[week] < joint_action_probability(p, shared, tension)
        operation = act & (shared >= p.joint_operation_threshold)
        r, k = np.nonzero(operation)
        model.emit(self.name, "joint_operation", r, self.first[k], self.second[k])
        for partner in (self.first, self.second):
            model.emit(self.name, "counterinsurgency_operation", r, partner[k], enemy[r, k], country=self.country[k])
        r, k = np.nonzero(act & ~operation)
        model.emit(self.name, "joint_patrol", r, self.first[k], self.second[k], country=self.country[k])


class Expulsion(Rule):
    """A host state expels a foreign force whose alignment it has turned away from."""

    name = "expulsion"
    emits = frozenset({"expulsion"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (host state, international force it hosts)."""
        super().__init__(model)
        pairs = [
            (model.agent(f.host), f)
            for f in model.of_kind("international_force")
            if f.host is not None and model.agent(f.host).kind == "state"
        ]
        self.host, self.force, slots = _pair_slots(pairs)
        self.cells = model.ledger.cells(self.host, self.force)  # the pairs' cells the weekly tension reads
        self.host_alignment = np.array([h.alignment for h, _ in pairs])
        self.force_alignment = np.array([f.alignment for _, f in pairs])
        self.u = self.uniforms("expel", slots)

    def step(self, week: int) -> None:
        """Expel forces still present, likelier as alignments part and with tension."""
        model, p = self.model, self.model.params
        if not len(self.host):
            return
        tension = model.ledger.levels_at(model.ledger.raw_tension, self.cells)
        chance = expulsion_probability(p, self.host_alignment, self.force_alignment, tension)
        r, k = np.nonzero(model.present[:, self.force] & (self.u[week] < chance))
        model.emit(self.name, "expulsion", r, self.host[k], self.force[k])


class Patronage(Rule):
    """A patron pledges support to clients, likelier within weeks of their heavy losses."""

    name = "patronage"
    emits = frozenset({"pledge_support"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (patron state, client)."""
        super().__init__(model)
        pairs = [(model.agent(c.patron), c) for c in model.agents_in_order if c.patron is not None]
        pairs = [(patron, client) for patron, client in pairs if patron.kind == "state"]
        self.patron, self.client, slots = _pair_slots(pairs)
        self.u = self.uniforms("pledge", slots)

    def step(self, week: int) -> None:
        """Pledges, likelier with the client's recent heavy losses."""
        model, p = self.model, self.model.params
        if not len(self.patron):
            return
        pledge = self.u[week] < pledge_probability(p, model.losses[:, self.client])
        r, k = np.nonzero(pledge)
        model.emit(self.name, "pledge_support", r, self.patron[k], self.client[k])


class AllianceFormation(Rule):
    """A candidate state joins an alliance, likelier under threat and with aligned views."""

    name = "alliance_formation"
    emits = frozenset({"alliance_formation"})

    def __init__(self, model: SahelModel) -> None:
        """One slot per (candidate state, alliance)."""
        super().__init__(model)
        pairs = [
            (model.agent(m), a)
            for a in model.of_kind("alliance")
            for m in a.candidates
            if model.agent(m).kind == "state"
        ]
        self.state, self.alliance, slots = _pair_slots(pairs)
        self.alignment = np.array([s.alignment for s, _ in pairs])
        self.u = self.uniforms("join", slots)

    def step(self, week: int) -> None:
        """States not yet members join, likelier under threat from armed groups on their soil."""
        model, p = self.model, self.model.params
        if not len(self.state):
            return
        open_to = ~model.members[:, self.alliance, self.state]
        chance = joining_probability(p, model.threat_to(self.state), self.alignment)
        r, k = np.nonzero(open_to & (self.u[week] < chance))
        model.emit(self.name, "alliance_formation", r, self.state[k], self.alliance[k])


PHASES: tuple[tuple[str, tuple[type[Rule], ...]], ...] = (
    ("armed groups", (Insurgency, Rivalry)),
    ("forces", (CounterInsurgency,)),
    ("diplomacy", (Rhetoric, Protest, DeEscalation, CommonThreat, Expulsion)),
    ("patrons", (Patronage,)),
    ("alliances", (AllianceFormation,)),
)
"""The week's phases in order, each a sequence of rules; see :class:`sim.model.model.SahelModel`."""


# --- Effects: what an event does to the latent state -----------------------------------------
# Each takes the model, the events' replicate rows, sources, targets and deaths (arrays), and the batch's magnitude.


def _casualties(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    p = model.params
    heavy = deaths >= p.heavy_loss_threshold[r, 0]
    np.add.at(model.losses, (r, target), np.where(heavy, deaths, 0))
    np.add.at(model.capability, (r, target), -p.loss_capability[r, 0] * deaths)
    np.maximum(model.capability, 0.0, out=model.capability)


def _recruit(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    """Civilians killed by a state's side feed the grievance the armed groups on its territory recruit from.

    Harm by a group (its source is no force) recruits for nobody. The gain raises the capability the
    groups recover towards (``model.potential``), up to full strength; it fades as grievance does.
    """
    gain = model.params.recruitment_per_death[r, 0] * deaths
    np.add.at(model.potential, r, model.recruits_for[source] * gain[:, None])
    np.minimum(model.potential, 1.0, out=model.potential)


def _attrition(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    np.add.at(model.capability, (r, target), -model.params.coin_attrition[r, 0] * model.capability[r, source])
    np.maximum(model.capability, 0.0, out=model.capability)


def _boost(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    np.add.at(model.capability, (r, target), model.params.pledge_boost[r, 0] * magnitude)
    np.minimum(model.capability, 1.0, out=model.capability)


def _expel(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    model.present[r, target] = False


def _withdraw(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    model.present[r, source] = False


def _recall(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    model.recalled[r, source, target] = True


def _restore(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    model.recalled[r, source, target] = False


def _join(model: SahelModel, r: Array, source: Array, target: Array, deaths: Array, magnitude: float) -> None:
    alliance = model.is_alliance[target]
    model.members[r[alliance], target[alliance], source[alliance]] = True


Effect = Callable[["SahelModel", Array, Array, Array, Array, float], None]

EFFECTS: dict[str, Effect] = {
    "attack": _casualties,
    "non_state_fight": _casualties,
    "attack_civilians": _recruit,
    "counterinsurgency_operation": _attrition,
    "pledge_support": _boost,
    "expulsion": _expel,
    "withdrawal": _withdraw,
    "recall_ambassador": _recall,
    "restore_ambassador": _restore,
    "alliance_formation": _join,
}
