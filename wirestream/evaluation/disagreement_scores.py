"""Precision and recall of the conflicts and updates that event records report, against labels.

A reported conflict is one `disagreements` entry; it is right when the labels hold a conflict on
the same fact whose two values are both among the entry's values. A reported update is one step
of an `updates` sequence (value a, then value b, on one fact); it is right when the labels list
a before b for that fact. Facts the labels call ambiguous are left out of both counts.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from typing import Any

from pipeline.events.timefacts import NUMBER_WORDS

# Facts the extractor looks for; recall is also given over these alone.
EXTRACTED = re.compile(
    r"number:(?:killed|injured|missing|arrested|evacuated|displaced|magnitude)"
    r"|when:(?:arrival|departure|strike|crash|explosion|landfall)|place:.*"
)
_DESCRIBED = re.compile(r"(?:of the|where the) (?P<anchor>[\w-]+)")


def reported_field(disagreement: dict[str, Any]) -> str:
    """The labels' name of a reported disagreement's fact ("when:arrival", "number:killed").

    Args:
        disagreement: one entry of an event record's `disagreements`.
    """
    field = str(disagreement["field"])
    if field.startswith("number:"):
        return field
    found = _DESCRIBED.search(str(disagreement.get("description", "")))
    anchor = found.group("anchor") if found else "?"
    return f"place:{anchor}" if field == "place" else f"when:{anchor}"


def same_value(reported: Any, labelled: str) -> bool:
    """Whether a reported value is the labelled one (same words, or the same number).

    Args:
        reported: a value as the record gives it.
        labelled: a value as the labels give it.
    """
    a, b = _squash(str(reported)), _squash(labelled)
    if a == b or f" {b} " in f" {a} " or f" {a} " in f" {b} ":
        return True
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    return bool(numbers_a) and numbers_a == numbers_b


def score(
    labels: dict[str, Any], built: dict[tuple[str, str], dict[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """Scores of the reported conflicts and updates, and one line per reported item.

    Args:
        labels: the labelled set (`load_labels`).
        built: (data set, event key) -> event record, for every event the labels read.
    """
    by_event = {(e["dataset"], e["event"]): e for e in labels["events"]}
    conflicts = _Tally()
    updates = _Tally()
    lines: list[str] = []
    for key, record in sorted(built.items()):
        label = by_event.get(key, {})
        ambiguous = {a["field"] for a in label.get("ambiguous", [])}
        name = f"{key[0]}/{key[1]}"
        _score_conflicts(record, label, ambiguous, conflicts, lines, name)
        _score_updates(record, label, ambiguous, updates, lines, name)
    return {"conflicts": conflicts.report(), "updates": updates.report()}, lines


class _Tally:
    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, what: str, count: int = 1) -> None:
        self.counts[what] += count

    def report(self) -> dict[str, Any]:
        c = self.counts
        reported = c["tp"] + c["fp"]
        return {
            "reported": reported,
            "correct": c["tp"],
            "precision": round(c["tp"] / reported, 3) if reported else None,
            "labelled": c["labelled"],
            "found": c["found"],
            "recall": round(c["found"] / c["labelled"], 3) if c["labelled"] else None,
            "labelled_extracted_kinds": c["labelled_in"],
            "recall_extracted_kinds": (
                round(c["found_in"] / c["labelled_in"], 3) if c["labelled_in"] else None
            ),
            "ambiguous_skipped": c["ambiguous"],
        }


def _score_conflicts(
    record: dict[str, Any],
    label: dict[str, Any],
    ambiguous: set[str],
    tally: _Tally,
    lines: list[str],
    name: str,
) -> None:
    labelled = label.get("conflicts", [])
    matched: set[int] = set()
    for disagreement in record.get("disagreements", []):
        field = reported_field(disagreement)
        values = [v["value"] for v in disagreement["values"]]
        shown = "; ".join(f"{v['value']} {v['sources']}" for v in disagreement["values"])
        if field in ambiguous:
            tally.add("ambiguous")
            lines.append(f"conflict  ambiguous {name} {field}: {shown}")
            continue
        hits = [i for i, c in enumerate(labelled) if c["field"] == field and _pair_in(c, values)]
        matched.update(hits)
        tally.add("tp" if hits else "fp")
        lines.append(f"conflict  {'right' if hits else 'WRONG'} {name} {field}: {shown}")
    for i, conflict in enumerate(labelled):
        tally.add("labelled")
        tally.add("found", i in matched)
        if EXTRACTED.fullmatch(conflict["field"]):
            tally.add("labelled_in")
            tally.add("found_in", i in matched)
        if i not in matched:
            lines.append(f"conflict  missed {name} {conflict['field']}: {conflict['values']}")


def _pair_in(conflict: dict[str, Any], values: list[Any]) -> bool:
    first, second = conflict["values"]
    return any(
        same_value(a, first) and same_value(b, second) for a in values for b in values if a is not b
    )


def _score_updates(
    record: dict[str, Any],
    label: dict[str, Any],
    ambiguous: set[str],
    tally: _Tally,
    lines: list[str],
    name: str,
) -> None:
    sequences: dict[str, list[Any]] = defaultdict(list)
    for update in record.get("updates") or []:
        sequences[update["field"]].append(update["value"])
    truth = {u["field"]: u["values"] for u in label.get("updates", [])}
    for field, values in sequences.items():
        for before, after in itertools.pairwise(values):
            if field in ambiguous:
                tally.add("ambiguous")
                lines.append(f"update    ambiguous {name} {field}: {before} -> {after}")
                continue
            right = _ordered(truth.get(field, []), before, after)
            tally.add("tp" if right else "fp")
            lines.append(
                f"update    {'right' if right else 'WRONG'} {name} {field}: {before} -> {after}"
            )
    for field, values in truth.items():
        for before, after in itertools.pairwise(values):
            found = any(
                _ordered_labels(reported, before, after)
                for f, reported in sequences.items()
                if f == field
            )
            tally.add("labelled")
            tally.add("found", found)
            if EXTRACTED.fullmatch(field):
                tally.add("labelled_in")
                tally.add("found_in", found)
            if not found:
                lines.append(f"update    missed {name} {field}: {before} -> {after}")


def _ordered(truth: list[str], before: Any, after: Any) -> bool:
    first = next((i for i, v in enumerate(truth) if same_value(before, v)), None)
    second = next((i for i, v in enumerate(truth) if same_value(after, v)), None)
    return first is not None and second is not None and first < second


def _ordered_labels(reported: list[Any], before: str, after: str) -> bool:
    first = next((i for i, v in enumerate(reported) if same_value(v, before)), None)
    second = next((i for i, v in enumerate(reported) if same_value(v, after)), None)
    return first is not None and second is not None and first < second


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[^\w:.,$€£%-]+", " ", text.lower()).split())


def _numbers(text: str) -> list[float]:
    found = []
    for token in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?|[a-z]+", text):
        if token[0].isdigit():
            found.append(float(token.replace(",", "")))
        elif token in NUMBER_WORDS:
            found.append(float(NUMBER_WORDS[token]))
    return found
