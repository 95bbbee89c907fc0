"""Keep CPython's cyclic garbage collector off the clustering stage's long-lived heap."""

from __future__ import annotations

import gc
from collections.abc import Callable


class HeapKeeper:
    """Moves what survives into the collector's permanent generation every `every` batches.

    A full collection walks every tracked object: with 100k live events (the index, and a
    dict state) that is ~1.2 s in which the stage does nothing, once every few thousand
    articles. Frozen objects are still freed by reference counting, and collections skip
    them; so each freeze first collects what is not frozen yet (what arrived since the last
    freeze: cheap), and no cycle that is garbage by then is frozen.

    Args:
        every: batches between two freezes.
        young: the generation collected after every batch, for a process that runs with
            automatic collection off (None: leave collection to the thresholds).
        collect: the collection of the unfrozen generations (injected for tests).
        freeze: the freeze (injected for tests).
    """

    def __init__(
        self,
        *,
        every: int = 100,
        young: int | None = None,
        collect: Callable[[int], object] = gc.collect,
        freeze: Callable[[], None] = gc.freeze,
    ) -> None:
        self.every = every
        self.young = young
        self.batches = 0
        self.freezes = 0
        self._collect = collect
        self._freeze = freeze

    def settle(self) -> None:
        """Collect what is not frozen yet, then freeze every surviving object."""
        self._collect(2)
        self._freeze()
        self.freezes += 1

    def batch_done(self) -> None:
        """Count a batch; collect its young generations when asked to, and settle the heap
        every `every` batches."""
        self.batches += 1
        if self.batches % self.every == 0:
            self.settle()
        elif self.young is not None:
            self._collect(self.young)
