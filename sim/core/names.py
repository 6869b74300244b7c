"""Names users type: checked against what exists, with a "did you mean" for near misses.

Actors, event types, parameters, metrics, actor pairs and scenario names are typed by hand, in
scenario files, on the command line and on the teaching page. A misspelt one must be refused,
never ignored, and the refusal should point at the name the user most likely meant. One helper
builds that message (:func:`unknown`), so it reads the same wherever a name is checked, and one
parser reads actor pairs in the forms people write them (:func:`parse_pair`).

This module imports nothing heavy: validating a scenario and ``sahelsim --help`` use it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable

# what may join the two actors of a typed pair: the hyphen, en and em dashes, a colon or a slash
PAIR_SEPARATORS = re.compile(r"\s*[-\u2013\u2014:/]\s*")


def unknown(kind: str, given: object, choices: Iterable[str], expected: str | None = None) -> str:
    """The message for a name that is not among ``choices``, with the nearest one if any is close.

    For example "unknown metric 'peak_tensoin'; did you mean 'peak_tension'? expected one of
    ['incidents', 'peak_tension']". ``expected`` words the choices otherwise where they are few
    ("local or dask").
    """
    options = sorted(set(choices))
    close = difflib.get_close_matches(str(given), options, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ";"
    return f"unknown {kind} {given!r}{hint} expected {expected or f'one of {options}'}"


def known(kind: str, given: str, choices: Collection[str]) -> str:
    """``given`` if it is among ``choices``; otherwise a ValueError with the :func:`unknown` message.

    A ValueError, so that pydantic validators report it as the problem of the field that holds the
    name; the command line turns it into an :class:`~sim.core.errors.InputError` naming the option.
    """
    if given not in choices:
        raise ValueError(unknown(kind, given, choices))
    return given


def parse_pair(text: str, actors: Collection[str]) -> tuple[str, str]:
    """Two different actors of ``actors`` from a pair as users type it, in the order typed.

    The two ids may be joined by a hyphen, an en or em dash, a colon or a slash, with or
    without spaces, in any case: ``mali-mauritania``, ``Mali:Mauritania``, ``mali – mauritania``
    and ``mauritania/mali`` all name the pair {mali, mauritania} (compare pairs with
    :func:`sim.core.relations.pair_key`, which ignores the order). Spaces within a name stand
    for its underscores, and so may hyphens where that is the only reading that names two
    actors (``burkina-faso-mali``). Raises a ValueError that says what was expected.
    """
    parts = [part.lower().replace(" ", "_") for part in PAIR_SEPARATORS.split(text.strip())]
    if len(parts) < 2 or not all(parts):
        raise ValueError(_not_a_pair(text))
    splits = [("_".join(parts[:cut]), "_".join(parts[cut:])) for cut in range(1, len(parts))]
    readings = [(a, b) for a, b in splits if a in actors and b in actors]
    if not readings and len(parts) == 2:
        for actor in parts:
            known("actor", actor, actors)
    if len(readings) != 1:
        raise ValueError(_not_a_pair(text))
    a, b = readings[0]
    if a == b:
        raise ValueError(f"a pair needs two different actors, got {text!r}")
    return a, b


def _not_a_pair(text: str) -> str:
    return (
        f"{text!r} is not a pair of actors; expected two actor ids joined by '-', ':', '/' or '\u2013', "
        "e.g. 'mali-mauritania'"
    )
