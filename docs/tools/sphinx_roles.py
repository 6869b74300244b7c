"""A griffe extension for the API reference: Sphinx roles in docstrings shown as code.

The docstrings follow the Google convention but name other objects the Sphinx way
(``:class:`SahelModel```, ``:func:`~sim.core.relations.tension_series```), which Markdown
would show with the role in front. This drops the role (and, after a ``~``, the qualifying
path, as Sphinx does) and keeps the name as inline code, at load time, so sim/ stays as it is.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:mod|class|func|meth|attr|data|exc|obj|const):`(~?)([^`]+)`")


def as_code(match: re.Match[str]) -> str:
    """The role's target as inline code; ``~a.b.c`` shows ``c``."""
    shortened, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if shortened else target}`"


class SphinxRoles(griffe.Extension):
    """Rewrites the Sphinx roles of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of one loaded object, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(as_code, obj.docstring.value)
