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


def run_here(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process, as ``sahelsim ARGS``: exit code, stdout, stderr (blanks squeezed).

    Quicker than ``run_cli`` where libraries are already loaded (spaCy's pipelines), and the
    test's monkeypatches apply.
    """
    from sim.cli import main, shared

    monkeypatch.setattr(sys, "argv", ["sahelsim", *args])
    monkeypatch.setattr(shared.console, "width", 250)  # a wide console, as run_cli's COLUMNS=200
    try:
        main()
        code = 0
    except SystemExit as exit:
        code = int(exit.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, " ".join(captured.err.split())


@pytest.fixture(scope="session")
def sahel_2024():
    from sim.model.scenario import load_scenario

    return load_scenario(SCENARIOS / "sahel_2024.yaml")
