"""NPE: recovers a known parameter, repeats given its seed; SBC passes a calibrated posterior and fails a bad one."""

import sys

import numpy as np
import pytest
import torch

from sim.calibration.fitting import fitted_set, load_config
from sim.calibration.npe import contraction, fit_npe, sbc, train_npe
from sim.core.errors import InputError
from tests.calibration.test_calibration import RECOVERY, observed_from
from tests.conftest import run_cli

torch.set_num_threads(1)  # the machine's cores are shared; fit_npe trains on one thread anyway

NPE_RECOVERY = RECOVERY.replace("workers: 1}", "workers: 1, method: npe, simulations: 300, posterior_draws: 1000}")


@pytest.fixture
def recovery(tmp_path):
    path = tmp_path / "recovery.yaml"
    path.write_text(NPE_RECOVERY)
    return load_config(path)


def quiet(line):
    pass


def test_npe_covers_the_parameter_that_made_the_data(recovery, monkeypatch):
    true_value = -1.0
    observed = observed_from(recovery, true_value)
    monkeypatch.setattr("sim.calibration.npe.observed_statistics", lambda loaded: observed)
    result = fit_npe(recovery, 300, seed=7, workers=1, report=quiet)
    entry = fitted_set(recovery, result).parameters["restore_base"]
    assert entry.low_5 <= true_value <= entry.high_95
    assert entry.high_95 - entry.low_5 < 8.0 * 0.9  # narrower than the prior
    assert contraction(result.posterior, recovery.config.priors())["restore_base"] > 0.2
    assert len(result.posterior) == 1000 and np.allclose(result.posterior["weight"], 1 / 1000)
    assert result.simulations == 300 and "NPE" in result.method


def test_an_npe_fit_repeats_given_its_seed(recovery):
    loaded = recovery.with_budget(posterior_draws=200)
    first = fit_npe(loaded, 100, seed=3, workers=1, report=quiet)
    second = fit_npe(loaded, 100, seed=3, workers=1, report=quiet)
    assert first.posterior.equals(second.posterior)


def test_the_cli_fits_by_npe(tmp_path):
    path = tmp_path / "recovery.yaml"
    path.write_text(RECOVERY)  # method abc in the file, npe from the command line
    out = tmp_path / "fitted"
    result = run_cli(
        "calibrate", str(path), "--out", str(out), "--method", "npe", "--simulations", "100", "--checks", "2"
    )
    assert result.returncode == 0, result.stderr
    assert "NPE on 100 prior simulations" in result.stdout
    assert "NPE (sbi" in (out / "recovery.yaml").read_text()
    assert not (out / "report" / "generations.csv").exists()


def noisy_identity(theta, rng, noise):
    """The analytic simulator: x = theta + N(0, noise^2)."""
    return theta + rng.normal(0, noise, theta.shape)


class GaussianPosterior:
    """The posterior of x = theta + noise under a prior much wider than the noise, N(x, noise^2), scaled by ``spread``.

    ``spread`` 1 is (nearly) exact; below 1 it is overconfident. It samples as sbi's posteriors do for run_sbc.
    """

    def __init__(self, noise, spread):
        self.noise, self.spread = noise, spread

    def sample_batched(self, sample_shape, x, show_progress_bars=False):
        return x + self.noise * self.spread * torch.randn((*sample_shape, *x.shape))


def prior_pairs(count, seed, noise=0.3, low=-50.0, high=50.0):
    rng = np.random.default_rng(seed)
    theta = rng.uniform(low, high, (count, 2))
    return theta, noisy_identity(theta, rng, noise)


def test_sbc_passes_a_calibrated_posterior_and_rejects_an_overconfident_one():
    theta, x = prior_pairs(300, seed=1)
    good = sbc(GaussianPosterior(0.3, 1.0), theta, x, draws=200, names=["a", "b"])
    assert list(good.table.index) == ["a", "b"]
    assert (good.table[["ks_p", "chi2_p"]] > 0.01).all().all(), good.table
    assert np.allclose(good.table["coverage_50"], 0.5, atol=0.1) and np.allclose(
        good.table["coverage_90"], 0.9, atol=0.06
    )
    bad = sbc(GaussianPosterior(0.3, 0.5), theta, x, draws=200)
    assert (bad.table["chi2_p"] < 1e-6).all() and (bad.table["coverage_90"] < 0.75).all()


def test_sbc_of_a_trained_npe_on_the_analytic_simulator():
    theta, x = prior_pairs(1000, seed=2, low=-3.0, high=3.0)
    estimator, _ = train_npe(theta, x, np.array([[-3.0, 3.0], [-3.0, 3.0]]), "maf", seed=0)
    held_theta, held_x = prior_pairs(200, seed=3, low=-3.0, high=3.0)
    found = sbc(estimator, held_theta, held_x, draws=100)
    assert (found.table[["ks_p", "chi2_p"]] > 0.01).all().all(), found.table
    assert np.allclose(found.table["coverage_50"], 0.5, atol=0.12), found.table
    assert np.allclose(found.table["coverage_90"], 0.9, atol=0.08), found.table


def test_a_bad_method_gets_a_clear_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(NPE_RECOVERY.replace("method: npe", "method: neural"))
    with pytest.raises(InputError) as error:
        load_config(path)
    assert "budget.method" in error.value.message and "'abc' or 'npe'" in error.value.message


def test_npe_without_sbi_names_the_extra_to_install(recovery, monkeypatch):
    monkeypatch.setitem(sys.modules, "sbi", None)  # import sbi now raises ImportError
    with pytest.raises(InputError) as error:
        fit_npe(recovery, 100, seed=1, workers=1, report=quiet)
    assert "pip install 'sahelsim[sbi]'" in error.value.message and "budget.method" in error.value.message
