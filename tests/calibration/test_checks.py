"""Posterior-predictive checks, out-of-sample scores, sensitivity and the report."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.calibration.checks import posterior_draws, reproduction
from sim.calibration.forecast import brier, occurrence, score
from sim.calibration.sensitivity import analyse, problem
from sim.model.scenario import load_scenario
from tests.calibration.test_calibration import RECOVERY
from tests.conftest import ROOT, SCENARIOS, run_cli


def documented_table(*rows):
    frame = pd.DataFrame(rows, columns=["event_id", "date", "date_precision", "source", "target", "event_type"])
    return frame.astype({"date": "datetime64[ns]"})


def run_table(*rows):
    return pd.DataFrame(rows, columns=["date", "source", "target", "event_type"]).astype({"date": "datetime64[ns]"})


def test_an_event_is_reproduced_by_runs_with_it_in_its_window():
    scenario = load_scenario(SCENARIOS / "sahel_2024.yaml")
    documented = documented_table(
        ("D1", "2024-04-19", "day", "mauritania", "mali", "summon_ambassador"),
        ("D2", "2024-04-01", "week", "mali", "mauritania", "cross_border_incident"),  # replayed as a shock
    )
    inside = run_table(("2024-05-06", "mauritania", "mali", "summon_ambassador"))
    outside = run_table(("2024-09-02", "mauritania", "mali", "summon_ambassador"))
    table = reproduction(documented, [inside, outside], scenario)
    assert table["event_id"].tolist() == ["D1"]
    assert table["share_of_runs"].tolist() == [0.5] and table["reproduced"].tolist() == [True]


def test_posterior_draws_follow_the_weights():
    posterior = pd.DataFrame({"a": [1.0, 2.0], "weight": [0.0, 1.0]})
    assert {draw["a"] for draw in posterior_draws(posterior, 20, 1)} == {2.0}


def test_brier_scores_and_occurrence_cells():
    events = run_table(("2024-07-10", "mali", "burkina_faso", "joint_operation")).assign(date_precision="day")
    cells = occurrence(events, [("mali", "burkina_faso")], pd.period_range("2024-07", "2024-08", freq="M"))
    hit = cells[(cells["family"] == "military_cooperation") & (cells["month"] == pd.Period("2024-07", "M"))]
    assert hit["occurred"].tolist() == [1] and cells["occurred"].sum() == 1
    assert brier(np.array([1.0, 0.0]), np.array([1, 0])) == 0.0
    assert brier(np.array([0.5]), np.array([1])) == 0.25


def test_a_perfect_forecast_beats_every_baseline():
    documented = documented_table(
        ("D1", "2024-02-05", "day", "mali", "burkina_faso", "joint_operation"),
        ("D2", "2024-07-10", "day", "mali", "burkina_faso", "joint_operation"),
    )
    perfect = run_table(("2024-07-08", "mali", "burkina_faso", "joint_operation"))
    scores = score(
        documented,
        [perfect],
        [("mali", "burkina_faso")],
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 30),
        dt.date(2024, 12, 31),
    )
    ours = scores[scores["forecast"].str.startswith("sahelsim")]["brier"].iloc[0]
    assert ours == 0.0 and (scores["brier"] >= ours).all() and scores["events_observed"].iloc[0] == 1


@pytest.fixture
def small_config(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(RECOVERY)
    return path


def test_morris_indices_cover_every_parameter_and_statistic(small_config):
    from sim.calibration.fitting import load_config

    table = analyse(load_config(small_config), "morris", 2, seed=3, replicates=2, workers=1)
    assert set(table["parameter"]) == set(problem()["names"])
    assert set(table["statistic"]) == {"ambassador_away"}
    assert (table["index"] >= 0).all()
    top = table.sort_values("index", ascending=False)["parameter"].head(8).tolist()
    assert "restore_base" in top or "restore_tension" in top or table["index"].max() == 0


def test_a_parameter_the_scenario_never_uses_has_no_effect_with_common_random_numbers(small_config):
    """The 2010 scenario has no alliance to join.

    With each trajectory's runs sharing their seeds, moving the alliance parameters changes
    nothing, so their index is exactly 0 (with a seed per run, the run-to-run noise would show up
    as an effect of every parameter).
    """
    from sim.calibration.fitting import load_config

    indices = analyse(load_config(small_config), "morris", 3, seed=5, replicates=1, workers=1).set_index("parameter")[
        "index"
    ]
    assert indices[["alliance_base", "alliance_threat", "alliance_alignment"]].eq(0).all()
    assert indices["restore_base"] > 0


def test_calibrate_sensitivity_and_report_from_the_command_line(small_config, tmp_path):
    fitted = tmp_path / "fitted"
    fitted.mkdir()
    small_config.write_text(
        RECOVERY.replace("population_size: 40, max_generations: 4", "population_size: 20, max_generations: 2")
    )
    result = run_cli("calibrate", str(small_config), "--out", str(fitted), "--checks", "4")
    assert result.returncode == 0, result.stderr
    assert (fitted / "reproduction.csv").is_file() and (fitted / "ppc_joint_patrols_2010.png").is_file()
    result = run_cli(
        "sensitivity", str(small_config), "--out", str(fitted), "--method", "sobol", "--samples", "4", "--workers", "1"
    )
    assert result.returncode == 0, result.stderr
    assert (fitted / "sensitivity_sobol.png").stat().st_size > 10_000
    report = (fitted / "report.md").read_text()
    assert "## Parameters" in report and "`restore_base`" in report and "Sobol" in report
    assert "simulations in" in report and "| generation | epsilon |" in report
    assert "D002 (002_d605a979a074433c.txt)" in report  # the documented events behind the target


def test_sensitivity_refuses_a_sobol_sample_that_is_not_a_power_of_two(small_config):
    result = run_cli("sensitivity", str(small_config), "--method", "sobol", "--samples", "6")
    assert result.returncode == 2 and "power of two" in result.stderr


def test_the_documented_events_file_is_shared():
    assert (ROOT / "calibration" / "events.csv").is_file()


def test_a_parameter_moves_a_target_only_when_its_sobol_interval_clears_the_threshold():
    from sim.calibration.report import _moved_targets

    sobol = pd.DataFrame(
        {
            "statistic": ["lag", "lag", "count"],
            "parameter": ["a", "b", "a"],
            "index": [0.40, 0.30, 0.06],
            "conf": [0.10, 0.28, 0.005],  # b's interval reaches down to 0.02
        }
    )
    moved = {parameter: [row.statistic for row in rows] for parameter, rows in _moved_targets(sobol).items()}
    assert moved == {"a": ["lag", "count"]}
