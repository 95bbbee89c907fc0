"""A summary tells sentences that stand alone in the reporter's voice: never a piece of a longer
quotation, never a columnist's first person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.events.build import build_event, member_snapshot
from pipeline.events.summary import lead_terms
from pipeline.events.voice import open_quote, own_voice, stands_alone

pytestmark = pytest.mark.pure

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
SHARED = "The harbour council approved the new flood barrier after a long night of talks."


@pytest.mark.parametrize(
    "sentence",
    [
        "“She is back at the harbour office right now.",  # opens a quote that goes on
        '"Crews were called to the roof of the ferry terminal at 8.49pm this evening.',
        'I am sure the barrier will hold, and so are the engineers."',  # a quote's tail
        "Personally, I was not surprised because I thought the barrier was finished years ago.",
        "Yesterday I walked along the new barrier with the harbour master.",
        "It looks to me from the outside that the council has run out of money.",
        "My guess is that the council will approve the barrier before the storms.",
        "Methinks somebody's barrier just sprang a leak.",
        "Well, here is something that we all knew would happen to the barrier eventually.",
        "We do not know if the flood was the result of the storm, but we do know it was bad.",
        '"The barrier held through the night and the lower town stayed dry."',  # no speaker
    ],
)
def test_quote_fragments_and_a_columnists_voice_do_not_stand_alone(sentence: str) -> None:
    assert not stands_alone(sentence)
    assert lead_terms(sentence) == ""


@pytest.mark.parametrize(
    "sentence",
    [
        '"I will never apologise for the barrier," the harbour master said on Tuesday.',
        "The harbour master said: “I will never apologise for the barrier.”",
        "‘I will never apologise,’ the harbour master told the council on Tuesday.",
        "The barrier was first planned after World War I flooded the lower town, the council said.",
        "The coal mine under the harbour was closed in 1962, the council said.",
        "My Harbour Radio reported that the council approved the barrier on Tuesday.",
        "Traffic on the I-95 slowed as crews moved the barrier sections north.",
        "US engineers inspected the barrier on Tuesday, the council said.",
        "The council asked US engineers to inspect the barrier before the storms.",
    ],
)
def test_quotations_and_names_stand_alone(sentence: str) -> None:
    assert stands_alone(sentence)
    assert lead_terms(sentence) != ""


def test_open_and_own_voice_are_told_apart() -> None:
    assert open_quote("“Half a quote.") and not own_voice("“Half a quote.")
    assert own_voice("I saw it.") and not open_quote("I saw it.")


def test_a_quote_fragment_every_source_carries_stays_out_of_the_summary() -> None:
    fragment = "“The barrier held through the night and the lower town stayed dry.”"
    members = [
        member_snapshot(
            {
                "article_id": f"a{n}",
                "source": f"outlet{n}.example",
                "title": "",
                "text": f"{SHARED}\n{fragment}",
            }
        )
        for n in range(3)
    ]
    summary = [s["text"] for s in build_event("e", members, version=1, now=NOW)["summary"]]
    assert SHARED in summary
    assert fragment not in summary
