"""The memory estimate of a run: the measured coefficients, and how the estimate grows with a run's size."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.model.memory import memory_model, size_text

SIZES = st.tuples(st.integers(1, 10_000), st.integers(1, 7_000), st.integers(2, 14))


def test_the_coefficients_are_read_from_the_data_file():
    model = memory_model()
    assert model.base_bytes > 0 and model.bytes_per_pair_week > 0 and model.bytes_per_week > 0
    assert 0 < model.available_fraction < 1


@given(size=SIZES, more=st.sampled_from([(1, 0, 0), (0, 1, 0), (0, 0, 1)]))
def test_a_larger_run_is_estimated_to_need_more(size, more):
    larger = tuple(a + b for a, b in zip(size, more, strict=True))
    assert memory_model().run_bytes(*larger) > memory_model().run_bytes(*size)


@given(size=SIZES)
def test_the_estimate_is_linear_in_replicates(size):
    model, (replicates, weeks, actors) = memory_model(), size
    one = model.run_bytes(1, weeks, actors) - model.base_bytes
    assert abs(model.run_bytes(replicates, weeks, actors) - model.base_bytes - replicates * one) <= replicates


def test_sizes_read_as_people_read_them():
    assert size_text(350 * 2**20) == "350 MiB" and size_text(3 * 2**29) == "1.5 GiB"
