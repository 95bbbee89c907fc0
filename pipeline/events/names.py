"""An event's entities: its members' named entities counted together, one line per participant.

The most mentioned come first, each under the surface name and label its mentions use most;
numbers, dates, amounts and time zones are facts, not entities. The ways sources name one
person or team are folded into one line first (`pipeline.events.namefolds`).
"""

from __future__ import annotations

import functools
import heapq
from typing import Any

from pipeline.events.namefolds import Counts, fold_names, fold_organisations, top_label
from pipeline.events.packed import entity_fields

NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
# time zones the model takes for a group or a body ("06:00 BST", "0241 GMT"): part of a time
_ZONES = (
    *("gmt", "bst", "utc", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "cet"),
    *("cest", "aest", "ist"),
)


def event_entities(members: list[dict[str, Any]], *, top: int = 20) -> list[dict[str, Any]]:
    """The event's `top` entities by mentions: `{name, label, count}`.

    Args:
        members: member snapshots.
        top: at most this many entities.
    """
    counts: Counts = {}
    labels: Counts = {}
    numeric, key_of = NUMERIC_LABELS, entity_key
    for member in members:
        for name, label, mentions in entity_fields(member):
            if label in numeric:
                continue
            count, key = int(mentions), key_of(name)
            names = counts.get(key)
            if names is None:
                counts[key] = {name: count}
                labels[key] = {label: count}
                continue
            names[name] = names.get(name, 0) + count
            kinds = labels[key]
            kinds[label] = kinds.get(label, 0) + count
    for zone in _ZONES:  # a few lookups, not one per mention
        if zone in counts:
            del counts[zone], labels[zone]
    fold_names(counts, labels)
    fold_organisations(counts, labels)
    totals = {key: sum(names.values()) for key, names in counts.items()}
    # only keys that can reach the top need their surface name (big events hold hundreds)
    floor = heapq.nlargest(top, totals.values())[-1] if len(totals) > top else 0
    merged = [
        (total, max(counts[key].items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0], key)
        for key, total in totals.items()
        if total >= floor
    ]
    merged.sort(key=lambda row: (-row[0], row[1]))
    return [
        {"name": name, "label": top_label(labels[key]), "count": count}
        for count, name, key in merged[:top]
    ]


# British and American spellings of the words that end names of places and bodies
_SPELLINGS = {
    "centre": "center",
    "theatre": "theater",
    "harbour": "harbor",
    "organisation": "organization",
}


@functools.lru_cache(maxsize=65536)
def entity_key(name: str) -> str:
    """The key an entity is counted under: lower case, spaces collapsed, one spelling of
    "centre", "theatre", "harbour" and "organisation" ("Betty Ford Centre" is "Betty Ford
    Center").

    Args:
        name: an entity name.
    """
    return " ".join(_SPELLINGS.get(word, word) for word in str(name).lower().split())
