"""The markup corpus through ``wirestream process``: no output string holds a live trick.

Every string field of every article, event and dead letter is checked: no ``<`` followed by
a letter, ``/``, ``!`` or ``?`` (the start of markup for an HTML parser), and no control or
format character (ANSI/OSC escapes, bidi overrides, zero-width and tag characters), apart
from the newlines between paragraphs of an article's ``text``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wirestream import hostile, hostile_markup
from wirestream.commands.produce import read_lines

ROOT = Path(__file__).resolve().parents[3]
TAG = re.compile(r"<[A-Za-z/!?]")
SECRET = "s3cret"  # the password some corpus URLs carry as userinfo


def strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside a decoded JSON value, with a dotted path to it."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, f"{path}[]")


def live_tricks(path: str, text: str) -> list[str]:
    found = ["tag"] if TAG.search(text) else []
    newline_ok = path == "article.text"
    if any(
        unicodedata.category(char) in ("Cc", "Cf") and not (newline_ok and char == "\n")
        for char in text
    ):
        found.append("control or format character")
    return found


@pytest.mark.pure
def test_every_string_field_of_every_record_carries_a_trick() -> None:
    lines = [line for _, line in hostile_markup.generate(60, seed=1)]
    assert lines == [line for _, line in hostile_markup.generate(60, seed=1)]
    records = [json.loads(line) for line in lines]
    kinds = {
        kind: [r for i, r in enumerate(records) if i % 6 == n]
        for n, kind in enumerate(hostile_markup.KINDS)
    }
    for kind, group in kinds.items():
        tricks = hostile_markup.TRICKS[kind]
        for record in group:
            fields = ("title", "body", "source", "published_at", "id")
            for value in (*(record[field] for field in fields), *record["authors"]):
                assert any(trick in value for trick in tricks), (kind, value)


@pytest.mark.slow  # `process` loads the real spaCy model
def test_process_output_holds_no_live_markup_or_terminal_sequence(tmp_path: Path) -> None:
    corpus, out = tmp_path / "markup.jsonl", tmp_path / "out"
    counts = hostile_markup.write_corpus(corpus, 300, seed=5)
    assert set(counts) == {f"markup_{kind}" for kind in hostile_markup.KINDS}
    # and the main corpus's text families (entities, CRLF, invisible characters, bad dates)
    main = tmp_path / "main.jsonl"
    hostile.write_corpus(main, 700, seed=7, huge=0)
    with corpus.open("ab") as both:
        both.write(main.read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "wirestream", "process", str(corpus), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["inputs"] == 1_000 == summary["articles"] + summary["deadletters"]
    assert summary["articles"] > 450 and summary["events"] > 0  # the whole pipeline ran

    outputs = {
        "article": out / "news.articles.v1.jsonl",
        "event": out / "news.events.v1.jsonl",
        "deadletter": out / "news.deadletter.v1.jsonl",
    }
    problems: dict[str, tuple[list[str], str]] = {}
    checked = 0
    for kind, path in outputs.items():
        for line in read_lines(path):
            record = json.loads(line)
            for where, text in strings(record, kind):
                if where == "deadletter.original":  # the input's bytes, base64: kept on purpose
                    continue
                checked += 1
                found = live_tricks(where, text)
                if found:
                    problems.setdefault(where, (found, text[:120]))
                if kind != "deadletter":
                    assert SECRET not in text, where
    print("process on the markup corpus:", json.dumps({**summary, "strings_checked": checked}))
    assert checked > 20_000
    assert problems == {}

    articles = [json.loads(line) for line in read_lines(outputs["article"])]
    canonical = {a["article_id"]: a["canonical_url"] for a in articles}
    for line in read_lines(outputs["event"]):
        for source in json.loads(line)["sources"]:
            assert source["url"] == canonical[source["article_id"]]
