"""Duplicate detection evaluation on syndicated copies generated at run time."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch
from pipeline.clustering.features import article_features
from pipeline.clustering.index import CandidateIndex

NOW = datetime(2024, 1, 1, tzinfo=UTC)
CITIES = ["LONDON", "NEW YORK", "PARIS", "SYDNEY", "TORONTO", "MUMBAI"]
AGENCIES = ["Wire", "NewsDesk", "Global Press", "Daily Syndicate"]
FOOTERS = [
    "Reporting by staff writers; editing by the news desk.",
    "Copyright 2024 Daily Syndicate. All rights reserved. Not for redistribution.",
    "Follow us for more updates. Sign up for our morning newsletter.",
    "This story has been corrected to fix a spelling error in the fourth paragraph.",
]
SWAPS = {" said ": " says ", " about ": " around ", " but ": " yet ", " also ": " additionally "}


def _hex24(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def make_article(url: str, title: str, text: str, *, source: str) -> dict[str, Any]:
    """A normalized-article dict (content hash over lower-cased, whitespace-folded text).

    Args:
        url: canonical URL.
        title: headline.
        text: body.
        source: source name.
    """
    folded = " ".join(text.split()).lower()
    return {
        "article_id": _hex24(url),
        "url": url,
        "canonical_url": url,
        "source": source,
        "title": title,
        "text": text,
        "published_at": None,
        "ingested_at": NOW.isoformat(),
        "content_hash": _hex24(folded),
        "entities": [],
        "topics": [],
    }


def syndicate(title: str, text: str, rng: random.Random) -> tuple[str, str, list[str]]:
    """A syndicated copy: 1-3 realistic edits (headline, trim, boilerplate, wording, spacing).

    Args:
        title: original headline.
        text: original body (paragraphs separated by blank lines).
        rng: random source.
    """
    edits = rng.sample(
        ["headline", "trim", "dateline", "footer", "wording", "spacing"], rng.randint(1, 3)
    )
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if "headline" in edits:
        title = rng.choice(["UPDATE 1-", "WRAPUP: ", "Analysis: ", ""]) + title.upper()
    if "trim" in edits:
        # Wire paragraphs are a sentence or two; BBC blocks are longer, so trim sentences.
        sentences = re.split(r"(?<=[.!?])\s+", paragraphs[-1])
        keep = max(1, len(sentences) - rng.randint(1, 2))
        paragraphs[-1] = " ".join(sentences[:keep])
    if "dateline" in edits:
        city, agency = rng.choice(CITIES), rng.choice(AGENCIES)
        paragraphs[0] = f"{city} ({agency}) - {paragraphs[0]}"
    if "footer" in edits:
        paragraphs.append(rng.choice(FOOTERS))
    body = "\n\n".join(paragraphs)
    if "wording" in edits:
        for old, new in SWAPS.items():
            body = body.replace(old, new, 1)
    if "spacing" in edits:
        body = body.replace(". ", ".  ").replace("'", "\u2019")
    return title, body, edits


def build_set(
    base: Sequence[tuple[str, str]],
    negatives: Sequence[tuple[str, str]],
    *,
    seed: int,
    copies: int = 2,
) -> list[tuple[dict[str, Any], str]]:
    """Originals, their syndicated and exact copies, and unrelated articles; (article, group).

    Args:
        base: (title, text) originals that get copies.
        negatives: (title, text) unrelated articles (other stories, some on the same events).
        seed: random seed.
        copies: syndicated copies per original.
    """
    rng = random.Random(seed)
    items: list[tuple[dict[str, Any], str]] = []
    for index, (title, text) in enumerate(base):
        group = f"g{index}"
        url = f"https://origin.example/{index}"
        items.append((make_article(url, title, text, source="origin"), group))
        for copy in range(copies):
            new_title, body, _ = syndicate(title, text, rng)
            copy_url = f"https://partner{copy}.example/story/{index}?utm_source=feed"
            items.append((make_article(copy_url, new_title, body, source=f"partner{copy}"), group))
        if index % 5 == 0:
            items.append(
                (
                    make_article(f"https://mirror.example/{index}", title, text, source="mirror"),
                    group,
                )
            )
        if index % 7 == 0:
            items.append((make_article(url, title, text, source="origin"), group))
    for index, (title, text) in enumerate(negatives):
        items.append(
            (
                make_article(f"https://other.example/{index}", title, text, source="other"),
                f"n{index}",
            )
        )
    rng.shuffle(items)
    return items


def evaluate(
    items: Sequence[tuple[dict[str, Any], str]], *, config: ClusterConfig, batch_size: int = 16
) -> dict[str, Any]:
    """Run the items through `cluster_batch` and score `duplicate_of` against the groups.

    Args:
        items: (article, group) in stream order.
        config: clusterer configuration.
        batch_size: articles per `cluster_batch` call.
    """
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=config.lsh_bands)
    group_of: dict[str, str] = {}
    seen_groups: set[str] = set()
    counts = {"tp": 0, "fp": 0, "fn": 0, "expected": 0, "exact_expected": 0, "exact_found": 0}
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        batch = []
        for article, _ in chunk:
            enriched = dict(article)
            enriched["features"] = article_features(enriched)
            batch.append(enriched)
        decided, _ = cluster_batch(batch, state=state, now=NOW, config=config, index=index)
        for (article, group), result in zip(chunk, decided, strict=True):
            _score(result, group, article, group_of, seen_groups, counts, index)
    predicted = counts["tp"] + counts["fp"]
    return {
        "near_dup_precision": round(counts["tp"] / predicted, 4) if predicted else 0.0,
        "near_dup_recall": round(counts["tp"] / counts["expected"], 4)
        if counts["expected"]
        else 0.0,
        "exact_recall": round(counts["exact_found"] / counts["exact_expected"], 4)
        if counts["exact_expected"]
        else 0.0,
        "n_articles": len(items),
        "n_expected_duplicates": counts["expected"],
        "n_predicted_duplicates": predicted,
        "false_positives": counts["fp"],
        "false_negatives": counts["fn"],
    }


def _score(
    result: dict[str, Any],
    group: str,
    article: dict[str, Any],
    group_of: dict[str, str],
    seen_groups: set[str],
    counts: dict[str, int],
    index: CandidateIndex,
) -> None:
    redelivery = article["article_id"] in group_of
    group_of.setdefault(article["article_id"], group)
    expected = group in seen_groups
    seen_groups.add(group)
    if redelivery:
        return
    # An earlier article owns the same content hash: an exact copy was expected.
    exact = index.hashes.get(article["content_hash"]) not in (None, article["article_id"])
    counts["expected"] += expected
    if expected and exact:
        counts["exact_expected"] += 1
        counts["exact_found"] += result["duplicate_kind"] in ("url", "content")
    if result["duplicate_of"] is None:
        counts["fn"] += expected
    elif group_of.get(result["duplicate_of"]) == group:
        counts["tp"] += 1
    else:
        counts["fp"] += 1


def load_sets(
    data: Path, *, seed: int, n_base: int = 400
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Originals and unrelated negatives from BBC News, plus one ECB+ article per event.

    BBC rows with a repeated body or headline are dropped (the set holds known copies); ECB+
    events hold real wire copies, so one article per event is taken: the negatives are other
    stories, many on the same topic.

    Args:
        data: the shared data folder (`bbc_news/`, `ecbplus/`).
        seed: sampling seed.
        n_base: number of originals (the other BBC articles become negatives).
    """
    bodies: dict[str, tuple[str, str]] = {}
    titles: set[str] = set()
    for line in (data / "bbc_news" / "articles.jsonl").read_bytes().splitlines():
        record = orjson.loads(line)
        body = " ".join(record["text"].split()).lower()
        title = record["title"].strip().lower()
        if body not in bodies and title not in titles:
            bodies[body] = (record["title"], record["text"])
            titles.add(title)
    articles = sorted(bodies.values())
    random.Random(seed).shuffle(articles)
    negatives = articles[n_base:]
    ecb = data / "ecbplus" / "articles.jsonl"
    events: dict[str, tuple[str, str]] = {}
    if ecb.exists():
        for line in ecb.read_bytes().splitlines():
            record = orjson.loads(line)
            events.setdefault(str(record["cluster_id"]), (record["title"], record["text"]))
    return articles[:n_base], negatives + sorted(events.values())
