"""The production-like stream evaluation: its inputs, its scoring, and the sample in many orders."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from config.settings import Settings
from pipeline.stages import final_event_ids, live_events
from tests.support import SAMPLE, SHARED_DATA, expected
from wirestream.commands.process import process_lines
from wirestream.commands.produce import read_lines
from wirestream.evaluation import stream

ECBPLUS = SHARED_DATA / "ecbplus" / "articles.jsonl"


def _records(n: int) -> list[dict[str, object]]:
    body = "\n".join(f"Sentence {k} of story {{s}} says something long enough." for k in range(20))
    return [
        {"doc_id": f"d{s}", "title": f"Story {s}", "text": body.format(s=s), "url": None}
        | {"cluster_id": f"c{s % 3}"}
        for s in range(n)
    ]


@pytest.mark.pure
def test_copies_keep_their_original_gold_event_and_are_reproducible() -> None:
    items = stream.file_items(_records(9))
    copies = stream.copy_items(items, 6, seed=3)
    assert copies == stream.copy_items(items, 6, seed=3)
    by_id = {item.raw["id"]: item for item in items}
    for copy in copies:
        original = by_id[copy.raw["id"].removesuffix("-copy")]
        assert copy.gold == original.gold and copy.kind == "copy"
        assert copy.raw["url"] != original.raw["url"]
    # the three kinds of copy: word edits, a trimmed end with a footer, a new headline
    assert sum(c.raw["body"].endswith(stream.FOOTER) for c in copies) == 2
    assert sum(c.raw["title"].startswith("UPDATE: ") for c in copies) == 2


@pytest.mark.pure
def test_documents_without_a_url_are_each_their_own_outlet() -> None:
    records = [*_records(3), {**_records(1)[0], "doc_id": "d9", "url": "https://wire.example/a"}]
    items = stream.file_items(records)
    sources = [item.raw["source"] for item in items]
    assert len(set(sources[:3])) == 3
    assert sources[3] == "wire.example"
    assert len({item.raw["url"] for item in items}) == 4


@pytest.mark.pure
def test_bcubed_counts_distractors_only_in_the_all_figure() -> None:
    items = [
        stream.Item({"id": "a"}, "g1", "file"),
        stream.Item({"id": "b"}, "g1", "copy"),
        stream.Item({"id": "x"}, "x", "distractor"),
    ]
    # the distractor wrongly joins the story's event
    report = stream.score(items, {"a": "e1", "b": "e1", "x": "e1"})
    assert report["file"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    assert report["all"]["p"] == pytest.approx((2 / 3 * 2 + 1 / 3) / 3, abs=1e-4)
    summary = stream.summarize([report, stream.score(items, {"a": "e1", "b": "e2", "x": "e3"})])
    assert summary["file_f1_min"] == pytest.approx(2 / 3, abs=1e-4)


@pytest.fixture(scope="module")
def real_resources() -> Any:
    """The production model and classifier, loaded once for the module."""
    from agents.resources import load_resources

    return load_resources()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_the_sample_gives_its_events_in_any_order(seed: int, real_resources: Any) -> None:
    lines = list(read_lines(SAMPLE))
    random.Random(seed).shuffle(lines)
    now = datetime.now(UTC)  # the sample's dates are trusted, as in `make run`
    articles, events = [], []
    for outputs in process_lines(
        lines, source="sample", resources=real_resources, settings=Settings(), clock=lambda: now
    ):
        articles += outputs.articles
        events += outputs.events
    moved = final_event_ids(events)
    groups: dict[str, list[str]] = {}
    for article in articles:
        groups.setdefault(moved.get(article["event_id"], article["event_id"]), []).append(
            article["raw_id"]
        )
    truth = expected()["events"]
    assert sorted(map(sorted, groups.values())) == sorted(map(sorted, truth.values()))
    assert len(live_events(events)) == len(truth)


@pytest.mark.slow
@pytest.mark.skipif(not ECBPLUS.is_file(), reason="../shared/data/ecbplus is absent")
def test_stream_items_from_the_shared_data_are_well_formed() -> None:
    from wirestream.evaluation.clustering import load_records

    items = stream.file_items(load_records(ECBPLUS))
    assert len({item.raw["id"] for item in items}) == len(items)
    assert all(item.raw["url"].startswith("http") and item.raw["body"] for item in items)
    distractors = stream.distractor_items(SHARED_DATA / "bbc_news" / "articles.jsonl", 5, seed=1)
    assert [d.kind for d in distractors] == ["distractor"] * 5
    assert len({d.gold for d in distractors}) == 5
