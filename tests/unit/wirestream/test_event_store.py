"""The event service's SQLite side and parameters, without a broker."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.support import event_record, hex_id
from wirestream.events.hub import MAX_CHANGES, QUEUE_SIZE, Hub
from wirestream.events.params import BadRequest, EventQuery, check_event_id, event_query
from wirestream.events.queries import Reader, fold_copies
from wirestream.events.store import Store

pytestmark = pytest.mark.pure


def story(event_id: str, version: int, *, title: str, last_seen: str, **changes: Any) -> dict:
    """An event record whose title is also its one summary sentence."""
    summary = [{"text": f"{title}.", "sources": [1]}]
    return event_record(
        event_id, version, title=title, last_seen=last_seen, summary=summary, **changes
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store holding three events."""
    opened = Store(tmp_path / "events.sqlite3")
    opened.apply_event(
        story("e1", 1, title="Harbour bridge reopens", last_seen="2026-10-14T09:00:00+00:00")
    )
    opened.apply_event(
        story("e2", 1, title="Ferry strike ends", last_seen="2026-10-15T09:00:00+00:00")
    )
    opened.apply_event(
        story("e3", 2, title="Bridge tolls rise", last_seen="2026-10-13T09:00:00+00:00")
    )
    opened.flush()
    return opened


def listed(store: Store, **params: str) -> list[str]:
    """Event ids of a list query."""
    cards = Reader(store.path).events(event_query(params))
    return [orjson.loads(card)["event_id"] for card in cards]


def test_newest_first_and_search_by_word(store: Store) -> None:
    assert listed(store) == ["e2", "e1", "e3"]
    assert listed(store, q="BRIDGE") == ["e1", "e3"]
    assert listed(store, q="bridges") == ["e1", "e3"]  # English endings are folded
    assert listed(store, q="bridge harbour") == ["e1"]
    assert listed(store, q="brid") == []  # whole words, not prefixes
    assert listed(store, since="2026-10-14T09:00:00Z") == ["e2", "e1"]
    assert listed(store, limit="1") == ["e2"]


def test_versions_never_go_back(store: Store) -> None:
    assert store.get("e3") == 2 and store.get("nope") is None
    older = story("e3", 1, title="Bridge tolls stay", last_seen="2026-10-16T09:00:00+00:00")
    assert store.apply_event(older) is False
    newer = story("e3", 3, title="Bridge tolls fall", last_seen="2026-10-16T09:00:00+00:00")
    assert store.apply_event(newer) is True
    assert [card["version"] for card in store.flush()] == [3]
    assert listed(store) == ["e3", "e2", "e1"]
    assert listed(store, q="rise") == [] and listed(store, q="fall") == ["e3"]
    page = Reader(store.path).event("e3")
    assert page is not None and [h["version"] for h in page["history"]] == [3, 2]


def test_a_merged_event_leaves_the_list_and_the_index(store: Store) -> None:
    survivor = hex_id("survivor")
    store.apply_event(story(survivor, 1, title="Ferry news", last_seen="2026-10-10T09:00:00+00:00"))
    merged = story("e2", 2, title="Ferry strike ends", last_seen="2026-10-15T09:00:00+00:00")
    store.apply_event({**merged, "merged_into": survivor})
    store.flush()
    assert "e2" not in listed(store) and listed(store, q="strike") == []
    page = Reader(store.path).event(survivor)
    assert page is not None and page["absorbed"] == ["e2"]


def test_entity_filter_ignores_case(store: Store) -> None:
    assert listed(store, entity="EASTGATE") == ["e2", "e1", "e3"]  # the example's entity
    assert listed(store, entity="Westgate") == []


def test_a_new_file_says_so_and_keeps_its_instance(tmp_path: Path) -> None:
    first = Store(tmp_path / "x.sqlite3")
    assert first.created
    first.close()
    again = Store(tmp_path / "x.sqlite3")
    assert not again.created and again.instance == first.instance


def test_copies_fold_under_their_original() -> None:
    def row(article_id: str, at: str, of: str | None = None, kind: str | None = None) -> dict:
        return {
            "article_id": article_id,
            "ingested_at": at,
            "duplicate_of": of,
            "duplicate_kind": kind,
        }

    rows = [
        row("b", "2"),
        row("a", "1"),
        row("a", "3", of="a", kind="url"),  # the same URL published again
        row("c", "4", of="b", kind="near"),
        row("d", "5", of="zz", kind="content"),  # its original is in no record here
    ]
    folded = fold_copies(rows, ["a", "b"])
    assert [(a["article_id"], [c["article_id"] for c in a["copies"]]) for a in folded] == [
        ("a", ["a"]),
        ("b", ["c"]),
        ("d", []),
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "-1"},
        {"limit": "1e2"},
        {"limit": "99999999999999999999"},
        {"since": "tomorrow"},
        {"q": "x" * 201},
        {"q": "?!"},
        {"entity": "e" * 201},
        {"page": "2"},
    ],
)
def test_bad_parameters_are_refused(params: dict[str, str]) -> None:
    with pytest.raises(BadRequest):
        event_query(params)


def test_good_parameters_are_read() -> None:
    query = event_query({"q": 'NEAR("a" bridg)*', "since": "2026-10-14T09:00:00", "limit": "7"})
    assert query == EventQuery(
        match='"NEAR" "a" "bridg"',
        since=datetime(2026, 10, 14, 9, tzinfo=UTC).timestamp(),
        limit=7,
    )
    assert event_query({}) == EventQuery()
    assert check_event_id("25f58cd81e3ccbf67ed8b409") == "25f58cd81e3ccbf67ed8b409"
    with pytest.raises(BadRequest):
        check_event_id("../etc/passwd")


def test_the_hub_sends_changes_and_resets_a_slow_stream() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes], list[bytes]]:
        hub = Hub(max_streams=2)
        fast, slow = hub.subscribe(), hub.subscribe()
        assert fast is not None and slow is not None and hub.subscribe() is None
        hub.publish([{"event_id": "e1", "version": 2}])
        few = [fast.get_nowait()]
        hub.publish([{"event_id": f"e{n}", "version": 1} for n in range(MAX_CHANGES + 1)])
        many = [fast.get_nowait()]
        for n in range(QUEUE_SIZE + 1):
            hub.publish([{"event_id": f"e{n}", "version": 1}])
        backlog = [slow.get_nowait() for _ in range(slow.qsize())]
        return few, many, backlog

    few, many, backlog = asyncio.run(scenario())
    assert few[0].startswith(b'id: 1\nevent: event\ndata: {"event_id":"e1","version":2}')
    assert b"event: reset" in many[0]
    assert b"event: reset" in backlog[0] and len(backlog) < QUEUE_SIZE


def test_the_index_follows_several_changes_between_flushes(store: Store) -> None:
    for version, title in ((2, "Alpha gala"), (3, "Beta gala"), (4, "Gamma gala")):
        store.apply_event(story("e1", version, title=title, last_seen="2026-10-14T09:00:00+00:00"))
    store.flush()
    assert listed(store, q="alpha") == [] and listed(store, q="beta") == []
    assert listed(store, q="gamma") == ["e1"] and listed(store, q="harbour") == []
    store.apply_event(story("e1", 5, title="Delta gala", last_seen="2026-10-14T09:00:00+00:00"))
    store.flush()
    assert listed(store, q="gala") == ["e1"] and listed(store, q="gamma") == []


def test_rollback_forgets_everything_since_the_last_flush(store: Store) -> None:
    store.apply_event(story("e9", 1, title="Lost story", last_seen="2026-10-20T09:00:00+00:00"))
    store.apply_event(story("e1", 7, title="Lost change", last_seen="2026-10-20T09:00:00+00:00"))
    store.rollback()
    assert store.flush() == []
    assert store.get("e9") is None and store.get("e1") == 1
    assert listed(store, q="lost") == [] and listed(store, q="harbour") == ["e1"]


def test_the_pages_never_parse_strings_as_html() -> None:
    static = Path(__file__).resolve().parents[3] / "wirestream" / "events" / "static"
    scripts = {path.name: path.read_text() for path in static.glob("*.js")}
    assert set(scripts) == {"page.js", "list.js", "event.js"}
    for name, script in scripts.items():
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in script, (name, sink)
        assert "new Function" not in script and 'setAttribute("on' not in script, name
    for page in static.glob("*.html"):  # the CSP allows no inline script or style
        html = page.read_text()
        assert "<script>" not in html and "style=" not in html
        assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE)  # no inline handler
