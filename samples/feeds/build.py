"""Rebuild rss.xml, atom.xml and wire.jsonl from samples/articles.jsonl (good lines only).

Run from the repository root: ``python samples/feeds/build.py``. The output is committed;
this script only documents how it was made.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pipeline.text.dates import parse_datetime

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "articles.jsonl"
RSS_IDS = {f"s{n:02d}" for n in range(1, 13)}
ATOM_IDS = {f"s{n:02d}" for n in range(13, 21)}
UPDATED = datetime(2026, 11, 5, 14, 0, tzinfo=UTC)


def good_records() -> list[dict[str, Any]]:
    """The sample's well-formed records (those with an id), in file order."""
    records = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "id" in record:
            records.append(record)
    return records


def summary(body: str) -> str:
    """The first sentence of a body, without markup: what a feed's description shows."""
    text = body.replace("<p>", "").replace("</p>", " ").split("\n")[0]
    return text.split(". ")[0].strip().rstrip(".") + "."


def when(record: dict[str, Any]) -> datetime | None:
    """The record's published time in UTC, if it has one."""
    value = record.get("published_at")
    return None if value is None else parse_datetime(value)


def rss(records: list[dict[str, Any]]) -> str:
    """An RSS 2.0 aggregator feed with full content and per-item sources."""
    items = []
    for r in records:
        published = when(r)
        parts = [
            f"<title>{escape(r['title'])}</title>",
            f"<link>{escape(r['url'])}</link>",
            f'<guid isPermaLink="false">{r["id"]}</guid>',
            *(f"<dc:creator>{escape(a)}</dc:creator>" for a in r.get("authors", [])),
            f"<pubDate>{format_datetime(published)}</pubDate>" if published else "",
            f'<source url="https://feeds.wirestream.example/{r["id"]}">'
            f"{escape(r['source'])}</source>"
            if r.get("source")
            else "",
            f"<description>{escape(summary(r['body']))}</description>",
            f"<content:encoded><![CDATA[{r['body']}]]></content:encoded>",
        ]
        body = "\n      ".join(p for p in parts if p)
        items.append(f"    <item>\n      {body}\n    </item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '     xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        "  <channel>\n"
        "    <title>Wirestream sample wire (RSS)</title>\n"
        "    <link>https://feeds.wirestream.example/</link>\n"
        "    <description>Fictional sample articles for the wirestream tests.</description>\n"
        "    <language>en-gb</language>\n"
        f"    <lastBuildDate>{format_datetime(UPDATED)}</lastBuildDate>\n"
        + "\n".join(items)
        + "\n  </channel>\n</rss>\n"
    )


def atom(records: list[dict[str, Any]]) -> str:
    """An Atom 1.0 aggregator feed with HTML content, summaries and per-entry sources."""
    entries = []
    for r in records:
        published = when(r)
        stamp = (published or UPDATED).isoformat().replace("+00:00", "Z")
        parts = [
            f"<title>{escape(r['title'])}</title>",
            f'<link rel="alternate" href={quoteattr(r["url"])}/>',
            f"<id>urn:wirestream:sample:{r['id']}</id>",
            f"<published>{stamp}</published>" if published else "",
            f"<updated>{stamp}</updated>",
            *(f"<author><name>{escape(a)}</name></author>" for a in r.get("authors", [])),
            f"<source><title>{escape(r['source'])}</title></source>" if r.get("source") else "",
            f'<summary type="text">{escape(summary(r["body"]))}</summary>',
            f'<content type="html">{escape(r["body"])}</content>',
        ]
        entries.append("  <entry>\n    " + "\n    ".join(p for p in parts if p) + "\n  </entry>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        "  <title>Wirestream sample wire (Atom)</title>\n"
        "  <id>urn:wirestream:sample-atom</id>\n"
        f"  <updated>{UPDATED.isoformat().replace('+00:00', 'Z')}</updated>\n"
        '  <link rel="self" href="https://feeds.wirestream.example/atom.xml"/>\n'
        + "\n".join(entries)
        + "\n</feed>\n"
    )


def main() -> None:
    """Write the three generated fixtures next to this script."""
    records = good_records()
    (HERE / "rss.xml").write_text(rss([r for r in records if r["id"] in RSS_IDS]), "utf-8")
    (HERE / "atom.xml").write_text(atom([r for r in records if r["id"] in ATOM_IDS]), "utf-8")
    rest = [r for r in records if r["id"] not in RSS_IDS | ATOM_IDS]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rest)
    (HERE / "wire.jsonl").write_text(lines, "utf-8")


if __name__ == "__main__":
    main()
