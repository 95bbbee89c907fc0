"""`EventPostings.top` ranks exactly as a plain loop over the keys would."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clustering.postings import EventPostings, order_key

pytestmark = pytest.mark.pure

# Few distinct weights and ids that share their first 8 bytes: many ties, decided by the id.
IDS = [f"{prefix}{n:02d}" for prefix in ("aaaaaaaa", "aaaaaaab", "b", "ä", "") for n in range(8)]
WEIGHTS = st.sampled_from([0.1, 0.25, 0.5, 0.25 + 0.05, 1.0])


def reference(
    postings: dict[str, list[str]], weighted: list[tuple[str, float]], *, cap: int, limit: int
) -> list[str]:
    """Sum each event's weights key by key over each key's `cap` latest events; best first."""
    sums: dict[str, float] = {}
    for key, weight in weighted:
        for event in postings.get(key, [])[-cap:]:
            sums[event] = sums.get(event, 0.0) + weight
    return [event for _, event in sorted((-total, event) for event, total in sums.items())][:limit]


Case = tuple[list[tuple[str, set[str]]], list[str], list[tuple[str, float]]]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    keys = [f"k{i}" for i in range(draw(st.integers(1, 6)))]
    posts = draw(
        st.lists(st.tuples(st.sampled_from(IDS), st.sets(st.sampled_from(keys))), max_size=60)
    )
    dropped = draw(st.lists(st.sampled_from(IDS), max_size=5))
    weighted = [(key, draw(WEIGHTS)) for key in draw(st.permutations([*keys, "unposted"]))]
    return posts, dropped, weighted


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(1, 12), st.integers(1, 8))
def test_top_matches_a_plain_loop(case: Case, cap: int, limit: int) -> None:
    posts, dropped, weighted = case
    postings = EventPostings()
    plain: dict[str, list[str]] = {}
    for event, keys in posts:
        new = postings.new_keys(event, sorted(keys))
        postings.post(event, new)
        for key in new:
            plain.setdefault(key, []).append(event)
    for event in dropped:  # freed slots are reused by later events
        postings.drop(event)
        plain = {k: [e for e in v if e != event] for k, v in plain.items()}
    for event, keys in posts[:10]:
        new = postings.new_keys(f"late-{event}", sorted(keys))
        postings.post(f"late-{event}", new)
        for key in new:
            plain.setdefault(key, []).append(f"late-{event}")
    plain = {k: v for k, v in plain.items() if v}
    assert postings.top(weighted, cap=cap, limit=limit) == reference(
        plain, weighted, cap=cap, limit=limit
    )


def test_order_key_orders_like_the_ids() -> None:
    ids = sorted([*IDS, "", "a", "aaaaaaaa", "zz", "é", "\u4e2d"])
    keys = [order_key(i) for i in ids]
    assert keys == sorted(keys)
