"""Named entities over batches of cleaned texts, canonical within each text.

Every spaCy label is returned (PERSON, ORG, GPE, LOC, NORP, EVENT, FAC, DATE, TIME,
CARDINAL, QUANTITY, MONEY, ...): clustering keeps the name-like labels, the
disagreement finder keeps the value-like ones; consumers filter by `label`.
"""

from __future__ import annotations

import functools
import re
from typing import Any, TypedDict

from spacy.language import Language

from pipeline.nlp.aliases import (
    canonical_alias,
    clean_surface,
    gazetteer_places,
    strip_honorifics,
)
from pipeline.nlp.heads import label_by_head
from pipeline.nlp.truecase import truecase

# Changes when the rules below change what a text's entities are (caches of them key on it).
ENTITY_RULES_VERSION = 4
# Labels whose mentions are merged by name; others (DATE, CARDINAL, ...) only exactly.
LABEL_GROUP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}

# "[1]", "[1, 2]", "[3-5]", "[12]" citation markers the normalizer may have missed.
CITATION = re.compile(r"\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]")
_HAS_WORD = re.compile(r"[^\W_]")
_LEADING_THE = re.compile(r"(?:the|The|THE)\s+(?=\S)")
_POSSESSIVE = re.compile(r"\s*['’][sS]?$")
# Labels the small model gives a surname it does not read as a person ("Palin's church" GPE).
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


class Mention(TypedDict):
    """One entity mention: character span into the text and its spaCy label."""

    text: str
    label: str
    start: int
    end: int


def entity_mentions(
    nlp: Language,
    texts: list[str],
    *,
    batch_size: int = 32,
    restore_case: bool = True,
    relabel: bool = True,
) -> list[list[Mention]]:
    """Run NER over a batch and return the mentions of each text, noise removed.

    Args:
        nlp: a loaded pipeline with `ner` and/or an EntityRuler.
        texts: cleaned texts; offsets index these strings.
        batch_size: `nlp.pipe` batch size.
        restore_case: truecase ALL-CAPS lines for the model (same length, same offsets).
        relabel: fix a label by the name's last word (`pipeline.nlp.heads`).
    """
    model_texts = [truecase(text) for text in texts] if restore_case else texts
    results: list[list[Mention]] = []
    for text, doc in zip(texts, nlp.pipe(model_texts, batch_size=batch_size), strict=True):
        noise = [match.span() for match in CITATION.finditer(text)]
        mentions = [_trimmed(text, ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
        if relabel:
            for mention in mentions:
                mention["label"] = label_by_head(mention["text"], mention["label"])
        results.append([m for m in mentions if _is_real(m, noise)])
    return results


def _trimmed(text: str, start: int, end: int, label: str) -> Mention:
    """Drop a leading "the" and a trailing possessive: "the U.S.'s" -> "U.S."."""
    lead = _LEADING_THE.match(text, start, end)
    if lead:
        start = lead.end()
    tail = _POSSESSIVE.search(text, start, end)
    if tail and tail.start() > start:
        end = tail.start()
    return Mention(text=text[start:end], label=label, start=start, end=end)


def extract_entities(
    nlp: Language, texts: list[str], *, batch_size: int = 32
) -> list[list[dict[str, Any]]]:
    """Return per text its entities with canonical names, counts and first offsets.

    Each entity is `{"name", "label", "count", "first_offset", "mentions"}`, the list
    sorted by `first_offset`; `mentions` holds the distinct surface forms in order.

    Args:
        nlp: a loaded pipeline (`pipeline.nlp.model.load_model()`, or blank + EntityRuler).
        texts: cleaned texts; `first_offset` indexes these strings.
        batch_size: `nlp.pipe` batch size.
    """
    batch = entity_mentions(nlp, texts, batch_size=batch_size)
    return [canonicalize(mentions) for mentions in batch]


def canonicalize(mentions: list[Mention]) -> list[dict[str, Any]]:
    """Group the mentions of one text into entities with one canonical name each.

    Args:
        mentions: mentions of one text in text order.
    """
    entities: list[dict[str, Any]] = []
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for mention in sorted(mentions, key=lambda m: m["start"]):
        name = _canonical_name(mention)
        if not name:
            continue
        group = LABEL_GROUP.get(mention["label"], mention["label"])
        entity = by_key.get((group, name.casefold())) or _earlier_full_name(entities, name, group)
        if entity is None:
            entity = {
                "name": name,
                "label": mention["label"],
                "count": 0,
                "first_offset": mention["start"],
                "mentions": [],
                "_group": group,
                "_labels": {},
            }
            entities.append(entity)
        by_key[(group, name.casefold())] = entity
        _add_mention(entity, mention)
    _absorb_short_first(entities)
    _absorb_surnames_as_places(entities)
    return [_public(entity) for entity in sorted(entities, key=lambda e: e["first_offset"])]


def _is_real(mention: Mention, noise: list[tuple[int, int]]) -> bool:
    # A name never runs across a paragraph break: such a span is a model error.
    if not _HAS_WORD.search(mention["text"]) or "\n" in mention["text"]:
        return False
    return not any(start < mention["end"] and mention["start"] < end for start, end in noise)


def _canonical_name(mention: Mention) -> str:
    return _name_of(mention["text"], person=mention["label"] == "PERSON")


@functools.lru_cache(maxsize=16384)
def _name_of(text: str, *, person: bool) -> str:
    """The canonical name of a surface form (names recur in and across articles: cached)."""
    name = clean_surface(text)
    if person:
        name = strip_honorifics(name)
    return canonical_alias(name) or name


def _earlier_full_name(
    entities: list[dict[str, Any]], name: str, group: str
) -> dict[str, Any] | None:
    """Longest earlier name in the same group that ends with the words of `name`."""
    if group != "PER":
        return None
    words = name.casefold().split(" ")
    candidates = [
        entity
        for entity in entities
        if entity["_group"] == group and _ends_with(entity["name"].casefold().split(" "), words)
    ]
    return max(candidates, key=lambda e: len(e["name"]), default=None)


def _absorb_short_first(entities: list[dict[str, Any]]) -> None:
    """Merge a person named short first ("Putin ... Vladimir Putin") into the one full name."""
    for short in [e for e in entities if e["_group"] == "PER"]:
        words = short["name"].casefold().split(" ")
        longer = [
            e
            for e in entities
            if e["_group"] == "PER"
            and e is not short
            and _ends_with(e["name"].casefold().split(" "), words)
        ]
        # Two full names ending alike ("Anna Berg", "Tomas Berg") leave it ambiguous.
        if len(longer) != 1:
            continue
        full = longer[0]
        full["count"] += short["count"]
        full["first_offset"] = min(full["first_offset"], short["first_offset"])
        full["mentions"] = [
            *short["mentions"],
            *[m for m in full["mentions"] if m not in short["mentions"]],
        ]
        for label, count in short["_labels"].items():
            full["_labels"][label] = full["_labels"].get(label, 0) + count
        entities[:] = [e for e in entities if e is not short]


def _absorb_surnames_as_places(entities: list[dict[str, Any]]) -> None:
    """Count a lone word labelled a place as the person named before it whose surname it is
    ("Sarah Palin ... Palin's church", GPE), when exactly one person's name ends with it and
    the word is not a place the gazetteer knows ("China" beside "Air China")."""
    surnames: dict[str, list[dict[str, Any]]] = {}
    for entity in entities:
        if entity["_group"] == "PER" and " " in entity["name"]:
            surnames.setdefault(entity["name"].casefold().rsplit(" ", 1)[1], []).append(entity)
    if not surnames:
        return
    known = gazetteer_places()
    for place in [e for e in entities if e["_labels"].keys() <= _PLACE_LABELS]:
        if place["name"].casefold() in known:
            continue
        owners = surnames.get(place["name"].casefold(), [])
        if len(owners) != 1 or owners[0]["first_offset"] > place["first_offset"]:
            continue
        person = owners[0]
        person["count"] += place["count"]
        person["mentions"] += [m for m in place["mentions"] if m not in person["mentions"]]
        person["_labels"]["PERSON"] = person["_labels"].get("PERSON", 0) + place["count"]
        entities[:] = [e for e in entities if e is not place]


def _ends_with(full: list[str], tail: list[str]) -> bool:
    return len(full) > len(tail) and full[-len(tail) :] == tail


def _add_mention(entity: dict[str, Any], mention: Mention) -> None:
    entity["count"] += 1
    if mention["text"] not in entity["mentions"]:
        entity["mentions"].append(mention["text"])
    labels: dict[str, int] = entity["_labels"]
    labels[mention["label"]] = labels.get(mention["label"], 0) + 1


def _public(entity: dict[str, Any]) -> dict[str, Any]:
    labels: dict[str, int] = entity["_labels"]
    # Most frequent label wins; dict order breaks ties in favour of the first seen.
    label = max(labels, key=lambda lab: labels[lab]) if labels else entity["label"]
    return {
        "name": entity["name"],
        "label": label,
        "count": entity["count"],
        "first_offset": entity["first_offset"],
        "mentions": entity["mentions"],
    }
