"""Roles: who acts on whom, from the actors a sentence names around an event's trigger.

Word order gives the roles of most patterns (the actor before the trigger acts on the one after
it; an agent cue such as "by", or the passive, turns it round); other patterns code partners
acting together, a state acting on itself, or states joining a group or meeting in a host
(``roles`` in ``sim/data/extraction_patterns.yaml``). A role the clause leaves out is filled from
the rest of the sentence, else from the actors of the sentence before. A protest's grievance
("summoned the ambassador to protest against attacks on civilians") names victims, who are not
the protest's target, and perhaps an agent ("attacks by the army"), who is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.core.actors import UNMATCHED, ActorKind
from sim.documents.mentions import Mention, Text, distinct
from sim.documents.patterns import Pattern

if TYPE_CHECKING:
    from spacy.tokens import Span


@dataclass
class Found:
    """One event found in a sentence, before it becomes an Event row."""

    pattern: Pattern
    trigger: Span
    source: Mention
    target: Mention
    from_context: bool


class Roles:
    """The (source, target) pairs an event's trigger codes among a sentence's mentions."""

    def __init__(self, text: Text, kinds: Mapping[str, ActorKind]) -> None:
        """Read roles in ``text``, knowing each actor's kind (``kinds``, from the catalogue)."""
        self.text = text
        self.kinds = kinds

    def of(
        self,
        pattern: Pattern,
        trigger: Span,
        mentions: list[Mention],
        recent: list[Mention],
        grievance: Span | None = None,
    ) -> list[Found]:
        """The events the trigger codes, by its pattern's roles; ``recent`` are the last sentence's mentions.

        ``grievance`` is the trigger of what the event protests against, if the sentence says
        (see ``grievances`` in ``sim/data/extraction_patterns.yaml``).
        """
        if pattern.roles == "same":
            return self._same(pattern, trigger, mentions)
        if pattern.roles == "joint":
            return self._joint(pattern, trigger, mentions)
        if pattern.roles in ("members", "host"):
            grouped = self._group(pattern, trigger, mentions)
            if grouped is not None:
                return grouped
        return self._directed(pattern, trigger, mentions, recent, grievance)

    def _states(self, mentions: list[Mention]) -> list[Mention]:
        return distinct([m for m in mentions if self.kinds.get(m.actor) == "state"])

    def _same(self, pattern: Pattern, trigger: Span, mentions: list[Mention]) -> list[Found]:
        """The state nearest the trigger, acting on itself (a coup)."""
        nearest = sorted(self._states(mentions), key=lambda m: abs(m.start - trigger.start))
        return [Found(pattern, trigger, nearest[0], nearest[0], False)] if nearest else []

    def _joint(self, pattern: Pattern, trigger: Span, mentions: list[Mention]) -> list[Found]:
        """The first two actors of the sentence, acting together; armed groups and civilians are not partners."""
        partners = distinct(
            [m for m in mentions if self.kinds.get(m.actor, "state") not in ("armed_group", "civilians")]
        )
        return [Found(pattern, trigger, partners[0], other, False) for other in partners[1:2]]

    def _group(self, pattern: Pattern, trigger: Span, mentions: list[Mention]) -> list[Found] | None:
        """Each state of the sentence towards the group it joins or the host it meets in; None without either."""
        target = self._group_target(pattern, mentions)
        if target is None:
            return None
        states = self._states(mentions)
        members = [m for m in states if not m.place and (m.actor != target.actor or pattern.roles == "host")]
        return [Found(pattern, trigger, member, target, False) for member in members]

    def _group_target(self, pattern: Pattern, mentions: list[Mention]) -> Mention | None:
        """The group ('members': the first actor of the pattern's target kind) or the host (named as a place)."""
        if pattern.roles == "members":
            return next((m for m in mentions if self.kinds.get(m.actor) == pattern.target_kind), None)
        located = [m for m in mentions if m.actor != UNMATCHED and self.text.after_locative(m)]
        return located[0] if located else None

    def _directed(
        self, pattern: Pattern, trigger: Span, mentions: list[Mention], recent: list[Mention], grievance: Span | None
    ) -> list[Found]:
        """Sources and targets from the trigger's clause; a missing one taken from the context."""
        roles = [
            m
            for m in mentions
            if (pattern.located_target or not self.text.after_locative(m)) and self.text.same_quote(m, trigger)
        ]
        victims = self._victims(grievance, mentions)
        sources, targets = self._by_word_order(pattern, trigger, roles, mentions, grievance, victims)
        if not sources and not targets:
            return []  # no actor in the trigger's clause: nothing to code
        from_context = not sources or not targets
        used = {m.actor for m in [*sources, *targets]}
        sources = sources or self._context(trigger, roles, used, recent, source=True)
        candidates = [m for m in mentions if self._may_be_target(pattern, m, victims)]
        targets = targets or self._context(trigger, candidates, used | {m.actor for m in sources}, recent, source=False)
        return [Found(pattern, trigger, s, t, from_context) for s in sources for t in targets if s.actor != t.actor]

    def _by_word_order(
        self,
        pattern: Pattern,
        trigger: Span,
        roles: list[Mention],
        mentions: list[Mention],
        grievance: Span | None,
        victims: list[Mention],
    ) -> tuple[list[Mention], list[Mention]]:
        """Who acts and who is acted on among the clause's mentions ``roles``, by their side of the trigger.

        The target is the nearest mention on its side that may be one (not a victim of the
        grievance, not of a kind the pattern never targets).
        """
        before = [m for m in roles if m.end <= trigger.start]
        after = [m for m in roles if m.start >= trigger.end]
        agent = self.text.agent(trigger, after, grievance.start if grievance is not None else None)
        if agent is not None:
            sides = after[after.index(agent) :], before[::-1]
        elif self.text.passive(trigger):  # "soldiers were killed": those before are the target, the actor is unsaid
            sides = [], before[::-1]
        else:
            sides = before[::-1], after
        acting, acted_on = sides[::-1] if pattern.roles == "swapped" else sides
        sources = self._chain(acting)
        targets = self._chain([m for m in acted_on if self._may_be_target(pattern, m, victims)])
        if pattern.target_kind is not None:
            preferred = [
                m
                for m in mentions
                if self.kinds.get(m.actor) == pattern.target_kind
                and m not in sources
                and self._may_be_target(pattern, m, victims)
            ]
            targets = preferred[:1] or targets
        return sources, targets

    def _victims(self, grievance: Span | None, mentions: list[Mention]) -> list[Mention]:
        """Who a grievance names as harmed: the mentions after its trigger in its clause, but for its agents.

        ('to protest against attacks on civilians by the Malian army and Wagner': the civilians,
        not the army nor Wagner.)
        """
        if grievance is None:
            return []
        after = [m for m in mentions if m.start >= grievance.end and self.text.same_quote(m, grievance)]
        agent = self.text.agent(grievance, after)
        blamed = self._chain(after[after.index(agent) :]) if agent is not None else []
        return [m for m in after if m not in blamed]

    def _may_be_target(self, pattern: Pattern, mention: Mention, victims: list[Mention]) -> bool:
        """Whether the mention can be the pattern's target: not a victim it protests about, nor a kind it never targets.

        The civilians of a state ('Mauritanian civilians') count as civilians, as in ``by_target``.
        """
        kind = "civilians" if mention.civilian else self.kinds.get(mention.actor)
        return mention not in victims and kind not in pattern.never_target

    def _chain(self, ordered: list[Mention]) -> list[Mention]:
        """The nearest mention and those joined to it by conjunctions, in the given direction."""
        if not ordered:
            return []
        chain = [ordered[0]]
        for mention in ordered[1:]:
            first, second = sorted((chain[-1], mention), key=lambda m: m.start)
            if not (self.text.adjacent(first, second, self.text.gap["role_gap"]) and self.text.joined(first, second)):
                break
            chain.append(mention)
        return distinct(chain)

    def _context(
        self, trigger: Span, mentions: list[Mention], used: set[str], recent: list[Mention], source: bool
    ) -> list[Mention]:
        """A missing role: the nearest other actor of the sentence, else (for the actor) the last one named before.

        Civilians and places never fill a missing source; a place or actor named as where
        something happened ('in Nigerien villages', 'à Bamako') fills a missing target last.
        """

        def fits(mention: Mention) -> bool:
            if source and (mention.place or self.kinds.get(mention.actor) == "civilians"):
                return False
            return mention.actor not in used

        others = sorted(
            (m for m in mentions if fits(m)),
            key=lambda m: (m.actor == UNMATCHED, self.text.after_locative(m), abs(m.start - trigger.start)),
        )
        if others or not source:
            return others[:1]
        return [m for m in reversed(recent) if fits(m) and m.actor != UNMATCHED][:1]
