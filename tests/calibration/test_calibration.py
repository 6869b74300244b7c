"""Calibration: the posterior recovers known parameters, repeats given its seed, and bad configs are refused."""

import pytest
import yaml

from sim.calibration.fitting import calibrate, fitted_set, load_config, simulated_statistics
from sim.core.errors import InputError
from sim.model.scenario import load_scenario
from tests.conftest import ROOT, SCENARIOS, run_cli

CONFIG = ROOT / "calibration" / "sahel.yaml"

RECOVERY = f"""name: recovery
description: recover restore_base from data simulated with a known value
events: {ROOT / "calibration" / "events.csv"}
scenarios: [{SCENARIOS / "joint_patrols_2010.yaml"}]
fit:
  restore_base: {{low: -6.0, high: 2.0}}
targets:
  - name: ambassador_away
    scenario: joint_patrols_2010
    kind: lag
    after: {{types: [recall_ambassador], source: mauritania, target: mali}}
    then: {{types: [restore_ambassador], source: mauritania, target: mali}}
    window_weeks: 52
    meaning: weeks the ambassador stays away
budget: {{population_size: 40, max_generations: 4, seed: 7, workers: 1}}
"""


@pytest.fixture
def recovery(tmp_path):
    path = tmp_path / "recovery.yaml"
    path.write_text(RECOVERY)
    return load_config(path)


def observed_from(recovery, true_value: float) -> dict[str, float]:
    """The recovery config's statistic as data made by the model: the median of 15 runs with a known value."""
    simulated = [
        simulated_statistics(recovery, {"restore_base": true_value}, run)["ambassador_away"] for run in range(15)
    ]
    return {"ambassador_away": sorted(simulated)[len(simulated) // 2]}


def test_the_posterior_covers_the_parameter_that_made_the_data(recovery, monkeypatch):
    true_value = -1.0
    observed = observed_from(recovery, true_value)
    monkeypatch.setattr("sim.calibration.fitting.observed_statistics", lambda loaded: observed)
    result = calibrate(recovery, report=lambda line: None)
    entry = fitted_set(recovery, result).parameters["restore_base"]
    assert entry.low_5 <= true_value <= entry.high_95
    assert entry.high_95 - entry.low_5 < 8.0 * 0.9  # narrower than the prior


def test_a_calibration_repeats_given_its_seed(recovery):
    first = calibrate(recovery.with_budget(population_size=20, max_generations=2), report=lambda line: None)
    second = calibrate(recovery.with_budget(population_size=20, max_generations=2), report=lambda line: None)
    assert first.posterior.equals(second.posterior)


def test_the_cli_writes_the_fitted_set_and_a_scenario_can_use_it(tmp_path):
    path = tmp_path / "recovery.yaml"
    path.write_text(
        RECOVERY.replace("population_size: 40, max_generations: 4", "population_size: 20, max_generations: 2")
    )
    out = tmp_path / "fitted"
    out.mkdir()
    result = run_cli("calibrate", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "epsilon" in result.stdout or "eps" in result.stdout
    fitted = yaml.safe_load((out / "recovery.yaml").read_text())
    assert set(fitted["parameters"]) == {"restore_base"} and fitted["config_sha256"]
    assert (out / "recovery.posterior.parquet").is_file()
    scenario = tmp_path / "uses_fitted.yaml"
    scenario.write_text(
        f"extends: {SCENARIOS / 'joint_patrols_2010.yaml'}\nname: uses_fitted\nparameter_set: fitted/recovery.yaml\n"
    )
    loaded = load_scenario(scenario)
    assert loaded.scenario.parameters["restore_base"] == fitted["parameters"]["restore_base"]["median"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("restore_base: {low: -6.0, high: 2.0}", "no_such: null"), "unknown parameter"),
        (("restore_base: {low: -6.0, high: 2.0}", "restore_base: {low: -60.0, high: 2.0}"), "leaves its range"),
        (("scenario: joint_patrols_2010", "scenario: elsewhere"), "names scenario 'elsewhere'"),
        (("kind: lag", "kind: lagg"), "kind"),
        (("window_weeks: 52", "window_weeks: soon"), "window_weeks"),
        # what the config gate passed, calibrate could not start on (OverflowError, infinite weights)
        (("window_weeks: 52", "window_weeks: .inf"), "field 'targets.0.window_weeks': got inf"),
        (("window_weeks: 52", "window_weeks: 1.0e+308"), "less than or equal to 7400"),
        (("window_weeks: 52", "window_weeks: 52\n    weight: .inf"), "field 'targets.0.weight': got inf"),
        (("window_weeks: 52", "window_weeks: 52\n    scale: .nan"), "field 'targets.0.scale'"),
        (("target: mali}", "target: mali, until: 9999-12-31}"), "expected a date from 1960-01-01 to 2100-12-31"),
        (("seed: 7", "seed: 7, max_minutes: .inf"), "field 'budget.max_minutes': got inf"),
        (("events: ", "events: nowhere/"), "which does not exist; expected the documented events"),
        (("events: ", "datasets: {acled: missing.parquet}\nevents: "), "field 'datasets.acled': names"),
    ],
)
def test_bad_configs_get_clear_errors(tmp_path, change, message):
    path = tmp_path / "bad.yaml"
    path.write_text(RECOVERY.replace(*change))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert message in error.value.message and str(path) in error.value.message


def test_the_shipped_config_loads():
    loaded = load_config(CONFIG)
    assert set(loaded.scenarios) == {"sahel_2024", "joint_patrols_2010"}
    assert len(loaded.config.targets) >= 5


def test_the_committed_fitted_set_comes_from_the_committed_config():
    """Change the config and this fails until `sahelsim calibrate calibration/sahel.yaml` is rerun."""
    from sim.model.scenario import load_fitted_set

    loaded = load_config(CONFIG)
    fitted = load_fitted_set(ROOT / "calibration" / "fitted" / "sahel.yaml")
    assert fitted.config_sha256 == loaded.sha256
    assert set(fitted.parameters) == set(loaded.config.fit)


def test_calibration_runs_stop_where_the_targets_stop_looking():
    loaded = load_config(CONFIG)
    # sahel_2024: the Tinzaouaten shock (2024-07-25) opens the last 26-week windows
    assert str(loaded.horizons["sahel_2024"]) == "2025-01-23"
    assert loaded.horizons["sahel_2024"] < loaded.scenarios["sahel_2024"].scenario.end


@pytest.mark.parametrize("run", [0, 1, 2])
def test_a_run_cut_at_the_horizon_measures_what_the_whole_run_measures(run):
    from sim.calibration.targets import statistics
    from sim.model.model import SahelModel

    loaded = load_config(CONFIG)
    parameters = {"protest_tension": 40.0, "deescalation_base": -3.0, "pledge_base": -3.0, "restore_base": -5.0}
    whole = {
        name: SahelModel(s.scenario, [run], parameters).run().log_frame().drop(columns=["row", "run"])
        for name, s in loaded.scenarios.items()
    }
    assert simulated_statistics(loaded, parameters, run) == statistics(loaded.config.targets, whole)


def test_a_calibration_runs_on_a_dask_cluster(recovery):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        loaded = recovery.with_budget(population_size=20, max_generations=2, dask_address=cluster.scheduler_address)
        result = calibrate(loaded, report=lambda line: None)
    assert len(result.posterior) == 20 and len(result.generations) == 2


def test_an_unreachable_dask_scheduler_is_named(recovery):
    loaded = recovery.with_budget(dask_address="tcp://127.0.0.1:9")
    with pytest.raises(InputError) as error:
        calibrate(loaded, report=lambda line: None)
    assert "cannot reach the Dask scheduler" in error.value.message


def test_an_ensemble_measures_each_row_as_its_run_alone():
    """Sensitivity steps a block's rows (which share their runs) as one ensemble: each row is measured as if alone."""
    from sim.calibration.fitting import ensemble_statistics

    loaded = load_config(CONFIG)
    sets = [{"protest_tension": 40.0}, {"protest_tension": 5.0}, {"protest_tension": 40.0}, {}]
    runs = [3, 3, 8, 0]
    together = ensemble_statistics(loaded, sets, runs)
    assert together.to_dict("records") == [
        simulated_statistics(loaded, one, run) for one, run in zip(sets, runs, strict=True)
    ]
    assert together.iloc[0].to_dict() != together.iloc[1].to_dict()  # same run, other parameters
