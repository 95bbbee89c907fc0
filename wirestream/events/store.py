"""The writer of the event service's SQLite file: one ``Store``, in the consumer thread."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from wirestream.consume import Article, Event
from wirestream.events.db import SCHEMA, connect


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

    def get(self, event_id: str) -> int | None:
        """The stored version of an event (the follower's ``VersionStore``)."""
        query = "SELECT version FROM events WHERE event_id = ?"
        row = self.db.execute(query, (event_id,)).fetchone()
        return None if row is None else int(row[0])

    def put(self, event_id: str, version: int) -> None:
        """Nothing to do: ``apply_event`` stored the version with the event, in one transaction."""

    def apply_event(self, event: Event) -> bool:
        """Store an event record (a merge too) unless a version as high is stored; True if stored.

        Args:
            event: a validated ``event.v1`` record.
        """
        self._begin()
        row = self.db.execute(
            "SELECT id, version FROM events WHERE event_id = ?", (event["event_id"],)
        ).fetchone()
        if row is not None and row[1] >= event["version"]:
            return False
        summary = card(event)
        self.db.execute("SAVEPOINT record")
        try:
            self._write_event(event, summary, None if row is None else int(row[0]))
        except BaseException:
            self.db.execute("ROLLBACK TO record")
            raise
        finally:
            self.db.execute("RELEASE record")
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
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        changes, self._changes, self.pending = self._changes, [], 0
        return changes

    def close(self) -> None:
        """Commit and close."""
        self.flush()
        self.db.close()

    def _write_event(self, event: Event, summary: dict[str, Any], row: int | None) -> None:
        merged = event.get("merged_into")
        values = (
            event["version"],
            _epoch(event["last_seen"]),
            summary["topic"],
            merged,
            orjson.dumps(summary),
            orjson.dumps(event),
        )
        if row is None:
            cursor = self.db.execute(
                "INSERT INTO events (version, last_seen, topic, merged_into, card, record, "
                "event_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*values, event["event_id"]),
            )
            row = int(cursor.lastrowid or 0)
        else:
            self.db.execute(
                "UPDATE events SET version = ?, last_seen = ?, topic = ?, merged_into = ?, "
                "card = ?, record = ? WHERE id = ?",
                (*values, row),
            )
            self.db.execute("DELETE FROM entities WHERE event_row = ?", (row,))
            self.db.execute("DELETE FROM search WHERE rowid = ?", (row,))
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
        if merged is not None:
            return  # an absorbed event is found through its survivor only
        names = [(row, entity["name"], entity["label"]) for entity in event["entities"]]
        self.db.executemany("INSERT INTO entities VALUES (?, ?, ?)", names)
        self.db.execute(
            "INSERT INTO search (rowid, title, summary, entities) VALUES (?, ?, ?, ?)",
            (
                row,
                event["title"],
                " ".join(sentence["text"] for sentence in event["summary"]),
                " ".join(name for _, name, _ in names),
            ),
        )

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
