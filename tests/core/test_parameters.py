"""The typed parameter record follows the parameter file, which stays the single source of truth."""

import dataclasses

import pytest

from sim.core.parameter_values import Parameters
from sim.core.parameters import (
    PARAMETER_MODEL_PATH,
    WRITE_MODEL_COMMAND,
    parameter_model_source,
    parameter_specs,
    resolve_parameters,
)


def test_the_parameter_record_is_generated_from_the_current_file():
    """Names, order, meanings and units of sim/core/parameter_values.py are those of sim/data/parameters.yaml."""
    written = PARAMETER_MODEL_PATH.read_text(encoding="utf-8")
    assert written == parameter_model_source(parameter_specs()), f"out of date: run {WRITE_MODEL_COMMAND}"
    assert [field.name for field in dataclasses.fields(Parameters)] == list(parameter_specs())


def test_resolved_parameters_are_the_defaults_with_the_overrides():
    params = resolve_parameters({"harm_wagner": 3})
    expected = {name: spec.default for name, spec in parameter_specs().items()} | {"harm_wagner": 3.0}
    assert dataclasses.asdict(params) == expected
    assert type(params.harm_wagner) is float


def test_resolved_parameters_cannot_change_during_a_run():
    params = resolve_parameters()
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.attack_base = 0.0  # type: ignore[misc]  # the point of the test: frozen fields refuse assignment


def test_an_unknown_parameter_is_refused():
    with pytest.raises(KeyError, match="unknown parameter 'attack_bse'"):
        resolve_parameters({"attack_bse": 1.0})
