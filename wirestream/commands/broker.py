"""``wirestream broker start|stop|status|fetch``: one local KRaft Kafka node for development."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from config.settings import Settings

NOT_RUNNING = 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``broker`` and its ``start``, ``stop`` and ``status`` subcommands."""
    settings = Settings.from_env()
    port = int(settings.broker.rsplit(":", 1)[1])
    parser = subparsers.add_parser("broker", help="run a local Kafka broker (KRaft, loopback)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(settings),
        help="broker folder (default: $WIRESTREAM_BROKER_DIR or DATA_DIR/broker)",
    )
    start = actions.add_parser("start", parents=[common], help="start it unless it runs")
    start.add_argument("--port", type=int, default=port, help="client port (default %(default)s)")
    start.add_argument("--controller-port", type=int, default=None, help="default: port + 1")
    start.add_argument("--timeout", type=float, default=120.0, help="seconds to become ready")
    start.set_defaults(func=run_start)
    stop = actions.add_parser("stop", parents=[common], help="stop it (SIGTERM, then SIGKILL)")
    stop.add_argument("--timeout", type=float, default=30.0, help="seconds before SIGKILL")
    stop.set_defaults(func=run_stop)
    status = actions.add_parser("status", parents=[common], help="JSON; exit 0 only if it serves")
    status.set_defaults(func=run_status)
    fetch = actions.add_parser("fetch", help="download the pinned broker jars into the cache")
    fetch.set_defaults(func=run_fetch)


def default_data_dir(settings: Settings) -> Path:
    """$WIRESTREAM_BROKER_DIR, else the broker folder under the settings' data dir.

    Args:
        settings: where the data dir comes from.
    """
    explicit = os.environ.get("WIRESTREAM_BROKER_DIR")
    return Path(explicit).expanduser() if explicit else settings.data_dir / "broker"


def run_start(args: argparse.Namespace) -> int:
    """Start the broker (or report the running one) and print where it listens."""
    from deploy import broker
    from deploy.jars import JarError
    from deploy.java import JavaNotFoundError

    try:
        info = broker.start(
            args.data_dir,
            port=args.port,
            controller_port=args.controller_port or args.port + 1,
            timeout=args.timeout,
        )
    except (broker.BrokerError, JarError, JavaNotFoundError) as error:
        sys.stderr.write(f"wirestream broker start: {error}\n")
        return 1
    state = "already running" if info.already_running else f"started in {info.seconds:.1f} s"
    if info.port != args.port:
        state += f" (on its own port {info.port}, not --port {args.port}; stop it to change)"
    sys.stderr.write(f"broker {state}: {info.bootstrap} (pid {info.pid}, log {info.log})\n")
    _print_json(info.to_dict())
    return 0


def run_stop(args: argparse.Namespace) -> int:
    """Stop the broker; stopping one that is not running is not an error."""
    from deploy import broker

    try:
        stopped = broker.stop(args.data_dir, timeout=args.timeout)
    except broker.BrokerError as error:
        sys.stderr.write(f"wirestream broker stop: {error}\n")
        return 1
    sys.stderr.write(f"broker {'stopped' if stopped else 'was not running'} ({args.data_dir})\n")
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Print the broker's status as JSON; exit 0 if it runs and answers, else 3."""
    from deploy import broker

    report = broker.status(args.data_dir)
    _print_json(report)
    return 0 if report["running"] and report["reachable"] else NOT_RUNNING


def run_fetch(args: argparse.Namespace) -> int:
    """Download and verify the pinned jars (a warm cache is only checked); print the lib dir."""
    from deploy.jars import JarError, ensure_jars
    from deploy.java import JavaNotFoundError, find_java

    try:
        lib_dir = ensure_jars()
    except JarError as error:
        sys.stderr.write(f"wirestream broker fetch: {error}\n")
        return 1
    sys.stdout.write(f"{lib_dir}\n")
    try:
        java = find_java()
        sys.stderr.write(f"java {java.version} ({java.origin}): {java.path}\n")
    except JavaNotFoundError as error:
        sys.stderr.write(f"warning: {error}\n")
    return 0


def _print_json(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, indent=2) + "\n")
    sys.stdout.flush()
