"""Global sensitivity of the calibration statistics to every parameter, with SALib.

Morris screening (elementary effects, cheap) ranks the parameters; Sobol indices (Saltelli
sampling, costlier) give the share of each statistic's variance that each parameter drives,
alone (S1) or with interactions (ST), with bootstrap confidence intervals. The statistics
are the calibration targets, simulated exactly as calibration simulates them.

The model is stochastic, and Sobol and Morris assume a deterministic function: were every
sample row run with its own seed, the run-to-run noise would show up as a share of every
parameter's total index (ST about 0.3 to 0.5 for all 41 parameters, whatever they do). So the
rows are run with common random numbers: the rows of one SALib block (a Sobol base sample with
its D cross-over rows, or one Morris trajectory) share their seeds, and the index of a
parameter measures what changing that parameter alone does to the same runs. Each row's
statistics are the mean over ``replicates`` such runs, so the indices describe the expected
statistic rather than one draw.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from sim.calibration.fitting import LoadedConfig, ensemble_statistics
from sim.calibration.workers import open_map
from sim.core.parameters import parameter_specs

Method = Literal["morris", "sobol"]


def problem() -> dict:
    """Every parameter of the parameter file with its plausible range, in SALib's form."""
    specs = parameter_specs()
    return {"num_vars": len(specs), "names": list(specs), "bounds": [list(spec.range) for spec in specs.values()]}


def _evaluate(loaded: LoadedConfig, names: list[str], rows: list[tuple[range, np.ndarray]]) -> list[dict[str, float]]:
    """Per row, each statistic averaged over the row's runs: every (row, run) of the chunk in one ensemble."""
    parameters = [dict(zip(names, map(float, values), strict=True)) for runs, values in rows for _ in runs]
    runs = [run for row_runs, _ in rows for run in row_runs]
    measured = ensemble_statistics(loaded, parameters, runs)
    row = np.repeat(np.arange(len(rows)), [len(row_runs) for row_runs, _ in rows])
    means = measured.groupby(row).mean()
    return [
        {str(name): float(value) for name, value in zip(means.columns, means.to_numpy()[i], strict=True)}
        for i in range(len(rows))
    ]


def evaluate(
    loaded: LoadedConfig,
    samples: np.ndarray,
    block: int,
    replicates: int,
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """The mean statistics of ``replicates`` runs per sample row.

    The rows of one block of ``block`` rows share their runs (block b runs ``b * replicates`` to
    ``(b + 1) * replicates - 1``).
    """
    names = problem()["names"]
    rows = [(range(i // block * replicates, (i // block + 1) * replicates), values) for i, values in enumerate(samples)]
    size = max(1, len(rows) // (8 * workers))
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    results: list[dict[str, float]] = []
    with open_map(workers) as (mapper, _):
        for chunk in mapper(functools.partial(_evaluate, loaded, names), chunks):
            results.extend(chunk)
            if progress is not None:
                progress(len(results), len(rows))
    return pd.DataFrame(results)


def analyse(
    loaded: LoadedConfig,
    method: Method,
    n: int,
    seed: int,
    replicates: int = 1,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Indices of every parameter for every statistic: one row per (statistic, parameter).

    ``n`` is the number of Morris trajectories or of Sobol base samples; each sample row is
    run ``replicates`` times with common random numbers (see the module's docstring).

    Columns: ``index`` (Morris: mu_star; Sobol: ST), ``conf`` (its 95 % confidence half-width)
    and, for Sobol, ``S1`` and ``S1_conf``.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    spec = problem()
    if method == "morris":
        samples, block = morris_sample.sample(spec, n, num_levels=4, seed=seed), spec["num_vars"] + 1
    else:
        samples, block = sobol_sample.sample(spec, n, calc_second_order=False, seed=seed), spec["num_vars"] + 2
    outputs = evaluate(loaded, samples, block, replicates, workers, progress)
    rows: list[dict[str, object]] = []
    for statistic in outputs.columns:
        y = outputs[statistic].to_numpy(dtype=float)
        if np.ptp(y) == 0:  # the statistic never varies: no parameter moves it
            rows.extend(
                {"statistic": statistic, "parameter": name, "index": 0.0, "conf": 0.0} for name in spec["names"]
            )
            continue
        if method == "morris":
            result = morris_analyze.analyze(spec, samples, y, num_levels=4, seed=seed)
            for name, mu_star, conf in zip(spec["names"], result["mu_star"], result["mu_star_conf"], strict=True):
                rows.append({"statistic": statistic, "parameter": name, "index": mu_star, "conf": conf})
        else:
            result = sobol_analyze.analyze(spec, y, calc_second_order=False, seed=seed)
            for i, name in enumerate(spec["names"]):
                rows.append(
                    {
                        "statistic": statistic,
                        "parameter": name,
                        "index": result["ST"][i],
                        "conf": result["ST_conf"][i],
                        "S1": result["S1"][i],
                        "S1_conf": result["S1_conf"][i],
                    }
                )
    return pd.DataFrame(rows).assign(method=method)
