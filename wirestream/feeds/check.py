"""One fetch of every feed, read-only: what ``wirestream feeds check`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from wirestream.feeds.config import PollerConfig
from wirestream.feeds.http import Fetcher, FetchError, http_fetch
from wirestream.feeds.parse import MalformedFeed, parse_document
from wirestream.feeds.state import StateStore


@dataclass
class CheckRow:
    """What one feed answered.

    Args:
        feed: the feed name.
        url: the URL fetched.
        status: the HTTP status, or ``error`` / ``retired``.
        ok: the feed is usable.
        items: entries in the document.
        new: entries the poller has not published yet (all, without a state store).
        problems: what is wrong.
        latest: the title of the first entry of the document (untrusted text).
    """

    feed: str
    url: str
    status: str
    ok: bool = False
    items: int = 0
    new: int = 0
    problems: list[str] = field(default_factory=list)
    latest: str = ""


def check_feeds(
    config: PollerConfig, *, store: StateStore | None = None, fetch: Fetcher = http_fetch
) -> list[CheckRow]:
    """Fetch and parse every feed once, without conditional headers and without writing state.

    Args:
        config: the poller configuration.
        store: the poller's state, to count new entries and use remembered redirects.
        fetch: the HTTP fetcher.
    """
    rows = []
    for feed in config.feeds:
        state = store.feed(feed.name, feed.url) if store else None
        url = state.fetch_url if state else feed.url
        row = CheckRow(feed.name, url, "retired" if state and state.retired else "")
        if row.status == "retired":
            row.problems.append(state.last_error or "retired" if state else "retired")
            rows.append(row)
            continue
        try:
            response = fetch(
                url,
                headers={"User-Agent": config.user_agent},
                timeout=config.timeout_s,
                max_bytes=config.max_feed_bytes,
                allow=feed.allow_private_origins,
            )
        except FetchError as error:
            row.status, row.problems = "error", [str(error)]
            rows.append(row)
            continue
        row.status = str(response.status)
        if response.permanent_url:
            row.problems.append(f"moved permanently to {response.permanent_url}")
        if response.status != 200:
            row.problems.append(f"HTTP {response.status}")
            rows.append(row)
            continue
        try:
            parsed = parse_document(response.body, feed=feed, base_url=response.url)
        except MalformedFeed as error:
            row.problems.append(str(error))
            rows.append(row)
            continue
        keys = [key for item in parsed.items for key in item.seen_keys]
        seen = store.seen(feed.name, keys) if store else set()
        row.ok, row.items = True, len(parsed.items)
        row.latest = str(parsed.items[0].record.get("title", "")) if parsed.items else ""
        row.new = sum(1 for item in parsed.items if not seen.intersection(item.seen_keys))
        row.problems += parsed.problems
        rows.append(row)
    return rows
