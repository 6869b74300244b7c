"""Batches: the same results whatever the workers or executor, kept when killed, resumed exactly."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from sim.batch import plan_runs, run_batch
from sim.runner import run_replicate
from sim.scenario import load_scenario
from sim.store import BatchStore
from sim.sweep import sweep_points
from tests.conftest import ROOT, SCENARIOS, run_cli

SHORT = """extends: {base}
name: short_batch
end: 2024-08-31
replicates: {replicates}
"""


@pytest.fixture
def short_scenario(tmp_path):
    def make(replicates: int = 6, base: str = "sahel_2024.yaml", extra: str = "") -> object:
        path = tmp_path / f"short_{replicates}.yaml"
        path.write_text(SHORT.format(base=SCENARIOS / base, replicates=replicates) + extra)
        return path
    return make


def read_all(folder) -> dict[str, pd.DataFrame]:
    store = BatchStore(folder)
    return {table: store.read(table) for table in BatchStore.TABLES}


def test_runs_are_indexed_by_point_then_replicate():
    scenario = load_scenario(SCENARIOS / "sweep_pursuit_2024.yaml").scenario
    runs = plan_runs(scenario, sweep_points(scenario.sweep, scenario.seed))
    assert len(runs) == scenario.sweep.samples * scenario.replicates
    assert [r.run for r in runs] == list(range(len(runs)))
    assert all(r.run == r.point * scenario.replicates + r.replicate for r in runs)
    assert runs[0].parameters.keys() == {"pursuit_base", "deescalation_tension"}


def test_a_batch_run_is_the_single_run_with_the_same_index(short_scenario, tmp_path):
    loaded = load_scenario(short_scenario(3))
    run_batch(loaded, tmp_path / "b", workers=1)
    stored = BatchStore(tmp_path / "b").read("tension")
    _, single = run_replicate(loaded.scenario, 2)
    pair = "mali–mauritania"
    expected = single[single["pair"] == pair]["tension"].to_numpy()
    got = stored[(stored["run"] == 2) & (stored["pair"] == pair)]["tension"].to_numpy()
    np.testing.assert_allclose(got, expected.astype(np.float32))


def test_results_are_identical_whatever_the_workers_and_executor(short_scenario, tmp_path):
    loaded = load_scenario(short_scenario(8))
    run_batch(loaded, tmp_path / "one", workers=1)
    run_batch(loaded, tmp_path / "two", workers=2)
    run_batch(loaded, tmp_path / "dask", workers=2, executor="dask")
    one = read_all(tmp_path / "one")
    for other in ("two", "dask"):
        for table, frame in read_all(tmp_path / other).items():
            pd.testing.assert_frame_equal(one[table], frame, obj=f"{other}/{table}")


def test_the_manifest_records_the_batch(short_scenario, tmp_path):
    loaded = load_scenario(short_scenario(2))
    run_batch(loaded, tmp_path / "b", workers=1)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["scenario_sha256"] == loaded.sha256 and manifest["seed"] == loaded.scenario.seed
    assert manifest["status"] == {**manifest["status"], "state": "complete", "runs_done": 2, "runs_total": 2, "done": "0-1"}
    assert manifest["versions"]["sahelsim"]


def _start_batch(scenario, out, workers=2):
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "batch", str(scenario), "--workers", str(workers), "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _wait_for_parts(out, at_least: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(list((out / "runs").glob("part-*.parquet"))) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError("the batch wrote no finished chunk in time")


def test_a_killed_batch_keeps_its_finished_runs_and_resumes_exactly(short_scenario, tmp_path):
    scenario = short_scenario(240)
    out = tmp_path / "killed"
    process = _start_batch(scenario, out)
    _wait_for_parts(out, 2)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, with no chance to clean up
    process.wait()
    kept = BatchStore(out).done_runs()
    assert 0 < len(kept) < 240
    for table in BatchStore.TABLES:  # every committed part is a whole, readable file
        for part in (out / table).glob("part-*.parquet"):
            pd.read_parquet(part)
    result = run_cli("batch", str(scenario), "--workers", "2", "--resume", str(out))
    assert result.returncode == 0, result.stderr
    resumed = read_all(out)
    assert resumed["runs"]["run"].tolist() == list(range(240))  # nothing lost, nothing twice
    run_batch(load_scenario(scenario), tmp_path / "whole", workers=2)
    for table, frame in read_all(tmp_path / "whole").items():
        pd.testing.assert_frame_equal(resumed[table], frame, obj=table)


def test_sigterm_stops_a_batch_cleanly(short_scenario, tmp_path):
    out = tmp_path / "terminated"
    process = _start_batch(short_scenario(240), out)
    _wait_for_parts(out, 1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "--resume" in stderr
    status = json.loads((out / "manifest.json").read_text())["status"]
    assert status["state"] == "interrupted" and status["runs_done"] == len(BatchStore(out).done_runs())


def test_resuming_with_another_scenario_is_refused(short_scenario, tmp_path):
    out = tmp_path / "b"
    run_batch(load_scenario(short_scenario(2)), out, workers=1)
    before = sorted(p.name for p in (out / "runs").iterdir())
    result = run_cli("batch", str(short_scenario(3)), "--resume", str(out))
    assert result.returncode == 2 and "another scenario" in result.stderr
    assert sorted(p.name for p in (out / "runs").iterdir()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replicates", "-1"], "Invalid value for '--replicates'"),
        (["--executor", "spark"], "unknown executor"),
        (["--executor", "dask", "--address", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
        (["--method", "sobol", "--samples", "3"], "power of two"),
        (["--address", "tcp://127.0.0.1:9"], "--address goes with --executor dask"),
    ],
)
def test_bad_batch_options_get_a_clear_message_and_write_nothing(short_scenario, tmp_path, args, message):
    scenario = short_scenario(2) if "--method" not in args else SCENARIOS / "sweep_pursuit_2024.yaml"
    out = tmp_path / "out"
    result = run_cli("batch", str(scenario), "--out", str(out), *args)
    assert result.returncode == 2, result.stderr
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_new_batch_never_overwrites_a_folder(short_scenario, tmp_path):
    out = tmp_path / "b"
    run_batch(load_scenario(short_scenario(2)), out, workers=1)
    result = run_cli("batch", str(short_scenario(2)), "--out", str(out))
    assert result.returncode == 2 and "not empty" in result.stderr


def test_summary_plot_and_compare_from_the_command_line(short_scenario, tmp_path):
    sweep = """sweep:
  method: grid
  parameters:
    pursuit_base: [-8.0, -3.0]
"""
    factual, counterfactual = tmp_path / "a", tmp_path / "b"
    assert run_cli("batch", str(short_scenario(4, extra=sweep)), "--workers", "1", "--out", str(factual)).returncode == 0
    other = short_scenario(5, base="no_pursuit_2024.yaml")
    assert run_cli("batch", str(other), "--workers", "1", "--out", str(counterfactual)).returncode == 0
    result = run_cli("summary", str(factual))
    assert result.returncode == 0, result.stderr
    summary = pd.read_csv(factual / "summary.csv")
    assert {"point", "metric", "pair", "median", "q05", "q95", "pursuit_base"} <= set(summary.columns)
    assert set(summary["point"]) == {0, 1} and (summary["runs"] == 4).all()
    assert run_cli("plot", str(factual)).returncode == 0
    for name in ("tension.png", "tension.svg", "sweep.png", "sweep.svg"):
        assert (factual / name).stat().st_size > 10_000
    result = run_cli("compare", str(factual), str(counterfactual), "--out", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cmp.png").stat().st_size > 10_000
