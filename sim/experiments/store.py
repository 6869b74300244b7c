"""The batch store: a manifest of what produced a result, and Parquet tables by chunk of runs.

Every file is written through :mod:`sim.core.io`, so a reader never sees a half-written
part and an interrupted batch keeps every finished chunk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

import mesa
import pandas as pd

import sim
from sim.core.errors import InputError
from sim.core.io import require_parent, write_json, write_parquet
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
        "run_seeds": "numpy.random.SeedSequence(seed, spawn_key=(run,)); run = point * replicates + replicate",
        "parameters": dataclasses.asdict(resolve_parameters(spec.parameters)),
        "versions": provenance(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


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
    which :meth:`open` removes (or, if its ``runs`` part was written, renames) before resuming.
    """

    TABLES = ("tension", "metrics", "counts", "runs")  # "runs" last: it commits a chunk
    KIND = "sahelsim batch"  # the manifest's ``kind``

    def __init__(self, folder: Path) -> None:
        """The store in ``folder`` (see :meth:`create`, :meth:`existing` and :meth:`open`)."""
        self.folder = Path(folder)

    @property
    def manifest_path(self) -> Path:
        """Where the manifest is."""
        return self.folder / "manifest.json"

    @classmethod
    def create(
        cls, folder: Path, manifest: dict[str, Any], points: pd.DataFrame, make_parent: bool = False
    ) -> BatchStore:
        """Start a new batch folder; refuse to write into a folder that already holds anything.

        ``make_parent`` creates the parent folder first (the CLI's default ``results/``).
        """
        folder = Path(folder)
        if make_parent:
            folder.parent.mkdir(exist_ok=True)
        require_parent(folder)
        if folder.exists() and any(folder.iterdir()):
            raise InputError(
                "is not empty; a new batch needs a new or empty folder (use --resume to finish a batch)",
                path=folder,
                field="--out",
            )
        folder.mkdir(exist_ok=True)
        store = cls(folder)
        for table in cls.TABLES:
            (folder / table).mkdir()
        write_parquet(points.reset_index(), folder / "points.parquet")
        write_json(manifest, store.manifest_path)
        return store

    @classmethod
    def existing(cls, folder: Path, field: str | None = None) -> BatchStore:
        """A folder a batch was written to; anything else is refused with a clear message."""
        store = cls(Path(folder))
        expected = "expected a folder written by 'sahelsim batch'"
        if not store.manifest_path.is_file():
            raise InputError(f"holds no batch manifest.json; {expected}", path=folder, field=field)
        try:
            kind = store.manifest().get("kind")
        except (ValueError, AttributeError):
            raise InputError(
                f"has a manifest.json that is not a JSON object; {expected}", path=folder, field=field
            ) from None
        if kind != cls.KIND:
            raise InputError(
                f"is not a batch (its manifest's kind is {kind!r}, e.g. a 'sahelsim run' folder); {expected}",
                path=folder,
                field=field,
            )
        missing = [table for table in cls.TABLES if not (store.folder / table).is_dir()]
        if missing:
            raise InputError(f"lacks the table folders {missing}; {expected}", path=folder, field=field)
        return store

    @classmethod
    def open(cls, folder: Path, scenario_sha256: str) -> BatchStore:
        """Reopen a batch to resume it: the scenario must be the one it was started with."""
        store = cls.existing(folder, field="--resume")
        manifest = store.manifest()
        if manifest.get("scenario_sha256") != scenario_sha256:
            raise InputError(
                f"was run from another scenario (hash {manifest.get('scenario_sha256', '?')[:12]}, this one "
                f"{scenario_sha256[:12]}); resume it with the scenario, replicates and sweep it was started with",
                path=folder,
                field="--resume",
            )
        store._settle_pending_parts()
        return store

    def manifest(self) -> dict[str, Any]:
        """The manifest as it is on disk."""
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def done_runs(self) -> set[int]:
        """Runs whose chunk was committed."""
        parts = sorted((self.folder / "runs").glob("part-*.parquet"))
        if not parts:
            return set()
        runs = pd.read_parquet(parts, columns=["run"])  # type: ignore[call-overload]  # the stubs take one path; pyarrow reads a list
        return set(runs["run"].tolist())

    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write one finished chunk so that no reader ever sees a part of an uncommitted chunk.

        The parts are written hidden, then the ``runs`` part (the commit), then the parts are
        renamed into view.
        """
        runs = tables["runs"]["run"]
        name = f"part-{runs.min():07d}-{runs.max():07d}.parquet"
        data = [table for table in self.TABLES if table != "runs"]
        for table in data:
            write_parquet(tables[table], self.folder / table / f"{PENDING}{name}")
        write_parquet(tables["runs"], self.folder / "runs" / name)
        for table in data:
            os.replace(self.folder / table / f"{PENDING}{name}", self.folder / table / name)

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
        write_json(manifest, self.manifest_path)

    def read(self, table: str) -> pd.DataFrame:
        """A whole table's committed runs, in run order (whatever the order chunks finished in).

        A chunk killed between its commit and the renames has its part still hidden: read from there.
        """
        parts = []
        for name in self._committed():
            visible = self.folder / table / name
            parts.append(visible if visible.exists() else self.folder / table / f"{PENDING}{name}")
        if not parts:
            raise InputError(f"holds no finished runs in {table}/", path=self.folder)
        frame = pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)
        return frame.sort_values("run", kind="stable").reset_index(drop=True)

    def points(self) -> pd.DataFrame:
        """The sweep points, indexed by point."""
        return pd.read_parquet(self.folder / "points.parquet").set_index("point")

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

    def _committed(self) -> list[str]:
        """Names of the parts of committed chunks (those with a ``runs`` part)."""
        return sorted(part.name for part in (self.folder / "runs").glob("part-*.parquet"))

    def _settle_pending_parts(self) -> None:
        """After a kill: rename the hidden parts of committed chunks into view, remove the rest.

        The rest is every other hidden file: pending parts of uncommitted chunks and temporary
        files of a killed write.
        """
        committed = set(self._committed())
        for table in self.TABLES:
            for part in (self.folder / table).glob(f"{PENDING}part-*.parquet"):
                name = part.name.removeprefix(PENDING)
                if name in committed:
                    os.replace(part, part.with_name(name))
            for leftover in (self.folder / table).glob(".*"):
                leftover.unlink()
            for part in (self.folder / table).glob("part-*.parquet"):  # written by versions before pending parts
                if part.name not in committed:
                    part.unlink()


PENDING = ".pending-"  # prefix of a part written but not yet committed: hidden from globs


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
