"""Mutation fuzzing of the command line: exit 0 or a clean exit 2, never a traceback, a hang or a partial write.

The inputs and the judgement are those of ``tests/fuzzing.py`` (mutated scenarios, calibration
configs and dataset CSVs), run in this process for speed. The suite's budget is small, a few
seconds per class; ``SAHELSIM_FUZZ_SCALE`` multiplies it, and ``benchmarks/fuzz_inputs.py`` runs
the same inputs for as long as asked. Hypothesis keeps no example database in the repository, and
is derandomized under CI (``CI=true``) so that a CI run is reproducible.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzzing import CLEAN, OK, STRATEGIES, Case, Sandbox, fuzz_examples

# examples per class in the suite, and validated scenarios that go through a whole `sahelsim run`
EXAMPLES = {"scenario": 50, "calibration": 30, "dataset": 50}
CLI_RUNS = 3
FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    return Sandbox(tmp_path_factory.mktemp("fuzz"), cli_runs=CLI_RUNS, timeout=120)


def judge(sandbox: Sandbox, case: Case, tried: dict[str, int]) -> None:
    outcome = sandbox.check(case)
    tried[outcome.status] = tried.get(outcome.status, 0) + 1
    assert outcome.status in (OK, CLEAN), f"{case.describe()}: {outcome.status}\n{outcome.detail}"


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_a_mutated_input_ends_in_success_or_one_clean_error(sandbox, kind, record_property):
    tried: dict[str, int] = {}

    @settings(FUZZ, max_examples=fuzz_examples(EXAMPLES[kind]))
    @given(case=STRATEGIES[kind])
    def fuzz(case: Case) -> None:
        judge(sandbox, case, tried)

    fuzz()
    record_property("inputs", tried)
    print(f"{kind}: {sum(tried.values())} inputs, {tried}")
