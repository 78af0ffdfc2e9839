"""Event identity and seeds: one luminosity block = one fixed-size block of events = one seed.

Event ``k`` (0-based, over the whole request) is ``event = k + 1`` in luminosity block
``k // events_per_lumi + 1``. Every block gets its own Pythia instance, seeded from
``(seed, block)`` alone, so the content of a block does not depend on which job generated it
nor on how many jobs there were.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PYTHIA_SEED_MAX", "LumiBlock", "lumi_blocks", "stream_seed"]

PYTHIA_SEED_MAX = 900_000_000  # Random:seed accepts 1 .. 900,000,000

# Independent random streams of one block.
STREAM_PYTHIA = 0
STREAM_PILEUP = 1


@dataclass(frozen=True)
class LumiBlock:
    """A block of consecutive events sharing one luminosity block number and one seed.

    Attributes:
        index: 0-based block number; ``luminosityBlock = index + 1``.
        first_event: 0-based index of the block's first event; ``event = first_event + 1 + i``.
        events: number of events in the block (the last block may be shorter).
    """

    index: int
    first_event: int
    events: int

    @property
    def luminosity_block(self) -> int:
        return self.index + 1


def lumi_blocks(events: int, events_per_lumi: int) -> list[LumiBlock]:
    """Split ``events`` into blocks of ``events_per_lumi`` (the last one takes the remainder)."""
    return [
        LumiBlock(i, start, min(events_per_lumi, events - start))
        for i, start in enumerate(range(0, events, events_per_lumi))
    ]


def stream_seed(seed: int, block: int, stream: int) -> int:
    """A seed in [1, PYTHIA_SEED_MAX] for one (seed, block, stream), via numpy's SeedSequence.

    SeedSequence hashes its inputs, so neighbouring seeds or blocks give unrelated streams.
    """
    import numpy as np

    state = np.random.SeedSequence(seed, spawn_key=(block, stream)).generate_state(1)[0]
    return int(state) % PYTHIA_SEED_MAX + 1
