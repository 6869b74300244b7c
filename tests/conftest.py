"""Shared fixtures: paths to the shipped files and a helper to run the CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DOCUMENTED = ROOT / "calibration" / "events.csv"
SEEDS = ROOT.parent / "shared" / "seeds"


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in a subprocess and capture its output (on a wide console)."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture(scope="session")
def sahel_2024():
    from sim.model.scenario import load_scenario

    return load_scenario(SCENARIOS / "sahel_2024.yaml")
