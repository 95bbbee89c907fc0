"""``wirestream events serve`` on a real broker: API, search, stream, merges, restarts."""

from __future__ import annotations

import copy
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.stages import live_events
from tests.integration.event_service import EventService, publish

pytestmark = pytest.mark.integration

Outputs = tuple[list[dict], list[dict]]


def event_of(outputs: Outputs, raw_id: str) -> dict[str, Any]:
    """The latest event record holding the sample article with this raw id."""
    articles, events = outputs
    event_id = next(a["event_id"] for a in articles if a["raw_id"] == raw_id)
    return max((e for e in events if e["event_id"] == event_id), key=lambda e: e["version"])


def ids(service: EventService, **params: str) -> list[str]:
    """Event ids that ``/api/events`` answers for these parameters, in its order."""
    status, body = service.get("/api/events?" + urllib.parse.urlencode(params))
    assert status == 200, body
    assert body["count"] == len(body["events"])
    return [card["event_id"] for card in body["events"]]


def test_lists_every_sample_event_newest_first(service: EventService, outputs: Outputs) -> None:
    status, body = service.get("/api/events?limit=200")
    assert status == 200
    live = {event["event_id"] for event in live_events(outputs[1])}
    assert {card["event_id"] for card in body["events"]} == live
    seen = [datetime.fromisoformat(card["last_seen"]) for card in body["events"]]
    assert seen == sorted(seen, reverse=True)
    assert service.get("/health") == (200, {"alive": True, "problem": None})
    assert service.get("/ready")[1]["ready"] is True


def test_search_and_filters(service: EventService, outputs: Outputs) -> None:
    putin = event_of(outputs, "s01")
    found = ids(service, q="Beijing")
    assert putin["event_id"] in found
    for event_id in found:  # every hit says Beijing in its title, summary or entity names
        event = service.get(f"/api/events/{event_id}")[1]["event"]
        words = [event["title"], *(s["text"] for s in event["summary"])]
        words += [entity["name"] for entity in event["entities"]]
        assert "beijing" in " ".join(words).lower()
    assert ids(service, q="BEIJING") == found
    assert ids(service, q="Putin Beijing") == [putin["event_id"]]
    assert ids(service, q="xylophonequartz") == []
    assert putin["event_id"] in ids(service, entity="vladimir putin")
    topic = putin["topics"][0]["label"]
    by_topic = ids(service, topic=topic)
    assert putin["event_id"] in by_topic and len(by_topic) < len(outputs[1])
    later = datetime.fromisoformat(putin["last_seen"]) + timedelta(seconds=1)
    recent = ids(service, since=later.isoformat(), limit="200")
    assert putin["event_id"] not in recent and recent == ids(service, limit="200")[: len(recent)]
    assert ids(service, limit="1") == ids(service)[:1]


def test_event_page_folds_copies_and_keeps_history(service: EventService, outputs: Outputs) -> None:
    putin = event_of(outputs, "s01")
    status, body = service.get(f"/api/events/{putin['event_id']}")
    assert status == 200
    assert body["event"] == putin
    assert sorted(s["name"] for s in body["event"]["sources"]) == ["Harbor Times", "Meridian Post"]
    originals = {a["article_id"]: a for a in body["articles"]}
    assert list(originals) == putin["articles"]
    # s14 re-publishes s01's URL: it is folded under s01, not listed beside it
    harbor = next(a for a in body["articles"] if a["source"] == "Harbor Times")
    assert [(c["article_id"], c["duplicate_kind"]) for c in harbor["copies"]] == [
        (harbor["article_id"], "url")
    ]
    assert [h["version"] for h in body["history"]] == [putin["version"]]
    assert body["absorbed"] == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/events?limit=0", 400),
        ("/api/events?limit=201", 400),
        ("/api/events?limit=ten", 400),
        ("/api/events?limit=%C2%B2", 400),
        ("/api/events?since=yesterday", 400),
        ("/api/events?q=" + "a" * 201, 400),
        ("/api/events?q=" + "+".join(["word"] * 13), 400),
        ("/api/events?q=%21%21", 400),
        ("/api/events?colour=red", 400),
        ("/api/events/" + "x" * 129, 400),
        ("/api/events/bad%20id", 400),
        ("/events/bad%20id", 400),
        ("/api/events/" + "0" * 24, 404),
        ("/no/such/page", 404),
    ],
)
def test_bad_requests_get_json_errors(service: EventService, path: str, status: int) -> None:
    answer, body = service.get(path)
    assert answer == status
    assert body["error"]["status"] == status and body["error"]["message"]


@pytest.mark.parametrize("q", ["NEAR(a b) OR title:x*", 'say "hello', "a AND", "^b", "-c", "x:"])
def test_search_syntax_in_q_is_only_words(service: EventService, q: str) -> None:
    assert service.get("/api/events?" + urllib.parse.urlencode({"q": q}))[0] == 200


def test_the_stream_reports_a_new_version(service: EventService, outputs: Outputs) -> None:
    event = copy.deepcopy(event_of(outputs, "s02"))
    event["version"] = service.get(f"/api/events/{event['event_id']}")[1]["event"]["version"] + 1
    event["title"] = "Aftershocks follow the southern Peru earthquake"
    with urllib.request.urlopen(service.base + "/api/stream", timeout=30) as stream:
        assert stream.readline().startswith(b"retry:")
        publish(service.settings, events=[event])
        data = _next_data(stream, b"event: event", timeout=60)
    assert (data["event_id"], data["version"], data["title"]) == (
        event["event_id"], event["version"], event["title"],
    )  # fmt: skip
    body = service.get(f"/api/events/{event['event_id']}")[1]
    assert body["event"]["title"] == event["title"]
    assert [h["version"] for h in body["history"]] == [event["version"], event["version"] - 1]


def test_a_merge_moves_an_event_under_its_survivor(service: EventService, outputs: Outputs) -> None:
    absorbed, survivor = (
        service.get(f"/api/events/{event_of(outputs, raw_id)['event_id']}")[1]["event"]
        for raw_id in ("s05", "s13")  # the Sulawesi quake and the Chicago marathon
    )
    merge = {**absorbed, "version": absorbed["version"] + 1, "merged_into": survivor["event_id"]}
    grown = {
        **survivor,
        "version": survivor["version"] + 1,
        "articles": survivor["articles"] + absorbed["articles"],
        "article_count": survivor["article_count"] + absorbed["article_count"],
    }
    publish(service.settings, events=[merge, grown, survivor])  # then a stale re-send
    service.wait_until(
        lambda: service.get(f"/api/events/{absorbed['event_id']}")[1]["event"].get("merged_into"),
        what="the merge stored",
    )
    assert absorbed["event_id"] not in ids(service, limit="200")
    body = service.get(f"/api/events/{survivor['event_id']}")[1]
    assert body["event"]["version"] == grown["version"]
    assert body["absorbed"] == [absorbed["event_id"]]
    members = {a["article_id"] for a in body["articles"]}
    assert set(absorbed["articles"]) <= members and set(survivor["articles"]) <= members


def test_restart_resumes_and_a_deleted_file_is_rebuilt(
    service: EventService, outputs: Outputs
) -> None:
    before = service.get("/api/events?limit=200")[1]
    assert service.stop() == 0
    stale = event_of(outputs, "s02")  # older than the version the stream test sent
    publish(service.settings, events=[stale])
    service.start().wait_ready()
    assert service.get("/api/events?limit=200")[1] == before
    assert service.stop() == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{service.db}{suffix}").unlink(missing_ok=True)
    service.start().wait_ready()
    assert service.get("/api/events?limit=200")[1] == before


def _next_data(stream: Any, kind: bytes, *, timeout: float) -> dict[str, Any]:
    """The data of the next server-sent event named ``kind`` (pings keep reads short)."""
    deadline, current = time.monotonic() + timeout, b""
    while time.monotonic() < deadline:
        line = stream.readline().rstrip(b"\n")
        if line.startswith(b"event: "):
            current = line
        elif line.startswith(b"data: ") and current == kind:
            return orjson.loads(line[len(b"data: ") :])
    raise AssertionError(f"no {kind!r} in {timeout} s")
