"""Mutation fuzzing of the command line for a set time: inputs tried per class and how each ended.

The same inputs and judgement as the suite's fuzzer (``tests/fuzzing.py``: mutated scenarios,
calibration configs and dataset CSVs, each through the commands that read them), for as long as
``--seconds`` says, shared equally by the classes. Each input runs in a worker process (in process
there, as the suite runs them, which is quick); one that passes ``--timeout`` is a hang, and the
worker is replaced. Prints, per class, the inputs tried and the outcomes (ok, clean error,
traceback, hang, bad output, gate gap: what the gate passed and the next step failed), then the
distinct failures, and saves the first ``--keep`` failing inputs of each class under ``--out``.

Run: ``python benchmarks/fuzz_inputs.py --seconds 120 --out /tmp/fuzz [--classes scenario,dataset]``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.fuzzing, from a checkout

from tests.fuzzing import CLASSES, HANG, OUTCOMES, STRATEGIES, Case, Outcome, Sandbox, save_case  # noqa: E402


def serve(connection: Connection, timeout: float) -> None:
    """The worker: judge each case it is sent, in a sandbox of its own, until it is sent None."""
    with tempfile.TemporaryDirectory(prefix="sahelsim-fuzz-") as folder:
        sandbox = Sandbox(Path(folder), cli_runs=1_000_000, timeout=timeout)
        while (case := connection.recv()) is not None:
            outcome = sandbox.check(case)
            connection.send(Outcome(outcome.status, outcome.detail, outcome.invocations))


class Worker:
    """A worker process, replaced when an input hangs it."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._start()

    def _start(self) -> None:
        self.connection, theirs = mp.Pipe()
        # the worker's own timeout stops a hang in Python code; this one, later, one in a library's C code
        self.process = mp.get_context("fork").Process(target=serve, args=(theirs, self.timeout), daemon=True)
        self.process.start()

    def check(self, case: Case) -> Outcome:
        self.connection.send(case)
        if self.connection.poll(self.timeout + 30):
            try:
                return self.connection.recv()
            except EOFError:
                pass
        self.process.kill()
        self.process.join()
        self._start()
        return Outcome(HANG, f"the worker gave no answer within {self.timeout + 30:.0f} s (or died)")

    def close(self) -> None:
        self.connection.send(None)
        self.process.join(10)


class TimeUp(BaseException):
    """Ends a class's generation loop (a BaseException, which Hypothesis lets through)."""


def fuzz_class(kind: str, seconds: float, worker: Worker, out: Path | None, keep: int) -> tuple[Counter, Counter]:
    """Inputs of one class for ``seconds``: the count of each outcome, and of each distinct failure."""
    outcomes: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    deadline = time.monotonic() + seconds

    @settings(
        max_examples=10**9,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,  # the end of the time is no failure to report
    )
    @given(case=STRATEGIES[kind])
    def one(case: Case) -> None:
        if time.monotonic() > deadline:
            raise TimeUp
        outcome = worker.check(case)
        outcomes[outcome.status] += 1
        if outcome.status not in ("ok", "clean error"):
            failures[f"{outcome.status}: {signature(outcome.detail)}"] += 1
            if out is not None and sum(outcomes[s] for s in OUTCOMES[2:]) <= keep:
                save_case(case, outcome, out)

    with contextlib.suppress(TimeUp):
        one()
    return outcomes, failures


def signature(detail: str) -> str:
    """What tells one failure from another: the last line of its traceback and the last frame in sim/."""
    lines = [line.strip() for line in detail.strip().splitlines() if line.strip()]
    frames = [line for line in lines if line.startswith("File ") and "/sim/" in line]
    return f"{lines[-1][:160] if lines else ''} ({frames[-1][-90:] if frames else 'no sim frame'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120.0, help="total time, shared equally by the classes")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds an input may take before it is a hang")
    parser.add_argument("--classes", default=",".join(CLASSES), help=f"which of {', '.join(CLASSES)}")
    parser.add_argument("--out", type=Path, help="folder to save failing inputs in, for reproduction")
    parser.add_argument("--keep", type=int, default=5, help="failing inputs saved per class")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.classes.split(",") if kind.strip()]
    unknown = sorted(set(kinds) - set(CLASSES))
    if unknown:
        parser.error(f"unknown classes {unknown}; expected some of {', '.join(CLASSES)}")
    worker = Worker(args.timeout)
    rows, distinct = [], Counter[str]()
    try:
        for kind in kinds:
            started = time.monotonic()
            outcomes, failures = fuzz_class(kind, args.seconds / len(kinds), worker, args.out, args.keep)
            rows.append((kind, outcomes, time.monotonic() - started))
            distinct.update({f"{kind} {name}": count for name, count in failures.items()})
    finally:
        worker.close()
    print("| class | inputs tried | inputs/s | " + " | ".join(OUTCOMES) + " |")
    print("|---|---:|---:|" + "---:|" * len(OUTCOMES))
    for kind, outcomes, seconds in rows:
        total = sum(outcomes.values())
        counts = " | ".join(str(outcomes[status]) for status in OUTCOMES)
        print(f"| {kind} | {total} | {total / seconds:.1f} | {counts} |")
    if distinct:
        print("\ndistinct failures (count, class, outcome: last line (where in sim/)):")
        for name, count in distinct.most_common():
            print(f"  {count:5d}  {name}")
    if args.out is not None and distinct:
        print(f"\nfailing inputs saved in {args.out}")


if __name__ == "__main__":
    main()
