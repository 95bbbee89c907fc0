"""``wirestream status``: a worker's status in the terminal; non-zero exit past thresholds."""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from typing import Any

from wirestream.terminal import plain, printable

OK, THRESHOLD_EXCEEDED, UNREACHABLE = 0, 1, 2
WINDOW = "300s"


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``status``."""
    parser = subparsers.add_parser(
        "status", help="show a worker's throughput, lag and errors; exit 1 past thresholds"
    )
    parser.add_argument("--url", default="http://127.0.0.1:6066", help="the worker's web address")
    parser.add_argument("--max-lag", type=int, default=10_000, help="total consumer lag allowed")
    parser.add_argument(
        "--max-error-rate",
        type=float,
        default=0.05,
        help="dead letters per raw input over the last 5 minutes allowed (0..1)",
    )
    parser.add_argument("--require-ready", action="store_true", help="also fail when not ready")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the worker")
    parser.add_argument("--json", action="store_true", help="print the verdict and status as JSON")
    parser.set_defaults(func=run)


def fetch_status(url: str, *, timeout: float) -> dict[str, Any]:
    """GET ``<url>/status.json`` and decode it.

    Args:
        url: the worker's base URL.
        timeout: seconds.
    """
    with urllib.request.urlopen(url.rstrip("/") + "/status.json", timeout=timeout) as response:
        return dict(json.loads(response.read()))


def problems(
    status: dict[str, Any], *, max_lag: int, max_error_rate: float, require_ready: bool = False
) -> list[str]:
    """Each threshold the status exceeds, as a sentence (empty: all fine).

    Args:
        status: the worker's status document.
        max_lag: total consumer lag allowed.
        max_error_rate: dead letters per raw input over the last 5 minutes allowed.
        require_ready: whether a failing readiness check counts.
    """
    found = []
    lag = int(status["lag"]["total"])
    if lag > max_lag:
        found.append(f"consumer lag {lag} > {max_lag}")
    error_rate = float(status["rates"].get(WINDOW, {}).get("error_rate", 0.0))
    if error_rate > max_error_rate:
        found.append(f"dead-letter rate {error_rate:.1%} > {max_error_rate:.1%} (5 min)")
    if require_ready and not status["ready"]["ok"]:
        failing = [name for name, ok in status["ready"]["checks"].items() if not ok]
        found.append("not ready: " + ", ".join(failing))
    return found


def run(args: argparse.Namespace) -> int:
    """Fetch, render, and return 0 (fine), 1 (threshold exceeded) or 2 (unreachable/unreadable)."""
    try:
        status = fetch_status(args.url, timeout=args.timeout)
    except (OSError, ValueError, urllib.error.URLError) as error:
        if args.json:
            print(json.dumps({"ok": False, "unreachable": str(error), "url": args.url}))
        else:
            print(f"wirestream status: {args.url} unreachable: {error}")
        return UNREACHABLE
    try:
        found = problems(
            status,
            max_lag=args.max_lag,
            max_error_rate=args.max_error_rate,
            require_ready=args.require_ready,
        )
        if args.json:
            print(json.dumps({"ok": not found, "problems": found, "status": status}))
        else:
            from rich.console import Console

            render(status, found, Console())
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        # Exit 1 means "threshold exceeded": a document we cannot read is not that.
        print(f"wirestream status: {printable(args.url)} sent an unreadable status: {error!r}")
        return UNREACHABLE
    return THRESHOLD_EXCEEDED if found else OK


def render(status: dict[str, Any], found: list[str], console: Any) -> None:
    """Print the status with rich: readiness, rates, lag, newest events, last dead letters.

    Every value from the status document goes out as `plain` text: titles, names and
    messages come from articles, and rich must never read them as markup.
    """
    from rich.table import Table
    from rich.text import Text

    ready = status["ready"]
    checks = "  ".join(f"{k} {'✓' if ok else '✗'}" for k, ok in ready["checks"].items())
    verdict = plain("ready", style="green") if ready["ok"] else plain("not ready", style="red")
    uptime = f"up {float(status['uptime_s']):.0f} s"
    console.print(
        Text.assemble(plain(status["app_id"], style="bold"), "  ", verdict, "  ", plain(checks))
        + Text(f"  {uptime}")
    )
    rates = Table("window", "raw in/s", "articles/s", "dead/s", "error rate", "duplicate rate")
    for window, r in status["rates"].items():
        rates.add_row(
            plain(window),
            *(
                plain(f"{float(r.get(k, 0)):.2f}")
                for k in ("ingested_per_s", "articles_per_s", "deadletters_per_s")
            ),
            plain(f"{float(r.get('error_rate', 0)):.1%}"),
            plain(f"{float(r.get('duplicate_rate', 0)):.1%}"),
        )
    console.print(rates)
    totals = status["totals"]
    console.print(plain("totals: " + ", ".join(f"{k} {float(v):.0f}" for k, v in totals.items())))
    lag = Table("topic", "partition", "lag", title=plain(f"consumer lag {status['lag']['total']}"))
    for part in status["lag"]["partitions"]:
        lag.add_row(plain(part["topic"]), plain(part["partition"]), plain(part["lag"]))
    console.print(lag)
    events = Table("event", "sources", "articles", "updated", title="newest events")
    for event in status["recent_events"][:10]:
        names = sorted({str(s["name"]) for s in event["sources"] if s.get("name")})
        events.add_row(
            plain(str(event["title"])[:70]),
            plain(", ".join(names)),
            plain(event["article_count"]),
            plain(event["updated_at"] or ""),
        )
    console.print(events)
    dead = Table("when", "stage", "reason", "message", title="last dead letters")
    for letter in status["recent_deadletters"][:10]:
        dead.add_row(
            plain(letter["failed_at"]),
            plain(letter["stage"]),
            plain(letter["reason"]),
            plain(str(letter["message"])[:60]),
        )
    console.print(dead)
    for problem in found:
        console.print(plain(f"✗ {problem}", style="red"))
