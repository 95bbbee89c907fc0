"""What competes for an event summary: sentences, never a dateline, a "Posted at" line or a
headline line, and a many-source event compares its sources' leads rather than every one of
their first six sentences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.events.build import build_event, member_snapshot
from pipeline.events.summary import lead_terms

pytestmark = pytest.mark.pure

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
SHARED = "The harbour council approved the new flood barrier after a long night of talks."


def _word(*digits: int) -> str:
    """A made-up word per (member, sentence, position), so fillers share no terms."""
    return "".join("bcdfghjklmnpqrstvwz"[d % 19] + "aeiou"[d // 19 % 5] for d in digits) + "ton"


def _filler(member: int, position: int) -> str:
    return " ".join(_word(member, position, j) for j in range(6)).capitalize() + "."


def _member(number: int, lines: list[str]) -> dict[str, Any]:
    return member_snapshot(
        {
            "article_id": f"a{number}",
            "source": f"outlet{number}.example",
            "title": "",
            "text": "\n".join(lines),
        }
    )


@pytest.mark.parametrize(
    "line",
    [
        "Posted at 3:21 PM ET on January 5, 2011",
        "Last updated at 19:47 GMT on 4 August 2013",
        "Wednesday 5 January 2011 12:19 PM EST",
    ],
)
def test_datelines_and_feed_lines_do_not_compete_for_the_summary(line: str) -> None:
    assert lead_terms(line) == ""
    members = [_member(n, [line, SHARED, _filler(n, 1)]) for n in range(3)]
    summary = build_event("e", members, version=1, now=NOW)["summary"]
    assert [s["text"] for s in summary if s["text"] == line] == []
    assert {"text": SHARED, "sources": [1, 2, 3]} in summary


@pytest.mark.parametrize(
    "line",
    [
        "Harbour council approves new flood barrier after all-night talks",
        "Harbour Council Approves New Flood Barrier After Talks!",
        "HARBOUR COUNCIL APPROVES FLOOD BARRIER...",
    ],
)
def test_headline_lines_title_the_event_and_stay_out_of_its_summary(line: str) -> None:
    assert lead_terms(line) == ""
    members = [_member(n, [line, SHARED, _filler(n, 1), _filler(n, 2)]) for n in range(3)]
    event = build_event("e", members, version=1, now=NOW)
    assert line not in [s["text"] for s in event["summary"]]
    assert {"text": SHARED, "sources": [1, 2, 3]} in event["summary"]


def test_a_short_sentence_about_people_still_competes() -> None:
    assert lead_terms("Pierre Thomas and Chris Ivory are out.") != ""
    assert lead_terms("“We will rebuild the harbour wall,” the mayor said.") != ""


def test_the_lower_case_tail_of_a_badly_split_sentence_does_not_compete() -> None:
    assert lead_terms("have made an offer to the striker, the biggest yet for the club.") == ""


def _with_shared_fifth(sources: int) -> list[dict[str, Any]]:
    lines = [[_filler(n, p) for p in range(4)] + [SHARED] for n in range(sources)]
    return [_member(n, text) for n, text in enumerate(lines)]


def test_a_fact_every_source_states_in_its_fifth_sentence_leads_a_mid_sized_summary() -> None:
    summary = build_event("e", _with_shared_fifth(8), version=1, now=NOW)["summary"]
    assert {"text": SHARED, "sources": list(range(1, 9))} in summary


def test_a_sixteen_source_event_compares_only_its_sources_first_four_sentences() -> None:
    summary = build_event("e", _with_shared_fifth(16), version=1, now=NOW)["summary"]
    assert SHARED not in [s["text"] for s in summary]
    assert len(summary) >= 3  # the leads still make a summary


def test_a_snapshot_made_under_older_lead_rules_has_its_lead_terms_recomputed() -> None:
    line = "Harbour council approves new flood barrier after all-night talks"
    members = [_member(n, [line, SHARED, _filler(n, 1), _filler(n, 2)]) for n in range(3)]
    stale = []
    for member in members:
        old = {k: v for k, v in member.items() if k != "lead_v"}  # stored before the version
        old["terms"] = ["harbour council approv new flood barrier", *member["terms"][1:]]
        stale.append(old)
    summary = build_event("e", stale, version=1, now=NOW)["summary"]
    assert line not in [s["text"] for s in summary]
    assert build_event("e", members, version=1, now=NOW)["summary"] == summary


@pytest.mark.parametrize(
    ("opening", "shown"),
    [
        ("ARMED robbers in drag raided the harbour jeweller on Friday night.", "Armed robbers"),
        ("A HUGE fire destroyed the old ferry terminal at Corran Point.", "A huge fire"),
        ("A FIRE-BOMB attack hit the harbour office before dawn on Monday.", "A fire-bomb attack"),
        ("NASA engineers tested the new harbour radar on Friday morning.", "NASA engineers"),
        ("US engineers tested the new harbour radar on Friday morning.", "US engineers"),
        (
            "WHEN PLANNING TO widen the harbour road, the council forgot the ferry queue.",
            "When planning to widen",
        ),
    ],
)
def test_a_tabloid_opening_in_capitals_is_told_in_ordinary_case(opening: str, shown: str) -> None:
    one = build_event("ev", [_member(1, [opening])], version=1, now=NOW)
    two = build_event("ev", [_member(1, [opening]), _member(2, [opening])], version=1, now=NOW)
    for event in (one, two):  # one source's summary is picked with its snapshot; two compete
        assert event["summary"][0]["text"].startswith(shown), event["summary"]
