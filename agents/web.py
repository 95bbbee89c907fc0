"""The worker's web views: /metrics, /health, /ready, /status.json and the status page at /."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agents.metrics import Metrics
from agents.observe import (
    History,
    Sample,
    broker_reachable,
    measure_lag,
    memory,
    status_document,
    tables_recovered,
    utc_iso,
)
from agents.pool import NlpPool
from config.settings import Settings
from pipeline.clustering.keys import is_event_key

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "/": ("index.html", "text/html"),
    "/static/status.js": ("status.js", "text/javascript"),
    "/static/status.css": ("status.css", "text/css"),
}
NO_STORE = {"Cache-Control": "no-store"}
# Counting the table scans its store: every sample while small, once a minute once large.
LARGE_TABLE = 20_000
TABLE_EVERY = 12


class Observer:
    """Samples lag, memory and counter totals on a timer; answers readiness and status."""

    def __init__(
        self, app: Any, *, metrics: Metrics, pool: NlpPool, table: Any, settings: Settings
    ) -> None:
        """Watch ``app``.

        Args:
            app: the Faust app.
            metrics: the app's metrics (gauges are set here).
            pool: the NLP pool (model loaded or not).
            table: the clustering state table (size and live events).
            settings: broker address and source topic names.
        """
        self.app = app
        self.metrics = metrics
        self.pool = pool
        self.table = table
        self.settings = settings
        self.sources = (settings.topic_names.raw, settings.topic_names.enriched)
        self.history = History()
        self.lag: dict[tuple[str, int], int] = {}
        self.lag_measured_at: str | None = None
        self.started = time.monotonic()
        self.ticks = 0
        self.table_keys = 0
        # The start is the first sample: rates then cover work done before the first tick.
        self.history.record(Sample(self.started, metrics.totals(), 0))

    async def sample(self) -> None:
        """One timer tick: lag, memory, table sizes, then a history sample."""
        try:
            self._set_lag(await measure_lag(self.app, self.sources))
            self.lag_measured_at = utc_iso()
        except Exception as exc:  # the broker may be away: keep the last lag, say so
            log.warning("lag not measured: %s: %s", type(exc).__name__, exc)
        for process, rss in memory().items():
            self.metrics.resident_memory.labels(process).set(rss)
        if self.pool.load_seconds is not None:
            self.metrics.model_load_seconds.set(self.pool.load_seconds)
        if self.table_keys < LARGE_TABLE or self.ticks % TABLE_EVERY == 0:
            await self._count_table()
        self.ticks += 1
        self.history.record(Sample(time.monotonic(), self.metrics.totals(), sum(self.lag.values())))

    def _set_lag(self, lag: dict[tuple[str, int], int]) -> None:
        for topic, partition in set(self.lag) - set(lag):
            self.metrics.consumer_lag.remove(topic, str(partition))  # partition revoked
        for (topic, partition), behind in lag.items():
            self.metrics.consumer_lag.labels(topic, str(partition)).set(behind)
        self.lag = lag

    async def _count_table(self) -> None:
        if not tables_recovered(self.app):
            return
        keys = events = 0
        try:
            for key in self.table:
                keys += 1
                events += is_event_key(str(key))
                if keys % 2000 == 0:
                    await asyncio.sleep(0)  # a large table must not stall the agents
        except Exception as exc:  # a rebalance closed the store, or writes changed it mid-scan
            log.warning("table not counted: %s", exc)
            return
        self.table_keys = keys
        self.metrics.table_keys.labels(self.table.name).set(keys)
        self.metrics.live_events.set(events)

    async def readiness(self) -> dict[str, bool]:
        """Broker reachable, tables recovered, model loaded (also exported as gauges)."""
        checks = {
            "broker": await broker_reachable(self.settings.broker),
            "tables_recovered": tables_recovered(self.app),
            "model_loaded": self.pool.ready,
        }
        for check, ok in checks.items():
            self.metrics.ready.labels(check).set(1 if ok else 0)
        return checks

    async def status(self) -> dict[str, Any]:
        """The status document (see ``agents.observe.status_document``)."""
        return status_document(
            app_id=self.settings.app_id,
            metrics=self.metrics,
            history=self.history,
            lag=self.lag,
            lag_measured_at=self.lag_measured_at,
            ready=await self.readiness(),
            uptime_s=time.monotonic() - self.started,
        )


def install_web(wiring: Any, settings: Settings, *, interval: float = 5.0) -> Observer:
    """Add the monitoring timer and, when the web server is on, the views to ``wiring.app``.

    Args:
        wiring: the built app (``agents.app.Wiring``).
        settings: the worker's settings.
        interval: seconds between samples of lag, memory and totals.
    """
    app = wiring.app
    observer = Observer(
        app, metrics=wiring.metrics, pool=wiring.pool, table=wiring.table, settings=settings
    )

    async def monitor() -> None:
        await observer.sample()

    app.timer(interval=interval, name="wirestream.monitor")(monitor)
    if settings.web_enabled:
        _add_views(app, observer)
    return observer


def _add_views(app: Any, observer: Observer) -> None:
    async def metrics(view: Any, request: Any) -> Any:
        body = generate_latest(observer.metrics.registry)
        # aiohttp refuses a charset inside content_type; the exposition format is UTF-8 anyway.
        content_type = CONTENT_TYPE_LATEST.split("; charset")[0]
        return view.bytes(body, content_type=content_type, headers=dict(NO_STORE))

    async def health(view: Any, request: Any) -> Any:
        body = {"status": "ok", "time": utc_iso(), "uptime_s": time.monotonic() - observer.started}
        return _json(view, body, 200)

    async def ready(view: Any, request: Any) -> Any:
        checks = await observer.readiness()
        ok = all(checks.values())
        return _json(view, {"ready": ok, "checks": checks}, 200 if ok else 503)

    async def status(view: Any, request: Any) -> Any:
        return _json(view, await observer.status(), 200)

    # Registered before Faust's own blueprints, so these routes win (e.g. "/").
    routes = {"/metrics": metrics, "/health": health, "/ready": ready, "/status.json": status}
    for path, handler in routes.items():
        app.page(path, name=f"wirestream-{handler.__name__}")(handler)

    for path, (filename, content_type) in ASSETS.items():
        _add_asset(app, path, (STATIC / filename).read_bytes(), content_type)


def _add_asset(app: Any, path: str, body: bytes, content_type: str) -> None:
    async def asset(view: Any, request: Any) -> Any:
        return view.bytes(body, content_type=content_type, headers=dict(NO_STORE))

    app.page(path, name=f"wirestream-asset{path}")(asset)


def _json(view: Any, body: Any, status: int) -> Any:
    return view.bytes(
        orjson.dumps(body), content_type="application/json", status=status, headers=dict(NO_STORE)
    )
