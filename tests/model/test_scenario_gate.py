"""Validation is the single gate: what ``validate`` passes, ``run`` and ``batch`` can run.

A property test mutates the numbers (and dates) of the shipped scenarios to extreme values
(infinities, nan, 1e308, huge and negative integers, the ends of pandas' timestamps) and checks
that each mutant is either refused with one InputError naming the file or runs one replicate,
its whole period, as ``run`` and ``batch`` run it, without an exception.
"""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace
from typing import Any

import psutil
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.errors import InputError
from sim.core.io import write_parquet
from sim.core.parameters import parameter_specs
from sim.experiments.batch import plan_runs, simulate_chunk
from sim.experiments.runner import run_replicate
from sim.model.memory import memory_model, size_text
from sim.model.scenario import load_scenario, require_run_memory
from sim.model.sweep import sweep_points
from tests.conftest import SCENARIOS, run_here

Path = tuple[str | int, ...]


def standalone(name: str) -> dict[str, Any]:
    """A shipped scenario as one file of its own: its validated content, the event file by absolute path."""
    loaded = load_scenario(SCENARIOS / f"{name}.yaml")
    data = loaded.scenario.model_dump(mode="json")
    data["documented_events"] = str(loaded.documented_events_path)
    data["parameter_set"] = None  # its medians are in `parameters` already
    return data


BASES = {name: standalone(name) for name in ("sahel_2024", "joint_patrols_2010", "sweep_pursuit_2024")}


def leaves(data: Any, path: Path = ()) -> list[tuple[Path, Any]]:
    """Every (path, value) of the nested mappings and lists, leaves only."""
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in leaves(value, (*path, key))]
    if isinstance(data, list):
        return [leaf for i, value in enumerate(data) for leaf in leaves(value, (*path, i))]
    return [(path, data)]


def numeric_paths(data: dict[str, Any]) -> list[Path]:
    """The numbers of a scenario, its shocks' magnitudes (given or not), and more parameters and attributes."""
    paths = [path for path, value in leaves(data) if isinstance(value, (int, float)) and not isinstance(value, bool)]
    paths += [("shocks", i, "magnitude") for i in range(len(data["shocks"]))]
    paths += [("parameters", name) for name in parameter_specs()]
    paths += [("actor_attributes", data["actors"][0], field) for field in ("capability", "resolve", "alignment")]
    return sorted(set(paths), key=str)


def date_paths(data: dict[str, Any]) -> list[Path]:
    return [path for path, value in leaves(data) if isinstance(value, str) and path[-1] in ("start", "end", "date")]


EXTREME_NUMBERS = st.sampled_from(
    [math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -0.0, 0, -1, 1, 10**6 + 1, 10**4 + 1, 2**63, 2**64, 10**400]
)
NUMBERS = st.one_of(
    EXTREME_NUMBERS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
)
EXTREME_DATES = st.sampled_from(
    ["0001-01-01", "1677-09-21", "1959-12-31", "1960-01-01", "2100-12-31", "2101-01-01", "2262-04-12", "9999-12-31"]
)


def set_at(data: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {}) if isinstance(data, dict) else data[key]
    data[path[-1]] = value


@st.composite
def mutants(draw: st.DrawFn) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(BASES[draw(st.sampled_from(sorted(BASES)))]))  # a deep copy
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 4)) == 0:
            set_at(data, draw(st.sampled_from(date_paths(data))), dt.date.fromisoformat(draw(EXTREME_DATES)))
        else:
            set_at(data, draw(st.sampled_from(numeric_paths(data))), draw(NUMBERS))
    return data


def run_as_run_and_batch_do(path, out) -> None:
    """One replicate of the scenario through the code ``run`` and ``batch`` use, tables written."""
    scenario = load_scenario(path).scenario
    events, tension = run_replicate(scenario, 0)
    write_parquet(events, out / "events.parquet")
    write_parquet(tension, out / "tension.parquet")
    points = sweep_points(scenario.sweep, scenario.seed)
    for table, frame in simulate_chunk(scenario, plan_runs(scenario, points)[:1]).items():
        write_parquet(frame, out / f"{table}.parquet")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutants())
def test_what_validation_passes_runs(tmp_path, data):
    path = tmp_path / "mutant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    try:
        load_scenario(path)
    except InputError as error:
        assert str(path) in error.message and "\n" not in error.message
        return
    run_as_run_and_batch_do(path, tmp_path)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({("shocks", 3, "magnitude"): math.inf}, "got inf; input should be a finite number"),
        ({("shocks", 3, "magnitude"): 1e308}, "less than or equal to 1000000"),
        ({("relations", 0, "trade"): math.nan}, "finite number"),
        ({("parameters", "tension_scale"): math.inf}, "finite number"),
        ({("end",): dt.date(9999, 12, 31)}, "expected a date from 1960-01-01 to 2100-12-31"),
        ({("start",): dt.date(1677, 9, 21)}, "expected a date from 1960-01-01 to 2100-12-31"),
        ({("seed",): 2**64}, "less than or equal to 9223372036854775807"),
        ({("replicates",): 10**9}, "less than or equal to 10000"),
    ],
    ids=str,
)
def test_the_crashes_seen_are_refused(tmp_path, change, expected):
    data = yaml.safe_load(yaml.safe_dump(BASES["sahel_2024"]))
    for where, value in change.items():
        set_at(data, where, value)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError, match=expected) as error:
        load_scenario(path)
    assert error.value.field == ".".join(str(part) for part in next(iter(change)))


def little_memory(monkeypatch: pytest.MonkeyPatch, available: int) -> None:
    """A machine with ``available`` bytes of memory available, as psutil reports it."""
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=available))


def test_a_run_that_cannot_fit_in_memory_is_refused_up_front(monkeypatch, capsys, tmp_path):
    """Once, ``replicates: 1000000000`` was accepted, then the run was killed for memory."""
    little_memory(monkeypatch, 2**30)
    big = tmp_path / "big.yaml"
    big.write_text(f"extends: {SCENARIOS / 'sahel_2024.yaml'}\nreplicates: 10000\n", encoding="utf-8")
    needed = size_text(memory_model().run_bytes(10_000, 105, 12))
    out = tmp_path / "out"
    for args, field in (
        (["validate", str(big)], "replicates"),
        (["run", str(SCENARIOS / "sahel_2024.yaml"), "--replicates", "10000", "--out", str(out)], "--replicates"),
    ):
        code, _, err = run_here(monkeypatch, capsys, *args)
        assert code == 2 and "Traceback" not in err
        assert (
            f"field '{field}': a run of 10,000 replicates x 105 weeks with 12 actors needs about {needed} of memory, "
            "more than the 819 MiB it may use (80% of the 1.0 GiB available now); expected fewer replicates, "
            "or 'sahelsim batch', which streams its runs to disk"
        ) in err, err
    assert not out.exists()


@pytest.mark.parametrize("name", sorted(path.stem for path in SCENARIOS.glob("*.yaml")))
def test_the_shipped_scenarios_fit_in_two_gib(monkeypatch, name):
    little_memory(monkeypatch, 2 * 2**30)
    require_run_memory(load_scenario(SCENARIOS / f"{name}.yaml"))
