"""The faster clusterer changes nothing: same decisions and event records as before."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from pipeline.clustering.config import ClusterConfig
from pipeline.clustering.decide import cluster_batch
from pipeline.clustering.index import CandidateIndex
from pipeline.clustering.members import kept_members
from pipeline.events.build import build_event
from tests.support import enriched_sample
from wirestream.bench import synthetic as bench

pytestmark = pytest.mark.pure

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
# sha256 of `_outputs(_stream())` as the clusterer of commit 2f4f2c5 (before the candidate
# index, the snapshot terms and the summary memo) produces them from the same articles and
# features (term vectors that count the body's lead twice); the headline rule for titles
# changes none of these records.
BEFORE = "427bde35c86cdfe383de26fa4dda30f7630caca047b81b4f95ff3b5ffdef0a90"


def _sample_snapshots() -> list[dict[str, Any]]:
    return [a["features"]["snapshot"] for a in enriched_sample(NOW)]


def _generated_snapshots() -> list[dict[str, Any]]:
    return [a["features"]["snapshot"] for story in bench.base_pool(12) for a in story]


def _stream() -> list[dict[str, Any]]:
    """Generated articles: 300 stories (some told twice), then 300 follow-ups and new stories."""
    pool = bench.base_pool(12)
    articles = []
    for story in range(300):
        members = pool[story % len(pool)]
        articles += [
            bench.variant(members[i], story=story, serial=story * 4 + i)
            for i in range(2 if story % 3 == 0 else 1)
        ]
    return articles + bench.fresh_articles(300, 300)


def _outputs(articles: list[dict[str, Any]], **options: Any) -> str:
    state: dict[str, Any] = {}
    digest = hashlib.sha256()
    for start in range(0, len(articles), 50):
        now = NOW + timedelta(minutes=start)
        decided, events = cluster_batch(
            articles[start : start + 50], state=state, now=now, **options
        )
        for article in decided:
            fields = ("article_id", "event_id", "duplicate_of", "duplicate_kind")
            digest.update(
                orjson.dumps([article[k] for k in fields] + [round(article["similarity"], 3)])
            )
        for event in events:
            digest.update(orjson.dumps(event, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


@pytest.fixture(autouse=True)
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "BASE_STORIES", 12)


@pytest.mark.parametrize("source", [_sample_snapshots, _generated_snapshots])
def test_snapshot_terms_build_the_same_record_as_computing_them(source: Any) -> None:
    snapshots = source()
    assert all("terms" in s for s in snapshots)
    for size in range(1, 7):
        for start in range(0, len(snapshots) - size, 3):
            members = [
                dict(s, source=f"outlet{(start + i) % 4}")
                for i, s in enumerate(snapshots[start : start + size])
            ]
            if size > 2:
                members[-1]["duplicate_of"] = members[0]["article_id"]
            legacy = [{k: v for k, v in m.items() if k not in ("terms", "solo")} for m in members]
            assert build_event("e", members, version=1, now=NOW) == build_event(
                "e", legacy, version=1, now=NOW
            )


@pytest.mark.parametrize("source", [_sample_snapshots, _generated_snapshots])
def test_a_one_source_event_takes_the_summary_its_snapshot_holds(source: Any) -> None:
    snapshots = source()
    assert all(isinstance(s["solo"], list) for s in snapshots)
    for start in range(len(snapshots) - 3):
        alone = [snapshots[start]]
        # one original and its copies from other outlets: still one competing source
        copies = [alone[0]] + [
            dict(s, source=f"copier{i}", duplicate_of=alone[0]["article_id"])
            for i, s in enumerate(snapshots[start + 1 : start + 3])
        ]
        for members in (alone, copies):
            computed = [{k: v for k, v in m.items() if k != "solo"} for m in members]
            record = build_event("e", members, version=1, now=NOW)
            assert record == build_event("e", computed, version=1, now=NOW)
            assert record["summary"] or not any(members[0]["terms"])


def test_memo_reuses_a_big_event_summary_and_the_record_is_unchanged() -> None:
    config = ClusterConfig()
    snapshots = _generated_snapshots()
    joined = [
        dict(s, article_id=f"{n:024x}", source=f"outlet{n % 20}") for n, s in enumerate(snapshots)
    ]
    memo: dict[str, Any] = {}
    reused = 0
    for count in range(1, len(joined) + 1):
        members = kept_members(joined[:count], config=config)
        before = memo.get("e")
        record = build_event("e", members, version=count, now=NOW, memo=memo)
        assert record == build_event("e", members, version=count, now=NOW)
        reused += before is not None and memo["e"] is before
    assert reused >= 3  # the big event's competing members stopped changing


def test_stream_gives_what_the_previous_clusterer_gave() -> None:
    articles = _stream()
    assert _outputs(articles) == BEFORE
    # with a persistent index (as the agent keeps it) the outputs are the same again
    index = CandidateIndex(bands=ClusterConfig().lsh_bands)
    assert _outputs(_stream(), index=index) == BEFORE
