"""Feed configuration: a TOML file listing the feeds to poll and how."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

FORMATS = ("feed", "jsonl")


class ConfigError(ValueError):
    """The feeds configuration is invalid."""


@dataclass(frozen=True)
class FeedConfig:
    """One feed to poll.

    Args:
        name: unique short name; also the metrics label and the state key.
        url: the feed URL (http or https).
        source: the outlet name put in each raw record's ``source``.
        interval_s: seconds between polls.
        language: language code put in each record when the feed is not explicit.
        full_text: fetch the article page when an entry only carries a summary.
        format: ``feed`` (RSS/Atom, parsed by feedparser) or ``jsonl`` (raw records, one a line).
    """

    name: str
    url: str
    source: str
    interval_s: float = 300.0
    language: str | None = None
    full_text: bool = False
    format: str = "feed"


@dataclass(frozen=True)
class PollerConfig:
    """Settings shared by every feed.

    Args:
        feeds: the feeds.
        timeout_s: HTTP timeout of a feed fetch.
        max_feed_bytes: largest feed document accepted.
        backoff_base_s: first retry delay after an error; doubles per consecutive error.
        backoff_max_s: longest retry delay.
        retention_days: forget seen entries not present in the feed for this long.
        fulltext_timeout_s: HTTP timeout of an article page fetch.
        fulltext_max_bytes: largest article page accepted.
        fulltext_concurrency: article pages fetched at the same time.
        user_agent: the User-Agent header sent.
    """

    feeds: tuple[FeedConfig, ...]
    timeout_s: float = 20.0
    max_feed_bytes: int = 5_000_000
    backoff_base_s: float = 30.0
    backoff_max_s: float = 6 * 3600.0
    retention_days: float = 30.0
    fulltext_timeout_s: float = 15.0
    fulltext_max_bytes: int = 2_000_000
    fulltext_concurrency: int = 4
    user_agent: str = "wirestream-feeds/0.1"


def load_config(path: Path) -> PollerConfig:
    """Read and validate a feeds TOML file.

    Args:
        path: the TOML file (``[poller]`` table optional, one ``[[feeds]]`` table per feed).
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from error
    return parse_config(data)


def parse_config(data: dict[str, Any]) -> PollerConfig:
    """Validate a decoded configuration mapping.

    Args:
        data: the decoded TOML document.
    """
    poller = dict(data.get("poller", {}))
    known = {spec.name for spec in fields(PollerConfig)} - {"feeds"}
    unknown = set(poller) - known
    if unknown:
        raise ConfigError(f"unknown [poller] keys: {sorted(unknown)}")
    defaults = dict(data.get("defaults", {}))
    feeds = tuple(_feed({**defaults, **raw}) for raw in data.get("feeds", []))
    if not feeds:
        raise ConfigError("no [[feeds]] configured")
    names = [feed.name for feed in feeds]
    if len(set(names)) != len(names):
        raise ConfigError(f"feed names must be unique: {names}")
    return PollerConfig(feeds=feeds, **poller)


def _feed(raw: dict[str, Any]) -> FeedConfig:
    known = {spec.name for spec in fields(FeedConfig)}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"feed {raw.get('name')!r}: unknown keys {sorted(unknown)}")
    missing = {"name", "url", "source"} - set(raw)
    if missing:
        raise ConfigError(f"feed {raw.get('name')!r}: missing {sorted(missing)}")
    feed = FeedConfig(**raw)
    if not feed.url.startswith(("http://", "https://")):
        raise ConfigError(f"feed {feed.name!r}: url must be http(s), got {feed.url!r}")
    if feed.format not in FORMATS:
        raise ConfigError(f"feed {feed.name!r}: format must be one of {FORMATS}")
    if feed.interval_s <= 0:
        raise ConfigError(f"feed {feed.name!r}: interval_s must be positive")
    return feed
