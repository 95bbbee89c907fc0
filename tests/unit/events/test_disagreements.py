"""Facts next to their anchor words, and disagreements between sources (precision first)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.events.build import build_event, member_snapshot
from pipeline.events.disagreements import extract_facts, find_disagreements, source_numbers

pytestmark = pytest.mark.pure


def member(
    source: str, text: str, entities: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """A member snapshot as the event stage stores it, built from the text alone."""
    return {
        "article_id": extra.pop("article_id", source.lower()),
        "source": source,
        "sentences": text.splitlines(),
        "entities": entities or [],
        "facts": extract_facts(text, entities or []),
        **extra,
    }


def gpe(name: str) -> dict[str, Any]:
    return {"name": name, "label": "GPE", "count": 1, "first_offset": 0, "mentions": [name]}


def disagreements(
    *texts: str, entities: list[list[dict[str, Any]]] | None = None
) -> list[dict[str, Any]]:
    per_text = entities or [[] for _ in texts]
    return find_disagreements(
        [
            member(f"Outlet{i}", text, found)
            for i, (text, found) in enumerate(zip(texts, per_text, strict=True), 1)
        ]
    )


def values(found: dict[str, Any]) -> dict[str, list[int]]:
    return {v["value"]: v["sources"] for v in found["values"]}


def test_differing_arrival_times_are_one_time_disagreement() -> None:
    found = disagreements(
        "The prime minister landed on Wednesday morning at the military airfield.",
        "The prime minister arrived late on Tuesday for the summit.",
    )
    assert len(found) == 1
    assert found[0]["field"] == "time"
    assert values(found[0]) == {"Wednesday morning": [1], "late on Tuesday": [2]}
    assert found[0]["description"] == "sources differ on the time of the arrival"


def test_differing_calendar_dates_are_a_date_disagreement() -> None:
    found = disagreements(
        "The delegation arrived on May 14 after a long flight.",
        "Officials said the delegation arrived on May 15 in the capital.",
        "The delegation arrived on May 14, state radio said.",
    )
    assert [d["field"] for d in found] == ["date"]
    assert values(found[0]) == {"May 14": [1, 3], "May 15": [2]}


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("The envoy arrived on Wednesday for talks.", "The envoy landed on Wednesday morning."),
        ("The envoy arrived at 9 a.m. on Friday.", "The envoy arrived on Friday morning."),
        ("The envoy arrived at 10:40 local time.", "The envoy landed at 02:40 GMT."),
        ("The envoy arrived at about 10 a.m.", "The envoy arrived at 10:40 a.m."),
        ("The envoy arrived on Monday.", "The envoy arrived on March 3."),
    ],
)
def test_compatible_or_incomparable_times_are_not_disagreements(one: str, two: str) -> None:
    assert disagreements(one, two) == []


def test_identical_values_are_not_disagreements() -> None:
    text = (
        "The minister arrived on Tuesday evening. The earthquake killed 12 people and injured 40."
    )
    assert disagreements(text, text) == []


def test_differing_casualty_numbers_are_a_number_disagreement() -> None:
    found = disagreements(
        "The landslide buried three houses and at least 12 were killed, police said.",
        "Rescuers said 14 people died when the hillside collapsed.",
    )
    assert [d["field"] for d in found] == ["number:killed"]
    assert values(found[0]) == {"at least 12": [1], "14": [2]}
    assert found[0]["description"] == "sources differ on the number killed"


def test_same_count_in_other_words_or_a_rising_toll_agrees() -> None:
    assert (
        disagreements(
            "The storm killed twelve people across the region.",
            "Twelve people died in the storm, officials said.",
        )
        == []
    )
    # A source that reports the toll rising to the other's figure agrees with it.
    assert (
        disagreements(
            "At least 12 were killed on Monday. By evening the death toll rose to 14.",
            "The collapse killed 14 people.",
        )
        == []
    )


def test_approximate_counts_allow_some_slack() -> None:
    assert (
        disagreements("About 1,000 people were evacuated.", "Officials evacuated 980 residents.")
        == []
    )
    found = disagreements("About 1,000 people were evacuated.", "Police evacuated 3,000 people.")
    assert [d["field"] for d in found] == ["number:evacuated"]


def test_differing_places_of_arrival_are_a_place_disagreement() -> None:
    found = disagreements(
        "The president arrived in Shanghai for the summit.",
        "The president arrived in Beijing on a state visit.",
        entities=[[gpe("Shanghai")], [gpe("Beijing")]],
    )
    assert [d["field"] for d in found] == ["place"]
    assert values(found[0]) == {"Shanghai": [1], "Beijing": [2]}


def test_place_named_by_both_sources_is_not_a_disagreement() -> None:
    # A city inside the province the other source names is a narrower place, not a conflict.
    assert (
        disagreements(
            "The earthquake struck in Sichuan before dawn.",
            "The earthquake struck in Chengdu, the capital of Sichuan, before dawn.",
            entities=[[gpe("Sichuan")], [gpe("Chengdu"), gpe("Sichuan")]],
        )
        == []
    )


def test_relative_spans_from_the_same_reference_disagree() -> None:
    found = disagreements(
        "The foreign minister arrived in Cairo, four days after the ceasefire was signed.",
        "The foreign minister arrived two days after the ceasefire was signed.",
    )
    assert [d["field"] for d in found] == ["date"]
    assert set(values(found[0])) == {
        "four days after the ceasefire was signed",
        "two days after the ceasefire was signed",
    }
    # Measured from different things, spans are not comparable.
    assert (
        disagreements(
            "The minister arrived four days after the ceasefire was signed.",
            "The minister arrived two days after the election results came in.",
        )
        == []
    )


@pytest.mark.parametrize(
    "text",
    [
        "The bridge was built 12 years ago and carries 40,000 cars a day.",
        "In 2019 the company was fined $5 million for the leak.",
        "The explosion left 12 dead and the airline left the alliance in 2020.",
        "Turnout reached 64 percent, officials said.",
        "The council met for four hours on Tuesday.",
        "The suspect had been arrested four times before.",
        "A quake in the same region killed more than 31,000 people in December 2003.",
        "There might have been two people killed, a witness said.",
        "When one is killed, all of us lose.",
    ],
)
def test_no_false_facts(text: str) -> None:
    facts = extract_facts(text, [])
    assert all(f["anchor"] != "departure" for f in facts)
    assert [f for f in facts if f["kind"] == "number" and f["anchor"] != "killed"] == []
    killed = [f["norm"]["n"] for f in facts if f["anchor"] == "killed"]
    assert killed in ([], [12.0])


def test_extracted_facts_and_their_anchors() -> None:
    text = (
        "A magnitude 6.1 quake struck at 10:40 local time on Monday, killing 9 and injuring "
        "more than 1.5 million.\nAt least 300 people were reported missing."
    )
    facts = {(f["kind"], f["anchor"], f["value"]) for f in extract_facts(text, [])}
    assert facts == {
        ("number", "magnitude", "6.1"),
        ("when", "strike", "10:40 local time on Monday"),
        ("number", "killed", "9"),
        ("number", "injured", "more than 1.5 million"),
        ("number", "missing", "at least 300"),
    }


def test_model_time_entity_widens_the_value() -> None:
    entities = [
        {
            "name": "the early hours of Thursday",
            "label": "TIME",
            "count": 1,
            "first_offset": 20,
            "mentions": ["the early hours of Thursday"],
        }
    ]
    facts = extract_facts("The cargo plane crashed in the early hours of Thursday.", entities)
    assert [(f["anchor"], f["value"]) for f in facts] == [("crash", "the early hours of Thursday")]


def test_publication_times_are_not_facts() -> None:
    text = "The museum reopened its east wing to visitors."
    members = [
        member("A", text, published_at="2025-01-01T00:00:00+00:00"),
        member("B", text, published_at="2025-01-03T00:00:00+00:00"),
    ]
    assert find_disagreements(members) == []


def test_source_numbers_follow_outlets_and_duplicates() -> None:
    members = [
        {"article_id": "a1", "source": "Wire"},
        {"article_id": "b1", "source": "Daily"},
        {"article_id": "a2", "source": "wire "},  # same outlet, new article
        {"article_id": "c1", "source": "Reprint", "duplicate_of": "b1"},  # syndicated copy
        {"article_id": "d1", "source": "Evening"},
    ]
    assert source_numbers(members) == [1, 2, 1, 2, 3]


def test_event_record_carries_the_number_disagreement_end_to_end() -> None:
    def article(n: int, source: str, text: str) -> dict[str, Any]:
        return {
            "article_id": f"{n:024x}",
            "url": f"https://{source}.example/{n}",
            "canonical_url": None,
            "source": source,
            "title": f"Flood report {n}",
            "text": text,
            "published_at": None,
            "ingested_at": f"2025-04-0{n}T10:00:00+00:00",
            "entities": [],
            "topics": [],
            "duplicate_of": None,
            "similarity": None,
        }

    members = [
        member_snapshot(
            article(
                1,
                "river",
                "Flash floods swept through the valley villages "
                "overnight and at least 12 were killed.",
            )
        ),
        member_snapshot(
            article(
                2,
                "coast",
                "Flash floods swept through the valley villages; "
                "14 people died and dozens were missing.",
            )
        ),
    ]
    event = build_event("ev", members, version=1, now=datetime(2025, 4, 3, tzinfo=UTC))
    assert event["disagreements"] == [
        {
            "field": "number:killed",
            "description": "sources differ on the number killed",
            "values": [{"value": "at least 12", "sources": [1]}, {"value": "14", "sources": [2]}],
        }
    ]
    assert event["first_seen"] == "2025-04-01T10:00:00+00:00"


def test_symbols_that_are_digits_to_isdigit_are_not_counts() -> None:
    # "²" and "①" pass `str.isdigit` but not `float`: they used to dead-letter the article.
    text = "Officials said 5 km² of forest burned. About ① people were hurt, and 12 were injured."
    facts = extract_facts(text, [])
    assert [f["norm"]["n"] for f in facts if f["kind"] == "number"] == [12.0]
