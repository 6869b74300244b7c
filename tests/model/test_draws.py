"""Common random numbers: a decision's uniform depends on (seed, run, week, slot) and nothing else."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.draws import Decisions

WEEKS = 105


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    run=st.integers(0, 5000),
    before=st.integers(0, 40),
    after=st.integers(0, 40),
    week=st.integers(0, WEEKS - 1),
)
def test_a_runs_uniform_does_not_depend_on_the_ensemble_around_it(seed, run, before, after, week):
    first = max(0, run - before)
    alone = Decisions(seed, np.array([run]), WEEKS).block(["insurgency.attack:jnim_aqim:mali"])
    among = Decisions(seed, np.arange(first, run + 1 + after), WEEKS).block(
        ["protest.summons:mali:mauritania", "insurgency.attack:jnim_aqim:mali"]
    )
    assert alone[week, 0, 0] == among[week, run - first, 1]


def test_slots_seeds_and_weeks_have_their_own_numbers():
    block = Decisions(1, np.arange(50), WEEKS).block(["a", "b"])
    assert block.shape == (112, 50, 2) and block.dtype == np.float32  # the weeks, padded to whole counters
    assert ((block >= 0) & (block < 1)).all()
    assert not np.array_equal(block[:, :, 0], block[:, :, 1])
    assert not np.array_equal(block[:, :, 0], Decisions(2, np.arange(50), WEEKS).block(["a"])[:, :, 0])
    assert abs(block.mean() - 0.5) < 0.01  # 10,500 uniforms


def test_runs_repeated_or_out_of_order_get_their_own_numbers():
    """A sensitivity block runs one run index under several parameter rows; a resumed batch may skip runs."""
    runs = np.array([9, 3, 9, 4, 20])
    block = Decisions(5, runs, WEEKS).block(["a"])
    for row, run in enumerate(runs):
        assert np.array_equal(block[:, row, 0], Decisions(5, np.array([run]), WEEKS).block(["a"])[:, 0, 0])
