"""The parameter file: named, documented, bounded parameters that scenarios override by name.

``sim/data/parameters.yaml`` is the single source of truth. The rules read the parameters as
attributes of :class:`~sim.core.parameter_values.Parameters`, a frozen record with one typed field
per entry of the file, so a misspelt name is a type error rather than a failure at run time. That
class is generated from the file (``python -m sim.core.parameters --write-model``), and a test fails
when the two disagree.
"""

from __future__ import annotations

import argparse
import dataclasses
import textwrap
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, model_validator

from sim.core.datafiles import PACKAGE_DATA, load_yaml_model
from sim.core.io import write_text
from sim.core.names import unknown
from sim.core.parameter_values import Parameters

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

PARAMETERS_PATH = PACKAGE_DATA / "parameters.yaml"
PARAMETER_MODEL_PATH = Path(__file__).with_name("parameter_values.py")
WRITE_MODEL_COMMAND = "python -m sim.core.parameters --write-model"


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
        """Whether ``value`` lies within the plausible range (bounds included)."""
        low, high = self.range
        return low <= value <= high


class ParameterFile(BaseModel):
    """The contents of ``sim/data/parameters.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    parameters: dict[str, ParameterSpec]


@lru_cache(maxsize=4)
def parameter_specs(path: Path = PARAMETERS_PATH) -> dict[str, ParameterSpec]:
    """All parameter specifications, keyed by name, in file order."""
    return load_yaml_model(ParameterFile, path).parameters


def resolve_parameters(overrides: Mapping[str, float] | None = None) -> Parameters[float]:
    """The defaults with ``overrides`` applied, as a frozen record (``params.attack_base``).

    Overrides are assumed validated (scenario loading checks names and ranges); a name that
    is not a parameter is still refused here so no typo passes silently.
    """
    specs = parameter_specs()
    values = {name: spec.default for name, spec in specs.items()}
    for name, value in (overrides or {}).items():
        if name not in specs:
            raise KeyError(unknown("parameter", name, specs))
        values[name] = float(value)
    return Parameters(**values)


def parameter_columns(sets: Sequence[Parameters[float]]) -> Parameters[NDArray[np.float64]]:
    """Parameter sets stacked into columns of shape (replicates, 1), one row per set.

    The column shape broadcasts against the ensemble's (replicates, decisions) arrays, so a rule
    reads ``p.attack_base`` the same way whether every replicate shares one set or each has its own.
    """
    import numpy as np  # here, not at the top: validating a scenario reads parameters without numpy

    names = [field.name for field in dataclasses.fields(Parameters)]
    return Parameters(**{name: np.array([[getattr(one, name)] for one in sets], dtype=np.float64) for name in names})


_MODEL_HEADER = f'''"""The model's parameters as one typed, frozen record, a field per entry of the parameter file.

Generated from ``sim/data/parameters.yaml`` by ``{WRITE_MODEL_COMMAND}``; do not
edit it by hand. tests/core/test_parameters.py fails when it is out of date with the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # numpy is named in the types only: reading a parameter file needs no numpy
    import numpy as np
    from numpy.typing import NDArray

Value = TypeVar("Value", float, "NDArray[np.float64]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameters(Generic[Value]):
    """One value for every parameter of ``sim/data/parameters.yaml``, in file order.

    ``Parameters[float]`` is one set, built by :func:`sim.core.parameters.resolve_parameters` (the
    file's defaults with a scenario's overrides); ``Parameters[NDArray]`` holds a column of values,
    one row per replicate of an ensemble (:func:`sim.core.parameters.parameter_columns`), so a sweep
    point or a posterior draw per replicate is just another row. Frozen, so no rule changes a
    parameter during a run; typed, so a misspelt name is a type error; with slots, so the rules
    read it as fast as a plain namespace.
    """
'''


def _field_source(name: str, spec: ParameterSpec) -> str:
    """One field of :class:`Parameters`: its name, and a docstring with the parameter's meaning and unit."""
    meaning = textwrap.wrap(spec.meaning, width=112)
    lines = [f"    {name}: Value", f'    """{meaning[0]}', *(f"    {line}" for line in meaning[1:])]
    lines += ["", f"    Unit: {spec.unit}.", '    """']
    return "\n".join(lines) + "\n"


def parameter_model_source(specs: Mapping[str, ParameterSpec]) -> str:
    """The text of ``sim/core/parameter_values.py`` for these parameter specifications."""
    return _MODEL_HEADER + "".join("\n" + _field_source(name, spec) for name, spec in specs.items())


def main(argv: Sequence[str] | None = None) -> None:
    """Regenerate the :class:`Parameters` module from the parameter file (after editing the file)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--write-model", action="store_true", required=True, help=f"write {PARAMETER_MODEL_PATH}")
    parser.parse_args(argv)
    write_text(parameter_model_source(parameter_specs()), PARAMETER_MODEL_PATH)


if __name__ == "__main__":
    main()
