"""Documents to events: candidate events in the ``Event`` schema from English and French news text.

The pipeline reads an article sentence by sentence with spaCy (French: ``fr_core_news_sm``;
English: a blank pipeline with lookup lemmas from ``spacy-lookups-data``). An entity ruler fed
from the actor catalogue marks the actors (aliases, demonyms, places, leaders), a Matcher fed
from ``sim/data/extraction_patterns.yaml`` marks the words that make an event, and another
from ``sim/data/date_forms.yaml`` the dates, read by :mod:`sim.documents.dates`. Word order gives the
roles (the actor before the trigger acts on the one after it; an agent cue such as "by" turns
it round). Named organisations that the catalogue does not know become candidate new actors
(``sim.core.actors.UNMATCHED``, their name in ``source_name`` / ``target_name``). Every row keeps its
provenance: file, sentence, character span, the rule that fired and a confidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import pandas as pd
import spacy
from spacy.language import Language
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP_WORDS
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from sim.core.actors import UNMATCHED, Catalogue, load_catalogue
from sim.documents.articles import Article
from sim.documents.dates import MissingPublicationDate, ResolvedDate, coarsest, date_forms, period_start, resolve
from sim.core.errors import InputError
from sim.core.events import Event, event_types, events_to_frame
from sim.documents.patterns import LANGUAGES, Language_, Pattern, TokenPatterns, patterns, settings

FRENCH_MODEL = "fr_core_news_sm"
CONTEXT = "(context)"  # the expression of a date taken from the sentences around


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


@dataclass
class Extraction:
    """Candidate events of one or more articles, and the names that matched no catalogue actor."""

    events: list[Event] = field(default_factory=list)
    new_actors: dict[str, list[str]] = field(default_factory=dict)  # name -> files

    def frame(self) -> pd.DataFrame:
        return events_to_frame(self.events)


class Extractor:
    """The loaded pipelines and matchers; build once (``load_extractor``) and reuse."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.kinds = {actor.id: actor.kind for actor in catalogue.actors}
        # French sentences come from the dependency parser: the faster 'senter' cuts names like 'Paul-Henri Damiba'
        self.nlp = {"en": _english(), "fr": spacy.load(FRENCH_MODEL)}
        self.events: dict[str, Matcher] = {}
        self.dates: dict[str, Matcher] = {}
        self.names: dict[str, Matcher] = {}
        self.places: dict[str, Matcher] = {}
        for lang, nlp in self.nlp.items():
            _add_actor_ruler(nlp, catalogue, lang)
            self.events[lang] = _matcher(nlp, {p.id: getattr(p, lang) for p in patterns()})
            self.dates[lang] = _matcher(nlp, {"date": date_forms().spans.get(lang, [])})
            self.names[lang] = _matcher(nlp, {"name": settings().unmatched["patterns"].get(lang, [])})
            self.places[lang] = _matcher(nlp, {"place": settings().locations.get(lang, [])})
        self.patterns = {pattern.id: pattern for pattern in patterns()}

    def language(self, article: Article) -> Language_:
        """The article's language from the share of English and French stop words among its words."""
        words = [token.lower_ for token in self.nlp["en"].tokenizer(article.body) if token.is_alpha]
        shares = {
            "en": sum(word in EN_STOP_WORDS for word in words) / max(len(words), 1),
            "fr": sum(word in FR_STOP_WORDS for word in words) / max(len(words), 1),
        }
        lang = max(LANGUAGES, key=lambda name: shares[name])
        if shares[lang] < settings().languages["min_stop_word_share"]:
            raise InputError(
                f"does not read as English or French (stop words: {shares['en']:.0%} English, {shares['fr']:.0%} French); "
                "expected a news article in English or French (or give --lang)",
                path=article.path,
            )
        return lang

    def extract(self, article: Article, lang: Language_ | None = None) -> Extraction:
        """The candidate events of one article, in text order, each event once."""
        lang = lang or self.language(article)
        doc = self.nlp[lang](article.body)
        reader = _ArticleReader(self, article, lang, doc)
        return reader.read()


@lru_cache(maxsize=1)
def load_extractor() -> Extractor:
    """The extractor, built once per process (loading spaCy pipelines takes seconds)."""
    return Extractor(load_catalogue())


def extract_articles(articles: Sequence[Article], lang: str = "auto") -> Extraction:
    """Candidate events of several articles, with ids C001, C002, ... in the order given."""
    if lang not in ("auto", *LANGUAGES):
        raise InputError(f"unknown language {lang!r}; expected auto, en or fr", field="--lang")
    extractor = load_extractor()
    result = Extraction()
    for article in articles:
        one = extractor.extract(article, None if lang == "auto" else lang)
        for event in one.events:
            result.events.append(event.model_copy(update={"event_id": f"C{len(result.events) + 1:03d}"}))
        for name, files in one.new_actors.items():
            result.new_actors.setdefault(name, []).extend(files)
    return result


def _english() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data (installed, not downloaded)
    return nlp


def _add_actor_ruler(nlp: Language, catalogue: Catalogue, lang: str) -> None:
    """An entity ruler whose patterns are the catalogue's names of each actor (label ACTOR, DEMONYM or PLACE)."""
    rules = []
    for actor in catalogue.actors:
        names = [*getattr(actor.aliases, lang), *actor.leaders]
        for label, group in (("ACTOR", names), ("DEMONYM", getattr(actor.demonyms, lang)), ("PLACE", actor.places)):
            rules += [{"label": label, "pattern": name, "id": actor.id} for name in group]
    before = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe("entity_ruler", name="actor_ruler", config={"phrase_matcher_attr": "LOWER"}, **before)
    ruler.add_patterns(rules)


def _matcher(nlp: Language, groups: dict[str, TokenPatterns]) -> Matcher:
    matcher = Matcher(nlp.vocab)
    for key, token_patterns in groups.items():
        if token_patterns:
            matcher.add(key, token_patterns)
    return matcher


@dataclass
class _Found:
    """One event found in a sentence, before it becomes an Event row."""

    pattern: Pattern
    trigger: Span
    source: Mention
    target: Mention
    from_context: bool


class _ArticleReader:
    """Reads one article's sentences in order, keeping the last date and the actors met so far."""

    def __init__(self, extractor: Extractor, article: Article, lang: Language_, doc: Doc) -> None:
        self.x = extractor
        self.article = article
        self.lang = lang
        self.doc = doc
        self.cues = settings().cues[lang]
        self.gap = settings().grammar
        self.previous: ResolvedDate | None = None
        self.recent: list[Mention] = []
        self.result = Extraction()
        self.ents = list(doc.ents)
        self.found = {
            name: _matches(matchers[lang], doc)
            for name, matchers in (
                ("events", extractor.events),
                ("dates", extractor.dates),
                ("names", extractor.names),
                ("places", extractor.places),
            )
        }

    def read(self) -> Extraction:
        sentences = list(_sentences(self.doc))
        dated = [self._dates(sentence) for sentence in sentences]  # in order: 'the following day' needs the one before
        for i, sentence in enumerate(sentences):
            self._sentence(sentence, dated[i], lambda i=i: self._context_date(dated[:i], dated[i + 1 :]))
        self.result.events = _unique(self.result.events)
        return self.result

    # -- one sentence ---------------------------------------------------------------------
    def _sentence(
        self, sentence: Span, dates: list[tuple[Span, ResolvedDate]], context: Callable[[], ResolvedDate]
    ) -> None:
        mentions = self._mentions(sentence)
        seen: set[tuple] = set()
        for trigger, pattern in self._triggers(sentence):
            for found in self._roles(pattern, trigger, sentence, mentions):
                kind = self._event_type(found, sentence)
                date = self._date_of(found, dates) or context()
                key = (*sorted((found.source.actor, found.target.actor)), event_types()[kind].family, date)
                if found.source.actor == UNMATCHED and found.target.actor == UNMATCHED or key in seen:
                    continue
                seen.add(key)
                self._add(found, kind, sentence, date, mentions)
        if mentions:
            self.recent = mentions

    def _mentions(self, sentence: Span) -> list[Mention]:
        found = [
            Mention(
                ent.ent_id_, ent.start, ent.end, ent.text, place=ent.label_ == "PLACE", demonym=ent.label_ == "DEMONYM"
            )
            for ent in self._ents(sentence)
            if ent.label_ in ("ACTOR", "DEMONYM", "PLACE")
        ]
        taken = {i for mention in found for i in range(mention.start, mention.end)}
        for span in self._unmatched(sentence):
            if not taken & set(range(span.start, span.end)):
                found.append(Mention(UNMATCHED, span.start, span.end, span.text))
        found.sort(key=lambda mention: mention.start)
        return self._drop_qualifiers(self._merge(self._civilians(found)))

    def _unmatched(self, sentence: Span) -> list[Span]:
        """Named organisations the catalogue does not know (NER in French, token patterns in English)."""
        ignore = {name.lower() for name in settings().unmatched["ignore"]}
        spans = [ent for ent in self._ents(sentence) if ent.label_ in settings().unmatched["ner_labels"]]
        spans += [span for _, span in self._within("names", sentence)]
        return [span for span in filter_spans(spans) if span.text.lower() not in ignore]

    def _civilians(self, mentions: list[Mention]) -> list[Mention]:
        """'Mauritanian civilians', 'civils maliens': the civilians of a state, coded as that state."""
        people = set(settings().people[self.lang])
        out: list[Mention] = []
        for mention in mentions:
            pair = [out[-1], mention] if out else []
            if (
                pair
                and self._adjacent(*pair, 1)
                and {self.x.kinds.get(m.actor) for m in pair} == {"civilians", "state"}
                and any(m.demonym for m in pair)
            ):
                state = next(m for m in pair if m.demonym)
                out[-1] = replace(
                    state,
                    start=pair[0].start,
                    end=pair[1].end,
                    text=self.doc[pair[0].start : pair[1].end].text,
                    civilian=True,
                )
            elif mention.demonym and self._noun_beside(mention) in people:
                civilian = (
                    self.x.kinds.get(mention.actor) == "state" and self._noun_beside(mention) in self.cues.nationals
                )
                out.append(replace(mention, civilian=civilian))
            else:
                out.append(mention)
        return out

    def _noun_beside(self, mention: Mention) -> str:
        """The word a demonym qualifies: after it in English ('Malian nationals'), before it in French ('civils maliens')."""
        i = mention.end if self.lang == "en" else mention.start - 1
        return self.doc[i].lower_ if 0 <= i < len(self.doc) else ""

    def _merge(self, mentions: list[Mention]) -> list[Mention]:
        """Consecutive names of one actor ('the peacekeepers of MINUSMA') are one mention."""
        out: list[Mention] = []
        for mention in mentions:
            if out and out[-1].actor == mention.actor != UNMATCHED and self._titles_between(out[-1], mention):
                out[-1] = replace(
                    out[-1],
                    end=mention.end,
                    text=self.doc[out[-1].start : mention.end].text,
                    place=out[-1].place and mention.place,
                )
            else:
                out.append(mention)
        return out

    def _titles_between(self, first: Mention, second: Mention) -> bool:
        """Close, with only titles and commas between ('Niger, General Tchiani'): one name."""
        between = self.doc[first.end : second.start]
        return self._adjacent(first, second, self.gap["merge_gap"]) and all(
            t.is_title or t.text == "," for t in between
        )

    def _drop_qualifiers(self, mentions: list[Mention]) -> list[Mention]:
        """'Moscow's Africa Corps', 'the Russian contractors of Africa Corps': the patron only qualifies its client."""
        keep: list[Mention] = []
        qualifier: Mention | None = None
        for i, mention in enumerate(mentions):
            after = mentions[i + 1] if i + 1 < len(mentions) else None
            if qualifier is not None:
                mention = replace(mention, start=qualifier.start, text=self.doc[qualifier.start : mention.end].text)
                qualifier = None
            if after is not None and self._qualifies(mention, after):
                qualifier = mention
            else:
                keep.append(mention)
        return keep

    def _qualifies(self, mention: Mention, client: Mention) -> bool:
        """Whether ``mention`` names the patron of the force or group named right after it ('Moscow's Africa Corps')."""
        kind = self.x.kinds.get(client.actor)
        patron = kind not in (None, "state") and self.x.catalogue[client.actor].patron == mention.actor
        return patron and self._adjacent(mention, client, self.gap["role_gap"]) and not self._joined(mention, client)

    def _adjacent(self, first: Mention, second: Mention, gap: int) -> bool:
        return 0 <= second.start - first.end <= gap

    def _joined(self, first: Mention, second: Mention) -> bool:
        """Whether a conjunction, and no quotation mark or bracket, stands between two mentions ('Mali and Niger')."""
        between = [token.lower_ for token in self.doc[first.end : second.start]]
        return any(word in self.cues.conjunctions for word in between) and not any(
            word in self.cues.barriers for word in between
        )

    def _dates(self, sentence: Span) -> list[tuple[Span, ResolvedDate]]:
        spans = filter_spans([span for _, span in self._within("dates", sentence)])
        read = []
        for span in sorted(spans, key=lambda span: span.start):
            try:
                resolved = resolve(span.text, self.lang, self.article.published, self.previous and self.previous.date)
            except MissingPublicationDate as missing:
                raise InputError(
                    f"has a relative date ('{missing.expression}', character {span.start_char}) and no publication date; "
                    "expected a leading 'date YYYY-MM-DD' line or --published YYYY-MM-DD",
                    path=self.article.path,
                ) from None
            if resolved is not None:
                read.append((span, resolved))
                self.previous = resolved
        return read

    def _ents(self, sentence: Span) -> list[Span]:
        return [ent for ent in self.ents if sentence.start <= ent.start and ent.end <= sentence.end]

    def _within(self, kind: str, sentence: Span) -> list[tuple[str, Span]]:
        return [
            (key, span) for key, span in self.found[kind] if sentence.start <= span.start and span.end <= sentence.end
        ]

    def _triggers(self, sentence: Span) -> list[tuple[Span, Pattern]]:
        words = {token.lower_ for token in sentence}
        spans = []
        for key, span in self._within("events", sentence):
            pattern = self.x.patterns[key]
            if not pattern.requires or words & set(pattern.requires):
                spans.append(Span(self.doc, span.start, span.end, label=pattern.id))
        return [(span, self.x.patterns[span.label_]) for span in sorted(filter_spans(spans), key=lambda s: s.start)]

    # -- roles ------------------------------------------------------------------------------
    def _roles(self, pattern: Pattern, trigger: Span, sentence: Span, mentions: list[Mention]) -> list[_Found]:
        states = _distinct([m for m in mentions if self.x.kinds.get(m.actor) == "state"])
        if pattern.roles == "same":
            nearest = sorted(states, key=lambda m: abs(m.start - trigger.start))
            return [_Found(pattern, trigger, nearest[0], nearest[0], False)] if nearest else []
        if pattern.roles == "joint":
            partners = _distinct(
                [m for m in mentions if self.x.kinds.get(m.actor, "state") not in ("armed_group", "civilians")]
            )
            return [_Found(pattern, trigger, partners[0], other, False) for other in partners[1:2]]
        if pattern.roles in ("members", "host"):
            target = self._group_target(pattern, mentions)
            if target is not None:
                members = [m for m in states if not m.place and (m.actor != target.actor or pattern.roles == "host")]
                return [_Found(pattern, trigger, member, target, False) for member in members]
        return self._directed(pattern, trigger, mentions)

    def _group_target(self, pattern: Pattern, mentions: list[Mention]) -> Mention | None:
        if pattern.roles == "members":
            return next((m for m in mentions if self.x.kinds.get(m.actor) == pattern.target_kind), None)
        located = [m for m in mentions if m.actor != UNMATCHED and self._after_locative(m)]
        return located[0] if located else None

    def _directed(self, pattern: Pattern, trigger: Span, mentions: list[Mention]) -> list[_Found]:
        roles = [
            m
            for m in mentions
            if (pattern.located_target or not self._after_locative(m)) and self._same_quote(m, trigger)
        ]
        before = [m for m in roles if m.end <= trigger.start]
        after = [m for m in roles if m.start >= trigger.end]
        agent = self._agent(trigger, after)
        if agent is not None:
            sources, targets = self._chain(after[after.index(agent) :]), self._chain(before[::-1])
        elif self._passive(trigger):  # "soldiers were killed": those before are the target, the actor is unsaid
            sources, targets = [], self._chain(before[::-1])
        else:
            sources, targets = self._chain(before[::-1]), self._chain(after)
        if pattern.roles == "swapped":
            sources, targets = targets, sources
        if pattern.target_kind is not None:
            preferred = [m for m in mentions if self.x.kinds.get(m.actor) == pattern.target_kind and m not in sources]
            targets = preferred[:1] or targets
        if not sources and not targets:
            return []  # no actor in the trigger's clause: nothing to code
        from_context = not sources or not targets
        used = {m.actor for m in [*sources, *targets]}
        sources = sources or self._context(trigger, roles, used, source=True)
        targets = targets or self._context(trigger, mentions, used | {m.actor for m in sources}, source=False)
        return [_Found(pattern, trigger, s, t, from_context) for s in sources for t in targets if s.actor != t.actor]

    def _passive(self, trigger: Span) -> bool:
        """'were killed', 'a été tué' (but not the reflexive 's'est retirée')."""
        before = [token.lower_ for token in self.doc[max(trigger.start - 3, 0) : trigger.start]]
        return any(word in self.cues.be for word in before[-2:]) and not any(
            word in self.cues.reflexive for word in before
        )

    def _same_quote(self, mention: Mention, trigger: Span) -> bool:
        """Whether no quotation mark or reporting word ('said', 'according to') stands between a mention and the trigger."""
        low, high = (mention.end, trigger.start) if mention.end <= trigger.start else (trigger.end, mention.start)
        return not any(token.is_quote or token.lower_ in self.cues.barriers for token in self.doc[low:high])

    def _agent(self, trigger: Span, after: list[Mention]) -> Mention | None:
        """The actor after an agent cue ('killed by X', 'commises par X') close after the trigger."""
        end = min(trigger.end + self.gap["passive_window"], len(self.doc))
        for token in self.doc[trigger.end : end]:
            if token.lower_ in self.cues.passive_agent:
                return next((m for m in after if 0 <= m.start - token.i <= 3), None)
        return None

    def _chain(self, ordered: list[Mention]) -> list[Mention]:
        """The nearest mention and those joined to it by conjunctions, in the given direction."""
        if not ordered:
            return []
        chain = [ordered[0]]
        for mention in ordered[1:]:
            first, second = sorted((chain[-1], mention), key=lambda m: m.start)
            if not (self._adjacent(first, second, self.gap["role_gap"]) and self._joined(first, second)):
                break
            chain.append(mention)
        return _distinct(chain)

    def _context(self, trigger: Span, mentions: list[Mention], used: set[str], source: bool) -> list[Mention]:
        """A missing role: the nearest other actor of the sentence, else (for the actor) the last one named before.

        Civilians and places never fill a missing source; a place or actor named as where
        something happened ('in Nigerien villages', 'à Bamako') fills a missing target last.
        """

        def fits(mention: Mention) -> bool:
            if source and (mention.place or self.x.kinds.get(mention.actor) == "civilians"):
                return False
            return mention.actor not in used

        others = sorted(
            (m for m in mentions if fits(m)),
            key=lambda m: (m.actor == UNMATCHED, self._after_locative(m), abs(m.start - trigger.start)),
        )
        if others or not source:
            return others[:1]
        return [m for m in reversed(self.recent) if fits(m) and m.actor != UNMATCHED][:1]

    def _after_locative(self, mention: Mention) -> bool:
        """'in Mali', 'à Nouakchott', and for a place also 'the town of Kidal': where, not who."""
        cues = set(self.cues.locative) | (set(self.cues.genitive) if mention.place else set())
        return any(token.lower_ in cues for token in self.doc[max(mention.start - 2, 0) : mention.start])

    # -- coding ------------------------------------------------------------------------------
    def _event_type(self, found: _Found, sentence: Span) -> str:
        pattern = found.pattern
        kind = pattern.event_type
        target_kind = "civilians" if found.target.civilian else self.x.kinds.get(found.target.actor)
        kind = pattern.by_target.get(target_kind or "", kind)
        words = {token.lower_ for token in sentence}
        for other, cue_words in pattern.when_sentence_has.items():
            if words & set(cue_words):
                kind = other
        return kind

    def _date_of(self, found: _Found, dates: list[tuple[Span, ResolvedDate]]) -> ResolvedDate | None:
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

    def _add(self, found: _Found, kind: str, sentence: Span, date: ResolvedDate, mentions: list[Mention]) -> None:
        factors = settings().confidence
        confidence = found.pattern.confidence
        confidence *= factors["role_from_context"] if found.from_context else 1.0
        confidence *= factors["date_from_context"] if date.expression == CONTEXT else 1.0
        names = {}
        for role, mention in (("source", found.source), ("target", found.target)):
            names[f"{role}_name"] = mention.text
            if mention.actor == UNMATCHED:
                confidence *= factors["unmatched_actor"]
                self.result.new_actors.setdefault(mention.text, []).append(self.article.path.name)
        location, country = self._location(sentence, mentions)
        words = _trimmed(sentence)
        row = {
            "event_id": "C000",
            "source": found.source.actor,
            "target": found.target.actor,
            "event_type": kind,
            "location": location,
            "country": country,
            "origin": "extracted",
            "source_file": self.article.path.name,
            "rule": f"{self.lang}.{found.pattern.id}",
            "span": f"{words.start_char}-{words.end_char}",
            "evidence": words.text,
            **names,
            **self._magnitude(kind, sentence),
            "date": date.date,
            "date_precision": date.precision,
            "date_inferred": date.inferred,
            "confidence": round(confidence, 3),
        }
        self.result.events.append(Event.model_validate(row))

    def _context_date(
        self, before: list[list[tuple[Span, ResolvedDate]]], after: list[list[tuple[Span, ResolvedDate]]]
    ) -> ResolvedDate:
        """The date of a sentence that has none, to the month at best.

        With a publication date: the article's news, i.e. the next date read that is recent
        (a lead sentence is dated further on), else a little before publication. Without one:
        the last date read, else the first one further on.
        """
        published = self.article.published
        grammar = settings().grammar
        if published is not None:
            recent = published - dt.timedelta(days=grammar["recent_days"])
            later = (d for sentence in after for _, d in sentence if recent <= d.date <= published)
            known = next(later, None) or ResolvedDate(
                published - dt.timedelta(days=grammar["context_lag_days"]), "day", True, CONTEXT
            )
        else:
            earlier = (d for sentence in reversed(before) for _, d in reversed(sentence))
            known = next(earlier, None) or next((d for sentence in after for _, d in sentence), None)
        if known is None:
            raise InputError(
                "has no publication date and no dated sentence, so its events cannot be dated; "
                "expected a leading 'date YYYY-MM-DD' line or --published YYYY-MM-DD",
                path=self.article.path,
            )
        precision = coarsest(known.precision, "month")
        return ResolvedDate(period_start(known.date, precision), precision, True, CONTEXT)

    def _location(self, sentence: Span, mentions: list[Mention]) -> tuple[str | None, str | None]:
        """The first catalogue place or named location after a locative word ('in', 'à')."""
        for mention in mentions:
            if (
                mention.actor != UNMATCHED
                and (mention.place or self.x.kinds.get(mention.actor) == "state")
                and self._after_locative(mention)
            ):
                return mention.text, self.x.catalogue[mention.actor].iso3
        named = [ent for ent in self._ents(sentence) if ent.label_ in settings().locations.get("ner_labels", [])]
        named += [span[1:] for _, span in self._within("places", sentence)]
        actors = {i for m in mentions for i in range(m.start, m.end)}
        for span in sorted(named, key=lambda span: span.start):
            if not actors & set(range(span.start, span.end)) and self._after_locative(
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


def _matches(matcher: Matcher, doc: Doc) -> list[tuple[str, Span]]:
    """A matcher's matches in a doc, as (key, span)."""
    if len(matcher) == 0:
        return []
    strings = doc.vocab.strings
    return [(strings[key], doc[start:end]) for key, start, end in matcher(doc)]


def _number(text: str, words: dict[str, int]) -> int | None:
    plain = text.replace(",", "").replace("\u202f", "").replace("\u00a0", "")
    if plain.isdigit():
        return int(plain)
    return words.get(text.lower())


def _distinct(mentions: Iterable[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out = []
    for mention in mentions:
        key = mention.text.lower() if mention.actor == UNMATCHED else mention.actor
        if key not in seen:
            seen.add(key)
            out.append(mention)
    return out


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
