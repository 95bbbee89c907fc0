"""Facts next to their anchor words, and disagreements between sources (precision first)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.events.build import build_event, member_snapshot
from pipeline.events.disagreements import (
    FACTS_VERSION,
    compare_facts,
    extract_facts,
    find_disagreements,
    source_numbers,
)

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
        "facts_v": FACTS_VERSION,
        **extra,
    }


def gpe(name: str) -> dict[str, Any]:
    return {"name": name, "label": "GPE", "count": 1, "first_offset": 0, "mentions": [name]}


def disagreements(
    *texts: str,
    entities: list[list[dict[str, Any]]] | None = None,
    published: list[str | None] | None = None,
) -> list[dict[str, Any]]:
    per_text = entities or [[] for _ in texts]
    times = published or [None for _ in texts]
    return find_disagreements(
        [
            member(f"Outlet{i}", text, found, published_at=at)
            for i, (text, found, at) in enumerate(zip(texts, per_text, times, strict=True), 1)
        ]
    )


# Two publication times 40 minutes apart: "about the same time".
TOGETHER = ["2025-03-04T08:00:00+00:00", "2025-03-04T08:40:00+00:00"]
# Five hours apart: the later report may have a newer count.
HOURS_APART = ["2025-03-04T08:00:00+00:00", "2025-03-04T13:00:00+00:00"]


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
        ("The envoy arrived on Monday night.", "The envoy arrived at 8:30 p.m. on Monday."),
        ("The envoy arrived on Monday evening.", "The envoy arrived late on Monday night."),
    ],
)
def test_compatible_or_incomparable_times_are_not_disagreements(one: str, two: str) -> None:
    assert disagreements(one, two) == []


def test_identical_values_are_not_disagreements() -> None:
    text = (
        "The minister arrived on Tuesday evening. The earthquake killed 12 people and injured 40."
    )
    assert disagreements(text, text) == []


def test_differing_casualty_numbers_at_the_same_time_are_a_number_disagreement() -> None:
    found = disagreements(
        "The landslide buried three houses and 12 were killed, police said.",
        "Rescuers said 14 people died when the hillside collapsed.",
        published=TOGETHER,
    )
    assert [d["field"] for d in found] == ["number:killed"]
    assert values(found[0]) == {"12": [1], "14": [2]}
    assert found[0]["description"] == "sources differ on the number killed"


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("At least 5 people were killed in the blast.", "The blast killed 7 people."),
        ("More than 40 people were injured.", "Officials said 65 people were injured."),
        ("Up to 30 people are missing.", "Rescuers said 18 people were missing."),
        ("Nearly 100 were evacuated.", "Police evacuated 96 residents."),
        ("About 1,000 people were evacuated.", "Officials evacuated 980 residents."),
        ("The storm killed twelve people.", "Twelve people died in the storm."),
        ("More than a dozen people were killed.", "The fire killed 15 people."),
    ],
)
def test_compatible_counts_are_not_disagreements(one: str, two: str) -> None:
    assert disagreements(one, two, published=TOGETHER) == []


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("About 1,000 people were evacuated.", "Police evacuated 3,000 people."),
        ("Nearly 100 were evacuated.", "Police evacuated 40 residents."),
        ("At least 12 people were killed.", "The collapse killed 9 people."),
    ],
)
def test_incompatible_counts_at_the_same_time_disagree(one: str, two: str) -> None:
    assert len(disagreements(one, two, published=TOGETHER)) == 1


def test_counts_without_publication_times_never_conflict() -> None:
    # A toll rises as a story develops: without times, 12 against 14 may be an update.
    one = "The landslide buried three houses and 12 were killed, police said."
    two = "Rescuers said 14 people died when the hillside collapsed."
    assert disagreements(one, two) == []
    assert disagreements(one, two, published=[TOGETHER[0], None]) == []


def test_a_higher_count_published_hours_later_is_an_update_not_a_conflict() -> None:
    members = [
        member(
            "Wire", "One person was killed when the bridge gave way.", published_at=HOURS_APART[0]
        ),
        member("Daily", "The collapse killed five people.", published_at=HOURS_APART[1]),
        member(
            "Evening",
            "The death toll rose to twelve on Tuesday, a day after the bridge collapse.",
            published_at="2025-03-05T09:00:00+00:00",
        ),
    ]
    found, updates = compare_facts(members)
    assert found == []
    assert updates == [
        {
            "field": "number:killed",
            "value": "One",
            "sources": [1],
            "first_reported_at": HOURS_APART[0],
        },
        {
            "field": "number:killed",
            "value": "five",
            "sources": [2],
            "first_reported_at": HOURS_APART[1],
        },
        {
            "field": "number:killed",
            "value": "twelve",
            "sources": [3],
            "first_reported_at": "2025-03-05T09:00:00+00:00",
        },
    ]


def test_a_stated_change_orders_counts_without_publication_times() -> None:
    members = [
        member("Wire", "At least three people were killed in the quake."),
        member("Daily", "The death toll rose to 10 on Monday, the governor said."),
        member("Post", "Ten people were killed, officials said."),
    ]
    found, updates = compare_facts(members)
    assert found == []
    assert [(u["value"], u["sources"], u["first_reported_at"]) for u in updates] == [
        ("At least three", [1], None),
        ("10", [2, 3], None),
    ]


def test_a_looser_or_equal_later_count_is_no_update() -> None:
    members = [
        member("Wire", "Twelve people were killed.", published_at=HOURS_APART[0]),
        member("Daily", "At least 10 people were killed.", published_at=HOURS_APART[1]),
        member("Post", "The blast killed 12.", published_at="2025-03-05T09:00:00+00:00"),
    ]
    assert compare_facts(members) == ([], [])


def test_magnitudes_of_two_agencies_disagree_without_times() -> None:
    found = disagreements(
        "The magnitude 7.5 quake struck before dawn.",
        "The U.S. Geological Survey measured the quake at magnitude 7.6.",
    )
    assert [d["field"] for d in found] == ["number:magnitude"]
    assert values(found[0]) == {"7.5": [1], "7.6": [2]}


def test_a_revised_magnitude_hours_later_is_an_update() -> None:
    members = [
        member("Wire", "A magnitude 6.8 quake struck the coast.", published_at=HOURS_APART[0]),
        member("Daily", "The 7.1-magnitude quake damaged the port.", published_at=HOURS_APART[1]),
    ]
    found, updates = compare_facts(members)
    assert found == []
    assert [u["value"] for u in updates] == ["6.8", "7.1"]


def test_aftershocks_and_other_quakes_are_not_the_main_shock() -> None:
    main = "A magnitude 4.6 earthquake struck the valley on Sunday."
    assert disagreements(main, "The strongest aftershock measured magnitude 2.9.") == []
    assert disagreements(main, "A 2.0 magnitude tremor was felt near the dam an hour later.") == []
    assert (
        disagreements(main, "A magnitude-4.1 quake shook the valley a day after a 4.6 quake.") == []
    )
    # A source that also names the other's magnitude is not disputing it.
    assert (
        disagreements(
            main,
            "State radio said the 4.1 quake hit on Sunday.\nSeismologists recorded it at 4.6.",
        )
        == []
    )


def test_a_source_that_gives_several_magnitudes_no_other_source_gives_disputes_nothing() -> None:
    # Two quakes told as one event: the second story's magnitudes are its own tremors, not
    # rival readings of the first quake's.
    other_quake = (
        "A magnitude 5.6 quake struck the island on Sunday, destroying two villages.\n"
        "The magnitude 5.2 quake cut power to the port.\n"
        "Seismologists recorded the magnitude 5.4 quake near the coast."
    )
    found = disagreements(
        "The quake measured magnitude 5.9, the national seismological centre said.",
        "The U.S. Geological Survey put the quake at magnitude 6.1.",
        "The quake, magnitude 5.9, flattened a village.",
        other_quake,
    )
    assert [d["field"] for d in found] == ["number:magnitude"]
    assert values(found[0]) == {"5.9": [1, 3], "6.1": [2]}
    # Alone against one other source, it disputes nothing either.
    assert disagreements("The quake measured magnitude 5.9.", other_quake) == []


def test_a_source_that_gives_two_magnitudes_others_share_still_disagrees() -> None:
    found = disagreements(
        "Tehran put the quake at magnitude 5.9; the U.S. Geological Survey said 6.1.",
        "The quake, magnitude 6.1, flattened a village.",
        "The magnitude 5.9 quake cut power to the port.",
    )
    assert [d["field"] for d in found] == ["number:magnitude"]
    # The first source names both readings, so it disputes neither; the others still differ.
    assert values(found[0]) == {"5.9": [3], "6.1": [2]}


def test_dates_weeks_apart_tell_of_two_quakes() -> None:
    assert (
        disagreements(
            "The earthquake struck on April 20, flattening two villages.",
            "The region had been hit when an earthquake struck on April 6.",
        )
        == []
    )
    assert len(disagreements("The quake struck on April 20.", "The quake struck on April 21.")) == 1


@pytest.mark.parametrize(
    "context",
    [
        "The 2004 tsunami killed 230,000 people across the region.",
        "Aceh was the worst hit by the massive 2004 quake, with 170,000 dead.",
        "In 2004, a tsunami killed 230,000 people.",
        "The last major quake to hit the island was in February. It killed 612 people.",
        "Since the war began, around 3,000 people have been injured.",
        "The war has left around 3,000 people injured.",
        "On Saturday, more than a dozen people were killed by a storm in the north.",
        "Two aftershocks killed 2 more people and injured 30.",
        "A magnitude 6.0 quake can cause severe damage.",
    ],
)
def test_background_and_other_incidents_state_no_facts(context: str) -> None:
    lead = "The quake struck on Sunday.\nRescuers reached the villages.\nRoads were cut."
    facts = extract_facts(f"{lead}\n{context}", [])
    assert [f for f in facts if f["kind"] == "number"] == []


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
        "Two women and one man died in the fire, and 12 were killed in all.",
        "He was arrested five buildings away, and 12 were killed.",
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
        ("number", "missing", "At least 300"),
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


def test_event_record_carries_disagreements_and_updates_end_to_end() -> None:
    def article(n: int, source: str, text: str, published: str) -> dict[str, Any]:
        return {
            "article_id": f"{n:024x}",
            "url": f"https://{source}.example/{n}",
            "canonical_url": None,
            "source": source,
            "title": f"Flood report {n}",
            "text": text,
            "published_at": published,
            "ingested_at": f"2025-04-0{n}T10:00:00+00:00",
            "entities": [],
            "topics": [],
            "duplicate_of": None,
            "similarity": None,
        }

    flood = "Flash floods swept through the valley villages overnight"
    members = [
        member_snapshot(article(1, "river", f"{flood} and 12 were killed.", TOGETHER[0])),
        member_snapshot(article(2, "coast", f"{flood}; 14 people died.", TOGETHER[1])),
    ]
    event = build_event("ev", members, version=1, now=datetime(2025, 4, 3, tzinfo=UTC))
    assert event["disagreements"] == [
        {
            "field": "number:killed",
            "description": "sources differ on the number killed",
            "values": [{"value": "12", "sources": [1]}, {"value": "14", "sources": [2]}],
        }
    ]
    assert "updates" not in event  # optional: absent when nothing was updated
    later = member_snapshot(
        article(3, "hills", f"{flood}; the death toll rose to 19.", "2025-03-05T08:00:00+00:00")
    )
    event = build_event("ev", [*members, later], version=2, now=datetime(2025, 4, 3, tzinfo=UTC))
    assert [u["value"] for u in event["updates"]] == ["12", "19"]
    assert event["updates"][-1]["first_reported_at"] == "2025-03-05T08:00:00+00:00"


def test_snapshots_with_facts_of_older_rules_are_read_again() -> None:
    text = "Officials said the fire killed 12 people on Monday."
    current = member("A", text)
    older = {
        **current,
        "facts": [
            {
                "kind": "number",
                "anchor": "killed",
                "value": "12",
                "norm": {"n": 12.0, "approx": False},
            }
        ],
    }
    older.pop("facts_v")
    assert compare_facts([older, member("B", text)]) == compare_facts([current, member("B", text)])


def test_symbols_that_are_digits_to_isdigit_are_not_counts() -> None:
    # "²" and "①" pass `str.isdigit` but not `float`: they used to dead-letter the article.
    text = "Officials said 5 km² of forest burned. About ① people were hurt, and 12 were injured."
    facts = extract_facts(text, [])
    assert [f["norm"]["n"] for f in facts if f["kind"] == "number"] == [12.0]


def test_days_one_apart_in_named_time_zones_agree() -> None:
    # Early Tuesday in Jakarta is Monday evening in London.
    local = "The quake struck at 2:30 a.m. local time on Tuesday."
    assert disagreements(local, "The quake struck at 7:30 p.m. GMT on Monday.") == []
    assert len(disagreements(local, "The quake struck at 7:30 p.m. GMT on Saturday.")) == 1
    # Without a named zone on both sides, Tuesday against Monday is a disagreement.
    assert len(disagreements(local, "The quake struck late on Monday.")) == 1


def test_the_bad_cases_seen_on_real_news_are_no_conflicts_and_the_toll_is_an_update() -> None:
    # Written after the cases a reader rejected: background tolls of an old disaster,
    # aftershock magnitudes, an earlier quake's date, and a toll rising over two days.
    members = [
        member(
            "Wire",
            "A magnitude 4.6 earthquake struck the highlands of Aceh on Tuesday, killing one "
            "person, officials said.\nThe 2004 tsunami killed 230,000 people across the "
            "region, including 170,000 in Aceh.",
            published_at="2026-04-21T08:00:00+00:00",
        ),
        member(
            "Daily",
            "The death toll rose to five on Tuesday evening, the disaster agency said.\n"
            "Two aftershocks of magnitude 2.0 and 2.9 were recorded overnight.",
            published_at="2026-04-21T18:00:00+00:00",
        ),
        member(
            "Post",
            "Twelve people were killed by the magnitude 4.6 quake that struck Aceh on "
            "April 20, the agency said.\nThe province was also hit when an earthquake struck "
            "on April 6.",
            published_at="2026-04-22T09:00:00+00:00",
        ),
    ]
    found, updates = compare_facts(members)
    assert found == []
    assert [(u["value"], u["sources"]) for u in updates] == [
        ("one", [1]),
        ("five", [2]),
        ("Twelve", [3]),
    ]
