"""Event clustering evaluation: ECB+-format articles through the production clusterer."""

from __future__ import annotations

import hashlib
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch
from pipeline.clustering.features import article_features
from pipeline.clustering.index import CandidateIndex

EntityFn = Callable[[list[str]], list[list[dict[str, Any]]]]
# The evaluation clock: ECB+ has no reliable timestamps, so every article is "now".
EVAL_NOW = datetime(2024, 1, 1, tzinfo=UTC)


def load_records(path: Path) -> list[dict[str, Any]]:
    """Read an ECB+-format JSONL file (`doc_id`, `title`, `text`, `cluster_id`, `url`).

    Args:
        path: the file.
    """
    with path.open("rb") as handle:
        return [orjson.loads(line) for line in handle if line.strip()]


def document_url(record: dict[str, Any]) -> str:
    """An ECB+-format record's URL; a document without one gets a host of its own, so it
    counts as its own outlet.

    Args:
        record: one line of the file (`doc_id`, optional `url`).
    """
    return record.get("url") or f"https://{record['doc_id'].replace('_', '-')}.ecb.example/"


def _hex24(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def to_article(record: dict[str, Any]) -> dict[str, Any]:
    """A normalized-article dict from an evaluation record (only title, text and url used).

    Args:
        record: one line of the evaluation file.
    """
    url = record.get("url") or None
    canonical = url or f"urn:eval:{record['doc_id']}"
    text = " ".join(str(record.get("text") or "").split())
    return {
        "article_id": _hex24(canonical if url is None else f"{canonical}#{record['doc_id']}"),
        "url": url,
        "canonical_url": url,
        "source": "eval",
        "title": str(record.get("title") or ""),
        "text": str(record.get("text") or ""),
        "published_at": None,
        "ingested_at": EVAL_NOW.isoformat(),
        "content_hash": _hex24(text.lower()),
        "entities": [],
        "topics": [],
    }


def model_entities(batch_size: int = 32) -> EntityFn:
    """Entity extraction with the production model and `pipeline.nlp.entities`.

    Args:
        batch_size: `nlp.pipe` batch size.
    """
    from pipeline.nlp.entities import extract_entities
    from pipeline.nlp.model import load_model

    nlp = load_model()
    return lambda texts: extract_entities(nlp, texts, batch_size=batch_size)


def enrich(records: Sequence[dict[str, Any]], entities: EntityFn) -> list[dict[str, Any]]:
    """Articles with entities and clustering features, in record order.

    Args:
        records: evaluation records.
        entities: texts -> entity lists (the production NER, or a cache of it).
    """
    articles = [to_article(record) for record in records]
    for article, found in zip(articles, entities([a["text"] for a in articles]), strict=True):
        article["entities"] = found
        article["features"] = article_features(article)
    return articles


def bcubed(predicted: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a clustering.

    Args:
        predicted: predicted cluster per item.
        gold: gold cluster per item.
    """
    both = Counter(zip(predicted, gold, strict=True))
    pred_sizes, gold_sizes = Counter(predicted), Counter(gold)
    n = len(gold)
    precision = sum(c * c / pred_sizes[p] for (p, _), c in both.items()) / n
    recall = sum(c * c / gold_sizes[g] for (_, g), c in both.items()) / n
    return precision, recall, _f1(precision, recall)


def pairwise_f1(predicted: Sequence[str], gold: Sequence[str]) -> float:
    """F1 over same-cluster item pairs.

    Args:
        predicted: predicted cluster per item.
        gold: gold cluster per item.
    """

    def pairs(counts: Counter[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    both = pairs(Counter(zip(predicted, gold, strict=True)))
    pred, true = pairs(Counter(predicted)), pairs(Counter(gold))
    return _f1(both / pred if pred else 0.0, both / true if true else 0.0)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def run_stream(
    articles: Sequence[dict[str, Any]], *, seed: int, config: ClusterConfig, batch_size: int = 1
) -> dict[str, str]:
    """Feed articles in a seeded shuffled order through `cluster_batch`; article_id -> event_id.

    Args:
        articles: enriched articles with features.
        seed: shuffle seed.
        config: clusterer configuration.
        batch_size: articles per `cluster_batch` call.
    """
    order = list(articles)
    random.Random(seed).shuffle(order)
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=config.lsh_bands)
    assigned: dict[str, str] = {}
    for start in range(0, len(order), batch_size):
        batch = [dict(a) for a in order[start : start + batch_size]]
        decided, _ = cluster_batch(batch, state=state, now=EVAL_NOW, config=config, index=index)
        assigned.update({a["article_id"]: a["event_id"] for a in decided})
    return assigned


def score_run(
    records: Sequence[dict[str, Any]], articles: Sequence[dict[str, Any]], assigned: dict[str, str]
) -> dict[str, Any]:
    """Clustering metrics of one run.

    Args:
        records: evaluation records (gold `cluster_id`).
        articles: their articles, same order.
        assigned: article_id -> predicted event_id.
    """
    predicted = [assigned[a["article_id"]] for a in articles]
    gold = [str(r["cluster_id"]) for r in records]
    precision, recall, f1 = bcubed(predicted, gold)
    return {
        "bcubed_precision": round(precision, 4),
        "bcubed_recall": round(recall, 4),
        "bcubed_f1": round(f1, 4),
        "pairwise_f1": round(pairwise_f1(predicted, gold), 4),
        "n_docs": len(gold),
        "n_events_pred": len(set(predicted)),
        "n_events_gold": len(set(gold)),
    }


def evaluate(
    records: Sequence[dict[str, Any]],
    articles: Sequence[dict[str, Any]],
    *,
    seeds: Sequence[int],
    config: ClusterConfig | None = None,
) -> dict[str, Any]:
    """Metrics of the first seed, plus mean and spread of BCubed F1 over all seeds.

    Args:
        records: evaluation records.
        articles: their enriched articles.
        seeds: shuffle seeds.
        config: clusterer configuration (default `ClusterConfig()`).
    """
    config = config or ClusterConfig()
    runs = [
        score_run(records, articles, run_stream(articles, seed=s, config=config)) for s in seeds
    ]
    result = dict(runs[0])
    result["seed"] = seeds[0]
    if len(runs) > 1:
        f1s = [run["bcubed_f1"] for run in runs]
        result["seeds"] = list(seeds)
        result["bcubed_f1_mean"] = round(statistics.mean(f1s), 4)
        result["bcubed_f1_stdev"] = round(statistics.stdev(f1s), 4)
        result["bcubed_f1_min"] = min(f1s)
        result["bcubed_f1_max"] = max(f1s)
    return result


def by_topic_errors(
    records: Sequence[dict[str, Any]], articles: Sequence[dict[str, Any]], assigned: dict[str, str]
) -> dict[str, dict[str, int]]:
    """Gold cluster -> predicted event -> count, for error analysis.

    Args:
        records: evaluation records.
        articles: their articles.
        assigned: article_id -> predicted event_id.
    """
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for record, article in zip(records, articles, strict=True):
        event = assigned[article["article_id"]]
        table[str(record["cluster_id"])][event] = table[str(record["cluster_id"])].get(event, 0) + 1
    return dict(table)
