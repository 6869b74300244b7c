"""The fault campaign: the hostile inputs of the original audit, replayed through the real command line.

Each case is a concrete input of one class of the audit (YAML reading, the scenario gate, the
calibration config, dataset import, extraction, damaged batch folders, unknown names, bad options,
outputs that cannot be written), run as a subprocess of the ``sahelsim`` console script with a
timeout, with its expectation explicit: a clean error (exit 2, no traceback, the stated words in
stderr, and nothing written) or a success (exit 0). Prints a Markdown table per class (inputs tried,
clean errors, successes, tracebacks, hangs, and how many ended as expected), then every case that did
not, with the end of its stderr.

Run: ``python benchmarks/fault_campaign.py [--only CLASS] [--keep DIR] [--all]`` (a few minutes; the
extraction cases load spaCy, the 50 MB and 1.2 MB inputs are written into a temporary folder).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "sahel_2024.yaml"
CONFIG = ROOT / "calibration" / "sahel.yaml"
UCDP = ROOT.parent / "shared" / "data" / "ucdp_ged231_sample_sahel.csv"
ARTICLE = ROOT / "tests" / "articles" / "en_mauritania_protest_2024.txt"
ERROR, SUCCESS = "clean error", "success"


@dataclass
class Case:
    """One hostile input: the command's arguments, what it should end in, and what must hold after it."""

    group: str
    name: str
    argv: list[str]
    expect: str = ERROR
    words: str = ""  # what a clean error's message must say
    after: Callable[[], str | None] | None = None  # after a clean error: a problem with what was written, or None
    timeout: float = 120.0
    file_limit: int | None = None  # RLIMIT_FSIZE in bytes: a write past it fails as on a full disk
    result: dict = field(default_factory=dict)


def launcher() -> list[str]:
    """The ``sahelsim`` script of this environment, or ``python -m sim``."""
    script = shutil.which("sahelsim", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "sim"]


def absent(*paths: Path) -> Callable[[], str | None]:
    """After a refusal: none of ``paths`` was written, and no temporary file was left beside them."""

    def check() -> str | None:
        written = [str(p) for p in paths if p.exists()]
        debris = [str(q) for p in paths if p.parent.is_dir() for q in p.parent.glob(f".{p.name}*")]
        return f"written anyway: {written + debris}" if written or debris else None

    return check


def unchanged(path: Path) -> Callable[[], str | None]:
    """After a refusal: the earlier result at ``path`` is as it was (a file's bytes, a folder's listing)."""
    before = _snapshot(path)
    return lambda: None if _snapshot(path) == before else f"{path} was changed"


def _snapshot(path: Path) -> object:
    if path.is_dir():
        return sorted((str(p.relative_to(path)), p.stat().st_size) for p in path.rglob("*"))
    return path.read_bytes() if path.exists() else None


def run(case: Case, cwd: Path) -> None:
    """Run one case; fill in its result: outcome, exit code, seconds, the last lines of stderr, what went wrong."""

    def limit() -> None:
        if case.file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (case.file_limit, case.file_limit))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing

    started = time.perf_counter()
    try:
        done = subprocess.run(
            [*launcher(), *case.argv],
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=case.timeout,
            env={**os.environ, "COLUMNS": "200"},
            preexec_fn=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        case.result = {"outcome": "hang", "code": None, "seconds": case.timeout, "stderr": ""}
        return
    stderr = done.stderr
    if "Traceback" in stderr or done.returncode not in (0, 2):
        outcome = "traceback"
    else:
        outcome = ERROR if done.returncode == 2 else SUCCESS
    problem = None
    if outcome == case.expect == ERROR and case.words and case.words not in " ".join(stderr.split()):
        problem = f"the message does not say {case.words!r}"
    if problem is None and outcome == ERROR and case.after is not None:
        problem = case.after()
    case.result = {
        "outcome": outcome,
        "code": done.returncode,
        "seconds": time.perf_counter() - started,
        "stderr": " ".join(stderr.split())[-400:],
        "problem": problem,
    }


def expected(case: Case) -> bool:
    return case.result["outcome"] == case.expect and not case.result.get("problem")


# --- the inputs ---------------------------------------------------------------------------------------------


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)  # type: ignore[operator]
    return path


def scenario_with(w: Path, name: str, old: str, new: str) -> Path:
    """The shipped sahel_2024 scenario with one text replaced, beside it (its relative paths resolve)."""
    text = SCENARIO.read_text(encoding="utf-8")
    assert old in text, old
    return write(w / "scenarios" / f"{name}.yaml", text.replace(old, new, 1))


def yaml_cases(w: Path) -> list[Case]:
    d = w / "scenarios"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)
    )
    write(d / "cycle_a.yaml", "extends: cycle_b.yaml\nname: cycle_a\n")
    write(d / "cycle_b.yaml", "extends: cycle_a.yaml\nname: cycle_b\n")
    for i in range(20):
        write(d / f"chain_{i}.yaml", f"extends: {f'chain_{i + 1}.yaml' if i < 19 else 'sahel_2024.yaml'}\nname: c{i}\n")
    loop = d / "loop.yaml"
    if not loop.is_symlink():
        loop.symlink_to("loop.yaml")
    big = d / "big.yaml"
    with big.open("w") as handle:
        handle.write("name: big\ndescription: >-\n")
        for _ in range(50 * 1024):
            handle.write("  " + "x" * 1021 + "\n")
    (d / "a_folder.yaml").mkdir(exist_ok=True)
    files = {
        "deep nesting, 10,000 lists": (write(d / "deep.yaml", "[" * 10_000 + "]" * 10_000), "nests deeper than 32"),
        "deep nesting, 10,000 mappings": (
            write(d / "deep_map.yaml", "a: " + "{a: " * 10_000 + "1" + "}" * 10_000),
            "nests deeper than 32",
        ),
        "alias bomb": (write(d / "bomb.yaml", bomb), "expands (through its aliases)"),
        "alias bomb and a duplicate key": (write(d / "bomb_dup.yaml", bomb + "a: 1\n"), "expands"),
        "alias inside its own anchor": (
            scenario_with(w, "alias_cycle", "key_pairs:", "key_pairs: &k [*k]\nold_key_pairs:"),
            "contains itself through an alias",
        ),
        "extends itself": (write(d / "self.yaml", "extends: self.yaml\nname: self\n"), "comes back to a file"),
        "extends cycle of two": (d / "cycle_a.yaml", "comes back to a file already in the chain"),
        "extends chain of 20": (d / "chain_0.yaml", "is over 16 long"),
        "extends a missing file": (write(d / "orphan.yaml", "extends: nowhere.yaml\nname: o\n"), "file not found"),
        "!!int on a word": (scenario_with(w, "tag_int", "seed: 20240101", "seed: !!int x"), "cannot be read as int"),
        "!!timestamp on a word": (
            scenario_with(w, "tag_ts", "start: 2024-01-01", "start: !!timestamp soon"),
            "cannot be read as timestamp",
        ),
        "!!python/object tag": (
            scenario_with(w, "tag_py", "name: sahel_2024", "name: !!python/object/apply:os.system [echo pwned]"),
            "malformed YAML",
        ),
        "an unknown local tag": (scenario_with(w, "tag_local", "name: sahel_2024", "name: !mine x"), "malformed YAML"),
        "a list as a key": (write(d / "list_key.yaml", "? [a, b]\n: 1\n"), "a key is a list or a mapping"),
        "a key given twice": (
            scenario_with(w, "twice", "seed: 20240101", "seed: 20240101\nseed: 7"),
            "is given twice in the same mapping",
        ),
        "a date that does not exist": (
            scenario_with(w, "feb30", "start: 2024-01-01", "start: 2024-02-30"),
            "is not a real date",
        ),
        "self-referencing symlink": (loop, "cannot be read"),
        "a 50 MB file": (big, "is larger than 1,000,000 bytes"),
        "not UTF-8": (write(d / "latin1.yaml", b"name: caf\xe9\n"), "is not UTF-8 text"),
        "empty file": (write(d / "empty.yaml", ""), "expected a mapping of fields at the top level"),
        "a folder": (d / "a_folder.yaml", "is a folder"),
        "a missing file": (d / "missing.yaml", "file not found"),
        "truncated mid-line": (
            write(d / "cut.yaml", SCENARIO.read_text(encoding="utf-8")[:1500].rsplit("\n", 1)[0] + "\n  - {pair: [ma"),
            "malformed YAML",
        ),
    }
    cases = [Case("YAML reading", name, ["validate", str(path)], words=words) for name, (path, words) in files.items()]
    cases.append(Case("YAML reading", "the shipped scenario (control)", ["validate", str(SCENARIO)], SUCCESS))
    return cases


def gate_cases(w: Path) -> list[Case]:
    (w / "scenarios" / "events_folder").mkdir(exist_ok=True)
    changes = {
        "magnitude .inf": (("magnitude: 24", "magnitude: .inf"), "got inf; input should be a finite number"),
        "magnitude 1e308": (("magnitude: 24", "magnitude: 1.0e+308"), "less than or equal to 1000000"),
        "a parameter .nan": (("parameters: {}", "parameters: {tension_scale: .nan}"), "finite number"),
        "a relation's trade .inf": (("trade: 0.8", "trade: .inf"), "finite number"),
        "end 9999-12-31": (("end: 2025-12-31", "end: 9999-12-31"), "expected a date from 1960-01-01 to 2100-12-31"),
        "start 0001-01-01": (("start: 2024-01-01", "start: 0001-01-01"), "expected a date from 1960-01-01"),
        "replicates 1e9": (("replicates: 40", "replicates: 1000000000"), "less than or equal to 10000"),
        "seed 2**64": (("seed: 20240101", "seed: 18446744073709551616"), "less than or equal to 9223372036854775807"),
        "name '..'": (("name: sahel_2024", "name: '..'"), "cannot name the results folder"),
        "name 'a/b'": (("name: sahel_2024", "name: a/b"), "cannot name the results folder"),
        "documented_events missing": (
            ("documented_events: ../calibration/events.csv", "documented_events: nowhere.csv"),
            "which does not exist",
        ),
        "documented_events a folder": (
            ("documented_events: ../calibration/events.csv", "documented_events: events_folder"),
            "which is a folder",
        ),
        "parameter_set not a fitted set": (
            ("parameter_set: ../calibration/fitted/sahel.yaml", "parameter_set: ../calibration/sahel.yaml"),
            "is required but missing",
        ),
        "a shock outside the period": (("date: 2024-07-25", "date: 2026-07-25"), "lies outside the period"),
        "a relation of an actor with itself": (
            ("pair: [mali, mauritania]", "pair: [mali, mali]"),
            "needs two different actors",
        ),
    }
    cases = []
    for i, (name, ((old, new), words)) in enumerate(changes.items()):
        path = scenario_with(w, f"gate_{i}", old, new)
        cases.append(Case("scenario gate", name, ["validate", str(path)], words=words))
    short = write(w / "scenarios" / "short.yaml", f"extends: {SCENARIO}\nname: short\nend: 2024-08-31\nreplicates: 1\n")
    out = w / "out" / "short_run"
    cases.append(Case("scenario gate", "a short run (control)", ["run", str(short), "--out", str(out)], SUCCESS))
    return cases


def calibration_cases(w: Path) -> list[Case]:
    c = w / "calibration"
    c.mkdir(exist_ok=True)
    for name in ("events.csv",):
        shutil.copy(ROOT / "calibration" / name, c / name)
    text = CONFIG.read_text(encoding="utf-8")
    changes = {
        "window_weeks .inf": (("window_weeks: 26", "window_weeks: .inf"), "got inf"),
        "window_weeks 1e308": (("window_weeks: 26", "window_weeks: 1.0e+308"), "less than or equal to 7400"),
        "a weight .inf": (("window_weeks: 26", "window_weeks: 26\n    weight: .inf"), "got inf"),
        "until 9999-12-31": (("events: events.csv", "events: events.csv\nuntil: 9999-12-31"), "expected a date"),
        "events a folder": (("events: events.csv", "events: ."), "which is a folder"),
        "events missing": (("events: events.csv", "events: nowhere.csv"), "which does not exist"),
        "a prior outside its range": (("restore_base: null", "restore_base: {low: -99, high: 0}"), "leaves its range"),
        "deep nesting": (("fit:", "nested: " + "[" * 5000 + "]" * 5000 + "\nfit:"), "nests deeper than 32"),
        "alias inside its own anchor": (("fit:", "loop: &l [*l]\nfit:"), "contains itself through an alias"),
    }
    cases = []
    for i, (name, ((old, new), words)) in enumerate(changes.items()):
        assert old in text, old
        path = write(c / f"config_{i}.yaml", text.replace(old, new, 1).replace("../scenarios/", f"{ROOT}/scenarios/"))
        cases.append(
            Case("calibration config", name, ["report", str(path), "--out", str(w / "out" / "cal")], words=words)
        )
    cases.append(
        Case(
            "calibration config",
            "the shipped config, nothing fitted there (control)",
            ["report", str(CONFIG), "--out", str(w / "out" / "cal")],
            words="holds no sahel.yaml",
        )
    )
    return cases


ACLED_HEADER = [
    *("event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor2"),
    *("country", "location", "latitude", "longitude", "fatalities", "notes", "timestamp"),
]
ACLED_ROW = [  # invented, in ACLED's columns (ACLED's terms do not allow committing its data)
    *("SYN001", "2021-02-03", "2021", "1", "Battles", "Armed clash", "Military Forces of Mali (2021-)"),
    *("JNIM: Group for Support of Islam and Muslims", "Mali", "Town A", "14.5", "-4.2", "3", "Invented.", "1700000000"),
]


def acled(path: Path, *changes: dict[str, str], notes: str = "Invented.") -> Path:
    """An invented export: one row per mapping of changes (column -> value) to the row above."""
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(ACLED_HEADER)
    for number, change in enumerate(changes or ({},)):
        row = dict(zip(ACLED_HEADER, ACLED_ROW, strict=True)) | {"event_id_cnty": f"SYN{number:03d}", "notes": notes}
        writer.writerow([(row | change)[column] for column in ACLED_HEADER])
    return write(path, handle.getvalue())


def dataset_cases(w: Path) -> list[Case]:
    d, out = w / "datasets", w / "out"
    d.mkdir(exist_ok=True)
    ok = acled(d / "ok.csv")
    inputs = {
        "a date in year 1": (acled(d / "y1.csv", {"event_date": "0001-01-01"}), "expected a date from"),
        "a date in year 9999": (acled(d / "y9999.csv", {"event_date": "9999-12-31"}), "expected a date from"),
        "fatalities 1e19": (acled(d / "f19.csv", {"fatalities": "10000000000000000000"}), "expected a whole number"),
        "fatalities 1e300": (acled(d / "f300.csv", {"fatalities": "1e300"}), "expected a whole number"),
        "an empty event_id_cnty": (acled(d / "noid.csv", {"event_id_cnty": ""}), "expected an event id"),
        "one id, two contents": (
            acled(d / "conflict.csv", {"event_id_cnty": "X1"}, {"event_id_cnty": "X1", "fatalities": "9"}),
            "but differ",
        ),
        "non-UTF-8 after 64 KB": (
            write(d / "late_latin1.csv", acled(d / "long.csv", notes="x" * 70_000).read_bytes()[:-3] + b"\xe9\n"),
            "which is not UTF-8",
        ),
        "a tiny gzip": (write(d / "tiny.csv.gz", gzip.compress(ok.read_bytes())), "is a gzip archive"),
        "a header only": (write(d / "header.csv", ",".join(ACLED_HEADER) + "\n"), "holds a header but no events"),
        "an empty file": (write(d / "empty.csv", ""), "is empty"),
        "a ragged row": (write(d / "ragged.csv", ok.read_text() + "SYN9,2021-01-01\n"), "values where the header has"),
    }
    cases = [
        Case("dataset import", name, ["events", "import", str(path), "--out", str(out / f"{i}.parquet")], words=words)
        for i, (name, (path, words)) in enumerate(inputs.items())
    ]
    for case, i in zip(cases, range(len(cases)), strict=True):
        case.after = absent(out / f"{i}.parquet")
    cases += [
        Case(
            "dataset import",
            "timestamps that overflow (1e30, -1e30): bad optional values, counted",
            ["events", "import", str(acled(d / "ts.csv", {"timestamp": "1e30"}, {"timestamp": "-1e30"})), "--out"]
            + [str(out / "ts.parquet")],
            SUCCESS,
        ),
        Case(
            "dataset import",
            "--since after --until",
            ["events", "import", str(ok), "--out", str(out / "s.parquet"), "--since", "2024-01-01"]
            + ["--until", "2023-01-01"],
            words="expected a first day on or before the last",
            after=absent(out / "s.parquet"),
        ),
        Case(
            "dataset import",
            "--since year 1, --until year 9999",
            ["events", "import", str(ok), "--out", str(out / "wide.parquet"), "--since", "0001-01-01"]
            + ["--until", "9999-12-31"],
            SUCCESS,
        ),
        Case(
            "dataset import",
            "--out a folder",
            ["events", "import", str(ok), "--out", str(d)],
            words="is a folder",
        ),
        Case(
            "dataset import",
            "--out in a folder that cannot be written (/proc)",
            ["events", "import", str(ok), "--out", "/proc/sahelsim.parquet"],
            words="cannot be written there",
        ),
        Case(
            "dataset import",
            "--out where the disk fills (8 KB file size limit)",
            ["events", "import", str(ok), "--out", str(out / "full.parquet")],
            words="could not be written",
            file_limit=8192,
            after=absent(out / "full.parquet"),
        ),
        Case(
            "dataset import",
            "invented ACLED rows (control)",
            ["events", "import", str(ok), "--out", str(out / "a.parquet")],
            SUCCESS,
        ),
    ]
    if UCDP.is_file():
        cases.append(
            Case(
                "dataset import",
                "the real UCDP sample (control)",
                ["events", "import", str(UCDP), "--out"] + [str(out / "u.parquet")],
                SUCCESS,
            )
        )
    return cases


def extraction_cases(w: Path) -> list[Case]:
    d, out = w / "articles", w / "out"
    d.mkdir(exist_ok=True)
    body = ARTICLE.read_text(encoding="utf-8")
    repeats = 1_300_000 // (len(body) + 1) + 1  # over 1.2 MB: read in pieces, as spaCy reads at most 1,000,000
    long_article = write(d / "long.txt", "\n".join([body.strip()] * repeats) + "\n")
    return [
        Case(
            "extraction",
            f"an article of {long_article.stat().st_size / 1e6:.1f} MB",
            ["extract", str(long_article), "--out", str(out / "long.csv")],
            SUCCESS,
            timeout=900,
        ),
        Case(
            "extraction",
            "--out a folder",
            ["extract", str(ARTICLE), "--out", str(write_dir(d / "o.csv"))],
            words="is a folder",
        ),
        Case(
            "extraction",
            "--out of another suffix",
            ["extract", str(ARTICLE), "--out", str(out / "c.txt")],
            words="has suffix",
        ),
        Case(
            "extraction",
            "not UTF-8",
            ["extract", str(write(d / "latin.txt", b"Le Mali a \xe9t\xe9"))],
            words="is not UTF-8",
        ),
        Case(
            "extraction",
            "a binary file",
            ["extract", str(write(d / "bin.txt", b"\x00\x01\x02"))],
            words="is a binary file",
        ),
        Case("extraction", "an empty article", ["extract", str(write(d / "empty.txt", "  \n"))], words="is empty"),
        Case(
            "extraction",
            "an article over 5 MB",
            ["extract", str(write(d / "huge.txt", "Mali.\n" * 900_000))],
            words="expected a news article of at most",
        ),
        Case(
            "extraction",
            "a date marker that does not parse",
            ["extract", str(write(d / "marker.txt", "date 2024-02-30\nMali and Mauritania.\n"))],
            words="does not parse",
        ),
        Case(
            "extraction",
            "a shipped article (control)",
            ["extract", str(ARTICLE), "--out", str(out / "ok.csv")],
            SUCCESS,
        ),
    ]


def write_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def batch_cases(w: Path) -> list[Case]:
    """Damaged copies of one small batch, through summary, plot and batch --resume."""
    short = write(w / "scenarios" / "batch.yaml", f"extends: {SCENARIO}\nname: b\nend: 2024-08-31\nreplicates: 2\n")
    clean = w / "batches" / "clean"
    clean.parent.mkdir(exist_ok=True)
    if not clean.exists():
        subprocess.run(
            [*launcher(), "batch", str(short), "--workers", "1", "--out", str(clean)], check=True, capture_output=True
        )

    def damaged(name: str, damage: Callable[[Path], None]) -> Path:
        folder = w / "batches" / name
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(clean, folder)
        damage(folder)
        return folder

    def manifest(change: dict) -> Callable[[Path], None]:
        def apply(folder: Path) -> None:
            record = json.loads((folder / "manifest.json").read_text())
            (folder / "manifest.json").write_text(json.dumps(record | change))

        return apply

    part = "runs/part-0000000-0000000.parquet"
    damages = {
        "a garbage parquet part": lambda f: (f / part).write_bytes(b"not parquet at all"),
        "an empty parquet part": lambda f: (f / part).write_bytes(b""),
        "a removed parquet part": lambda f: (f / part).unlink(),
        "manifest hash null": manifest({"scenario_sha256": None}),
        "manifest hash a number": manifest({"scenario_sha256": 12345}),
        "manifest not JSON": lambda f: (f / "manifest.json").write_text("{not json"),
        "manifest removed": lambda f: (f / "manifest.json").unlink(),
    }
    cases = []
    for name, damage in damages.items():
        for command in ("summary", "plot", "resume"):
            folder = damaged(f"{name.replace(' ', '_')}-{command}", damage)
            argv = (
                ["batch", str(short), "--workers", "1", "--resume", str(folder)]
                if command == "resume"
                else [command, str(folder)]
            )
            # --resume moves a damaged part aside and runs its chunk again; readers refuse every damage, and
            # a damaged manifest is refused by all three, with nothing rewritten
            expect = SUCCESS if (command == "resume" and "parquet part" in name) else ERROR
            cases.append(
                Case(
                    "damaged batch folder",
                    f"{command}: {name}",
                    argv,
                    expect,
                    after=None if expect == SUCCESS else unchanged(folder),
                )
            )
    return cases


def name_cases(w: Path) -> list[Case]:
    clean = w / "batches" / "clean"
    config = write(
        w / "calibration" / "unknown_param.yaml",
        CONFIG.read_text(encoding="utf-8")
        .replace("restore_base: null", "restore_bas: null")
        .replace("../scenarios/", f"{ROOT}/scenarios/"),
    )
    return [
        Case(
            "unknown names",
            "events --actor atlantis",
            ["events", "--actor", "atlantis"],
            words="unknown actor 'atlantis'",
        ),
        Case(
            "unknown names",
            "an unknown actor in a scenario",
            ["validate", str(scenario_with(w, "n1", "actors: [mali,", "actors: [mail,"))],
            words="did you mean 'mali'",
        ),
        Case(
            "unknown names",
            "an unknown shock kind",
            ["validate", str(scenario_with(w, "n2", "kind: attack", "kind: atack"))],
            words="unknown shock kind 'atack'",
        ),
        Case(
            "unknown names",
            "an unknown parameter",
            ["validate", str(scenario_with(w, "n3", "parameters: {}", "parameters: {tension_scal: 1}"))],
            words="unknown parameter 'tension_scal'",
        ),
        Case(
            "unknown names",
            "an unknown key pair",
            ["validate", str(scenario_with(w, "n4", "key_pairs:", "key_pairs:\n  - [mali, atlantis]\nold:"))],
            words="unknown actor 'atlantis'",
        ),
        Case(
            "unknown names",
            "an unknown fitted parameter in a config",
            ["report", str(config), "--out", str(w / "out" / "cal2")],
            words="unknown parameter 'restore_bas'",
        ),
        Case(
            "unknown names",
            "plot --metric peak_tensoin",
            ["plot", str(clean), "--metric", "peak_tensoin"],
            words="did you mean 'peak_tension'",
        ),
        Case(
            "unknown names",
            "plot --metric of an unknown pair",
            ["plot", str(clean), "--metric", "peak_tension:mali-atlantis"],
            words="unknown actor 'atlantis'",
        ),
        Case(
            "unknown names",
            "app --scenario sahel_2042",
            ["app", "--scenario", "sahel_2042", "--port", "1"],
            words="unknown scenario 'sahel_2042'",
        ),
    ]


def option_cases(w: Path) -> list[Case]:
    ok = w / "datasets" / "ok.csv"
    existing = write(w / "out" / "a_file", "keep me")
    return [
        Case("bad options", "run --replicates 0", ["run", str(SCENARIO), "--replicates", "0"]),
        Case("bad options", "run --seed -1", ["run", str(SCENARIO), "--seed", "-1"]),
        Case(
            "bad options",
            "batch --executor dsak",
            ["batch", str(SCENARIO), "--executor", "dsak"],
            words="did you mean 'dask'",
        ),
        Case(
            "bad options",
            "batch --method grd",
            ["batch", str(SCENARIO), "--method", "grd"],
            words="unknown sweep method",
        ),
        Case(
            "bad options",
            "events import --format xls",
            ["events", "import", str(ok), "--out", str(w / "out" / "x.parquet"), "--format", "xls"],
            words="unknown format 'xls'",
        ),
        Case(
            "bad options",
            "events import --countries MLII",
            ["events", "import", str(ok), "--out", str(w / "out" / "x.parquet"), "--countries", "MLII"],
            words="ISO 3166 alpha-3",
        ),
        Case("bad options", "events --since 2024-13-01", ["events", "--since", "2024-13-01"]),
        Case(
            "bad options",
            "sensitivity --samples 3",
            ["sensitivity", str(CONFIG), "--samples", "3"],
            words="power of two",
        ),
        Case(
            "bad options",
            "report --out with --update-shipped",
            ["report", str(CONFIG), "--out", str(w / "out" / "c"), "--update-shipped"],
            words="cannot go with --update-shipped",
        ),
        Case("bad options", "an unknown command", ["simulate"]),
        Case("bad options", "run without its scenario", ["run"]),
        Case(
            "bad options", "extract --lang de", ["extract", str(ARTICLE), "--lang", "de"], words="unknown language 'de'"
        ),
        Case(
            "bad options",
            "run --out a file",
            ["run", str(SCENARIO), "--replicates", "1", "--out", str(existing)],
            words="is not a folder",
            after=unchanged(existing),
        ),
        Case(
            "bad options",
            "run --out under a missing folder",
            ["run", str(SCENARIO), "--replicates", "1", "--out", str(w / "no" / "such")],
            words="does not exist",
        ),
        Case(
            "bad options",
            "run --out where the disk fills (64 KB file size limit)",
            ["run", str(SCENARIO), "--replicates", "1", "--out", str(w / "out" / "full_run")],
            words="could not be written",
            file_limit=65536,
            after=absent(w / "out" / "full_run"),
        ),
    ]


GROUPS = {
    "yaml": yaml_cases,
    "gate": gate_cases,
    "calibration": calibration_cases,
    "datasets": dataset_cases,
    "extraction": extraction_cases,
    "batch": batch_cases,
    "names": name_cases,
    "options": option_cases,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help=f"comma-separated groups of {', '.join(GROUPS)} [default: all]")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it [default: a temporary one]")
    parser.add_argument(
        "--all", action="store_true", help="list every case, not only those that did not end as expected"
    )
    args = parser.parse_args()
    chosen = [g.strip() for g in args.only.split(",")] if args.only else list(GROUPS)
    if unknown := [g for g in chosen if g not in GROUPS]:
        parser.error(f"--only: unknown group {', '.join(unknown)}; expected some of {', '.join(GROUPS)}")
    w = args.keep or Path(tempfile.mkdtemp(prefix="sahelsim-campaign-"))
    (w / "out").mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "scenarios", w / "scenarios", dirs_exist_ok=True)
    (w / "calibration" / "fitted").mkdir(parents=True, exist_ok=True)
    for name in ("events.csv", "sahel.yaml", "fitted/sahel.yaml"):  # what the scenarios' relative paths name
        shutil.copy(ROOT / "calibration" / name, w / "calibration" / name)
    acled(w / "datasets" / "ok.csv")
    if any(g in chosen for g in ("names", "options")) and "batch" not in chosen:
        batch_cases(w)  # the batch folder the name cases plot
    cases: list[Case] = []
    try:
        for group in chosen:
            for case in GROUPS[group](w):
                run(case, w)
                cases.append(case)
                print(
                    f"{case.group}: {case.name}: {case.result['outcome']} ({case.result['seconds']:.1f} s)",
                    file=sys.stderr,
                )
    finally:
        if args.keep is None:
            shutil.rmtree(w, ignore_errors=True)
    print("| class | inputs tried | clean errors | successes | tracebacks | hangs | as expected |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for group in dict.fromkeys(case.group for case in cases):
        mine = [case for case in cases if case.group == group]
        count = {o: sum(case.result["outcome"] == o for case in mine) for o in (ERROR, SUCCESS, "traceback", "hang")}
        print(
            f"| {group} | {len(mine)} | {count[ERROR]} | {count[SUCCESS]} | {count['traceback']} | {count['hang']} "
            f"| {sum(expected(case) for case in mine)} |"
        )
    shown = [case for case in cases if args.all or not expected(case)]
    if shown:
        print("\n| class | case | expected | got | exit | note |")
        print("|---|---|---|---|---:|---|")
        for case in shown:
            r = case.result
            note = ((r.get("problem") or "") + (" — " if r.get("problem") else "") + r["stderr"][-240:]).replace(
                "|", "/"
            )
            print(f"| {case.group} | {case.name} | {case.expect} | {r['outcome']} | {r['code']} | {note} |")


if __name__ == "__main__":
    main()
