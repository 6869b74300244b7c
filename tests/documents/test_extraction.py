"""Extraction of candidate events from English and French text: patterns, actors, dates, provenance.

The sentences below are written for these tests (not taken from the seed articles).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sim.core.actors import UNMATCHED
from sim.core.errors import InputError
from sim.core.events import load_events
from sim.documents.articles import read_article
from sim.documents.extraction import Extraction, extract_articles, load_extractor
from sim.documents.patterns import patterns
from tests.conftest import ROOT, SEEDS

PUBLISHED = dt.date(2024, 6, 12)  # a Wednesday


@pytest.fixture(scope="session")
def extractor():
    """The spaCy pipelines, loaded once for the whole test session."""
    return load_extractor()


def extract(tmp_path: Path, text: str, lang: str = "auto", published: dt.date | None = PUBLISHED) -> Extraction:
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    return extract_articles([read_article(path, published)], lang)


def coded(result: Extraction) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.event_type) for e in result.events}


FAMILIES = {
    "summon": [
        ("en", "On Monday, Algeria summoned the Malian ambassador.", ("algeria", "mali", "summon_ambassador")),
        ("fr", "Lundi, l'Algérie a convoqué l'ambassadeur du Mali.", ("algeria", "mali", "summon_ambassador")),
    ],
    "recall": [
        (
            "en",
            "Mauritania recalled its ambassador from Bamako on Tuesday.",
            ("mauritania", "mali", "recall_ambassador"),
        ),
        ("fr", "Le Mali a rappelé son ambassadeur en Algérie.", ("mali", "algeria", "recall_ambassador")),
    ],
    "restore": [
        ("en", "The Algerian ambassador returned to Bamako on Friday.", ("algeria", "mali", "restore_ambassador")),
        (
            "fr",
            "L'ambassadeur de Mauritanie a repris ses fonctions à Bamako.",
            ("mauritania", "mali", "restore_ambassador"),
        ),
    ],
    "expel": [
        ("en", "Niger expelled the French troops in 2023.", ("niger", "france", "expulsion")),
        ("fr", "Le Niger a expulsé les soldats français en 2023.", ("niger", "france", "expulsion")),
    ],
    "withdraw": [
        ("en", "MINUSMA withdrew from Mali in December.", ("minusma", "mali", "withdrawal")),
        ("fr", "La MINUSMA s'est retirée du Mali en décembre.", ("minusma", "mali", "withdrawal")),
    ],
    "coup": [
        ("en", "Soldiers seized power in Niger on Wednesday.", ("niger", "niger", "coup")),
        ("fr", "Des militaires ont renversé mercredi le président du Niger.", ("niger", "niger", "coup")),
    ],
    "accuse": [
        ("en", "Mali accused Algeria of harbouring the rebels.", ("mali", "algeria", "accusation")),
        ("fr", "Le Mali accuse l'Algérie d'ingérence.", ("mali", "algeria", "accusation")),
    ],
    "kidnap": [
        ("en", "AQIM fighters kidnapped four Nigerien nationals near Arlit.", ("jnim_aqim", "niger", "kidnapping")),
        ("fr", "Des djihadistes ont enlevé trois ressortissants nigériens.", ("jnim_aqim", "niger", "kidnapping")),
    ],
    "kill": [
        ("en", "Jihadists killed 12 Burkinabe soldiers on Sunday.", ("jnim_aqim", "burkina_faso", "attack")),
        ("fr", "Des djihadistes ont tué quinze soldats burkinabè dimanche.", ("jnim_aqim", "burkina_faso", "attack")),
    ],
    "operation": [
        (
            "en",
            "The Malian army launched an offensive against JNIM.",
            ("mali", "jnim_aqim", "counterinsurgency_operation"),
        ),
        (
            "fr",
            "L'armée malienne a lancé une offensive contre le JNIM.",
            ("mali", "jnim_aqim", "counterinsurgency_operation"),
        ),
    ],
    "joint_patrol": [
        ("en", "Mali and Niger began joint patrols on Monday.", ("mali", "niger", "joint_patrol")),
        (
            "fr",
            "Le Mali et la Mauritanie ont lancé des patrouilles conjointes.",
            ("mali", "mauritania", "joint_patrol"),
        ),
    ],
    "joint_operation": [
        (
            "en",
            "Burkinabe forces conducted a joint operation with the Nigerien army.",
            ("burkina_faso", "niger", "joint_operation"),
        ),
        (
            "fr",
            "Les soldats maliens et burkinabè ont mené une opération conjointe.",
            ("mali", "burkina_faso", "joint_operation"),
        ),
    ],
    "alliance": [
        (
            "en",
            "Mali, Niger and Burkina Faso signed a charter to form the Alliance of Sahel States.",
            ("niger", "aes", "alliance_formation"),
        ),
        (
            "fr",
            "Le Mali, le Burkina Faso et le Niger ont signé la charte de l'Alliance des États du Sahel.",
            ("burkina_faso", "aes", "alliance_formation"),
        ),
    ],
    "meet": [
        ("en", "The army chiefs of Mali and Niger met in Niamey.", ("mali", "niger", "meeting")),
        ("fr", "Les chefs d'état-major du Mali et du Niger se sont réunis à Niamey.", ("mali", "niger", "meeting")),
    ],
    "visit": [
        ("en", "The Russian foreign minister visited Bamako on Tuesday.", ("russia", "mali", "visit")),
        ("fr", "Le ministre russe des Affaires étrangères s'est rendu à Bamako.", ("russia", "mali", "visit")),
    ],
    "receive": [
        ("en", "Assimi Goita received the Algerian foreign minister.", ("algeria", "mali", "visit")),
        ("fr", "Assimi Goïta a reçu le ministre algérien des Affaires étrangères.", ("algeria", "mali", "visit")),
    ],
    "delegation": [
        ("en", "Niamey sent a delegation to Algiers.", ("niger", "algeria", "delegation")),
        ("fr", "Niamey a envoyé une délégation à Alger.", ("niger", "algeria", "delegation")),
    ],
    "talks": [
        ("en", "Lavrov held talks with Abdoulaye Diop by phone.", ("russia", "mali", "talks")),
        ("fr", "Sergueï Lavrov s'est entretenu avec Abdoulaye Diop.", ("russia", "mali", "talks")),
    ],
    "pledge": [
        ("en", "Russia pledged support to Burkina Faso.", ("russia", "burkina_faso", "pledge_support")),
        ("fr", "La Russie a promis son soutien au Burkina Faso.", ("russia", "burkina_faso", "pledge_support")),
    ],
    "praise": [
        ("en", "Mali praised Russia for its help.", ("mali", "russia", "praise")),
        ("fr", "Le Mali a salué la Russie pour son aide.", ("mali", "russia", "praise")),
    ],
    "release": [
        ("en", "Mali released four prisoners of AQIM.", ("mali", "jnim_aqim", "release_detainees")),
        ("fr", "Le Mali a libéré quatre prisonniers d'AQMI.", ("mali", "jnim_aqim", "release_detainees")),
    ],
    "aid": [
        (
            "en",
            "Mauritanian soldiers distributed food and medicine to villagers.",
            ("mauritania", "civilians", "provide_aid"),
        ),
        (
            "fr",
            "Les soldats mauritaniens ont distribué des vivres aux villageois.",
            ("mauritania", "civilians", "provide_aid"),
        ),
    ],
    "sign": [
        ("en", "Mali and Russia signed a defence agreement.", ("mali", "russia", "sign_agreement")),
        ("fr", "Le Mali et la Russie ont signé un accord de défense.", ("mali", "russia", "sign_agreement")),
    ],
}


def test_every_pattern_family_has_a_case_in_both_languages():
    assert set(FAMILIES) == {pattern.id for pattern in patterns()}
    for cases in FAMILIES.values():
        assert {lang for lang, _, _ in cases} == {"en", "fr"}


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [case for cases in FAMILIES.values() for case in cases],
    ids=[f"{family}-{lang}" for family, cases in FAMILIES.items() for lang, _, _ in cases],
)
def test_pattern_family_codes_the_event(extractor, tmp_path, lang, text, expected):
    result = extract(tmp_path, text, lang)
    assert expected in coded(result)
    assert all(event.rule.startswith(f"{lang}.") for event in result.events)


def test_casualties_and_counts_are_read(extractor, tmp_path):
    killed = extract(tmp_path, "Jihadists killed 12 Burkinabe soldiers on Sunday.").events
    assert [e.fatalities for e in killed if e.event_type == "attack"] == [12]
    taken = extract(tmp_path, "Des djihadistes ont enlevé trois ressortissants nigériens.").events
    assert [(e.count, e.count_unit) for e in taken if e.event_type == "kidnapping"] == [(3, "ressortissants")]


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Nouakchott summoned the ambassador of Niger.", "mauritania"),  # capital
        ("The Malian ambassador was summoned by Algeria.", "mali"),  # demonym
        ("Le ministre malien a été convoqué par l'Algérie.", "mali"),  # French demonym
        ("Les Forces Armées Maliennes ont été visées par une attaque du JNIM.", "mali"),  # alias
        ("Assimi Goïta a été reçu par le président algérien.", "mali"),  # leader
    ],
)
def test_actors_match_by_alias_demonym_capital_and_leader(extractor, tmp_path, text, actor):
    events = extract(tmp_path, text).events
    assert events and any(actor in (e.source, e.target) for e in events)


def test_organisation_not_in_the_catalogue_is_a_candidate_new_actor(extractor, tmp_path):
    result = extract(tmp_path, "The Economic Community of West African States condemned Niger on Sunday.")
    event = next(e for e in result.events if e.event_type == "accusation")
    assert (event.source, event.source_name, event.target) == (
        UNMATCHED,
        "Economic Community of West African States",
        "niger",
    )
    assert "Economic Community of West African States" in result.new_actors


def test_dates_resolve_against_the_publication_date(extractor, tmp_path):
    text = (
        "Mali summoned the Algerian ambassador on Monday. Two weeks earlier, Algeria had accused Mali of "
        "violating its airspace. The following day, Algeria recalled its ambassador from Bamako."
    )
    found = {e.event_type: (e.date, e.date_precision, e.date_inferred) for e in extract(tmp_path, text).events}
    assert found["summon_ambassador"] == (dt.date(2024, 6, 10), "day", True)
    assert found["accusation"] == (dt.date(2024, 5, 27), "week", True)
    assert found["recall_ambassador"] == (dt.date(2024, 5, 28), "day", True)


def test_sentence_without_date_is_dated_from_context(extractor, tmp_path):
    event = extract(tmp_path, "Niger expelled the French troops.").events[0]
    assert (event.date, event.date_precision, event.date_inferred) == (dt.date(2024, 6, 1), "month", True)
    assert event.confidence < 0.85


def test_marker_gives_the_publication_date_and_keeps_offsets(extractor, tmp_path):
    text = (
        "date 2024-04-21 Mali expelled the French troops on Saturday.\n\n"
        "Niger summoned the Malian ambassador on Friday."
    )
    path = tmp_path / "marked.txt"
    path.write_text(text, encoding="utf-8")
    result = extract_articles([read_article(path)])
    dates = {e.event_type: e.date for e in result.events}
    assert dates == {"expulsion": dt.date(2024, 4, 20), "summon_ambassador": dt.date(2024, 4, 19)}
    for event in result.events:
        start, end = map(int, event.span.split("-"))
        assert text[start:end] == event.evidence
        assert event.origin == "extracted" and event.source_file == "marked.txt" and 0 < event.confidence <= 1


def test_relative_date_without_publication_date_is_an_error_naming_the_file(extractor, tmp_path):
    with pytest.raises(InputError, match=r"article\.txt.*relative date \('Friday'"):
        extract(tmp_path, "Mali summoned the Algerian ambassador on Friday.", published=None)


def test_explicit_dates_need_no_publication_date(extractor, tmp_path):
    events = extract(tmp_path, "Mali summoned the Algerian ambassador on 12 March 2022.", published=None).events
    assert [(e.date, e.date_inferred) for e in events] == [(dt.date(2022, 3, 12), False)]


def test_language_is_detected_and_other_languages_are_refused(extractor, tmp_path):
    assert extract(tmp_path, "Le Mali accuse l'Algérie d'ingérence.").events[0].rule == "fr.accuse"
    with pytest.raises(InputError, match="does not read as English or French"):
        extract(tmp_path, "Die Regierung in Bamako hat den Botschafter einbestellt und die Truppen ausgewiesen.")


def test_same_input_same_output(extractor):
    articles = [read_article(path, dt.date(2024, 8, 2)) for path in sorted(SEEDS.glob("*.txt"))]
    first, second = extract_articles(articles).frame(), extract_articles(articles).frame()
    pd.testing.assert_frame_equal(first, second)
    assert first["event_id"].is_unique and len(first) > 20


def test_seed_article_yields_its_documented_events(extractor):
    """Seed 000 (development set): the summons, visit, coup and expulsions are found with their dates."""
    from sim.documents.review import same_event

    seed = SEEDS / "000_61a0112944c6305f.txt"
    found = extract_articles([read_article(seed)]).frame().to_dict(orient="records")
    curated = load_events(ROOT / "calibration" / "events.csv")
    for event_id in ("D019", "D020", "D021", "D034", "D038", "D039"):
        row = curated[curated["event_id"] == event_id].iloc[0].to_dict()
        assert any(same_event(candidate, row) for candidate in found), event_id


def test_each_trigger_and_each_target_takes_its_own_date(extractor, tmp_path):
    text = (
        "On Friday, soldiers toppled the president of Burkina Faso, who had himself come to power in a coup "
        "on 24 January 2022. Niger expelled the French troops in 2023 and MINUSMA in 2024."
    )
    dates = {(e.event_type, e.target, e.date) for e in extract(tmp_path, text).events}
    assert {
        ("coup", "burkina_faso", dt.date(2024, 6, 7)),
        ("coup", "burkina_faso", dt.date(2022, 1, 24)),
        ("expulsion", "france", dt.date(2023, 1, 1)),
        ("expulsion", "minusma", dt.date(2024, 1, 1)),
    } <= dates


# --- protests: what is protested against is neither the target nor a new event ------------------

ARTICLES = ROOT / "tests" / "articles"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mauritania summoned the ambassador to protest against attacks on civilians.", set()),
        (
            "Mauritania summoned the Malian ambassador to protest against attacks on civilians.",
            {("mauritania", "mali", "summon_ambassador")},
        ),
        (
            "Algeria protested against attacks on civilians by the Malian army.",
            {("algeria", "mali", "accusation")},
        ),
        (
            "Mauritania protested against the killing of its nationals by the Malian army and Wagner.",
            {("mauritania", "mali", "accusation"), ("mauritania", "wagner", "accusation")},
        ),
        (
            "Mali recalled its ambassador from Algiers over the kidnapping of Malian civilians.",
            {("mali", "algeria", "recall_ambassador")},
        ),
        (
            "Malian officials accused Tuareg rebels and al-Qaeda fighters of executing captured soldiers.",
            {("mali", "tuareg_separatists", "accusation"), ("mali", "jnim_aqim", "accusation")},
        ),
        ("La Mauritanie a convoqué l'ambassadeur pour protester contre les attaques contre des civils.", set()),
        (
            "La Mauritanie a convoqué l'ambassadeur du Mali pour protester contre les attaques contre des civils.",
            {("mauritania", "mali", "summon_ambassador")},
        ),
        (
            "Nouakchott a dénoncé les violences commises par l'armée malienne contre ses ressortissants.",
            {("mauritania", "mali", "accusation")},
        ),
    ],
    ids=[
        "no-state",
        "summon",
        "agent-blamed",
        "agents-blamed",
        "recall",
        "accused-of",
        "fr-no-state",
        "fr-summon",
        "fr-agent",
    ],
)
def test_a_protest_codes_who_protests_against_whom_and_no_attack(extractor, tmp_path, text, expected):
    assert coded(extract(tmp_path, text)) == expected


@pytest.mark.parametrize("name", ["en_mauritania_protest_2024.txt", "fr_mauritanie_protestation_2024.txt"])
def test_protest_articles_yield_their_expected_events_and_nothing_else(extractor, name):
    """The test articles of protests: every candidate is an expected event, every expected event is found."""
    from sim.documents.review import same_event

    found = extract_articles([read_article(ARTICLES / name)]).frame().to_dict(orient="records")
    expected = load_events(ARTICLES / "expected.csv")
    expected = expected[expected["source_file"] == name].to_dict(orient="records")
    assert expected
    assert [c["event_type"] for c in found if not any(same_event(c, e) for e in expected)] == []
    assert [e["event_id"] for e in expected if not any(same_event(c, e) for c in found)] == []
    assert {(c["source"], c["target"]) for c in found} <= {(e["source"], e["target"]) for e in expected}


def test_a_pattern_naming_an_unknown_grievance_is_refused():
    from pydantic import ValidationError

    from sim.documents.patterns import Patterns

    accuse = next(pattern for pattern in patterns() if pattern.id == "accuse")
    with pytest.raises(ValidationError, match=r"pattern 'accuse' names unknown grievance patterns \['shooting'\]"):
        Patterns.model_validate({"patterns": [accuse.model_dump() | {"grievances": ["shooting"]}]})


# --- long articles: read in pieces cut at line breaks, as if read whole --------------------------


def _reading(monkeypatch, module: str, **values: int) -> None:
    """Replace reading settings (piece size, size limit) for the module that reads them."""
    from sim.documents.patterns import settings

    changed = settings().model_copy(update={"reading": settings().reading | values})
    monkeypatch.setattr(f"sim.documents.{module}.settings", lambda: changed)


def test_pieces_are_cut_at_line_breaks_and_join_to_the_body(tmp_path):
    from sim.documents.articles import Article, pieces

    body = "First paragraph, short.\n\nA second paragraph that is a little longer.\nA third line.\n\n\nLast one."
    parts = pieces(Article(tmp_path / "a.txt", body, None), size=30, most=60)
    assert "".join(parts) == body and len(parts) > 2
    assert all(part.endswith("\n") for part in parts[:-1])  # every cut at a line break
    assert all(len(part) <= 30 or "\n" not in part.rstrip("\n") for part in parts)  # short, or a line of its own
    assert pieces(Article(tmp_path / "a.txt", body, None), size=1000, most=1000) == [body]
    with pytest.raises(InputError, match=r"a\.txt.*a line of 44 characters \(from character 25\), longer than the 40"):
        pieces(Article(tmp_path / "a.txt", body, None), size=30, most=40)


def test_an_article_read_in_pieces_gives_the_events_read_whole(extractor, monkeypatch):
    articles = [
        read_article(SEEDS / "000_61a0112944c6305f.txt"),
        read_article(ROOT / "tests" / "articles" / "fr_serval_2013.txt"),
    ]
    whole = extract_articles(articles).frame()
    _reading(monkeypatch, "extraction", piece_chars=300)
    pd.testing.assert_frame_equal(extract_articles(articles).frame(), whole)


def test_an_article_longer_than_spacy_reads_at_once_is_read_in_pieces(extractor, tmp_path):
    """1.3 MB: a test article's paragraphs repeated, then a paragraph of its own dated against the publication."""
    original = ROOT / "tests" / "articles" / "en_niger_coup_2023.txt"
    marker, body = original.read_text(encoding="utf-8").split(" ", 2)[:2], original.read_text(encoding="utf-8")[16:]
    assert " ".join(marker) == "date 2023-08-01"  # published on a Tuesday
    copies = 1_300_000 // len(body) + 1
    text = (
        "date 2023-08-01 "
        + "\n\n".join([body.strip()] * copies)
        + "\n\nOn Thursday, Niger summoned the French ambassador.\n"
    )
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    assert len(text) > extractor.nlp["en"].max_length

    found = extract_articles([read_article(path)]).events
    once = extract_articles([read_article(original)]).events
    key = lambda e: (e.source, e.target, e.event_type, e.date, e.date_precision)  # noqa: E731
    assert {key(e) for e in found} == {key(e) for e in once} | {
        ("niger", "france", "summon_ambassador", dt.date(2023, 7, 27), "day")
    }
    for event in found:
        start, end = map(int, event.span.split("-"))
        assert text[start:end] == event.evidence
    assert max(int(e.span.split("-")[0]) for e in found) > 1_300_000  # the last paragraph, in the last piece


def test_a_line_longer_than_spacy_reads_at_once_is_refused_with_the_limit(extractor, tmp_path):
    path = tmp_path / "one_line.txt"
    path.write_text("date 2023-08-01 " + "Niger summoned the French ambassador. " * 35_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"one_line\.txt.*longer than the 1,000,000 that the language pipeline reads"):
        extract_articles([read_article(path)])


def test_an_article_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text("Niger summoned the French ambassador.\n" * 100, encoding="utf-8")
    _reading(monkeypatch, "articles", max_bytes=1000)
    with pytest.raises(InputError, match=r"big\.txt: is 3,800 bytes; expected a news article of at most 1,000 bytes"):
        read_article(path)
