"""Exact and near duplicate lookups over the cluster state (URL, content hash, MinHash LSH)."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping, Sequence
from typing import Any

import numpy as np


def url_key(canonical_url: str) -> str:
    """State key of a canonical URL.

    Args:
        canonical_url: the article's canonical URL.
    """
    return f"url:{canonical_url}"


def hash_key(content_hash: str) -> str:
    """State key of a normalized-content hash.

    Args:
        content_hash: the article's content hash.
    """
    return f"hash:{content_hash}"


def band_keys(minhash: Sequence[int], *, bands: int) -> list[str]:
    """LSH band keys of a MinHash signature: one key per band of len(minhash) // bands rows.

    Args:
        minhash: the signature (datasketch hash values, then the shingle count).
        bands: number of bands.
    """
    rows = (len(minhash) - 1) // bands
    values = np.asarray(minhash[:-1], dtype=np.uint64)
    keys = []
    for band in range(bands):
        chunk = values[band * rows : (band + 1) * rows].tobytes()
        keys.append(f"lsh:{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


def jaccard_estimate(left: Sequence[int], right: Sequence[int]) -> float:
    """MinHash estimate of the Jaccard similarity of two shingle sets.

    Args:
        left: one signature (hash values, then the shingle count).
        right: another signature of the same length and seed.
    """
    if len(left) < 2 or len(left) != len(right):
        return 0.0
    same = np.count_nonzero(
        np.asarray(left[:-1], dtype=np.uint64) == np.asarray(right[:-1], dtype=np.uint64)
    )
    return float(same) / (len(left) - 1)


def resemblance(left: Sequence[int], right: Sequence[int]) -> float:
    """Estimated share of the smaller shingle set found in the larger one (overlap coefficient).

    A trimmed or padded copy keeps most of its shingles even when Jaccard drops.

    Args:
        left: one signature (hash values, then the shingle count).
        right: another signature.
    """
    jaccard = jaccard_estimate(left, right)
    if not jaccard:
        return 0.0
    sizes = (max(int(left[-1]), 1), max(int(right[-1]), 1))
    shared = jaccard / (1 + jaccard) * (sizes[0] + sizes[1])
    return min(1.0, max(jaccard, shared / min(sizes)))


def exact_duplicate(
    article: dict[str, Any], state: MutableMapping[str, Any]
) -> tuple[str, str] | None:
    """The earlier article with the same canonical URL, else the same content hash.

    Returns (article_id, kind) with kind "url" or "content", or None.

    Args:
        article: the article (`article_id`, `canonical_url`, `content_hash`).
        state: the cluster state.
    """
    own = article["article_id"]
    for kind, key in (
        ("url", url_key(str(article.get("canonical_url") or ""))),
        ("content", hash_key(str(article.get("content_hash") or ""))),
    ):
        if key.endswith(":"):
            continue
        found = state.get(key)
        if found is not None and found != own:
            return str(found), kind
    return None


def near_duplicate(
    minhash: Sequence[int],
    state: MutableMapping[str, Any],
    *,
    bands: int,
    threshold: float,
) -> tuple[str, float] | None:
    """The most similar earlier article whose estimated resemblance reaches threshold.

    Returns (article_id, similarity) or None.

    Args:
        minhash: the article's signature.
        state: the cluster state (band keys -> article ids, `art:` records with signatures).
        bands: number of LSH bands.
        threshold: minimal estimated resemblance (overlap coefficient).
    """
    candidates: dict[str, None] = {}
    for key in band_keys(minhash, bands=bands):
        for article_id in state.get(key) or ():
            candidates[article_id] = None
    best: tuple[str, float] | None = None
    for article_id in candidates:
        record = state.get(f"art:{article_id}")
        if record is None:
            continue
        similarity = resemblance(minhash, record.get("minhash") or [])
        if similarity >= threshold and (best is None or similarity > best[1]):
            best = (article_id, similarity)
    return best


def register(
    article: dict[str, Any],
    minhash: Sequence[int] | None,
    state: MutableMapping[str, Any],
    *,
    bands: int,
) -> list[str]:
    """Index an article under its URL, content hash and (if given) LSH bands.

    Returns the keys written, so eviction can undo them.

    Args:
        article: the article.
        minhash: its signature, or None for exact duplicates (their original is indexed).
        state: the cluster state.
        bands: number of LSH bands.
    """
    own = article["article_id"]
    keys = []
    for key in (
        url_key(str(article.get("canonical_url") or "")),
        hash_key(str(article.get("content_hash") or "")),
    ):
        if not key.endswith(":") and key not in state:
            state[key] = own
            keys.append(key)
    for key in band_keys(minhash, bands=bands) if minhash else []:
        state[key] = [*(state.get(key) or []), own]
        keys.append(key)
    return keys


def unregister(article_id: str, keys: Sequence[str], state: MutableMapping[str, Any]) -> None:
    """Remove an article from the keys `register` wrote for it.

    Args:
        article_id: the article.
        keys: the keys returned by `register`.
        state: the cluster state.
    """
    for key in keys:
        value = state.get(key)
        if value == article_id:
            del state[key]
        elif isinstance(value, list) and article_id in value:
            rest = [v for v in value if v != article_id]
            if rest:
                state[key] = rest
            else:
                del state[key]
