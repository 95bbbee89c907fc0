"""The poller's memory: per-feed HTTP state and the seen entries, in one SQLite file.

Why SQLite and not a compacted Kafka topic: the state is private to one poller, is read
on every poll (the seen set by key), and must survive restarts without a broker round trip
or a topic replay at start-up. One local file under ``Settings.data_dir / "feeds"`` is
enough; run one poller per state file.

Entries are written to the seen set only after the broker acknowledged them (the poller
calls `StateStore.mark_seen` with the acknowledged keys), so a crash between publishing
and recording means a re-publish (at-least-once), never a loss. Seen rows remember when
the entry was last present in its feed and are pruned ``retention`` after that, so the
table stays bounded by what the feeds currently carry plus the retention window.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_state (
    name TEXT PRIMARY KEY,
    config_url TEXT NOT NULL,
    location TEXT,
    etag TEXT,
    last_modified TEXT,
    retired INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    next_poll REAL NOT NULL DEFAULT 0,
    last_success REAL,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS seen (
    feed TEXT NOT NULL,
    key TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    PRIMARY KEY (feed, key)
);
CREATE INDEX IF NOT EXISTS seen_last_seen ON seen (last_seen);
"""


@dataclass
class FeedState:
    """What the poller remembers about one feed between polls (times: epoch seconds).

    Args:
        name: the feed name.
        config_url: the URL configured when this state was created; a new one resets it.
        location: where a permanent redirect sent the feed; fetched instead of config_url.
        etag: the last ETag, sent as If-None-Match.
        last_modified: the last Last-Modified, sent as If-Modified-Since.
        retired: the feed answered 410 Gone and is no longer polled.
        failures: consecutive failed polls (drives the backoff).
        next_poll: when the feed is due.
        last_success: when a poll last succeeded.
        last_error: the last problem, for ``feeds check`` and logs.
    """

    name: str
    config_url: str
    location: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retired: bool = False
    failures: int = 0
    next_poll: float = 0.0
    last_success: float | None = None
    last_error: str | None = None

    @property
    def fetch_url(self) -> str:
        """The URL to fetch: the remembered permanent location, else the configured one."""
        # A location that is not http(s) is never followed, whatever wrote it.
        return self.location if self.location and is_http_url(self.location) else self.config_url


def is_http_url(url: str) -> bool:
    """Whether a URL is absolute http(s) with a host.

    Args:
        url: any string.
    """
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


class StateStore:
    """SQLite-backed feed state and seen set.

    Args:
        path: the database file (parent folders are created), or ``:memory:``.
    """

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def feed(self, name: str, config_url: str) -> FeedState:
        """The stored state of a feed, or a fresh one when absent or its URL changed.

        Args:
            name: the feed name.
            config_url: the URL configured now.
        """
        columns = [spec.name for spec in fields(FeedState)]
        row = self._db.execute(
            f"SELECT {', '.join(columns)} FROM feed_state WHERE name = ?", (name,)
        ).fetchone()
        if row is None or row[1] != config_url:
            return FeedState(name=name, config_url=config_url)
        state = FeedState(**dict(zip(columns, row, strict=True)))
        state.retired = bool(state.retired)
        return state

    def save_feed(self, state: FeedState) -> None:
        """Store a feed's state, replacing the previous one.

        Args:
            state: the state.
        """
        values = asdict(state)
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._db:
            self._db.execute(
                f"INSERT OR REPLACE INTO feed_state ({names}) VALUES ({marks})",
                tuple(values.values()),
            )

    def seen(self, feed: str, keys: Iterable[str]) -> set[str]:
        """The subset of keys already recorded for a feed.

        Args:
            feed: the feed name.
            keys: candidate keys (``guid:…`` / ``url:…``).
        """
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"SELECT key FROM seen WHERE feed = ? AND key IN ({marks})", (feed, *chunk)
            )
            found.update(row[0] for row in rows)
        return found

    def mark_seen(self, feed: str, keys: Iterable[str], *, now: float) -> None:
        """Record keys as seen now (first_seen kept, last_seen refreshed).

        Args:
            feed: the feed name.
            keys: keys to record or refresh.
            now: the current time, epoch seconds.
        """
        rows = [(feed, key, now, now) for key in dict.fromkeys(keys)]
        with self._db:
            self._db.executemany(
                "INSERT INTO seen (feed, key, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (feed, key) DO UPDATE SET last_seen = excluded.last_seen",
                rows,
            )

    def prune(self, *, older_than: float) -> int:
        """Forget seen keys not present in their feed since ``older_than``; return how many.

        Args:
            older_than: epoch seconds.
        """
        with self._db:
            cursor = self._db.execute("DELETE FROM seen WHERE last_seen < ?", (older_than,))
        return cursor.rowcount

    def count_seen(self, feed: str) -> int:
        """How many keys a feed has recorded.

        Args:
            feed: the feed name.
        """
        row = self._db.execute("SELECT COUNT(*) FROM seen WHERE feed = ?", (feed,)).fetchone()
        return int(row[0])
