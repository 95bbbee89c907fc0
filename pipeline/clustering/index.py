"""In-memory lookup structures derived from the cluster state, kept in step by the clusterer.

The state's `art:` records (decision, origin, sequence number, owned URL and content hash,
MinHash, the index keys the article posted its event under) and `ev:` records (expiry hour)
are the source of truth. Everything here follows from them, so a worker rebuilds it with
`CandidateIndex.from_state` after a restart or a rebalance instead of writing every posting to
the table's changelog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from pipeline.clustering.keys import (
    ARTICLE_PREFIX,
    EVENT_PREFIX,
    META_KEY,
    is_article_key,
    is_event_key,
)
from pipeline.clustering.postings import EventPostings

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
        self.events = EventPostings()
        self.due: dict[int, dict[str, None]] = {}
        self.horizon = 0  # first expiry hour eviction has not walked yet
        self.summaries: dict[str, Any] = {}  # big events' summaries (`build_event`'s memo)
        self.next_seq = 0
        self._last_bands: tuple[Sequence[int], list[int]] | None = None

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
            if is_article_key(key):
                articles.append((int(value.get("seq", 0)), key[len(ARTICLE_PREFIX) :], value))
            elif is_event_key(key) and "bucket" in value:
                index.due.setdefault(int(value["bucket"]), {})[key[len(EVENT_PREFIX) :]] = None
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
            self.events.post(record["event_id"], record["ix"])
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

    def near_candidates(self, minhash: Sequence[int]) -> list[str]:
        """Articles sharing at least one LSH band with a signature, in band order.

        Args:
            minhash: the signature.
        """
        found: dict[str, None] = {}
        for band, chunk in zip(self.lsh, self._band_keys(minhash), strict=True):
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
        """Remove an evicted event from its postings and the summary memo.

        Args:
            event_id: the event.
        """
        self.summaries.pop(event_id, None)
        self.events.drop(event_id)

    def _chunks(self, record: Mapping[str, Any]) -> list[int]:
        return self._band_keys(record["minhash"])

    def _band_keys(self, minhash: Sequence[int]) -> list[int]:
        # The near-duplicate lookup and the indexing of the same article share one signature.
        last = self._last_bands
        if last is None or last[0] is not minhash:
            last = self._last_bands = (minhash, band_chunks(minhash, bands=self.bands))
        return last[1]
