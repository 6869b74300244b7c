"""The extractor's settings and event patterns as data models, read from ``sim/data/extraction*.yaml``.

``extraction.yaml`` holds the settings (grammar cues, names, numbers, confidence factors),
``extraction_patterns.yaml`` the event patterns. They need no spaCy: the review of candidates
reads its window from the settings, and a pattern file is checked (unknown event types,
repeated ids) without loading a pipeline.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.core.actors import ActorKind
from sim.core.datafiles import PACKAGE_DATA, load_yaml_model
from sim.core.events import event_types

Language_ = Literal["en", "fr"]
LANGUAGES: tuple[Language_, ...] = ("en", "fr")
PATTERNS_PATH = PACKAGE_DATA / "extraction_patterns.yaml"
SETTINGS_PATH = PACKAGE_DATA / "extraction.yaml"
TokenPatterns = list[list[dict[str, Any]]]


class Pattern(BaseModel):
    """One event pattern: trigger words per language and how they code an event."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    event_type: str
    confidence: float = Field(ge=0.0, le=1.0)
    roles: Literal["active", "swapped", "joint", "same", "members", "host"] = "active"
    target_kind: ActorKind | None = None
    by_target: dict[str, str] = Field(default_factory=dict)
    when_sentence_has: dict[str, list[str]] = Field(default_factory=dict)
    requires: list[str] = Field(default_factory=list)
    located_target: bool = False
    never_target: list[ActorKind] = Field(default_factory=list)
    grievances: list[str] = Field(default_factory=list)
    en: TokenPatterns = Field(default_factory=list)
    fr: TokenPatterns = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_types(self) -> Pattern:
        known = event_types()
        for kind in [self.event_type, *self.by_target.values(), *self.when_sentence_has]:
            if kind not in known:
                raise ValueError(
                    f"pattern '{self.id}' codes unknown event type '{kind}'; expected one of {sorted(known)}"
                )
        return self


class Patterns(BaseModel):
    """The pattern file: every event pattern, each id once."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    patterns: list[Pattern]

    @model_validator(mode="after")
    def _unique(self) -> Patterns:
        ids = [pattern.id for pattern in self.patterns]
        if len(ids) != len(set(ids)):
            raise ValueError(f"pattern ids must be unique, got {ids}")
        return self

    @model_validator(mode="after")
    def _known_grievances(self) -> Patterns:
        ids = {pattern.id for pattern in self.patterns}
        for pattern in self.patterns:
            unknown = sorted(set(pattern.grievances) - ids)
            if unknown:
                raise ValueError(
                    f"pattern '{pattern.id}' names unknown grievance patterns {unknown}; expected ids of {sorted(ids)}"
                )
        return self


class Cues(BaseModel):
    """One language's grammar words: those that turn roles round, join, bound or place the actors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    passive_agent: list[str]
    conjunctions: list[str]
    possessive: list[str]
    locative: list[str]
    barriers: list[str]
    nationals: list[str]
    genitive: list[str]
    be: list[str]
    reflexive: list[str]


class Settings(BaseModel):
    """The extractor's grammar cues, names, numbers and confidence factors (extraction.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    languages: dict[str, float]
    cues: dict[Language_, Cues]
    grammar: dict[
        Literal["role_gap", "passive_window", "merge_gap", "grievance_gap", "context_lag_days", "recent_days"], int
    ]
    unmatched: dict[str, Any]
    locations: dict[str, Any]
    numbers: dict[Language_, dict[str, int]]
    people: dict[Language_, list[str]]
    confidence: dict[Literal["date_from_context", "role_from_context", "unmatched_actor"], float]
    review: dict[str, int]
    reading: dict[Literal["piece_chars", "max_bytes"], int]


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The extraction settings, read and checked once per process."""
    return load_yaml_model(Settings, SETTINGS_PATH)


@lru_cache(maxsize=1)
def patterns() -> list[Pattern]:
    """The event patterns, read and checked once per process."""
    return load_yaml_model(Patterns, PATTERNS_PATH).patterns
