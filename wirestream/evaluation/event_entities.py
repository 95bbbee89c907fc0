"""Event entity lists against ECB+ gold entities: one line per participant, the right label.

Every gold ECB+ event cluster is built as the worker builds it (`disagreements.build_events`:
normalize, enrich, member snapshots, `build_event`). ECB+ links the mentions of one person,
organisation or place across documents (a cross-document chain), so a listed entity whose name
is a gold name mention of exactly one chain of the cluster is *matched* to that chain:
- a **duplicate** is a listed entity whose chain an entity above it already names ("Mark Felt"
  under "W. Mark Felt", "Teixeira" beside "Mark Teixeira");
- its label is **right** when it is the label of the chain's type, **accepted** when it is one
  `ner_ecbplus.ACCEPTED` allows ("Greek" as NORP for the country).
Names that no chain holds, or several do, are not scored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from wirestream.evaluation.ner_ecbplus import ACCEPTED, gold_mentions


def name_key(name: str) -> str:
    """A name as it is matched: lower case, spaces collapsed, no "the" or possessive.

    Args:
        name: an entity name or a mention's text.
    """
    words = " ".join(name.lower().replace("’", "'").split()).removesuffix("'s").split()
    while words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def gold_chains(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Per cluster: each unambiguous name key -> (chain id, ECB+ type).

    Args:
        records: ECB+ records (`cluster_id`, `mentions`).
    """
    seen: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    for record in records:
        for mention in gold_mentions(record):
            if mention.get("chain_scope") == "cross_doc" and mention.get("chain"):
                key = name_key(mention["text"])
                seen[record["cluster_id"]][key].add((mention["chain"], mention["type"]))
    return {
        cluster: {key: next(iter(found)) for key, found in names.items() if len(found) == 1}
        for cluster, names in seen.items()
    }


def score(
    records: dict[str, dict[str, Any]], chains: dict[str, dict[str, tuple[str, str]]]
) -> tuple[dict[str, Any], list[str]]:
    """Duplicates and label agreement of the listed entities, and one line per duplicate.

    Args:
        records: cluster id -> its event record.
        chains: `gold_chains` of the same clusters.
    """
    tally: Counter[str] = Counter()
    lines: list[str] = []
    for cluster, record in sorted(records.items()):
        names = chains.get(cluster, {})
        first: dict[str, str] = {}  # chain -> the first listed entity naming it
        duplicated = False
        for entity in record.get("entities", []):
            tally["listed"] += 1
            found = names.get(name_key(str(entity["name"])))
            if found is None:
                continue
            chain, kind = found
            tally["matched"] += 1
            tally["right"] += entity["label"] == ACCEPTED[kind][0]
            tally["accepted"] += entity["label"] in ACCEPTED[kind]
            if chain in first:
                tally["duplicates"] += 1
                duplicated = True
                shown = f"{entity['name']!r} ({entity['label']}, {entity['count']})"
                lines.append(f"duplicate {cluster}: {shown} after {first[chain]!r}")
            else:
                first[chain] = str(entity["name"])
        tally["events"] += 1
        tally["events_with_duplicates"] += duplicated
    matched = tally["matched"] or 1
    return {
        "events": tally["events"],
        "listed": tally["listed"],
        "matched": tally["matched"],
        "duplicates": tally["duplicates"],
        "duplicate_share": round(tally["duplicates"] / matched, 4),
        "events_with_duplicates": tally["events_with_duplicates"],
        "label_right": round(tally["right"] / matched, 4),
        "label_accepted": round(tally["accepted"] / matched, 4),
    }, lines
