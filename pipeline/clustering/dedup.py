"""Exact and near duplicate lookups (URL, content hash, MinHash LSH) via the `CandidateIndex`."""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.keys import article_key


def jaccard_estimate(left: Sequence[int], right: Sequence[int]) -> float:
    """MinHash estimate of the Jaccard similarity of two shingle sets.

    Args:
        left: one signature (hash values, then the shingle count).
        right: another signature of the same length and seed.
    """
    if len(left) < 2 or len(left) != len(right):
        return 0.0
    # Plain ints compared in C: twice as fast as converting both lists to numpy first.
    same: int = sum(map(operator.eq, left[:-1], right[:-1]))
    return same / (len(left) - 1)


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


def exact_duplicate(article: dict[str, Any], index: CandidateIndex) -> tuple[str, str] | None:
    """The earlier article with the same canonical URL, else the same content hash.

    Returns (article_id, kind) with kind "url" or "content", or None.

    Args:
        article: the article (`article_id`, `canonical_url`, `content_hash`).
        index: the state's derived index (owners of URLs and hashes).
    """
    own = article["article_id"]
    for kind, owners, value in (
        ("url", index.urls, article.get("canonical_url")),
        ("content", index.hashes, article.get("content_hash")),
    ):
        found = owners.get(str(value or "")) if value else None
        if found is not None and found != own:
            return found, kind
    return None


def owned_keys(article: dict[str, Any], index: CandidateIndex) -> dict[str, str]:
    """The URL and content hash an article becomes the owner of (the first article wins).

    Args:
        article: the article.
        index: the state's derived index.
    """
    owned = {}
    for field, owners, value in (
        ("url", index.urls, article.get("canonical_url")),
        ("hash", index.hashes, article.get("content_hash")),
    ):
        if value and str(value) not in owners:
            owned[field] = str(value)
    return owned


def near_duplicate(
    minhash: Sequence[int],
    state: Mapping[str, Any],
    index: CandidateIndex,
    *,
    threshold: float,
) -> tuple[str, float] | None:
    """The most similar earlier article whose estimated resemblance reaches threshold.

    Returns (article_id, similarity) or None.

    Args:
        minhash: the article's signature.
        state: the cluster state (`art:` records with signatures).
        index: the state's derived index (LSH bands).
        threshold: minimal estimated resemblance (overlap coefficient).
    """
    best: tuple[str, float] | None = None
    for article_id in index.near_candidates(minhash):
        record = state.get(article_key(article_id))
        if record is None:
            continue
        similarity = resemblance(minhash, record.get("minhash") or [])
        if similarity >= threshold and (best is None or similarity > best[1]):
            best = (article_id, similarity)
    return best
