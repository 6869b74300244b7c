"""The agents: one per actor taking part, its state an array over the ensemble's replicates.

An agent's fixed attributes (kind, country, links to other actors) come from the actor catalogue
with the scenario's overrides. What changes during a run (capability, recent losses, presence)
lives in the model's (replicates, actors) arrays, so the rules update every agent of every
replicate with one array operation; an agent's attributes are views of its column. Relations
between actors live in the model's :class:`~sim.core.relations.RelationLedger`, not in the agents.

Which phase of the week each kind acts in is set out in :mod:`sim.model.rules`: armed groups
attack, states and international forces operate, states deal with each other, patrons back
their clients and candidates join alliances; private military companies act through their
host's operations, and alliances and civilians take no actions of their own.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core.actors import Actor
from sim.model.scenario import ActorOverride

if TYPE_CHECKING:
    from sim.model.model import SahelModel


class _IdsPerModel(weakref.WeakKeyDictionary[object, "itertools.count[int]"]):
    """mesa's per-model counters of agent ids, holding each model weakly.

    mesa 3.3 keeps them in a class-level ``defaultdict`` keyed by the model, so no model whose
    agents were made is ever freed (mesa issue #3179, fixed in mesa 3.4, which needs Python 3.12):
    a worker stepping chunk after chunk grew by the whole ensemble's arrays each time, some
    130 MB per 500 runs, until the kernel killed it.
    """

    def __getitem__(self, model: object) -> itertools.count[int]:
        if model not in self:
            self[model] = itertools.count(1)
        counter: itertools.count[int] = super().__getitem__(model)
        return counter


class SahelAgent(mesa.Agent):
    """An actor of the catalogue acting in the model.

    Attributes:
        actor_id: the catalogue id, used in every event the agent takes part in.
        index: the agent's column in the model's state arrays and row in the relation ledger.
        base_capability: the capability it recovers towards.
        resolve: readiness to protest harm diplomatically.
        alignment: -1 western-aligned to +1 Russia-aligned.
    """

    model: SahelModel
    _ids = _IdsPerModel()  # type: ignore[assignment]  # mesa's is a defaultdict; this is the same mapping, weak

    def __init__(self, model: SahelModel, actor: Actor, index: int, override: ActorOverride | None = None) -> None:
        """Start from the catalogue's actor with the scenario's changes, keeping links to actors taking part."""
        super().__init__(model)
        given = actor if override is None else override.applied_to(actor)
        taking_part = model.taking_part
        self.actor_id = actor.id
        self.index = index
        self.name = actor.name
        self.kind = actor.kind
        self.iso3 = actor.iso3
        self.base_capability = given.capability
        self.resolve = given.resolve
        self.alignment = given.alignment
        self.starts_present = given.present
        self.neighbours = [n for n in given.neighbours if n in taking_part]
        self.operates_in = [s for s in given.operates_in if s in taking_part]
        self.rear_bases = [s for s in given.rear_bases if s in taking_part]
        self.rivals = [g for g in given.rivals if g in taking_part]
        self.patron = given.patron if given.patron in taking_part else None
        self.host = given.host if given.host in taking_part else None
        self.candidates = [m for m in actor.members if m in taking_part]  # the catalogue's: who may join
        self.starting_members = [m for m in given.members if m in taking_part]

    @property
    def territory(self) -> str | None:
        """Where it fights: a state on its own soil, a deployed force or contractor in its host (else None)."""
        return self.actor_id if self.kind == "state" else self.host

    @property
    def capability(self) -> np.ndarray:
        """Force it can bring to bear now, per replicate; recovers towards its potential (``model.potential``)."""
        return self.model.capability[:, self.index]

    @property
    def losses(self) -> np.ndarray:
        """Deaths suffered recently in heavy attacks, decaying, per replicate; a patron reacts to them."""
        return self.model.losses[:, self.index]

    @property
    def present(self) -> np.ndarray:
        """For deployed forces, whether they are in their host, per replicate."""
        return self.model.present[:, self.index]

    @property
    def members(self) -> list[set[str]]:
        """For an alliance, its members in each replicate."""
        ids = self.model.taking_part
        return [{ids[j] for j in np.flatnonzero(row)} for row in self.model.members[:, self.index]]
