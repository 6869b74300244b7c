"""Names users type: pairs in the forms people write, and one "did you mean" for near misses."""

import pytest

from sim.core.actors import load_catalogue
from sim.core.names import known, parse_pair, unknown
from sim.core.parameters import resolve_parameters

ACTORS = load_catalogue().ids


@pytest.mark.parametrize(
    "text",
    [
        "mali\u2013mauritania",  # the en dash of the tables' labels
        "mali-mauritania",
        "mali:mauritania",
        "mali/mauritania",
        "mali\u2014mauritania",
        "Mali-Mauritania",
        "MALI : MAURITANIA",
        "  mali - mauritania  ",
        "mauritania-mali",
    ],
)
def test_a_pair_is_read_in_every_form_users_type(text):
    assert sorted(parse_pair(text, ACTORS)) == ["mali", "mauritania"]


def test_a_pair_keeps_the_order_typed_and_reads_names_with_spaces_or_hyphens():
    assert parse_pair("mauritania-mali", ACTORS) == ("mauritania", "mali")
    assert parse_pair("Burkina Faso - Mali", ACTORS) == ("burkina_faso", "mali")
    assert parse_pair("burkina-faso-mali", ACTORS) == ("burkina_faso", "mali")
    assert parse_pair("jnim_aqim:mali", ACTORS) == ("jnim_aqim", "mali")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mali-mauritanie", "unknown actor 'mauritanie'; did you mean 'mauritania'?"),
        ("mali-atlantis", "unknown actor 'atlantis'; expected one of"),
        ("mali", "'mali' is not a pair of actors; expected two actor ids joined by"),
        ("mali-", "is not a pair of actors"),
        ("mali--mauritania", "is not a pair of actors"),
        ("mali-mauritania-niger", "is not a pair of actors"),
        ("", "is not a pair of actors"),
        ("mali-mali", "a pair needs two different actors"),
    ],
)
def test_a_bad_pair_says_what_was_expected(text, expected):
    with pytest.raises(ValueError, match=expected):
        parse_pair(text, ACTORS)


def test_a_pair_names_actors_of_the_given_set_only():
    with pytest.raises(ValueError, match="unknown actor 'france'"):
        parse_pair("mali-france", ["mali", "mauritania"])


def test_the_unknown_name_message_offers_the_nearest_name():
    assert unknown("metric", "peak_tensoin", ["peak_tension", "incidents"]) == (
        "unknown metric 'peak_tensoin'; did you mean 'peak_tension'? expected one of ['incidents', 'peak_tension']"
    )
    assert unknown("metric", "zzz", ["peak_tension", "incidents"]) == (
        "unknown metric 'zzz'; expected one of ['incidents', 'peak_tension']"
    )


def test_known_returns_a_known_name_and_refuses_another():
    assert known("actor", "mali", ACTORS) == "mali"
    with pytest.raises(ValueError, match="unknown actor 'Mali'; did you mean 'mali'?"):
        known("actor", "Mali", ACTORS)


def test_the_parameter_resolution_offers_the_nearest_parameter():
    with pytest.raises(KeyError, match="unknown parameter 'attack_bse'; did you mean 'attack_base'?"):
        resolve_parameters({"attack_bse": 1.0})
