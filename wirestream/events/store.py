"""The writer of the event service's SQLite file: one ``Store``, in the consumer thread."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from wirestream.consume import Article, Event
from wirestream.events.db import SCHEMA, connect
from wirestream.events.texts import name_keys, search_texts


def card(event: Event) -> dict[str, Any]:
    """What the event list shows of an event (kept as JSON beside the full record)."""
    summary, topics = event["summary"], event["topics"]
    return {
        "event_id": event["event_id"],
        "version": event["version"],
        "title": event["title"],
        "lead": summary[0]["text"] if summary else "",
        "topic": topics[0]["label"] if topics else None,
        "first_seen": event["first_seen"],
        "last_seen": event["last_seen"],
        "updated_at": event["updated_at"],
        "article_count": event["article_count"],
        "sources": [source["name"] for source in event["sources"]],
        "disagreements": len(event["disagreements"]),
        "updates": len(event.get("updates", ())),
        "merged_into": event.get("merged_into"),
    }


class Store:
    """The writer: applies event and article records, in transactions it commits on ``flush``."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the file.

        Args:
            path: the database file; its folder is created.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = connect(path)
        self.db.executescript(SCHEMA)
        self.created = self._meta("created") is None
        if self.created:
            self._set_meta("created", datetime.now(UTC).isoformat())
            self._set_meta("instance", uuid.uuid4().hex[:12])
        self.instance = str(self._meta("instance"))
        self.pending = 0
        self._changes: list[dict[str, Any]] = []
        # the last lookup (event_id, row): the follower's get() is followed by apply_event()
        self._looked_up: tuple[str, tuple[int, int, bytes] | None] | None = None
        # Full-text changes wait for the flush: FTS5 writes its in-memory terms out whenever
        # a rowid comes lower than the last one, so they go in ascending order, once per row.
        self._unindex: dict[int, Event] = {}  # row -> the record the index holds now
        self._reindex: dict[int, Event] = {}  # row -> the record it will hold

    def get(self, event_id: str) -> int | None:
        """The stored version of an event (the follower's ``VersionStore``)."""
        row = self._row(event_id)
        return None if row is None else row[1]

    def put(self, event_id: str, version: int) -> None:
        """Nothing to do: ``apply_event`` stored the version with the event, in one transaction."""

    def apply_event(self, event: Event) -> bool:
        """Store an event record (a merge too) unless a version as high is stored; True if stored.

        After an exception the open transaction is in an unknown state: call ``rollback``.

        Args:
            event: a validated ``event.v1`` record.
        """
        self._begin()
        stored = self._row(event["event_id"])
        self._looked_up = None
        if stored is not None and stored[1] >= event["version"]:
            return False
        summary = card(event)
        row = self._write_row(event, summary, stored)
        if stored is not None and row not in self._reindex:  # first change since the commit
            self._unindex[row] = orjson.loads(stored[2])
        self._reindex[row] = event
        self.pending += 1
        self._changes.append(summary)
        return True

    def apply_article(self, article: Article) -> None:
        """Store an article record: one row per (article_id, raw origin), so copies stay apart.

        Args:
            article: a validated ``article.v1`` record.
        """
        self._begin()
        origin = article["origin"]
        self.db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article["article_id"],
                f"{origin['topic']}:{origin['partition']}:{origin['offset']}",
                article["event_id"],
                article["duplicate_of"],
                article["duplicate_kind"],
                article["source"],
                article["title"],
                article["url"],
                article["published_at"],
                article["ingested_at"],
            ),
        )
        self.pending += 1

    def flush(self) -> list[dict[str, Any]]:
        """Commit the open transaction; return the cards of the events it changed."""
        self._write_indexes()
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        changes, self._changes, self.pending = self._changes, [], 0
        return changes

    def rollback(self) -> None:
        """Drop everything since the last ``flush`` (after a failed write)."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self._changes, self.pending, self._looked_up = [], 0, None
        self._unindex, self._reindex = {}, {}

    def close(self) -> None:
        """Commit and close."""
        self.flush()
        self.db.close()

    def _row(self, event_id: str) -> tuple[int, int, bytes] | None:
        if self._looked_up is not None and self._looked_up[0] == event_id:
            return self._looked_up[1]
        query = "SELECT id, version, record FROM events WHERE event_id = ?"
        row = self.db.execute(query, (event_id,)).fetchone()
        self._looked_up = (event_id, row)
        return row

    def _write_row(
        self, event: Event, summary: dict[str, Any], stored: tuple[int, int, bytes] | None
    ) -> int:
        merged = event.get("merged_into")
        values = (
            event["version"],
            _epoch(event["last_seen"]),
            summary["topic"],
            merged,
            orjson.dumps(summary),
            orjson.dumps(event),
        )
        if stored is None:
            cursor = self.db.execute(
                "INSERT INTO events (version, last_seen, topic, merged_into, card, record, "
                "event_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*values, event["event_id"]),
            )
            row = int(cursor.lastrowid or 0)
        else:
            row = stored[0]
            self.db.execute(
                "UPDATE events SET version = ?, last_seen = ?, topic = ?, merged_into = ?, "
                "card = ?, record = ? WHERE id = ?",
                (*values, row),
            )
        self.db.execute(
            "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                event["event_id"],
                event["version"],
                event["updated_at"],
                event["title"],
                event["article_count"],
                len(event["sources"]),
                merged,
            ),
        )
        return row

    def _write_indexes(self) -> None:
        # contentless indexes: a delete must repeat exactly what was inserted, and only that
        for row, old in sorted(self._unindex.items()):
            if old.get("merged_into") is None:  # an absorbed event was not indexed
                self.db.execute(
                    "INSERT INTO search (search, rowid, title, summary, entities) "
                    "VALUES ('delete', ?, ?, ?, ?)",
                    (row, *search_texts(old)),
                )
                self.db.execute(
                    "INSERT INTO names (names, rowid, keys) VALUES ('delete', ?, ?)",
                    (row, name_keys(old)),
                )
        for row, event in sorted(self._reindex.items()):
            if event.get("merged_into") is None:  # found through its survivor only
                self.db.execute(
                    "INSERT INTO search (rowid, title, summary, entities) VALUES (?, ?, ?, ?)",
                    (row, *search_texts(event)),
                )
                self.db.execute(
                    "INSERT INTO names (rowid, keys) VALUES (?, ?)", (row, name_keys(event))
                )
        self._unindex, self._reindex = {}, {}

    def _begin(self) -> None:
        if not self.db.in_transaction:
            self.db.execute("BEGIN")

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()
