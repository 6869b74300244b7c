"""Resuming a batch as it was started: the scenario its manifest records, and what disagrees with it.

The manifest keeps the validated scenario, with the replicates and sweep the command line gave,
so ``sahelsim batch --resume DIR`` needs nothing else. A scenario file or an option given all the
same must agree with it: one that does not is refused naming the option and both values (or the
scenario's fields that differ), rather than as "another scenario". The replicates and the sweep's
method and samples are the options': a scenario file that says other ones is resumed with the
batch's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.core.errors import InputError
from sim.experiments.store import BatchStore
from sim.model.scenario import LoadedScenario

# the options of 'sahelsim batch' that change the scenario: where the manifest's scenario holds each
OPTIONS = {
    "--replicates": ("replicates", None),
    "--method": ("sweep", "method"),
    "--samples": ("sweep", "samples"),
    "--parameters": ("parameters_from", None),
}


def resumed_scenario(
    store: BatchStore, given: LoadedScenario | None = None, options: Mapping[str, object] | None = None
) -> LoadedScenario:
    """The scenario to finish ``store``'s batch with: the recorded one, once ``given`` and ``options`` agree.

    Args:
        store: the batch to resume.
        given: the scenario file named on the command line, if any (without the options applied).
        options: the values of the options in :data:`OPTIONS` (None for one not given).
    """
    recorded = store.scenario()
    if recorded.sha256 != store.manifest()["scenario_sha256"]:
        raise InputError(
            "records a scenario (scenario_validated) that does not hash to its scenario_sha256; "
            "expected the manifest as the batch wrote it",
            path=store.manifest_path,
            field="scenario_validated",
        )
    held = recorded.scenario.model_dump(mode="json")
    for option, value in (options or {}).items():
        was = _held_value(held, option)
        if value is not None and value != was:
            raise InputError(
                f"{option} {value} disagrees with the batch, which was started with {option} "
                f"{'(none)' if was is None else was}; leave {option} out to resume it as it was started",
                path=store.folder,
                field=option,
            )
    if given is not None:
        differing = _differing_fields(given.scenario.model_dump(mode="json"), held)
        if differing:
            raise InputError(
                f"differs from the scenario the batch in {store.folder} was started with, in "
                f"{', '.join(differing)}; resume with the scenario it was started with, or leave the "
                "scenario out to resume from the one its manifest records",
                path=given.path,
            )
    return recorded


def _held_value(held: dict[str, Any], option: str) -> object:
    """The value the recorded scenario holds for ``option`` (None for a sweep's part without a sweep)."""
    field, part = OPTIONS[option]
    value = held.get(field)
    if part is None:
        return value
    return value.get(part) if isinstance(value, dict) else None


def _differing_fields(given: dict[str, Any], held: dict[str, Any]) -> list[str]:
    """The scenario's fields in which ``given`` differs from ``held``, leaving out what the options set."""
    differing = []
    whole = {field for field, part in OPTIONS.values() if part is None}
    for name in sorted(set(given) | set(held)):
        if name in whole:
            continue
        ours, theirs = given.get(name), held.get(name)
        if name == "sweep" and isinstance(ours, dict) and isinstance(theirs, dict):
            ours, theirs = (
                {k: v for k, v in sweep.items() if k not in ("method", "samples")} for sweep in (ours, theirs)
            )
        if ours != theirs:
            differing.append(name)
    return differing
