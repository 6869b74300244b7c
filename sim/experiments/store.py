"""The batch store: a manifest of what produced a result, and Parquet tables by chunk of runs.

Every file is written through :mod:`sim.core.io`, so a reader never sees a half-written
part and an interrupted batch keeps every finished chunk. One writer at a time holds a batch
folder (a lock file in it); readers check every file they open and name a damaged one, and a
resumed batch sets damaged chunks aside and runs them again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock
import mesa
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

import sim
from sim.core.datafiles import validate
from sim.core.errors import InputError
from sim.core.io import (
    disk_full_guard,
    remove_stale_temporaries,
    require_parent,
    temporaries_of,
    write_json,
    write_parquet,
)
from sim.core.parameters import resolve_parameters
from sim.model.scenario import LoadedScenario


def provenance() -> dict[str, str]:
    """Versions of what produced a result."""
    return {
        "sahelsim": sim.__version__,
        "mesa": mesa.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }


def scenario_record(loaded: LoadedScenario) -> dict[str, Any]:
    """What a result records about the scenario that produced it."""
    spec = loaded.scenario
    return {
        "scenario": spec.name,
        "scenario_path": str(loaded.path.resolve()),
        "scenario_sha256": loaded.sha256,
        "scenario_text": loaded.text,
        "scenario_validated": loaded.scenario.model_dump(mode="json"),
        "seed": spec.seed,
        "replicates": spec.replicates,
        "sweep": None if spec.sweep is None else spec.sweep.model_dump(mode="json"),
        "run_seeds": "run = point * replicates + replicate: the run's numbers in each decision stream of the seed "
        "(sim.model.draws)",
        "parameters": dataclasses.asdict(resolve_parameters(spec.parameters)),
        "versions": provenance(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


class Status(BaseModel):
    """How far a batch is, as its manifest records it: ``done`` lists the committed runs ('0-99,200-249')."""

    model_config = ConfigDict(extra="allow", strict=True)
    state: str
    runs_done: int = Field(ge=0)
    runs_total: int = Field(ge=0)
    done: str = Field(pattern=r"^(\d+(-\d+)?(,\d+(-\d+)?)*)?$")


class Manifest(BaseModel):
    """The fields of a batch manifest that the store and its readers rely on, with their types.

    A manifest edited by hand or damaged is refused naming its field, rather than failing later
    in a comparison or a slice; the other fields (versions, dates, status) are kept as they are.
    """

    model_config = ConfigDict(extra="allow", strict=True)
    kind: str
    scenario: str
    scenario_path: str
    scenario_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    scenario_text: str
    scenario_validated: dict[str, Any]
    seed: int = Field(ge=0)
    replicates: int = Field(ge=1)
    sweep: dict[str, Any] | None
    runs_total: int = Field(ge=0)
    status: Status | None = None


LOCK = ".lock"  # the file a batch folder's writer holds locked while it runs
DAMAGED = "damaged"  # where a resumed batch sets damaged files aside
POINTS = "points.parquet"
RESUME_ADVICE = "'sahelsim batch --resume {folder}' runs a damaged chunk's runs again"


class BatchStore:
    """A batch's folder: a manifest and Parquet tables partitioned by chunk of runs.

    ``DIR/manifest.json``: the scenario (text, hash, seed, sweep), run seeding, versions and
    per-run status. ``DIR/points.parquet``: the sweep points. ``DIR/<table>/part-F-L.parquet``
    for each finished chunk of runs F..L, for the tables ``tension`` (key pairs, weekly),
    ``metrics`` (per-run summary metrics), ``counts`` (events per type) and ``runs``. A chunk's
    ``runs`` part commits it: the other parts are first written as hidden ``.pending-part-...``
    files, then the ``runs`` part, then the pending parts are renamed into place. A plain glob
    (``pandas.read_parquet(DIR / "tension")``, DuckDB's ``'DIR/tension/*.parquet'``) therefore
    never sees a run that was not committed; a chunk killed halfway leaves only hidden files,
    which the next writer removes (or, if its ``runs`` part was written, renames).

    One writer at a time (:meth:`writing`) holds ``DIR/.lock``; the manifest is written last
    when a batch starts, so a folder without one holds no batch yet and may be started again.
    """

    TABLES = ("tension", "metrics", "counts", "runs")  # "runs" last: it commits a chunk
    KIND = "sahelsim batch"  # the manifest's ``kind``
    COLUMNS = {  # what a reader needs of each table's parts
        "tension": ("run", "point", "date", "pair", "tension", "cooperation"),
        "metrics": ("run", "point", "replicate", "metric", "pair", "value"),
        "counts": ("run", "point", "event_type", "count"),
        "runs": ("run", "point", "replicate", "events"),
    }

    def __init__(self, folder: Path) -> None:
        """The store in ``folder`` (see :meth:`writing` and :meth:`existing`)."""
        self.folder = Path(folder)
        self.set_aside: list[Path] = []  # damaged files the last writer moved to DIR/damaged/

    @property
    def manifest_path(self) -> Path:
        """Where the manifest is."""
        return self.folder / "manifest.json"

    @classmethod
    def check_writable(
        cls, folder: Path, scenario_sha256: str, resume: bool = False, make_parent: bool = False
    ) -> None:
        """Refuse, before any work, a folder this batch may not write (see :meth:`writing`).

        The lock is only tried here (a writer that is running is named at once); :meth:`writing`
        takes it and checks again.
        """
        folder = Path(folder)
        if not (make_parent or resume):
            require_parent(folder)
        store = cls(folder)
        if (folder / LOCK).is_file():  # only a folder a batch has held has one: nothing is created here
            with store._locked(resume):
                pass
        store._refuse(scenario_sha256, resume)

    @classmethod
    @contextlib.contextmanager
    def writing(
        cls,
        folder: Path,
        manifest: dict[str, Any],
        points: pd.DataFrame,
        resume: bool = False,
        make_parent: bool = False,
    ) -> Iterator[BatchStore]:
        """Hold ``folder`` as its only writer for the block: a new batch there, or the one to resume.

        A new batch needs a new or empty folder, or one a batch was stopped in before its manifest
        was written. Resuming needs a batch of the same scenario (``manifest``'s hash), or such an
        unstarted folder. The folder's lock is taken first, so a second writer is refused rather
        than writing the same runs again; then what killed writers left is cleared: temporary files,
        hidden parts, and damaged chunks, which are set aside in ``DIR/damaged/`` so that their runs
        are run again, as is a damaged ``points.parquet`` (written again from ``points``).

        ``make_parent`` creates the parent folder first (the CLI's default ``results/``).
        """
        folder = Path(folder)
        cls.check_writable(folder, manifest.get("scenario_sha256", ""), resume, make_parent)
        if make_parent:
            folder.parent.mkdir(exist_ok=True)
        folder.mkdir(exist_ok=True)
        store = cls(folder)
        with store._locked(resume):
            store._refuse(manifest.get("scenario_sha256", ""), resume)  # again: it may have changed before the lock
            for written in (store.manifest_path, folder / POINTS):
                remove_stale_temporaries(written)
            store._settle_pending_parts()
            if store.manifest_path.exists():
                store.set_aside += store._repair(points)
            else:
                store._start(manifest, points)
            yield store

    @classmethod
    def existing(cls, folder: Path, field: str | None = None) -> BatchStore:
        """A folder a batch was written to, its manifest's fields checked; anything else is refused clearly."""
        store = cls(Path(folder))
        kind = store._raw_manifest(field).get("kind")
        if kind != cls.KIND:
            raise InputError(
                f"is not a batch (its manifest's kind is {kind!r}, e.g. a 'sahelsim run' folder); "
                "expected a folder written by 'sahelsim batch'",
                path=folder,
                field=field,
            )
        store.manifest()
        return store

    def manifest(self) -> dict[str, Any]:
        """The manifest as it is on disk, the types of its fields checked (see :class:`Manifest`)."""
        data = self._raw_manifest()
        try:
            validate(Manifest, data, self.manifest_path)
        except InputError as error:
            raise InputError(
                f"{error.problem}; expected a manifest as 'sahelsim batch' writes it",
                path=error.path,
                field=error.field,
            ) from None
        return data

    def done_runs(self) -> set[int]:
        """Runs whose chunk was committed."""
        return set().union(*self._owners().values())

    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write one finished chunk so that no reader ever sees a part of an uncommitted chunk.

        The parts are written hidden, then the ``runs`` part (the commit), then the parts are
        renamed into view. A write that fails (a full disk) removes the chunk's hidden parts: the
        chunks before it stay whole, and a resumed batch runs this one again.
        """
        runs = tables["runs"]["run"]
        first, last = int(runs.min()), int(runs.max())
        name = f"part-{first:07d}-{last:07d}.parquet"
        data = [table for table in self.TABLES if table != "runs"]
        pending = [self.folder / table / f"{PENDING}{name}" for table in data]
        size = sum(int(frame.memory_usage(deep=True).sum()) for frame in tables.values())
        with disk_full_guard(
            self.folder,
            f"the chunk of runs {first}-{last} (about {size / 1e6:.1f} MB of tables)",
            f"that chunk was not kept and the runs finished before it are; free some space and finish "
            f"the batch with: sahelsim batch --resume {self.folder}",
        ):
            try:
                for table, path in zip(data, pending, strict=True):
                    write_parquet(tables[table], path)
                write_parquet(tables["runs"], self.folder / "runs" / name)
            except BaseException:
                for path in pending:
                    path.unlink(missing_ok=True)
                raise
        for path in pending:
            os.replace(path, path.with_name(name))

    def update_status(self, state: str, done: set[int], total: int, **extra: Any) -> None:
        """Record in the manifest how far the batch is (``state``, the runs done, anything ``extra``)."""
        manifest = self.manifest()
        manifest["status"] = {
            "state": state,
            "runs_done": len(done),
            "runs_total": total,
            "done": _ranges(done),
            **extra,
        }
        with disk_full_guard(
            self.manifest_path,
            "the batch's status",
            f"the finished runs are kept; free some space and finish the batch with: "
            f"sahelsim batch --resume {self.folder}",
        ):
            write_json(manifest, self.manifest_path)

    def read(self, table: str) -> pd.DataFrame:
        """A whole table's committed runs, each once, in run order (whatever the order chunks finished in).

        A chunk killed between its commit and the renames has its part still hidden: read from there.
        """
        owners = self._owners()
        self._check_recorded_runs(set().union(*owners.values()))
        frames = []
        for name, runs in owners.items():
            frame = self._read_file(self._part(table, name), self.COLUMNS[table], f"a part of the {table} table")
            frames.append(frame[frame["run"].isin(runs)])
        if not frames:
            raise InputError(f"holds no finished runs in {table}/", path=self.folder)
        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values("run", kind="stable").reset_index(drop=True)

    def points(self) -> pd.DataFrame:
        """The sweep points, indexed by point."""
        return self._read_file(self.folder / POINTS, ("point",), "the sweep points").set_index("point")

    def scenario(self) -> LoadedScenario:
        """The scenario the batch ran, as its manifest records it (the file may have changed since)."""
        return LoadedScenario.from_record(self.manifest(), self.manifest_path)

    def tension(self, point: int | None = None) -> pd.DataFrame:
        """The weekly tension of every run, or of the runs of one sweep point."""
        tension = self.read("tension")
        if point is None:
            return tension
        chosen = tension[tension["point"] == point]
        if chosen.empty:
            raise InputError(
                f"has no runs at sweep point {point}; expected a point from 0 to {tension['point'].max()}",
                path=self.folder,
                field="--point",
            )
        return chosen

    def _check_recorded_runs(self, committed: set[int]) -> None:
        """Refuse a batch whose manifest records as done runs that no ``runs`` part holds.

        A chunk's status is recorded after its ``runs`` part is written, so only a removed part
        gives such runs; reading on would count the batch short without a word.
        """
        status = self.manifest().get("status")
        missing = _parsed_ranges(status["done"]) - committed if status else set()
        if missing:
            raise InputError(
                f"holds no part with the runs {_ranges(missing)}, which its manifest records as done (was a part "
                f"removed?); expected a part of the runs table for each; {RESUME_ADVICE.format(folder=self.folder)}",
                path=self.folder / "runs",
            )

    def _raw_manifest(self, field: str | None = None) -> dict[str, Any]:
        """The manifest's JSON object, unchecked."""
        expected = "expected a folder written by 'sahelsim batch'"
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problem = "holds no batch manifest.json" if self.folder.is_dir() else "does not exist"
            raise InputError(f"{problem}; {expected}", path=self.folder, field=field) from None
        except (OSError, ValueError):  # a folder in its place, bytes that are not UTF-8 JSON
            data = None
        if not isinstance(data, dict):
            raise InputError(
                f"has a manifest.json that is not a JSON object; {expected}", path=self.folder, field=field
            )
        return data

    @contextlib.contextmanager
    def _locked(self, resume: bool) -> Iterator[None]:
        """Hold the folder's lock for the block; refuse if another writer holds it.

        The kernel releases the lock when its process ends, even by SIGKILL: a stale lock file
        never blocks a batch.
        """
        lock = filelock.FileLock(self.folder / LOCK, timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise InputError(
                f"is being written by another 'sahelsim batch' (which holds its {LOCK}); wait for it to end, "
                f"or stop it and finish the batch with: sahelsim batch --resume {self.folder}",
                path=self.folder,
                field="--resume" if resume else "--out",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _refuse(self, scenario_sha256: str, resume: bool) -> None:
        """Refuse a folder that this batch may not write (see :meth:`writing`)."""
        folder, field = self.folder, "--resume" if resume else "--out"
        if not folder.exists():
            if resume:
                raise InputError(
                    "does not exist; expected a folder written by 'sahelsim batch'", path=folder, field=field
                )
            return
        if not folder.is_dir():
            raise InputError("exists and is not a folder; expected a batch folder", path=folder, field=field)
        if self.manifest_path.exists() and resume:
            recorded = self.existing(folder, field).manifest()["scenario_sha256"]
            if recorded != scenario_sha256:
                raise InputError(
                    f"was run from another scenario (hash {recorded[:12]}, this one {scenario_sha256[:12]}); "
                    f"resume it with the scenario it was started with, or with --resume {folder} alone",
                    path=folder,
                    field=field,
                )
        elif self.manifest_path.exists() or not self._unstarted():
            raise InputError(
                "is not empty; a new batch needs a new or empty folder (use --resume to finish a batch)"
                if not resume
                else "holds no batch manifest.json; expected a folder written by 'sahelsim batch'",
                path=folder,
                field=field,
            )

    def _unstarted(self) -> bool:
        """Whether the folder holds only what a batch killed before its manifest was written leaves.

        That is the lock, the sweep points, table folders with hidden files only (no committed
        part) and the temporary files of the manifest and points: nothing of it counts.
        """
        leftovers = {
            LOCK,
            POINTS,
            *(p.name for p in (*temporaries_of(self.manifest_path), *temporaries_of(self.folder / POINTS))),
        }
        for entry in self.folder.iterdir():
            if entry.name in self.TABLES and entry.is_dir():
                if any(not part.name.startswith(".") for part in entry.iterdir()):
                    return False
            elif entry.name not in leftovers:
                return False
        return True

    def _start(self, manifest: dict[str, Any], points: pd.DataFrame) -> None:
        """Write a new batch's folders, points and, last, its manifest (which makes it a batch)."""
        for table in self.TABLES:
            (self.folder / table).mkdir(exist_ok=True)
        with disk_full_guard(
            self.folder,
            "the new batch's sweep points and manifest",
            "no run was started; free some space and start the batch again",
        ):
            write_parquet(points.reset_index(), self.folder / POINTS)
            write_json(manifest, self.manifest_path)

    def _repair(self, points: pd.DataFrame) -> list[Path]:
        """Set aside the damaged chunks and points of a batch to resume; returns the files moved.

        A chunk with a part that is missing, unreadable or lacks a table's columns is set aside
        whole (its ``runs`` part first, which uncommits it), so its runs are run again; damaged
        points are written again from the scenario's sweep (they depend on nothing else).
        """
        moved = []
        for table in self.TABLES:  # a removed table folder: every chunk lacks its part
            (self.folder / table).mkdir(exist_ok=True)
        for name in self._committed():
            if any(_damage(self._part(table, name), self.COLUMNS[table]) for table in self.TABLES):
                for table in ("runs", *self.TABLES[:-1]):
                    for part in (self.folder / table / name, self.folder / table / f"{PENDING}{name}"):
                        if part.exists():
                            moved.append(self._move_aside(part))
        path, expected = self.folder / POINTS, points.reset_index()
        if _damage(path, list(expected.columns)) or not pd.read_parquet(path).equals(expected):
            if path.exists():
                moved.append(self._move_aside(path))
            with disk_full_guard(path, "the sweep points", "no run was started; free some space and resume again"):
                write_parquet(expected, path)
        return moved

    def _move_aside(self, path: Path) -> Path:
        """Move a damaged file to ``DIR/damaged/`` (same place within), under a new name if one is there."""
        relative = path.relative_to(self.folder)
        target = self.folder / DAMAGED / relative
        copies = 0
        while target.exists():
            copies += 1
            target = target.with_name(f"{relative.name}.{copies}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return target

    def _read_file(self, path: Path, columns: tuple[str, ...] | list[str], what: str) -> pd.DataFrame:
        """A Parquet file of the batch, or a refusal naming it and saying how to repair it."""
        problem = _damage(path, columns)
        if problem is None:
            try:
                return pd.read_parquet(path)
            except (OSError, pa.ArrowException) as error:
                problem = f"is damaged ({' '.join(str(error).split())})"
        raise InputError(
            f"{problem}; expected {what} written by 'sahelsim batch'; {RESUME_ADVICE.format(folder=self.folder)}",
            path=path,
        )

    def _part(self, table: str, name: str) -> Path:
        """Where a committed chunk's part of ``table`` is: in view, or still hidden after a kill."""
        visible, hidden = self.folder / table / name, self.folder / table / f"{PENDING}{name}"
        return hidden if hidden.exists() and not visible.exists() else visible

    def _owners(self) -> dict[str, set[int]]:
        """The runs of each committed chunk, each run given to the first chunk (by name) that holds it.

        Chunks overlap only when two writers ran at once (versions without the lock) or parts were
        copied by hand; a run's results depend only on its index, so counting each run once loses
        nothing.
        """
        owners: dict[str, set[int]] = {}
        seen: set[int] = set()
        for name in self._committed():
            frame = self._read_file(self.folder / "runs" / name, self.COLUMNS["runs"], "a part of the runs table")
            runs = set(frame["run"].tolist())
            owners[name] = runs - seen
            seen |= runs
        return owners

    def _committed(self) -> list[str]:
        """Names of the parts of committed chunks (those with a ``runs`` part)."""
        return sorted(part.name for part in (self.folder / "runs").glob("part-*.parquet"))

    def _settle_pending_parts(self) -> None:
        """After a kill: rename the hidden parts of committed chunks into view, remove the rest.

        The rest is every other hidden file: pending parts of uncommitted chunks and temporary
        files of a killed write. A visible part of a chunk without its ``runs`` part is set aside
        (see :meth:`_move_aside`): its runs are run again.
        """
        committed = set(self._committed())
        for table in self.TABLES:
            folder = self.folder / table
            if not folder.is_dir():
                continue
            for part in folder.glob(f"{PENDING}part-*.parquet"):
                name = part.name.removeprefix(PENDING)
                if name in committed:
                    os.replace(part, part.with_name(name))
            for leftover in folder.glob(".*"):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
            for part in folder.glob("part-*.parquet"):
                if part.name not in committed:  # its runs part was removed, or a version before pending parts
                    self.set_aside.append(self._move_aside(part))


def _damage(path: Path, columns: tuple[str, ...] | list[str]) -> str | None:
    """Why the Parquet file at ``path`` cannot be read as a table with ``columns``; None when it can.

    Its footer is read (a file emptied, cut short or replaced by other bytes has none), not its data.
    """
    if not path.is_file():
        return "is missing"
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException) as error:
        return f"is not a readable Parquet file ({' '.join(str(error).split())})"
    missing = [column for column in columns if column not in names]
    return f"lacks the columns {missing}" if missing else None


PENDING = ".pending-"  # prefix of a part written but not yet committed: hidden from globs


def _parsed_ranges(text: str) -> set[int]:
    """The run indices of a text that :func:`_ranges` wrote: '0-2,5' is {0, 1, 2, 5}."""
    runs: set[int] = set()
    for span in filter(None, text.split(",")):
        first, _, last = span.partition("-")
        runs.update(range(int(first), int(last or first) + 1))
    return runs


def _ranges(runs: set[int]) -> str:
    """Compact text of a set of run indices: '0-99,200-249'."""
    ordered = sorted(runs)
    spans, start = [], None
    for i, run in enumerate(ordered):
        if start is None:
            start = run
        if i + 1 == len(ordered) or ordered[i + 1] != run + 1:
            spans.append(f"{start}-{run}" if run != start else f"{run}")
            start = None
    return ",".join(spans)
