"""Event clustering measured as production runs it: a mixed stream, several arrival orders.

The file's articles are mixed with syndicated copies generated here (another outlet, light
copy-editing) and with distractor stories from another dataset, sent as raw records through
the production path: `pipeline.stages.prepare_batch` (normalize + enrich, the real model)
once, then `cluster_batch` in batches for each seeded order. Absorbed events are followed to
the event that holds their members (`merged_into`). BCubed is reported over every item and
over the file's articles with their copies.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch
from pipeline.clustering.index import CandidateIndex
from pipeline.records import Incoming
from pipeline.stages import final_event_ids, prepare_batch
from wirestream.evaluation import copyedit
from wirestream.evaluation.clustering import bcubed, document_url

NOW = datetime(2024, 1, 1, tzinfo=UTC)
FOOTER = "This report was compiled with material from wire services."


@dataclass(frozen=True)
class Item:
    """One raw input of the stream with its gold event.

    Args:
        raw: the `news.raw.v1` record.
        gold: the gold event id (distractors are their own event).
        kind: "file", "copy" or "distractor".
    """

    raw: dict[str, Any]
    gold: str
    kind: str


def file_items(records: Sequence[dict[str, Any]]) -> list[Item]:
    """Raw records of an ECB+-format file (`doc_id`, `title`, `text`, `cluster_id`, `url`).

    Args:
        records: the file's lines.
    """
    items = []
    for record in records:
        url = document_url(record)
        raw = {"id": record["doc_id"], "url": url, "title": record["title"], "body": record["text"]}
        items.append(Item({**raw, "source": url.split("/")[2]}, str(record["cluster_id"]), "file"))
    return items


def distractor_items(path: Path, count: int, *, seed: int) -> list[Item]:
    """Unrelated stories from a JSONL file of `id`, `title`, `text` (e.g. BBC News).

    Args:
        path: the file.
        count: how many, drawn with the seed.
        seed: sampling seed.
    """
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    random.Random(seed).shuffle(rows)
    items = []
    for row in rows[:count]:
        key = f"distractor-{row['id']}"
        raw = {"id": key, "url": f"https://distractor.example/{row['id']}", "title": row["title"]}
        items.append(
            Item({**raw, "body": row["text"], "source": "distractor.example"}, key, "distractor")
        )
    return items


def copy_items(originals: Sequence[Item], count: int, *, seed: int) -> list[Item]:
    """Syndicated copies on other outlets: light word edits, a trimmed end with a wire
    footer, or the same body under a new headline, in turn.

    Args:
        originals: items to copy (long enough ones are drawn).
        count: how many copies.
        seed: sampling and edit seed.
    """
    rng = random.Random(seed)
    long_enough = [item for item in originals if len(item.raw["body"]) > 600]
    copies = []
    for n, item in enumerate(rng.sample(long_enough, min(count, len(long_enough)))):
        title, body = item.raw["title"], item.raw["body"]
        if n % 3 == 0:
            body = copyedit.edit_words(body, 0.05, rng)
        elif n % 3 == 1:
            lines = body.split("\n")
            body = "\n".join([*lines[: max(2, len(lines) - 2)], FOOTER])
        else:
            title = f"UPDATE: {title}"
        url = f"https://syndicate{n % 4}.example/{item.raw['id']}-copy"
        raw = {"id": f"{item.raw['id']}-copy", "url": url, "title": title, "body": body}
        copies.append(Item({**raw, "source": url.split("/")[2]}, item.gold, "copy"))
    return copies


def enrich(
    items: Sequence[Item], *, nlp: Any, classifier: Any, chunk: int = 32
) -> list[dict[str, Any]]:
    """Normalize and enrich every item once, as the pool does; articles in item order.

    Args:
        items: the stream's items.
        nlp: the spaCy pipeline.
        classifier: the topic classifier.
        chunk: items per `prepare_batch` call.
    """
    articles = []
    for start in range(0, len(items), chunk):
        messages = [
            Incoming(orjson.dumps(item.raw), "news.raw.v1", 0, start + n)
            for n, item in enumerate(items[start : start + chunk])
        ]
        enriched, dead = prepare_batch(messages, nlp=nlp, classifier=classifier, now=NOW)
        if dead:
            raise ValueError(f"{len(dead)} items were dead-lettered: {dead[0]['reason']}")
        articles += enriched
    return articles


def cluster_order(
    articles: Sequence[dict[str, Any]], *, seed: int, config: ClusterConfig, batch_size: int
) -> dict[str, str]:
    """Raw id -> the live event holding it after one seeded arrival order.

    Args:
        articles: enriched articles.
        seed: order seed.
        config: the clusterer's configuration.
        batch_size: articles per `cluster_batch` call.
    """
    order = list(articles)
    random.Random(seed).shuffle(order)
    state: dict[str, Any] = {}
    index = CandidateIndex(bands=config.lsh_bands)
    assigned, events = {}, []
    for batch in _batches(order, batch_size):
        decided, records = cluster_batch(batch, state=state, now=NOW, config=config, index=index)
        assigned.update((a["raw_id"], a["event_id"]) for a in decided)
        events += records
    moved = final_event_ids(events)
    return {raw_id: moved.get(event, event) for raw_id, event in assigned.items()}


def _batches(articles: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(articles), size):
        yield [dict(article) for article in articles[start : start + size]]


def score(items: Sequence[Item], assigned: dict[str, str]) -> dict[str, Any]:
    """BCubed over every item and over the file's articles with their copies.

    Args:
        items: the stream's items.
        assigned: raw id -> live event.
    """
    report: dict[str, Any] = {}
    for name in ("all", "file"):
        kept = [item for item in items if name == "all" or item.kind != "distractor"]
        pairs = [(assigned[item.raw["id"]], item.gold) for item in kept]
        precision, recall, f1 = bcubed([p for p, _ in pairs], [g for _, g in pairs])
        report[name] = {"p": round(precision, 4), "r": round(recall, 4), "f1": round(f1, 4)}
    return report


def summarize(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean and minimum BCubed F1 over the orders, for both item sets.

    Args:
        runs: one `score` report per order.
    """
    summary: dict[str, Any] = {}
    for name in ("all", "file"):
        f1s = [run[name]["f1"] for run in runs]
        summary[f"{name}_f1_mean"] = round(statistics.mean(f1s), 4)
        summary[f"{name}_f1_min"] = min(f1s)
    return summary
