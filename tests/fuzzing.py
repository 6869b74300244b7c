"""Mutation fuzzing of the command line: hostile inputs, how to run them in process, and what counts as a failure.

Shared by the suite's bounded fuzzer (``tests/cli/test_fuzz.py``) and the longer, timed one
(``benchmarks/fuzz_inputs.py``), so both try the same inputs and judge them alike. Three classes
of input are mutated from the files users start from:

- ``scenario``: the shipped ``scenarios/*.yaml`` through ``sahelsim validate``, and what validates
  through a one-replicate ``sahelsim run`` (or, past the run budget, the replicate ``run`` simulates);
- ``calibration``: ``calibration/*.yaml`` through ``sahelsim report`` into an empty folder (which reads
  and checks the config and its scenarios, then stops: no fitted set), and what the config gate passes
  through what ``calibrate`` computes before its first generation;
- ``dataset``: invented ACLED rows (``tests/data``) and the real UCDP sample (``../shared/data``)
  through ``sahelsim events import`` with selection options, and what imports through ``events summary``.

A mutant is made of a few structured changes (a key deleted, duplicated or renamed; a value replaced
by another YAML type, an extreme number, an out-of-range date, an unknown name, a tag, an alias, deep
nesting) and text-level ones (truncation, byte flips, line duplication). Each input must end in exit 0
or in exit 2 with one paragraph on stderr and no traceback, within its timeout, and leave its output
either absent or whole, with no temporary file beside it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import io
import json
import math
import os
import shutil
import signal
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
UCDP_SAMPLE = ROOT.parent / "shared" / "data" / "ucdp_ged231_sample_sahel.csv"
CLASSES = ("scenario", "calibration", "dataset")

# --- the seeds ------------------------------------------------------------------------------------

SCENARIO_SEEDS = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "scenarios").glob("*.yaml"))}
CALIBRATION_SEEDS = {
    path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "calibration").glob("*.yaml"))
}
# invented ACLED rows only (tests/data/README.md); the UCDP rows are real and may be used
CSV_SEEDS = {
    path.name: path.read_text(encoding="utf-8")
    for path in (ROOT / "tests" / "data" / "acled_sahel_export.csv", ROOT / "tests" / "data" / "acled_portal_hxl.csv")
}
if UCDP_SAMPLE.is_file():
    CSV_SEEDS["ged231.csv"] = UCDP_SAMPLE.read_text(encoding="utf-8")

# --- hostile values ---------------------------------------------------------------------------------

NAMES = [
    *("atlantis", "Mali", "mali ", "MALI", "wagner", "russia", "france", "civilians", "aes", "unmatched"),
    *("attack", "pledge_support", "coup", "no_such_kind", "tension_scale", "pursuit_base", "peak_tension"),
    *("..", ".", "/", "../../etc/passwd", "-rf", ".hidden", "a" * 101, "café", "\u202eevil", "x y", "", " "),
]
# files a field may name, relative to the sandbox's scenarios/ or calibration/ folder
FILE_NAMES = [
    *("mutant.yaml", "sahel_2024.yaml", "joint_patrols_2010.yaml", "no_pursuit_2024.yaml", "nonexistent.yaml"),
    *("../calibration/events.csv", "../calibration/sahel.yaml", "../calibration/fitted/sahel.yaml", "events.csv"),
    *("../scenarios/sahel_2024.yaml", "../scenarios/mutant.yaml", "fitted/sahel.yaml", "fitted", "..", ""),
    *("/dev/null", "/nonexistent/x.yaml", "loop.yaml"),
]
DATES = [dt.date(*ymd) for ymd in ((1, 1, 1), (1677, 9, 21), (1959, 12, 31), (1960, 1, 1), (2024, 2, 29))] + [
    dt.date(*ymd) for ymd in ((2100, 12, 31), (2101, 1, 1), (2262, 4, 12), (9999, 12, 31))
]
NUMBERS: list[Any] = [
    *(math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -0.0, 0, -1, 1, 0.5, 1.0000001, 2, 52, 10**4 + 1),
    *(10**6 + 1, 2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**30, 10**400),
]
VALUES: list[Any] = [None, True, False, "", "x" * 10_000, [], {}, [1, 2], {"a": 1}, [[]], {"low": 0, "high": 1}]
# ten to the seventh values in seven nested lists of ten aliases each
BILLION_LAUGHS = "[" + ", ".join(f"&l{i} [{', '.join([f'*l{i - 1}' if i else 'lol'] * 10)}]" for i in range(7)) + "]"
RAW_VALUES = [  # YAML written as it is (not quoted), where a value goes
    *("!!int x", "!!float abc", "!!bool maybe", "!!timestamp 2024-02-30", "2024-02-30", "0000-01-01", "2024-13-01"),
    *("!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1, b: 2]", "!!python/object/apply:os.system [echo]"),
    *("!!str", "!!null x", "!custom x", ".inf", "-.inf", ".nan", "1e999", "-1e999", "0x1F", "0o17", "1_000", "~"),
    *("yes", "'2024-01-01'", "[", "{", "]", "*undefined", "{a: 1, a: 2}", "{[1]: 2}", "{? {a: 1} : b}", "&x [1, *x]"),
    *("[" * 31 + "]" * 31, "[" * 33 + "]" * 33, "[" * 1000 + "]" * 1000, "[" * 10_000 + "]" * 10_000),
    *("{<<: {a: 1}}", "{<<: 1}", "!!merge x", "|\n  block", '"\\uD800"', '"\\x00"', '"\\U0010FFFF"'),
    BILLION_LAUGHS,
]
CELLS = [
    *("", " ", "NA", "N/A", "null", "-", "0", "-1", "-0", "1.5", "3.0", "1e19", "1e300", "nan", "inf", "-inf"),
    *("9" * 25, "0x10", "1,000", "0001-01-01", "9999-12-31", "1677-09-21", "2262-04-12", "2024-02-30", "2024-1-1"),
    *("15 January 2023", "31 February 2023", "15 Janvier 2023", "#event+code", '"', "a\nb", "é", "\x00", "x" * 5000),
    *("MLI1", "Mali", "Atlantis", "Burkina Faso", "1e30", "-1e30", "99999999999", "1700000000.5", "4", "7", "12"),
]
OPTION_DATES = ["0001-01-01", "1900-01-01", "1960-01-01", "2013-01-11", "2022-03-08", "2024-12-31", "9999-12-31"]
COUNTRY_CODES = ["MLI", "mli,mrt", "MLI,BFA,NER", "XX", "MLI,,", "1234", "ÉTA", "ZZZ", ","]


def _known_names() -> list[str]:
    """Names the gate knows (actors, event types, parameters, metrics' pairs): mutants that may pass it."""
    from sim.core.actors import load_catalogue
    from sim.core.events import event_types
    from sim.core.parameters import parameter_specs

    return sorted({*load_catalogue().ids, *event_types(), *parameter_specs()})


KNOWN_NAMES = _known_names()

# --- the mutants ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One fuzz input: its class, the files it consists of (name -> bytes) and the options it is given."""

    kind: str
    files: dict[str, bytes]
    options: tuple[str, ...] = ()

    def describe(self) -> str:
        """A short label for reports: the class, the files and their sizes, the options."""
        files = ", ".join(f"{name} ({len(data)} B)" for name, data in self.files.items())
        return f"{self.kind}: {files} {' '.join(self.options)}".strip()


Path_ = tuple[Any, ...]


def _paths(data: Any, where: Path_ = ()) -> list[Path_]:
    """Every node below the root, in document order (a mapping's keys as written)."""
    found: list[Path_] = []
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in children:
        found.append((*where, key))
        found += _paths(value, (*where, key))
    return found


def _parent(data: Any, path: Path_) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


class _Raw:
    """Placeholders for YAML text put in as it is: dumped as plain keys, then replaced by their text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> str:
        self.texts.append(text)
        return f"rawplaceholder{len(self.texts) - 1}x"

    def render(self, dumped: str) -> str:
        for i, text in reversed(list(enumerate(self.texts))):
            dumped = dumped.replace(f"rawplaceholder{i}x", text)
        return dumped


def _flow(value: Any) -> str:
    """A value as one line of YAML flow text (JSON is YAML; dates as their ISO text)."""
    return json.dumps(value, default=str, allow_nan=True).replace("NaN", ".nan").replace("Infinity", ".inf")


def _structural(draw: st.DrawFn, data: Any, raw: _Raw) -> None:
    """One structured change at a node of ``data``, in place."""
    paths = _paths(data)
    if not paths:
        return
    path = draw(st.sampled_from(paths))
    parent, key = _parent(data, path), path[-1]
    action = draw(
        st.sampled_from(["delete", "value", "number", "date", "name", "file", "raw", "rename", "add", "swap", "alias"])
        | st.sampled_from(["plausible"] * 6)
    )
    if action == "plausible":  # a value of the same kind, which the gate may well pass: what then runs is tried
        parent[key] = draw(_plausible(parent[key]))
    elif action == "delete":
        del parent[key]
    elif action == "value":
        parent[key] = draw(st.sampled_from(VALUES))
    elif action == "number":
        parent[key] = draw(st.one_of(st.sampled_from(NUMBERS), st.floats(), st.integers(-(10**20), 10**20)))
    elif action == "date":
        parent[key] = draw(st.sampled_from(DATES))
    elif action == "name":
        parent[key] = draw(st.sampled_from(NAMES))
    elif action == "file":
        parent[key] = draw(st.sampled_from(FILE_NAMES))
    elif action == "raw":
        parent[key] = raw(draw(st.sampled_from(RAW_VALUES)))
    elif action in ("rename", "add") and isinstance(parent, dict):
        new = draw(st.one_of(st.sampled_from([*NAMES, "extends", "documented_events", "sweep"]), st.text(max_size=8)))
        if action == "rename":
            parent[new] = parent.pop(key)
        else:
            parent[new] = draw(st.sampled_from([*VALUES, 1, "x"]))
    elif action == "swap":
        other = draw(st.sampled_from(paths))
        with contextlib.suppress(KeyError, IndexError, TypeError):
            parent[key] = json.loads(json.dumps(_parent(data, other)[other[-1]], default=str))
    elif action == "alias":  # the value anchored here and reused (through an alias) at a later node
        later = [p for p in paths[paths.index(path) + 1 :] if p[: len(path)] != path]
        if later:
            target = draw(st.sampled_from(later))
            value = parent[key]
            parent[key] = raw(f"&anchor {_flow(value)}")
            with contextlib.suppress(KeyError, IndexError, TypeError):
                _parent(data, target)[target[-1]] = raw("*anchor")


INSERTED = [b"\xff", b"\x00", b"\t", b"\xc3", b": ", b"- ", b"\n", b"'", b"&", b"*", b"!", b"%YAML 1.1\n", b"---\n"]


def _plausible(value: Any) -> st.SearchStrategy[Any]:
    """Values of the kind of ``value``: known names for text, nearby numbers, dates a run can simulate."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(0, max(2 * value, 10))
    if isinstance(value, float):
        return st.floats(min(0.0, 2 * value), max(1.0, 2 * value), allow_nan=False)
    if isinstance(value, dt.date):
        return st.dates(dt.date(1960, 1, 1), dt.date(2100, 12, 31))
    if isinstance(value, str):
        return st.sampled_from(KNOWN_NAMES)
    if isinstance(value, list) and value:
        return st.lists(st.sampled_from(value), min_size=1, max_size=len(value) + 1)
    return st.just(value)


def _textual(draw: st.DrawFn, text: bytes) -> bytes:
    """One change to the bytes of a file: truncation, a flipped or inserted byte, a line repeated or dropped."""
    action = draw(st.sampled_from(["truncate", "flip", "insert", "duplicate_line", "drop_line", "crlf", "bom"]))
    at = draw(st.integers(0, max(len(text) - 1, 0)))
    if action == "truncate":  # never to nothing: an empty file is one input, not a quarter of them
        return text[: max(at, 1)]
    if action == "flip" and text:
        return text[:at] + bytes([text[at] ^ draw(st.integers(1, 255))]) + text[at + 1 :]
    if action == "insert":
        return text[:at] + draw(st.sampled_from(INSERTED)) + text[at:]
    lines = text.split(b"\n")
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    if action == "duplicate_line":
        return b"\n".join([*lines[: line + 1], *lines[line:]])
    if action == "drop_line":
        return b"\n".join(lines[:line] + lines[line + 1 :])
    if action == "crlf":
        return text.replace(b"\n", b"\r\n")
    return b"\xef\xbb\xbf" + text


@st.composite
def yaml_mutants(draw: st.DrawFn, seeds: dict[str, str]) -> bytes:
    """A seed YAML file with one to four structured changes, then, sometimes, a textual one."""
    data = yaml.safe_load(seeds[draw(st.sampled_from(sorted(seeds)))])
    raw = _Raw()
    for _ in range(draw(st.integers(1, 4))):
        _structural(draw, data, raw)
    text = raw.render(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)).encode()
    if draw(st.integers(0, 3)) == 0:
        text = _textual(draw, text)
    return text


@st.composite
def scenario_cases(draw: st.DrawFn) -> Case:
    """A mutated shipped scenario (as ``scenarios/mutant.yaml`` of the sandbox)."""
    return Case("scenario", {"mutant.yaml": draw(yaml_mutants(SCENARIO_SEEDS))})


@st.composite
def calibration_cases(draw: st.DrawFn) -> Case:
    """A mutated calibration config (as ``calibration/mutant.yaml`` of the sandbox)."""
    return Case("calibration", {"mutant.yaml": draw(yaml_mutants(CALIBRATION_SEEDS))})


def _render_csv(rows: list[list[str]], quote_all: bool) -> bytes:
    handle = io.StringIO()
    csv.writer(handle, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)
    return handle.getvalue().encode()


@st.composite
def csv_mutants(draw: st.DrawFn) -> tuple[str, bytes]:
    """A dataset seed (invented ACLED rows or the real UCDP sample) with cells, columns or rows changed."""
    name = draw(st.sampled_from(sorted(CSV_SEEDS)))
    rows = list(csv.reader(io.StringIO(CSV_SEEDS[name])))
    for _ in range(draw(st.integers(1, 4))):
        width, height = len(rows[0]), len(rows)
        row, column = draw(st.integers(1, max(height - 1, 1))), draw(st.integers(0, width - 1))
        action = draw(
            st.sampled_from(["cell", "cell", "cell", "copy", "drop_column", "twin_column", "rename", "drop_row"])
            | st.sampled_from(["repeat_row", "conflict", "ragged", "header_only"])
        )
        if action == "cell" and row < height:
            rows[row][column % len(rows[row])] = draw(st.sampled_from(CELLS))
        elif action == "copy" and row < height:
            rows[row][column % len(rows[row])] = draw(st.sampled_from(rows[draw(st.integers(0, height - 1))]))
        elif action == "drop_column":
            rows = [r[:column] + r[column + 1 :] for r in rows]
        elif action == "twin_column":
            rows = [[*r, r[column % len(r)]] if r else r for r in rows]
        elif action == "rename":
            rows[0][column] = draw(st.sampled_from([rows[0][column].upper(), f" {rows[0][column]} ", "x", "", "id"]))
        elif action == "drop_row" and height > 1:
            del rows[row]
        elif action in ("repeat_row", "conflict") and row < height:
            twin = list(rows[row])
            if action == "conflict":
                twin[-1 if column == 0 else column] = draw(st.sampled_from(CELLS))
            rows.insert(draw(st.integers(1, height)), twin)
        elif action == "ragged" and row < height:
            rows[row] = rows[row][:-1] if draw(st.booleans()) else [*rows[row], "extra"]
        elif action == "header_only":
            rows = rows[:1]
    content = _render_csv(rows, draw(st.booleans()))
    ending = draw(st.integers(0, 9))
    if ending == 0:
        content = _textual(draw, content)
    elif ending == 1:
        content = content.decode().encode("latin-1", "replace")
    elif ending == 2:
        content = gzip.compress(content)
    return name.replace(".csv", f".{draw(st.integers(0, 99))}.csv"), content


@st.composite
def dataset_cases(draw: st.DrawFn) -> Case:
    """One or two mutated dataset files, with a selection (--since, --until, --countries, --format) or none."""
    files = dict(draw(st.lists(csv_mutants(), min_size=1, max_size=2)))
    options: list[str] = []
    for option, values in (
        ("--since", OPTION_DATES),
        ("--until", OPTION_DATES),
        ("--countries", COUNTRY_CODES),
        ("--format", ["auto", "acled", "ucdp"]),
    ):
        if draw(st.integers(0, 3)) == 0:
            options += [option, draw(st.sampled_from(values))]
    return Case("dataset", files, tuple(options))


STRATEGIES = {"scenario": scenario_cases(), "calibration": calibration_cases(), "dataset": dataset_cases()}

# --- running a case -------------------------------------------------------------------------------


class Hang(BaseException):
    """An input ran past its timeout (a BaseException, so that no ``except Exception`` under test swallows it)."""


@dataclass(frozen=True)
class Invocation:
    """One command run in process: its exit code (None when it raised), stdout, stderr and any traceback."""

    argv: tuple[str, ...]
    code: int | None
    out: str
    err: str
    trace: str | None = None
    hang: bool = False


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread after ``seconds`` (no limit where there is no SIGALRM)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invoke(argv: list[str], cwd: Path, timeout: float) -> Invocation:
    """Run ``sahelsim ARGV`` in this process, in ``cwd``, as the console script does (its ``main``)."""
    from sim.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | None = 0
    trace, hang = None, False
    saved_argv = sys.argv
    sys.argv = ["sahelsim", *argv]
    try:
        with (
            contextlib.chdir(cwd),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            _deadline(timeout),
        ):
            main()
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    except Hang:
        code, hang = None, True
    except Exception:
        code, trace = None, traceback.format_exc()
    finally:
        sys.argv = saved_argv
    return Invocation(tuple(argv), code, out.getvalue(), err.getvalue(), trace, hang)


OK, CLEAN, TRACEBACK, HANG, BAD_OUTPUT, GATE_GAP = "ok", "clean error", "traceback", "hang", "bad output", "gate gap"
OUTCOMES = (OK, CLEAN, TRACEBACK, HANG, BAD_OUTPUT, GATE_GAP)


@dataclass
class Outcome:
    """How a case ended (one of :data:`OUTCOMES`), with what shows why."""

    status: str
    detail: str = ""
    invocations: list[Invocation] = field(default_factory=list)


def judged(call: Invocation) -> Outcome | None:
    """The failure a command's ending shows (traceback, hang, an unclean error), or None if it exited 0 or cleanly 2."""
    if call.hang:
        return Outcome(HANG, f"sahelsim {' '.join(call.argv)} ran past its timeout", [call])
    if call.trace is not None or "Traceback" in call.err:
        return Outcome(TRACEBACK, call.trace or call.err, [call])
    if call.code == 2:
        message = call.err.strip()
        if not message.startswith("error: ") or "\n\n" in message:
            return Outcome(TRACEBACK, f"exit 2 without one 'error:' paragraph: {call.err[:2000]!r}", [call])
        return None
    if call.code != 0:
        return Outcome(TRACEBACK, f"exit {call.code}: {call.err[:2000]}", [call])
    return None


class Sandbox:
    """A folder laid out as the repository's inputs (copies), where cases are written and commands run.

    ``scenarios/`` holds the shipped scenarios, ``calibration/`` the documented events and the fitted
    set they name, ``data/`` a case's dataset files and ``out/`` what the commands write. Relative paths
    in the mutants (``extends:``, ``documented_events:``) resolve as they do in the repository.
    """

    RUN_FILES = ("events.parquet", "manifest.json", "tension.parquet", "tension.png", "tension.svg")

    def __init__(self, folder: Path, cli_runs: int = 1_000_000, timeout: float = 60.0) -> None:
        """Lay out ``folder``; at most ``cli_runs`` validated scenarios go through ``sahelsim run``."""
        self.folder = folder
        self.cli_runs = cli_runs
        self.timeout = timeout
        shutil.copytree(ROOT / "scenarios", folder / "scenarios", dirs_exist_ok=True)
        (folder / "calibration" / "fitted").mkdir(parents=True, exist_ok=True)
        for name in ("events.csv", "sahel.yaml", "fitted/sahel.yaml"):
            shutil.copy(ROOT / "calibration" / name, folder / "calibration" / name)
        self.inputs = {name: (folder / "scenarios" / name).read_bytes() for name in SCENARIO_SEEDS}
        self.inputs |= {f"calibration/{name}": (folder / "calibration" / name).read_bytes() for name in ("events.csv",)}
        loop = folder / "scenarios" / "loop.yaml"  # a symlink to itself: reading it fails with ELOOP
        if not loop.is_symlink():
            loop.symlink_to("loop.yaml")

    @property
    def out(self) -> Path:
        return self.folder / "out"

    def _reset(self) -> None:
        for folder in (self.out, self.folder / "data"):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        for path in (self.folder / "scenarios" / "mutant.yaml", self.folder / "calibration" / "mutant.yaml"):
            path.unlink(missing_ok=True)

    def call(self, *argv: str) -> Invocation:
        return invoke(list(argv), self.folder, self.timeout)

    def check(self, case: Case) -> Outcome:
        """Run a case and judge it."""
        self._reset()
        outcome = {"scenario": self._scenario, "calibration": self._calibration, "dataset": self._dataset}[case.kind](
            case
        )
        stray = self._stray()
        if outcome.status in (OK, CLEAN) and stray:
            return Outcome(BAD_OUTPUT, f"left behind: {stray}", outcome.invocations)
        return outcome

    def _stray(self) -> list[str]:
        """Files the commands left where they were not told to write (the inputs are as they were)."""
        changed = [name for name, data in self.inputs.items() if (self._input(name)).read_bytes() != data]
        hidden = [p.name for p in self.out.iterdir() if p.name.startswith(".")]
        extra = [p.name for p in self.folder.iterdir() if p.name not in ("scenarios", "calibration", "data", "out")]
        return changed + hidden + extra

    def _input(self, name: str) -> Path:
        return self.folder / name if "/" in name else self.folder / "scenarios" / name

    # --- the classes -------------------------------------------------------------------------

    def _scenario(self, case: Case) -> Outcome:
        path = self.folder / "scenarios" / "mutant.yaml"
        path.write_bytes(case.files["mutant.yaml"])
        validate = self.call("validate", str(path))
        failure = judged(validate)
        if failure is not None or validate.code == 2:
            return failure or Outcome(CLEAN, validate.err.strip(), [validate])
        if self.cli_runs > 0:
            self.cli_runs -= 1
            run = self.call("run", str(path), "--replicates", "1", "--out", str(self.out / "run"))
            failure = judged(run)
            if failure is not None:
                return failure
            if run.code != 0:
                return Outcome(GATE_GAP, f"validate passed, run refused: {run.err.strip()}", [validate, run])
            return self._run_folder(self.out / "run", [validate, run])
        return self._replicate(path, validate)

    def _run_folder(self, folder: Path, calls: list[Invocation]) -> Outcome:
        """A run's results folder holds every file of a run, and its manifest says what it holds."""
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        if present != sorted(self.RUN_FILES):
            return Outcome(BAD_OUTPUT, f"{folder} holds {present}", calls)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("replicates") != 1:
            return Outcome(BAD_OUTPUT, f"manifest records {manifest.get('replicates')} replicates", calls)
        return Outcome(OK, "", calls)

    def _replicate(self, path: Path, validate: Invocation) -> Outcome:
        """Past the run budget: the replicate ``run`` simulates, in process (milliseconds, not a plot's second)."""
        from sim.experiments.runner import run_replicate
        from sim.model.scenario import load_scenario

        try:
            with _deadline(self.timeout):
                run_replicate(load_scenario(path).scenario, 0)
        except Hang:
            return Outcome(HANG, "the validated scenario's replicate ran past its timeout", [validate])
        except Exception:
            return Outcome(GATE_GAP, f"validate passed, its replicate failed: {traceback.format_exc()}", [validate])
        return Outcome(OK, "", [validate])

    def _calibration(self, case: Case) -> Outcome:
        path = self.folder / "calibration" / "mutant.yaml"
        path.write_bytes(case.files["mutant.yaml"])
        report = self.call("report", str(path), "--out", str(self.out / "calibration"))
        failure = judged(report)
        if failure is not None:
            return failure
        if report.code == 0 or (self.out / "calibration").exists():
            return Outcome(BAD_OUTPUT, "report wrote without a fitted set", [report])
        if "holds no" not in report.err:
            return Outcome(CLEAN, report.err.strip(), [report])
        return self._calibration_starts(path, report)

    def _calibration_starts(self, path: Path, report: Invocation) -> Outcome:
        """What ``calibrate`` computes before its first generation, for a config the gate passed."""
        from sim.calibration.fitting import load_config, observed_statistics, simulated_statistics
        from sim.core.errors import InputError

        try:
            with _deadline(self.timeout):
                loaded = load_config(path)
                observed = observed_statistics(loaded)
                weights = [target.weight / target.unit for target in loaded.config.targets]
                middle = {name: (low + high) / 2 for name, (low, high) in loaded.config.priors().items()}
                simulated = simulated_statistics(loaded, middle, 0)
        except InputError as error:  # e.g. an events file that is no event table: clean, found when it is read
            return Outcome(CLEAN, error.message, [report])
        except Hang:
            return Outcome(HANG, "the config's statistics ran past the timeout", [report])
        except Exception:
            return Outcome(GATE_GAP, f"the config gate passed, calibration failed: {traceback.format_exc()}", [report])
        numbers = [*observed.values(), *weights, *simulated.values()]
        if not all(math.isfinite(number) for number in numbers):
            return Outcome(GATE_GAP, f"the config gate passed, with statistics or weights {numbers}", [report])
        return Outcome(OK, "", [report])

    def _dataset(self, case: Case) -> Outcome:
        files = []
        for name, data in case.files.items():
            (self.folder / "data" / name).write_bytes(data)
            files.append(str(self.folder / "data" / name))
        out = self.out / "events.parquet"
        imported = self.call("events", "import", *files, "--out", str(out), *case.options)
        failure = judged(imported)
        if failure is not None:
            return failure
        if imported.code == 2:
            if out.exists():
                return Outcome(BAD_OUTPUT, f"refused, yet {out} was written", [imported])
            return Outcome(CLEAN, imported.err.strip(), [imported])
        summary = self.call("events", "summary", str(out))
        failure = judged(summary)
        if failure is not None:
            return failure
        if summary.code != 0:
            return Outcome(GATE_GAP, f"import wrote what summary refuses: {summary.err.strip()}", [imported, summary])
        return Outcome(OK, "", [imported, summary])


def save_case(case: Case, outcome: Outcome, folder: Path) -> Path:
    """Write a failing case's files, options and what happened into a new numbered folder, for reproduction."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{case.kind}-{sum(1 for _ in folder.iterdir()):03d}"
    target.mkdir()
    for name, data in case.files.items():
        (target / name).write_bytes(data)
    calls = "\n".join(f"sahelsim {' '.join(call.argv)}  -> exit {call.code}" for call in outcome.invocations)
    (target / "README.txt").write_text(
        f"class: {case.kind}\noutcome: {outcome.status}\noptions: {' '.join(case.options)}\n{calls}\n\n"
        f"{outcome.detail}\n",
        encoding="utf-8",
    )
    return target


def fuzz_examples(default: int) -> int:
    """Examples per class in the suite: ``default``, times ``SAHELSIM_FUZZ_SCALE`` if set (e.g. 10 for a longer run)."""
    return max(1, round(default * float(os.environ.get("SAHELSIM_FUZZ_SCALE", "1"))))
