"""Reading one article: sentence by sentence, its event triggers, their roles, dates and coding into Event rows.

An :class:`ArticleReader` goes through the sentences in order, keeping the last date read (the
base of "the following day") and the actors of the sentence before (who fills a role a sentence
leaves out). Each trigger's roles come from :mod:`sim.documents.roles`; the reader dates each
event, codes its type, place, magnitude and confidence, and keeps its provenance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from sim.core.actors import UNMATCHED, Catalogue
from sim.core.errors import InputError
from sim.core.events import Event, event_types
from sim.documents.articles import Article
from sim.documents.dates import MissingPublicationDate, ResolvedDate, coarsest, period_start, resolve
from sim.documents.mentions import Mention, MentionFinder, Text, longest
from sim.documents.patterns import Language_, Pattern, patterns, settings
from sim.documents.roles import Found, Roles

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span

CONTEXT = "(context)"  # the expression of a date taken from the sentences around
Dated = list[tuple["Span", ResolvedDate]]  # a sentence's date expressions, each with its date


class ArticleReader:
    """Reads one article's sentences in order, keeping the last date and the actors met so far."""

    def __init__(
        self, article: Article, lang: Language_, doc: Doc, matchers: Mapping[str, Matcher], catalogue: Catalogue
    ) -> None:
        """Read ``doc``, the parsed body of ``article``, with the language's ``matchers`` (events, dates, ...)."""
        self.article = article
        self.lang = lang
        self.catalogue = catalogue
        self.kinds = {actor.id: actor.kind for actor in catalogue.actors}
        self.text = Text(doc, lang, matchers)
        self.mentions = MentionFinder(self.text, catalogue, self.kinds)
        self.roles = Roles(self.text, self.kinds)
        self.patterns = {pattern.id: pattern for pattern in patterns()}
        self.previous: ResolvedDate | None = None
        self.recent: list[Mention] = []
        self.events: list[Event] = []
        self.new_actors: dict[str, list[str]] = {}  # name -> files

    def read(self) -> tuple[list[Event], dict[str, list[str]]]:
        """The article's candidate events in text order, each once, and the names no catalogue actor matched."""
        sentences = list(_sentences(self.text.doc))
        dated = [self._dates(sentence) for sentence in sentences]  # in order: 'the following day' needs the one before
        for i, sentence in enumerate(sentences):
            self._sentence(sentence, dated[i], partial(self._context_date, dated[:i], dated[i + 1 :]))
        return _unique(self.events), self.new_actors

    # -- one sentence ---------------------------------------------------------------------
    def _sentence(self, sentence: Span, dates: Dated, context: Callable[[], ResolvedDate]) -> None:
        """Code the sentence's events: one per actor pair, event family and date."""
        mentions = self.mentions.find(sentence)
        seen: set[tuple] = set()
        for found in self._found(sentence, mentions):
            kind = self._event_type(found, sentence)
            date = self._date_of(found, dates) or context()
            key = (*sorted((found.source.actor, found.target.actor)), event_types()[kind].family, date)
            if found.source.actor == UNMATCHED and found.target.actor == UNMATCHED or key in seen:
                continue
            seen.add(key)
            self._add(found, kind, sentence, date, mentions)
        if mentions:
            self.recent = mentions

    def _found(self, sentence: Span, mentions: list[Mention]) -> Iterator[Found]:
        """The events of each trigger of the sentence, in text order; a protest's grievance is not an event of its own.

        ('Mauritania summoned the ambassador to protest against attacks on civilians': the attacks
        are what is protested against, told where the article reports them, not a new attack.)
        """
        triggers = self._triggers(sentence)
        grievances = {trigger.start: self._grievance(trigger, pattern, triggers) for trigger, pattern in triggers}
        protested = {grievance.start for grievance in grievances.values() if grievance is not None}
        for trigger, pattern in triggers:
            if trigger.start not in protested:
                yield from self.roles.of(pattern, trigger, mentions, self.recent, grievances[trigger.start])

    def _grievance(self, trigger: Span, pattern: Pattern, triggers: list[tuple[Span, Pattern]]) -> Span | None:
        """The first trigger of one of the pattern's grievances close after ``trigger`` in its clause, if any."""
        gap = settings().grammar["grievance_gap"]
        return next(
            (
                other
                for other, kind in triggers
                if kind.id in pattern.grievances
                and 0 <= other.start - trigger.end <= gap
                and self.text.same_quote(other, trigger)
            ),
            None,
        )

    def _triggers(self, sentence: Span) -> list[tuple[Span, Pattern]]:
        """The sentence's event words whose pattern's required words it has; the longest where they overlap."""
        words = {token.lower_ for token in sentence}
        spans = [
            span
            for key, span in self.text.within("events", sentence)
            if not self.patterns[key].requires or words & set(self.patterns[key].requires)
        ]
        return [(span, self.patterns[span.label_]) for span in sorted(longest(spans), key=lambda s: s.start)]

    # -- dates ------------------------------------------------------------------------------
    def _dates(self, sentence: Span) -> Dated:
        """The sentence's date expressions that read as dates; each becomes the base of the next relative one."""
        read = []
        for span in sorted(longest([span for _, span in self.text.within("dates", sentence)]), key=lambda s: s.start):
            resolved = self._resolve(span)
            if resolved is not None:
                read.append((span, resolved))
                self.previous = resolved
        return read

    def _resolve(self, span: Span) -> ResolvedDate | None:
        """One date expression against the publication date and the date read before it."""
        previous = self.previous.date if self.previous is not None else None
        try:
            return resolve(span.text, self.lang, self.article.published, previous)
        except MissingPublicationDate as missing:
            raise InputError(
                f"has a relative date ('{missing.expression}', character {span.start_char}) and no publication date; "
                "expected a leading 'date YYYY-MM-DD' line or --published YYYY-MM-DD",
                path=self.article.path,
            ) from None

    def _date_of(self, found: Found, dates: Dated) -> ResolvedDate | None:
        """The sentence's date expression nearest the target named after the trigger, else nearest the trigger.

        ('expelled the French in 2023 and MINUSMA in 2024': each target its date; 'renversé vendredi
        le président ... depuis le putsch du 24 janvier': each trigger its date.)
        """
        after = found.pattern.roles in ("active", "swapped") and found.target.start > found.trigger.start
        anchor = found.target if after else found.trigger
        # on a tie the date after wins: 'the French in 2023 and MINUSMA in 2024'
        return (
            min(dates, key=lambda pair: (_distance(pair[0], anchor), pair[0].start < anchor.start))[1]
            if dates
            else None
        )

    def _context_date(self, before: list[Dated], after: list[Dated]) -> ResolvedDate:
        """The date of a sentence that has none, to the month at best, from the dates read around it."""
        published = self.article.published
        known = _news_date(published, after) if published is not None else _read_date(before, after)
        if known is None:
            raise InputError(
                "has no publication date and no dated sentence, so its events cannot be dated; "
                "expected a leading 'date YYYY-MM-DD' line or --published YYYY-MM-DD",
                path=self.article.path,
            )
        precision = coarsest(known.precision, "month")
        return ResolvedDate(period_start(known.date, precision), precision, True, CONTEXT)

    # -- coding -----------------------------------------------------------------------------
    def _event_type(self, found: Found, sentence: Span) -> str:
        """The pattern's event type, or the one it codes for this kind of target or for words of the sentence."""
        pattern = found.pattern
        target_kind = "civilians" if found.target.civilian else self.kinds.get(found.target.actor)
        kind = pattern.by_target.get(target_kind or "", pattern.event_type)
        words = {token.lower_ for token in sentence}
        for other, cue_words in pattern.when_sentence_has.items():
            if words & set(cue_words):
                kind = other
        return kind

    def _add(self, found: Found, kind: str, sentence: Span, date: ResolvedDate, mentions: list[Mention]) -> None:
        """The event as an Event row, with where it was read and how sure the reading is."""
        confidence = self._confidence(found, date)
        self._note_unmatched(found)
        location, country = self._location(sentence, mentions)
        row = {
            "event_id": "C000",
            "source": found.source.actor,
            "target": found.target.actor,
            "event_type": kind,
            "location": location,
            "country": country,
            "origin": "extracted",
            **self._provenance(found, sentence),
            **self._magnitude(kind, sentence),
            "date": date.date,
            "date_precision": date.precision,
            "date_inferred": date.inferred,
            "confidence": round(confidence, 3),
        }
        self.events.append(Event.model_validate(row))

    def _provenance(self, found: Found, sentence: Span) -> dict[str, str]:
        """Where the event was read: file, rule, the sentence and its character span, the actors' names as written."""
        words = _trimmed(sentence)
        return {
            "source_file": self.article.path.name,
            "rule": f"{self.lang}.{found.pattern.id}",
            "span": f"{words.start_char}-{words.end_char}",
            "evidence": words.text,
            "source_name": found.source.text,
            "target_name": found.target.text,
        }

    def _note_unmatched(self, found: Found) -> None:
        """The names of the event's actors that no catalogue actor matched: candidate new actors, by file."""
        for mention in (found.source, found.target):
            if mention.actor == UNMATCHED:
                self.new_actors.setdefault(mention.text, []).append(self.article.path.name)

    @staticmethod
    def _confidence(found: Found, date: ResolvedDate) -> float:
        """The pattern's confidence, lowered for a role or date from the context and for each unknown actor."""
        factors = settings().confidence
        confidence = found.pattern.confidence
        confidence *= factors["role_from_context"] if found.from_context else 1.0
        confidence *= factors["date_from_context"] if date.expression == CONTEXT else 1.0
        for mention in (found.source, found.target):
            if mention.actor == UNMATCHED:
                confidence *= factors["unmatched_actor"]
        return confidence

    def _location(self, sentence: Span, mentions: list[Mention]) -> tuple[str | None, str | None]:
        """Where the event happened: the first catalogue place or named location after a locative word ('in', 'à')."""
        return self._catalogue_location(mentions) or self._named_location(sentence, mentions)

    def _catalogue_location(self, mentions: list[Mention]) -> tuple[str, str | None] | None:
        """A catalogue place or state named as where ('in Mali'), with its country."""
        for mention in mentions:
            if (
                mention.actor != UNMATCHED
                and (mention.place or self.kinds.get(mention.actor) == "state")
                and self.text.after_locative(mention)
            ):
                return mention.text, self.catalogue[mention.actor].iso3
        return None

    def _named_location(self, sentence: Span, mentions: list[Mention]) -> tuple[str | None, None]:
        """A location the catalogue does not know (NER, or a place pattern), named as where and not an actor."""
        named = [ent for ent in self.text.ents_in(sentence) if ent.label_ in settings().locations.get("ner_labels", [])]
        named += [span[1:] for _, span in self.text.within("places", sentence)]
        actors = {i for m in mentions for i in range(m.start, m.end)}
        for span in sorted(named, key=lambda span: span.start):
            if not actors & set(range(span.start, span.end)) and self.text.after_locative(
                Mention("", span.start, span.end, "")
            ):
                return span.text, None
        return None, None

    def _magnitude(self, kind: str, sentence: Span) -> dict[str, Any]:
        """Deaths or a count of people where the sentence states a number of people."""
        magnitude = event_types()[kind].magnitude
        if magnitude not in ("fatalities", "count"):
            return {}
        people = set(settings().people[self.lang])
        words = settings().numbers[self.lang]
        tokens = list(sentence)
        for i, token in enumerate(tokens):
            number = _number(token.text, words)
            noun = next((t for t in tokens[i + 1 : i + 4] if t.lower_ in people), None)
            if number is not None and noun is not None:
                if magnitude == "fatalities":
                    return {"fatalities": number}
                return {"count": number, "count_unit": noun.lower_}
        return {}


def _news_date(published: dt.date, after: list[Dated]) -> ResolvedDate:
    """With a publication date: the article's news, i.e. the next date read that is recent, else a little before.

    The next date, not the last: a lead sentence is dated further on.
    """
    grammar = settings().grammar
    recent = published - dt.timedelta(days=grammar["recent_days"])
    later = (d for sentence in after for _, d in sentence if recent <= d.date <= published)
    lag = dt.timedelta(days=grammar["context_lag_days"])
    return next(later, None) or ResolvedDate(published - lag, "day", True, CONTEXT)


def _read_date(before: list[Dated], after: list[Dated]) -> ResolvedDate | None:
    """Without a publication date: the last date read, else the first one further on."""
    earlier = (d for sentence in reversed(before) for _, d in reversed(sentence))
    return next(earlier, None) or next((d for sentence in after for _, d in sentence), None)


def _sentences(doc: Doc) -> Iterable[Span]:
    """The doc's sentences, also cut at paragraph breaks (a heading is not part of the next sentence)."""
    for sentence in doc.sents:
        start = sentence.start
        for token in sentence:
            if token.is_space and "\n" in token.text:
                if token.i > start:
                    yield doc[start : token.i]
                start = token.i + 1
        if start < sentence.end:
            yield doc[start : sentence.end]


def _trimmed(sentence: Span) -> Span:
    """The sentence without leading or trailing white space (a blanked date marker, line breaks)."""
    tokens = [token.i for token in sentence if not token.is_space]
    return sentence.doc[tokens[0] : tokens[-1] + 1] if tokens else sentence


def _distance(first: Span | Mention, second: Span | Mention) -> int:
    """Words between two stretches of text (0 when they touch or overlap)."""
    return max(first.start - second.end, second.start - first.end, 0)


def _number(text: str, words: dict[str, int]) -> int | None:
    """A number written in digits ('1,200') or as a word of the language ('douze')."""
    plain = text.replace(",", "").replace("\u202f", "").replace("\u00a0", "")
    if plain.isdigit():
        return int(plain)
    return words.get(text.lower())


def _unique(events: list[Event]) -> list[Event]:
    """One row per event of an article: the same pair, type and date read twice is kept once."""
    seen: set[tuple] = set()
    out = []
    for event in events:
        key = (
            event.source,
            event.target,
            event.source_name if event.source == UNMATCHED else "",
            event.target_name if event.target == UNMATCHED else "",
            event.event_type,
            event.date,
            event.date_precision,
        )
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out
