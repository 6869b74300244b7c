"""The per-incident fatality distribution of a record: a negative binomial fitted by maximum likelihood.

The model draws each violent incident's deaths from a negative binomial (see
:mod:`sim.model.incidents`); its dispersion ``deaths_dispersion`` is this fit's size on a record of
violent events (the UCDP GED rows of ``../shared/data`` for the parameter file's default, an
ACLED or UCDP export for a refit). The mean is left to the rules (it grows with a group's
capability), so the fit reports it only to show what the record holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.stats import nbinom

from sim.core.errors import InputError


@dataclass(frozen=True)
class FatalityFit:
    """A negative binomial fitted to the deaths of ``events`` incidents: its mean and size (dispersion)."""

    events: int
    mean: float
    dispersion: float


def fit_fatalities(fatalities: pd.Series, source: str = "the record") -> FatalityFit:
    """Maximum-likelihood negative binomial of the deaths per event (the mean's estimate is the sample mean).

    Sizes are searched on a log scale between 0.01 (a tail as heavy as the data can show) and 1000
    (indistinguishable from Poisson).
    """
    deaths = pd.to_numeric(fatalities, errors="coerce").dropna().to_numpy(dtype=float)
    if len(deaths) < 2 or (deaths < 0).any() or deaths.mean() == 0:
        raise InputError(
            f"{source}: fatalities: expected at least two events with non-negative deaths, not all zero,"
            f" to fit a per-event fatality distribution; found {len(deaths)} usable values."
        )
    mean = float(deaths.mean())

    def minus_loglik(log_size: float) -> float:
        size = np.exp(log_size)
        return -float(nbinom.logpmf(deaths, size, size / (size + mean)).sum())

    best = minimize_scalar(minus_loglik, bounds=(np.log(0.01), np.log(1000.0)), method="bounded")
    return FatalityFit(events=len(deaths), mean=mean, dispersion=float(np.exp(best.x)))
