"""News articles as the extractor reads them: text, publication date, checks of bad input.

An article is a UTF-8 plain-text file. It may open with a ``date YYYY-MM-DD`` marker giving
its publication date; the marker is blanked (replaced by spaces) in the text the extractor
reads, so character offsets still point into the file as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sim.core.errors import InputError
from sim.documents.patterns import settings

_MARKER = re.compile(r"\A\s*date\s+(\S*\d\S*)")
_LINE_START = re.compile(r"\n\s*")  # ends where a line of text starts


@dataclass(frozen=True)
class Article:
    """One article as read: its file, its text (date marker blanked) and its publication date if known."""

    path: Path
    body: str
    published: dt.date | None


def read_article(path: Path, published: dt.date | None = None, today: dt.date | None = None) -> Article:
    """Read one article; its marker's date wins over ``published`` (the --published option)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found; expected a plain-text article", path=path)
    most = settings().reading["max_bytes"]
    if path.stat().st_size > most:
        raise InputError(
            f"is {path.stat().st_size:,} bytes; expected a news article of at most {most:,} bytes "
            "(cut a longer text into several files)",
            path=path,
        )
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputError("is a binary file; expected a plain-text (UTF-8) news article", path=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not UTF-8 text (byte {exc.start}); expected a plain-text news article", path=path
        ) from None
    if not text.strip():
        raise InputError("is empty; expected the text of a news article", path=path)
    marker = _MARKER.match(text)
    line: int | None = None  # where the publication date was given: --published, or the marker's line
    field: str | None = "--published"
    if marker is not None:
        published = _marker_date(marker.group(1), path)
        text = " " * marker.end() + text[marker.end() :]
        line, field = 1, None
    _check_not_future(published, path, today or dt.date.today(), line, field)
    return Article(path, text, published)


def _marker_date(value: str, path: Path) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"the leading date marker 'date {value}' does not parse; expected 'date YYYY-MM-DD' (e.g. date 2024-04-21)",
            path=path,
            line=1,
        ) from None


def _check_not_future(
    published: dt.date | None, path: Path, today: dt.date, line: int | None, field: str | None
) -> None:
    """Refuse a publication date after today, where it was given (the marker's line or --published)."""
    if published is not None and published > today:
        raise InputError(
            f"publication date {published} is in the future (today is {today}); expected a date on or before today",
            path=path,
            line=line,
            field=field,
        )


def pieces(article: Article, size: int, most: int) -> list[str]:
    """The article's body cut at line breaks into pieces of about ``size`` characters; joined, they are the body.

    A long article is read piece by piece: spaCy reads at most ``nlp.max_length`` characters at
    once, and its parser needs memory in proportion to what it reads. A line is the reader's
    paragraph (no sentence runs across one), so no sentence is cut. A line longer than ``size``
    is a piece of its own; one longer than ``most`` (what spaCy can read) is refused.
    """
    text = article.body
    bounds = [match.end() for match in _LINE_START.finditer(text)] + [len(text)]
    out, start, last = [], 0, 0
    for bound in bounds:
        if bound - last > most:
            raise InputError(
                f"has a line of {bound - last:,} characters (from character {last}), longer than the {most:,} "
                "that the language pipeline reads at once; expected an article whose paragraphs are on lines "
                "of their own",
                path=article.path,
            )
        if bound - start > size and last > start:
            out.append(text[start:last])
            start = last
        last = bound
    out.append(text[start:])
    return out
