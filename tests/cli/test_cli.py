"""End to end through the command line, as a user runs it."""

import ast
import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest

from tests.conftest import DOCUMENTED, ROOT, SCENARIOS, run_cli, run_here


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "sahel"
    result = run_cli("run", str(SCENARIOS / "sahel_2024.yaml"), "--replicates", "4", "--seed", "7", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_run_writes_the_results_folder(run_folder):
    assert sorted(p.name for p in run_folder.iterdir()) == [
        "events.parquet",
        "manifest.json",
        "tension.parquet",
        "tension.png",
        "tension.svg",
    ]
    assert (run_folder / "tension.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_manifest_records_what_produced_the_result(run_folder):
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["scenario"] == "sahel_2024"
    assert manifest["seed"] == 7 and manifest["replicates"] == 4
    assert len(manifest["scenario_sha256"]) == 64
    assert "name: sahel_2024" in manifest["scenario_text"]
    assert manifest["versions"]["sahelsim"]
    assert manifest["parameters"]["tension_scale"] > 0


def test_the_tables_hold_every_replicate(run_folder):
    events = pd.read_parquet(run_folder / "events.parquet")
    tension = pd.read_parquet(run_folder / "tension.parquet")
    assert sorted(events["replicate"].unique()) == [0, 1, 2, 3]
    assert sorted(tension["replicate"].unique()) == [0, 1, 2, 3]
    assert {"date", "pair", "tension", "cooperation", "replicate"} <= set(tension.columns)
    assert tension.groupby("replicate").size().nunique() == 1


def test_the_same_seed_gives_identical_tables(run_folder, tmp_path):
    again = tmp_path / "again"
    result = run_cli("run", str(SCENARIOS / "sahel_2024.yaml"), "--replicates", "4", "--seed", "7", "--out", str(again))
    assert result.returncode == 0, result.stderr
    for name in ("events.parquet", "tension.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(run_folder / name), pd.read_parquet(again / name))


def test_a_rerun_into_an_out_folder_needs_overwrite(tmp_path):
    out = tmp_path / "r"

    def run(seed: str, *extra: str) -> subprocess.CompletedProcess[str]:
        scenario = str(SCENARIOS / "joint_patrols_2010.yaml")
        return run_cli("run", scenario, "--replicates", "2", "--seed", seed, "--out", str(out), *extra)

    assert run("1").returncode == 0
    refused = run("2")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "holds an earlier 'sahelsim run' result" in " ".join(refused.stderr.split())
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1
    assert run("3", "--overwrite").returncode == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no staging folder left behind


@pytest.mark.parametrize("extra", [(), ("--overwrite",)], ids=["plain", "overwrite"])
def test_run_never_replaces_a_folder_that_is_not_a_result(monkeypatch, capsys, tmp_path, extra):
    """Once, ``--out docs/teaching`` replaced the lessons with five result files."""
    lessons = tmp_path / "teaching"
    shutil.copytree(ROOT / "docs" / "teaching", lessons)
    before = {path: path.read_bytes() for path in lessons.rglob("*") if path.is_file()}
    scenario = str(SCENARIOS / "joint_patrols_2010.yaml")
    code, _, err = run_here(monkeypatch, capsys, "run", scenario, "--replicates", "1", "--out", str(lessons), *extra)
    assert code == 2 and "Traceback" not in err
    assert f"{lessons}, field '--out': holds {len(list(lessons.iterdir()))} entries (" in err
    assert "no manifest.json of a result" in err and "nothing was written" in err
    assert {path: path.read_bytes() for path in lessons.rglob("*") if path.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["teaching"]


def test_a_full_disk_leaves_the_earlier_result_and_no_staging_folder(monkeypatch, capsys, tmp_path):
    out, scenario = tmp_path / "r", str(SCENARIOS / "joint_patrols_2010.yaml")
    assert run_here(monkeypatch, capsys, "run", scenario, "--replicates", "1", "--out", str(out))[0] == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    written = []

    def fill_the_disk(frame: pd.DataFrame, path: str, **options: object) -> None:
        Path(path).write_bytes(b"PAR1 half a table")  # the disk fills up halfway through the second table
        written.append(path)
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fill_the_disk)
    code, _, err = run_here(monkeypatch, capsys, "run", scenario, "--replicates", "1", "--out", str(out), "--overwrite")
    assert code == 2 and "Traceback" not in err and len(written) == 2
    assert f"{out}, field '--out': could not be written: the disk is full (No space left on device)" in err
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_an_out_folder_whose_parent_is_missing_is_refused(tmp_path):
    result = run_cli("run", str(SCENARIOS / "joint_patrols_2010.yaml"), "--out", str(tmp_path / "no" / "such"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_events_lists_and_filters():
    result = run_cli("events", "--actor", "russia", "--since", "2024-08-01")
    assert result.returncode == 0, result.stderr
    assert "pledge_support" in result.stdout and "coup" not in result.stdout


def test_events_rejects_an_unknown_actor():
    result = run_cli("events", "--actor", "atlantis")
    assert result.returncode == 2 and "unknown actor" in result.stderr


def test_actors_and_parameters_list():
    actors = run_cli("actors")
    assert actors.returncode == 0 and "wagner" in actors.stdout
    parameters = run_cli("parameters")
    assert parameters.returncode == 0 and "pledge_losses" in parameters.stdout


def test_console_script_help():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("run", "validate", "events", "actors"):
        assert command in result.stdout


def test_documented_file_is_where_the_cli_looks():
    assert DOCUMENTED.is_file() and DOCUMENTED.relative_to(ROOT).as_posix() == "calibration/events.csv"


def test_the_readme_main_job_works_in_a_folder_without_results_and_again(tmp_path):
    for _ in range(2):  # the default folder's earlier run of the scenario is replaced
        result = run_cli("run", str(SCENARIOS / "sahel_2024.yaml"), "--replicates", "2", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "results" / "sahel_2024" / "tension.png").is_file()
    assert "replaced the earlier run of sahel_2024" in " ".join(result.stdout.split())
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["sahel_2024"]


def test_the_default_folder_is_not_replaced_when_it_holds_something_else(monkeypatch, capsys, tmp_path):
    folder = tmp_path / "results" / "joint_patrols_2010"
    folder.mkdir(parents=True)
    (folder / "notes.md").write_text("mine")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_here(monkeypatch, capsys, "run", str(SCENARIOS / "joint_patrols_2010.yaml"))
    assert code == 2 and "holds 1 entry (notes.md)" in err
    assert [p.name for p in folder.iterdir()] == ["notes.md"]


HEAVY = ("pandas", "numpy", "matplotlib", "mesa", "pyarrow", "scipy", "dask")


READS_PARQUET = {"pyarrow", "numpy", "pandas"}  # validate reads the fitted set's posterior sample


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], set()),
        (["validate", "scenarios/sahel_2024.yaml"], READS_PARQUET),
        (["actors"], set()),
        (["parameters"], set()),
    ],
)
def test_the_quick_commands_start_without_the_heavy_libraries(args, allowed):
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print(sorted(set({HEAVY!r}) & set(sys.modules)), file=sys.stderr))\n"
        "from sim.cli import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    loaded = ast.literal_eval(result.stderr.strip().splitlines()[-1])
    assert set(loaded) - allowed == set()


def test_the_cli_choices_are_those_of_the_layers():
    """The CLI's choices and the layers' must agree.

    The CLI types its choices with Literals of its own, as the layers' live in modules too slow to
    import at start-up.
    """
    from sim.calibration.sensitivity import Method
    from sim.cli import calibration as calibration_cli
    from sim.cli import events, runs, shared
    from sim.experiments.batch import Executor
    from sim.model.scenario import Scenario
    from sim.model.sweep import Method as SweepMethod
    from sim.records.datasets import Format
    from sim.records.observed import Measure

    assert get_args(runs.Executor) == get_args(Executor)
    assert get_args(runs.SweepMethod) == get_args(SweepMethod)
    assert get_args(shared.Measure) == get_args(Measure)
    assert get_args(shared.ParametersFrom) == get_args(Scenario.model_fields["parameters_from"].annotation)
    assert get_args(calibration_cli.SensitivityMethod) == (*get_args(Method), "both")
    assert get_args(events.DatasetFormat) == ("auto", *get_args(Format))


SHORT = "extends: {base}\nname: short\nend: 2024-08-31\nreplicates: 2\n"


@pytest.fixture(scope="module")
def batch_folder(tmp_path_factory):
    """A batch without a sweep, two short runs."""
    folder = tmp_path_factory.mktemp("batch")
    scenario = folder / "short.yaml"
    scenario.write_text(SHORT.format(base=SCENARIOS / "sahel_2024.yaml"))
    result = run_cli("batch", str(scenario), "--workers", "1", "--out", str(folder / "b"))
    assert result.returncode == 0, result.stderr
    return folder / "b"


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("peak_tensoin", "unknown metric 'peak_tensoin'; did you mean 'peak_tension'? expected one of"),
        ("peak_tension:mali-mauritanie", "unknown actor 'mauritanie'; did you mean 'mauritania'?"),
        ("peak_tension:mali-niger", "unknown key pair 'mali–niger'"),
        ("peak_tension:mali", "is not a pair of actors"),
    ],
)
def test_plot_refuses_an_unknown_metric_even_without_a_sweep(batch_folder, metric, expected):
    """Once, a misspelt --metric on a batch without a sweep wrote the plot and exited 0."""
    result = run_cli("plot", str(batch_folder), "--metric", metric)
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and expected in message and "option '--metric'" in message, result.stderr
    assert "mali–mauritania" in message or "metric" in expected  # the batch's pairs are offered
    assert "Traceback" not in result.stderr and not (batch_folder / "tension.png").exists()


def test_plot_takes_a_known_metric_without_a_sweep_with_a_note(batch_folder, tmp_path):
    folder = shutil.copytree(batch_folder, tmp_path / "b")
    result = run_cli("plot", str(folder), "--metric", "peak_tension:Mauritania:Mali")
    assert result.returncode == 0, result.stderr
    assert "no sweep" in result.stderr and (folder / "tension.png").is_file()


@pytest.mark.parametrize(
    "typed", ["mali–mauritania", "mali-mauritania", "Mauritania:Mali", "mali/mauritania", " MALI - mauritania "]
)
def test_a_metric_pair_is_read_as_users_type_it(sahel_2024, typed):
    from sim.cli.results import _selected_metrics

    metrics = pd.DataFrame({"metric": ["peak_tension", "incidents"], "pair": ["mali–mauritania", "mali–mauritania"]})
    selected = _selected_metrics([f"peak_tension:{typed}", "incidents"], sahel_2024.scenario, metrics)
    assert selected == [("peak_tension", "mali–mauritania"), ("incidents", "mali–mauritania")]


def test_app_names_the_option_and_the_offered_scenarios():
    """Once, an unknown --scenario was reported against sim/data/classroom.yaml."""
    from sim.teaching.classroom import CLASSROOM_PATH

    result = run_cli("app", "--scenario", "sahel_2042", "--port", "1")
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message.startswith("error: sahelsim app, field '--scenario': unknown scenario 'sahel_2042'; did you mean")
    assert "'sahel_2024'" in message and "'joint_patrols_2010'" in message and str(CLASSROOM_PATH) not in message


def test_events_offers_the_nearest_actor():
    result = run_cli("events", "--actor", "rusia")
    assert result.returncode == 2 and "unknown actor 'rusia'; did you mean 'russia'?" in result.stderr


def test_a_choice_offers_the_nearest_one():
    from sim.cli.runs import Executor
    from sim.cli.shared import choice
    from sim.core.errors import InputError

    parse = choice(Executor, "executor", "--executor")
    assert parse("dask") == "dask"
    with pytest.raises(InputError, match="unknown executor 'dsak'; did you mean 'dask'\\? expected local or dask"):
        parse("dsak")
