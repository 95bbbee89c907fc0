"""`wirestream bench cluster`: a small real run through the production clusterer."""

from __future__ import annotations

import argparse
import json

import pytest

from wirestream.bench import cluster as bench


@pytest.fixture(autouse=True)
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    # A few base stories keep the test fast; the production features are still computed.
    monkeypatch.setattr(bench, "BASE_STORIES", 12)


@pytest.mark.pure
def test_prefill_builds_the_asked_number_of_live_events() -> None:
    state, _ = bench.prefill(60)
    assert sum(key.startswith("ev:") for key in state) == 60
    assert all(state[k]["version"] == 1 for k in state if k.startswith("ev:"))


@pytest.mark.pure
def test_follow_ups_join_and_new_stories_open_events() -> None:
    result = bench.run(60, 40, batch=10)
    assert result["articles"] == 40 and result["articles_per_s"] > 0
    # Half of the fresh articles follow up a live story; most of them must join it.
    assert 15 <= result["joined"] <= 25, result


@pytest.mark.pure
def test_command_prints_the_summary_last(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    bench.add_bench_parser(parser.add_subparsers())
    args = parser.parse_args(["cluster", "--events", "30", "60", "--articles", "20", "--runs", "1"])
    assert args.func(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"articles_per_s_30", "articles_per_s_60", "cost_ratio"} <= summary.keys()
    # The single-process measure and the records process's CPU are kept beside it.
    assert summary["serial_articles_per_s_60"] > 0 and summary["serial_cpu_articles_per_s_60"] > 0
    assert summary["records_cpu_articles_per_s_60"] > 0
    assert summary["cost_ratio"] > 0 and summary["cpu_cost_ratio"] > 0
    assert summary["cpu_articles_per_s_60"] > 0


@pytest.mark.pure
def test_stories_stay_apart_so_the_state_holds_the_asked_events() -> None:
    # Common words weigh little (as tf-idf would): stories do not merge into giant events.
    result = bench.run(600, 100, batch=50)
    assert result["events_in_state"] >= 594, result
    assert result["joined"] == 50, result  # the follow-ups, and no new story
