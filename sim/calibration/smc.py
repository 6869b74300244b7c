"""ABC-SMC a round of candidates at a time, each round simulated as ensembles.

This is the population Monte Carlo ABC of Beaumont et al. (2009), as pyabc's ``ABCSMC`` runs it
with a fixed-weight L1 distance and a median epsilon schedule, but vectorised: a round's
candidates are drawn, simulated, measured and weighed as arrays. pyabc's own loop handles one
candidate at a time (there is no batched sampling, pyABC issue #351); here its per-candidate
cost, mostly the proposals it redraws one by one when they leave the prior's box, came to about
10 ms, which capped a calibration near 60 simulations per second whatever the model's speed. The
pieces are still pyabc's: the perturbation kernel (:class:`pyabc.MultivariateNormalTransition`
over the weighted population) and the weighted statistics.

- Generation 0 draws candidates from the uniform prior. Its epsilon is the median distance of
  the first round, as pyabc's default epsilon is the median of a first prior sample.
- Each later generation's epsilon is the weighted median of the last generation's distances.
  Candidates are ancestors drawn by weight and perturbed by the kernel, kept only inside the
  prior's box. An accepted particle weighs prior / sum_j w_j K(theta | theta_j); the prior is
  uniform, so this is 1 / the kernel mixture's density.
- A generation takes rounds of candidates until ``population_size`` are accepted. Each round is
  sized from the acceptance rate seen (enough to finish, with a margin of a fifth, at most
  ``largest_round``). Candidates past the last one needed are simulated but discarded, and
  counted as simulations.
- The run stops at the generation cap or the wall-time cap, once epsilon falls by less than
  ``stable_drop``, or once a generation accepts fewer than ``min_acceptance_rate`` of its
  candidates.

One numpy generator, seeded by the budget's seed, draws every candidate. Candidate ``k`` of the
whole calibration is run ``k`` of each scenario, and a row of an ensemble is measured as if it
ran alone, so the same seed gives the same bits whatever the workers, chunks or executor.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

Method = Literal["abc", "npe"]  # ABC-SMC here, or neural posterior estimation (sim.calibration.npe)
Simulate = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (candidates, d) parameters and runs -> (candidates, k)


class Budget(BaseModel):
    """Which inference to do, how much of it, and when to stop.

    ``method`` chooses ABC-SMC (``abc``, the fields from ``population_size`` to ``largest_round``) or
    neural posterior estimation (``npe``: ``simulations`` from the prior, ``posterior_draws`` at the
    observed statistics); ``seed``, ``workers`` and ``dask_address`` serve both.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    method: Method = Field(default="abc", description="abc (ABC-SMC) or npe (neural posterior estimation with sbi)")
    population_size: int = Field(default=200, ge=10)
    max_generations: int = Field(default=12, ge=1)
    stable_drop: float = Field(default=0.05, gt=0, lt=1, description="stop once epsilon falls by less than this share")
    min_acceptance_rate: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="stop once a generation accepts fewer of its simulations than this share: the next would cost "
        "more than population / rate simulations",
    )
    max_minutes: float = Field(default=10.0, gt=0)
    seed: int = Field(default=1, ge=0)
    workers: int = Field(
        default=1, ge=1, description="worker processes simulating the rounds' chunks (the same bits whatever the count)"
    )
    largest_round: int = Field(
        default=2000,
        ge=10,
        description="most candidates simulated together as one ensemble (rounds are sized from the acceptance rate)",
    )
    dask_address: str | None = Field(
        default=None, description="simulate the rounds' chunks on the Dask scheduler at tcp://HOST:PORT (a cluster)"
    )
    simulations: int = Field(default=4000, ge=50, description="npe: prior simulations the network is trained on")
    posterior_draws: int = Field(
        default=4000, ge=100, description="npe: posterior draws at the observed statistics (the fitted set's sample)"
    )
    density_estimator: Literal["maf", "nsf", "mdn"] = Field(
        default="maf", description="npe: sbi's conditional density estimator (masked autoregressive flow by default)"
    )


@dataclass(frozen=True)
class Population:
    """One generation's accepted particles."""

    parameters: np.ndarray  # (population, d)
    weights: np.ndarray  # normalised to sum to 1
    distances: np.ndarray

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size of the weights: how many equal particles they are worth."""
        return float(1.0 / (self.weights**2).sum())

    def medians(self) -> np.ndarray:
        """Each parameter's weighted median."""
        from pyabc.weighted_statistics import weighted_median

        return np.array([weighted_median(column, self.weights) for column in self.parameters.T])

    def median_shift(self, previous: Population, bounds: np.ndarray) -> float:
        """How far the medians moved since ``previous``: the largest move, as a share of its prior's width.

        Epsilon still falling says the fit is still tightening; this says whether what it tells
        about the parameters still changes (the stability the report judges the fit by).
        """
        return float((np.abs(self.medians() - previous.medians()) / np.ptp(bounds, axis=1)).max())


@dataclass(frozen=True)
class SmcResult:
    """The last generation and how every generation went."""

    last: Population
    generations: pd.DataFrame  # generation, epsilon, simulations, acceptance_rate, effective_sample_size, median_shift
    simulations: int
    seconds: float


class _Candidates:
    """Draws candidates, a round at a time: from the prior, or by perturbing the last population."""

    def __init__(self, bounds: np.ndarray, rng: np.random.Generator) -> None:
        self.low, self.high = bounds[:, 0], bounds[:, 1]
        self.rng = rng
        self.kernel: object = None
        self.last: Population | None = None

    def perturb_from(self, population: Population, names: list[str]) -> None:
        """Fit the kernel to a population (twice its weighted covariance, Beaumont et al. 2009)."""
        import pyabc

        self.kernel = pyabc.MultivariateNormalTransition(bandwidth_selector=lambda ess, dim: 2**0.5)
        self.kernel.fit(pd.DataFrame(population.parameters, columns=names), population.weights)  # type: ignore[attr-defined]
        self.last = population

    def draw(self, size: int) -> np.ndarray:
        """``size`` candidates inside the prior's box."""
        if self.last is None:
            return self.rng.uniform(self.low, self.high, size=(size, len(self.low)))
        kept: list[np.ndarray] = []
        while sum(len(k) for k in kept) < size:
            ancestors = self.rng.choice(len(self.last.weights), size=size, p=self.last.weights)
            steps = self.rng.multivariate_normal(np.zeros(len(self.low)), self.kernel.cov, size=size)  # type: ignore[attr-defined]
            moved = self.last.parameters[ancestors] + steps
            kept.append(moved[((moved >= self.low) & (moved <= self.high)).all(axis=1)])
        return np.concatenate(kept)[:size]

    def weights(self, accepted: np.ndarray, names: list[str]) -> np.ndarray:
        """Importance weights of accepted candidates, normalised: uniform prior over the kernel mixture's density."""
        if self.last is None:
            return np.full(len(accepted), 1.0 / len(accepted))
        density = np.atleast_1d(self.kernel.pdf(pd.DataFrame(accepted, columns=names)))  # type: ignore[attr-defined]
        raw = 1.0 / density
        return raw / raw.sum()


def abc_smc(
    simulate: Simulate,
    names: list[str],
    bounds: np.ndarray,
    observed: np.ndarray,
    scales: np.ndarray,
    budget: Budget,
    report: Callable[[str], None],
) -> SmcResult:
    """Fit the parameters ``names`` (uniform priors over ``bounds``, (d, 2)) to the ``observed`` statistics.

    The distance of a candidate is sum_k |s_k - observed_k| * scales_k (the targets' weight over unit).
    """
    from pyabc.weighted_statistics import weighted_quantile  # imported here: only calibration needs pyabc

    rng = np.random.default_rng(np.random.SeedSequence(budget.seed))
    candidates = _Candidates(bounds, rng)
    started = time.monotonic()
    rows: list[dict[str, float]] = []
    next_run = 0
    epsilon = math.inf
    population: Population | None = None
    for generation in range(budget.max_generations):
        accepted: list[np.ndarray] = []
        distances: list[np.ndarray] = []
        simulated, rate = 0, (rows[-1]["acceptance_rate"] if rows else 1.0)
        while sum(len(a) for a in accepted) < budget.population_size:
            missing = budget.population_size - sum(len(a) for a in accepted)
            size = min(budget.largest_round, max(budget.population_size, math.ceil(1.2 * missing / max(rate, 1e-4))))
            theta = candidates.draw(size)
            runs = np.arange(next_run, next_run + size)
            next_run += size
            distance = np.abs(simulate(theta, runs) - observed) @ scales
            if math.isinf(epsilon):  # generation 0: the median of the first prior round
                epsilon = float(np.median(distance))
            keep = np.flatnonzero(distance <= epsilon)[:missing]
            accepted.append(theta[keep])
            distances.append(distance[keep])
            simulated += size
            rate = max(sum(len(a) for a in accepted), 1) / simulated
        theta = np.concatenate(accepted)
        previous = population
        population = Population(theta, candidates.weights(theta, names), np.concatenate(distances))
        shift = population.median_shift(previous, bounds) if previous is not None else math.nan
        rows.append(
            {
                "generation": generation,
                "epsilon": epsilon,
                "simulations": simulated,
                "acceptance_rate": budget.population_size / simulated,
                "effective_sample_size": population.effective_sample_size,
                "median_shift": shift,
            }
        )
        moved = "" if math.isnan(shift) else f", medians moved {shift:.1%} of their priors at most"
        report(
            f"generation {generation}: epsilon {epsilon:.4g}, accepted {budget.population_size} of {simulated} "
            f"({budget.population_size / simulated:.1%}), effective sample size "
            f"{population.effective_sample_size:.0f}{moved}, {time.monotonic() - started:.0f} s"
        )
        stop = _stop_reason(rows, budget, time.monotonic() - started)
        if stop:
            report(f"stop: {stop}")
            break
        epsilon = float(weighted_quantile(population.distances, population.weights, alpha=0.5))
        candidates.perturb_from(population, names)
    assert population is not None  # max_generations >= 1 (validated)
    table = pd.DataFrame(rows)
    return SmcResult(population, table, int(table["simulations"].sum()), time.monotonic() - started)


def _stop_reason(rows: list[dict[str, float]], budget: Budget, seconds: float) -> str | None:
    """Why to stop after the last generation, or None to go on (pyabc's criteria, in its order)."""
    last = rows[-1]
    if len(rows) >= budget.max_generations:
        return f"the cap of {budget.max_generations} generations"
    if seconds >= budget.max_minutes * 60:
        return f"the wall-time cap of {budget.max_minutes:g} min"
    if last["acceptance_rate"] < budget.min_acceptance_rate:
        return f"acceptance rate {last['acceptance_rate']:.2%} below {budget.min_acceptance_rate:.2%}"
    if last["epsilon"] == 0:
        return "epsilon reached 0"
    if len(rows) > 1 and (rows[-2]["epsilon"] - last["epsilon"]) / rows[-2]["epsilon"] < budget.stable_drop:
        return f"epsilon fell by less than {budget.stable_drop:.0%}: stable"
    return None
