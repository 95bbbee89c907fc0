"""The pool's encoded results are the records the ingest agent used to encode itself."""

from __future__ import annotations

import orjson
import pytest

from agents import pool
from pipeline.records import Incoming, Limits
from tests.agents.test_agents import FIXED_NOW
from tests.support import SAMPLE, blank_resources
from wirestream.commands.produce import read_lines

pytestmark = pytest.mark.agents


def test_encoded_results_are_the_enriched_articles_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool._Held, "resources", blank_resources())
    messages = [
        Incoming(value=line, topic="news.raw.v1", partition=0, offset=n)
        for n, line in enumerate(read_lines(SAMPLE))
    ]
    enriched, deadletters = pool._prepare_in_worker(messages, FIXED_NOW, Limits(), 32)
    encoded, encoded_deadletters = pool._prepare_encoded_in_worker(
        messages, FIXED_NOW, Limits(), 32
    )
    assert enriched and deadletters
    assert encoded == [(a["article_id"].encode(), orjson.dumps(a)) for a in enriched]
    assert encoded_deadletters == deadletters
