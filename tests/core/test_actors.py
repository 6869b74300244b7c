"""The actor catalogue is data: complete, consistent, and the one place that knows an actor."""

from sim.core.actors import load_catalogue

REQUIRED = {
    "mali",
    "mauritania",
    "wagner",
    "russia",
    "aes",
    "burkina_faso",
    "niger",
    "jnim_aqim",
    "is_sahel",
    "tuareg_separatists",
    "france",
    "minusma",
    "algeria",
}


def test_every_actor_the_documents_name_is_in_the_catalogue():
    assert set(load_catalogue().ids) >= REQUIRED


def test_actors_have_names_in_both_languages_and_sources():
    for actor in load_catalogue().actors:
        if actor.kind == "civilians":
            continue
        assert actor.aliases.en and actor.aliases.fr, actor.id
        assert actor.mentioned_in, actor.id


def test_attribute_meanings_cover_the_numeric_attributes():
    catalogue = load_catalogue()
    for name, spec in catalogue.attributes.items():
        low, high = spec.range
        for actor in catalogue.actors:
            assert low <= getattr(actor, name) <= high
        assert spec.meaning


def test_mentioned_in_names_seed_files():
    from tests.conftest import SEEDS

    names = {path.name for path in SEEDS.glob("*.txt")}
    for actor in load_catalogue().actors:
        assert set(actor.mentioned_in) <= names, actor.id
