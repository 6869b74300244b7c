"""The actor catalogue is data: complete, consistent, and the one place that knows an actor."""

import pytest
from pydantic import ValidationError

from sim.core.actors import Catalogue, load_catalogue

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


def test_rivals_are_armed_groups_that_list_each_other():
    catalogue = load_catalogue()
    for actor in catalogue.actors:
        for rival in actor.rivals:
            assert actor.kind == catalogue[rival].kind == "armed_group"
            assert actor.id in catalogue[rival].rivals
    assert catalogue["jnim_aqim"].rivals == ["is_sahel"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"is_sahel": []}, "'jnim_aqim' lists 'is_sahel' as a rival but 'is_sahel' does not list it back"),
        ({"jnim_aqim": ["mali"], "is_sahel": []}, "only armed groups have rivals"),
    ],
)
def test_a_one_sided_or_misplaced_rivalry_is_refused(changes, message):
    catalogue = load_catalogue()
    data = catalogue.model_dump()
    for actor in data["actors"]:
        if actor["id"] in changes:
            actor["rivals"] = changes[actor["id"]]
    with pytest.raises(ValidationError, match=message):
        Catalogue.model_validate(data)


def test_mentioned_in_names_seed_files():
    from tests.conftest import SEEDS

    names = {path.name for path in SEEDS.glob("*.txt")}
    for actor in load_catalogue().actors:
        assert set(actor.mentioned_in) <= names, actor.id
