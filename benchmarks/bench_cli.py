"""Benchmark the command line's start-up: wall time of quick commands, and what importing costs.

Run: python benchmarks/bench_cli.py [--runs N] [--top N] [--profile "COMMAND ARGS"]
Each command runs as a subprocess, as a user would run it (the ``sahelsim`` console script
beside this Python, else ``python -m sim``), after one untimed run that warms the bytecode
caches; the times include the interpreter's own start-up. The import profile is
``python -X importtime -c "import sim.cli"``, or with --profile, of running that command;
its entries are ranked by cumulative time (a module's own time plus its imports').
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("--help", "validate scenarios/sahel_2024.yaml", "actors", "parameters")


def launcher() -> list[str]:
    """The ``sahelsim`` script of this environment, or ``python -m sim`` when it is not installed."""
    script = shutil.which("sahelsim", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "sim"]


def wall_times(command: list[str], runs: int) -> list[float]:
    """Seconds per run of ``command`` (output discarded), after one warm-up run; a failure stops the benchmark."""
    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if run:
            times.append(time.perf_counter() - started)
    return times


def import_profile(arguments: list[str] | None) -> list[tuple[int, int, str]]:
    """(cumulative us, self us, module) of every import, from ``-X importtime``."""
    code = ["-c", "import sim.cli"] if arguments is None else ["-m", "sim", *arguments]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, module = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), int(own), module.strip()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    parser.add_argument("--top", type=int, default=15, help="imports shown, by cumulative time")
    parser.add_argument(
        "--profile", help='profile the imports of this command, e.g. "actors" [default: import sim.cli]'
    )
    args = parser.parse_args()

    base = launcher()
    print(f"start-up of '{shlex.join(base)} COMMAND' in {ROOT}, {args.runs} runs each (seconds):")
    for command in COMMANDS:
        times = wall_times([*base, *shlex.split(command)], args.runs)
        print(f"  {command:40s} median {statistics.median(times):.3f}  max {max(times):.3f}")

    arguments = None if args.profile is None else shlex.split(args.profile)
    profile = import_profile(arguments)
    what = "import sim.cli" if arguments is None else f"python -m sim {args.profile}"
    total = max((cumulative for cumulative, _, _ in profile), default=0)
    print(f"\nimports of '{what}', top {args.top} by cumulative time (largest top-level: {total / 1000:.0f} ms):")
    print(f"  {'cumulative ms':>13s} {'self ms':>8s}  module")
    for cumulative, own, module in sorted(profile, reverse=True)[: args.top]:
        print(f"  {cumulative / 1000:13.1f} {own / 1000:8.1f}  {module}")


if __name__ == "__main__":
    main()
