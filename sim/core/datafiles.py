"""Reading the YAML data files (catalogues, parameters, scenarios) safely.

Every YAML file is read with ``yaml.safe_load`` semantics (the SafeLoader), made stricter:
a key given twice in one mapping, a date that does not exist (``2024-02-30``), a value its tag
cannot hold (``!!int x``) and a key that is a list or a mapping are refused instead of silently
keeping the last value or failing with a bare exception. What a hostile or broken file could do
to the reader is bounded before anything is built: its size (:data:`MAX_BYTES`), how deeply it
nests (:data:`MAX_DEPTH`, checked on the parser's event stream, which does not recurse) and how
many values its aliases expand to (:data:`MAX_NODES`, counted once per shared node; an alias inside
the collection it names is refused). Every such problem, and every pydantic validation error, is
turned into an :class:`~sim.core.errors.InputError` that names the file, the line of the offending
node and the field.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.core.errors import InputError

Model = TypeVar("Model", bound=BaseModel)

PACKAGE_DATA = Path(__file__).parent.parent / "data"

MAX_BYTES = 1_000_000  # the largest data file shipped is ~30 kB; a scenario is a few kB
MAX_DEPTH = 32  # nesting of lists and mappings; the shipped files nest at most 5 deep
MAX_NODES = 200_000  # values once aliases are expanded (an "alias bomb" is refused)


class _BadNode(Exception):
    """A node the loader refuses, with what is wrong with it (turned into an InputError by read_yaml)."""

    def __init__(self, problem: str, node: yaml.Node) -> None:
        super().__init__(problem)
        self.problem = problem
        self.node = node


class StrictLoader(yaml.SafeLoader):
    """The SafeLoader, refusing duplicate keys and impossible dates at the node that has them."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Any value its tag cannot hold (``!!int x``, ``!!bool maybe``) is refused at its node."""
        try:
            return super().construct_object(node, deep=deep)
        except (_BadNode, yaml.YAMLError):
            raise
        except (ValueError, TypeError, AttributeError, OverflowError, KeyError, IndexError):
            tag = node.tag.rsplit(":", 1)[-1]
            shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            raise _BadNode(f"{shown} cannot be read as {tag}; expected a value of that kind", node) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """A key given twice, or a key that is a list or a mapping, is refused at the key's node.

        The SafeLoader would keep the last value of a repeated key without a word.
        """
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _BadNode("a key is a list or a mapping; expected a plain key (a name)", key_node)
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _BadNode(f"the key {key!r} is given twice in the same mapping; expected each key once", key_node)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date:
        """A date that does not exist (``2024-02-30``) is refused at its node, with the reason."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _BadNode(f"{node.value!r} is not a real date ({exc}); expected YYYY-MM-DD", node) from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)


def _location(
    root: yaml.Node, target: yaml.Node, loc: tuple[int | str, ...] = (), seen: set[int] | None = None
) -> tuple[int | str, ...] | None:
    """The field path from ``root`` down to ``target`` (a key node names its own key).

    A node shared through an alias is searched once (``seen``), so the walk stays linear.
    """
    seen = set() if seen is None else seen
    if root is target:
        return loc
    if id(root) in seen:
        return None
    seen.add(id(root))
    children = (
        [(k.value if isinstance(k, yaml.ScalarNode) else "(key)", v, k) for k, v in root.value]
        if isinstance(root, yaml.MappingNode)
        else [(i, v, None) for i, v in enumerate(root.value)]
        if isinstance(root, yaml.SequenceNode)
        else []
    )
    for name, child, key_node in children:
        if key_node is target:
            return (*loc, name)
        found = _location(child, target, (*loc, name), seen)
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
    text = _read_text(path)
    try:
        _check_depth(text, path)
        node = yaml.compose(text, Loader=StrictLoader)
        _check_expansion(node, path)
        data = None if node is None else _construct(node, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"malformed YAML ({problem})", path=path, line=line) from None
    return data, node


def _read_text(path: Path) -> str:
    """The file's text, refused with a plain reason if it cannot be read, is too big or is not text."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError("file not found; expected an existing YAML file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder; expected a YAML file", path=path) from None
    except OSError as error:  # permissions, a symlink loop, a name too long, ...
        raise InputError(
            f"cannot be read ({error.strerror or error}); expected a readable YAML file", path=path
        ) from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"is larger than {MAX_BYTES:,} bytes; expected a YAML data file of ordinary size", path=path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text; expected a YAML file", path=path) from None


def _check_depth(text: str, path: Path) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` before the (recursive) composer sees it."""
    depth = 0
    for event in yaml.parse(text, Loader=StrictLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = None if event.start_mark is None else event.start_mark.line + 1
                raise InputError(f"nests deeper than {MAX_DEPTH} levels; expected a flatter file", path=path, line=line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_expansion(root: yaml.Node | None, path: Path) -> None:
    """Refuse a document whose aliases expand to more than :data:`MAX_NODES` values, or into themselves.

    Sizes are counted once per node (aliases share nodes), so the check is linear in the file. An
    alias inside the collection it names (``&a [1, *a]``) makes that collection contain itself: a
    value no data file has, and one whose size has no end, so it is refused at the collection.
    """
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # the collections being counted: the ancestors of the node at hand
    stack: list[tuple[yaml.Node, bool]] = [] if root is None else [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done and id(node) in open_:
            raise InputError(
                "contains itself through an alias (an alias inside the collection its anchor names); "
                "expected a value without cycles",
                path=path,
                line=node.start_mark.line + 1,
            )
        children = _children(node)
        if children_done or not children:
            open_.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > MAX_NODES:
                raise InputError(
                    f"expands (through its aliases) to more than {MAX_NODES:,} values; expected a data file",
                    path=path,
                    line=node.start_mark.line + 1,
                )
        else:
            open_.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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


def named_file(path: Path, relative: str, field: str, expected: str, line: int | None = None) -> Path:
    """The file a data file's ``field`` names (``relative`` to the data file), which must be an existing file.

    Checked where the data file is read, so that a command that reads it refuses at once what a later
    step could not open (a scenario's event table, a calibration config's events and datasets).
    """
    file = path.parent / relative
    if os.path.isfile(file):
        return file
    problem = "is a folder" if os.path.isdir(file) else "does not exist"
    raise InputError(f"names {file}, which {problem}; expected {expected}", path=path, line=line, field=field)


def load_yaml_model(model: type[Model], path: str | Path, context: dict[str, Any] | None = None) -> Model:
    """Read a YAML file and validate it as ``model``."""
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of fields at the top level", path=path, line=1)
    return validate(model, data, path, node, context)
