"""Output files of the commands: checked before the work, and a failed write told as bad input.

A command that writes one file (``events import --out``, ``extract --out``, the curated record
of ``events review``) checks the place before it reads anything, so a folder given as the file,
a missing folder or a read-only one is found at once rather than after a long import; and a
write that fails all the same (the disk fills up, the folder is removed) is one paragraph
naming the file. The writers of :mod:`sim.core.io` write through a temporary file and an
atomic rename, so then nothing was written and an earlier file is as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sim.core.errors import InputError


def check_out_file(out: Path) -> None:
    """Refuse an ``--out`` file that could not be written, before anything is computed.

    Its folder must exist and ``out`` must not be a folder; a temporary file is created beside
    it and removed again, as the writer will, so a read-only folder or file system is refused here.
    """
    from sim.core.io import require_parent

    require_parent(out)
    if out.is_dir():
        raise InputError("is a folder; expected the path of a file to write", path=out, field="--out")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.resolve().parent)
    except OSError as error:
        raise InputError(
            f"cannot be written there ({error.strerror or error}); expected a file in a folder you can write to",
            path=out,
            field="--out",
        ) from None
    os.close(handle)
    os.unlink(name)


@contextlib.contextmanager
def writing(out: Path, field: str = "--out") -> Iterator[None]:
    """Turn a write that fails (disk full, folder removed meanwhile) into one paragraph naming the file.

    A full disk is told as every command tells it (:func:`sim.core.io.disk_full_guard`).
    """
    from sim.core.io import disk_full_guard

    try:
        with disk_full_guard(out, field=field):
            yield
    except OSError as error:
        reason = " ".join(str(error.strerror or error).split())  # pyarrow's messages have line breaks
        raise InputError(f"could not be written ({reason}); nothing was written", path=out, field=field) from None
