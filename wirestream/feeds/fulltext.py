"""Full text for summary-only entries: fetch the article page, extract its prose."""

from __future__ import annotations

import codecs
import time
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor

from pipeline.text.clean import body_to_text, html_to_text
from wirestream.feeds.http import Fetcher, FetchError
from wirestream.feeds.parse import Item

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Text codecs that are not character sets of a web page.
_NOT_CHARSETS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined"})


def fill_full_text(
    items: list[Item],
    *,
    fetch: Fetcher,
    headers: Mapping[str, str],
    timeout: float,
    max_bytes: int,
    concurrency: int,
    allow: Collection[str] = (),
    deadline: float | None = None,
) -> list[str]:
    """Replace summary bodies by the article page's text, in place; return the problems.

    An item keeps its summary when the page cannot be fetched or decoded, is refused, is not
    HTML, or yields less text than the summary; an item left with no body at all is removed
    from ``items``. A failure stays with its item.

    Args:
        items: parsed items; only those flagged ``needs_full_text`` are fetched.
        fetch: the HTTP fetcher.
        headers: request headers (User-Agent).
        timeout: longest one page fetch may take, in seconds.
        max_bytes: largest page accepted.
        concurrency: pages fetched at the same time.
        allow: origins that may resolve to non-public addresses.
        deadline: ``time.monotonic()`` value after which no page is fetched (None: no limit).
    """
    wanted = [item for item in items if item.needs_full_text]
    if not wanted:
        return []

    def page_text(item: Item) -> str:
        budget = timeout if deadline is None else min(timeout, deadline - time.monotonic())
        if budget <= 0:
            raise FetchError("poll time budget spent")
        url = item.record["url"]
        response = fetch(url, headers=headers, timeout=budget, max_bytes=max_bytes, allow=allow)
        if response.status != 200:
            raise FetchError(f"HTTP {response.status}")
        kind = response.headers.get("content-type", "")
        if kind.split(";")[0].strip().lower() not in HTML_TYPES:
            raise FetchError(f"not HTML (Content-Type {kind or 'missing'!r})")
        return html_to_text(response.body.decode(charset(kind), errors="replace"))

    problems: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = [(item, pool.submit(page_text, item)) for item in wanted]
        for item, future in futures:
            try:
                text = future.result()
            except FetchError as error:
                problems.append(f"full text of {item.record['url']}: {error}")
                continue
            except Exception as error:  # one odd page must not cost the other items
                kind = type(error).__name__
                problems.append(f"full text of {item.record['url']}: {kind}: {error}")
                continue
            if len(text) > len(body_to_text(item.record["body"])):
                item.record["body"] = text
    empty = [item for item in wanted if not item.record["body"]]
    for item in empty:
        problems.append(f"no body for {item.record['url']}: skipped")
        items.remove(item)
    return problems


def charset(content_type: str) -> str:
    """The text encoding a Content-Type names, or utf-8 when it names none or no text one.

    Args:
        content_type: the header value.
    """
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() != "charset":
            continue
        value = value.strip().strip('"').strip()
        try:
            info = codecs.lookup(value)
            b"<p>a</p>".decode(info.name, errors="replace")  # bytes-to-bytes codecs fail here
        except (LookupError, UnicodeError, ValueError):
            return "utf-8"
        return "utf-8" if info.name.replace("_", "-") in _NOT_CHARSETS else info.name
    return "utf-8"
