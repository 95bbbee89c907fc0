"""Read-only queries over the event service's SQLite file, one connection per thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import orjson

from wirestream.events.db import connect
from wirestream.events.params import EventQuery
from wirestream.events.texts import entity_key

MAX_ARTICLES = 1000
# Up to this many candidates (rows a word or name selects), sorting them beats walking the
# newest-first index until enough of them turned up (measured at 100k events).
FEW = 400
SEARCHED = "SELECT rowid FROM search WHERE search MATCH ?"
NAMED = "SELECT rowid FROM names WHERE names MATCH ?"
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
        db = self._db()
        clauses, args = ["e.merged_into IS NULL"], []
        if query.topic is not None:
            clauses.append("e.topic = ?")
            args.append(query.topic)
        if query.since is not None:
            clauses.append("e.last_seen >= ?")
            args.append(query.since)
        candidates = []  # (how many, clause, argument): rows that a word or a name selects
        if query.match is not None:
            candidates.append(self._candidates(db, SEARCHED, query.match))
        if query.entity is not None:
            key = entity_key(query.entity)
            if not key:
                return []  # no letter or digit: no entity has that name
            candidates.append(self._candidates(db, NAMED, f'"{key}"'))
        candidates.sort()
        for _, clause, arg in candidates:
            clauses.append(f"e.id IN ({clause})")
            args.append(arg)
        # Order and cut on (last_seen, event_id, id) alone; fetch the cards of the page after.
        newest = (
            f"SELECT e.id FROM events e {self._plan(query, candidates)} "
            f"WHERE {' AND '.join(clauses)} ORDER BY e.last_seen DESC, e.event_id DESC LIMIT ?"
        )
        sql = (
            f"SELECT card FROM events WHERE id IN ({newest}) ORDER BY last_seen DESC, event_id DESC"
        )
        return [row[0] for row in db.execute(sql, (*args, query.limit))]

    @staticmethod
    def _candidates(db: sqlite3.Connection, clause: str, arg: str) -> tuple[int, str, str]:
        counted = f"SELECT count(*) FROM ({clause} LIMIT {FEW + 1})"
        return int(db.execute(counted, (arg,)).fetchone()[0]), clause, arg

    @staticmethod
    def _plan(query: EventQuery, candidates: list[tuple[int, str, str]]) -> str:
        """Few candidates: fetch them and sort. Many: walk the newest first, keep the matches."""
        if not candidates:
            return ""
        if candidates[0][0] <= FEW:
            return "NOT INDEXED"
        return "INDEXED BY events_topic" if query.topic is not None else "INDEXED BY events_newest"

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
