"""Atomic writes: a file or a folder appears whole or not at all.

Every output goes through a temporary file (or a staging folder) beside its destination and an
atomic rename, so a reader never sees a half-written result and an interrupted write leaves
the previous one untouched. These writers are general: plots, reviews, reports and the batch
store all use them. A results folder replaces only an earlier result of the same command (its
manifest says so), never a folder a user keeps anything else in; a write that fails for want
of space is told as one paragraph (:func:`disk_full_guard`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.core.errors import DiskFull, InputError

if TYPE_CHECKING:  # the writers only call the frames' own methods: no pandas import at start-up
    import pandas as pd


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a table to Parquet through a temporary file and an atomic rename."""
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table to CSV (no index) atomically."""
    with atomic_path(path) as temporary:
        frame.to_csv(temporary, index=False)


def write_text(text: str, path: Path) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_yaml(data: dict[str, Any], path: Path) -> None:
    """Write a mapping as YAML (keys in their order, Unicode kept) atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write a mapping as indented JSON (dates and paths as text) atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK
_FOLDER_MODE = 0o777 & ~_UMASK


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it when the block finishes without error."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _FILE_MODE)  # mkstemp makes private files; results are ordinary files
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def require_parent(out: Path) -> None:
    """Refuse an output whose folder does not exist, before anything is computed or written."""
    if not out.resolve().parent.is_dir():
        raise InputError(
            f"the folder {out.parent} does not exist; expected an existing parent folder", path=out, field="--out"
        )


MANIFEST = "manifest.json"  # what a results folder's command wrote, and that it wrote it
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


@contextlib.contextmanager
def disk_full_guard(path: Path, field: str | None = "--out") -> Iterator[None]:
    """Turn a write into ``path`` that fails for want of space into one paragraph naming it.

    Every writer here goes through a temporary file or a staging folder, so when the disk fills
    up nothing was written and what ``path`` held before is as it was; the message says so.
    Other errors pass through unchanged.
    """
    try:
        yield
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        reason = " ".join(str(error.strerror or error).split())  # pyarrow's messages have line breaks
        raise DiskFull(
            f"could not be written: the disk is full ({reason}); nothing was written and what was there before is "
            "as it was; expected free space on that disk (free some, or write elsewhere, and run again)",
            path=path,
            field=field,
        ) from None


def earlier_result(out: Path, kind: str) -> dict[str, Any] | None:
    """The manifest of the earlier result of ``kind`` that ``out`` holds; None for a new or empty folder.

    A folder is an earlier result when its manifest.json says it is one (``"kind": kind``) and it
    holds nothing but the manifest and the files it lists: only then may a command replace it, so
    that an ``--out`` naming a folder of lessons or a copy of the project never loses a file.
    Anything else is refused, naming what the folder holds.
    """
    if not out.exists():
        return None
    if not out.is_dir():
        raise InputError("exists and is not a folder; expected a results folder path", path=out, field="--out")
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return None
    expected = f"expected a new or empty folder, or an earlier '{kind}' result; nothing was written"
    manifest = _read_manifest(out / MANIFEST)
    found = None if manifest is None else manifest.get("kind")
    if found != kind:
        what = f"a '{found}' result" if isinstance(found, str) else f"{_listing(entries)} and no {MANIFEST} of a result"
        raise InputError(
            f"holds {what}; {expected} (--overwrite replaces only an earlier '{kind}' result)", path=out, field="--out"
        )
    files = manifest.get("files") if manifest is not None else None
    others = sorted(set(entries) - {MANIFEST, *(files if isinstance(files, list) else [])})
    if others:
        raise InputError(
            f"holds an earlier '{kind}' result and also {_listing(others)}, which it did not write; move them "
            f"elsewhere first; {expected}",
            path=out,
            field="--out",
        )
    return manifest


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """A folder's manifest.json as a mapping; None if it has none or it is not a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _listing(names: list[str], shown: int = 3) -> str:
    """'2 entries (a, b)', '130 entries (a, b, c, ...)': what a folder holds, for a refusal."""
    more = ", ..." if len(names) > shown else ""
    noun = "entry" if len(names) == 1 else "entries"
    return f"{len(names)} {noun} ({', '.join(names[:shown])}{more})"


@contextlib.contextmanager
def results_folder(out: Path, kind: str, overwrite: bool = False) -> Iterator[Path]:
    """A staging folder that replaces ``out`` when the block finishes without error.

    ``out`` must be new, an empty folder or, with ``overwrite``, an earlier result of ``kind``
    (see :func:`earlier_result`). It is checked before the block, so that a refusal comes
    before the work, and again before the swap, in case the folder changed meanwhile.
    """
    require_parent(out)
    _may_replace(out, kind, overwrite)
    parent = out.resolve().parent
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    os.chmod(staging, _FOLDER_MODE)
    try:
        yield staging
        _may_replace(out, kind, overwrite)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _may_replace(out: Path, kind: str, overwrite: bool) -> None:
    """Refuse to replace ``out`` unless it is new or empty, or an earlier result of ``kind`` with ``overwrite``."""
    earlier = earlier_result(out, kind)
    if earlier is not None and not overwrite:
        raise InputError(
            f"holds an earlier '{kind}' result (scenario {earlier.get('scenario', '?')}, created "
            f"{earlier.get('created_at', '?')}); expected a new or empty folder, or --overwrite to replace it; "
            "nothing was written",
            path=out,
            field="--out",
        )
