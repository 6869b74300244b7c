"""ABC-SMC a round at a time: a known posterior is recovered, the run repeats, and rounds keep their bounds."""

import numpy as np
import pytest
from scipy import stats

from sim.calibration.fitting import calibrate, load_config
from sim.calibration.smc import Budget, abc_smc
from tests.calibration.test_calibration import RECOVERY


def _noisy(theta, runs):
    """The statistic theta + N(0, 1) noise, the noise of candidate k fixed by its run k (as the model's runs are)."""
    noise = np.array([np.random.default_rng(int(run)).standard_normal() for run in runs])
    return theta[:, :1] + noise[:, None]


def _fit(budget, simulate=_noisy, report=lambda line: None):
    return abc_smc(simulate, ["theta"], np.array([[0.0, 10.0]]), np.array([1.0]), np.array([1.0]), budget, report)


def test_a_known_posterior_is_recovered():
    """Prior U(0, 10), s ~ N(theta, 1), s = 1 observed: the posterior is N(1, 1) truncated at 0."""
    budget = Budget(population_size=1000, max_generations=8, stable_drop=0.01, seed=5)
    fit = _fit(budget)
    theta, weights = fit.last.parameters[:, 0], fit.last.weights
    exact = stats.truncnorm(-1.0, 9.0, loc=1.0, scale=1.0)
    mean = float(weights @ theta)
    sd = float(np.sqrt(weights @ (theta - mean) ** 2))
    epsilon = fit.generations["epsilon"].iloc[-1]
    assert mean == pytest.approx(exact.mean(), abs=0.1)
    assert sd == pytest.approx(np.sqrt(exact.var() + epsilon**2 / 3), rel=0.12)  # ABC widens by the window
    assert fit.generations["epsilon"].is_monotonic_decreasing


def test_the_same_seed_gives_the_same_bits_and_another_seed_other_ones():
    budget = Budget(population_size=200, max_generations=3, seed=1)
    first, second = _fit(budget), _fit(budget)
    assert np.array_equal(first.last.parameters, second.last.parameters)
    assert not np.array_equal(first.last.parameters, _fit(budget.model_copy(update={"seed": 2})).last.parameters)


def test_rounds_stay_within_the_largest_and_every_candidate_is_counted():
    sizes = []

    def counted(theta, runs):
        sizes.append(len(runs))
        assert np.array_equal(runs, np.arange(runs[0], runs[0] + len(runs)))  # one stretch of consecutive runs
        return _noisy(theta, runs)

    fit = _fit(Budget(population_size=100, max_generations=4, largest_round=150, seed=3), counted)
    assert max(sizes) <= 150 and fit.simulations == sum(sizes)
    assert fit.generations["simulations"].sum() == sum(sizes)


def test_the_run_stops_and_says_why_once_epsilon_is_stable():
    lines = []
    fit = _fit(Budget(population_size=100, max_generations=30, stable_drop=0.5, seed=3), report=lines.append)
    assert len(fit.generations) < 30 and "stable" in lines[-1]


def test_a_calibration_gives_the_same_posterior_on_one_or_two_workers(tmp_path):
    path = tmp_path / "recovery.yaml"
    path.write_text(
        RECOVERY.replace("population_size: 40, max_generations: 4", "population_size: 30, max_generations: 2")
    )
    loaded = load_config(path)
    one = calibrate(loaded, report=lambda line: None)
    two = calibrate(loaded.with_budget(workers=2), report=lambda line: None)
    assert one.posterior.equals(two.posterior)
