"""Batches: the same results whatever the workers or executor, kept when killed, resumed exactly."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments.batch import plan_runs, run_batch
from sim.experiments.runner import run_replicate
from sim.experiments.store import BatchStore
from sim.model.scenario import load_scenario
from sim.model.sweep import sweep_points
from tests.conftest import ROOT, SCENARIOS, run_cli, run_here

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
    sweep = "sweep:\n  method: lhs\n  samples: 2\n  parameters:\n    pursuit_base: {low: -8.0, high: -3.0}\n"
    loaded = load_scenario(short_scenario(4, extra=sweep))
    run_batch(loaded, tmp_path / "one", workers=1)
    run_batch(loaded, tmp_path / "two", workers=2)
    run_batch(loaded, tmp_path / "dask", workers=2, executor="dask")
    one = read_all(tmp_path / "one")
    assert set(one["runs"]["point"]) == {0, 1} and len(one["runs"]) == 8
    assert json.loads((tmp_path / "dask" / "manifest.json").read_text())["status"]["workers"] == 2  # the cluster's
    for other in ("two", "dask"):
        for table, frame in read_all(tmp_path / other).items():
            pd.testing.assert_frame_equal(one[table], frame, obj=f"{other}/{table}")


def test_the_manifest_records_the_batch(short_scenario, tmp_path):
    loaded = load_scenario(short_scenario(2))
    run_batch(loaded, tmp_path / "b", workers=1)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["scenario_sha256"] == loaded.sha256 and manifest["seed"] == loaded.scenario.seed
    assert manifest["status"] == {
        **manifest["status"],
        "state": "complete",
        "runs_done": 2,
        "runs_total": 2,
        "done": "0-1",
    }
    assert manifest["versions"]["sahelsim"]


RUNS = 4000  # eight chunks of 500: a batch long enough to interrupt between its chunks


def _start_batch(scenario, out, workers=2):
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "batch", str(scenario), "--workers", str(workers), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_parts(out, at_least: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(list((out / "runs").glob("part-*.parquet"))) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError("the batch wrote no finished chunk in time")


def test_a_killed_batch_keeps_its_finished_runs_and_resumes_exactly(short_scenario, tmp_path):
    scenario = short_scenario(RUNS)
    out = tmp_path / "killed"
    process = _start_batch(scenario, out)
    _wait_for_parts(out, 2)
    os.killpg(process.pid, signal.SIGSTOP)  # frozen mid-batch, however fast the runs are, and still holding its lock
    second = run_cli("batch", str(scenario), "--workers", "1", "--resume", str(out))  # while the first one runs
    assert second.returncode == 2 and "is being written by another 'sahelsim batch'" in second.stderr, second.stderr
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, with no chance to clean up
    process.wait()
    kept = BatchStore(out).done_runs()
    assert 0 < len(kept) < RUNS
    for table in BatchStore.TABLES:  # every committed part is a whole, readable file
        for part in (out / table).glob("part-*.parquet"):
            pd.read_parquet(part)
    result = run_cli("batch", "--workers", "2", "--resume", str(out))  # the scenario and options from the manifest
    assert result.returncode == 0, result.stderr
    assert f"{RUNS} of {RUNS}" in result.stdout
    assert sorted(str(p.relative_to(out)) for p in out.rglob(".*")) == [".lock"]  # no debris of the kill
    assert not (out / "damaged").exists()
    resumed = read_all(out)
    assert resumed["runs"]["run"].tolist() == list(range(RUNS))  # nothing lost, nothing twice
    run_batch(load_scenario(scenario), tmp_path / "whole", workers=2)
    for table, frame in read_all(tmp_path / "whole").items():
        pd.testing.assert_frame_equal(resumed[table], frame, obj=table)


def test_sigterm_stops_a_batch_cleanly(short_scenario, tmp_path):
    out = tmp_path / "terminated"
    process = _start_batch(short_scenario(RUNS), out)
    _wait_for_parts(out, 1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "--resume" in stderr
    status = json.loads((out / "manifest.json").read_text())["status"]
    assert status["state"] == "interrupted" and status["runs_done"] == len(BatchStore(out).done_runs())


def test_resuming_with_another_scenario_is_refused_naming_what_differs(short_scenario, tmp_path):
    out = tmp_path / "b"
    run_batch(load_scenario(short_scenario(2)), out, workers=1)
    before = sorted(p.name for p in (out / "runs").iterdir())
    other = short_scenario(2, base="no_pursuit_2024.yaml")
    result = run_cli("batch", str(other), "--resume", str(out))
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "Traceback" not in message
    assert f"{other}: differs from the scenario the batch in {out} was started with, in " in message
    assert "parameters" in message
    assert sorted(p.name for p in (out / "runs").iterdir()) == before


def test_resume_takes_the_scenario_and_options_from_the_manifest(short_scenario, tmp_path, monkeypatch, capsys):
    scenario, out = short_scenario(2), tmp_path / "b"
    code, _, err = run_here(monkeypatch, capsys, "batch", str(scenario), "--replicates", "3", "--out", str(out))
    assert code == 0, err
    for given in ([], [str(scenario)]):  # the scenario file says 2 replicates: the batch was started with 3
        code, printed, err = run_here(monkeypatch, capsys, "batch", *given, "--workers", "1", "--resume", str(out))
        assert code == 0 and "3 of 3 (0 run now)" in " ".join(printed.split()), err
    for args, message in (
        (
            ["--replicates", "2"],
            f"{out}, field '--replicates': --replicates 2 disagrees with the batch, which was "
            "started with --replicates 3; leave --replicates out",
        ),
        (["--method", "lhs"], "--method lhs disagrees with the batch, which was started with --method (none)"),
        (["--out", str(tmp_path / "elsewhere")], f"option '--out': goes with a new batch; --resume {out} finishes"),
    ):
        code, _, err = run_here(monkeypatch, capsys, "batch", str(scenario), "--resume", str(out), *args)
        assert code == 2 and message in err and "Traceback" not in err, err
    code, _, err = run_here(monkeypatch, capsys, "batch", "--out", str(tmp_path / "new"))
    assert code == 2 and "a new batch needs a scenario file" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", scenario.name]


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
    assert (
        run_cli("batch", str(short_scenario(4, extra=sweep)), "--workers", "1", "--out", str(factual)).returncode == 0
    )
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


def test_compare_draws_batches_without_common_weeks_side_by_side(short_scenario, tmp_path):
    early = tmp_path / "early.yaml"
    early.write_text(
        f"extends: {SCENARIOS / 'joint_patrols_2010.yaml'}\nname: early\nend: 2010-06-30\nreplicates: 2\nshocks: []\n"
    )
    for scenario, out in ((early, "a"), (short_scenario(2), "b")):
        assert run_cli("batch", str(scenario), "--workers", "1", "--out", str(tmp_path / out)).returncode == 0
    result = run_cli("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    assert "do not overlap" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "cmp.png").stat().st_size > 10_000


def test_resuming_a_run_folder_is_refused_and_leaves_it_untouched(short_scenario, tmp_path):
    scenario, run_folder = short_scenario(2), tmp_path / "single"
    assert run_cli("run", str(scenario), "--out", str(run_folder)).returncode == 0
    before = {path.name: path.read_bytes() for path in run_folder.iterdir()}
    result = run_cli("batch", str(scenario), "--workers", "1", "--resume", str(run_folder))
    assert result.returncode == 2, result.stderr
    assert "is not a batch" in " ".join(result.stderr.split()) and "Traceback" not in result.stderr
    assert {path.name: path.read_bytes() for path in run_folder.iterdir()} == before


def test_readers_see_only_committed_runs(short_scenario, tmp_path):
    out = tmp_path / "b"
    run_batch(load_scenario(short_scenario(4)), out, workers=1)
    metrics = BatchStore(out).read("metrics")
    # A chunk of runs 4-5 killed before its commit, as this version writes it (hidden parts) and
    # as a reader may still find it (a visible part without its "runs" part).
    uncommitted = metrics[metrics["run"] < 2].assign(run=lambda f: f["run"] + 4)
    uncommitted.to_parquet(out / "metrics" / ".pending-part-0000004-0000005.parquet")
    uncommitted.to_parquet(out / "metrics" / "part-0000004-0000005.parquet")
    assert set(BatchStore(out).read("metrics")["run"]) == {0, 1, 2, 3}
    assert run_cli("summary", str(out)).returncode == 0
    assert (pd.read_csv(out / "summary.csv")["runs"] == 4).all()
    outcome = run_batch(load_scenario(short_scenario(4)), out, workers=1, resume=True)  # resuming clears them
    assert outcome.runs_this_call == 0
    assert sorted(p.name for p in (out / "metrics").iterdir()) == sorted(p.name for p in (out / "runs").iterdir())
    assert [p.name for p in (out / "damaged" / "metrics").iterdir()] == ["part-0000004-0000005.parquet"]


def test_a_chunk_is_hidden_until_its_runs_part_commits_it(short_scenario, tmp_path, monkeypatch):
    """A glob of a table (pandas, DuckDB) never lists a part whose chunk is not committed."""
    import sim.experiments.store

    out = tmp_path / "b"
    run_batch(load_scenario(short_scenario(2)), out, workers=1)
    store, seen = BatchStore(out), []
    real = sim.core.io.write_parquet

    def spy(frame, path):
        seen.append({t: sorted(p.name for p in (out / t).glob("*.parquet")) for t in ("metrics", "runs")})
        real(frame, path)

    monkeypatch.setattr(sim.experiments.store, "write_parquet", spy)
    tables = {table: store.read(table).assign(run=lambda f: f["run"] + 10) for table in BatchStore.TABLES}
    store.write_chunk(tables)
    assert all("part-0000010-0000011.parquet" not in listing["metrics"] for listing in seen)
    assert (out / "metrics" / "part-0000010-0000011.parquet").is_file()


def test_an_unknown_metric_or_point_is_refused_with_the_choices(short_scenario, tmp_path):
    sweep = "sweep:\n  method: grid\n  parameters:\n    pursuit_base: [-8.0, -3.0]\n"
    out = tmp_path / "b"
    result = run_cli("batch", str(short_scenario(2, extra=sweep)), "--workers", "1", "--out", str(out))
    assert result.returncode == 0 and "local, 1 worker " in result.stdout, result.stdout
    result = run_cli("summary", str(out))  # no run has a joint action of Mali and Russia
    assert result.returncode == 0 and "runs without it" in result.stdout and "2 (100%)" in result.stdout
    for args, message in (
        (["--metric", "no_such_metric"], "peak_tension"),
        (["--metric", "peak_tension:mali–nowhere"], "mali–mauritania"),
        (["--point", "7"], "from 0 to 1"),
    ):
        result = run_cli("plot", str(out), *args)
        assert result.returncode == 2, result.stderr
        assert message in " ".join(result.stderr.split()) and "Traceback" not in result.stderr
    assert not (out / "tension.png").exists()
    result = run_cli("plot", str(out), "--point", "1")
    assert result.returncode == 0, result.stderr
    assert (out / "tension_point_1.png").stat().st_size > 10_000


def test_fans_of_a_sweep_say_they_pool_its_points():
    from sim.plots.panels import runs_caption

    tension = pd.DataFrame({"run": [0, 1, 2, 3], "point": [0, 0, 1, 1]})
    assert runs_caption(tension) == "all 4 runs over 2 sweep points"
    assert runs_caption(tension[tension["point"] == 1]) == "2 runs"


def _children(pid: int) -> list[int]:
    found = []
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat))
    return found


def _alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_batch_process_is_killed_alone(short_scenario, tmp_path):
    out = tmp_path / "orphans"
    process = _start_batch(short_scenario(RUNS), out)
    _wait_for_parts(out, 1)
    workers = _children(process.pid)
    assert len(workers) >= 2
    process.kill()  # the main process only: its workers get no signal from us
    process.wait()
    deadline = time.time() + 10
    while any(_alive(pid) for pid in workers) and time.time() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors


def test_bad_input_without_out_leaves_no_results_folder(short_scenario, tmp_path):
    result = run_cli(
        "batch", str(short_scenario(2)), "--executor", "dask", "--address", "tcp://127.0.0.1:9", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("sweep", "message"),
    [
        ("sweep:\n  parameters:\n    no_such_parameter: [1.0]\n", "unknown parameter"),
        ("sweep:\n  method: lhs\n  samples: 4\n  parameters:\n    pursuit_base: {low: -3, high: -3}\n", "empty range"),
    ],
)
def test_a_bad_sweep_is_refused_by_batch_and_writes_nothing(short_scenario, tmp_path, sweep, message):
    result = run_cli("batch", str(short_scenario(2, extra=sweep)), "--workers", "1", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in " ".join(result.stderr.split()) and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [short_scenario(2, extra=sweep)]


def test_a_failed_plot_write_leaves_the_previous_file_whole(tmp_path):
    import matplotlib.pyplot as plt

    from sim.plots.panels import save_figure

    figure = plt.figure()
    (tmp_path / "fig.png").write_bytes(b"previous")

    def broken(path, **kwargs):
        with open(path, "wb") as file:
            file.write(b"half a PNG")
        raise OSError("disk full")

    figure.savefig = broken
    with pytest.raises(OSError):
        save_figure(figure, tmp_path / "fig", formats=("png",))
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"] and (tmp_path / "fig.png").read_bytes() == b"previous"


@pytest.mark.parametrize(
    ("command", "described"),
    [
        ("run", "[default: results/<scenario name>]"),
        ("batch", "[default: number of cores]"),
        ("batch", "[default: results/<scenario name>-batch]"),
        ("plot", "[default: all runs, pooled]"),
        ("compare", "[default: results/compare_A_vs_B]"),
        ("calibrate", "[default: results/calibration_<config name>]"),
    ],
)
def test_help_keeps_the_described_defaults(command, described):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert described in " ".join(result.stdout.split())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_killed_mid_batch_is_told_and_the_batch_resumes(short_scenario, tmp_path):
    """The kernel's out-of-memory killer takes one worker: one paragraph, exit 2, and --resume finishes the batch."""
    out = tmp_path / "lost"
    process = _start_batch(short_scenario(RUNS), out)
    _wait_for_parts(out, 1)
    workers = [pid for pid in _children(process.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    os.kill(workers[0], signal.SIGKILL)  # a worker, not the resource tracker
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2, stderr
    assert "a worker process died" in stderr and "Traceback" not in stderr
    result = run_cli("batch", "--workers", "1", "--resume", str(out))
    assert result.returncode == 0, result.stderr
    assert f"{RUNS} of {RUNS}" in result.stdout
