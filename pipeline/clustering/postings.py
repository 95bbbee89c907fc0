"""Live events posted under index keys, and the retrieval of the best-matching ones."""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Sequence

import numpy as np


def order_key(event_id: str) -> int:
    """A 64-bit number that orders like the id: its first 8 UTF-8 bytes, big-endian (UTF-8
    bytes compare like code points; ids that share them are told apart by the full id).

    Args:
        event_id: an event id.
    """
    return int.from_bytes(event_id.encode()[:8].ljust(8, b"\0"), "big")


class EventPostings:
    """Events in numbered slots, each key's slots in posting order, and each event's keys."""

    def __init__(self) -> None:
        # key -> event slots in posting order (compact, and read by numpy without copying)
        self.postings: dict[str, array[int]] = {}
        self.event_keys: dict[str, dict[str, None]] = {}  # event -> its keys (ordered set)
        self.slots: dict[str, int] = {}
        self.slot_events: list[str] = []
        self.slot_order = np.zeros(0, dtype=np.uint64)  # slot -> `order_key` of its event
        self.slot_sums = np.zeros(0)  # scratch for `top`, all zero between calls
        self.free_slots: list[int] = []

    def new_keys(self, event_id: str, keys: Iterable[str]) -> list[str]:
        """The keys (in order, once each) that the event is not yet posted under.

        Args:
            event_id: the event.
            keys: an article's index keys.
        """
        known = self.event_keys.get(event_id, {})
        return [key for key in dict.fromkeys(keys) if key not in known]

    def posted(self, key: str) -> list[str]:
        """The events posted under a key, oldest first.

        Args:
            key: an index key.
        """
        return [self.slot_events[slot] for slot in self.postings.get(key, ())]

    def post(self, event_id: str, keys: Sequence[str]) -> None:
        """Append the event under keys it is not posted under yet (`new_keys`).

        Args:
            event_id: the event.
            keys: its new keys.
        """
        slot = self.slots.get(event_id)
        if slot is None:
            slot = self._new_slot(event_id)
        for key in keys:
            posting = self.postings.get(key)
            if posting is None:
                posting = self.postings[key] = array("q")
            posting.append(slot)
        self.event_keys.setdefault(event_id, {}).update(dict.fromkeys(keys))

    def drop(self, event_id: str) -> None:
        """Remove an event from its postings and free its slot.

        Args:
            event_id: the event.
        """
        slot = self.slots.pop(event_id, None)
        if slot is None:
            return
        for key in self.event_keys.pop(event_id, ()):
            posting = self.postings.get(key)
            if posting is not None:
                posting.remove(slot)
                if not posting:
                    del self.postings[key]
        self.slot_events[slot] = ""
        self.free_slots.append(slot)

    def top(self, weighted: Sequence[tuple[str, float]], *, cap: int, limit: int) -> list[str]:
        """Events by the summed weights of the keys they are posted under, best first.

        Only the `cap` most recent events of each key count; ties at the `limit`-th best sum
        go by event id (the sums add in key order, as a loop would).

        Args:
            weighted: (index key, weight) pairs.
            cap: recent events read per key.
            limit: most events returned.
        """
        get = self.postings.get
        found = [(posting, weight) for key, weight in weighted if (posting := get(key))]
        if not found:
            return []
        chunks = [posting[-cap:] for posting, _ in found]
        slots = np.frombuffer(b"".join(chunks), dtype=np.int64)
        # add.at adds in array order, i.e. in key order: the sums a loop over keys would give.
        # The scratch array is as long as the slot table: no fresh array per call.
        weights = np.repeat([weight for _, weight in found], [len(chunk) for chunk in chunks])
        np.add.at(self.slot_sums, slots, weights)
        sums = self.slot_sums[slots]
        self.slot_sums[slots] = 0.0
        # Every entry of an event carries its sum, and an event has at most one entry per key:
        # the best `limit` events lie among the best limit * len(chunks) entries.
        # A stable sort is fast here: each key's entries form runs of equal sums.
        top = np.argsort(-sums, kind="stable")[: limit * len(chunks)]
        best: dict[int, float] = {}
        for slot, value in zip(slots[top].tolist(), sums[top].tolist(), strict=True):
            if len(best) == limit:
                break
            best.setdefault(slot, value)
        if len(best) < limit:  # every entry was read: no other event competes
            return [e for _, e in sorted((-v, self.slot_events[s]) for s, v in best.items())]
        cutoff = min(best.values())
        above = sorted((-v, self.slot_events[s]) for s, v in best.items() if v > cutoff)
        # Events tying the cutoff may lie outside `best`: all of them compete by id.
        tied = self._smallest_ids(slots[sums == cutoff], limit - len(above))
        return [e for _, e in above] + tied

    def _smallest_ids(self, slots: np.ndarray, count: int) -> list[str]:
        """The `count` smallest event ids among (repeated) slots: numpy narrows the distinct
        slots by id order (64-bit prefixes, ties kept), full ids decide."""
        slots = np.unique(slots)
        if len(slots) > count:
            keys = self.slot_order[slots]
            slots = slots[keys <= np.partition(keys, count - 1)[count - 1]]
        return heapq.nsmallest(count, [self.slot_events[s] for s in slots.tolist()])

    def _new_slot(self, event_id: str) -> int:
        slot = self.free_slots.pop() if self.free_slots else len(self.slot_events)
        if slot == len(self.slot_events):
            self.slot_events.append(event_id)
            if slot >= len(self.slot_order):  # grow by doubling: amortised O(1) per event
                grown = np.zeros(max(1024, 2 * len(self.slot_order)), dtype=np.uint64)
                grown[: len(self.slot_order)] = self.slot_order
                self.slot_order = grown
                self.slot_sums = np.zeros(len(grown))
        self.slot_events[slot] = event_id
        self.slot_order[slot] = order_key(event_id)
        self.slots[event_id] = slot
        return slot
