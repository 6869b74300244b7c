"""The actor catalogue: who takes part, with their names and rule attributes (data, not code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.core.datafiles import PACKAGE_DATA, load_yaml_model

ActorKind = Literal["state", "pmc", "alliance", "armed_group", "international_force", "civilians"]
ActorId = str

CATALOGUE_PATH = PACKAGE_DATA / "actors.yaml"
# The actor id of an extracted or imported event whose actor matches no catalogue actor: the row
# is kept (never dropped silently) and its original name stays in ``source_name`` / ``target_name``.
UNMATCHED: ActorId = "unmatched"
NAMING_FIELDS = {"id", "name", "kind", "iso3", "aliases", "demonyms", "places", "leaders", "mentioned_in"}


class Names(BaseModel):
    """Names of one kind in both languages of the sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: list[str] = Field(default_factory=list)
    fr: list[str] = Field(default_factory=list)


class Actor(BaseModel):
    """One actor of the catalogue, and so one agent of the model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ActorId = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    kind: ActorKind
    iso3: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    aliases: Names
    demonyms: Names = Names()
    places: list[str] = Field(default_factory=list)
    leaders: list[str] = Field(default_factory=list)
    mentioned_in: list[str] = Field(default_factory=list, description="seed documents naming the actor")
    capability: float = Field(ge=0.0, le=1.0)
    resolve: float = Field(ge=0.0, le=1.0)
    alignment: float = Field(ge=-1.0, le=1.0)
    neighbours: list[ActorId] = Field(default_factory=list, description="states sharing a land border")
    patron: ActorId | None = Field(default=None, description="the state that backs this actor")
    host: ActorId | None = Field(default=None, description="where a force or PMC is deployed")
    present: bool = Field(default=True, description="whether a deployed force is in its host at the start")
    members: list[ActorId] = Field(default_factory=list, description="member states of an alliance")
    operates_in: list[ActorId] = Field(default_factory=list, description="states where an armed group attacks")
    rear_bases: list[ActorId] = Field(
        default_factory=list, description="neighbouring states an armed group falls back into"
    )
    rivals: list[ActorId] = Field(default_factory=list, description="armed groups it fights where both operate")

    @property
    def short_name(self) -> str:
        """The name without its gloss in brackets ("Mali", "Wagner Group"), for labels and sentences."""
        return self.name.split(" (")[0]


class AttributeSpec(BaseModel):
    """The meaning and range of one numeric attribute."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    range: tuple[float, float]
    meaning: str


class Catalogue(BaseModel):
    """The whole catalogue, checked for references between actors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    attributes: dict[str, AttributeSpec]
    links: dict[str, str] = Field(description="meaning of each field that links an actor to others")
    kinds: dict[ActorKind, str]
    actors: list[Actor]

    @model_validator(mode="after")
    def _every_field_has_a_meaning(self) -> Catalogue:
        explained = set(self.attributes) | set(self.links)
        unexplained = sorted(set(Actor.model_fields) - explained - NAMING_FIELDS)
        if unexplained:
            raise ValueError(f"actor fields {unexplained} have no meaning in 'attributes' or 'links'")
        return self

    @model_validator(mode="after")
    def _references_exist(self) -> Catalogue:
        ids = [actor.id for actor in self.actors]
        if len(set(ids)) != len(ids):
            raise ValueError(f"actor ids must be unique, got {sorted(ids)}")
        known = set(ids)
        for actor in self.actors:
            refs = [*actor.neighbours, *actor.members, *actor.operates_in, *actor.rear_bases, *actor.rivals]
            refs += [r for r in (actor.patron, actor.host) if r is not None]
            unknown = sorted(set(refs) - known)
            if unknown:
                raise ValueError(f"actor '{actor.id}' refers to unknown actors {unknown}")
        return self

    @model_validator(mode="after")
    def _rivals_are_armed_groups_both_ways(self) -> Catalogue:
        """A rivalry is one war between two armed groups, so each must list the other."""
        kinds = {actor.id: actor.kind for actor in self.actors}
        rivals = {actor.id: set(actor.rivals) for actor in self.actors}
        for actor in self.actors:
            for rival in actor.rivals:
                if actor.kind != "armed_group" or kinds.get(rival) != "armed_group":
                    raise ValueError(f"rivals of '{actor.id}': only armed groups have rivals, and only armed groups")
                if actor.id not in rivals.get(rival, set()):
                    raise ValueError(f"'{actor.id}' lists '{rival}' as a rival but '{rival}' does not list it back")
        return self

    @property
    def ids(self) -> list[ActorId]:
        """Every actor's id, in the catalogue's order."""
        return [actor.id for actor in self.actors]

    def __getitem__(self, actor_id: ActorId) -> Actor:
        """The actor with this id; a KeyError, as a mapping gives, when the catalogue has none."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Load and check the actor catalogue (cached: it is read-only)."""
    return load_yaml_model(Catalogue, path)
