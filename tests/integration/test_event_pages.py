"""The event service's pages in a real headless Chromium: event page, search, live list."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.event_service import (
    EventService,
    fresh_story,
    pipeline_outputs,
    publish,
)
from tests.integration.test_event_service import event_of
from tests.integration.test_status_page import browser  # noqa: F401  (fixture; skips w/o chromium)
from tests.support import event_record, hex_id

pytestmark = pytest.mark.integration

Outputs = tuple[list[dict], list[dict]]


def wait(driver: Any, check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``check`` in the page until it is truthy."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda _: check(), what)


def script(driver: Any, code: str, *args: Any) -> Any:
    """Run ``code`` in the page and return its value."""
    return driver.execute_script(code, *args)


def severe(driver: Any) -> list[dict[str, Any]]:
    """Console errors of the page."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def rows(driver: Any) -> dict[str, str]:
    """The list's rows: event id -> shown text (one call: rows are replaced on updates)."""
    found = script(
        driver,
        "return [...document.querySelectorAll('#events li.event')]"
        ".map(li => [li.dataset.eventId, li.innerText]);",
    )
    return dict(found)


def test_event_page_shows_both_outlets_citations_and_the_disagreement(
    browser: Any,  # noqa: F811
    service: EventService,
    outputs: Outputs,
) -> None:
    putin = event_of(outputs, "s01")
    urls = {source["n"]: source["url"] for source in putin["sources"]}
    browser.get(f"{service.base}/events/{putin['event_id']}")
    wait(
        browser,
        lambda: script(
            browser,
            "return document.getElementById('event').getAttribute('aria-busy') === 'false';",
        ),
        "page rendered",
    )
    assert browser.find_element("id", "title").text == putin["title"]
    sources = browser.find_element("id", "sources").text
    assert "Harbor Times" in sources and "Meridian Post" in sources
    cites = script(
        browser,
        "return [...document.querySelectorAll('#summary a.cite')]"
        ".map(a => [Number(a.dataset.source), a.getAttribute('href'), a.textContent]);",
    )
    assert {n for n, _, _ in cites} == set(urls)  # both outlets are cited
    assert all(href == urls[n] and text == f"[{n}]" for n, href, text in cites)
    listed = script(
        browser,
        "return [...document.querySelectorAll('#sources li')]"
        ".map(li => [li.id, li.querySelector('a').getAttribute('href')]);",
    )
    assert listed == [[f"source-{n}", url] for n, url in sorted(urls.items())]
    assert browser.find_element("id", "disagreements-section").is_displayed()
    disagreement = browser.find_element("id", "disagreements").text
    for phrase in (
        "arrival",
        "10:40 local time on Wednesday",
        "Harbor Times",
        "shortly before midnight on Tuesday",
        "Meridian Post",
    ):
        assert phrase in disagreement
    assert "Vladimir Putin" in browser.find_element("id", "entities").text
    folded = script(
        browser,
        "return [...document.querySelectorAll('#articles > li')]"
        ".map(li => [li.dataset.articleId, li.querySelectorAll('details li.copy').length]);",
    )
    assert sorted(copies for _, copies in folded) == [0, 1]  # s14 under s01
    assert severe(browser) == []


def test_search_for_beijing_finds_the_putin_event(
    browser: Any,  # noqa: F811
    service: EventService,
    outputs: Outputs,
) -> None:
    putin = event_of(outputs, "s01")
    browser.get(service.base + "/")
    wait(browser, lambda: len(rows(browser)) >= 10, "the sample's events listed")
    field = browser.find_element("id", "q")
    field.send_keys("Beijing")
    field.submit()
    wait(browser, lambda: "?q=Beijing" in browser.current_url, "the query in the address")
    found = wait(browser, lambda: rows(browser) if len(rows(browser)) < 10 else None, "filtered")
    assert putin["event_id"] in found
    assert "matching “Beijing”" in browser.find_element("id", "summary").text
    assert severe(browser) == []


def test_a_new_article_updates_the_open_list_without_a_reload(
    browser: Any,  # noqa: F811
    service: EventService,
) -> None:
    browser.get(service.base + "/")
    wait(browser, lambda: len(rows(browser)) >= 10, "the sample's events listed")
    wait(browser, lambda: browser.find_element("id", "live").text == "live", "stream open")
    script(browser, "window.loadedOnce = true;")  # gone if the page reloads
    token = uuid.uuid4().hex[:8]
    articles, events = pipeline_outputs([fresh_story(token)], offset=10_000)
    publish(service.settings, articles=articles, events=events)
    new_id = events[-1]["event_id"]
    wait(browser, lambda: new_id in rows(browser), "the new event in the list", timeout=60)
    assert f"Orla Sound {token}" in rows(browser)[new_id]
    assert script(browser, "return window.loadedOnce === true;")
    classes = script(
        browser,
        "return document.querySelector(`li[data-event-id='${arguments[0]}']`).className;",
        new_id,
    )
    assert "changed" in classes
    assert severe(browser) == []


def test_untrusted_text_is_shown_as_text(
    browser: Any,  # noqa: F811
    service: EventService,
) -> None:
    hostile = '<img src=x onerror="window.pwned=1"> Harbour <b>bridge</b>'
    event = event_record(f"hostile-{uuid.uuid4().hex[:8]}", 1, title=hostile)
    event["summary"][0]["text"] = "<script>window.pwned=2</script> reopens"
    event["entities"][0]["name"] = "<svg onload=window.pwned=3>"
    publish(service.settings, events=[event])
    service.wait_until(lambda: service.get(f"/api/events/{event['event_id']}")[0] == 200)
    browser.get(f"{service.base}/events/{event['event_id']}")
    wait(browser, lambda: browser.find_element("id", "title").text == hostile, "title as text")
    assert "<script>window.pwned=2</script> reopens" in browser.find_element("id", "summary").text
    assert (
        script(
            browser,
            "return document.querySelectorAll('#event img, #event script, "
            "#event svg, #event b').length;",
        )
        == 0
    )
    browser.get(service.base + "/")
    wait(browser, lambda: any(hostile in text for text in rows(browser).values()), "listed")
    assert script(browser, "return window.pwned === undefined;")


def test_updates_and_merges_are_called_out(
    browser: Any,  # noqa: F811
    service: EventService,
) -> None:
    token = uuid.uuid4().hex[:8]
    survivor = event_record(hex_id(f"survivor-{token}"), 1, title=f"Flood survivor {token}")
    updates = [
        {"field": "number:killed", "value": 8, "sources": [1],
         "first_reported_at": "2026-10-14T09:12:00+00:00"},
        {"field": "number:killed", "value": 12, "sources": [2],
         "first_reported_at": "2026-10-14T11:40:00+00:00"},
    ]  # fmt: skip
    updated = event_record(f"updated-{token}", 1, title=f"Flood toll {token}", updates=updates)
    absorbed = event_record(f"absorbed-{token}", 2, merged_into=survivor["event_id"])
    publish(service.settings, events=[survivor, updated, absorbed])
    service.wait_until(lambda: service.get(f"/api/events/{absorbed['event_id']}")[0] == 200)
    browser.get(f"{service.base}/events/{updated['event_id']}")
    wait(browser, lambda: browser.find_element("id", "updates-section").is_displayed(), "updates")
    text = browser.find_element("id", "updates").text
    assert text.startswith("The number killed changed as reports came in")
    # the example's two sources, oldest value first
    assert text.index("8 according to Harbor Times") < text.index("12 according to Coastal Ledger")
    browser.get(f"{service.base}/events/{absorbed['event_id']}")
    wait(browser, lambda: browser.find_element("id", "merged").is_displayed(), "merge notice")
    link = browser.find_element("css selector", "#merged a").get_attribute("href")
    assert link.endswith(f"/events/{survivor['event_id']}")
    assert severe(browser) == []


def test_pages_left_behind_free_their_streams(
    browser: Any,  # noqa: F811
    service: EventService,
    outputs: Outputs,
) -> None:
    # A browser gives a site six connections; a page kept in the back/forward cache with its
    # event stream open would hold one, and the seventh page would wait for a minute.
    putin = event_of(outputs, "s01")
    for n in range(9):
        began = time.monotonic()
        browser.get(service.base + ("/" if n % 2 else f"/events/{putin['event_id']}"))
        wait(browser, lambda: browser.find_element("id", "live").text == "live", "stream open")
        assert time.monotonic() - began < 10, f"page {n + 1} waited for a connection"
