"""The memory a ``sahelsim run`` needs, estimated before it starts, and the memory there is.

``run`` holds every replicate's event and tension tables in memory until it writes them, so
its peak grows with replicates x weeks: the tension table with the pairs of actors taking
part, the event table with the events the rules make each week (about ten, in the shipped
scenarios, whatever their actors). A scenario whose estimate
exceeds what the machine can give is refused by the validation gate, before any replicate
runs, rather than killed by the system halfway. ``sahelsim batch`` streams its runs to disk
and is not limited this way.

The coefficients are measured, not guessed: ``python benchmarks/bench_memory.py --fit``
runs ``sahelsim run`` at a few sizes, records each peak resident memory and fits them; the
result is kept in ``sim/data/memory.yaml``, where it is re-measured when the tables change.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import psutil
from pydantic import BaseModel, ConfigDict, Field

from sim.core.datafiles import PACKAGE_DATA, load_yaml_model

MEMORY_PATH = PACKAGE_DATA / "memory.yaml"


class MemoryModel(BaseModel):
    """Peak memory of a run as a linear function of its size (see ``sim/data/memory.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    base_bytes: int = Field(ge=0, description="the interpreter, the libraries and one figure")
    bytes_per_pair_week: float = Field(ge=0, description="per replicate, week and pair of actors: the tension table")
    bytes_per_week: float = Field(ge=0, description="per replicate and week: the event table")
    available_fraction: float = Field(gt=0, le=1, description="the share of available memory a run may plan to use")

    def run_bytes(self, replicates: int, weeks: int, actors: int) -> int:
        """The estimated peak resident memory of ``sahelsim run`` for a scenario of this size."""
        pairs = actors * (actors - 1) // 2
        per_replicate_week = self.bytes_per_pair_week * pairs + self.bytes_per_week
        return self.base_bytes + round(replicates * weeks * per_replicate_week)

    def limit_bytes(self, available: int) -> int:
        """What a run may use of the ``available`` bytes.

        The fraction leaves room for the estimate's error and for the machine's other programs.
        """
        return int(self.available_fraction * available)


def available_memory() -> int:
    """Bytes of memory a new program can have now: free memory plus the caches the system can drop."""
    return int(psutil.virtual_memory().available)


def size_text(n_bytes: int) -> str:
    """A memory size as people read it: '1.4 GiB', '350 MiB'."""
    return f"{n_bytes / 2**30:.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.0f} MiB"


@lru_cache(maxsize=2)
def memory_model(path: Path = MEMORY_PATH) -> MemoryModel:
    """The measured coefficients (read once)."""
    return load_yaml_model(MemoryModel, path)
