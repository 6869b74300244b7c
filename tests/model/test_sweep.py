"""Sweep points: grids and samples, reproducible and inside their ranges."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.errors import InputError
from sim.model.scenario import load_scenario
from sim.model.sweep import Range, Sweep, sweep_points
from tests.conftest import SCENARIOS


def test_a_grid_runs_every_combination():
    points = sweep_points(
        Sweep(method="grid", parameters={"harm_wagner": [0.0, 1.0, 2.0], "pursuit_wagner": [0.0, 3.0]}), 1
    )
    assert len(points) == 6
    assert set(map(tuple, points.to_numpy().tolist())) == {(h, p) for h in (0.0, 1.0, 2.0) for p in (0.0, 3.0)}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), method=st.sampled_from(["lhs", "sobol"]), exponent=st.integers(1, 6))
def test_samples_are_reproducible_and_in_range(seed, method, exponent):
    sweep = Sweep(
        method=method,
        samples=2**exponent,
        parameters={"pursuit_base": Range(low=-9, high=-3), "joint_base": Range(low=-8, high=-4)},
    )
    points = sweep_points(sweep, seed)
    assert len(points) == 2**exponent
    assert points["pursuit_base"].between(-9, -3).all() and points["joint_base"].between(-8, -4).all()
    assert points.equals(sweep_points(sweep, seed))


@pytest.mark.parametrize(
    ("sweep", "message"),
    [
        ({"parameters": {"no_such_parameter": [1.0]}}, "unknown parameter"),
        ({"method": "lhs", "samples": 8, "parameters": {"pursuit_base": {"low": -3, "high": -3}}}, "empty range"),
        ({"parameters": {"pursuit_base": []}}, "empty list"),
        ({"parameters": {"pursuit_base": [-40.0]}}, "outside its range"),
        ({"method": "sobol", "samples": 10, "parameters": {"pursuit_base": {"low": -9, "high": -3}}}, "power of two"),
        ({"method": "lhs", "parameters": {"pursuit_base": {"low": -9, "high": -3}}}, "needs 'samples'"),
    ],
)
def test_bad_sweeps_are_refused_with_the_reason(sweep, message):
    loaded = load_scenario(SCENARIOS / "sahel_2024.yaml")
    with pytest.raises(InputError) as error:
        loaded.with_changes(sweep=sweep)
    assert message in error.value.message and "sweep" in error.value.message


def test_the_shipped_sweep_scenario_has_its_points():
    scenario = load_scenario(SCENARIOS / "sweep_pursuit_2024.yaml").scenario
    assert len(sweep_points(scenario.sweep, scenario.seed)) == scenario.sweep.samples
