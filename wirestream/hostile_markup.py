"""A seeded corpus of raw articles whose every string field carries markup or terminal tricks.

Each line is a well-formed ``raw_article.v1`` record built on the generator's own stories
(`wirestream.hostile`), so most of them run the whole pipeline (NLP, clustering, events);
its title, body, source, authors, url, id and date carry raw tags, entity-escaped and
double-escaped tags, rich console markup, ANSI/OSC escape sequences and bidi overrides.
What comes out of ``wirestream process`` must hold none of them live: see docs/security.md.
"""

from __future__ import annotations

import html
import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wirestream.hostile import families_path, line_safe, story_article

_TAGS = (
    "<svg onload=alert(1)>",
    "<img src=x onerror=alert(2)>",
    "<script>alert(3)</script>",
    "<details open ontoggle=alert(4)>",
    "<a href=javascript:alert(5)>link</a>",
    "</title><script>alert(6)</script>",
    "<iframe srcdoc='<script>alert(7)</script>'></iframe>",
    "<!--><img src=x onerror=alert(8)>-->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(9)>",
    "<xmp><img src=x onerror=alert(10)></xmp>",
    "<?xml version='1.0'?><b>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
)
TRICKS: dict[str, tuple[str, ...]] = {
    "raw_tag": _TAGS,
    "entity_tag": (
        *(html.escape(tag) for tag in _TAGS),
        "&#60;svg onload=alert(11)&#62;",
        "&#x3c;img src=x onerror=alert(12)&#x3e;",
    ),
    "double_escaped_tag": (
        *(html.escape(html.escape(tag)) for tag in _TAGS),
        "&amp;#60;script&amp;#62;alert(13)&amp;#60;/script&amp;#62;",
    ),
    "rich_markup": (
        "[/bold]",
        "[/]",
        "[link=https://evil.example/login]Sign in[/link]",
        "[bold red]URGENT[/bold red]",
        ":warning: :skull:",
        "[blink]",
    ),
    "terminal_escape": (
        "\x1b]0;owned\x07",
        "\x1b[2J\x1b[H",
        "\x1b[31m",
        "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
        "\x07\x08\x08\x08",
        "\x9b31m",
        "\x1bP+q\x1b\\",
    ),
    "bidi_override": (
        "\u202eexe.gpj",
        "\u202dforced\u202c",
        "\u2066isolate\u2069",
        "\u2067rtl\u2069",
        "\u200fmark\u200e",
        "\u061c",
        "\U000e0041\U000e0042",  # tag characters: invisible text
    ),
}
KINDS = tuple(TRICKS)
_TEXT_FIELDS = ("title", "body", "source", "published_at")


def _tricked(text: str, kind: str, rng: random.Random) -> str:
    trick = rng.choice(TRICKS[kind])
    where = rng.randrange(3)
    if where == 0:
        return trick + text
    if where == 1:
        return text + " " + trick
    cut = rng.randrange(len(text) + 1)
    return text[:cut] + trick + text[cut:]


def tricky_article(rng: random.Random, kind: str) -> dict[str, Any]:
    """One valid raw article with a ``kind`` trick in every string field.

    Args:
        rng: the random source.
        kind: a key of `TRICKS`.
    """
    record = story_article(rng)
    for field in _TEXT_FIELDS:
        record[field] = _tricked(str(record[field]), kind, rng)
    record["authors"] = [_tricked(name, kind, rng) for name in record["authors"]]
    record["id"] = _tricked(str(record["id"]), kind, rng)
    # Tricks go in the path and, once in a while, in the userinfo too.
    base, _, path = str(record["url"]).partition(".example/")
    userinfo = "user:s3cret@" if rng.random() < 0.3 else ""
    record["url"] = base.replace("://", f"://{userinfo}") + ".example/" + _tricked(path, kind, rng)
    return record


def generate(count: int, *, seed: int = 0) -> Iterator[tuple[str, bytes]]:
    """Yield ``(family, line)`` for ``count`` records, kinds in turn; same seed, same lines.

    Args:
        count: number of records.
        seed: random seed.
    """
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        rng = random.Random(f"markup-{seed}-{index}")
        record = tricky_article(rng, kind)
        data = json.dumps(record, ensure_ascii=rng.random() < 0.5).encode("utf-8")
        yield f"markup_{kind}", line_safe(data)


def write_corpus(corpus: Path, count: int, *, seed: int = 0) -> Counter[str]:
    """Write ``count`` lines to ``corpus`` and their families to the side file; return counts.

    Args:
        corpus: the output file.
        count: number of records.
        seed: random seed.
    """
    counts: Counter[str] = Counter()
    corpus.parent.mkdir(parents=True, exist_ok=True)
    with corpus.open("wb") as lines, families_path(corpus).open("w") as names:
        for family, line in generate(count, seed=seed):
            lines.write(line + b"\n")
            names.write(family + "\n")
            counts[family] += 1
    return counts
