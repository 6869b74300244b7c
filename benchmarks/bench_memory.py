"""Measure the peak memory of ``sahelsim run`` against the estimate the validation gate refuses by.

Run:  python benchmarks/bench_memory.py [--replicates 25 100 400] [--fit]

Each size is one ``python -m sim run SCENARIO --replicates N`` in a child process (into a
temporary folder), whose peak resident memory (``ru_maxrss``) the operating system reports
when it ends; beside it, the estimate of ``sim/model/memory.py`` with the coefficients of
``sim/data/memory.yaml``, and their ratio (above 1: the estimate is on the safe side). Three
scenarios of different sizes separate the tension table's share (per pair of actors) from the
event table's: sahel_2024 (12 actors), joint_patrols_2010 (6) and sahel_2024 with every actor
of the catalogue (14, written to a temporary file). ``--fit`` also fits the coefficients to
these measurements (non-negative least squares) and prints them as the lines of
``sim/data/memory.yaml``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from sim.core.actors import load_catalogue
from sim.model.memory import memory_model
from sim.model.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
MIB = 2**20


def peak_rss(scenario: Path, replicates: int) -> int:
    """Peak resident bytes of one ``sahelsim run`` of ``scenario`` with ``replicates``, in a child process."""
    with tempfile.TemporaryDirectory() as folder, (Path(folder) / "stderr").open("w+") as errors:
        command = [sys.executable, "-m", "sim", "run", str(scenario), "--replicates", str(replicates)]
        child = subprocess.Popen([*command, "--out", f"{folder}/out"], stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest child's so far
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            sys.exit(f"{' '.join(command)} failed with exit code {child.returncode}:\n{errors.read()}")
    return usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024  # bytes on macOS, kB on Linux


def every_actor(folder: Path) -> Path:
    """sahel_2024 with every actor of the catalogue taking part: the most pairs a scenario can have."""
    path = folder / "every_actor.yaml"
    actors = ", ".join(load_catalogue().ids)
    path.write_text(
        f"extends: {SCENARIOS / 'sahel_2024.yaml'}\nname: sahel_2024_every_actor\nactors: [{actors}]\n",
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, nargs="+", default=[25, 100, 400])
    parser.add_argument("--fit", action="store_true", help="fit the coefficients and print them")
    args = parser.parse_args()
    model = memory_model()
    features, measured = [], []  # (1, replicate-weeks x pairs, replicate-weeks) and the peak of each run
    print(f"{'scenario':24} {'replicates':>10} {'measured MiB':>12} {'estimated MiB':>13} {'estimated/measured':>18}")
    with tempfile.TemporaryDirectory() as folder:
        paths = [SCENARIOS / "sahel_2024.yaml", SCENARIOS / "joint_patrols_2010.yaml", every_actor(Path(folder))]
        for path in paths:
            spec = load_scenario(path).scenario
            actors = len(spec.actors)
            for replicates in args.replicates:
                peak = peak_rss(path, replicates)
                estimate = model.run_bytes(replicates, spec.weeks, actors)
                print(
                    f"{spec.name:24} {replicates:>10} {peak / MIB:>12.0f} {estimate / MIB:>13.0f} "
                    f"{estimate / peak:>18.2f}"
                )
                weeks = replicates * spec.weeks
                features.append((1, weeks * actors * (actors - 1) // 2, weeks))
                measured.append(peak)
    if args.fit:
        design, peaks = np.array(features, dtype=float), np.array(measured, dtype=float)
        (base, per_pair_week, per_week), _ = nnls(design, peaks)
        worst = np.max(np.abs(design @ [base, per_pair_week, per_week] - peaks) / peaks)
        print(f"\nfitted (largest error {100 * worst:.1f} % of a measurement):")
        print(f"base_bytes: {round(base)}\nbytes_per_pair_week: {per_pair_week:.1f}\nbytes_per_week: {per_week:.1f}")


if __name__ == "__main__":
    main()
