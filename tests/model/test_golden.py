"""Golden tests: a fixed scenario and seed give exactly the stored results, with each parameter source.

A deliberate change to the model changes these numbers: check the change is intended, then
regenerate with ``SAHELSIM_UPDATE_GOLDEN=1 python -m pytest tests/model/test_golden.py`` and commit
the new files with the change that caused it. The two files differ only in where the replicates'
parameters come from: a posterior draw each (the default) or the medians (``--parameters median``).
"""

import hashlib
import json
import os

import pytest

from sim.experiments.runner import run_replicate
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"


def fingerprint(sahel_2024) -> dict:
    result = {}
    for replicate in (0, 1):
        events, tension = run_replicate(sahel_2024.scenario, replicate)
        result[str(replicate)] = {
            "events_sha256": hashlib.sha256(events.to_csv(index=False).encode()).hexdigest(),
            "tension_sha256": hashlib.sha256(tension.to_csv(index=False, float_format="%.12g").encode()).hexdigest(),
            "counts": {str(k): int(v) for k, v in events.groupby("event_type").size().items()},
        }
    return result


@pytest.mark.parametrize("source", ["posterior", "median"])
def test_sahel_2024_reproduces_the_stored_results(sahel_2024, source):
    current = fingerprint(sahel_2024.with_changes(parameters_from=source))
    golden = GOLDEN / ("sahel_2024.json" if source == "posterior" else "sahel_2024_median.json")
    if os.environ.get("SAHELSIM_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        pytest.skip("golden file regenerated")
    stored = json.loads(golden.read_text())
    assert current == stored
