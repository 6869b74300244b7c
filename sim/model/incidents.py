"""Incidents: how many violent incidents a decision slot has in a week, and how deadly each one is.

Violence is counted, as the datasets count it: a group does not "attack this week or not", it
carries out some number of attacks, each with its own deaths. A slot's weekly count is Poisson
with the rule's *rate*, the exponential of the same named terms the rule's log-odds used to be
(at low rates a rate and a chance agree: a rate of 0.1 a week gives at least one incident with
chance 0.095), so levels can reach the hundreds of events a country-year the records show. What
follows from an incident with a chance (civilian harm in an operation, a pursuit across a border)
is a binomial thinning of the count. Each incident's deaths are negative binomial: a gamma-mixed
Poisson, with many incidents of few or no deaths and a heavy tail of massacres, which is the shape
of the per-event fatality distributions of ACLED and UCDP (its mean from the rule, its dispersion
``deaths_dispersion`` fitted to such a distribution by :func:`sim.calibration.fatalities.fit_fatalities`).

Every incident reads its own uniforms: incident ``j`` of a slot reads sub-slot ``j`` of the draw
(the stream named ``rule.draw#j:actor:counterpart``; incident 0 the draw's own name), so its numbers
depend on (seed, run, week, slot, j) and nothing else, as :mod:`sim.model.draws` requires. A slot
has at most :data:`MAX_INCIDENTS` incidents in a week: the Poisson count is truncated there, which
at the parameter file's defaults happens in about 6 of a million slot-weeks of ``sahel_2024``
(tests/model/test_incidents.py keeps it below 1e-4).
"""

from __future__ import annotations

import numpy as np
from scipy.special import bdtr, pdtr
from scipy.stats import nbinom

Array = np.ndarray

MAX_INCIDENTS = 16  # incidents of one slot in one week: the sub-slots each draw per incident has


def sub_slot(draw: str, incident: int) -> str:
    """The name of the stream incident ``incident`` of a slot reads for ``draw`` (incident 0: the draw's own)."""
    return f"{draw}#{incident}" if incident else draw


def incident_rate(log_rate: Array) -> Array:
    """A weekly rate from its log (the rule's named terms), capped where the count is truncated anyway."""
    return np.asarray(np.exp(np.minimum(log_rate, np.log(4.0 * MAX_INCIDENTS))))


def incident_counts(rate: Array, uniform: Array) -> Array:
    """Poisson counts with mean ``rate``, truncated at :data:`MAX_INCIDENTS`, by inversion of the uniforms.

    The CDF table is built only for the slots with at least one incident (the uniform above the
    chance of none): in most slot-weeks nothing happens.
    """
    counts = np.zeros(np.shape(rate), dtype=np.int64)
    some = uniform >= np.exp(-rate)
    if some.any():
        cdf = pdtr(np.arange(MAX_INCIDENTS), rate[some][:, None])
        counts[some] = np.count_nonzero(cdf <= uniform[some][:, None], axis=1)
    return counts


def thinned(counts: Array, chance: Array, uniform: Array) -> Array:
    """How many of ``counts`` incidents lead to an outcome of ``chance`` each: binomial, by inversion."""
    out = np.zeros(np.shape(counts), dtype=np.int64)
    some = counts > 0
    if some.any():
        cdf = bdtr(np.arange(MAX_INCIDENTS), counts[some][:, None], chance[some][:, None])
        out[some] = np.count_nonzero(cdf <= uniform[some][:, None], axis=1)
    return out


def each_incident(counts: Array) -> tuple[Array, Array, Array]:
    """The (replicate, slot, incident) indices of every incident of a (replicates, slots) count array."""
    r, k = np.nonzero(counts)
    n = counts[r, k]
    first = np.cumsum(n) - n
    return np.repeat(r, n), np.repeat(k, n), np.arange(int(n.sum())) - np.repeat(first, n)


def incident_deaths(mean: Array, dispersion: Array, uniform: Array) -> Array:
    """Deaths of incidents: negative binomial with ``mean`` and size ``dispersion``, by inversion of the uniforms."""
    mean = np.maximum(np.asarray(mean, dtype=float), 0.0)
    size = np.asarray(dispersion, dtype=float)
    deaths = nbinom.ppf(uniform, size, size / (size + mean))
    return np.asarray(np.maximum(deaths, 0), dtype=np.int64)
