"""The arrival disagreement found in wordings the extractor was not written against.

Every text here is written for this test. Each pair tells the same arrival in other words
("reached", "flew into", "began his visit", ...) with a time that contradicts the reference
report, or one that agrees with it.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.events.disagreements import extract_facts, find_disagreements

pytestmark = pytest.mark.pure

REFERENCE = "President Amara Diallo landed in Accra on Wednesday morning for a three-day visit."

# (reworded report, the arrival time it gives): each contradicts the reference's.
CONTRADICTING = [
    ("Diallo reached Accra late on Tuesday, his office said.", "late on Tuesday"),
    ("The president flew into Accra on Tuesday evening ahead of the summit.", "Tuesday evening"),
    ("Diallo began his three-day visit to Ghana on Tuesday with a stop at the port.", "Tuesday"),
    (
        "The Guinean leader touched down at Kotoka airport shortly after 9 p.m. on Tuesday.",
        "shortly after 9 p.m. on Tuesday",
    ),
    (
        "Diallo stepped off the plane in Accra on Tuesday afternoon to a military band.",
        "Tuesday afternoon",
    ),
    ("Crowds lined the airport road for his arrival in Accra on Tuesday night.", "Tuesday night"),
    ("The delegation arriving from Conakry got to Accra at dawn on Thursday.", "dawn on Thursday"),
    ("Diallo flew in on Tuesday night, a day earlier than planned.", "Tuesday night"),
]

# Rewordings that agree with the reference: nothing to report.
AGREEING = [
    "Diallo reached Accra early on Wednesday, his office said.",
    "The president flew into Accra on Wednesday at 8:15 a.m.",
    "Diallo began his visit to Ghana on Wednesday with a stop at the port.",
    "His plane touched down at Kotoka airport on Wednesday morning.",
]


def member(source: str, text: str) -> dict[str, Any]:
    return {
        "article_id": source.lower(),
        "source": source,
        "sentences": [text],
        "entities": [],
        "facts": extract_facts(text, []),
        "facts_v": 2,
    }


@pytest.mark.parametrize(("text", "given"), CONTRADICTING)
def test_reworded_arrival_with_another_time_is_one_arrival_disagreement(
    text: str, given: str
) -> None:
    found = find_disagreements([member("Reference", REFERENCE), member("Other", text)])
    assert [d["description"].rsplit(" ", 1)[-1] for d in found] == ["arrival"]
    assert {v["value"]: v["sources"] for v in found[0]["values"]} == {
        "Wednesday morning": [1],
        given: [2],
    }


@pytest.mark.parametrize("text", AGREEING)
def test_reworded_arrival_at_the_same_time_is_no_disagreement(text: str) -> None:
    assert find_disagreements([member("Reference", REFERENCE), member("Other", text)]) == []


def test_the_rewordings_are_read_as_arrivals() -> None:
    # Guards the two tests above: the agreeing texts must state an arrival time at all.
    for text in AGREEING:
        assert [f["anchor"] for f in extract_facts(text, []) if f["kind"] == "when"] == ["arrival"]
