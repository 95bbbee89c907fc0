"""Read-only queries over the event service's SQLite file, one connection per thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import orjson

from wirestream.events.db import connect
from wirestream.events.params import EventQuery

MAX_ARTICLES = 1000
MAX_HISTORY = 200
ABSORBED = """
WITH RECURSIVE absorbed (event_id) AS (
    SELECT ? UNION SELECT e.event_id FROM events e JOIN absorbed a ON e.merged_into = a.event_id
)
SELECT event_id FROM absorbed
"""
ARTICLE_FIELDS = (
    "article_id", "event_id", "duplicate_of", "duplicate_kind",
    "source", "title", "url", "published_at", "ingested_at",
)  # fmt: skip


class Reader:
    """The API's reads; each thread that calls it gets its own read-only connection."""

    def __init__(self, path: Path) -> None:
        """Read ``path`` (it must exist: the ``Store`` creates it).

        Args:
            path: the database file.
        """
        self.path = path
        self._local = threading.local()

    def events(self, query: EventQuery) -> list[bytes]:
        """The newest events that match, as JSON cards (newest ``last_seen`` first, then id)."""
        clauses, args = ["e.merged_into IS NULL"], []
        source = "events e"
        if query.match is not None:
            source = "search JOIN events e ON e.id = search.rowid"
            clauses.append("search MATCH ?")
            args.append(query.match)
        if query.entity is not None:
            clauses.append("e.id IN (SELECT event_row FROM entities WHERE name = ?)")
            args.append(query.entity)
        if query.topic is not None:
            clauses.append("e.topic = ?")
            args.append(query.topic)
        if query.since is not None:
            clauses.append("e.last_seen >= ?")
            args.append(query.since)
        sql = (
            f"SELECT e.card FROM {source} WHERE {' AND '.join(clauses)} "
            "ORDER BY e.last_seen DESC, e.event_id DESC LIMIT ?"
        )
        return [row[0] for row in self._db().execute(sql, (*args, query.limit))]

    def event(self, event_id: str) -> dict[str, Any] | None:
        """An event's latest record, its articles (copies under their original), its history."""
        db = self._db()
        row = db.execute("SELECT record FROM events WHERE event_id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        event = orjson.loads(row[0])
        family = [r[0] for r in db.execute(ABSORBED, (event_id,))]
        rows = db.execute(
            f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles "
            "WHERE event_id IN (SELECT value FROM json_each(?)) "
            "OR article_id IN (SELECT value FROM json_each(?)) LIMIT ?",
            (orjson.dumps(family).decode(), orjson.dumps(event["articles"]).decode(), MAX_ARTICLES),
        )
        articles = [dict(zip(ARTICLE_FIELDS, values, strict=True)) for values in rows]
        history = db.execute(
            "SELECT version, updated_at, title, article_count, source_count, merged_into "
            "FROM history WHERE event_id = ? ORDER BY version DESC LIMIT ?",
            (event_id, MAX_HISTORY),
        )
        keys = ("version", "updated_at", "title", "article_count", "source_count", "merged_into")
        return {
            "event": event,
            "articles": fold_copies(articles, event["articles"]),
            "history": [dict(zip(keys, values, strict=True)) for values in history],
            "absorbed": [member for member in family if member != event_id],
        }

    def topics(self) -> list[dict[str, Any]]:
        """Topic labels of the live events with their counts, most events first."""
        rows = self._db().execute(
            "SELECT topic, count(*) FROM events WHERE merged_into IS NULL AND topic IS NOT NULL "
            "GROUP BY topic ORDER BY count(*) DESC, topic LIMIT 50"
        )
        return [{"topic": topic, "events": count} for topic, count in rows]

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path, readonly=True)
            self._local.db = db
        return db


def fold_copies(articles: list[dict[str, Any]], order: list[str]) -> list[dict[str, Any]]:
    """Originals in the event's arrival order, each with its duplicates under ``copies``.

    A copy whose original is not among ``articles`` stays at the top level.

    Args:
        articles: article rows (``duplicate_of`` set on copies; a republished URL's copy has
            its original's ``article_id``).
        order: the event's ``articles`` (member ids in arrival order).
    """
    originals: dict[str, dict[str, Any]] = {}
    copies = []
    for article in sorted(articles, key=_arrival):
        if article["duplicate_of"] is None and article["article_id"] not in originals:
            originals[article["article_id"]] = {**article, "copies": []}
        else:
            copies.append(article)
    loose = []
    for copy in copies:
        original = originals.get(copy["duplicate_of"] or copy["article_id"])
        if original is not None:
            original["copies"].append(copy)
        else:
            loose.append({**copy, "copies": []})
    rank = {article_id: n for n, article_id in enumerate(order)}
    ranked = sorted(originals.values(), key=lambda a: rank.get(a["article_id"], len(rank)))
    return ranked + loose


def _arrival(article: dict[str, Any]) -> str:
    return str(article["ingested_at"])
