"""Article text in the operator's terminal: shown literally, never obeyed or read as markup."""

from __future__ import annotations

import argparse
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from wirestream.commands import feeds as feeds_command
from wirestream.commands import status as status_command
from wirestream.render import render_event

pytestmark = pytest.mark.pure

MARKUP_TITLES = (
    "Tram line closes [/bold] for repairs",
    "[link=https://evil.example/login]Council vote[/link] postponed",
    "[bold red]URGENT[/] :warning: rates rise",
)
TERMINAL_TRICKS = (
    "Quiet day\x1b]0;owned\x07\x1b[2J at the harbour",
    "Budget \u202eteg dub\u202c approved",
    "Line\u2028break and bell\x07",
)
OSC, CLEAR = "\x1b]", "\x1b[2J"


class Serve(ThreadingHTTPServer):
    """Answers every GET with one fixed body."""

    def __init__(self, body: bytes, content_type: str) -> None:
        super().__init__(("127.0.0.1", 0), _Fixed)
        self.body, self.content_type = body, content_type

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Fixed(BaseHTTPRequestHandler):
    server: Serve

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.server.content_type)
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serving(body: bytes, content_type: str) -> Iterator[Serve]:
    server = Serve(body, content_type)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def status_document(titles: tuple[str, ...]) -> dict[str, Any]:
    # The fields `wirestream status` reads, as the worker's /status.json serves them.
    return {
        "app_id": "wirestream",
        "uptime_s": 12.0,
        "ready": {"ok": True, "checks": {"broker": True, "model_loaded": True}},
        "rates": {"300s": {"ingested_per_s": 1.0, "error_rate": 0.0, "duplicate_rate": 0.0}},
        "totals": {"ingested": 3, "articles": 3},
        "lag": {"total": 0, "partitions": [{"topic": "news.raw.v1", "partition": 0, "lag": 0}]},
        "recent_events": [
            {
                "title": title,
                "sources": [{"name": f"[italic]Outlet {n}\x1b[5m"}],
                "article_count": 1,
                "updated_at": "2026-11-01T10:00:00+00:00",
            }
            for n, title in enumerate(titles)
        ],
        "recent_deadletters": [
            {
                "failed_at": "2026-11-01T10:00:00+00:00",
                "stage": "normalize",
                "reason": "invalid_json",
                "message": "[/] unexpected \x1b[31mbyte",
            }
        ],
    }


@pytest.fixture
def status_server() -> Iterator[Serve]:
    body = json.dumps(status_document(MARKUP_TITLES + TERMINAL_TRICKS)).encode()
    yield from serving(body, "application/json")


def test_status_prints_hostile_titles_literally_and_exits_zero(
    status_server: Serve, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich writes for a real terminal: links, styles
    monkeypatch.setenv("COLUMNS", "240")
    args = argparse.Namespace(
        url=status_server.origin,
        max_lag=10,
        max_error_rate=0.5,
        require_ready=False,
        timeout=5.0,
        json=False,
    )
    assert status_command.run(args) == 0
    out = capsys.readouterr().out
    for title in MARKUP_TITLES:
        assert title in out
    assert "Quiet day\\x1b]0;owned\\x07\\x1b[2J at the harbour" in out
    assert "Budget \\u202eteg dub\\u202c approved" in out
    assert OSC not in out and CLEAR not in out and "\u202e" not in out and "\x07" not in out
    assert "[italic]Outlet 0\\x1b[5m" in out and "[/] unexpected \\x1b[31mbyte" in out


def test_render_survives_every_markup_fragment() -> None:
    fragments = ("[", "]", "[/]", "[/bold]", "[link=x", "[bold", ":smile:", "\\[", "[[/]]")
    titles = tuple(f"Storm {fragment} warning" for fragment in fragments)
    console = Console(file=io.StringIO(), force_terminal=True, width=240)
    status_command.render(status_document(titles), [], console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    for title in titles:
        assert title in out


def test_an_unreadable_status_is_not_reported_as_a_threshold(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for server in serving(b'{"ready": []}', "application/json"):
        args = argparse.Namespace(
            url=server.origin,
            max_lag=10,
            max_error_rate=0.5,
            require_ready=False,
            timeout=5.0,
            json=False,
        )
        assert status_command.run(args) == status_command.UNREACHABLE
    assert "unreadable status" in capsys.readouterr().out


def test_feeds_check_prints_hostile_feed_content_literally_and_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        {"url": "ftp://x.example/[/red]", "title": "skipped", "body": "b"},
        {"url": "/a", "title": MARKUP_TITLES[0], "body": "b"},
        {"url": "/b[/bold]", "title": TERMINAL_TRICKS[0], "body": "b"},
    ]
    body = b"\n".join(json.dumps(line).encode() for line in lines)
    monkeypatch.setenv("FORCE_COLOR", "1")
    for server in serving(body, "application/x-ndjson"):
        config = tmp_path / "feeds.toml"
        config.write_text(
            "[[feeds]]\n"
            'name = "wire"\n'
            f'url = "{server.origin}/wire.jsonl"\n'
            'source = "Wire"\n'
            'format = "jsonl"\n'
            f'allow_private_origins = ["{server.origin}"]\n'
        )
        parser = argparse.ArgumentParser()
        feeds_command.add_parser(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["feeds", "check", str(config), "--state", str(tmp_path / "no")])
        assert args.func(args) == 0
    out = capsys.readouterr().out
    assert MARKUP_TITLES[0] in out  # the newest entry's title, as written
    assert "ftp://x.example/[/red]" in out  # quoted in the skipped line's problem
    assert OSC not in out


def test_render_event_shows_escapes_instead_of_terminal_sequences() -> None:
    event = {
        "event_id": "e1",
        "version": 1,
        "article_count": 2,
        "title": TERMINAL_TRICKS[0],
        "summary": [{"text": TERMINAL_TRICKS[1], "sources": [1]}],
        "sources": [
            {
                "n": 1,
                "name": "Outlet\x1b[8m",
                "url": "https://a.example/\x1b]8;;https://evil/\x07x",
            },
            {"n": 2, "name": "Other", "url": "https://b.example/\u202egpj.exe"},
        ],
        "disagreements": [{"field": "when", "values": [{"value": "noon\x1b[2J", "sources": [1]}]}],
    }
    text = render_event(event)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "■ Quiet day\\x1b]0;owned\\x07\\x1b[2J at the harbour" in text
    assert "https://b.example/\\u202egpj.exe" in text and "noon\\x1b[2J" in text


def test_printable_keeps_ordinary_text_and_escapes_the_rest() -> None:
    from wirestream.terminal import printable

    ordinary = "Zürich — 東京 café ½ 🙂 a\u00a0b"
    assert printable(ordinary) == ordinary
    assert printable("a\tb\nc\u200bd\ufeffe\x85f") == "a\\x09b\\x0ac\\u200bd\\ufeffe\\x85f"


def test_feeds_check_on_the_markup_corpus_exits_zero_and_obeys_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirestream import hostile_markup
    from wirestream.terminal import printable

    lines = [line for _, line in hostile_markup.generate(12, seed=4)]
    monkeypatch.setenv("FORCE_COLOR", "1")
    for kind_index in range(len(hostile_markup.KINDS)):
        # each kind in turn leads the feed, so its title is the one shown
        body = b"\n".join(lines[kind_index:] + lines[:kind_index])
        for server in serving(body, "application/x-ndjson"):
            config = tmp_path / "feeds.toml"
            config.write_text(
                '[[feeds]]\nname = "wire"\nsource = "Wire"\nformat = "jsonl"\n'
                f'url = "{server.origin}/wire.jsonl"\n'
                f'allow_private_origins = ["{server.origin}"]\n'
            )
            parser = argparse.ArgumentParser()
            feeds_command.add_parser(parser.add_subparsers(dest="command"))
            state = str(tmp_path / "none.sqlite")
            args = parser.parse_args(["feeds", "check", str(config), "--state", state])
            assert args.func(args) == 0
        out = capsys.readouterr().out
        title = json.loads(lines[kind_index])["title"]
        assert printable(title)[:40] in out
        assert OSC not in out and CLEAR not in out and "\u202e" not in out and "\x07" not in out
