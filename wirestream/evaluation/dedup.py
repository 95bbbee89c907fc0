"""Duplicate detection, measured: copy-edited copies of real articles streamed with their
originals, and real same-event article pairs read and labelled by hand.

Every article goes the production way: a raw message through `normalize_batch` (the content
hash and clean text the worker computes), `article_features`, then `decide_batch` on a state
with its `CandidateIndex`. Entities are left empty: the duplicate decisions do not read them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import decide_batch
from pipeline.clustering.features import article_features, words
from pipeline.clustering.index import CandidateIndex
from pipeline.records import Incoming
from pipeline.text.normalize import normalize_batch
from wirestream.evaluation.copyedit import EDITS

NOW = datetime(2024, 1, 1, tzinfo=UTC)
KINDS = tuple(EDITS)


@dataclass(frozen=True)
class Item:
    """One raw article of a stream, the story it tells (`group`) and how it was made."""

    raw: dict[str, Any]
    group: str
    kind: str  # "original", or an edit kind of `copyedit.EDITS`


def prepare(raws: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Raw articles normalized as the worker does, with clustering features.

    Args:
        raws: raw records (`url`, `title`, `body`, `source`).
    """
    messages = [
        Incoming(orjson.dumps(raw), "news.raw.v1", 0, offset) for offset, raw in enumerate(raws)
    ]
    articles, rejected = normalize_batch(messages, now=NOW, detect_language=lambda _: "en")
    if rejected:
        raise ValueError(f"evaluation article rejected: {rejected[0]['reason']}")
    prepared = []
    for article in articles:
        enriched = {**article, "entities": [], "topics": []}
        enriched["features"] = article_features(enriched)
        prepared.append(enriched)
    return prepared


def decide(
    articles: Sequence[dict[str, Any]], *, config: ClusterConfig, batch_size: int = 16
) -> list[dict[str, Any]]:
    """The decided articles of one stream through `decide_batch` on a fresh state.

    Args:
        articles: prepared articles in stream order.
        config: clusterer configuration.
        batch_size: articles per batch.
    """
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=config.lsh_bands)
    decided: list[dict[str, Any]] = []
    for start in range(0, len(articles), batch_size):
        batch = [dict(a) for a in articles[start : start + batch_size]]
        done, _ = decide_batch(batch, state=state, now=NOW, config=config, index=index)
        decided += done
    return decided


def build_stream(originals: Sequence[tuple[str, str]], *, seed: int) -> list[Item]:
    """Each original and one copy of it, edit kinds taken in turn; shuffled, each original
    before its copy (the originals are distinct stories: each is a negative for the others).

    Args:
        originals: (title, text) of distinct stories.
        seed: shuffle and edit seed.
    """
    rng = random.Random(seed)
    items: list[Item] = []
    for index, (title, text) in enumerate(originals):
        group = f"g{index}"
        raw = {"url": f"https://origin.example/{index}", "title": title, "body": text}
        items.append(Item({**raw, "source": "origin"}, group, "original"))
        kind = KINDS[index % len(KINDS)]
        new_title, body = EDITS[kind](title, text, random.Random(seed * 100_003 + index))
        copy = {"url": f"https://partner.example/{kind}/{index}?utm_source=feed"}
        items.append(
            Item({**copy, "title": new_title, "body": body, "source": "partner"}, group, kind)
        )
    rng.shuffle(items)
    first: dict[str, int] = {}
    for position, item in enumerate(items):  # put each group's original first
        if item.group in first and item.kind == "original":
            earlier = first[item.group]
            items[earlier], items[position] = items[position], items[earlier]
        first.setdefault(item.group, position)
    return items


def score_stream(items: Sequence[Item], decided: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Recall per edit kind, false positives, and exact recall from the generator's truth.

    Args:
        items: the stream.
        decided: `decide` of its prepared articles, same order.
    """
    group_of = {d["article_id"]: item.group for item, d in zip(items, decided, strict=True)}
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_positives = exact_found = 0
    for item, result in zip(items, decided, strict=True):
        original = result["duplicate_of"]
        if item.kind == "original":
            false_positives += original is not None
            continue
        total[item.kind] += 1
        hit = original is not None and group_of.get(original) == item.group
        false_positives += original is not None and not hit
        found[item.kind] += hit
        if item.kind == "exact":
            exact_found += hit and result["duplicate_kind"] in ("content", "url")
    copies = sum(total.values())
    hits = sum(found.values())
    return {
        "recall_by_kind": {k: round(found[k] / total[k], 4) for k in KINDS if total[k]},
        "copies_by_kind": {k: total[k] for k in KINDS if total[k]},
        "near_dup_recall": round(hits / copies, 4) if copies else 0.0,
        "exact_recall": round(exact_found / total["exact"], 4) if total["exact"] else 0.0,
        "true_positives": hits,
        "false_positives": false_positives,
        "n_articles": len(items),
    }


def load_originals(path: Path, *, seed: int, limit: int | None = None) -> list[tuple[str, str]]:
    """Distinct BBC stories, shuffled: a story whose body shares a third of its 5-word runs
    with an earlier one is left out (the data set holds copies of its own).

    Args:
        path: `bbc_news/articles.jsonl`.
        seed: shuffle seed.
        limit: keep at most this many.
    """
    records = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    owners: set[str] = set()
    kept = []
    for record in sorted(records, key=lambda r: str(r["id"])):
        tokens = words(record["text"])
        shingles = {" ".join(tokens[i : i + 5]) for i in range(max(len(tokens) - 4, 1))}
        if len(shingles & owners) * 3 >= len(shingles):
            continue
        owners |= shingles
        kept.append((str(record["title"]), str(record["text"])))
    random.Random(seed).shuffle(kept)
    return kept[:limit]
