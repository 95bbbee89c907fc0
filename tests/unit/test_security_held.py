"""Defences that held when the project was attacked (issue 16), kept true by a test each.

Covered elsewhere: pinned jars with a wrong SHA-256 are refused
(tests/integration/test_broker.py::test_mirror_serving_a_wrong_jar_is_refused); the status
page in a real browser (tests/integration/test_status_page.py).
"""

from __future__ import annotations

import ast
import gzip
import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from config.security import ClientSecurity
from config.settings import Settings
from pipeline.records import Incoming, Limits
from pipeline.text.normalize import normalize_batch
from wirestream.feeds.config import FeedConfig
from wirestream.feeds.http import FetchError, http_fetch
from wirestream.feeds.parse import MalformedFeed, parse_document

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]
CODE = ("agents", "config", "deploy", "pipeline", "schemas", "tools", "wirestream")
PASSWORD = "pw-4c9e-never-shown"


# The status page sets every untrusted value as text -----------------------------------------


def test_status_page_script_never_parses_strings_as_html() -> None:
    script = (ROOT / "agents" / "static" / "status.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
    assert "new Function" not in script and 'setTimeout("' not in script
    assert script.count(".textContent =") >= 10  # values go in as text


# expat with external entities off --------------------------------------------------------

_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>
<rss version="2.0"><channel><title>t</title>
<item><title>Leak &xxe; here</title><link>https://x.example/a</link>
<description>d</description></item></channel></rss>"""
_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'.encode() for n in range(9)
    )
    + b']><rss version="2.0"><channel><title>t</title><item><title>&j;</title>'
    b"<link>https://x.example/b</link><description>d</description></item></channel></rss>"
)


def test_external_entities_and_entity_bombs_do_nothing() -> None:
    feed = FeedConfig(name="f", url="https://x.example/rss", source="F")
    secret = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    try:
        parsed = parse_document(_XXE, feed=feed, base_url=feed.url)
        titles = [item.record["title"] for item in parsed.items]
    except MalformedFeed:
        titles = []
    assert not secret or all(secret not in title for title in titles)
    started = time.monotonic()
    try:
        parsed = parse_document(_LAUGHS, feed=feed, base_url=feed.url)
        sizes = [len(item.record["title"]) for item in parsed.items]
    except MalformedFeed:
        sizes = []
    assert time.monotonic() - started < 5.0
    assert all(size < 10_000 for size in sizes)  # 10^10 characters if it had expanded


# Gzip bombs and oversize bodies are refused ---------------------------------------------


class _Bomb(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros, ~50 KB on the wire
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bomb() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bomb)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_gzip_bomb_is_refused_at_the_cap(bomb: str) -> None:
    with pytest.raises(FetchError, match="larger than 1000000 bytes"):
        http_fetch(bomb + "/", headers={}, timeout=10, max_bytes=1_000_000, allow=(bomb,))


# Invalid UTF-8 and deep JSON are dead-lettered with their reasons --------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b'{"url": "https://x.example/a", "title": "T\xff", "body": "b"}', "invalid_utf8"),
        (b'{"url": "https://x.example/a", "title": "\xed\xa0\x80", "body": "b"}', "invalid_utf8"),
        (b"[" * 50_000 + b"]" * 50_000, "invalid_json"),
        (b'{"url": "https://x.example/a", "title": "T", "body": ' + b"[" * 20_000, "invalid_json"),
    ],
)
def test_broken_bytes_and_deep_json_become_dead_letters(value: bytes, reason: str) -> None:
    message = Incoming(value=value, topic="news.raw.v1", partition=0, offset=3)
    now = datetime(2026, 10, 1, tzinfo=UTC)
    articles, deadletters = normalize_batch([message], now=now, limits=Limits())
    assert articles == [] and [d["reason"] for d in deadletters] == [reason]
    letter = deadletters[0]
    assert letter["source"]["offset"] == 3 and (letter["original"] or letter["original_b64"])


# The password is hidden from reprs ------------------------------------------------------


def test_the_password_never_shows_in_a_repr() -> None:
    env = {
        "WIRESTREAM_SECURITY_PROTOCOL": "SASL_SSL",
        "WIRESTREAM_SASL_USERNAME": "worker",
        "WIRESTREAM_SASL_PASSWORD": PASSWORD,
    }
    settings = Settings.from_env(env)
    security = ClientSecurity.from_settings(settings)
    from agents.app import broker_credentials

    credentials = broker_credentials(security)["broker_credentials"]
    for shown in (repr(settings), str(settings), repr(security), str(security), repr(credentials)):
        assert PASSWORD not in shown
    assert security.kafka_python()["sasl_plain_password"] == PASSWORD  # it is still used


# No pickle, eval or shell=True ----------------------------------------------------------

_BANNED_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "cloudpickle"}
_BANNED_CALLS = {"eval", "exec", "compile", "__import__"}


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names]
            module = getattr(node, "module", None) or ""
            if {module.split(".")[0], *(n.split(".")[0] for n in names)} & _BANNED_MODULES:
                found.append(f"{path}:{node.lineno} imports {module or names}")
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in _BANNED_CALLS:
                found.append(f"{path}:{node.lineno} calls {node.func.id}")
            for keyword in node.keywords:
                literal = isinstance(keyword.value, ast.Constant) and keyword.value.value is True
                if keyword.arg == "shell" and literal:
                    found.append(f"{path}:{node.lineno} shell=True")
            if isinstance(node.func, ast.Attribute) and node.func.attr == "load":
                target = node.func.value
                if isinstance(target, ast.Name) and target.id == "yaml":
                    found.append(f"{path}:{node.lineno} yaml.load (use safe_load)")
    return found


def test_no_pickle_eval_or_shell_anywhere_in_the_code() -> None:
    files = [path for folder in CODE for path in (ROOT / folder).rglob("*.py")]
    assert len(files) > 100
    assert [finding for path in files for finding in _findings(path)] == []


def test_every_topic_and_table_is_json_or_raw_bytes() -> None:
    topology = (ROOT / "agents" / "topology.py").read_text()
    serializers = set(re.findall(r'_serializer="(\w+)"', topology))
    assert serializers and serializers <= {"raw", "json"}
    app = (ROOT / "agents" / "app.py").read_text()
    assert "pickle" not in app and "value_serializer" not in app  # Faust's default is json
    assert json.loads(json.dumps(Settings().store)) == Settings().store
