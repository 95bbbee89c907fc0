"""Packed snapshot entities: what a snapshot stores reads back as the entities it was given."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.events.packed import pack_entities, snapshot_entities

pytestmark = pytest.mark.pure

LABELS = st.sampled_from(["PERSON", "ORG", "GPE", "DATE", "CARDINAL"])
NAMES = st.text(min_size=1, max_size=30)


@given(st.lists(st.tuples(NAMES, LABELS, st.integers(1, 500)), max_size=30))
def test_packed_entities_read_back_with_their_whitespace_made_single_spaces(
    rows: list[tuple[str, str, int]],
) -> None:
    entities = [{"name": n, "label": lab, "count": c} for n, lab, c in rows]
    member = {"ents": pack_entities(entities)}
    expected = [(" ".join(n.split()), lab, c) for n, lab, c in rows]
    assert snapshot_entities(member) == expected


def test_a_snapshot_stored_before_packing_reads_the_same() -> None:
    entities = [{"name": "Ines Marlowe", "label": "PERSON", "count": 3}]
    assert snapshot_entities({"entities": entities}) == snapshot_entities(
        {"ents": pack_entities(entities)}
    )
    assert snapshot_entities({}) == [] and snapshot_entities({"ents": ""}) == []
