"""Reading batches back from the command line: the numbers beside every figure, whole names when piped."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from sim.experiments.batch import run_batch
from sim.model.scenario import load_scenario
from tests.conftest import ROOT, SCENARIOS

SHORT = "extends: {base}\nname: {name}\nend: 2024-08-31\nreplicates: {replicates}\n"


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """A short factual batch (4 runs) and a counterfactual one without cross-border pursuit (5 runs)."""
    folder = tmp_path_factory.mktemp("batches")
    made = []
    for base, name, replicates in (("sahel_2024.yaml", "short_a", 4), ("no_pursuit_2024.yaml", "short_b", 5)):
        path = folder / f"{name}.yaml"
        path.write_text(SHORT.format(base=SCENARIOS / base, name=name, replicates=replicates))
        run_batch(load_scenario(path), folder / name, workers=1)
        made.append(folder / name)
    return made


def run_piped(*args: str) -> subprocess.CompletedProcess[str]:
    """The command with its output to a pipe and no COLUMNS set, as in `sahelsim summary DIR | less`."""
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )


def test_compare_prints_and_writes_the_key_metrics_and_event_counts(batches, tmp_path):
    a, b = batches
    result = run_piped("compare", str(a), str(b), "--out", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "cmp.csv", keep_default_na=False, na_values=[""])
    assert {"a_median", "a_q05", "a_q95", "b_median", "diff_median", "diff_q05", "diff_q95", "p_b_greater"} <= set(
        table.columns
    )
    peak = table[(table["metric"] == "peak_tension") & (table["pair"] == "mali–mauritania")].iloc[0]
    assert (peak["a_runs"], peak["b_runs"], peak["paired_runs"]) == (4, 5, 4)
    assert peak["diff_median"] < 0 and peak["p_b_greater"] == 0  # no pursuit, no incident, less tension
    counts = table[table["kind"] == "event count"].set_index("metric")
    assert counts.loc["cross_border_incident", "b_mean"] == 0 < counts.loc["cross_border_incident", "a_mean"]
    assert {"summon_ambassador", "pledge_support", "joint_operation"} <= set(counts.index)
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["peak_tension", "mali–mauritania"] for line in lines)
    assert any(line.split()[:1] == ["counterinsurgency_operation"] for line in lines)
    assert "P(B > A)" in result.stdout and f"written: {tmp_path / 'cmp.png'}" in result.stdout
    assert str(tmp_path / "cmp.csv") in result.stdout


def test_summary_gives_event_counts_and_whole_names_when_piped(batches):
    a, _ = batches
    result = run_piped("summary", str(a))
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["first_joint_action_week", "mali–tuareg_separatists"] in [line[:2] for line in lines]
    assert "counterinsurgency_operation" in [line[0] for line in lines if line]
    summary = pd.read_csv(a / "summary.csv", keep_default_na=False, na_values=[""])
    visits = summary[(summary["kind"] == "event count") & (summary["metric"] == "visit")].iloc[0]
    assert visits["runs"] == 4 and visits["q05"] <= visits["mean"] <= visits["q95"]


def test_summary_of_a_folder_that_does_not_exist_says_so(tmp_path):
    result = run_piped("summary", str(tmp_path / "typo"))
    assert result.returncode == 2
    assert "typo: does not exist; expected a folder written by 'sahelsim batch'" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "empty: holds no batch manifest.json" in run_piped("summary", str(empty)).stderr
