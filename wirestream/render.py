"""Human-readable rendering of event records for the terminal."""

from __future__ import annotations

import textwrap
from typing import Any


def render_event(event: dict[str, Any], *, width: int = 88) -> str:
    """An event as a short write-up: title, cited summary, sources, disagreements, updates.

    Args:
        event: an event record (``news.events.v1``).
        width: wrap width.
    """
    lines = [
        f"■ {event['title']}",
        f"  event {event['event_id']} · v{event['version']} · "
        f"{event['article_count']} article(s) · {len(event['sources'])} source(s)",
    ]
    for sentence in event.get("summary", []):
        cites = ", ".join(str(n) for n in sentence["sources"])
        lines += textwrap.wrap(
            f"{sentence['text']} [{cites}]", width, initial_indent="  ", subsequent_indent="  "
        )
    for source in event["sources"]:
        lines.append(f"  [{source['n']}] {source['name']} — {source['url']}")
    for item in event.get("disagreements", []):
        values = "; ".join(
            f"{v['value']} [{', '.join(str(n) for n in v['sources'])}]" for v in item["values"]
        )
        lines.append(f"  ⚠ {item.get('description') or item['field']}: {values}")
    steps: dict[str, list[str]] = {}
    for update in event.get("updates") or []:
        cites = ", ".join(str(n) for n in update["sources"])
        steps.setdefault(update["field"], []).append(f"{update['value']} [{cites}]")
    for field, values in steps.items():
        what = field.split(":", 1)[-1]
        lines.append(f"  ↻ updated, {what}: {' → '.join(values)}")
    return "\n".join(lines)
