"""In-memory lookup structures derived from the cluster state, kept in step by the clusterer.

The state's `art:` records (decision, origin, sequence number, owned URL and content hash,
MinHash, the index keys the article posted its event under) and `ev:` records (expiry hour)
are the source of truth. Everything here follows from them, so a worker rebuilds it with
`CandidateIndex.from_state` after a restart or a rebalance instead of writing every posting to
the table's changelog.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from pipeline.eviction import META_KEY

# Odd 64-bit multipliers (golden-ratio and xxhash primes) that mix a band's rows into one key.
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5]
    + [0x85EBCA77C2B2AE63 + 2 * i for i in range(60)],
    dtype=np.uint64,
)


def band_chunks(minhash: Sequence[int], *, bands: int) -> list[int]:
    """The LSH band keys of a MinHash signature: each band's rows mixed into a 64-bit int.

    Equal bands give equal keys; two different bands share a key with odds of about 2**-64
    (a shared key only makes a candidate, which the resemblance check then scores).

    Args:
        minhash: the signature (hash values, then the shingle count).
        bands: number of bands.
    """
    rows = (len(minhash) - 1) // bands
    values = np.asarray(minhash[: bands * rows], dtype=np.uint64).reshape(bands, rows)
    mixed = np.bitwise_xor.reduce(values * _MIX[:rows], axis=1)
    mixed ^= mixed >> np.uint64(31)
    mixed *= np.uint64(0x94D049BB133111EB)
    mixed ^= mixed >> np.uint64(29)
    keys: list[int] = mixed.tolist()
    return keys


class CandidateIndex:
    """Owners of URLs and content hashes, LSH band postings, event postings by index key,
    events by expiry hour, and a memo of big events' summaries.

    Args:
        bands: LSH bands (`ClusterConfig.lsh_bands`); a rebuilt index must use the same.
    """

    def __init__(self, *, bands: int) -> None:
        self.bands = bands
        self.urls: dict[str, str] = {}
        self.hashes: dict[str, str] = {}
        # per band: key -> the article id, or the ids in order when several share it (compact:
        # these are 32 entries per live article)
        self.lsh: list[dict[int, str | list[str]]] = [{} for _ in range(bands)]
        # key -> event slots in posting order (compact, and read by numpy without copying)
        self.postings: dict[str, array[int]] = {}
        self.event_keys: dict[str, dict[str, None]] = {}  # event -> its keys (ordered set)
        self.slots: dict[str, int] = {}
        self.slot_events: list[str] = []
        self.free_slots: list[int] = []
        self.scratch = np.zeros(0)  # per-slot sums, all zero between calls
        self.due: dict[int, dict[str, None]] = {}
        self.horizon = 0  # first expiry hour eviction has not walked yet
        self.summaries: dict[str, Any] = {}  # big events' summaries (`build_event`'s memo)
        self.next_seq = 0

    @classmethod
    def from_state(cls, state: Mapping[str, Any], *, bands: int) -> CandidateIndex:
        """Rebuild the index from a state's records, replaying articles in sequence order.

        Args:
            state: the cluster state (a dict or a Faust table).
            bands: LSH bands.
        """
        index = cls(bands=bands)
        articles = []
        for key, value in state.items():
            if key.startswith("art:"):
                articles.append((int(value.get("seq", 0)), key[4:], value))
            elif key.startswith("ev:") and "bucket" in value:
                index.due.setdefault(int(value["bucket"]), {})[key[3:]] = None
        index.horizon = int((state.get(META_KEY) or {}).get("next", 0))
        articles.sort(key=lambda row: row[0])
        for _, article_id, record in articles:
            index.add_article(article_id, record)
        return index

    def add_article(self, article_id: str, record: Mapping[str, Any]) -> None:
        """Index an article's `art:` record: its URL, hash, bands and its event's new keys.

        Args:
            article_id: the article.
            record: its state record (`url`, `hash` when it owns them, `minhash`, `ix`).
        """
        if record.get("url"):
            self.urls[record["url"]] = article_id
        if record.get("hash"):
            self.hashes[record["hash"]] = article_id
        if record.get("minhash"):
            for band, chunk in zip(self.lsh, self._chunks(record), strict=True):
                held = band.get(chunk)
                if held is None:
                    band[chunk] = article_id
                elif isinstance(held, str):
                    band[chunk] = [held, article_id]
                else:
                    held.append(article_id)
        if record.get("ix"):
            self._post(record["event_id"], record["ix"])
        self.next_seq = max(self.next_seq, int(record.get("seq", 0)) + 1)

    def remove_article(self, article_id: str, record: Mapping[str, Any]) -> None:
        """Undo `add_article`'s URL, hash and band entries (postings go with the event).

        Args:
            article_id: the article.
            record: its state record.
        """
        if self.urls.get(record.get("url") or "") == article_id:
            del self.urls[record["url"]]
        if self.hashes.get(record.get("hash") or "") == article_id:
            del self.hashes[record["hash"]]
        if record.get("minhash"):
            for band, chunk in zip(self.lsh, self._chunks(record), strict=True):
                held = band.get(chunk)
                if held == article_id:
                    del band[chunk]
                elif isinstance(held, list) and article_id in held:
                    held.remove(article_id)
                    if len(held) == 1:
                        band[chunk] = held[0]

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

    def top_events(
        self, weighted: Sequence[tuple[str, float]], *, cap: int, limit: int
    ) -> list[str]:
        """Events by the summed weights of the keys they are posted under, best first.

        Only the `cap` most recent events of each key count; ties keep every event at the
        `limit`-th best sum and then order by id (the sums add in key order, as a loop would).

        Args:
            weighted: (index key, weight) pairs.
            cap: recent events read per key.
            limit: most events returned.
        """
        chunks, weights = [], []
        for key, weight in weighted:
            posting = self.postings.get(key)
            if posting:
                chunks.append(np.frombuffer(posting[-cap:], dtype=np.int64))
                weights.append(weight)
        if not chunks:
            return []
        slots = np.concatenate(chunks)
        if len(self.scratch) < len(self.slot_events):
            self.scratch = np.zeros(2 * len(self.slot_events))
        np.add.at(self.scratch, slots, np.repeat(weights, [len(c) for c in chunks]))
        sums = self.scratch[slots]
        self.scratch[slots] = 0.0
        # An event has at most one entry per key: the best `limit` events lie among the best
        # limit * len(chunks) entries.
        room = limit * len(chunks)
        if len(sums) > room:
            picked = sums >= np.partition(sums, len(sums) - room)[len(sums) - room]
            slots, sums = slots[picked], sums[picked]
        best = dict(zip(slots.tolist(), sums.tolist(), strict=True))
        if len(best) > limit:
            cutoff = heapq.nlargest(limit, best.values())[-1]
            best = {slot: value for slot, value in best.items() if value >= cutoff}
        ranked = sorted((-value, self.slot_events[slot]) for slot, value in best.items())
        return [event_id for _, event_id in ranked[:limit]]

    def near_candidates(self, minhash: Sequence[int]) -> list[str]:
        """Articles sharing at least one LSH band with a signature, in band order.

        Args:
            minhash: the signature.
        """
        found: dict[str, None] = {}
        for band, chunk in zip(self.lsh, band_chunks(minhash, bands=self.bands), strict=True):
            held = band.get(chunk)
            if held is not None:
                found.update(dict.fromkeys([held] if isinstance(held, str) else held))
        return list(found)

    def reschedule(self, event_id: str, old: int, hour: int) -> None:
        """Move an event from its old expiry hour to a later one.

        Args:
            event_id: the event.
            old: its previous hour (-1 for none).
            hour: the new hour.
        """
        self.due.get(old, {}).pop(event_id, None)
        self.due.setdefault(hour, {})[event_id] = None

    def drop_event(self, event_id: str) -> None:
        """Remove an evicted event from its postings.

        Args:
            event_id: the event.
        """
        self.summaries.pop(event_id, None)
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

    def _chunks(self, record: Mapping[str, Any]) -> list[int]:
        return band_chunks(record["minhash"], bands=self.bands)

    def _post(self, event_id: str, keys: Sequence[str]) -> None:
        """Append the event under keys it is not posted under yet (`new_keys`)."""
        slot = self.slots.get(event_id)
        if slot is None:
            slot = self.free_slots.pop() if self.free_slots else len(self.slot_events)
            if slot == len(self.slot_events):
                self.slot_events.append(event_id)
            self.slot_events[slot] = event_id
            self.slots[event_id] = slot
        for key in keys:
            posting = self.postings.get(key)
            if posting is None:
                posting = self.postings[key] = array("q")
            posting.append(slot)
        self.event_keys.setdefault(event_id, {}).update(dict.fromkeys(keys))
