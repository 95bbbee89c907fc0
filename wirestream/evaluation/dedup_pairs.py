"""Duplicate decisions on real same-event article pairs of ECB+, labelled by reading.

Each pair goes through the clusterer alone, in both orders: the first article on a fresh
state, then the second; the pair is called a duplicate when the second is found a duplicate
of the first. The labels (`labels/ecbplus_dedup_pairs.tsv`) say how they were made.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from pipeline.clustering.config import ClusterConfig
from wirestream.evaluation.dedup import decide, prepare

LABELS = Path(__file__).resolve().parent / "labels" / "ecbplus_dedup_pairs.tsv"
LABEL_NAMES = ("copy", "rewrite", "partial", "independent")

Pair = tuple[str, str, str]  # doc a, doc b, label


def read_labels(path: Path = LABELS) -> dict[frozenset[str], str]:
    """The labelled pairs: {doc a, doc b} -> label.

    Args:
        path: the TSV file (`#` comments, a header line, then doc_a, doc_b, label).
    """
    labels: dict[frozenset[str], str] = {}
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    for line in lines[1:]:
        first, second, label = line.split("\t")
        if label not in LABEL_NAMES:
            raise ValueError(f"unknown label {label!r} in {path}")
        labels[frozenset((first, second))] = label
    return labels


def same_event_pairs(
    records: Sequence[Mapping[str, Any]], labels: Mapping[frozenset[str], str]
) -> list[Pair]:
    """Every pair of articles of one gold event, with its label (unlisted: independent).

    Args:
        records: ECB+ records (`doc_id`, `cluster_id`).
        labels: `read_labels()`.
    """
    events: dict[str, list[str]] = defaultdict(list)
    for record in records:
        events[str(record["cluster_id"])].append(str(record["doc_id"]))
    return [
        (first, second, labels.get(frozenset((first, second)), "independent"))
        for docs in events.values()
        for first, second in itertools.combinations(docs, 2)
    ]


def raw_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """A raw message for an ECB+ record (a made-up URL per document: many have none).

    Args:
        record: an ECB+ record.
    """
    return {
        "url": f"https://ecbplus.example/{record['doc_id']}",
        "title": record["title"],
        "body": record["text"],
        "source": "ecbplus",
    }


def evaluate(
    records: Sequence[Mapping[str, Any]], pairs: Sequence[Pair], *, config: ClusterConfig
) -> dict[str, Any]:
    """Share of pairs called duplicates, per label and order.

    Args:
        records: ECB+ records.
        pairs: `same_event_pairs`.
        config: clusterer configuration.
    """
    prepared = dict(
        zip(
            [str(r["doc_id"]) for r in records],
            prepare([raw_of(r) for r in records]),
            strict=True,
        )
    )
    called: Counter[str] = Counter()
    counted: Counter[str] = Counter()
    flagged: list[tuple[str, str, str]] = []
    for first, second, label in pairs:
        for earlier, later in ((first, second), (second, first)):
            decided = decide([prepared[earlier], prepared[later]], config=config, batch_size=2)
            hit = decided[1]["duplicate_of"] == decided[0]["article_id"]
            counted[label] += 1
            called[label] += hit
            if hit and label == "independent":
                flagged.append((earlier, later, label))
    rate = {k: round(called[k] / counted[k], 4) for k in LABEL_NAMES if counted[k]}
    return {
        "pairs": {k: counted[k] // 2 for k in LABEL_NAMES},
        "called_duplicate": rate,
        "copy_recall": rate.get("copy", 0.0),
        "hard_negatives": counted["independent"],
        "hard_negative_false_positives": called["independent"],
        "flagged_independent": sorted(flagged)[:20],
        "true_positives": called["copy"],
    }


def load_records(path: Path) -> list[dict[str, Any]]:
    """ECB+ records (`doc_id`, `cluster_id`, `title`, `text`).

    Args:
        path: `ecbplus/articles.jsonl`.
    """
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
