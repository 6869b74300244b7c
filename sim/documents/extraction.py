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

This module builds the pipelines (spaCy is imported by the functions that build them, so the
documents layer imports without it); :mod:`sim.documents.reader` reads each article, with the
mentions of :mod:`sim.documents.mentions` and the roles of :mod:`sim.documents.roles`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import pandas as pd

from sim.core.actors import Catalogue, load_catalogue
from sim.core.errors import InputError
from sim.core.events import Event, events_to_frame
from sim.documents.articles import Article, pieces
from sim.documents.dates import date_forms
from sim.documents.patterns import LANGUAGES, Language_, TokenPatterns, patterns, settings
from sim.documents.reader import ArticleReader

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.pipeline import EntityRuler
    from spacy.tokens import Doc

FRENCH_MODEL = "fr_core_news_sm"


@dataclass
class Extraction:
    """Candidate events of one or more articles, and the names that matched no catalogue actor."""

    events: list[Event] = field(default_factory=list)
    new_actors: dict[str, list[str]] = field(default_factory=dict)  # name -> files

    def frame(self) -> pd.DataFrame:
        """The candidates as an event table (the columns of the Event schema)."""
        return events_to_frame(self.events)


class Extractor:
    """The loaded pipelines and matchers; build once (``load_extractor``) and reuse."""

    def __init__(self, catalogue: Catalogue) -> None:
        """Load both languages' pipelines, each with the catalogue's actor names and its matchers."""
        self.catalogue = catalogue
        self.nlp = {"en": _english(), "fr": _french()}
        self.matchers: dict[str, dict[str, Matcher]] = {}
        for lang, nlp in self.nlp.items():
            _add_actor_ruler(nlp, catalogue, lang)
            self.matchers[lang] = _matchers(nlp, lang)

    def language(self, article: Article) -> Language_:
        """The article's language from the share of English and French stop words among its words."""
        words = [token.lower_ for token in self.nlp["en"].tokenizer(article.body) if token.is_alpha]
        shares = {
            lang: sum(word in self.nlp[lang].Defaults.stop_words for word in words) / max(len(words), 1)
            for lang in LANGUAGES
        }
        lang = max(LANGUAGES, key=lambda name: shares[name])
        if shares[lang] < settings().languages["min_stop_word_share"]:
            raise InputError(
                f"does not read as English or French (stop words: {shares['en']:.0%} English, "
                f"{shares['fr']:.0%} French); "
                "expected a news article in English or French (or give --lang)",
                path=article.path,
            )
        return lang

    def extract(self, article: Article, lang: Language_ | None = None) -> Extraction:
        """The candidate events of one article, in text order, each event once."""
        lang = lang or self.language(article)
        doc = self._parse(article, lang)
        events, new_actors = ArticleReader(article, lang, doc, self.matchers[lang], self.catalogue).read()
        return Extraction(events, new_actors)

    def _parse(self, article: Article, lang: Language_) -> Doc:
        """The article's body as one doc, a long one read in pieces cut at line breaks and joined.

        The joined doc has the body's text, so character offsets, the dates read in order and
        the actors of the sentence before are as if it had been read whole.
        """
        from spacy.tokens import Doc

        nlp = self.nlp[lang]
        parts = pieces(article, settings().reading["piece_chars"], nlp.max_length)
        if len(parts) == 1:
            return nlp(parts[0])
        return Doc.from_docs(list(nlp.pipe(parts)), ensure_whitespace=False)


@lru_cache(maxsize=1)
def load_extractor() -> Extractor:
    """The extractor, built once per process (loading spaCy pipelines takes seconds)."""
    return Extractor(load_catalogue())


def extract_articles(articles: Sequence[Article], lang: str = "auto") -> Extraction:
    """Candidate events of several articles, with ids C001, C002, ... in the order given."""
    chosen: dict[str, Language_ | None] = {"auto": None, **{code: code for code in LANGUAGES}}
    if lang not in chosen:
        raise InputError(f"unknown language {lang!r}; expected auto, en or fr", field="--lang")
    extractor = load_extractor()
    result = Extraction()
    for article in articles:
        one = extractor.extract(article, chosen[lang])
        for event in one.events:
            result.events.append(event.model_copy(update={"event_id": f"C{len(result.events) + 1:03d}"}))
        for name, files in one.new_actors.items():
            result.new_actors.setdefault(name, []).extend(files)
    return result


def _english() -> Language:
    """A blank English pipeline: sentences by punctuation, lemmas from lookup tables."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data (installed, not downloaded)
    return nlp


def _french() -> Language:
    """The French model, its sentences from the dependency parser.

    Not the faster 'senter': it cuts names like 'Paul-Henri Damiba'.
    """
    import spacy

    return spacy.load(FRENCH_MODEL)


def _add_actor_ruler(nlp: Language, catalogue: Catalogue, lang: str) -> None:
    """An entity ruler whose patterns are the catalogue's names of each actor (label ACTOR, DEMONYM or PLACE)."""
    rules = []
    for actor in catalogue.actors:
        names = [*getattr(actor.aliases, lang), *actor.leaders]
        for label, group in (("ACTOR", names), ("DEMONYM", getattr(actor.demonyms, lang)), ("PLACE", actor.places)):
            rules += [{"label": label, "pattern": name, "id": actor.id} for name in group]
    pipe = nlp.add_pipe(
        "entity_ruler",
        name="actor_ruler",
        config={"phrase_matcher_attr": "LOWER"},
        before="ner" if "ner" in nlp.pipe_names else None,
    )
    ruler = cast("EntityRuler", pipe)  # add_pipe is typed as returning any pipe; this factory makes an EntityRuler
    ruler.add_patterns(rules)


def _matchers(nlp: Language, lang: str) -> dict[str, Matcher]:
    """The matchers run over every doc, named by what they find: event words, dates, unknown names, places."""
    return {
        "events": _matcher(nlp, {pattern.id: getattr(pattern, lang) for pattern in patterns()}),
        "dates": _matcher(nlp, {"date": date_forms().spans.get(lang, [])}),
        "names": _matcher(nlp, {"name": settings().unmatched["patterns"].get(lang, [])}),
        "places": _matcher(nlp, {"place": settings().locations.get(lang, [])}),
    }


def _matcher(nlp: Language, groups: dict[str, TokenPatterns]) -> Matcher:
    """A token matcher with a key per group of patterns (empty groups left out)."""
    from spacy.matcher import Matcher

    matcher = Matcher(nlp.vocab)
    for key, token_patterns in groups.items():
        if token_patterns:
            matcher.add(key, token_patterns)
    return matcher
