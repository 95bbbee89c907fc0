"""Full text for summary-only entries: fetch the article page, extract its prose."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from pipeline.text.clean import body_to_text, html_to_text
from wirestream.feeds.http import Fetcher, FetchError
from wirestream.feeds.parse import Item


def fill_full_text(
    items: list[Item],
    *,
    fetch: Fetcher,
    headers: Mapping[str, str],
    timeout: float,
    max_bytes: int,
    concurrency: int,
) -> list[str]:
    """Replace summary bodies by the article page's text, in place; return the problems.

    An item keeps its summary when the page cannot be fetched, is not HTML, or yields less
    text than the summary; an item left with no body at all is removed from ``items``.

    Args:
        items: parsed items; only those flagged ``needs_full_text`` are fetched.
        fetch: the HTTP fetcher.
        headers: request headers (User-Agent).
        timeout: per-page timeout in seconds.
        max_bytes: largest page accepted.
        concurrency: pages fetched at the same time.
    """
    wanted = [item for item in items if item.needs_full_text]
    if not wanted:
        return []

    def page_text(item: Item) -> str:
        url = item.record["url"]
        response = fetch(url, headers=headers, timeout=timeout, max_bytes=max_bytes)
        if response.status != 200:
            raise FetchError(f"HTTP {response.status}")
        kind = response.headers.get("content-type", "text/html")
        if "html" not in kind:
            raise FetchError(f"not HTML ({kind})")
        return html_to_text(response.body.decode(_charset(kind), errors="replace"))

    problems: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = [(item, pool.submit(page_text, item)) for item in wanted]
        for item, future in futures:
            try:
                text = future.result()
            except (FetchError, ValueError) as error:
                problems.append(f"full text of {item.record['url']}: {error}")
                continue
            if len(text) > len(body_to_text(item.record["body"])):
                item.record["body"] = text
    empty = [item for item in wanted if not item.record["body"]]
    for item in empty:
        problems.append(f"no body for {item.record['url']}: skipped")
        items.remove(item)
    return problems


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
            try:
                codecs.lookup(charset)
            except LookupError:
                break
            return charset
    return "utf-8"
