"""Benchmark corpora: public development texts when present, else the repo's sample."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
BBC = ROOT.parent / "shared" / "data" / "bbc_news" / "articles.jsonl"
SAMPLE = ROOT / "samples" / "articles.jsonl"


def raw_lines(count: int, *, source: Path | None = None) -> list[bytes]:
    """``count`` raw input lines with unique URLs, cycling through the source articles.

    Args:
        count: how many lines.
        source: a JSONL file of articles (BBC format or raw format); default BBC if present.
    """
    path = source or (BBC if BBC.exists() else SAMPLE)
    articles = []
    for line in path.read_bytes().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and (record.get("text") or record.get("body")):
            articles.append(record)
    lines = []
    for i in range(count):
        article = articles[i % len(articles)]
        lines.append(
            orjson.dumps(
                {
                    "url": f"https://bench.example/{i}/{article.get('id', i)}",
                    "title": article.get("title") or "Untitled",
                    "body": article.get("text") or article.get("body"),
                    "source": "bench",
                }
            )
        )
    return lines
