"""The status page in a real headless Chromium: loads cleanly, shows events, updates itself."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from config.settings import Settings
from tests.integration.test_monitoring import produce, topic_size, wait_for, watch_readiness
from tests.integration.worker_proc import WorkerProcess
from tests.support import SAMPLE
from wirestream.commands.produce import read_lines
from wirestream.kafka import ensure_topics

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("no chromium + chromedriver (tools/install-browser.sh)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")

# Flags that work as root on a closed network; nothing is fetched at start.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium driven through Debian's chromedriver (Selenium Manager unused)."""
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def worker(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A ready worker with its own consumer group, and its base URL."""
    ensure_topics(kafka_bootstrap, Settings.from_env(broker=kafka_bootstrap))
    process = WorkerProcess(
        kafka_bootstrap, tmp_path_factory.mktemp("page"), app_id=f"page-{uuid.uuid4().hex[:8]}"
    )
    process.start()
    base = f"http://127.0.0.1:{process.web_port}"
    try:
        watch_readiness(base, process)
        yield process, base
    finally:
        process.stop()


def _rows(driver: Any, selector: str = "#events tr.event") -> dict[str, str]:
    # One script call: the page replaces its rows every poll, so element handles go stale.
    rows = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".map((tr, i) => [tr.dataset.eventId || String(i), tr.innerText]);",
        selector,
    )
    return dict(rows)


def _counted(driver: Any) -> int:
    totals = driver.find_element("id", "totals").text  # "in · out · dead"
    return int(totals.split(" · ")[0]) if totals[:1].isdigit() else -1


def _errors(driver: Any) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _events_in_topic(bootstrap: str) -> set[str]:
    from wirestream.kafka import read_topic

    topic = Settings.from_env().topic_names.articles
    return {orjson.loads(r.value)["event_id"] for r in read_topic(bootstrap, topic, timeout_s=1)}


def _fresh_story(token: str) -> list[bytes]:
    """Two reports of a story no earlier run has seen (own wording; the token keeps it new)."""
    title = f"Lighthouse keepers of Skerra {token} reopen the north tower after storm repairs"
    body = (
        f"<p>The north tower of the Skerra {token} lighthouse reopened on Friday after six weeks "
        "of repairs to storm damage, the island's keepers association said.</p><p>Engineers "
        "replaced the lantern glazing and rebuilt the gallery rail that the October gales tore "
        "away. Visitors can climb the tower again from Saturday.</p>"
    )
    return [
        orjson.dumps(
            {
                "id": f"{token}-{n}",
                "url": f"https://www.{site}.example/{token}",
                "title": title,
                "body": body,
                "source": name,
                "published_at": "2026-11-20T09:00:00Z",
            }
        )
        for n, (site, name) in enumerate(
            [("islandpost", "Island Post"), ("coastwatch", "Coast Watch")]
        )
    ]


def test_page_shows_events_and_updates_without_reload(
    browser: Any, worker: Any, kafka_bootstrap: str
) -> None:
    process, base = worker
    raw = Settings.from_env().topic_names.raw
    produce(kafka_bootstrap, raw, read_lines(SAMPLE))
    sample_total = topic_size(kafka_bootstrap, raw)

    browser.get(base + "/")
    browser.execute_script("window.loadedOnce = true;")  # gone if the page reloads
    wait_for(
        lambda: _counted(browser) == sample_total,
        process,
        timeout=180,
        what=f"page counts {sample_total} inputs",
    )
    shown = _rows(browser)
    assert len(shown) >= 10  # the sample's ten stories
    assert set(shown) <= _events_in_topic(kafka_bootstrap)
    assert all(text.strip() for text in shown.values())
    deadletters = _rows(browser, "#deadletters tr.deadletter")
    assert deadletters and all("normalize" in text for text in deadletters.values())
    assert "not ready" not in browser.find_element("id", "readiness").text
    refreshes = int(browser.find_element("tag name", "body").get_attribute("data-refreshes"))

    token = uuid.uuid4().hex[:8]
    produce(kafka_bootstrap, raw, _fresh_story(token))
    wait_for(
        lambda: any(f"Skerra {token}" in text for text in _rows(browser).values()),
        process,
        timeout=120,
        what="the new story on the page",
    )
    assert _counted(browser) == sample_total + 2
    assert browser.execute_script("return window.loadedOnce === true;")  # updated in place
    assert int(browser.find_element("tag name", "body").get_attribute("data-refreshes")) > refreshes
    # Charts need three samples of the 5 s monitor timer.
    wait_for(
        lambda: (
            browser.execute_script("return document.querySelectorAll('#chart polyline').length;")
            == 4
        ),
        process,
        timeout=30,
        what="rate chart drawn",
    )
    shot = os.environ.get("WIRESTREAM_SCREENSHOT")
    if shot:
        browser.save_screenshot(str(Path(shot).expanduser()))
    assert _errors(browser) == []


HOSTILE = "<img src=x onerror=\"window.owned='{}'\">"


def _hostile_status() -> dict[str, Any]:
    # Raw markup in every string the page shows, as a worker fed by strangers could serve it.
    mark = HOSTILE.format
    return {
        "app_id": mark("app_id"),
        "time": "2026-11-20T09:00:00+00:00",
        "uptime_s": 5,
        "ready": {"ok": False, "checks": {mark("check"): False}},
        "rates": {"60s": {}, "300s": {}},
        "lag": {"total": 0, "partitions": [{"topic": mark("topic"), "partition": 0, "lag": 0}]},
        "totals": {"ingested": 1, "articles": 1, "deadletters": 1},
        "series": [],
        "recent_events": [
            {
                "event_id": mark("event_id"),
                "title": mark("title") + "<script>window.owned='script'</script>",
                "sources": [{"name": mark("source")}],
                "article_count": mark("count"),
                "updated_at": mark("updated"),
            }
        ],
        "recent_deadletters": [
            {"failed_at": "x", "stage": mark("stage"), "reason": "r", "message": mark("message")}
        ],
        "deadletters_by_reason": {mark("reason"): 1},
        "duplicates_by_kind": {},
    }


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        static = Path(__file__).resolve().parents[2] / "agents" / "static"
        routes = {
            "/": (static / "index.html", "text/html"),
            "/static/status.js": (static / "status.js", "text/javascript"),
            "/static/status.css": (static / "status.css", "text/css"),
        }
        if self.path == "/status.json":
            body, kind = orjson.dumps(_hostile_status()), "application/json"
        elif self.path in routes:
            file, kind = routes[self.path]
            body = file.read_bytes()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_hostile_values_are_shown_as_text_and_never_run(browser: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/")
        deadline = time.monotonic() + 30
        while not browser.execute_script("return Number(document.body.dataset.refreshes) > 0;"):
            assert time.monotonic() < deadline, "the page never rendered status.json"
            time.sleep(0.2)
        time.sleep(0.5)  # an onerror handler, if one were live, fires right after insertion
        assert browser.execute_script("return window.owned === undefined;")
        injected = (
            "return document.querySelectorAll('img, iframe, main script, table script').length;"
        )
        assert browser.execute_script(injected) == 0
        row = _rows(browser)
        assert next(iter(row.values())).startswith(HOSTILE.format("title") + "<script>")
        assert HOSTILE.format("app_id") in browser.find_element("id", "app-id").text
    finally:
        server.shutdown()
        server.server_close()
