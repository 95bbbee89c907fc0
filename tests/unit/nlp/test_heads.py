"""Labels fixed by a name's last word, and names that keep theirs."""

from __future__ import annotations

import pytest
import spacy

from pipeline.nlp.entities import extract_entities
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
