"""Calibration: approximate Bayesian computation of the parameters from the documented events.

A calibration config (``calibration/*.yaml``) names the scenarios that replay the documented
exogenous shocks, the parameters to fit (uniform priors over ranges within the parameter
file's), the targets (:mod:`sim.calibration.targets`) with their weights, and the ABC-SMC budget. The
observed statistics are measured on the documented events, the simulated ones on one run of
each scenario per particle, by the same code. Inference is ABC-SMC with pyabc's kernel, a
round of candidates at a time, each round simulated as ensembles (:mod:`sim.calibration.smc`),
or, with ``budget.method: npe``, neural posterior estimation (:mod:`sim.calibration.npe`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.calibration.smc import Budget, abc_smc
from sim.calibration.targets import Target, row_statistics, statistics
from sim.calibration.workers import Mapper, open_map
from sim.core.actors import load_catalogue
from sim.core.datafiles import load_yaml_model, named_file
from sim.core.errors import InputError
from sim.core.events import load_events
from sim.core.parameters import parameter_specs
from sim.experiments.runner import ENSEMBLE_SIZE
from sim.model.model import SahelModel
from sim.model.scenario import Day, FittedParameter, FittedSet, LoadedScenario, load_scenario
from sim.model.sweep import Range
from sim.records.datasets import load_imported
from sim.records.observed import primary


class CalibrationConfig(BaseModel):
    """A validated calibration config."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str
    events: str = Field(description="documented events file, relative to the config")
    datasets: dict[str, str] = Field(
        default_factory=dict,
        description="imported event tables (Parquet from 'sahelsim events import'), relative to the config",
    )
    until: Day | None = Field(default=None, description="fit only on documented events up to this date")
    scenarios: list[str] = Field(min_length=1, description="scenario files, relative to the config")
    fit: dict[str, Range | None] = Field(
        min_length=1, description="parameters to fit; null: the parameter file's range"
    )
    targets: list[Target] = Field(min_length=1)
    budget: Budget = Budget()

    @field_validator("fit")
    @classmethod
    def _known_parameters(cls, fit: dict[str, Range | None]) -> dict[str, Range | None]:
        specs = parameter_specs()
        for name, prior in fit.items():
            if name not in specs:
                raise ValueError(f"unknown parameter {name!r}; expected one of {sorted(specs)}")
            low, high = specs[name].range
            if prior is not None and not (low <= prior.low and prior.high <= high):
                raise ValueError(f"prior of {name!r} [{prior.low}, {prior.high}] leaves its range [{low}, {high}]")
        return fit

    @model_validator(mode="after")
    def _targets_name_scenarios(self) -> CalibrationConfig:
        names = [Path(path).stem for path in self.scenarios]
        for target in self.targets:
            if target.scenario not in names:
                raise ValueError(f"target {target.name!r} names scenario {target.scenario!r}; expected one of {names}")
            if target.observed_in is not None and target.observed_in not in self.datasets:
                raise ValueError(
                    f"target {target.name!r} is observed in {target.observed_in!r}; expected one of the "
                    f"config's datasets {sorted(self.datasets)}"
                )
        return self

    def priors(self) -> dict[str, tuple[float, float]]:
        """The uniform prior of each fitted parameter, (low, high): its own range, or the parameter file's."""
        specs = parameter_specs()
        return {name: (prior.low, prior.high) if prior else specs[name].range for name, prior in self.fit.items()}


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config with its file (relative paths and the hash start there) and its scenarios."""

    config: CalibrationConfig
    path: Path
    scenarios: dict[str, LoadedScenario]

    @property
    def sha256(self) -> str:
        """The config file's hash, recorded in the fitted set to tell which config produced it."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def documented_events(self) -> pd.DataFrame:
        """The documented events the config names, validated against the actor catalogue.

        Each event is counted once and placeable in a month (:func:`sim.records.observed.primary`).
        """
        return primary(load_events(self.path.parent / self.config.events, load_catalogue().ids))

    def observed_events(self, target: Target) -> pd.DataFrame:
        """The table a target's observed value is measured on: the documented events, or the imported dataset it names.

        Each event is counted once: cross-dataset duplicates are left out.
        """
        if target.observed_in is None:
            return self.documented_events()
        return primary(load_imported(self.path.parent / self.config.datasets[target.observed_in]))

    @functools.cached_property
    def horizons(self) -> dict[str, dt.date]:
        """For each scenario a target measures, the last date its targets can depend on (:meth:`Target.horizon`).

        The weeks after it cannot change a statistic, so calibration stops the runs there. The
        scenario itself is not cut: its period lays out the runs' random numbers, so a run stopped at
        the horizon is the first part of the whole run.
        """
        return {
            name: max(t.horizon(loaded.scenario) for t in self.config.targets if t.scenario == name)
            for name, loaded in self.scenarios.items()
            if any(t.scenario == name for t in self.config.targets)
        }

    def with_budget(self, **changes: object) -> LoadedConfig:
        """The config with some budget fields replaced (e.g. from the command line)."""
        budget = Budget.model_validate(self.config.budget.model_dump() | changes)
        return LoadedConfig(self.config.model_copy(update={"budget": budget}), self.path, self.scenarios)


def load_config(path: str | Path) -> LoadedConfig:
    """Read and validate a calibration config, the files it names and its scenarios (bad input: one InputError).

    Every number is finite and every file named exists, so that what the config gate passes (``report``
    reads it first), ``calibrate`` can start on.
    """
    path = Path(path)
    config = load_yaml_model(CalibrationConfig, path)
    named_file(path, config.events, "events", "the documented events (CSV or Parquet)")
    for name, dataset in config.datasets.items():
        named_file(path, dataset, f"datasets.{name}", "an imported event table (Parquet from 'sahelsim events import')")
    scenarios = {Path(s).stem: load_scenario(path.parent / s) for s in config.scenarios}
    return LoadedConfig(config, path, scenarios)


def observed_statistics(loaded: LoadedConfig) -> dict[str, float]:
    """The targets measured on the documented events, or on the imported dataset a target names.

    Only the events up to the config's cut-off date count; the statistic code is the one simulated runs are
    measured with.
    """
    values: dict[str, float] = {}
    for target in loaded.config.targets:
        events = loaded.observed_events(target)
        if loaded.config.until is not None:
            events = events[events["date"] <= pd.Timestamp(loaded.config.until)]
        values |= statistics([target], {target.scenario: events})
    return values


def simulated_statistics(loaded: LoadedConfig, parameters: dict[str, float], run: int) -> dict[str, float]:
    """The targets measured on one run of each scenario with these parameters."""
    return {str(name): float(value) for name, value in ensemble_statistics(loaded, [parameters], [run]).iloc[0].items()}


def ensemble_statistics(loaded: LoadedConfig, parameters: list[dict[str, float]], runs: list[int]) -> pd.DataFrame:
    """The targets measured on each (parameter set, run) pair, each scenario stepped as one ensemble.

    Row ``i`` of the table is run ``runs[i]`` with ``parameters[i]``; a run index may repeat (the
    rows of a sensitivity block share their runs), and row ``i``'s statistics are those of
    :func:`simulated_statistics` for that pair. The statistics of every row are measured at once
    on the ensemble's log (:func:`~sim.calibration.targets.row_statistics`).
    """
    logs = {
        name: SahelModel(loaded.scenarios[name].scenario, runs, parameters).run(until=horizon).log_frame()
        for name, horizon in loaded.horizons.items()
    }
    return row_statistics(loaded.config.targets, logs, len(runs))


class Fit(Protocol):
    """What any inference method returns that the fitted set, the checks and the report read."""

    @property
    def posterior(self) -> pd.DataFrame:
        """One row per particle or draw: the parameters and a weight (equal for NPE's draws)."""

    @property
    def method(self) -> str:
        """How it was fitted, in a sentence: the fitted set's provenance."""

    @property
    def observed(self) -> dict[str, float]:
        """The observed statistics it was fitted to."""

    @property
    def seconds(self) -> float:
        """Wall time of the fit."""

    @property
    def simulations(self) -> int:
        """Simulations the fit cost."""


@dataclass(frozen=True)
class CalibrationResult:
    """What an ABC-SMC run found: the last generation's particles, how each generation went, and its cost."""

    posterior: pd.DataFrame  # one row per particle of the last generation: parameters and weight
    generations: pd.DataFrame  # t, epsilon, samples, acceptance rate
    observed: dict[str, float]
    seconds: float
    simulations: int
    method: str


def fit(loaded: LoadedConfig, report: Callable[[str], None] = print) -> Fit:
    """The posterior by the budget's method: ABC-SMC (:func:`calibrate`) or NPE (:mod:`sim.calibration.npe`)."""
    budget = loaded.config.budget
    if budget.method == "npe":
        from sim.calibration.npe import fit_npe  # imported here: it imports this module

        return fit_npe(loaded, budget.simulations, budget.seed, budget.workers, report)
    return calibrate(loaded, report)


def calibrate(loaded: LoadedConfig, report: Callable[[str], None] = print) -> CalibrationResult:
    """Run ABC-SMC until epsilon stops falling (or the budget ends); progress goes to ``report``."""
    try:
        import pyabc  # noqa: F401 (imported here: only calibration needs it, for its kernel and weighted statistics)
    except ImportError:
        raise InputError(
            "calibration needs pyabc; install it with: pip install 'sahelsim[calibrate]'", path=loaded.path
        ) from None

    config, budget = loaded.config, loaded.config.budget
    observed = observed_statistics(loaded)
    priors = config.priors()
    names = [t.name for t in config.targets]
    with open_map(budget.workers, budget.dask_address, loaded.path) as (mapper, workers):
        fit = abc_smc(
            functools.partial(statistics_in_chunks, loaded, mapper, workers, list(priors), names),
            list(priors),
            np.array(list(priors.values()), dtype=float),
            np.array([observed[name] for name in names]),
            np.array([t.weight / t.unit for t in config.targets]),
            budget,
            report,
        )
    posterior = pd.DataFrame(fit.last.parameters, columns=list(priors)).assign(weight=fit.last.weights)
    last = fit.generations.iloc[-1]
    method = (
        f"ABC-SMC (pyabc's kernel), population {budget.population_size}, {len(fit.generations)} generations, "
        f"final epsilon {last['epsilon']:.4g}, effective sample size {last['effective_sample_size']:.0f}, "
        f"{fit.simulations} simulations, seed {budget.seed}"
    )
    return CalibrationResult(posterior, fit.generations, observed, fit.seconds, fit.simulations, method)


def statistics_in_chunks(
    loaded: LoadedConfig,
    mapper: Mapper,
    workers: int,
    names: list[str],
    targets: list[str],
    parameters: np.ndarray,
    runs: np.ndarray,
) -> np.ndarray:
    """The candidates' statistics (one row each, targets in order), in one chunk per worker, each an ensemble.

    A chunk is at most an ensemble's size (:data:`~sim.experiments.runner.ENSEMBLE_SIZE`).
    """
    sets = [dict(zip(names, map(float, row), strict=True)) for row in parameters]
    size = min(ENSEMBLE_SIZE, -(-len(sets) // workers))
    chunks = [(sets[i : i + size], [int(r) for r in runs[i : i + size]]) for i in range(0, len(sets), size)]
    tables = list(mapper(functools.partial(_chunk_statistics, loaded), chunks))
    return pd.concat(tables, ignore_index=True)[targets].to_numpy(dtype=float)


def _chunk_statistics(loaded: LoadedConfig, chunk: tuple[list[dict[str, float]], list[int]]) -> pd.DataFrame:
    """:func:`ensemble_statistics` of one chunk (a module-level function: worker processes import it)."""
    return ensemble_statistics(loaded, *chunk)


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles: list[float]) -> list[float]:
    """Quantiles of weighted particles, each weight's mass centred on its value (the fitted set's interval)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return [float(np.interp(q, cumulative - weights[order] / weights.sum() / 2, values[order])) for q in quantiles]


def fitted_set(loaded: LoadedConfig, result: Fit) -> FittedSet:
    """The fitted parameter set: posterior median and 90 % interval per parameter, with provenance.

    Built as the :class:`FittedSet` that scenarios read back, so writer and reader share one schema;
    any method's posterior (weighted particles, or equally weighted draws) gives it the same way.
    """
    weights = result.posterior["weight"].to_numpy()
    parameters = {}
    for name, prior in loaded.config.priors().items():
        low, median, high = _weighted_quantiles(result.posterior[name].to_numpy(), weights, [0.05, 0.5, 0.95])
        parameters[name] = FittedParameter(
            median=round(median, 6), low_5=round(low, 6), high_95=round(high, 6), prior=prior
        )
    return FittedSet(
        name=loaded.config.name,
        config=loaded.path.name,
        config_sha256=loaded.sha256,
        date=dt.date.today(),
        method=result.method,
        parameters=parameters,
    )
