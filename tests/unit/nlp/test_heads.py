"""Labels fixed by a name's last word, and names that keep theirs; every mention counted once
however mentions are grouped."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from pipeline.nlp.entities import Mention, canonicalize, extract_entities
from pipeline.nlp.heads import label_by_head

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("name", "label", "fixed"),
    [
        ("Morningside Recovery", "PERSON", "ORG"),
        ("Kingfisher Airlines", "PERSON", "ORG"),
        ("Harry Winston Diamond Corp", "PERSON", "ORG"),
        ("Millennium Stadium", "GPE", "FAC"),
        ("Promises Treatment Center", "GPE", "FAC"),
        ("Belmarsh Prison", "PERSON", "FAC"),
        # surnames that name buildings or bodies too
        ("Thomas Haden Church", "PERSON", "PERSON"),
        ("Rob Da Bank", "PERSON", "PERSON"),
        ("Margaret Court", "PERSON", "PERSON"),
        ("Wayne Bridge", "PERSON", "PERSON"),
        # one word, or a label that already says body or building
        ("Recovery", "PERSON", "PERSON"),
        ("Wasilla Bible Church", "ORG", "ORG"),
        ("Betty Ford Center", "ORG", "ORG"),
    ],
)
def test_label_by_head(name: str, label: str, fixed: str) -> None:
    assert label_by_head(name, label) == fixed


def test_the_published_entity_carries_the_fixed_label() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "PERSON", "pattern": "Morningside Recovery"},
            {"label": "PERSON", "pattern": "Lindsay Lohan"},
        ]
    )
    [entities] = extract_entities(nlp, ["Lindsay Lohan left Morningside Recovery on Thursday."])
    assert [(e["name"], e["label"]) for e in entities] == [
        ("Lindsay Lohan", "PERSON"),
        ("Morningside Recovery", "ORG"),
    ]


_NAMES = st.sampled_from(
    [
        *("Sarah Palin", "Palin", "Todd Palin", "China", "Air China", "Wasilla Bible Church"),
        *("Morningside Recovery", "Putin", "Vladimir Putin", "Millennium Stadium", "Alaska"),
    ]
)
_LABELS = st.sampled_from(["PERSON", "GPE", "ORG", "FAC", "NORP", "DATE"])


@given(st.lists(st.tuples(_NAMES, _LABELS), max_size=12))
def test_every_mention_is_counted_once(found: list[tuple[str, str]]) -> None:
    text, mentions = "", []
    for name, label in found:  # each mention at its own offset, in text order
        start = len(text)
        text += f"{name} said. "
        mentions.append(Mention(text=name, label=label, start=start, end=start + len(name)))
    entities = canonicalize(mentions)
    assert sum(e["count"] for e in entities) == len(mentions)
    assert len({(e["name"], e["label"]) for e in entities}) == len(entities)
    assert {e["label"] for e in entities} <= {label for _, label in found}
