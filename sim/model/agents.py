"""The agents: one per actor taking part, with the rules its kind follows.

Attributes start from the actor catalogue (with the scenario's overrides) and change as
events happen (see :data:`sim.model.rules.EFFECTS`); relations between actors live in the model's
:class:`~sim.core.relations.RelationLedger`, not in the agents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import mesa

from sim.core.actors import Actor
from sim.model import rules
from sim.model.scenario import ActorOverride

if TYPE_CHECKING:
    from sim.model.model import SahelModel


class SahelAgent(mesa.Agent):
    """An actor of the catalogue acting in the model.

    Attributes:
        actor_id: the catalogue id, used in every event the agent takes part in.
        capability: force it can bring to bear now; recovers towards ``base_capability``.
        resolve: readiness to protest harm diplomatically.
        alignment: -1 western-aligned to +1 Russia-aligned.
        present: for deployed forces, whether they are in their host.
        losses: deaths suffered recently in heavy attacks, decaying; a patron reacts to them.
    """

    rules: ClassVar[tuple[Callable[[SahelAgent], None], ...]] = ()
    model: SahelModel

    def __init__(self, model: SahelModel, actor: Actor, override: ActorOverride | None = None) -> None:
        """Start from the catalogue's actor with the scenario's changes, keeping links to actors taking part."""
        super().__init__(model)
        given = actor if override is None else override.applied_to(actor)
        taking_part = model.taking_part
        self.actor_id = actor.id
        self.name = actor.name
        self.kind = actor.kind
        self.iso3 = actor.iso3
        self.base_capability = given.capability
        self.capability = self.base_capability
        self.resolve = given.resolve
        self.alignment = given.alignment
        self.present = given.present
        self.neighbours = [n for n in given.neighbours if n in taking_part]
        self.operates_in = [s for s in given.operates_in if s in taking_part]
        self.rear_bases = [s for s in given.rear_bases if s in taking_part]
        self.patron = given.patron if given.patron in taking_part else None
        self.host = given.host if given.host in taking_part else None
        self.candidates = [m for m in actor.members if m in taking_part]  # the catalogue's: who may join
        self.members = {m for m in given.members if m in taking_part}
        self.losses = 0.0

    def recover(self) -> None:
        """A week passes: capability recovers part of its gap, losses fade from memory."""
        p = self.model.params
        self.capability += p.capability_recovery * (self.base_capability - self.capability)
        self.losses *= self.model.losses_decay

    def step(self) -> None:
        """Act for the week: each rule of the agent's kind in turn, each recorded as the events' rule."""
        for rule in self.rules:
            self.model.current_rule = rule.__name__
            rule(self)


class State(SahelAgent):
    """Fights armed groups on its soil, protests harm, de-escalates, acts jointly, backs clients, expels, allies."""

    rules = (
        rules.counter_insurgency,
        rules.protest,
        rules.de_escalation,
        rules.common_threat,
        rules.patronage,
        rules.expulsion,
        rules.alliance_formation,
    )


class ArmedGroup(SahelAgent):
    """Attacks forces and civilians and kidnaps in the states it operates in."""

    rules = (rules.insurgency,)


class InternationalForce(SahelAgent):
    """Runs counter-insurgency operations in its host while present."""

    rules = (rules.counter_insurgency,)


class PrivateMilitaryCompany(SahelAgent):
    """Acts through its host's operations (see :func:`sim.model.rules.counter_insurgency`)."""


class Alliance(SahelAgent):
    """Holds its members; states join it through :func:`sim.model.rules.alliance_formation`."""


class Civilians(SahelAgent):
    """A target of violence; takes no actions."""


AGENT_CLASSES: dict[str, type[SahelAgent]] = {
    "state": State,
    "armed_group": ArmedGroup,
    "international_force": InternationalForce,
    "pmc": PrivateMilitaryCompany,
    "alliance": Alliance,
    "civilians": Civilians,
}
