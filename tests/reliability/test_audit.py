"""The audit itself: it must notice a lost input, a changed re-send and a split event."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from wirestream.chaos.audit import (
    Outputs,
    Record,
    audit,
    first_output_after,
    input_id_of_deadletter,
)

pytestmark = pytest.mark.pure


def _article(raw_id: str, event_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "raw_id": raw_id,
        "article_id": f"a-{raw_id}",
        "event_id": event_id,
        "ingested_at": extra.pop("ingested_at", "t0"),
        "title": "T",
        **extra,
    }


def _event(event_id: str, version: int, articles: list[str]) -> Record:
    return Record({"event_id": event_id, "version": version, "articles": articles}, version)


def _outputs() -> Outputs:
    return Outputs(
        articles=[Record(_article("x1", "e1"), 10), Record(_article("x2", "e1"), 20)],
        deadletters=[Record({"original": orjson.dumps({"id": "x3"}).decode()}, 30)],
        events=[_event("e1", 1, ["a-x1"]), _event("e1", 2, ["a-x1", "a-x2"])],
    )


def test_a_clean_run_passes() -> None:
    verdict = audit(_outputs(), ["x1", "x2", "x3"])
    assert verdict.ok and verdict.inputs == 3 and verdict.duplicated_resends == 0


def test_a_missing_input_is_lost() -> None:
    verdict = audit(_outputs(), ["x1", "x2", "x3", "x4"])
    assert verdict.lost == ["x4"] and not verdict.ok


def test_identical_resend_counts_and_passes_but_a_changed_one_fails() -> None:
    outputs = _outputs()
    outputs.articles.append(Record(_article("x1", "e1", ingested_at="t9"), 40))
    verdict = audit(outputs, ["x1", "x2", "x3"])
    assert verdict.ok and verdict.duplicated_resends == 1
    outputs.articles.append(Record(_article("x2", "e1", title="changed"), 50))
    assert audit(outputs, ["x1", "x2", "x3"]).divergent == ["x2"]


def test_an_article_in_two_events_or_none_is_a_violation() -> None:
    outputs = _outputs()
    outputs.events.append(_event("e2", 1, ["a-x2"]))
    assert any("a-x2" in v for v in audit(outputs, ["x1", "x2", "x3"]).event_violations)
    outputs = _outputs()
    outputs.events.append(_event("e1", 3, ["a-x1"]))  # the latest version dropped x2
    assert any("a-x2" in v for v in audit(outputs, ["x1", "x2", "x3"]).event_violations)


def test_deadletter_ids_and_recovery_time() -> None:
    assert input_id_of_deadletter({"original_b64": "eyJpZCI6ICJ6In0="}) == "z"
    assert input_id_of_deadletter({"original": "not json"}) is None
    assert first_output_after(_outputs(), 15) == 20
    assert first_output_after(_outputs(), 99) is None
