"""Run ``wirestream events serve`` as a real subprocess, and feed it pipeline outputs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from config.settings import Settings
from deploy.config import free_port
from tests.support import SAMPLE, blank_resources
from wirestream.commands.produce import read_lines
from wirestream.kafka import ensure_topics, producer

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # after every sample date: all are trusted


def pipeline_outputs(lines: list[bytes], *, offset: int = 0) -> tuple[list[dict], list[dict]]:
    """Articles and event records of raw lines, from the production pipeline functions.

    The blank spaCy pipeline with an EntityRuler stands in for the model (as in the pure
    tests); normalize, dedup, clustering, summaries and disagreements are the worker's code.

    Args:
        lines: raw input lines.
        offset: the first line's offset in the raw topic (origins must differ between calls).
    """
    from pipeline.records import Incoming
    from pipeline.stages import run

    resources = blank_resources()
    messages = [
        Incoming(value=line, topic="news.raw.v1", partition=0, offset=offset + n)
        for n, line in enumerate(lines)
    ]
    outputs = run(messages, nlp=resources.nlp, classifier=resources.classifier, state={}, now=NOW)
    return list(outputs.articles), list(outputs.events)


def sample_outputs() -> tuple[list[dict], list[dict]]:
    """The sample's articles and events (the Putin–Xi event among them)."""
    return pipeline_outputs(read_lines(SAMPLE))


def publish(
    settings: Settings, *, articles: Sequence[dict] = (), events: Sequence[dict] = ()
) -> None:
    """Send article and event records to their topics, keyed as the worker keys them."""
    with producer(settings.broker) as client:
        for article in articles:
            client.send(
                settings.topic_names.articles,
                key=article["article_id"].encode(),
                value=orjson.dumps(article),
            )
        for event in events:
            key = event["event_id"].encode()
            client.send(settings.topic_names.events, key=key, value=orjson.dumps(event))


class EventService:
    """``wirestream events serve`` in a subprocess with its own port, file and log."""

    def __init__(self, settings: Settings, data_dir: Path) -> None:
        self.settings = settings
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = data_dir / "events.sqlite3"
        self.log = data_dir / "service.log"
        self.proc: subprocess.Popen[bytes] | None = None
        data_dir.mkdir(parents=True, exist_ok=True)

    def start(self) -> EventService:
        """Start the service (returns at once)."""
        command = [
            sys.executable, "-m", "wirestream", "events", "serve", "--port", str(self.port),
            "--broker", self.settings.broker, "--db", str(self.db),
        ]  # fmt: skip
        env = {**os.environ, "WIRESTREAM_TOPIC_NAMESPACE": self.settings.topic_namespace}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        return self

    def get(self, path: str, *, timeout: float = 5.0) -> tuple[int, Any]:
        """Status and decoded JSON body of a GET."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def wait_until(self, check: Any, *, timeout: float = 60.0, what: str = "") -> Any:
        """Poll ``check`` until it returns something truthy; fail with the service's log."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                found = check()
                if found:
                    return found
            assert self.proc and self.proc.poll() is None, f"service died\n{self.tail()}"
            assert time.monotonic() < deadline, f"timed out: {what}\n{self.tail()}"
            time.sleep(0.2)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Wait for /ready 200 (caught up with the end offsets seen at start)."""
        self.wait_until(lambda: self.get("/ready")[0] == 200, timeout=timeout, what="/ready")

    def stop(self, *, sig: int = signal.SIGTERM) -> int | None:
        """Stop the service; return its exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        os.killpg(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        """The end of the service log."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def fresh_story(token: str) -> bytes:
    """A raw article no earlier run has seen (own wording; the token keeps it new)."""
    return orjson.dumps(
        {
            "id": f"fresh-{token}",
            "url": f"https://www.valleygazette.example/local/{token}",
            "title": f"Ferry to Orla Sound {token} returns after the winter refit",
            "body": (
                f"<p>The Orla Sound {token} ferry made its first crossing of the season on "
                "Monday after a three-month refit at the Dunmore yard, the operator said.</p>"
                "<p>New engines cut the crossing time to forty minutes, and the car deck "
                "was widened to take two more vans on each sailing.</p>"
            ),
            "source": "Valley Gazette",
            "published_at": "2026-11-30T08:00:00Z",
        }
    )


@contextlib.contextmanager
def serving(
    bootstrap: str, folder: Path, outputs: tuple[list[dict], list[dict]], *, prefix: str
) -> Iterator[EventService]:
    """A ready service over fresh topics (namespace ``prefix-<random>.``) holding ``outputs``."""
    settings = Settings.from_env(
        broker=bootstrap, topic_namespace=f"{prefix}-{uuid.uuid4().hex[:8]}."
    )
    ensure_topics(bootstrap, settings)
    articles, events = outputs
    publish(settings, articles=articles, events=events)
    running = EventService(settings, folder).start()
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()
