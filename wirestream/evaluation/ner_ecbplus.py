"""Out-of-domain NER check: named participants and places annotated in ECB+ news articles.

ECB+ marks every mention of an event's participants, times and places, names or not
("Tara Reid", "the actress", "who"). Only names count here: after leading articles and
prepositions ("in the ...") the mention must start with a capital ("a rehab centre in Malibu"
names no facility), except that a place span of several words counts when any word is
capitalized ("in central Cairo", "the city of Bandar Abbas"); a one-word mention must not
be a pronoun or a word usually written in lower case ("Police", "Woman" in a headline).

ECB+ types and the spaCy labels accepted for them (one type per gold mention):

| ECB+ type | label | also accepted | why |
|---|---|---|---|
| HUMAN_PART_PER | PERSON | | |
| HUMAN_PART_ORG | ORG | | |
| HUMAN_PART_GPE | GPE | NORP | "Greek", "Turkmen" act as the country |
| LOC_GEO | GPE | LOC | ECB+ does not split political from natural places |
| LOC_FAC | FAC | ORG | OntoNotes tags many named facilities (clinics, banks) ORG |

Left out: NON_HUMAN_PART (named things mix films, products, brands and buildings: no one
label fits), HUMAN_PART_MET (metonymy: "Hollywood" for the film industry), the generic and
vehicle types, LOC_OTHER, and times (NER value labels are not names).

ECB+ spans often hold more than the name ("Promises Treatment Center in Malibu",
"Greece's second city, Thessaloniki"), and it does not annotate every name in a text, so
spans are matched by overlap and there is no precision: a gold mention is *found* when a
predicted entity overlaps it; `recall` counts it when that entity has the label of its type,
`recall_lenient` when it has an accepted label, `detected` with any name label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from spacy.language import Language

from pipeline.nlp.entities import entity_mentions
from pipeline.nlp.truecase import lowercase_words

ACCEPTED: dict[str, tuple[str, ...]] = {
    "HUMAN_PART_PER": ("PERSON",),
    "HUMAN_PART_ORG": ("ORG",),
    "HUMAN_PART_GPE": ("GPE", "NORP"),
    "LOC_GEO": ("GPE", "LOC"),
    "LOC_FAC": ("FAC", "ORG"),
}
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}
)
PRONOUNS = frozenset(
    {
        *("he", "she", "it", "they", "we", "i", "you", "who", "whom", "whose", "his", "her"),
        *("its", "their", "our", "my", "your", "him", "them", "me", "us", "this", "that"),
    }
)
# Articles and the prepositions ECB+ place spans start with ("in Cannes", "at the court").
_LEADING = frozenset(["the", "a", "an", "in", "at", "on", "of", "to", "from", "near", "into"])
_PLACES = frozenset({"LOC_GEO", "HUMAN_PART_GPE"})  # spans that wrap a place name in words


def is_name(mention: dict[str, Any]) -> bool:
    """Whether an ECB+ mention is a name (see the module docstring).

    Args:
        mention: an ECB+ mention (`text`, `type`).
    """
    tokens = mention["text"].split()
    while tokens and tokens[0].lower() in _LEADING:
        tokens = tokens[1:]
    if mention["type"] in _PLACES and len(tokens) > 1:
        return any(t[:1].isupper() for t in tokens)
    if not tokens or not tokens[0][:1].isupper():
        return False
    word = tokens[0].lower().strip(".,'\"").removesuffix("'s")
    return len(tokens) > 1 or (word not in PRONOUNS and word not in lowercase_words())


def gold_mentions(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's name mentions of the scored types.

    Args:
        record: one ECB+ record (`text`, `sentences`, `mentions`).
    """
    return [m for m in record["mentions"] if m["type"] in ACCEPTED and is_name(m)]


def evaluate(
    nlp: Language,
    records: Sequence[dict[str, Any]],
    *,
    batch_size: int = 16,
    restore_case: bool = True,
    relabel: bool = True,
) -> dict[str, Any]:
    """Recall of the production NER on ECB+ name mentions, per type and overall.

    Args:
        nlp: pipeline from `pipeline.nlp.model.load_model`.
        records: ECB+ records.
        batch_size: `nlp.pipe` batch size.
        restore_case: passed to `pipeline.nlp.entities.entity_mentions`.
        relabel: passed to `pipeline.nlp.entities.entity_mentions`.
    """
    predicted = entity_mentions(
        nlp,
        [r["text"] for r in records],
        batch_size=batch_size,
        restore_case=restore_case,
        relabel=relabel,
    )
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in ACCEPTED}
    for record, found in zip(records, predicted, strict=True):
        names = [m for m in found if m["label"] in NAME_LABELS]
        for gold in gold_mentions(record):
            labels = {
                m["label"] for m in names if m["start"] < gold["end"] and gold["start"] < m["end"]
            }
            tally = counts[gold["type"]]
            tally["gold"] += 1
            tally["detected"] += bool(labels)
            tally["strict"] += ACCEPTED[gold["type"]][0] in labels
            tally["lenient"] += bool(labels & set(ACCEPTED[gold["type"]]))
    total: Counter[str] = sum(counts.values(), Counter())
    return {
        **_rates(total),
        "per_type": {kind: _rates(tally) for kind, tally in counts.items()},
        "n_documents": len(records),
    }


def _rates(tally: Counter[str]) -> dict[str, Any]:
    gold = tally["gold"] or 1
    return {
        "recall": round(tally["strict"] / gold, 4),
        "recall_lenient": round(tally["lenient"] / gold, 4),
        "detected": round(tally["detected"] / gold, 4),
        "n_gold": tally["gold"],
    }


def read_records(path: Path) -> list[dict[str, Any]]:
    """ECB+ records from `ecbplus/articles.jsonl`.

    Args:
        path: the file.
    """
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
