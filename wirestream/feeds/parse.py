"""Feed documents (RSS, Atom via feedparser; JSONL) to raw ``news.raw.v1`` records."""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import orjson

from pipeline.text.urls import InvalidURL, canonical_url
from wirestream.feeds.config import FeedConfig

# feedparser flags these as "bozo" although the document parsed fine.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class MalformedFeed(ValueError):
    """The document is not a usable feed."""


@dataclass
class Item:
    """One feed entry ready to publish.

    Args:
        record: the raw article (``news.raw.v1`` fields).
        key: the canonical URL (the Kafka key).
        seen_keys: keys that identify the entry in the seen set.
        needs_full_text: the entry only carried a summary.
    """

    record: dict[str, Any]
    key: str
    seen_keys: tuple[str, ...]
    needs_full_text: bool = False


@dataclass
class Parsed:
    """A parsed feed document.

    Args:
        items: usable entries, in feed order, duplicates within the document removed.
        problems: entries skipped or recovered-from errors, as short messages.
    """

    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_document(body: bytes, *, feed: FeedConfig, base_url: str) -> Parsed:
    """Parse a fetched document according to the feed's format.

    Args:
        body: the response body.
        feed: the feed's configuration.
        base_url: the URL the document came from (resolves relative links).
    """
    parsed = (
        _parse_jsonl(body, feed, base_url)
        if feed.format == "jsonl"
        else _parse_feed(body, feed, base_url)
    )
    unique: dict[str, Item] = {}
    for item in parsed.items:
        unique.setdefault(item.key, item)
    parsed.items = list(unique.values())
    return parsed


def _parse_feed(body: bytes, feed: FeedConfig, base_url: str) -> Parsed:
    # Sanitizing and link rewriting cost up to 10x the parse on HTML-heavy feeds, and the
    # pipeline's cleaner turns every field into plain text anyway.
    document = feedparser.parse(
        body,
        response_headers={"content-location": base_url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    error = document.get("bozo_exception") if document.get("bozo") else None
    harmful = error is not None and not isinstance(error, _HARMLESS)
    if not document.get("version") and not document.entries:
        raise MalformedFeed(f"not a feed: {error or 'no RSS/Atom root element'}")
    parsed = Parsed(problems=[f"malformed feed (entries recovered): {error}"] if harmful else [])
    language = feed.language or _feed_language(document)
    for number, entry in enumerate(document.entries, 1):
        try:
            parsed.items.append(_entry_item(entry, feed, base_url, language))
        except Exception as problem:  # one odd entry must not cost the others
            parsed.problems.append(f"entry {number} skipped: {_describe(problem)}")
    if harmful and not parsed.items:
        raise MalformedFeed(f"malformed feed: {error}")
    return parsed


def _feed_language(document: Any) -> str | None:
    language = document.feed.get("language")
    return str(language).split("-")[0].lower() if language else None


def _entry_item(entry: Any, feed: FeedConfig, base_url: str, language: str | None) -> Item:
    link = entry.get("link")
    if not link:
        raise ValueError("no link")
    url = urljoin(base_url, link)
    content = _content(entry)
    summary = entry.get("summary", "")
    record: dict[str, Any] = {
        "id": entry.get("id") or url,
        "url": url,
        "title": entry.get("title", ""),
        "body": content or summary,
        "authors": [a["name"] for a in entry.get("authors", []) if a.get("name")],
    }
    # An item's <source> names the outlet it came from; aggregator feeds carry several.
    _set_source(record, entry.get("source", {}).get("title"), feed)
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    if published:
        record["published_at"] = _iso(published)
    if language:
        record["language"] = language
    needs_full_text = feed.full_text and not content
    if not record["body"] and not needs_full_text:
        raise ValueError(f"no content or summary ({url})")
    return _item(record, needs_full_text=needs_full_text)


def _content(entry: Any) -> str:
    # Prefer the longest HTML-or-text content block; summaries are the fallback.
    blocks = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    return max(blocks, key=len) if blocks else ""


def _iso(moment: time.struct_time) -> str:
    # feedparser's *_parsed values are UTC struct_times.
    return datetime.fromtimestamp(calendar.timegm(moment), UTC).isoformat()


def _parse_jsonl(body: bytes, feed: FeedConfig, base_url: str) -> Parsed:
    parsed = Parsed()
    lines = [line for line in body.split(b"\n") if line.strip()]
    for number, line in enumerate(lines, 1):
        try:
            record = orjson.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("url"), str):
                raise ValueError("not an object with a url")
            record["url"] = urljoin(base_url, record["url"])
            _set_source(record, record.pop("source", None), feed)
            if feed.language:
                record.setdefault("language", feed.language)
            record.setdefault("id", record["url"])
            parsed.items.append(_item(record, needs_full_text=False))
        except Exception as problem:  # one odd line must not cost the others
            parsed.problems.append(f"line {number} skipped: {_describe(problem)}")
    if lines and not parsed.items:
        raise MalformedFeed(f"no usable JSONL line: {parsed.problems[0]}")
    return parsed


def _set_source(record: dict[str, Any], claimed: Any, feed: FeedConfig) -> None:
    # A feed may name any outlet: only a feed trusted to do so is believed.
    if isinstance(claimed, str) and claimed.strip() and feed.trust_item_source:
        record["source"] = claimed
        return
    record["source"] = feed.source
    if isinstance(claimed, str) and claimed.strip() and claimed != feed.source:
        record["claimed_source"] = claimed


def _describe(problem: Exception) -> str:
    if isinstance(problem, ValueError):
        return str(problem)
    return f"{type(problem).__name__}: {problem}"


def _item(record: dict[str, Any], *, needs_full_text: bool) -> Item:
    try:
        key = canonical_url(record["url"])
    except InvalidURL as error:
        raise ValueError(f"bad link {record['url']!r}: {error}") from error
    seen_keys = (f"guid:{record['id']}", f"url:{key}")
    return Item(record=record, key=key, seen_keys=seen_keys, needs_full_text=needs_full_text)
