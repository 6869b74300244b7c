"""A batch folder that was damaged, shared or cut short: readers name the file, writers repair or refuse."""

import errno
import json
import shutil

import filelock
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim.experiments.store
from sim.core.errors import InputError
from sim.experiments.batch import run_batch
from sim.experiments.store import BatchStore, _parsed_ranges, _ranges
from sim.model.scenario import load_scenario
from tests.conftest import SCENARIOS, run_here

SHORT = f"extends: {SCENARIOS / 'sahel_2024.yaml'}\nname: short_store\nend: 2024-05-31\nreplicates: 4\nshocks: []\n"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A whole batch of 4 runs, in chunks of one run (workers=1): copied, then damaged, by each test."""
    folder = tmp_path_factory.mktemp("pristine")
    scenario = folder / "short.yaml"
    scenario.write_text(SHORT)
    run_batch(load_scenario(scenario), folder / "batch", workers=1)
    return scenario, folder / "batch"


@pytest.fixture
def batch(pristine, tmp_path):
    scenario, folder = pristine
    shutil.copytree(folder, tmp_path / "batch")
    return scenario, tmp_path / "batch"


def tables(folder) -> dict[str, pd.DataFrame]:
    store = BatchStore(folder)
    return {table: store.read(table) for table in BatchStore.TABLES}


def assert_same_tables(folder, pristine_folder) -> None:
    for table, frame in tables(pristine_folder).items():
        pd.testing.assert_frame_equal(tables(folder)[table], frame, obj=table)


def hidden_files(folder) -> list[str]:
    """Everything hidden in a batch folder but its lock file."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*") if p.name != ".lock")


@given(st.sets(st.integers(min_value=0, max_value=10_000)))
def test_the_ranges_of_done_runs_read_back_as_written(runs):
    assert _parsed_ranges(_ranges(runs)) == runs


def test_overlapping_parts_count_each_run_once(batch, monkeypatch, capsys):
    """Two writers at once (versions without the lock) wrote runs 1-2 twice: a reader counts them once."""
    _, folder = batch
    whole = tables(folder)
    for table, frame in whole.items():  # a chunk of runs 1-2 beside the chunks of run 1 and of run 2
        frame[frame["run"].isin([1, 2])].to_parquet(folder / table / "part-0000001-0000002.parquet", index=False)
    for table, frame in tables(folder).items():
        pd.testing.assert_frame_equal(frame, whole[table], obj=table)
    assert BatchStore(folder).done_runs() == {0, 1, 2, 3}
    code, _, err = run_here(monkeypatch, capsys, "summary", str(folder))
    assert code == 0, err
    assert (pd.read_csv(folder / "summary.csv")["runs"] == 4).all()


DAMAGES = {
    "garbage": lambda path: path.write_bytes(b"not parquet at all" * 10),
    "emptied": lambda path: path.write_bytes(b""),
    "removed": lambda path: path.unlink(),
}


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("table", [*BatchStore.TABLES, "points"])
def test_a_damaged_file_is_named_by_readers_and_run_again_on_resume(
    batch, pristine, monkeypatch, capsys, table, damage
):
    scenario, folder = batch
    path = folder / "points.parquet" if table == "points" else folder / table / "part-0000002-0000002.parquet"
    DAMAGES[damage](path)
    named = str(folder / "runs") if (table, damage) == ("runs", "removed") else str(path)  # the runs the manifest lists
    code, _, err = run_here(monkeypatch, capsys, "summary", str(folder))
    if table != "tension":  # summary reads every table but tension
        assert code == 2 and named in err and "--resume" in err and "Traceback" not in err, err
    if table in ("tension", "points"):
        code, _, err = run_here(monkeypatch, capsys, "plot", str(folder))
        assert code == 2 and named in err and "Traceback" not in err, err
    outcome = run_batch(load_scenario(scenario), folder, workers=1, resume=True)
    assert outcome.runs_this_call == (0 if table == "points" else 1)  # the damaged chunk's run, no other
    if damage != "removed":
        assert (folder / "damaged" / path.relative_to(folder)).is_file()  # set aside, not deleted
    assert_same_tables(folder, pristine[1])
    assert pd.read_parquet(folder / "points.parquet").equals(pd.read_parquet(pristine[1] / "points.parquet"))
    assert hidden_files(folder) == []


def test_resuming_a_sound_batch_sets_nothing_aside(batch):
    scenario, folder = batch
    outcome = run_batch(load_scenario(scenario), folder, workers=1, resume=True)
    assert outcome.runs_this_call == 0 and outcome.set_aside == () and not (folder / "damaged").exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("scenario_sha256", None, "field 'scenario_sha256': "),
        ("scenario_sha256", 12345, "field 'scenario_sha256': "),
        ("replicates", "4", "field 'replicates': "),
        ("scenario_validated", [], "field 'scenario_validated': "),
        ("status", {"state": "complete", "runs_done": 4, "runs_total": 4, "done": "0-x"}, "field 'status.done': "),
    ],
)
def test_a_manifest_field_of_the_wrong_type_is_named(batch, monkeypatch, capsys, field, value, words):
    _, folder = batch
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, field: value}))
    for args in (["summary", str(folder)], ["plot", str(folder)], ["batch", "--resume", str(folder)]):
        code, _, err = run_here(monkeypatch, capsys, *args)
        assert code == 2 and f"{folder / 'manifest.json'}, {words}" in err and "Traceback" not in err, (args, err)


def test_a_second_writer_is_refused_naming_the_folder(batch, monkeypatch, capsys):
    scenario, folder = batch
    before = sorted(p.name for p in (folder / "runs").iterdir())
    with filelock.FileLock(folder / ".lock", timeout=0):  # as a batch writing this folder holds it
        for args in (["--resume", str(folder)], ["--out", str(folder)]):
            code, _, err = run_here(monkeypatch, capsys, "batch", str(scenario), "--workers", "1", *args)
            assert code == 2 and f"{folder}, field '{args[0]}': is being written by another 'sahelsim batch'" in err
    assert sorted(p.name for p in (folder / "runs").iterdir()) == before
    code, out, err = run_here(monkeypatch, capsys, "batch", "--resume", str(folder))  # the lock ended with its holder
    assert code == 0 and "4 of 4 (0 run now)" in " ".join(out.split()), err


def test_debris_of_killed_writes_is_cleared_on_resume(batch, pristine):
    scenario, folder = batch
    debris = [
        folder / ".manifest.json.ab12cd34",
        folder / ".points.parquet.x_y9z8w7",
        folder / "tension" / ".part-0000003-0000003.parquet.k3j4h5g6",
        folder / "metrics" / ".pending-part-0000009-0000009.parquet",
    ]
    for path in debris:
        path.write_bytes(b"")
    outcome = run_batch(load_scenario(scenario), folder, workers=1, resume=True)
    assert outcome.runs_this_call == 0 and hidden_files(folder) == []
    assert_same_tables(folder, pristine[1])


@pytest.mark.parametrize("how", ["--out", "--resume"])
def test_a_batch_killed_before_its_manifest_can_be_started_again(batch, pristine, monkeypatch, capsys, how):
    """Killed during its first manifest write: the folders, the points and a temporary manifest."""
    scenario, folder = batch
    for table in BatchStore.TABLES:
        shutil.rmtree(folder / table)
        (folder / table).mkdir()
    (folder / "manifest.json").unlink()
    (folder / ".manifest.json.q1w2e3r4").write_bytes(b"")
    if how == "--resume":  # without the scenario there is nothing to resume from
        code, _, err = run_here(monkeypatch, capsys, "batch", "--resume", str(folder))
        assert code == 2 and "holds no batch manifest.json" in err and f"SCENARIO --resume {folder}" in err, err
    code, _, err = run_here(monkeypatch, capsys, "batch", str(scenario), "--workers", "1", how, str(folder))
    assert code == 0, err
    assert_same_tables(folder, pristine[1])
    assert hidden_files(folder) == []


def test_a_full_disk_stops_the_batch_clearly_and_it_resumes(pristine, tmp_path, monkeypatch, capsys):
    scenario, whole = pristine
    folder = tmp_path / "full"
    real, written = sim.experiments.store.write_parquet, []

    def fills_up(frame, path):
        if path.parent.name == "runs" and written:  # the disk is full when the second chunk commits
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path) if path.parent.name == "runs" else None
        real(frame, path)

    monkeypatch.setattr(sim.experiments.store, "write_parquet", fills_up)
    code, _, err = run_here(monkeypatch, capsys, "batch", str(scenario), "--workers", "1", "--out", str(folder))
    assert code == 2 and "Traceback" not in err, err
    full = "could not be written: the disk is full (No space left on device) while writing the chunk of runs 1-1"
    assert f"{folder}: {full}" in err
    assert f"free some space and finish the batch with: sahelsim batch --resume {folder}" in err
    assert BatchStore(folder).done_runs() == {0} and hidden_files(folder) == []  # no part of the chunk left
    monkeypatch.setattr(sim.experiments.store, "write_parquet", real)
    code, _, err = run_here(monkeypatch, capsys, "batch", "--resume", str(folder), "--workers", "1")
    assert code == 0, err
    assert_same_tables(folder, whole)


def test_a_run_clears_what_a_killed_run_left(pristine, tmp_path, monkeypatch, capsys):
    scenario, _ = pristine
    (tmp_path / ".single.partial-a1b2c3d4").mkdir()
    (tmp_path / ".single.partial-a1b2c3d4" / "events.parquet").write_bytes(b"half")
    code, _, err = run_here(
        monkeypatch, capsys, "run", str(scenario), "--replicates", "1", "--out", str(tmp_path / "single")
    )
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["single"]


def test_the_store_refuses_with_input_errors_not_arrow_ones(batch):
    _, folder = batch
    (folder / "metrics" / "part-0000000-0000000.parquet").write_bytes(b"PAR1" + b"\0" * 40 + b"PAR1")
    with pytest.raises(InputError) as error:
        BatchStore(folder).read("metrics")
    assert error.value.path == str(folder / "metrics" / "part-0000000-0000000.parquet")
