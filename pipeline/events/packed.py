"""A member snapshot's entities packed into one string: a record job pickles one object per
member instead of thirty small dicts, and the state keeps less."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def pack_entities(entities: Iterable[dict[str, Any]]) -> str:
    """Entities as one tab-separated run of name, label, mentions, name, ... (whitespace in a
    name becomes one space, so a name never holds a tab).

    Args:
        entities: entity dicts (`name`, `label`, optional `count`), in the order to keep.
    """
    return "\t".join(
        f"{' '.join(str(e['name']).split())}\t{e['label']}\t{int(e.get('count', 1))}"
        for e in entities
    )


def snapshot_entities(member: dict[str, Any]) -> list[tuple[str, str, int]]:
    """A member snapshot's entities as (name, label, mentions).

    Args:
        member: a member snapshot.
    """
    return [(name, label, int(count)) for name, label, count in entity_fields(member)]


def entity_fields(member: dict[str, Any]) -> Iterator[tuple[str, str, str | int]]:
    """A member snapshot's (name, label, mentions) as stored: packed (`ents`, mentions as
    text) or, in a snapshot stored before packing, a list of dicts (`entities`).

    Args:
        member: a member snapshot.
    """
    packed = member.get("ents")
    if packed is None:
        return ((e["name"], e["label"], e.get("count", 1)) for e in member.get("entities") or ())
    if not packed:
        return iter(())
    fields = packed.split("\t")  # one split and three slices: no per-entity Python work
    return zip(fields[0::3], fields[1::3], fields[2::3], strict=True)
