"""``wirestream feeds run|check|serve``: poll RSS/Atom/JSONL feeds into ``news.raw.v1``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any

from config.settings import Settings
from wirestream.feeds.config import ConfigError, load_config

log = logging.getLogger("wirestream.feeds")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``feeds`` and its actions."""
    parser = subparsers.add_parser("feeds", help="poll RSS/Atom/JSONL feeds into news.raw.v1")
    actions = parser.add_subparsers(dest="feeds_action", metavar="ACTION", required=True)

    run = actions.add_parser("run", help="poll the configured feeds until stopped")
    run.add_argument("config", type=Path, help="feeds TOML file")
    run.add_argument("--broker", default=None, help="bootstrap servers (host:port)")
    run.add_argument("--once", action="store_true", help="poll every feed once, then exit")
    run.add_argument("--metrics-port", type=int, default=None, help="serve /metrics here")
    run.add_argument(
        "--metrics-host",
        default=os.environ.get("WIRESTREAM_METRICS_HOST", "127.0.0.1"),
        help="address /metrics binds (env WIRESTREAM_METRICS_HOST; 0.0.0.0 in a container)",
    )
    run.add_argument(
        "--state", type=Path, default=None, help="state file (default: DATA_DIR/feeds/state.sqlite)"
    )
    run.set_defaults(func=run_feeds)

    check = actions.add_parser("check", help="fetch every feed once and print a status table")
    check.add_argument("config", type=Path, help="feeds TOML file")
    check.add_argument(
        "--state", type=Path, default=None, help="state file used to count new entries (read only)"
    )
    check.set_defaults(func=check_feeds_command)

    serve = actions.add_parser("serve", help="serve a folder over HTTP for local feed tests")
    serve.add_argument("dir", type=Path, help="folder to serve (e.g. samples/feeds)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--host", default="127.0.0.1")
    serve.set_defaults(func=serve_folder)


def _state_path(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.state) if args.state else settings.data_dir / "feeds" / "state.sqlite"


def run_feeds(args: argparse.Namespace) -> int:
    """Poll until SIGINT/SIGTERM (or one round with --once); publish with acks=all."""
    from kafka.errors import KafkaError

    from wirestream.feeds.metrics import FeedMetrics
    from wirestream.feeds.poller import Poller
    from wirestream.feeds.publish import KafkaPublisher
    from wirestream.feeds.state import StateStore
    from wirestream.kafka import producer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)  # per-connection INFO lines drown ours
    try:
        config = load_config(args.config)
    except (ConfigError, OSError) as error:
        log.error("%s", error)
        return 2
    settings = Settings.from_env(broker=args.broker)
    metrics = FeedMetrics(feed.name for feed in config.feeds)
    if args.metrics_port is not None:
        metrics.serve(args.metrics_port, addr=args.metrics_host)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    store = StateStore(_state_path(args, settings))
    try:
        with producer(settings.broker) as client:
            publish = KafkaPublisher(client, settings.topic_names.raw)
            poller = Poller(config, store=store, publish=publish, sleep=stop.wait, metrics=metrics)
            results = poller.run(stop=stop, once=args.once)
    except KafkaError as error:
        log.error("broker %s: %s", settings.broker, error)
        return 2
    finally:
        store.close()
    for result in results:
        print(json.dumps(vars(result)))
    return 1 if any(result.outcome == "error" for result in results) else 0


def check_feeds_command(args: argparse.Namespace) -> int:
    """Fetch every feed once; print status, item counts and problems; 1 if any failed."""
    from wirestream.feeds.check import check_feeds
    from wirestream.feeds.state import StateStore

    try:
        config = load_config(args.config)
    except (ConfigError, OSError) as error:
        print(f"error: {error}")
        return 2
    path = _state_path(args, Settings.from_env())
    store = StateStore(path) if path.exists() else None
    try:
        rows = check_feeds(config, store=store)
    finally:
        if store is not None:
            store.close()
    _print_table(rows)
    return 0 if all(row.ok for row in rows) else 1


def _print_table(rows: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from wirestream.terminal import plain

    table = Table(title="feeds")
    for column in ("feed", "status", "items", "new", "latest", "problems", "url"):
        table.add_column(column, justify="right" if column in ("items", "new") else "left")
    for row in rows:
        style = "green" if row.ok and not row.problems else ("yellow" if row.ok else "red")
        # URLs, titles and problems quote feed content: plain text, never rich markup.
        table.add_row(
            plain(row.feed),
            plain(row.status, style=style),
            plain(row.items),
            plain(row.new),
            plain(row.latest[:60] or "-"),
            plain("; ".join(row.problems) or "-"),
            plain(row.url),
        )
    Console(width=200).print(table)


def serve_folder(args: argparse.Namespace) -> int:
    """Serve a folder until interrupted."""
    from wirestream.feeds.serve import make_server

    server = make_server(args.dir, host=args.host, port=args.port)
    print(f"serving {args.dir} at http://{args.host}:{server.server_address[1]}/")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
