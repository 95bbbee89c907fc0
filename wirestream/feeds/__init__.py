"""Continuous feed consumption: RSS/Atom and JSONL feeds polled into ``news.raw.v1``.

``config`` (TOML), ``guard`` (which addresses a fetch may reach), ``http`` (conditional GET
to the checked address, one deadline per request), ``parse`` (feedparser → raw records),
``fulltext`` (article pages for summary-only entries), ``state`` (SQLite: HTTP state and
the seen set), ``poller`` (the loop), ``publish`` (kafka-python), ``metrics`` (Prometheus).
"""
