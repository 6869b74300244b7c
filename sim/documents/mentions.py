"""Actor mentions: the actors a sentence names, and the word-order cues that relate them.

:class:`Text` is one article's parsed doc with its entities, its matches and its language's
grammar cues (``sim/data/extraction.yaml``); :class:`MentionFinder` reads the actors a sentence
names: the catalogue's names marked by the entity ruler, named organisations the catalogue does
not know, the civilians of a state, consecutive names of one actor, and patrons that only
qualify their client. spaCy is not imported here: the docs come from the pipelines.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sim.core.actors import UNMATCHED, ActorKind, Catalogue
from sim.documents.patterns import Language_, settings

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span


@dataclass(frozen=True)
class Mention:
    """An actor named in a sentence: token positions within the doc, and how it was named."""

    actor: str
    start: int
    end: int
    text: str
    place: bool = False
    demonym: bool = False
    civilian: bool = False


def longest(spans: list[Span]) -> list[Span]:
    """Overlapping spans cut down to the longest of each overlap, in text order (spaCy's ``filter_spans``).

    spaCy is imported here, when an article is read, not with the module: the documents layer
    imports without it.
    """
    from spacy.util import filter_spans

    return filter_spans(spans)


def distinct(mentions: Iterable[Mention]) -> list[Mention]:
    """The mentions in order, each actor once (a name the catalogue does not know, once per spelling)."""
    seen: set[str] = set()
    out = []
    for mention in mentions:
        key = mention.text.lower() if mention.actor == UNMATCHED else mention.actor
        if key not in seen:
            seen.add(key)
            out.append(mention)
    return out


def _matches(matcher: Matcher, doc: Doc) -> list[tuple[str, Span]]:
    """A matcher's matches in a doc, as (key, span); each span is labelled with its key."""
    if len(matcher) == 0:
        return []
    return [(span.label_, span) for span in matcher(doc, as_spans=True)]


class _Stretches:
    """Labelled spans of a doc, found by the sentence they lie in without a pass over them all.

    A long article has thousands of sentences and of matches: looking each sentence's up by
    position (bisection over the starts) keeps reading it in time proportional to its length.
    """

    def __init__(self, spans: list[tuple[str, Span]]) -> None:
        """Index ``spans`` (label, span) by where they start, remembering the order they came in."""
        self.spans = spans
        self.order = sorted(range(len(spans)), key=lambda i: spans[i][1].start)
        self.starts = [spans[i][1].start for i in self.order]

    def within(self, sentence: Span) -> list[tuple[str, Span]]:
        """The spans that start and end within the sentence, in the order they came in."""
        low, high = bisect_left(self.starts, sentence.start), bisect_left(self.starts, sentence.end)
        inside = sorted(i for i in self.order[low:high] if self.spans[i][1].end <= sentence.end)
        return [self.spans[i] for i in inside]


class Text:
    """One article's parsed doc, its entities and matches, and its language's grammar cues.

    The word-order cues (:meth:`joined`, :meth:`after_locative`, ...) are read here, where the
    tokens are, for both the mentions and their roles.
    """

    def __init__(self, doc: Doc, lang: Language_, matchers: Mapping[str, Matcher]) -> None:
        """Run every matcher over the doc once; ``matchers`` are named by what they find (events, dates, ...)."""
        self.doc = doc
        self.lang = lang
        self.cues = settings().cues[lang]
        self.gap = settings().grammar
        self.ents = _Stretches([(ent.label_, ent) for ent in doc.ents])
        self.found = {name: _Stretches(_matches(matcher, doc)) for name, matcher in matchers.items()}

    def ents_in(self, sentence: Span) -> list[Span]:
        """The doc's entities within the sentence."""
        return [ent for _, ent in self.ents.within(sentence)]

    def within(self, kind: str, sentence: Span) -> list[tuple[str, Span]]:
        """The matches of one matcher within the sentence, as (key, span)."""
        return self.found[kind].within(sentence)

    def words(self, start: int, end: int) -> list[str]:
        """The lower-case words between two token positions."""
        return [token.lower_ for token in self.doc[start:end]]

    @staticmethod
    def adjacent(first: Mention, second: Mention, gap: int) -> bool:
        """Whether ``second`` starts at most ``gap`` words after ``first`` ends."""
        return 0 <= second.start - first.end <= gap

    def joined(self, first: Mention, second: Mention) -> bool:
        """Whether a conjunction, and no quotation mark or bracket, stands between two mentions ('Mali and Niger')."""
        between = self.words(first.end, second.start)
        return any(word in self.cues.conjunctions for word in between) and not any(
            word in self.cues.barriers for word in between
        )

    def after_locative(self, mention: Mention) -> bool:
        """'in Mali', 'à Nouakchott', and for a place also 'the town of Kidal': where, not who."""
        cues = set(self.cues.locative) | (set(self.cues.genitive) if mention.place else set())
        return any(word in cues for word in self.words(max(mention.start - 2, 0), mention.start))

    def same_quote(self, mention: Mention | Span, trigger: Span) -> bool:
        """Whether no quotation mark or reporting word ('said', 'according to') stands between mention and trigger."""
        low, high = (mention.end, trigger.start) if mention.end <= trigger.start else (trigger.end, mention.start)
        return not any(token.is_quote or token.lower_ in self.cues.barriers for token in self.doc[low:high])

    def passive(self, trigger: Span) -> bool:
        """'were killed', 'a été tué' (but not the reflexive 's'est retirée')."""
        before = self.words(max(trigger.start - 3, 0), trigger.start)
        return any(word in self.cues.be for word in before[-2:]) and not any(
            word in self.cues.reflexive for word in before
        )

    def agent(self, trigger: Span, after: list[Mention], until: int | None = None) -> Mention | None:
        """The actor after an agent cue ('killed by X', 'commises par X') close after the trigger.

        The cue is looked for before ``until`` where given: the start of a grievance, whose own
        agent is not the trigger's ('protested against attacks by the army').
        """
        end = min(trigger.end + self.gap["passive_window"], len(self.doc) if until is None else until)
        for token in self.doc[trigger.end : end]:
            if token.lower_ in self.cues.passive_agent:
                return next((m for m in after if 0 <= m.start - token.i <= 3), None)
        return None


class MentionFinder:
    """The actors a sentence names, in text order, as the roles will read them."""

    def __init__(self, text: Text, catalogue: Catalogue, kinds: Mapping[str, ActorKind]) -> None:
        """Find mentions in ``text``, knowing each actor's kind (``kinds``, from the catalogue)."""
        self.text = text
        self.catalogue = catalogue
        self.kinds = kinds
        self.people = set(settings().people[text.lang])

    def find(self, sentence: Span) -> list[Mention]:
        """Catalogue names and unknown organisations, with civilians, repeated names and qualifiers resolved."""
        found = self._named(sentence)
        taken = {i for mention in found for i in range(mention.start, mention.end)}
        found += [
            Mention(UNMATCHED, span.start, span.end, span.text)
            for span in self._unmatched(sentence)
            if not taken & set(range(span.start, span.end))
        ]
        found.sort(key=lambda mention: mention.start)
        return self._drop_qualifiers(self._merge(self._civilians(found)))

    def _named(self, sentence: Span) -> list[Mention]:
        """The catalogue's names the entity ruler marked: an actor's names, its demonyms, its places."""
        return [
            Mention(
                ent.ent_id_, ent.start, ent.end, ent.text, place=ent.label_ == "PLACE", demonym=ent.label_ == "DEMONYM"
            )
            for ent in self.text.ents_in(sentence)
            if ent.label_ in ("ACTOR", "DEMONYM", "PLACE")
        ]

    def _unmatched(self, sentence: Span) -> list[Span]:
        """Named organisations the catalogue does not know (NER in French, token patterns in English)."""
        ignore = {name.lower() for name in settings().unmatched["ignore"]}
        spans = [ent for ent in self.text.ents_in(sentence) if ent.label_ in settings().unmatched["ner_labels"]]
        spans += [span for _, span in self.text.within("names", sentence)]
        return [span for span in longest(spans) if span.text.lower() not in ignore]

    def _civilians(self, mentions: list[Mention]) -> list[Mention]:
        """'Mauritanian civilians', 'civils maliens': the civilians of a state, coded as that state."""
        out: list[Mention] = []
        for mention in mentions:
            if out and self._state_beside_civilians(out[-1], mention):
                out[-1] = self._civilians_of(out[-1], mention)
            else:
                out.append(self._people_of(mention))
        return out

    def _state_beside_civilians(self, first: Mention, second: Mention) -> bool:
        """A demonym right beside the civilians actor ('Malian civilians'): one mention, not two actors."""
        pair = (first, second)
        return (
            self.text.adjacent(first, second, 1)
            and {self.kinds.get(m.actor) for m in pair} == {"civilians", "state"}
            and any(m.demonym for m in pair)
        )

    def _civilians_of(self, first: Mention, second: Mention) -> Mention:
        """The state named by the demonym of the two, spanning both and marked as its civilians."""
        state = first if first.demonym else second
        text = self.text.doc[first.start : second.end].text
        return replace(state, start=first.start, end=second.end, text=text, civilian=True)

    def _people_of(self, mention: Mention) -> Mention:
        """A demonym qualifying a word for people ('Malian soldiers'); the nationals of a state are its civilians."""
        noun = self._noun_beside(mention)
        if not (mention.demonym and noun in self.people):
            return mention
        civilian = self.kinds.get(mention.actor) == "state" and noun in self.text.cues.nationals
        return replace(mention, civilian=civilian)

    def _noun_beside(self, mention: Mention) -> str:
        """The word a demonym qualifies: after it in English ('Malian troops'), before in French ('civils maliens')."""
        doc = self.text.doc
        i = mention.end if self.text.lang == "en" else mention.start - 1
        return doc[i].lower_ if 0 <= i < len(doc) else ""

    def _merge(self, mentions: list[Mention]) -> list[Mention]:
        """Consecutive names of one actor ('the peacekeepers of MINUSMA') are one mention."""
        out: list[Mention] = []
        for mention in mentions:
            if out and out[-1].actor == mention.actor != UNMATCHED and self._titles_between(out[-1], mention):
                out[-1] = replace(
                    out[-1],
                    end=mention.end,
                    text=self.text.doc[out[-1].start : mention.end].text,
                    place=out[-1].place and mention.place,
                )
            else:
                out.append(mention)
        return out

    def _titles_between(self, first: Mention, second: Mention) -> bool:
        """Close, with only titles and commas between ('Niger, General Tchiani'): one name."""
        between = self.text.doc[first.end : second.start]
        return self.text.adjacent(first, second, self.text.gap["merge_gap"]) and all(
            t.is_title or t.text == "," for t in between
        )

    def _drop_qualifiers(self, mentions: list[Mention]) -> list[Mention]:
        """'Moscow's Africa Corps', 'the Russian contractors of Africa Corps': the patron only qualifies its client."""
        keep: list[Mention] = []
        qualifier: Mention | None = None
        for i, mention in enumerate(mentions):
            after = mentions[i + 1] if i + 1 < len(mentions) else None
            if qualifier is not None:
                mention = replace(
                    mention, start=qualifier.start, text=self.text.doc[qualifier.start : mention.end].text
                )
                qualifier = None
            if after is not None and self._qualifies(mention, after):
                qualifier = mention
            else:
                keep.append(mention)
        return keep

    def _qualifies(self, mention: Mention, client: Mention) -> bool:
        """Whether ``mention`` names the patron of the force or group named right after it ('Moscow's Africa Corps')."""
        kind = self.kinds.get(client.actor)
        patron = kind not in (None, "state") and self.catalogue[client.actor].patron == mention.actor
        gap = self.text.gap["role_gap"]
        return patron and self.text.adjacent(mention, client, gap) and not self.text.joined(mention, client)
