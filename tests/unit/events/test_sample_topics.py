"""The sample's events get the IPTC topic an editor gives each story (`event_topics`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.settings import Settings
from pipeline.stages import live_events
from tests.support import SAMPLE, expected
from wirestream.commands.process import process_lines
from wirestream.commands.produce import read_lines

pytestmark = pytest.mark.slow


def test_each_sample_event_leads_with_its_editors_topic() -> None:
    from agents.resources import load_resources

    now = datetime.now(UTC)
    articles, events = [], []
    for outputs in process_lines(
        read_lines(SAMPLE), source="sample", resources=load_resources(), settings=Settings(),
        clock=lambda: now,
    ):  # fmt: skip
        articles += outputs.articles
        events += outputs.events
    raw_ids = {a["article_id"]: a["raw_id"] for a in articles}
    truth = expected()
    story_of = {raw_id: story for story, ids in truth["events"].items() for raw_id in ids}
    first_topic = {}
    for event in live_events(events):
        (story,) = {story_of[raw_ids[a]] for a in event["articles"]}
        first_topic[story] = event["topics"][0]["code"] if event["topics"] else None
    assert first_topic == truth["event_topics"]
