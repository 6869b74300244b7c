"""Where chunks run: a worker that dies is told as one clear paragraph, not a broken pool's traceback."""

import os
import signal

import pytest

from sim.calibration.workers import open_map
from sim.core.errors import WorkerLost


def _die(chunk: int) -> int:
    """Kill this worker, as the kernel's out-of-memory killer would."""
    os.kill(os.getpid(), signal.SIGKILL)
    return chunk


def _square(chunk: int) -> int:
    return chunk * chunk


def test_chunks_come_back_in_order_on_every_executor():
    for workers in (1, 2):
        with open_map(workers) as (mapper, _):
            assert list(mapper(_square, range(6))) == [0, 1, 4, 9, 16, 25]


def test_a_killed_worker_is_named_with_what_to_do(tmp_path):
    config = tmp_path / "fit.yaml"
    with pytest.raises(WorkerLost) as error, open_map(2, where=config) as (mapper, _):
        list(mapper(_die, range(2)))
    assert "a worker process died" in error.value.message and str(config) in error.value.message
    assert "fewer workers (there were 2)" in error.value.message
