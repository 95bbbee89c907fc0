"""``wirestream worker``: run the Faust agents against the configured broker."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys

from config.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``worker``."""
    parser = subparsers.add_parser("worker", help="run the pipeline's Faust agents")
    parser.add_argument("--broker", default=None, help="bootstrap servers (host:port)")
    parser.add_argument("--pool-size", type=int, default=None, help="NLP worker processes")
    parser.add_argument("--web-port", type=int, default=None)
    parser.add_argument("--data-dir", default=None, help="table state and worker files")
    parser.add_argument("--model", default=None, help="spaCy model name")
    parser.add_argument(
        "--loglevel", default="info", choices=["crit", "error", "warn", "info", "debug"]
    )
    parser.add_argument(
        "--log-format",
        default=os.environ.get("WIRESTREAM_LOG_FORMAT", "text"),
        choices=["text", "json"],
        help="json: one JSON object per line, with article id and stage",
    )
    parser.set_defaults(func=run)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Environment settings overridden by the command line."""
    from pathlib import Path

    return Settings.from_env(
        broker=args.broker,
        pool_size=args.pool_size,
        web_port=args.web_port,
        data_dir=Path(args.data_dir).expanduser() if args.data_dir else None,
        model=args.model,
    )


def _data_dir_problem(settings: Settings) -> str | None:
    """Create the data dir (and its parents) now; one line when that is impossible."""
    try:
        (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"wirestream worker: cannot use data dir {settings.data_dir}: {error.strerror}"
    return None


def _access_problem(settings: Settings) -> str | None:
    """One clear line when SASL/TLS settings cannot reach the broker, before Faust starts."""
    from config.security import ClientSecurity
    from wirestream.security import BrokerAccessError, check_access

    security = ClientSecurity.from_settings(settings)
    if not (security.uses_sasl or security.uses_tls):
        return None
    try:
        check_access(settings.broker, security)
    except BrokerAccessError as error:
        return str(error)
    return None


def tune_gc() -> None:
    """Keep the garbage collector off the event loop's hot path (~12 % of it in bench e2e)."""
    # What is imported by now lives as long as the process: never scan it again.
    gc.freeze()
    # Per-record objects die young; collect every 50k allocations, not every 700.
    gc.set_threshold(50_000, 20, 20)


def run(args: argparse.Namespace) -> int:
    """Build the app and run a Faust worker until it is stopped (SIGINT/SIGTERM)."""
    from wirestream.workers import prestart_pool, prestart_records

    settings = settings_from_args(args)
    problem = _data_dir_problem(settings) or _access_problem(settings)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    # Before the heavy imports below: the pool loads its model meanwhile.
    executor = prestart_pool(settings.pool_size, settings.model)
    # Event records of the cluster agent: their own process, not behind NLP batches.
    records_executor = prestart_records()

    import faust

    from agents.app import build_app
    from agents.eventbuilder import EventBuilder
    from agents.faust_patches import FaustInternalsChanged
    from agents.pool import NlpPool
    from agents.resources import resource_loader
    from pipeline.records import Limits
    from wirestream.logs import logging_config

    pool = NlpPool(
        resource_loader(settings.model),
        workers=settings.pool_size,
        limits=Limits(max_bytes=settings.max_bytes, max_body_chars=settings.max_body_chars),
        batch_size=settings.nlp_batch_size,
        executor=executor,
    )
    try:
        wiring = build_app(settings, pool=pool, records=EventBuilder(records_executor))
    except FaustInternalsChanged as error:
        print(error, file=sys.stderr)  # one line: the worker must not run on a changed Faust
        pool.close()
        records_executor.shutdown(cancel_futures=True)
        return 2
    logging.getLogger("wirestream").setLevel(logging.INFO)
    worker = faust.Worker(
        wiring.app,
        loglevel=args.loglevel,
        console_port=0,
        logging_config=logging_config(args.log_format, args.loglevel),
    )
    # Faust's start-up spinner leaves the root logger at DEBUG below --loglevel info.
    worker.spinner = None
    tune_gc()
    try:
        worker.execute_from_commandline()
    finally:
        pool.close()
        wiring.records.close()
    return 0
