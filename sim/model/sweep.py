"""Parameter sweeps: the points a batch runs, on a grid or sampled from ranges.

A scenario's ``sweep`` names parameters and either lists values (``method: grid``, every
combination) or gives ranges to sample ``samples`` points from, with a Latin hypercube
(``lhs``) or a scrambled Sobol sequence (``sobol``) from :mod:`scipy.stats.qmc`. Samples are
drawn from the scenario seed, so the same scenario always gives the same points.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.core.names import known
from sim.core.parameters import parameter_specs

if TYPE_CHECKING:  # imported in sweep_points: validating a scenario's sweep needs neither
    import pandas as pd

Method = Literal["grid", "lhs", "sobol"]
MAX_POINTS = 65_536  # sweep points of a batch (2**16, a power of two for sobol)


class Range(BaseModel):
    """The interval an lhs or sobol sweep samples a parameter from."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    low: float
    high: float

    @model_validator(mode="after")
    def _not_empty(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"empty range: low {self.low} must be below high {self.high}")
        return self


class Sweep(BaseModel):
    """Which parameters vary across a batch, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    method: Method = "grid"
    parameters: dict[str, list[float] | Range] = Field(min_length=1)
    samples: int | None = Field(
        default=None, ge=1, le=MAX_POINTS, description="number of points for lhs and sobol, 1 to 65,536"
    )

    @field_validator("parameters", mode="before")
    @classmethod
    def _mappings_are_ranges(cls, values: object) -> object:
        """Read {low, high} as a Range here, so its own error is reported, not the list's."""
        if not isinstance(values, dict):
            return values
        result = {}
        for name, value in values.items():
            try:
                result[name] = Range.model_validate(value) if isinstance(value, dict) else value
            except ValidationError as error:
                raise ValueError(
                    f"parameter {name!r}: {error.errors()[0]['msg'].removeprefix('Value error, ')}"
                ) from None
        return result

    @field_validator("parameters")
    @classmethod
    def _known_and_in_range(cls, values: dict[str, list[float] | Range]) -> dict[str, list[float] | Range]:
        specs = parameter_specs()
        for name, value in values.items():
            known("parameter", name, specs)
            points = [value.low, value.high] if isinstance(value, Range) else value
            if not points:
                raise ValueError(f"parameter {name!r} has an empty list of values")
            low, high = specs[name].range
            outside = [v for v in points if not low <= v <= high]
            if outside:
                raise ValueError(f"parameter {name!r}: {outside} lie outside its range [{low}, {high}]")
        return values

    @model_validator(mode="after")
    def _method_fits(self) -> Sweep:
        lists = [n for n, v in self.parameters.items() if isinstance(v, list)]
        ranges = [n for n, v in self.parameters.items() if isinstance(v, Range)]
        if self.method == "grid" and ranges:
            raise ValueError(f"a grid sweep needs lists of values, got ranges for {ranges}")
        if self.method != "grid" and lists:
            raise ValueError(f"a {self.method} sweep needs ranges {{low, high}}, got lists for {lists}")
        grid = math.prod(len(values) for values in self.parameters.values() if isinstance(values, list))
        if self.method == "grid" and grid > MAX_POINTS:
            raise ValueError(
                f"the grid has {grid:,} points; expected at most {MAX_POINTS:,} (fewer values, or an lhs sweep)"
            )
        if self.method != "grid" and self.samples is None:
            raise ValueError(f"a {self.method} sweep needs 'samples'")
        if self.method == "sobol" and self.samples is not None and self.samples & (self.samples - 1):
            raise ValueError(
                f"a sobol sweep needs a power of two samples (e.g. 64, 128) to stay balanced, got {self.samples}"
            )
        return self


def sweep_points(sweep: Sweep | None, seed: int) -> pd.DataFrame:
    """One row per sweep point (index ``point``), one column per swept parameter.

    Without a sweep there is one point with no parameter columns.
    """
    import numpy as np
    import pandas as pd

    if sweep is None:
        return pd.DataFrame(index=pd.RangeIndex(1, name="point"))
    names = list(sweep.parameters)
    if sweep.method == "grid":
        rows = list(itertools.product(*(sweep.parameters[name] for name in names)))
        values = np.array(rows, dtype=float)
    else:
        from scipy.stats import qmc  # imported here: scipy.stats is slow to import, and most runs have no sweep

        ranges = [value for value in sweep.parameters.values() if isinstance(value, Range)]
        assert len(ranges) == len(names) and sweep.samples is not None  # an lhs or sobol sweep has both (_method_fits)
        sampler_class = qmc.LatinHypercube if sweep.method == "lhs" else qmc.Sobol
        sampler = sampler_class(
            d=len(names), rng=np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31,)))
        )
        unit = sampler.random(sweep.samples)
        values = qmc.scale(unit, [r.low for r in ranges], [r.high for r in ranges])
    return pd.DataFrame(values, columns=names).rename_axis("point")
