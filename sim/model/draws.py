"""Common random numbers: every decision of every run draws its own, fixed uniform number.

A *decision* is a fixed slot of the weekly step, named by what decides and about whom: e.g.
``insurgency.attack:jnim:mali`` (does JNIM attack in Mali this week?) or
``insurgency.attack.deaths:jnim:mali`` (how deadly, if it does). The uniform a decision gets in
week ``w`` of run ``r`` is read from numpy's counter-based Philox generator keyed by the run
seed and the slot's name, at position ``r * stride + w`` of the slot's stream. So the number
depends on (seed, run, week, decision) and nothing else: not on how many runs are stepped
together, how a batch is chunked, the worker count or the executor, nor on which other decisions
exist or fired. A counterfactual then changes only the decisions it really changes, which is what
``compare`` and the sensitivity indices rely on.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

SLOT_NAMESPACE = 0x5A4E_5345  # a fixed word mixed into every key, so these streams are the model's own


class Decisions:
    """The uniforms of named decision slots for runs ``first .. first + replicates - 1`` over ``weeks`` weeks.

    A rule asks once, when the model is built, for the block of its slots: a (replicates, slots,
    stride) array holding every week of the period, so each step reads its uniforms with one slice.
    """

    def __init__(self, seed: int, first: int, replicates: int, weeks: int) -> None:
        """Lay out each run's stream: ``stride`` numbers per run, a multiple of Philox's four per counter."""
        self.first, self.replicates = first, replicates
        self.stride = -(-weeks // 4) * 4
        self._entropy = np.random.SeedSequence(seed, spawn_key=(SLOT_NAMESPACE,)).generate_state(1, np.uint64)[0]

    def stream(self, name: str) -> np.ndarray:
        """The (replicates, stride) uniforms of one slot: week ``w`` of run ``first + r`` at ``[r, w]``."""
        key = np.array([self._entropy, zlib.crc32(name.encode("utf-8"))], dtype=np.uint64)
        counter = np.array([self.first * self.stride // 4, 0, 0, 0], dtype=np.uint64)  # skip earlier runs' blocks
        return np.random.Generator(np.random.Philox(key=key, counter=counter)).random((self.replicates, self.stride))

    def block(self, names: Sequence[str]) -> np.ndarray:
        """The uniforms of several slots: a (replicates, len(names), stride) array."""
        if not names:
            return np.empty((self.replicates, 0, self.stride))
        return np.stack([self.stream(name) for name in names], axis=1)
