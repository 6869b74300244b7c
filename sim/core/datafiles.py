"""Reading the YAML data files (catalogues, parameters, scenarios) safely.

Every YAML file is read with ``yaml.safe_load`` semantics (the SafeLoader), made stricter:
a key given twice in one mapping and a date that does not exist (``2024-02-30``) are refused
instead of silently keeping the last value or failing with a bare ValueError. Every such
problem, and every pydantic validation error, is turned into an :class:`~sim.core.errors.InputError`
that names the file, the line of the offending node and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.core.errors import InputError

Model = TypeVar("Model", bound=BaseModel)

PACKAGE_DATA = Path(__file__).parent.parent / "data"


class _BadNode(Exception):
    """A node the loader refuses, with what is wrong with it (turned into an InputError by read_yaml)."""

    def __init__(self, problem: str, node: yaml.Node) -> None:
        super().__init__(problem)
        self.problem = problem
        self.node = node


class StrictLoader(yaml.SafeLoader):
    """The SafeLoader, refusing duplicate keys and impossible dates at the node that has them."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _BadNode(f"the key {key!r} is given twice in the same mapping; expected each key once", key_node)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _BadNode(f"{node.value!r} is not a real date ({exc}); expected YYYY-MM-DD", node) from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)


def _location(root: yaml.Node, target: yaml.Node, loc: tuple[int | str, ...] = ()) -> tuple[int | str, ...] | None:
    """The field path from ``root`` down to ``target`` (a key node names its own key)."""
    if root is target:
        return loc
    children = (
        [(k.value, v, k) for k, v in root.value]
        if isinstance(root, yaml.MappingNode)
        else [(i, v, None) for i, v in enumerate(root.value)]
        if isinstance(root, yaml.SequenceNode)
        else []
    )
    for name, child, key_node in children:
        if key_node is target:
            return (*loc, name)
        found = _location(child, target, (*loc, name))
        if found is not None:
            return found
    return None


def _construct(node: yaml.Node, path: Path) -> Any:
    """The document of a node tree; a node the loader refuses is reported at its line and field."""
    try:
        return StrictLoader("").construct_document(node)
    except _BadNode as bad:
        loc = _location(node, bad.node) or ()
        field = ".".join(str(part) for part in loc) or None
        raise InputError(bad.problem, path=path, line=bad.node.start_mark.line + 1, field=field) from None


def read_yaml(path: str | Path) -> tuple[Any, yaml.Node | None]:
    """Return the parsed YAML document and its node tree (for line numbers)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found; expected an existing YAML file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder; expected a YAML file", path=path) from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text; expected a YAML file", path=path) from None
    try:
        node = yaml.compose(text, Loader=StrictLoader)
        data = None if node is None else _construct(node, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"malformed YAML ({problem})", path=path, line=line) from None
    return data, node


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest existing parent)."""
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == key]
            if not match:
                # an unknown field: point at its key
                keys = [k for k, _ in node.value if k.value == key]
                return keys[0].start_mark.line + 1 if keys else line
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def validation_problem(error: ErrorDetails) -> str:
    """Turn one pydantic error into plain words: what was wrong and what was expected."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (check its spelling against the documented fields)"
    if kind == "missing":
        return "is required but missing"
    if kind == "value_error":  # our own validators' messages say what was wrong and what was expected
        return error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return f"got {shown}; {error['msg'][0].lower()}{error['msg'][1:]}"


def validate(
    model: type[Model],
    data: Any,
    path: str | Path,
    node: yaml.Node | None = None,
    context: dict[str, Any] | None = None,
) -> Model:
    """Validate ``data`` against ``model``; raise one InputError for the first problem."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(part for part in first["loc"] if not (isinstance(part, str) and part.startswith("function-")))
        field = ".".join(str(part) for part in loc) or None
        raise InputError(validation_problem(first), path=path, line=line_of(node, loc), field=field) from None


def load_yaml_model(model: type[Model], path: str | Path, context: dict[str, Any] | None = None) -> Model:
    """Read a YAML file and validate it as ``model``."""
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of fields at the top level", path=path, line=1)
    return validate(model, data, path, node, context)
