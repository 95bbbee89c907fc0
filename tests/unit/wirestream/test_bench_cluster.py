"""`wirestream bench cluster`: the real-feature pool, the planned stream, a small run."""

from __future__ import annotations

import argparse
import functools
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support import enriched_sample, expected
from wirestream.bench import cluster as bench
from wirestream.bench import clusterstream, realcorpus

pytestmark = pytest.mark.pure
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@functools.cache
def sample_corpus() -> realcorpus.Corpus:
    """The sample's events as templates (blank-model entities), its lone stories as singles."""
    by_raw = {a["raw_id"]: a for a in enriched_sample(NOW)}
    events = [
        [by_raw[i] for i in ids if i in by_raw and i not in expected()["exact_duplicates"]]
        for ids in expected()["events"].values()
    ]
    singles = [a for ids in expected()["events"].values() for a in [by_raw[ids[0]]]]
    return realcorpus.build_corpus(events, singles, members=8)


def test_plan_sizes_are_long_tailed() -> None:
    members = tuple(range(64))
    corpus = realcorpus.Corpus(events=(members,) * 3, singles=(None,) * 5)  # type: ignore[arg-type]
    planned = clusterstream.plan(20_000, corpus)
    told = [size for size, t in zip(planned.sizes, planned.templates, strict=True) if t >= 0]
    assert 0.17 < len(told) / 20_000 < 0.23
    assert all(s == 1 for s, t in zip(planned.sizes, planned.templates, strict=True) if t < 0)
    assert sum(s >= 50 for s in told) >= 5  # P(k >= 50) ~ 0.3 % of ~4,000
    assert sorted(told)[len(told) // 2] == 1 and max(told) <= 64


def test_a_story_renames_rare_words_and_some_common_ones() -> None:
    pooled = sample_corpus().events[0][0]  # the Putin visit
    first = realcorpus.story_features(pooled, story=1)
    again = realcorpus.story_features(pooled, story=1)
    other = realcorpus.story_features(pooled, story=2)
    assert first == again and first["minhash"] != other["minhash"]
    assert "p:jinpingx1" in first["entities"] and "p:jinpingx2" in other["entities"]
    assert realcorpus.renamed("kremlin", 3) == "kremlinx3"
    assert all(realcorpus.renamed("the", story) == "the" for story in range(100))
    for common in ("said", "president", "2026", "#000"):
        kept = sum(realcorpus.renamed(common, story) == common for story in range(400))
        assert 60 <= kept <= 140, (common, kept)  # one story in four
    # the weights stay the article's own
    assert sorted(first["terms"].values()) == sorted(pooled.article["features"]["terms"].values())


def test_recombined_article_mixes_sources_and_keeps_the_entities_it_mentions() -> None:
    a = {"title": "A", "text": "Mara Quill sang. The crowd cheered. Rain fell.", "entities": []}
    a["entities"] = [{"name": "Mara Quill", "label": "PERSON", "count": 1, "first_offset": 0}]
    b = {"title": "B", "text": "Quill left early. Santa Lenora was quiet.", "entities": []}
    b["entities"] = [
        {"name": "Santa Lenora", "label": "GPE", "count": 1, "first_offset": 18},
        {"name": "Mara Quill", "label": "PERSON", "count": 1, "first_offset": 0},
    ]
    made = realcorpus.recombine([a, b], random.Random(2))
    sentences = {s for s in made["text"].split(". ")}
    assert len(sentences) == 2 and made["title"] == "A"
    for entity in made["entities"]:
        assert entity["name"] in made["text"]
        assert entity["count"] == made["text"].count(entity["name"])


def test_run_reports_what_the_clusterer_made_of_the_fresh_articles() -> None:
    result = bench.run(60, 40, corpus=sample_corpus(), batch=10)
    assert result["articles"] == 40 and result["articles_per_s"] > 0
    assert result["follow_ups"] + result["new_stories"] == 40
    assert 0 <= result["follow_ups_joined"] <= result["follow_ups"]
    assert result["prefill_articles"] >= 60 and result["events_in_state"] >= 1
    assert result["largest_events"] == sorted(result["largest_events"], reverse=True)


def test_prefill_puts_every_planned_article_in_the_state() -> None:
    corpus = sample_corpus()
    planned = clusterstream.plan(80, corpus)
    filled = clusterstream.prefill(corpus, planned, batch=30)
    assert filled.articles == sum(planned.sizes)
    assert sum(key.startswith("art:") for key in filled.state) == filled.articles
    events = {k for k in filled.state if k.startswith("ev:")}
    assert {f"ev:{e}" for s in filled.story_articles for e in filled.story_events(s)} == events


def test_command_prints_the_summary_last(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("ecbplus", "bbc_news"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "articles.jsonl").write_text("")
    monkeypatch.setattr(bench, "real_corpus", lambda data: sample_corpus())
    parser = argparse.ArgumentParser()
    bench.add_bench_parser(parser.add_subparsers())
    argv = ["cluster", "--events", "30", "60", "--articles", "20", "--runs", "1"]
    args = parser.parse_args([*argv, "--data", str(tmp_path)])
    assert args.func(args) == 0
    summary: dict[str, Any] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"articles_per_s_30", "articles_per_s_60", "cost_ratio"} <= summary.keys()
    # The single-process measure and the records process's CPU are kept beside it.
    assert summary["serial_articles_per_s_60"] > 0 and summary["serial_cpu_articles_per_s_60"] > 0
    assert summary["records_cpu_articles_per_s_60"] > 0
    assert summary["cost_ratio"] > 0 and summary["cpu_cost_ratio"] > 0


def test_command_needs_the_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    bench.add_bench_parser(parser.add_subparsers())
    args = parser.parse_args(["cluster", "--data", str(tmp_path / "none")])
    assert args.func(args) == 2
    assert "no ecbplus/articles.jsonl" in capsys.readouterr().err
