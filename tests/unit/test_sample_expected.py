"""Every claim of samples/expected.json that the pipeline is responsible for, checked.

(`event_topics` and the disagreement keys have tests of their own.)
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.clustering.decide import cluster_batch
from pipeline.records import Incoming
from pipeline.text.normalize import normalize_batch
from tests.support import SAMPLE, enriched_sample, expected

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _good_ids() -> list[str]:
    ids = []
    for line in SAMPLE.read_bytes().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "id" in record:
            ids.append(record["id"])
    return ids


@pytest.mark.pure
def test_line_counts_and_the_malformed_lines() -> None:
    truth = expected()
    lines = SAMPLE.read_bytes().splitlines()
    assert len(lines) == truth["total_lines"] == 30
    assert truth["good_lines"] + len(truth["malformed_lines"]) == truth["total_lines"]
    messages = [Incoming(line, "news.raw.v1", 0, n) for n, line in enumerate(lines, start=1)]
    articles, deadletters = normalize_batch(messages, now=NOW)
    assert sorted(d["source"]["offset"] for d in deadletters) == truth["malformed_lines"]
    assert len(articles) == truth["good_lines"]
    assert [a["raw_id"] for a in articles] == _good_ids()


@pytest.mark.pure
def test_events_cover_every_good_article_once_and_confusable_pairs_are_events() -> None:
    truth = expected()
    members = [i for ids in truth["events"].values() for i in ids]
    assert sorted(members) == sorted(_good_ids())
    for first, second in truth["confusable_pairs"]:
        assert first != second and {first, second} <= truth["events"].keys()
    copies = {**truth["exact_duplicates"], **truth["syndicated_copies"]}
    for copy, original in copies.items():  # a copy belongs to its original's event
        assert any({copy, original} <= set(ids) for ids in truth["events"].values())


def _decided_by_raw_id(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["raw_id"]: a for a in articles}


@pytest.mark.pure
def test_duplicates_are_found_by_the_clusterer() -> None:
    truth = expected()
    decided, _ = cluster_batch(enriched_sample(NOW), state={}, now=NOW)
    by_raw = _decided_by_raw_id(decided)
    for copy, original in truth["exact_duplicates"].items():
        assert by_raw[copy]["duplicate_kind"] in ("url", "content")
        assert by_raw[copy]["duplicate_of"] == by_raw[original]["article_id"]
    for copy, original in truth["syndicated_copies"].items():
        # copy-edited: its body differs from the original's, so only the near path finds it
        assert by_raw[copy]["content_hash"] != by_raw[original]["content_hash"]
        assert by_raw[copy]["duplicate_kind"] == "near"
        assert by_raw[copy]["duplicate_of"] == by_raw[original]["article_id"]
    originals = set(truth["exact_duplicates"].values()) | set(truth["syndicated_copies"].values())
    others = set(_good_ids()) - set(truth["exact_duplicates"]) - set(truth["syndicated_copies"])
    assert originals <= others
    assert all(by_raw[i]["duplicate_of"] is None for i in others)


@pytest.mark.slow
def test_process_gives_the_expected_events(tmp_path: Path) -> None:
    from pipeline.nlp.model import default_model_name, load_model
    from wirestream.cli import main

    try:
        load_model()
    except OSError:
        pytest.skip(f"spaCy model {default_model_name()} not installed")
    truth = expected()
    assert main(["process", str(SAMPLE), "--out", str(tmp_path)]) == 0
    lines = (tmp_path / "news.articles.v1.jsonl").read_bytes().splitlines()
    articles = [json.loads(line) for line in lines]
    members: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        members[article["event_id"]].add(article["raw_id"])
    assert sorted(map(sorted, members.values())) == sorted(map(sorted, truth["events"].values()))
    event_of = {a["raw_id"]: a["event_id"] for a in articles}
    for first, second in truth["confusable_pairs"]:
        first_events = {event_of[i] for i in truth["events"][first]}
        second_events = {event_of[i] for i in truth["events"][second]}
        assert len(first_events) == len(second_events) == 1 and first_events != second_events
    by_raw = _decided_by_raw_id(articles)
    for copy, original in truth["syndicated_copies"].items():
        assert by_raw[copy]["duplicate_kind"] == "near"
        assert by_raw[copy]["duplicate_of"] == by_raw[original]["article_id"]
