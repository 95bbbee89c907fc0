"""``wirestream events serve``: events and articles in SQLite, a JSON API, a live page."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from config.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``events serve``."""
    parser = subparsers.add_parser("events", help="the event service: search, live page, API")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="materialize the topics into SQLite and serve them")
    serve.add_argument("--port", type=int, default=None, help="default $WIRESTREAM_EVENTS_PORT")
    serve.add_argument("--host", default=None, help="default $WIRESTREAM_WEB_HOST")
    serve.add_argument("--broker", default=None, help="bootstrap servers (host:port)")
    serve.add_argument("--db", type=Path, default=None, help="default DATA_DIR/events.sqlite3")
    serve.add_argument(
        "--group",
        default=None,
        help="consumer group (default: one per database file, so each copy reads everything)",
    )
    serve.add_argument(
        "--log-format", default=os.environ.get("WIRESTREAM_LOG_FORMAT", "text"),
        choices=["text", "json"],
    )  # fmt: skip
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Open the database, start the consumer thread and the web server; run until stopped."""
    from aiohttp import web

    from wirestream.events.materialize import Materializer
    from wirestream.events.queries import Reader
    from wirestream.events.store import Store
    from wirestream.logs import setup_logging

    setup_logging(args.log_format)
    logging.getLogger("kafka").setLevel(logging.WARNING)  # one line per connection otherwise
    settings = Settings.from_env(broker=args.broker, events_port=args.port, web_host=args.host)
    path = args.db or settings.data_dir / "events.sqlite3"
    store = Store(path)
    group = args.group or f"{settings.app_id}-events-{store.instance}"
    materializer = Materializer(store, settings, group_id=group)
    from wirestream.events.web import build_app

    app = build_app(Reader(path), materializer)
    url = f"http://{settings.web_host}:{settings.events_port}/"
    print(f"events: {url} (database {path}, consumer group {group})", flush=True)
    web.run_app(
        app,
        host=settings.web_host,
        port=settings.events_port,
        print=None,
        access_log=None,
        # a closed page ends its event stream at once: browsers keep six connections per host
        handler_cancellation=True,
    )
    return 0
