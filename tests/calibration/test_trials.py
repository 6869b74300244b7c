"""Trial runs: calibrate, sensitivity, forecast and report write only where they are told.

The committed calibration (``calibration/fitted``, ``calibration/report`` and ``report.md``) is what the
shipped scenarios run with; only ``--update-shipped`` rewrites it, and regenerating its report from the
same files gives the same bytes.
"""

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.calibration.test_calibration import RECOVERY
from tests.conftest import ROOT, run_cli

CONFIG = ROOT / "calibration" / "sahel.yaml"
TINY = ("--population", "10", "--generations", "1")
MORRIS = ("--method", "morris", "--trajectories", "2", "--replicates", "1", "--workers", "1")


def hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with the sha256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_trial_runs_leave_the_committed_calibration_untouched(tmp_path):
    before = hashes(ROOT / "calibration")
    trial = tmp_path / "trial"  # does not exist yet: calibrate creates it
    steps = [
        ("calibrate", str(CONFIG), *TINY, "--workers", "1", "--checks", "2", "--out", str(trial)),
        ("sensitivity", str(CONFIG), *MORRIS),  # into the default folder
        ("forecast", str(CONFIG), *TINY, "--runs", "2", "--out", str(trial)),
        ("report", str(CONFIG), "--out", str(trial)),
    ]
    outputs = []
    for step in steps:
        result = run_cli(*step, cwd=tmp_path)
        assert result.returncode == 0, (step, result.stderr)
        outputs.append(" ".join(result.stdout.split()))
    assert hashes(ROOT / "calibration") == before
    # the second step wrote into the default folder, which holds no fitted set: no report there
    default = tmp_path / "results" / "calibration_sahel"
    assert sorted(path.name for path in default.iterdir()) == [
        "sensitivity_morris.csv",
        "sensitivity_morris.png",
        "sensitivity_morris.svg",
    ]
    assert "no report:" in outputs[1] and "holds no fitted set sahel.yaml" in outputs[1]
    written = {path.name for path in trial.iterdir()}
    assert {"sahel.yaml", "sahel.posterior.parquet", "report.md", "generations.csv", "reproduction.csv"} <= written
    assert {"forecast_scores.csv", "ppc_sahel_2024.png"} <= written
    report = (trial / "report.md").read_text()
    assert "the fitted set `sahel.yaml` of" in report
    assert "A trial fit: none of the config's scenarios runs with it" in report
    assert "run with this fitted set" not in report
    assert (
        "the run stopped because it reached the cap of 1 generations" in report
    )  # the trial's budget, not the config's
    assert f"run `sahelsim sensitivity {CONFIG} --out {trial} --method morris`" in report
    assert "| sahelsim (posterior-predictive) |" in report  # the forecast joined the trial's report


def test_the_shipped_report_regenerates_byte_identical(tmp_path):
    """The report's date is its fitted set's: regenerating it from the committed files changes nothing."""
    for folder in ("calibration", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    result = run_cli("report", str(tmp_path / "calibration" / "sahel.yaml"), "--update-shipped", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "calibration" / "report.md").read_bytes() == (ROOT / "calibration" / "report.md").read_bytes()
    report = (ROOT / "calibration" / "report.md").read_text()
    assert "the fitted set `fitted/sahel.yaml` of" in report
    assert "The config's scenarios sahel_2024 and joint_patrols_2010 run with this fitted set" in report


@pytest.fixture
def recovery(tmp_path):
    path = tmp_path / "recovery.yaml"
    path.write_text(RECOVERY)
    return path


def _foreign_files(folder: Path) -> None:
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")


def _another_configs_trial(folder: Path) -> None:
    folder.mkdir()
    (folder / "sahel.yaml").write_text("name: sahel\n")
    (folder / "report.md").write_text("# Calibration report: sahel\n")


def _a_subfolder(folder: Path) -> None:
    (folder / "lessons").mkdir(parents=True)


def _a_file(folder: Path) -> None:
    folder.write_text("not a folder")


@pytest.mark.parametrize(
    ("command", "prepare", "args", "message"),
    [
        ("calibrate", _foreign_files, ["--out", "{out}"], "holds notes.txt, which no calibration of recovery writes"),
        ("calibrate", _another_configs_trial, ["--out", "{out}"], "holds sahel.yaml, which no calibration of recovery"),
        ("calibrate", _a_subfolder, ["--out", "{out}"], "holds lessons"),
        ("calibrate", _a_file, ["--out", "{out}"], "is a file; expected a folder"),
        ("calibrate", None, ["--out", "{tmp}/no/such"], "does not exist"),
        ("calibrate", None, ["--out", "{tmp}"], "holds the config recovery.yaml, which the fitted set"),
        ("calibrate", None, ["--out", "{out}", "--update-shipped"], "cannot go with --update-shipped"),
        ("sensitivity", _foreign_files, ["--out", "{out}"], "holds notes.txt"),
        ("forecast", _foreign_files, ["--out", "{out}"], "holds notes.txt"),
        ("report", _foreign_files, ["--out", "{out}"], "holds notes.txt"),
        ("report", None, ["--out", "{out}"], "holds no recovery.yaml; run 'sahelsim calibrate"),
        ("report", None, ["--update-shipped"], "holds no recovery.yaml"),
    ],
)
def test_a_folder_that_is_not_this_calibrations_is_refused_and_left_alone(
    recovery, tmp_path, command, prepare, args, message
):
    out = tmp_path / "out"
    if prepare is not None:
        prepare(out)
    before = hashes(tmp_path)
    arguments = [arg.format(out=out, tmp=tmp_path) for arg in args]
    result = run_cli(command, str(recovery), *arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert message in " ".join(result.stderr.split()) and "Traceback" not in result.stderr
    assert hashes(tmp_path) == before and not (tmp_path / "results").exists()


def test_score_updates_a_report_only_where_it_is_told(tmp_path):
    result = run_cli("score", "--observed", str(tmp_path / "x.parquet"), "--update-shipped", cwd=tmp_path)
    assert result.returncode == 2 and "needs --report CONFIG" in " ".join(result.stderr.split())
