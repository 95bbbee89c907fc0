"""Feed configuration: a TOML file listing the feeds to poll and how."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wirestream.feeds.guard import Refused, origin

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
        allow_private_origins: origins (``scheme://host:port``) that may resolve to loopback,
            private, link-local or other non-public addresses; every other one is refused.
        trust_item_source: let an entry's own outlet name (RSS ``<source>``, JSONL ``source``)
            replace ``source``; off, the claim is kept in ``claimed_source``.
    """

    name: str
    url: str
    source: str
    interval_s: float = 300.0
    language: str | None = None
    full_text: bool = False
    format: str = "feed"
    allow_private_origins: tuple[str, ...] = ()
    trust_item_source: bool = False

    def __post_init__(self) -> None:
        origins = tuple(_origin(self.name, value) for value in self.allow_private_origins)
        object.__setattr__(self, "allow_private_origins", origins)


@dataclass(frozen=True)
class PollerConfig:
    """Settings shared by every feed.

    Args:
        feeds: the feeds.
        timeout_s: longest a feed fetch may take, redirects and body included.
        max_feed_bytes: largest feed document accepted (parsing costs ~1.5 µs per byte).
        backoff_base_s: first retry delay after an error; doubles per consecutive error.
        backoff_max_s: longest retry delay.
        retention_days: forget seen entries not present in the feed for this long.
        fulltext_timeout_s: longest an article page fetch may take.
        fulltext_max_bytes: largest article page accepted.
        fulltext_concurrency: article pages fetched at the same time.
        user_agent: the User-Agent header sent.
        poll_budget_s: longest one poll of one feed may spend fetching (feed and pages);
            pages not fetched by then keep their summary.
    """

    feeds: tuple[FeedConfig, ...]
    timeout_s: float = 20.0
    max_feed_bytes: int = 2_000_000
    backoff_base_s: float = 30.0
    backoff_max_s: float = 6 * 3600.0
    retention_days: float = 30.0
    fulltext_timeout_s: float = 15.0
    fulltext_max_bytes: int = 2_000_000
    fulltext_concurrency: int = 4
    user_agent: str = "wirestream-feeds/0.1"
    poll_budget_s: float = 60.0


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
    config = PollerConfig(feeds=feeds, **poller)
    for name in ("timeout_s", "fulltext_timeout_s", "poll_budget_s"):
        if not getattr(config, name) > 0:
            raise ConfigError(f"[poller] {name} must be positive")
    return config


def _feed(raw: dict[str, Any]) -> FeedConfig:
    known = {spec.name for spec in fields(FeedConfig)}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"feed {raw.get('name')!r}: unknown keys {sorted(unknown)}")
    missing = {"name", "url", "source"} - set(raw)
    if missing:
        raise ConfigError(f"feed {raw.get('name')!r}: missing {sorted(missing)}")
    origins = raw.pop("allow_private_origins", [])
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise ConfigError(f"feed {raw.get('name')!r}: allow_private_origins must be a list of URLs")
    feed = FeedConfig(**raw, allow_private_origins=tuple(origins))
    if not feed.url.startswith(("http://", "https://")):
        raise ConfigError(f"feed {feed.name!r}: url must be http(s), got {feed.url!r}")
    if feed.format not in FORMATS:
        raise ConfigError(f"feed {feed.name!r}: format must be one of {FORMATS}")
    if feed.interval_s <= 0:
        raise ConfigError(f"feed {feed.name!r}: interval_s must be positive")
    return feed


def _origin(feed: str, value: str) -> str:
    # Written as a URL; compared as scheme://host:port, so another port is another origin.
    try:
        normalized = origin(value)
    except Refused as error:
        raise ConfigError(f"feed {feed!r}: allow_private_origins: {error}") from error
    if urlsplit(value).path not in ("", "/") or "@" in urlsplit(value).netloc:
        raise ConfigError(f"feed {feed!r}: allow_private_origins takes origins, got {value!r}")
    return normalized
