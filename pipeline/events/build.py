"""Event records: the compact snapshot kept per member, and the full event built from them.

The summary comes from `pipeline.events.summary` and the title from `pipeline.events.titles`;
this module numbers the sources and gathers entities, topics, times, disagreements and updates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

from pipeline.events import titles
from pipeline.events.disagreements import (
    FACTS_VERSION,
    compare_facts,
    extract_facts,
    source_numbers,
)
from pipeline.events.names import event_entities
from pipeline.events.packed import pack_entities
from pipeline.events.sentences import split_sentences
from pipeline.events.summary import (
    LEAD_SENTENCES,
    LEAD_VERSION,
    competing,
    lead_terms,
    solo_lead,
    summarize,
)

MAX_SENTENCES = 12  # sentences kept per member snapshot
MAX_ENTITIES = 30
MAX_TOPICS = 10
MAX_SENTENCE_CHARS = 400


def member_snapshot(article: dict[str, Any]) -> dict[str, Any]:
    """The compact, JSON-able view of one article that an event stores per member.

    Args:
        article: a clustered article (`text`, `entities`, `topics`, `duplicate_of`, ...).
    """
    text = article.get("text") or ""
    entities = article.get("entities") or []
    ranked = sorted(entities, key=lambda e: (-int(e.get("count", 1)), e.get("first_offset", 0)))
    split = split_sentences(text)
    sentences = [s[:MAX_SENTENCE_CHARS] for s in split[:MAX_SENTENCES]]
    snapshot = {
        "article_id": article.get("article_id"),
        "source": article.get("source"),
        # The canonical URL: no userinfo, no tracking parameters, every odd character encoded.
        "url": article.get("canonical_url") or article.get("url"),
        "title": article.get("title") or "",
        "published_at": article.get("published_at"),
        "ingested_at": article.get("ingested_at"),
        "duplicate_of": article.get("duplicate_of"),
        "sentences": sentences,
        "terms": [lead_terms(s) for s in sentences[:LEAD_SENTENCES]],
        "lead_v": LEAD_VERSION,
        "ents": pack_entities(ranked[:MAX_ENTITIES]),
        "topics": [
            {"code": t["code"], "label": t.get("label", t["code"]), "score": float(t["score"])}
            for t in (article.get("topics") or [])[:MAX_TOPICS]
        ],
        "facts": extract_facts(text, entities, sentences=split),
        "facts_v": FACTS_VERSION,
    }
    snapshot["solo"] = solo_lead(snapshot)
    snapshot["headline"] = titles.member_headline(snapshot)
    return snapshot


def build_event(
    event_id: str,
    members: list[dict[str, Any]],
    *,
    version: int,
    now: datetime,
    memo: MutableMapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the full, latest state of an event from its member snapshots.

    Args:
        event_id: the event's stable id.
        members: member snapshots in arrival order.
        version: the record's version, increasing with each emission.
        now: the clock, for `updated_at`.
        memo: where a big event's summary is kept (event id -> inputs and result), so that
            the next build with the same competing members reuses it; None to keep nothing.
    """
    numbers = source_numbers(members)
    summary, scores = summarize(event_id, members, numbers, memo)
    seen = _seen_times(members)
    disagreements, updates = compare_facts(members, numbers=numbers)
    record = {
        "event_id": event_id,
        "version": version,
        "title": _title(event_id, members, numbers, (summary, scores), memo),
        "summary": [{"text": s["text"], "sources": list(s["sources"])} for s in summary],
        "sources": _sources(members, numbers),
        "articles": [m.get("article_id") for m in members],
        "entities": event_entities(members),
        "topics": event_topics(members),
        "first_seen": min(seen).isoformat() if seen else None,
        "last_seen": max(seen).isoformat() if seen else None,
        "article_count": len(members),
        "disagreements": disagreements,
        "updated_at": _utc(now).isoformat(),
    }
    if updates:
        record["updates"] = updates
    return record


def _title(
    event_id: str,
    members: list[dict[str, Any]],
    numbers: list[int],
    summarized: tuple[list[dict[str, Any]], dict[int, list[float]]],
    memo: MutableMapping[str, Any] | None,
) -> str:
    """The title; kept beside a memoized summary, since both depend on the same members."""
    summary, scores = summarized
    kept = memo.get(event_id) if memo is not None else None
    if kept is None or kept[1] is not summary:
        return titles.pick(members, competing(members, numbers), scores, summary)
    if len(kept) == 4:
        return str(kept[3])
    title = titles.pick(members, competing(members, numbers), scores, summary)
    if memo is not None:
        memo[event_id] = (*kept[:3], title)
    return title


def _sources(members: list[dict[str, Any]], numbers: list[int]) -> list[dict[str, Any]]:
    first: dict[int, dict[str, Any]] = {}
    for member, number in zip(members, numbers, strict=True):
        first.setdefault(number, member)
    return [
        {
            "n": number,
            "name": m.get("source"),
            "url": m.get("url"),
            "article_id": m.get("article_id"),
            "published_at": m.get("published_at"),
        }
        for number, m in sorted(first.items())
    ]


def event_topics(members: list[dict[str, Any]], *, top: int = 5) -> list[dict[str, Any]]:
    """An event's topics: the codes that at least half of its members published, scored by their
    mean over all members (0 where absent), best first; ``[]`` when no code qualifies.

    Each member's topics already passed that code's confidence threshold, so an event whose
    members mostly abstain abstains too.

    Args:
        members: member snapshots (or articles) with ``topics``.
        top: at most this many topics.
    """
    totals: dict[str, float] = defaultdict(float)
    votes: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for member in members:
        for topic in member.get("topics") or []:
            totals[topic["code"]] += float(topic["score"])
            votes[topic["code"]] += 1
            names.setdefault(topic["code"], topic.get("label", topic["code"]))
    count = max(len(members), 1)
    kept = sorted(
        (-round(totals[code] / count, 4), code) for code in totals if 2 * votes[code] >= count
    )
    return [
        {"code": code, "label": names[code], "score": -negative} for negative, code in kept[:top]
    ]


def _seen_times(members: list[dict[str, Any]]) -> list[datetime]:
    times = []
    for member in members:
        for stamp in (member.get("published_at"), member.get("ingested_at")):
            parsed = _parse(stamp)
            if parsed:
                times.append(parsed)
                break
    return times


def _parse(stamp: Any) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        return _utc(datetime.fromisoformat(stamp))
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    # A naive time is taken to be UTC, the pipeline's only zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
