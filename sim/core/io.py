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
import re
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
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})  # a full disk, an exhausted quota, a size limit
UNCHANGED = (
    "nothing was written and what was there before is as it was; expected free space on that disk "
    "(free some, or write elsewhere, and run again)"
)


@contextlib.contextmanager
def disk_full_guard(
    target: Path,
    what: str | None = None,
    outcome: str = UNCHANGED,
    field: str | None = None,
) -> Iterator[None]:
    """Turn a write into ``target`` that fails for want of space into one paragraph naming it.

    A full disk (or an exhausted quota) is not a bug of the program, so the user gets what was
    being written and what became of it, not a traceback. Every writer here goes through a
    temporary file or a staging folder, so by default nothing was written and what ``target``
    held before is as it was. Other errors pass through unchanged.

    Args:
        target: the output being written (a file or a results folder), named in the message.
        what: what was being written, and how much, e.g. "the chunk of runs 40-59 (about 2.1 MB)".
        outcome: what the user keeps and can do, e.g. that finished runs are kept and resumable.
        field: the option that named ``target``, if any.
    """
    try:
        yield
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        reason = " ".join(str(error.strerror or error).split())  # pyarrow's messages have line breaks
        during = f" while writing {what}" if what else ""
        raise DiskFull(
            f"could not be written: the disk is full ({reason}){during}; {outcome}", path=target, field=field
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


def temporaries_of(target: Path) -> list[Path]:
    """The temporary files and folders beside ``target`` that the writers here make for it.

    :func:`atomic_path` makes ``.NAME.XXXXXXXX`` and :func:`results_folder` ``.NAME.partial-XXXXXXXX``
    and ``.NAME.old-XXXXXXXX`` (``tempfile``'s eight random letters, digits or underscores).
    """
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(?:partial-|old-)?[a-z0-9_]{{8}}")
    parent = target.parent
    return sorted(entry for entry in parent.iterdir() if pattern.fullmatch(entry.name)) if parent.is_dir() else []


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove what writers of ``target`` killed halfway (SIGKILL, power cut) left beside it.

    A kill skips the writers' clean-up, so their temporary files and folders stay, hidden, beside
    the output. Call this only where no other writer of ``target`` can be running: under the
    batch folder's lock, or at the start of a command that writes ``target``. A kill between the
    two renames of :func:`results_folder` leaves the previous result only in its ``.old-`` folder:
    it is moved back first, so nothing the user had is lost.

    Returns:
        The temporaries removed.
    """
    found = temporaries_of(target)
    if not target.exists():
        for retired in found:
            if retired.name.startswith(f".{target.name}.old-") and (retired / target.name).exists():
                os.replace(retired / target.name, target)
                break
    for entry in found:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return found


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
