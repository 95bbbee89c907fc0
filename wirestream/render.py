"""Human-readable rendering of event records for the terminal."""

from __future__ import annotations

import textwrap
from typing import Any

from wirestream.terminal import printable


def render_event(event: dict[str, Any], *, width: int = 88) -> str:
    """An event as a short write-up: title, cited summary, sources, disagreements, updates.

    Args:
        event: an event record (``news.events.v1``).
        width: wrap width.
    """
    # Every field is written by strangers: control and bidi characters are shown as escapes.
    p = printable
    lines = [
        f"■ {p(event['title'])}",
        f"  event {p(event['event_id'])} · v{p(event['version'])} · "
        f"{p(event['article_count'])} article(s) · {len(event['sources'])} source(s)",
    ]
    for sentence in event.get("summary", []):
        cites = ", ".join(p(n) for n in sentence["sources"])
        lines += textwrap.wrap(
            f"{p(sentence['text'])} [{cites}]", width, initial_indent="  ", subsequent_indent="  "
        )
    for source in event["sources"]:
        lines.append(f"  [{p(source['n'])}] {p(source['name'])} — {p(source['url'])}")
    for item in event.get("disagreements", []):
        values = "; ".join(
            f"{p(v['value'])} [{', '.join(p(n) for n in v['sources'])}]" for v in item["values"]
        )
        lines.append(f"  ⚠ {p(item.get('description') or item['field'])}: {values}")
    steps: dict[str, list[str]] = {}
    for update in event.get("updates") or []:
        cites = ", ".join(p(n) for n in update["sources"])
        steps.setdefault(p(update["field"]), []).append(f"{p(update['value'])} [{cites}]")
    for field, values in steps.items():
        what = field.split(":", 1)[-1]
        lines.append(f"  ↻ updated, {what}: {' → '.join(values)}")
    return "\n".join(lines)
