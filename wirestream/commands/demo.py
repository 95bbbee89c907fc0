"""``wirestream demo FILE``: broker + worker in the background, replay a file, print events."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from config.settings import Settings
from deploy import lifecycle
from pipeline.stages import live_events
from wirestream.commands.produce import read_lines
from wirestream.events import background as event_service
from wirestream.kafka import end_offsets, ensure_topics, producer, read_topic
from wirestream.render import render_event
from wirestream.workers import spawn_worker


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``demo``."""
    parser = subparsers.add_parser("demo", help="run the pipeline locally on a sample and show it")
    parser.add_argument("file", type=Path, nargs="?", default=Path("samples/articles.jsonl"))
    parser.add_argument("--stop", action="store_true", help="stop the demo worker and broker")
    parser.add_argument(
        "--feeds",
        type=Path,
        default=None,
        help="poll this feeds config once (served from samples/feeds) instead of replaying FILE",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start what is missing, replay the file, wait for every record, print the events."""
    from deploy import broker

    settings = Settings.from_env()
    broker_dir, worker_dir = settings.data_dir / "broker", settings.data_dir / "worker"
    events_dir = settings.data_dir / "events"
    if args.stop:
        stopped = event_service.stop(events_dir)
        print(f"event service: {'stopped' if stopped else 'not running'}")
        stopped = _stop_worker(worker_dir)
        print(f"worker: {'stopped' if stopped else 'not running'}")
        print(f"broker: {'stopped' if broker.stop(broker_dir) else 'not running'}")
        return 0
    port = int(settings.broker.rsplit(":", 1)[1])
    info = broker.start(broker_dir, port=port, controller_port=port + 1)
    print(f"broker: {info.bootstrap} ({'already running' if info.already_running else 'started'})")
    ensure_topics(info.bootstrap, settings)
    pid = _start_worker(worker_dir, info.bootstrap, settings)
    print(f"worker: pid {pid}, log {worker_dir / 'worker.log'}")
    pid = event_service.start(events_dir, bootstrap=info.bootstrap, port=settings.events_port)
    print(f"event service: pid {pid}, log {events_dir / 'events.log'}")
    names = settings.topic_names
    outputs = (names.articles, names.deadletter)
    before = end_offsets(info.bootstrap, outputs)
    if args.feeds:
        sent = _poll_feeds(args.feeds, info.bootstrap, settings)
    else:
        sent = _replay(args.file, info.bootstrap, settings)
    print(f"waiting for the pipeline to account for {sent} new input(s)…")
    deadline = time.monotonic() + args.timeout
    while (done := _grown(info.bootstrap, outputs, before)) < sent:
        if time.monotonic() > deadline:
            print(f"timed out: {done}/{sent} inputs accounted for", file=sys.stderr)
            return 1
        time.sleep(1.0)
    return _show(info.bootstrap, settings)


def _replay(path: Path, bootstrap: str, settings: Settings) -> int:
    lines = read_lines(path)
    with producer(bootstrap) as client:
        for line in lines:
            client.send(settings.topic_names.raw, value=line)
    print(f"produced {len(lines)} lines from {path} to {settings.topic_names.raw}")
    return len(lines)


def _poll_feeds(config: Path, bootstrap: str, settings: Settings) -> int:
    """Serve samples/feeds on 127.0.0.1:8765 and poll the config once; return items published."""
    server = subprocess.Popen(
        [sys.executable, "-m", "wirestream", "feeds", "serve", "samples/feeds", "--port", "8765"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "wirestream",
                "feeds",
                "run",
                str(config),
                "--once",
                "--broker",
                bootstrap,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    published = 0
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            report = orjson.loads(line)
            published += int(report.get("published") or 0)
            print(
                f"feed {report.get('feed')}: {report.get('outcome')}, "
                f"{report.get('published', 0)} published"
            )
    return published


def _show(bootstrap: str, settings: Settings) -> int:
    names = settings.topic_names
    records = read_topic(bootstrap, names.events, timeout_s=2.0)
    events = live_events([orjson.loads(r.value) for r in records])
    multi = [e for e in events if len(e["sources"]) > 1]
    host = "127.0.0.1" if settings.web_host in ("", "0.0.0.0") else settings.web_host
    base = f"http://{host}:{settings.events_port}"
    print(f"\n{len(events)} events ({len(multi)} with two or more sources):\n")
    for event in sorted(events, key=lambda e: (-len(e["sources"]), e["title"])):
        print(render_event(event))
        print(f"  page: {base}/events/{event['event_id']}\n")
    listed = event_service.wait_for_events(base, {e["event_id"] for e in events})
    state = "" if listed else " (still catching up: see its log)"
    print(f"Event service: {base}/ — search, topics, live updates{state}")
    print(f"Raw records: wirestream tail {names.events} | {names.articles} | {names.deadletter}")
    print("Stop with: make stop")
    return 0


def _grown(bootstrap: str, topics: tuple[str, ...], before: dict[Any, int]) -> int:
    after = end_offsets(bootstrap, topics)
    return sum(offset - before.get(tp, 0) for tp, offset in after.items())


def _worker_pid(worker_dir: Path) -> int | None:
    return lifecycle.recorded_pid(worker_dir / "worker.pid")


def _start_worker(worker_dir: Path, bootstrap: str, settings: Settings) -> int:
    pid = _worker_pid(worker_dir)
    if pid is not None:
        return pid
    child = spawn_worker(bootstrap, worker_dir, web_port=settings.web_port)
    (worker_dir / "worker.pid").write_text(str(child.pid))
    return child.pid


def _stop_worker(worker_dir: Path, timeout: float = 30.0) -> bool:
    return lifecycle.stop_recorded(worker_dir / "worker.pid", timeout=timeout)
