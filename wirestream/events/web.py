"""The event service's HTTP side: JSON API, server-sent events, the pages, health and readiness."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from wirestream.events.hub import Hub
from wirestream.events.materialize import Materializer
from wirestream.events.params import BadRequest, check_event_id, event_query
from wirestream.events.queries import Reader

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "index.html": "text/html",
    "event.html": "text/html",
    "page.js": "text/javascript",
    "list.js": "text/javascript",
    "event.js": "text/javascript",
    "events.css": "text/css",
}
# The pages show text from strangers: no inline script or style, nothing from elsewhere.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
READER: web.AppKey[Reader] = web.AppKey("reader", Reader)
MATERIALIZER: web.AppKey[Materializer] = web.AppKey("materializer", Materializer)
HUB: web.AppKey[Hub] = web.AppKey("hub", Hub)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON answer that no cache keeps."""
    return web.Response(
        body=orjson.dumps(data),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def error(status: int, message: str) -> web.Response:
    """Every error looks alike: ``{"error": {"status": 400, "message": "…"}}``."""
    return json_response({"error": {"status": status, "message": message}}, status)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bad parameters are 400, unknown paths 404, bugs 500: always JSON, with the headers."""
    try:
        response = await handler(request)
    except BadRequest as problem:
        response = error(400, str(problem))
    except web.HTTPException as problem:
        if problem.status < 400:
            raise
        response = error(problem.status, problem.reason)
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        response = error(500, "internal error")
    if not response.prepared:
        response.headers.update(HEADERS)
    return response


async def list_events(request: web.Request) -> web.Response:
    """``GET /api/events?q=&entity=&topic=&since=&limit=``: newest first."""
    query = event_query(request.query)
    cards = await asyncio.to_thread(request.app[READER].events, query)
    body = b'{"count":%d,"events":[%s]}' % (len(cards), b",".join(cards))
    return web.Response(
        body=body, content_type="application/json", headers={"Cache-Control": "no-store"}
    )


async def one_event(request: web.Request) -> web.Response:
    """``GET /api/events/{event_id}``: latest state, articles, version history."""
    event_id = check_event_id(request.match_info["event_id"])
    page = await asyncio.to_thread(request.app[READER].event, event_id)
    if page is None:
        return error(404, f"no event {event_id}")
    return json_response(page)


async def topics(request: web.Request) -> web.Response:
    """``GET /api/topics``: the topic labels of live events, for the page's filters."""
    return json_response({"topics": await asyncio.to_thread(request.app[READER].topics)})


async def stream(request: web.Request) -> web.StreamResponse:
    """``GET /api/stream``: server-sent events as events change."""
    queue = request.app[HUB].subscribe()
    if queue is None:
        return error(503, "too many open streams")
    response = web.StreamResponse(
        headers={**HEADERS, "Content-Type": "text/event-stream", "Cache-Control": "no-store"}
    )
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n: connected\n\n")
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=15.0)
            except TimeoutError:
                message = b": ping\n\n"  # keeps proxies from closing a quiet stream
            if message is None:
                break
            await response.write(message)
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        request.app[HUB].unsubscribe(queue)
    return response


async def health(request: web.Request) -> web.Response:
    """``GET /health``: 200 while the consumer thread runs."""
    materializer = request.app[MATERIALIZER]
    body = {"alive": materializer.alive, "problem": materializer.problem}
    return json_response(body, 200 if materializer.alive else 503)


async def ready(request: web.Request) -> web.Response:
    """``GET /ready``: 200 once caught up with the end offsets seen at start."""
    materializer = request.app[MATERIALIZER]
    is_ready = materializer.ready.is_set()
    body = {
        "ready": is_ready,
        "problem": materializer.problem,
        "skipped_records": materializer.failures,
    }
    return json_response(body, 200 if is_ready else 503)


async def no_icon(request: web.Request) -> web.Response:
    """``GET /favicon.ico``: nothing, and no error in the browser's console."""
    return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})


def page(name: str) -> Handler:
    """A handler that serves one file of ``static/``."""
    body = (STATIC / name).read_bytes()

    async def serve(request: web.Request) -> web.Response:
        if "event_id" in request.match_info:
            check_event_id(request.match_info["event_id"])
        return web.Response(
            body=body,
            content_type=ASSETS[name],
            charset="utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    return serve


def build_app(reader: Reader, materializer: Materializer) -> web.Application:
    """The web application; it starts the consumer thread on startup and stops it on cleanup.

    Args:
        reader: the read side of the SQLite file.
        materializer: the consumer thread (not started yet).
    """
    app = web.Application(middlewares=[errors])
    app[READER], app[MATERIALIZER], app[HUB] = reader, materializer, Hub()
    app.router.add_get("/", page("index.html"))
    app.router.add_get("/events/{event_id}", page("event.html"))
    for name in ASSETS:
        app.router.add_get(f"/static/{name}", page(name))
    app.router.add_get("/api/events", list_events)
    app.router.add_get("/api/events/{event_id}", one_event)
    app.router.add_get("/api/topics", topics)
    app.router.add_get("/api/stream", stream)
    app.router.add_get("/favicon.ico", no_icon)
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.on_startup.append(_start)
    app.on_shutdown.append(_end_streams)
    app.on_cleanup.append(_stop)
    return app


async def _start(app: web.Application) -> None:
    hub = app[HUB]
    hub.loop = asyncio.get_running_loop()
    app[MATERIALIZER].notify = hub.publish_threadsafe
    app[MATERIALIZER].start()


async def _end_streams(app: web.Application) -> None:
    app[HUB].close()


async def _stop(app: web.Application) -> None:
    await asyncio.to_thread(app[MATERIALIZER].close)
