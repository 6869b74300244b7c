"""Import speed and memory on a continent-sized ACLED export (generated, in the real column layout).

Writes a CSV of ``--rows`` rows (default 300,000, about a whole-Africa export) with the 31
columns of ACLED's current export tool, realistic actor names, event types and note lengths,
then runs ``sahelsim events import`` on it in a child process and prints the wall time and
the child's peak resident memory (``getrusage(RUSAGE_CHILDREN)``), then the same for a
``--countries`` selection. Run: ``python benchmarks/bench_import.py [--rows N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
COUNTRIES = [
    ("Mali", "MLI", 466, 17.0, -4.0),
    ("Burkina Faso", "BFA", 854, 12.3, -1.5),
    ("Niger", "NER", 562, 16.0, 8.0),
    ("Mauritania", "MRT", 478, 20.0, -10.0),
    ("Nigeria", "NGA", 566, 9.0, 8.0),
    ("Somalia", "SOM", 706, 5.0, 46.0),
    ("Sudan", "SDN", 729, 15.0, 30.0),
    ("Democratic Republic of Congo", "COD", 180, -2.0, 23.0),
]
ACTORS = [
    "Military Forces of {c} (2021-)",
    "Police Forces of {c} (2021-)",
    "Civilians ({c})",
    "Protesters ({c})",
    "Rioters ({c})",
    "Unidentified Armed Group ({c})",
    "JNIM: Group for Support of Islam and Muslims",
    "Islamic State (Greater Sahara)",
    "Wagner Group",
    "Communal Militia ({c})",
    "Al Shabaab",
    "M23: March 23 Movement",
]
TYPES = [
    ("Battles", "Armed clash", "Political violence"),
    ("Violence against civilians", "Attack", "Political violence"),
    ("Explosions/Remote violence", "Air/drone strike", "Political violence"),
    ("Protests", "Peaceful protest", "Demonstrations"),
    ("Riots", "Mob violence", "Demonstrations"),
    ("Strategic developments", "Looting/property destruction", "Strategic developments"),
    ("Violence against civilians", "Abduction/forced disappearance", "Political violence"),
]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A synthetic export with ACLED's columns and plausible values (no ACLED data)."""
    rng = np.random.default_rng(seed)
    country = rng.integers(0, len(COUNTRIES), rows)
    kind = rng.integers(0, len(TYPES), rows)
    name = np.array([c[0] for c in COUNTRIES], dtype=object)[country]
    dates = np.datetime64("1997-01-01") + rng.integers(0, 10_000, rows).astype("timedelta64[D]")
    actor1 = np.array(
        [
            a.replace("{c}", c)
            for a, c in zip(np.array(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), rows)], name, strict=True)
        ],
        dtype=object,
    )
    actor2 = np.array(
        [
            a.replace("{c}", c)
            for a, c in zip(np.array(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), rows)], name, strict=True)
        ],
        dtype=object,
    )
    actor2[rng.random(rows) < 0.2] = ""
    words = np.array(
        [
            "on",
            "the",
            "in",
            "a",
            "of",
            "near",
            "armed",
            "men",
            "attacked",
            "village",
            "market",
            "reported",
            "killed",
            "residents",
            "said",
            "forces",
        ],
        dtype=object,
    )
    notes = [" ".join(words[rng.integers(0, len(words), n)]) for n in rng.integers(15, 45, rows)]
    columns = {
        "event_id_cnty": [f"{COUNTRIES[c][1]}{i}" for i, c in enumerate(country)],
        "event_date": dates.astype(str),
        "year": dates.astype("datetime64[Y]").astype(int) + 1970,
        "time_precision": rng.choice([1, 1, 1, 2, 3], rows),
        "disorder_type": np.array([t[2] for t in TYPES], dtype=object)[kind],
        "event_type": np.array([t[0] for t in TYPES], dtype=object)[kind],
        "sub_event_type": np.array([t[1] for t in TYPES], dtype=object)[kind],
        "actor1": actor1,
        "assoc_actor_1": np.full(rows, "", dtype=object),
        "inter1": rng.integers(1, 9, rows),
        "actor2": actor2,
        "assoc_actor_2": np.full(rows, "", dtype=object),
        "inter2": rng.integers(0, 9, rows),
        "interaction": rng.integers(10, 88, rows),
        "civilian_targeting": np.full(rows, "", dtype=object),
        "iso": np.array([c[2] for c in COUNTRIES])[country],
        "region": np.full(rows, "Western Africa", dtype=object),
        "country": name,
        "admin1": np.full(rows, "Region", dtype=object),
        "admin2": np.full(rows, "Cercle", dtype=object),
        "admin3": np.full(rows, "Commune", dtype=object),
        "location": np.full(rows, "Town", dtype=object),
        "latitude": np.round(np.array([c[3] for c in COUNTRIES])[country] + rng.normal(0, 1.5, rows), 4),
        "longitude": np.round(np.array([c[4] for c in COUNTRIES])[country] + rng.normal(0, 1.5, rows), 4),
        "geo_precision": rng.integers(1, 4, rows),
        "source": np.full(rows, "Local press; Radio", dtype=object),
        "source_scale": np.full(rows, "National", dtype=object),
        "notes": notes,
        "fatalities": rng.poisson(1.5, rows),
        "tags": np.full(rows, "", dtype=object),
        "timestamp": np.full(rows, 1_700_000_000),
    }
    pacsv.write_csv(pa.table({column: columns[column] for column in COLUMNS}), path)


def measure(arguments: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``python -m sim ARGS`` in a fresh child process.

    A wrapper process runs the import, so the peak it reports is that import's alone.
    """
    wrapper = (
        "import resource, subprocess, sys; "
        "done = subprocess.run([sys.executable, '-m', 'sim', *sys.argv[1:]], capture_output=True, text=True); "
        "sys.stderr.write(done.stderr); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, *arguments], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr)
    return seconds, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated CSV and Parquet in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_import."))
    csv = folder / f"acled_synthetic_{args.rows}.csv"
    started = time.perf_counter()
    generate(csv, args.rows)
    print(
        f"generated {csv} ({args.rows:,} rows, {csv.stat().st_size / 2**20:.0f} MiB) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    for label, extra in (("all countries", []), ("--countries MLI,BFA,NER,MRT", ["--countries", "MLI,BFA,NER,MRT"])):
        seconds, peak = measure(["events", "import", str(csv), "--out", str(folder / "imported.parquet"), *extra])
        print(f"import, {label}: {seconds:.2f} s wall (including interpreter start), peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
