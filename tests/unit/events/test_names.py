"""An event's entity list: one line per person however the sources name them, numbers left out,
and every mention counted once."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.events.names import NUMERIC_LABELS, event_entities
from pipeline.events.packed import pack_entities

pytestmark = pytest.mark.pure


def member(*entities: tuple[str, str, int]) -> dict[str, Any]:
    """A member snapshot holding (name, label, mentions) entities."""
    return {"ents": pack_entities({"name": n, "label": lb, "count": c} for n, lb, c in entities)}


def listed(*members: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {e["name"]: (e["label"], e["count"]) for e in event_entities(list(members))}


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("Mark Felt", "W. Mark Felt"),
        ("Brian Nichols", "Brian G. Nichols"),
        ("Mark Heller", "Mark Jay Heller"),
        ("Arcade Comeaux", "Arcade Comeaux Jr."),
        ("Lo Presti", "Gaetano Lo Presti"),
        ("Fred LaRue", "Frederick Cheney LaRue"),
        ("Bob Woodward", "Robert Upshur Woodward"),
    ],
)
def test_a_full_name_folds_into_its_fuller_form(short: str, full: str) -> None:
    names = listed(member((full, "PERSON", 5)), member((short, "PERSON", 3)))
    assert names == {full: ("PERSON", 8)}


def test_a_surname_the_model_labelled_org_is_the_person() -> None:
    names = listed(
        member(("Mark Teixeira", "PERSON", 4), ("Teixeira", "ORG", 9)),
        member(("Teixeira", "ORG", 3), ("Red Sox", "ORG", 5)),
    )
    assert names == {"Mark Teixeira": ("PERSON", 16), "Red Sox": ("ORG", 5)}


def test_a_stray_name_does_not_block_the_fold_but_a_second_person_does() -> None:
    names = listed(
        member(("Tara Reid", "PERSON", 9), ("90s Reid", "PERSON", 1), ("Reid", "PERSON", 4))
    )
    assert names["Tara Reid"] == ("PERSON", 13) and "Reid" not in names
    brothers = listed(
        member(("Vincent Gigante", "PERSON", 6), ("Louis Gigante", "PERSON", 4)),
        member(("Gigante", "PERSON", 5)),
    )
    assert brothers["Gigante"] == ("PERSON", 5)  # which brother is not for us to say


def test_a_short_form_or_spelling_of_a_given_name_is_the_same_person() -> None:
    names = listed(member(("Katie Jenkin", "PERSON", 5)), member(("Kathryn Jenkin", "PERSON", 3)))
    assert names == {"Katie Jenkin": ("PERSON", 8)}
    # two shorter forms that both end in the fullest one
    names = listed(
        member(("Fred LaRue", "PERSON", 5), ("Frederick C. LaRue", "PERSON", 3)),
        member(("Frederick Cheney LaRue", "PERSON", 4)),
    )
    assert names == {"Frederick Cheney LaRue": ("PERSON", 12)}
    # "Pat" is Patrick or Patricia: not for us to say
    apart = listed(member(("Pat Moran", "PERSON", 5), ("Patricia Moran", "PERSON", 3)))
    assert apart == {"Pat Moran": ("PERSON", 5), "Patricia Moran": ("PERSON", 3)}


def test_a_first_name_folds_into_the_full_name() -> None:
    names = listed(member(("Lindsay Lohan", "PERSON", 7)), member(("Lindsay", "PERSON", 2)))
    assert names == {"Lindsay Lohan": ("PERSON", 9)}


def test_nothing_folds_into_a_span_that_is_no_name() -> None:
    # a PERSON span the model read across a dash
    names = listed(member(("Yukos - to", "PERSON", 1), ("Yukos", "PERSON", 3)))
    assert names == {"Yukos": ("PERSON", 3), "Yukos - to": ("PERSON", 1)}


def test_british_and_american_spellings_are_one_line() -> None:
    names = listed(
        member(("Betty Ford Center", "FAC", 5), ("Pearl Harbour", "GPE", 1)),
        member(("Betty Ford Centre", "FAC", 2), ("Pearl Harbor", "GPE", 3)),
    )
    assert names == {"Betty Ford Center": ("FAC", 7), "Pearl Harbor": ("GPE", 4)}


def test_a_known_place_never_folds_into_a_person() -> None:
    names = listed(member(("Denzel Washington", "PERSON", 6), ("Washington", "GPE", 3)))
    assert names == {"Denzel Washington": ("PERSON", 6), "Washington": ("GPE", 3)}


def test_a_surname_the_model_read_as_a_place_is_the_person() -> None:
    names = listed(
        member(("Sarah Palin", "PERSON", 4), ("Palin", "GPE", 9)),
        member(("Palin", "GPE", 2), ("Alaska", "GPE", 3)),
    )
    assert names == {"Sarah Palin": ("PERSON", 15), "Alaska": ("GPE", 3)}


def test_numbers_and_time_zones_are_facts_not_entities() -> None:
    names = listed(
        member(("Friday", "DATE", 2), ("12", "CARDINAL", 1), ("Athens", "GPE", 2)),
        member(("GMT", "NORP", 3), ("BST", "ORG", 1)),
    )
    assert names == {"Athens": ("GPE", 2)}


_NAMES = st.sampled_from(
    ["Reid", "Tara Reid", "Tara", "Mark Felt", "W. Mark Felt", "Felt", "Paris", "Lo Presti"]
)
_LABELS = st.sampled_from(["PERSON", "ORG", "GPE", "NORP", "DATE"])
_ENTITIES = st.lists(st.tuples(_NAMES, _LABELS, st.integers(1, 9)), max_size=6)


@given(st.lists(_ENTITIES, min_size=1, max_size=4))
def test_every_mention_is_counted_once(members: list[list[tuple[str, str, int]]]) -> None:
    snapshots = [member(*entities) for entities in members]
    total = sum(
        c for entities in members for _, label, c in entities if label not in NUMERIC_LABELS
    )
    found = event_entities(snapshots, top=100)
    assert sum(e["count"] for e in found) == total
    assert len({e["name"].lower() for e in found}) == len(found)


def test_an_organisation_short_name_folds_into_the_longer_one_it_ends() -> None:
    names = listed(
        member(("Saints", "ORG", 9), ("New Orleans Saints", "ORG", 3)),
        member(("Sox", "ORG", 2), ("Red Sox", "ORG", 5), ("Boston Red Sox", "ORG", 2)),
    )
    assert names == {"Saints": ("ORG", 12), "Red Sox": ("ORG", 9)}  # the form used most


@pytest.mark.parametrize(
    "longer",
    [
        ("Microsoft Patches IE", "ORG", 1),  # a headline's words, once
        ("Interior and Commerce", "ORG", 4),  # two bodies joined
        ("Emergency Patch for IE", "ORG", 3),
    ],
)
def test_an_organisation_does_not_fold_into_a_headline_or_a_list(
    longer: tuple[str, str, int],
) -> None:
    short = ("IE", "ORG", 8) if longer[0].endswith("IE") else ("Commerce", "ORG", 8)
    assert listed(member(short, longer)) == {
        short[0]: ("ORG", 8),
        longer[0]: ("ORG", longer[2]),
    }


def test_only_a_surname_folds_as_a_person_when_the_model_did_not_call_it_one() -> None:
    names = listed(
        member(("Windows Server", "PERSON", 3), ("Windows", "NORP", 9)),  # a first word
        member(("Washington Nationals", "ORG", 5), ("Washington Nationals", "PERSON", 1)),
        member(("Nationals", "NORP", 4)),  # the name it ends is not a person's
    )
    assert names == {
        "Windows": ("NORP", 9),
        "Washington Nationals": ("ORG", 6),
        "Nationals": ("NORP", 4),
        "Windows Server": ("PERSON", 3),
    }
