"""Posterior draws: each replicate runs its own draw of the fitted set, keyed on (seed, replicate) alone."""

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.errors import InputError
from sim.experiments import batch
from sim.experiments.batch import plan_runs
from sim.model.model import SahelModel
from sim.model.posterior import draw_rows, posterior_draws, posterior_path
from sim.model.scenario import load_fitted_set, load_scenario
from tests.conftest import ROOT, SCENARIOS, run_here

FITTED = ROOT / "calibration" / "fitted" / "sahel.yaml"


def _fitted_copy(tmp_path, sample: pd.DataFrame):
    """The shipped fitted set beside a posterior sample of our own."""
    target = tmp_path / "set.yaml"
    shutil.copy(FITTED, target)
    sample.to_parquet(posterior_path(target))
    return target


def test_weighted_particles_are_resampled_in_proportion_to_their_weights(tmp_path):
    names = list(load_fitted_set(FITTED).parameters)
    sample = pd.DataFrame({name: [-4.0, -6.0, -8.0, -10.0] for name in names}).assign(weight=[0.5, 0.25, 0.25, 0.0])
    draws = posterior_draws(_fitted_copy(tmp_path, sample), names)
    assert sorted(draws[names[0]]) == [-8.0, -6.0, -4.0, -4.0]  # half the mass, half the draws; none of weight 0


def test_equally_weighted_draws_are_kept_as_they_are(tmp_path):
    names = list(load_fitted_set(FITTED).parameters)
    sample = pd.DataFrame({name: np.linspace(-9, -4, 7) for name in names})  # NPE: no weight column
    assert posterior_draws(_fitted_copy(tmp_path, sample), names)[names[0]] == list(np.linspace(-9, -4, 7).round(6))


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    draws=st.integers(1, 300),
    first=st.integers(0, 5000),
    count=st.integers(1, 50),
)
def test_a_replicates_draw_depends_only_on_the_seed_and_its_index(seed, draws, first, count):
    replicates = np.arange(first, first + count)
    together = draw_rows(seed, replicates, draws)
    alone = np.array([draw_rows(seed, np.array([r]), draws)[0] for r in replicates[::7]])
    assert np.array_equal(together[::7], alone)
    assert ((together >= 0) & (together < draws)).all()


def test_the_first_replicates_take_every_draw_once():
    assert sorted(draw_rows(2024, np.arange(1000), 1000)) == list(range(1000))
    assert not np.array_equal(draw_rows(1, np.arange(50), 1000), draw_rows(2, np.arange(50), 1000))


def test_a_scenario_naming_a_fitted_set_carries_its_draws(sahel_2024):
    scenario = sahel_2024.scenario
    fitted = load_fitted_set(FITTED)
    assert scenario.parameters_from == "posterior"
    assert set(scenario.posterior) == set(fitted.parameters)
    sample = pd.read_parquet(posterior_path(FITTED))
    assert {len(draws) for draws in scenario.posterior.values()} == {len(sample)}
    for name, entry in fitted.parameters.items():  # resampled draws keep the set's centre
        assert abs(np.median(scenario.posterior[name]) - entry.median) < 0.1 * (entry.prior[1] - entry.prior[0])


def test_what_a_scenario_sets_itself_is_not_drawn(tmp_path, sahel_2024):
    own = tmp_path / "pledge_fixed.yaml"
    own.write_text(
        f"extends: {SCENARIOS / 'sahel_2024.yaml'}\nname: pledge_fixed\nparameters:\n  pledge_base: -4.0\n",
        encoding="utf-8",
    )
    scenario = load_scenario(own).scenario
    assert "pledge_base" not in scenario.posterior and "joint_base" in scenario.posterior
    model = SahelModel(scenario, 20)
    assert (model.params.pledge_base == -4.0).all()
    assert len(np.unique(model.params.joint_base)) > 1


def test_each_replicate_runs_its_draw_and_median_mode_runs_the_medians(sahel_2024):
    scenario = sahel_2024.scenario
    ensemble = SahelModel(scenario, [3, 4, 900])
    rows = draw_rows(scenario.seed, np.array([3, 4, 900]), len(scenario.posterior["joint_base"]))
    assert ensemble.params.joint_base.ravel().tolist() == [scenario.posterior["joint_base"][r] for r in rows]
    alone = SahelModel(scenario, [900])
    assert alone.params.joint_base[0, 0] == ensemble.params.joint_base[2, 0]
    medians = SahelModel(sahel_2024.with_changes(parameters_from="median").scenario, 4)
    assert (medians.params.joint_base == scenario.parameters["joint_base"]).all()


def test_overrides_win_over_the_draws(sahel_2024):
    model = SahelModel(sahel_2024.scenario, 3, {"joint_base": -3.0})
    assert (model.params.joint_base == -3.0).all()
    assert len(np.unique(model.params.protest_base)) == 3


def test_the_points_of_a_sweep_share_their_replicates_draws(monkeypatch):
    seen = []

    class Recorded(SahelModel):
        def run(self, until=None):  # what the chunk's model was built with is all this test needs
            seen.append(self)
            raise StopIteration

    monkeypatch.setattr(batch, "SahelModel", Recorded)
    scenario = load_scenario(SCENARIOS / "sweep_pursuit_2024.yaml").with_changes(replicates=3).scenario
    runs = plan_runs(scenario, pd.DataFrame({"pursuit_base": [-6.0, -3.0]}))
    with pytest.raises(StopIteration):
        batch.simulate_chunk(scenario, runs)
    (model,) = seen
    drawn = model.params.joint_base.ravel()
    assert model.params.pursuit_base.ravel().tolist() == [-6.0] * 3 + [-3.0] * 3
    assert drawn[:3].tolist() == drawn[3:].tolist() and len(set(drawn[:3])) == 3


def test_a_sample_that_is_not_parquet_is_one_clear_message(tmp_path):
    target = tmp_path / "set.yaml"
    shutil.copy(FITTED, target)
    posterior_path(target).write_text("not parquet", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        posterior_draws(target, ["joint_base"])
    assert "set.posterior.parquet" in caught.value.message and "Parquet" in caught.value.message


def test_a_sample_without_a_parameter_names_the_missing_column(tmp_path):
    target = _fitted_copy(tmp_path, pd.DataFrame({"joint_base": [-5.0], "weight": [1.0]}))
    with pytest.raises(InputError) as caught:
        posterior_draws(target, ["joint_base", "protest_base"])
    assert "protest_base" in caught.value.message


def test_run_records_where_its_parameters_came_from(tmp_path, monkeypatch, capsys):
    scenario = SCENARIOS / "sahel_2024.yaml"
    for source in ("posterior", "median"):
        out = tmp_path / source
        code, stdout, stderr = run_here(
            monkeypatch, capsys, "run", str(scenario), "--replicates", "2", "--parameters", source, "--out", str(out)
        )
        assert code == 0, stderr
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["scenario_validated"]["parameters_from"] == source
        assert ("posterior draw per replicate" in stdout) == (source == "posterior")


def test_an_unknown_parameter_source_is_refused(tmp_path, monkeypatch, capsys):
    code, _, stderr = run_here(
        monkeypatch,
        capsys,
        "run",
        str(SCENARIOS / "sahel_2024.yaml"),
        "--parameters",
        "mean",
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 2 and "--parameters" in stderr and "posterior or median" in stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("posterior", "message"),
    [
        ({"protest_tensoin": [1.0]}, "did you mean 'protest_tension'"),
        ({"pledge_base": [-7.0, -99.0]}, "draw -99.0 of 'pledge_base' leaves its range [-12.0, -2.0]"),
        ({"pledge_base": [-7.0], "joint_base": [-5.0, -6.0]}, "different lengths"),
    ],
)
def test_a_scenarios_posterior_draws_are_checked_by_name_range_and_length(sahel_2024, posterior, message):
    from pydantic import ValidationError

    data = sahel_2024.scenario.model_dump() | {"posterior": posterior}
    with pytest.raises(ValidationError, match=re.escape(message)):
        type(sahel_2024.scenario).model_validate(data, context={})
