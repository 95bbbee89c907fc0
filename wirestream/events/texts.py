"""What the full-text indexes hold of an event: the same texts on insert and on delete."""

from __future__ import annotations

import re

from wirestream.consume import Event

NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() refuses


def search_texts(event: Event) -> tuple[str, str, str]:
    """Title, summary sentences and entity names, as the ``search`` index columns."""
    return (
        event["title"],
        " ".join(sentence["text"] for sentence in event["summary"]),
        " ".join(entity["name"] for entity in event["entities"]),
    )


def entity_key(name: str) -> str:
    """One index token per name: its letters and digits, lowercase ("Xi Jinping" -> "xijinping").

    Args:
        name: an entity name.
    """
    return NOT_ALNUM.sub("", name.lower())


def name_keys(event: Event) -> str:
    """The ``names`` index text of an event: the keys of its entity names."""
    return " ".join(key for entity in event["entities"] if (key := entity_key(entity["name"])))
