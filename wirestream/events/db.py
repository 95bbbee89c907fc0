"""The event service's SQLite file: events, articles, version history and a full-text index.

One writer (the consumer thread, ``wirestream.events.store``) and any number of readers
(``wirestream.events.queries``), each on its own connection; WAL lets them read while it writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    last_seen REAL NOT NULL,
    topic TEXT,
    merged_into TEXT,
    card BLOB NOT NULL,
    record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_newest ON events (last_seen, event_id)
    WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS events_topic ON events (topic, last_seen, event_id)
    WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS events_merged ON events (merged_into) WHERE merged_into IS NOT NULL;
CREATE TABLE IF NOT EXISTS history (
    event_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    title TEXT NOT NULL,
    article_count INTEGER NOT NULL,
    source_count INTEGER NOT NULL,
    merged_into TEXT,
    PRIMARY KEY (event_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    event_id TEXT NOT NULL,
    duplicate_of TEXT,
    duplicate_kind TEXT,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    published_at TEXT,
    ingested_at TEXT NOT NULL,
    PRIMARY KEY (article_id, origin)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS articles_event ON articles (event_id);
-- Full-text indexes of live events (rowid = events.id), contentless: an update first
-- deletes the old row with the texts of the stored record (wirestream.events.texts).
-- detail = none: words, no phrases; the least work per insert. porter: English endings
-- are folded, so "earthquakes" finds "earthquake".
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
    title, summary, entities, content = '',
    tokenize = 'porter unicode61 remove_diacritics 2', detail = none, columnsize = 0
);
-- one token per entity name ("Xi Jinping" -> "xijinping"): the entity filter
CREATE VIRTUAL TABLE IF NOT EXISTS names USING fts5 (
    keys, content = '',
    tokenize = 'unicode61 remove_diacritics 2', detail = none, columnsize = 0
);
"""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, full sync.

    Args:
        path: the database file.
        readonly: open for reading only (the API's connections).
    """
    uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 5000")
    connection.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages
    if not readonly:
        connection.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit is on disk before the Kafka offsets after it are committed (one
        # fsync per flush of many records, not per record)
        connection.execute("PRAGMA synchronous = FULL")
    return connection
