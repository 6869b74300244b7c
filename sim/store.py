"""The results folder: written atomically, with a manifest of what produced it.

A run is written into a staging folder beside the destination, file by file, and only
then moved into place, so a reader never sees a half-written result and an interrupted
run leaves the previous result untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mesa
import pandas as pd

import sim
from sim.errors import InputError


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a table to Parquet through a temporary file and an atomic rename."""
    with _atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def write_json(data: dict[str, Any], path: Path) -> None:
    with _atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


@contextlib.contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def results_folder(out: Path) -> Iterator[Path]:
    """A staging folder that replaces ``out`` when the block finishes without error."""
    parent = out.resolve().parent
    if not parent.is_dir():
        raise InputError(f"the folder {parent} does not exist; expected an existing parent folder", path=out, field="--out")
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder; expected a results folder path", path=out, field="--out")
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    try:
        yield staging
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


def provenance() -> dict[str, str]:
    """Versions of what produced a result."""
    return {
        "sahelsim": sim.__version__,
        "mesa": mesa.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }
