"""The worker's web views over real HTTP (aiohttp on loopback), fed by the cluster agent."""

from __future__ import annotations

import asyncio
import os
from argparse import Namespace
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from agents.app import build_app
from agents.observe import History, Sample, child_pids, lag_by_partition, memory
from agents.pool import NlpPool
from config.settings import Settings
from tests.agents.test_agents import FIXED_NOW, Recorder
from tests.support import SAMPLE, blank_nlp, blank_resources
from wirestream.commands import status as status_command
from wirestream.commands.produce import read_lines
from wirestream.logs import JsonFormatter

pytestmark = pytest.mark.agents


class NoTopics:
    """Topics are not what these tests watch: every article gets none."""

    def classify(self, texts: list[str]) -> list[list[dict[str, Any]]]:
        return [[] for _ in texts]


def _enriched_payloads() -> list[bytes]:
    from pipeline.records import Incoming
    from pipeline.stages import prepare_batch

    messages = [
        Incoming(value=line, topic="news.raw.v1", partition=0, offset=i)
        for i, line in enumerate(read_lines(SAMPLE))
    ]
    enriched, _ = prepare_batch(messages, nlp=blank_nlp(), classifier=NoTopics(), now=FIXED_NOW)
    return [orjson.dumps(a) for a in enriched]


def _wiring(broker: str = "127.0.0.1:1") -> tuple[Any, Recorder]:
    settings = Settings(store="memory://", web_enabled=True, broker=broker, batch_size=16)
    wiring = build_app(settings, pool=NlpPool(blank_resources, workers=1), clock=lambda: FIXED_NOW)
    recorder = Recorder()
    for topic in wiring.topology.outputs():
        recorder.attach(topic)
    return wiring, recorder


@asynccontextmanager
async def _client(wiring: Any) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(await wiring.app.web.wsgi())) as client:
        yield client


def _run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


async def _json(client: TestClient[Any, Any], path: str) -> tuple[int, Any]:
    response = await client.get(path)
    return response.status, await response.json()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_status_page_and_health_are_served_not_fausts_index() -> None:
    async def test() -> None:
        async with _client(_wiring()[0]) as client:
            page = await client.get("/")
            assert page.status == 200 and "text/html" in page.headers["content-type"]
            html = await page.text()
            assert "/static/status.js" in html and 'id="events"' in html
            script = await client.get("/static/status.js")
            assert script.status == 200 and "status.json" in await script.text()
            assert (await client.get("/static/status.css")).status == 200
            status, body = await _json(client, "/health")
            assert status == 200 and body["status"] == "ok"

    _run(test)


def test_fausts_table_and_router_views_are_not_served() -> None:
    async def test() -> None:
        wiring, _ = _wiring()
        async with _client(wiring) as client:
            for path in (
                "/table/",
                "/table/cluster-state/",
                "/table/cluster-state/meta/",
                "/router/",
                "/router/cluster-state/",
            ):
                response = await client.get(path)
                assert response.status == 404, path
            assert (await client.get("/health")).status == 200  # our views still are

    _run(test)


def test_ready_is_503_until_broker_tables_and_model_are_all_there() -> None:
    async def test() -> None:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        wiring, _ = _wiring(broker=f"127.0.0.1:{port}")
        async with server, _client(wiring) as client:
            status, body = await _json(client, "/ready")
            assert status == 503 and body == {
                "ready": False,
                "checks": {"broker": True, "tables_recovered": False, "model_loaded": False},
            }
            wiring.pool.ready = True  # what NlpPool.start() sets once the models are loaded
            wiring.app.tables.recovery.completed.set()  # what Faust sets after recovery
            status, body = await _json(client, "/ready")
            assert status == 200 and body["ready"] is True
            metrics = _samples(await (await client.get("/metrics")).text())
            assert metrics[("wirestream_ready", (("check", "tables_recovered"),))] == 1.0

    _run(test)


def test_metrics_and_status_follow_what_the_cluster_agent_did() -> None:
    payloads = _enriched_payloads()
    wiring, recorder = _wiring()

    async def test() -> None:
        async with wiring.cluster.test_context() as agent, _client(wiring) as client:
            for payload in [*payloads, b"{not json"]:
                await agent.put(value=payload)
            await asyncio.sleep(1.5)  # > batch_within_s: the last partial batch is flushed
            wiring.app.tables.recovery.completed.set()  # tables are only counted once recovered
            await wiring.observer.sample()
            metrics = _samples(await (await client.get("/metrics")).text())
            status, doc = await _json(client, "/status.json")
        assert (
            metrics[("wirestream_stage_records_in_total", (("stage", "cluster"),))]
            == len(payloads) + 1
        )
        out = (
            "wirestream_stage_records_out_total",
            (("stage", "cluster"), ("topic", "news.articles.v1")),
        )
        assert metrics[out] == len(payloads)
        dead = ("wirestream_deadletters_total", (("reason", "invalid_json"), ("stage", "cluster")))
        assert metrics[dead] == 1.0
        event_ids = {a["value"]["event_id"] for a in recorder.sent["news.articles.v1"]}
        assert metrics[("wirestream_live_events", ())] == len(event_ids) > 1
        assert metrics[("wirestream_table_keys", (("table", "cluster-state"),))] > len(event_ids)
        assert status == 200
        assert doc["totals"]["articles"] == len(payloads)
        assert doc["recent_deadletters"][0]["reason"] == "invalid_json"
        events = doc["recent_events"]
        assert events and all(e["sources"] and e["sources"][0]["name"] for e in events)
        assert len({e["event_id"] for e in events}) == len(events)  # newest version only

    _run(test)


def test_history_rates_over_windows() -> None:
    history = History(keep=4)
    assert history.rates(60) == {}
    for second, ingested, dead in [
        (0, 0, 0),
        (10, 100, 5),
        (20, 300, 5),
        (30, 300, 5),
        (40, 400, 15),
    ]:
        totals = {
            "ingested": ingested,
            "articles": ingested - dead,
            "deadletters": dead,
            "duplicates": 0,
        }
        history.record(Sample(float(second), totals, lag=ingested - second))
    assert len(history.samples) == 4  # bounded
    last = history.rates(10)
    assert last["ingested_per_s"] == pytest.approx(10.0)
    assert last["error_rate"] == pytest.approx(0.1)
    whole = history.rates(300)  # the window is longer than the ring: the oldest sample is used
    assert whole["ingested_per_s"] == pytest.approx(300 / 30)
    assert [round(p["ingested_per_s"]) for p in history.series()] == [20, 0, 10]


def test_lag_is_end_minus_committed_and_never_negative() -> None:
    from faust.types import TP

    lag = lag_by_partition(
        {TP("news.raw.v1", 0): 120, TP("news.raw.v1", 1): 7, TP("news.raw.v1", 2): 5},
        {TP("news.raw.v1", 0): 100, TP("news.raw.v1", 1): None, TP("news.raw.v1", 2): 9},
    )
    assert lag == {("news.raw.v1", 0): 20, ("news.raw.v1", 1): 7, ("news.raw.v1", 2): 0}


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_memory_counts_the_worker_and_its_children() -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in child_pids(os.getpid())
        rss = memory()
        assert rss["worker"] > 10_000_000 and rss["pool"] > 1_000_000
    finally:
        child.kill()
        child.wait()


def test_status_command_thresholds_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    wiring, _ = _wiring()

    async def test() -> list[int]:
        async with _client(wiring) as client:
            url = str(client.make_url("/")).rstrip("/")
            codes = []
            wiring.observer.lag = {("news.raw.v1", 0): 50}
            for max_lag, as_json in [(100, False), (10, True)]:
                args = Namespace(
                    url=url,
                    max_lag=max_lag,
                    max_error_rate=0.05,
                    json=as_json,
                    require_ready=False,
                    timeout=5.0,
                )
                codes.append(await asyncio.to_thread(status_command.run, args))
            return codes

    assert asyncio.run(test()) == [0, 1]
    out = capsys.readouterr().out
    assert "consumer lag 50" in out and '"consumer lag 50 > 10"' in out
    unreachable = Namespace(
        url="http://127.0.0.1:1",
        max_lag=1,
        max_error_rate=0.05,
        json=True,
        require_ready=False,
        timeout=1.0,
    )
    assert status_command.run(unreachable) == 2


def test_status_shows_hostile_titles_of_real_events_literally(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.records import Incoming
    from pipeline.stages import prepare_batch
    from wirestream import hostile_markup

    lines = [line for _, line in hostile_markup.generate(24, seed=2)]
    messages = [Incoming(line, "news.raw.v1", 0, i) for i, line in enumerate(lines)]
    enriched, _ = prepare_batch(messages, nlp=blank_nlp(), classifier=NoTopics(), now=FIXED_NOW)
    wiring, _ = _wiring()
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich writes as for a terminal: styles, links
    monkeypatch.setenv("COLUMNS", "400")

    async def test() -> tuple[int, Any]:
        async with wiring.cluster.test_context() as agent, _client(wiring) as client:
            for article in enriched:
                await agent.put(value=orjson.dumps(article))
            await asyncio.sleep(1.5)
            await wiring.observer.sample()
            _, doc = await _json(client, "/status.json")
            url = str(client.make_url("/")).rstrip("/")
            args = Namespace(
                url=url, max_lag=10, max_error_rate=1.0, json=False, require_ready=False, timeout=5
            )
            return await asyncio.to_thread(status_command.run, args), doc

    code, doc = asyncio.run(test())
    out = capsys.readouterr().out
    assert code == 0
    shown = [e["title"][:70] for e in doc["recent_events"]]
    shown += [s["name"] for e in doc["recent_events"] for s in e["sources"]]
    assert any("[/" in text or "[link" in text for text in shown)  # rich markup got this far
    for text in shown:
        assert text in out  # printed as written, not read as markup
    assert "\x1b]" not in out and "\u202e" not in out and "\x07" not in out


def test_status_problems_include_error_rate_and_readiness() -> None:
    doc = {
        "lag": {"total": 0},
        "rates": {"300s": {"error_rate": 0.2}},
        "ready": {"ok": False, "checks": {"broker": True, "model_loaded": False}},
    }
    found = status_command.problems(doc, max_lag=0, max_error_rate=0.1, require_ready=True)
    assert found == ["dead-letter rate 20.0% > 10.0% (5 min)", "not ready: model_loaded"]


def test_json_log_lines_carry_article_id_and_stage() -> None:
    import logging

    from agents.metrics import Metrics

    lines: list[str] = []
    handler = logging.Handler()
    handler.setFormatter(JsonFormatter())
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    logger = logging.getLogger("wirestream.articles")
    logger.addHandler(handler)
    try:
        Metrics().dead(
            [
                {
                    "stage": "normalize",
                    "reason": "invalid_json",
                    "message": "bad",
                    "article_id": "a" * 24,
                    "source": {"topic": "news.raw.v1"},
                }
            ]
        )
    finally:
        logger.removeHandler(handler)
    record = orjson.loads(lines[0])
    assert record["article_id"] == "a" * 24 and record["stage"] == "normalize"
    assert record["reason"] == "invalid_json" and record["level"] == "warning"
