"""Labels fixed by a name's last word: "Morningside Recovery" is no person, "Millennium
Stadium" no city, whatever the small model said.

Only words that name a kind of body or building and are not also surnames are used
("Church", "Bank", "Court", "Bridge", "Tower" are: Thomas Haden Church, Rob Da Bank,
Margaret Court, Wayne Bridge, John Tower).
"""

from __future__ import annotations

# a building or site: OntoNotes FAC
FACILITY_HEADS = frozenset(
    {
        "airport",
        "arena",
        "center",
        "centre",
        "clinic",
        "hospital",
        "hotel",
        "jail",
        "library",
        "museum",
        "penitentiary",
        "prison",
        "stadium",
        "theater",
        "theatre",
    }
)
# a company, institution or body: OntoNotes ORG
ORGANISATION_HEADS = frozenset(
    {
        "agency",
        "airlines",
        "airways",
        "association",
        "authority",
        "college",
        "commission",
        "committee",
        "corp",
        "corp.",
        "corporation",
        "council",
        "department",
        "foods",
        "foundation",
        "holdings",
        "inc",
        "inc.",
        "institute",
        "ministry",
        "networks",
        "partners",
        "petroleum",
        "pharmaceuticals",
        "plc",
        "police",
        "records",
        "recovery",
        "studios",
        "systems",
        "technologies",
        "university",
    }
)
# labels a name with such a last word can keep as they are
_KEPT = frozenset({"ORG", "FAC", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"})


def label_by_head(name: str, label: str) -> str:
    """The label of a name of two or more words whose last word says what it is; else `label`.

    Args:
        name: a mention's text.
        label: the model's label for it.
    """
    if label in _KEPT or " " not in name:
        return label
    head = name.rsplit(" ", 1)[1].casefold()
    if head in FACILITY_HEADS:
        return "FAC"
    if head in ORGANISATION_HEADS:
        return "ORG"
    return label
