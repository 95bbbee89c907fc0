"""The terminal write-up of an event shows its disagreements and its updates."""

from __future__ import annotations

import pytest

from wirestream.render import render_event

pytestmark = pytest.mark.pure


def test_updates_are_shown_oldest_first_with_their_sources() -> None:
    event = {
        "event_id": "e1",
        "version": 2,
        "title": "Quake hits the coast",
        "article_count": 3,
        "summary": [{"text": "A quake hit the coast.", "sources": [1, 2]}],
        "sources": [
            {"n": n, "name": f"Outlet {n}", "url": f"https://o{n}.example/"} for n in (1, 2, 3)
        ],
        "disagreements": [
            {
                "field": "number:magnitude",
                "description": "sources differ on the magnitude",
                "values": [{"value": "6.1", "sources": [1]}, {"value": "5.9", "sources": [2]}],
            }
        ],
        "updates": [
            {
                "field": "number:killed",
                "value": "at least three",
                "sources": [1],
                "first_reported_at": None,
            },
            {
                "field": "number:killed",
                "value": "Ten",
                "sources": [2, 3],
                "first_reported_at": None,
            },
        ],
    }
    lines = render_event(event).splitlines()
    assert "  ⚠ sources differ on the magnitude: 6.1 [1]; 5.9 [2]" in lines
    assert lines[-1] == "  ↻ updated, killed: at least three [1] → Ten [2, 3]"
