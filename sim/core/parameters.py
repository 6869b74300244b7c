"""The parameter file: named, documented, bounded parameters that scenarios override by name."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from pydantic import BaseModel, ConfigDict, model_validator

from sim.core.datafiles import PACKAGE_DATA, load_yaml_model

PARAMETERS_PATH = PACKAGE_DATA / "parameters.yaml"


class ParameterSpec(BaseModel):
    """One parameter: its default, plausible range, unit, meaning and evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    default: float
    range: tuple[float, float]
    unit: str
    meaning: str
    informed_by: list[str]

    @model_validator(mode="after")
    def _default_in_range(self) -> ParameterSpec:
        low, high = self.range
        if not low <= self.default <= high:
            raise ValueError(f"default {self.default} lies outside its range [{low}, {high}]")
        return self

    def contains(self, value: float) -> bool:
        low, high = self.range
        return low <= value <= high


class ParameterFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    parameters: dict[str, ParameterSpec]


@lru_cache(maxsize=4)
def parameter_specs(path: Path = PARAMETERS_PATH) -> dict[str, ParameterSpec]:
    """All parameter specifications, keyed by name, in file order."""
    return load_yaml_model(ParameterFile, path).parameters


def resolve_parameters(overrides: Mapping[str, float] | None = None) -> SimpleNamespace:
    """The defaults with ``overrides`` applied, as attributes (``params.attack_base``).

    Overrides are assumed validated (scenario loading checks names and ranges); a name that
    is not a parameter is still refused here so no typo passes silently.
    """
    specs = parameter_specs()
    values = {name: spec.default for name, spec in specs.items()}
    for name, value in (overrides or {}).items():
        if name not in specs:
            raise KeyError(f"unknown parameter {name!r}")
        values[name] = float(value)
    return SimpleNamespace(**values)
