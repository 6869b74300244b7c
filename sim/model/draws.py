"""Common random numbers: every decision of every run draws its own, fixed uniform number.

A *decision* is a fixed slot of the weekly step, named by what decides and about whom: e.g.
``insurgency.attack:jnim:mali`` (does JNIM attack in Mali this week?) or
``insurgency.deaths:jnim:mali`` (how deadly, if it does). Each slot has its own stream: numpy's
counter-based Philox generator keyed by the run seed's entropy and a checksum of the slot's name.
The uniform a decision gets in week ``w`` of run ``r`` is the stream's number at position
``r * stride + w``, reached by setting Philox's counter rather than by drawing the numbers before it. So the number
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
    """The uniforms of named decision slots for the ensemble's runs (a run index per replicate) over ``weeks`` weeks.

    A rule asks once, when the model is built, for the block of its slots, holding every week of the
    period, so each step reads its uniforms with one slice (see :meth:`block`).
    """

    def __init__(self, seed: int, runs: np.ndarray, weeks: int) -> None:
        """Lay out each slot's stream: ``stride`` numbers per run, filling whole Philox counters.

        The uniforms are single precision (24 bits; two per 64-bit output, eight per Philox counter):
        ample for weekly chances and heavy tails alike, at half the memory and time of doubles.
        """
        self.runs = np.asarray(runs, dtype=np.int64)
        self.replicates = len(self.runs)
        # the streams are drawn for each stretch of consecutive run indices (a batch chunk is one; the
        # rows of a sensitivity block, which share their runs, are one run used several times)
        distinct, self._row = np.unique(self.runs, return_inverse=True)
        breaks = np.flatnonzero(np.diff(distinct) != 1) + 1
        self._stretches = [(int(part[0]), len(part)) for part in np.split(distinct, breaks)]
        self.stride = -(-weeks // 8) * 8
        self._entropy = int(np.random.SeedSequence(seed, spawn_key=(SLOT_NAMESPACE,)).generate_state(1, np.uint64)[0])
        self._philox = np.random.Philox(0)  # keyed afresh for each slot (see _fill)
        self._generator = np.random.Generator(self._philox)

    def _fill(self, name: str, out: np.ndarray) -> None:
        """Write one slot's uniforms for the distinct runs, in order, into ``out`` (runs by stride).

        Week ``w`` of run ``i`` is number ``i * stride + w`` of the slot's stream. One Philox
        generator serves every slot, set to the slot's key and counter: the same stream as a new
        generator's, without the seed that building one draws from the system and discards (a
        model of one replicate is built for some 200 slots, and building a generator is most of that).
        """
        key = np.array([self._entropy, zlib.crc32(name.encode("utf-8"))], dtype=np.uint64)
        row = 0
        for first, count in self._stretches:
            counter = np.array([first * self.stride // 8, 0, 0, 0], dtype=np.uint64)  # skip earlier runs' numbers
            self._philox.state = {  # a new generator's state: an empty buffer, no spare 32 bits
                "bit_generator": "Philox",
                "state": {"counter": counter, "key": key},
                "buffer": np.zeros(4, dtype=np.uint64),
                "buffer_pos": 4,
                "has_uint32": 0,
                "uinteger": 0,
            }
            self._generator.random(out=out[row : row + count], dtype=np.float32)
            row += count

    def block(self, names: Sequence[str]) -> np.ndarray:
        """The uniforms of several slots as a (weeks, replicates, slots) view: ``block[w]`` is week ``w``'s draws.

        Each slot's stream is generated straight into its own contiguous (replicates, stride) plane.
        """
        planes = np.empty((len(names), len(self._row) and self._row.max() + 1, self.stride), dtype=np.float32)
        for plane, name in zip(planes, names, strict=True):
            self._fill(name, plane)
        if not np.array_equal(self._row, np.arange(self.replicates)):  # runs repeated or out of order
            planes = planes[:, self._row]
        return planes.transpose(2, 1, 0)
