"""Neural posterior estimation (NPE) with sbi, validated by simulation-based calibration (SBC).

NPE (sbi's ``NPE``, the automatic posterior transformation of Greenberg et al. 2019 in its first,
prior-only round) trains a conditional density estimator q(theta | x) on parameter sets drawn
from the config's uniform priors and the statistics simulated with them. Unlike ABC it keeps every
simulation, and the estimator is amortised: one training gives the posterior at the observed
statistics and at any other data set. That is what makes SBC affordable (Talts et al. 2018): for
held-out prior-predictive pairs (theta_i, x_i), the rank of each theta_i among posterior draws
given x_i is uniform when the posterior is calibrated, and the central intervals cover theta_i
as often as their level says. A rank histogram that is not uniform, or coverage off its level,
means the estimator is over- or under-confident, or biased, however good the fit looks.

As in ABC-SMC, candidate ``k`` is run ``k`` of each scenario and every row is measured as if it
ran alone, so the simulations are the same bits whatever the workers. Torch is seeded and trains
on one thread, so a fit repeats given its seed on CPU (tested). torch and sbi are imported inside
the functions that need them: only this method needs them (``pip install 'sahelsim[sbi]'``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.calibration.fitting import LoadedConfig, observed_statistics, statistics_in_chunks
from sim.calibration.workers import open_map
from sim.core.errors import InputError

LEVELS = (0.5, 0.9)  # the central posterior intervals whose coverage SBC measures


@dataclass(frozen=True)
class NpeResult:
    """An NPE fit: posterior draws at the observed statistics, the amortised estimator, and its cost.

    ``posterior`` has equal weights (1 / draws), so the fitted set, the checks and the report read it
    as they read ABC's weighted particles.
    """

    posterior: pd.DataFrame  # one row per draw: parameters and weight
    observed: dict[str, float]
    estimator: Any  # sbi's DirectPosterior: samples q(theta | x) at any x
    bounds: np.ndarray  # (d, 2): the uniform priors the simulations were drawn from
    simulations: int
    simulation_seconds: float
    training_seconds: float
    epochs: int
    method: str

    @property
    def seconds(self) -> float:
        """The fit's wall time: simulating, then training and drawing."""
        return self.simulation_seconds + self.training_seconds


@dataclass(frozen=True)
class Sbc:
    """Simulation-based calibration of an amortised posterior on held-out prior-predictive pairs."""

    ranks: np.ndarray  # (pairs, d): posterior draws below theta_i, given x_i, per parameter
    draws: int  # posterior draws per pair: the ranks run from 0 to draws
    table: pd.DataFrame  # per parameter: ks_p and chi2_p (rank uniformity), coverage_50 and coverage_90


def require_sbi(where: Path | None = None) -> None:
    """Refuse, naming the extra to install, when torch or sbi is missing (they are optional)."""
    try:
        import sbi  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        raise InputError(
            "method 'npe' needs torch and sbi; install them with: pip install 'sahelsim[sbi]'",
            path=where,
            field="budget.method",
        ) from None


@contextlib.contextmanager
def _seeded_torch(seed: int) -> Iterator[None]:
    """Torch seeded and on one thread (the same bits on every run), its thread count restored afterwards."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class _NoTracker:
    """sbi's training tracker that records nothing: its default writes TensorBoard logs into ./sbi-logs."""

    log_dir = None

    def log_metric(self, name: str, value: float, step: int | None = None) -> None:
        """Drop a metric."""

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        """Drop metrics."""

    def log_params(self, params: dict[str, Any]) -> None:
        """Drop parameters."""

    def add_figure(self, name: str, figure: Any, step: int | None = None) -> None:
        """Drop a figure."""

    def flush(self) -> None:
        """Nothing to write."""


def _tensor(values: np.ndarray) -> Any:
    import torch

    return torch.as_tensor(np.asarray(values, dtype=np.float32))


def prior_simulations(
    loaded: LoadedConfig, count: int, rng: np.random.Generator, first_run: int, report: Callable[[str], None]
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` parameter sets from the uniform priors and their statistics (targets in the config's order).

    Candidate ``k`` is run ``first_run + k``; rounds of ``budget.largest_round`` are simulated in
    chunks over the budget's workers (or Dask), with a progress line after each.
    """
    budget, priors = loaded.config.budget, loaded.config.priors()
    bounds = np.array(list(priors.values()), dtype=float)
    theta = rng.uniform(bounds[:, 0], bounds[:, 1], size=(count, len(priors)))
    names = [t.name for t in loaded.config.targets]
    started, parts = time.monotonic(), []
    with open_map(budget.workers, budget.dask_address, loaded.path) as (mapper, workers):
        simulate = functools.partial(statistics_in_chunks, loaded, mapper, workers, list(priors), names)
        for start in range(0, count, budget.largest_round):
            rows = theta[start : start + budget.largest_round]
            parts.append(simulate(rows, np.arange(first_run + start, first_run + start + len(rows))))
            done, seconds = start + len(rows), time.monotonic() - started
            report(f"simulated {done} of {count} ({seconds:.0f} s, {done / max(seconds, 1e-9):.0f} simulations/s)")
    return theta, np.concatenate(parts)


def train_npe(
    theta: np.ndarray, x: np.ndarray, bounds: np.ndarray, density_estimator: str, seed: int
) -> tuple[Any, int]:
    """NPE (sbi's) trained on the pairs (theta, x), uniform priors over ``bounds`` ((d, 2)): its posterior and epochs.

    The posterior is amortised: ``.sample((n,), x=...)`` at any data set. Torch is seeded by ``seed``.
    """
    from sbi.inference import NPE
    from sbi.utils import BoxUniform

    with _seeded_torch(seed):
        prior = BoxUniform(low=_tensor(bounds[:, 0]), high=_tensor(bounds[:, 1]))
        inference = NPE(
            prior=prior, density_estimator=density_estimator, show_progress_bars=False, tracker=_NoTracker()
        )
        with contextlib.redirect_stdout(io.StringIO()):  # sbi prints its convergence line whatever it is told
            inference.append_simulations(_tensor(theta), _tensor(x)).train()
        return inference.build_posterior(), int(inference.summary["epochs_trained"][-1])


def fit_npe(
    loaded: LoadedConfig, simulations: int, seed: int, workers: int, report: Callable[[str], None] = print
) -> NpeResult:
    """Train NPE on ``simulations`` prior simulations and draw the posterior at the observed statistics.

    The draws are ``budget.posterior_draws``; progress goes to ``report``.
    """
    require_sbi(loaded.path)
    import sbi

    loaded = loaded.with_budget(workers=workers)
    budget, priors = loaded.config.budget, loaded.config.priors()
    bounds = np.array(list(priors.values()), dtype=float)
    observed = observed_statistics(loaded)
    started = time.monotonic()
    theta, x = prior_simulations(loaded, simulations, np.random.default_rng(np.random.SeedSequence(seed)), 0, report)
    simulated = time.monotonic()
    estimator, epochs = train_npe(theta, x, bounds, budget.density_estimator, seed)
    x_o = _tensor(np.array([observed[t.name] for t in loaded.config.targets]))
    with _seeded_torch(seed):
        draws = estimator.sample((budget.posterior_draws,), x=x_o, show_progress_bars=False).numpy()
    trained = time.monotonic()
    report(
        f"trained {budget.density_estimator} on {simulations} simulations: {epochs} epochs, {trained - simulated:.0f} s"
    )
    posterior = pd.DataFrame(draws.astype(float), columns=list(priors)).assign(weight=1.0 / len(draws))
    method = (
        f"NPE (sbi {sbi.__version__}, {budget.density_estimator} density estimator), {simulations} prior "
        f"simulations, {epochs} epochs, {len(draws)} posterior draws, seed {seed}"
    )
    return NpeResult(
        posterior, observed, estimator, bounds, simulations, simulated - started, trained - simulated, epochs, method
    )


def held_out(
    loaded: LoadedConfig, fitted: NpeResult, count: int, report: Callable[[str], None]
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` fresh prior-predictive pairs (theta_i, x_i) for SBC, none of them trained on.

    Their generator is the budget's seed's second stream, and their runs follow the training runs.
    """
    rng = np.random.default_rng(np.random.SeedSequence(loaded.config.budget.seed).spawn(1)[0])
    return prior_simulations(loaded, count, rng, fitted.simulations, report)


def sbc(
    estimator: Any, theta: np.ndarray, x: np.ndarray, draws: int, seed: int = 0, names: list[str] | None = None
) -> Sbc:
    """Simulation-based calibration of an amortised posterior ``estimator`` on pairs (theta_i, x_i) from the prior.

    The ranks come from sbi's ``run_sbc`` (``draws`` posterior draws per x_i, per parameter's
    marginal) and the Kolmogorov-Smirnov p of their uniformity from its ``check_uniformity_frequentist``.
    Beside them: the chi-square p of the rank histogram (``bins`` of about ten expected ranks each,
    at most 20), and how often the central 50 % and 90 % intervals of the draws hold theta_i. A p
    below 0.01, or a coverage well off its level, means the posterior is miscalibrated for that parameter.
    The table's rows are ``names`` (the parameters, in theta's column order) when given.
    """
    from sbi.diagnostics.sbc import check_uniformity_frequentist, run_sbc

    with _seeded_torch(seed):
        ranks, _ = run_sbc(_tensor(theta), _tensor(x), estimator, num_posterior_samples=draws, show_progress_bar=False)
    ks = check_uniformity_frequentist(ranks, draws).numpy()
    ranks_np = ranks.numpy().astype(int)
    bins = max(2, min(20, len(ranks_np) // 10))
    share = ranks_np / draws
    table = pd.DataFrame(
        {
            "ks_p": ks.astype(float),
            "chi2_p": [_rank_histogram_p(column, draws, bins) for column in ranks_np.T],
            **{
                f"coverage_{round(level * 100)}": ((share >= (1 - level) / 2) & (share <= (1 + level) / 2)).mean(axis=0)
                for level in LEVELS
            },
        },
        index=names,
    )
    return Sbc(ranks_np, draws, table)


def _rank_histogram_p(ranks: np.ndarray, draws: int, bins: int) -> float:
    """Chi-square p of a rank histogram against uniform ranks 0..draws, each bin expecting its exact share."""
    possible = np.arange(draws + 1) * bins // (draws + 1)  # the bin of each possible rank
    expected = np.bincount(possible, minlength=bins) * len(ranks) / (draws + 1)
    observed = np.bincount(ranks * bins // (draws + 1), minlength=bins)
    return float(stats.chisquare(observed, expected).pvalue)


def contraction(posterior: pd.DataFrame, priors: dict[str, tuple[float, float]]) -> pd.Series:
    """Per parameter, 1 - posterior variance / prior variance: 0 learnt nothing from the data, 1 pinned it down.

    The posterior's variance is weighted (ABC's particles or NPE's equal draws); the uniform prior's
    is (high - low)^2 / 12.
    """
    weights = posterior["weight"].to_numpy() / posterior["weight"].sum()
    shares = {}
    for name, (low, high) in priors.items():
        values = posterior[name].to_numpy()
        variance = weights @ (values - weights @ values) ** 2
        shares[name] = 1.0 - variance / ((high - low) ** 2 / 12)
    return pd.Series(shares, name="contraction")
