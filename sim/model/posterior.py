"""Posterior draws: each replicate runs with its own draw of the fitted parameters.

A fitted set written by ``sahelsim calibrate`` (``NAME.yaml``) keeps its posterior sample beside it
(``NAME.posterior.parquet``: weighted ABC particles, or equally weighted NPE draws). Running the
medians alone would show only the stochastic spread of the model; a fan drawn with one posterior
draw per replicate shows the parameters' uncertainty too, which is what a "what if?" answer owes
its reader. The scenario loader turns the sample into equally weighted draws (:func:`posterior_draws`)
and the scenario carries them, so a result's recorded scenario reruns without the file.

Replicate ``k`` of a scenario with seed ``s`` takes draw ``order[k mod n]``, ``order`` a permutation
fixed by the seed (:func:`draw_rows`): the draw depends on (seed, replicate) and nothing else. A
counterfactual run with its factual's seed therefore pairs each replicate with the same parameters,
as it already pairs their random numbers, and the points of a sweep share their draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.core.errors import InputError

if TYPE_CHECKING:
    import numpy as np

POSTERIOR_KEY = 0x504F5354  # mixed into the seed, so the draws' order is a stream of its own
WEIGHT = "weight"  # the sample's column of particle weights (absent: equally weighted draws)


def posterior_path(fitted_set: Path) -> Path:
    """The posterior sample written beside a fitted set: ``NAME.posterior.parquet`` for ``NAME.yaml``."""
    return fitted_set.with_suffix(".posterior.parquet")


def posterior_draws(fitted_set: Path, names: list[str]) -> dict[str, list[float]]:
    """Equally weighted draws of the named parameters from the fitted set's posterior sample.

    Weighted particles are resampled systematically (one draw per particle, at evenly spaced points
    of the weights' cumulative sum): deterministic, and with the least resampling noise of the
    standard schemes. A set without its sample file gives no draws (its medians run alone).
    """
    import numpy as np
    import pyarrow.parquet as pq

    path = posterior_path(fitted_set)
    if not path.is_file():
        return {}
    try:
        table = pq.read_table(path).to_pydict()
    except (OSError, ValueError) as error:  # pyarrow's errors for a file that is not Parquet
        expected = "expected the posterior sample of 'sahelsim calibrate'"
        raise InputError(f"cannot be read as Parquet ({error}); {expected}", path=path) from None
    missing = [name for name in names if name not in table]
    if missing:
        raise InputError(
            f"holds no column for {', '.join(missing)}; expected one column per parameter of the fitted set "
            f"{fitted_set.name}, as 'sahelsim calibrate' writes it",
            path=path,
            field=missing[0],
        )
    size = len(table[names[0]]) if names else 0
    weights = np.asarray(table.get(WEIGHT, [1.0] * size), dtype=float)
    if size == 0 or not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        raise InputError(
            "has no particles with finite, non-negative weights summing above 0; expected the posterior sample "
            "of 'sahelsim calibrate'",
            path=path,
            field=WEIGHT,
        )
    cumulative = np.cumsum(weights) / weights.sum()
    rows = np.minimum(np.searchsorted(cumulative, (np.arange(size) + 0.5) / size), size - 1)
    return {name: [round(float(value), 6) for value in np.asarray(table[name], dtype=float)[rows]] for name in names}


def draw_rows(seed: int, replicates: np.ndarray, draws: int) -> np.ndarray:
    """The draw each replicate takes: a seed-fixed permutation of the draws, read at ``replicate mod draws``."""
    import numpy as np

    order = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(POSTERIOR_KEY,))).permutation(draws)
    return order[np.asarray(replicates, dtype=np.int64) % draws]


def drawn_parameters(posterior: dict[str, list[float]], seed: int, replicates: np.ndarray) -> list[dict[str, float]]:
    """Each replicate's posterior draw, as parameter overrides (empty mappings when there is no sample)."""
    if not posterior:
        return [{} for _ in range(len(replicates))]
    names = list(posterior)
    rows = draw_rows(seed, replicates, len(posterior[names[0]]))
    return [{name: posterior[name][row] for name in names} for row in rows.tolist()]
