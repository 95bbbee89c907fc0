"""Facts that sources state about a story, and the points where sources disagree on them.

A fact is `{"kind", "anchor", "value", "norm"}`: `kind` is `when` (a day or time), `span`
(a relative span such as "four days after ..."), `number` or `place`; `anchor` names what the
fact is about ("arrival", "killed", ...); `value` is the text as the source wrote it and `norm`
its comparable form; a count stated as a change ("the toll rose to 9") has `cue`. Precision
beats recall: a value is only taken when it sits right next to its anchor word, in a sentence
about the story's own incident (`pipeline.events.factcontext`), and two sources only disagree when
none of their values agree and no update explains the difference (`pipeline.events.timeline`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from pipeline.events import counts, timefacts, timeline
from pipeline.events.factcontext import CUE, OTHER, SKIP, Context
from pipeline.events.packed import snapshot_entities
from pipeline.events.sentences import split_sentences

Fact = dict[str, Any]

# Snapshots store facts with this version; the builder re-extracts older ones from the text.
FACTS_VERSION = 2
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_AFTER = re.compile(r"\s+(?:[a-z]+\s+){0,2}?(?:in|at)\s+(?:the\s+)?")
_KIND_ORDER = {"when": 0, "span": 1, "number": 2, "place": 3}
_MAX_FACTS = 24


def extract_facts(
    text: str,
    entities: list[dict[str, Any]],
    *,
    max_sentences: int = 40,
    sentences: list[str] | None = None,
) -> list[Fact]:
    """Extract the dated, counted and placed facts a text states next to their anchor words.

    Args:
        text: clean article text.
        entities: the article's entities (`name`, `label`, optional `mentions`).
        max_sentences: only the first sentences are read, which bounds the cost.
        sentences: `split_sentences(text)` when the caller has it already (None: split here).
    """
    surfaces = _surfaces_by_label(entities)
    facts: list[Fact] = []
    split = (split_sentences(text) if sentences is None else sentences)[:max_sentences]
    times = surfaces.get("TIME", [])
    places = [pair for label in _PLACE_LABELS for pair in surfaces.get(label, [])]
    context = Context(split)
    for position, sentence in enumerate(split):
        anchors = timefacts.event_anchors(sentence)
        numbers = counts.number_facts(sentence)
        if not anchors and not numbers:
            continue  # no fact to keep or drop: the sentence's context is never worked out
        kind = context.kind(position)
        if kind == SKIP:
            continue
        if kind == OTHER:
            facts.extend({**f, "cue": True} for f in numbers if f["anchor"] == "killed")
            continue
        if anchors:
            facts.extend(timefacts.time_facts(sentence, times, anchors=anchors))
        if kind == CUE:
            numbers = [{**f, "cue": True} for f in numbers]
        facts.extend(numbers)
        if anchors and places:
            facts.extend(_place_facts(sentence, places, anchors))
    return _unique(facts)[:_MAX_FACTS]


def member_facts(member: dict[str, Any]) -> list[Fact]:
    """A member snapshot's facts; re-extracted from its stored sentences when they were
    extracted by older rules (`FACTS_VERSION`).

    Args:
        member: a member snapshot.
    """
    if member.get("facts_v") == FACTS_VERSION:
        return list(member.get("facts") or [])
    sentences = list(member.get("sentences") or [])
    entities = [{"name": name, "label": label} for name, label, _ in snapshot_entities(member)]
    return extract_facts("\n".join(sentences), entities, sentences=sentences)


def source_numbers(members: list[dict[str, Any]]) -> list[int]:
    """Number members' sources by first arrival: one number per outlet, copies share it.

    Args:
        members: event members (articles or snapshots) in arrival order.
    """
    numbers: list[int] = []
    by_article: dict[str, int] = {}
    by_outlet: dict[str, int] = {}
    for member in members:
        outlet = str(member.get("source") or member.get("article_id") or "").strip().lower()
        number = by_article.get(str(member.get("duplicate_of") or ""))
        if number is None:
            number = by_outlet.setdefault(outlet, len(set(numbers)) + 1)
        by_article.setdefault(str(member.get("article_id")), number)
        numbers.append(number)
    return numbers


def compare_facts(
    members: list[dict[str, Any]], *, numbers: list[int] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The facts on which sources disagree, and the counts that later reports updated.

    Args:
        members: member snapshots (with `facts`, `published_at`) in arrival order.
        numbers: each member's source number; computed with `source_numbers` when omitted.
    """
    numbers = numbers if numbers is not None else source_numbers(members)
    facts = [member_facts(member) for member in members]
    grouped = timeline.reports_by_field(members, numbers, facts)
    if not any(len(reports) > 1 for reports in grouped.values()):
        return [], []  # nothing stated twice: nothing to compare (nor text to read)
    texts = _Texts(members, numbers)

    def agree(a: Fact, b: Fact, source_a: int, source_b: int) -> bool:
        return _agree(a, b, texts.text(source_b), texts.text(source_a))

    found, updated = [], []
    for field in sorted(grouped, key=lambda key: (_KIND_ORDER[key[0]], key[1])):
        reports = grouped[field]
        involved = timeline.conflicting(field, reports, agree, named=texts.tokens)
        if involved:
            found.append(_disagreement(*field, involved))
        if field[0] == "number":
            updated.extend(timeline.updates(field, reports))
    return found, updated


def find_disagreements(
    members: list[dict[str, Any]], *, numbers: list[int] | None = None
) -> list[dict[str, Any]]:
    """List the facts on which sources give values that do not agree with each other.

    Args:
        members: member snapshots (with `facts`) in arrival order.
        numbers: each member's source number; computed with `source_numbers` when omitted.
    """
    return compare_facts(members, numbers=numbers)[0]


def _agree(a: Fact, b: Fact, text_of_b: str, text_of_a: str) -> bool:
    kind = a["kind"]
    if kind == "place":
        # A place the other source also names is likely a wider or narrower area of the same.
        return a["norm"] == b["norm"] or a["norm"] in text_of_b or b["norm"] in text_of_a
    if kind == "span":
        return timefacts.spans_agree(a["norm"], b["norm"])
    return timefacts.times_agree(a["norm"], b["norm"])


def _disagreement(kind: str, anchor: str, reports: list[timeline.Report]) -> dict[str, Any]:
    values: dict[str, dict[str, Any]] = {}
    stated = []
    for report in sorted(reports, key=lambda r: r.source):
        for fact in report.facts:
            if fact.get("cue"):
                continue
            stated.append(fact)
            key = repr(fact["norm"])
            entry = values.setdefault(key, {"value": fact["value"], "sources": []})
            if report.source not in entry["sources"]:
                entry["sources"].append(report.source)
    field, description = _describe(kind, anchor, stated)
    return {"field": field, "description": description, "values": list(values.values())}


def _describe(kind: str, anchor: str, facts: list[Fact]) -> tuple[str, str]:
    if kind == "number":
        what = "magnitude" if anchor == "magnitude" else f"number {anchor}"
        return f"number:{anchor}", f"sources differ on the {what}"
    if kind == "place":
        return "place", f"sources differ on where the {anchor} took place"
    field = timefacts.time_field(kind, facts)
    return field, f"sources differ on the {field} of the {anchor}"


class _Texts:
    """Each source's stored text (sentences and entity names), lowered; joined on first use."""

    def __init__(self, members: list[dict[str, Any]], numbers: list[int]) -> None:
        self.members, self.numbers = members, numbers
        self.joined: dict[int, str] | None = None
        self.words: dict[int, set[str]] = {}

    def text(self, source: int) -> str:
        if self.joined is None:
            parts: dict[int, list[str]] = defaultdict(list)
            for member, number in zip(self.members, self.numbers, strict=True):
                parts[number].extend(member.get("sentences") or [])
                parts[number].extend(name for name, _, _ in snapshot_entities(member))
            self.joined = {number: " ".join(texts).lower() for number, texts in parts.items()}
        return self.joined.get(source, "")

    def tokens(self, source: int) -> set[str]:
        if source not in self.words:
            self.words[source] = set(counts.TOKEN.findall(self.text(source)))
        return self.words[source]


def _place_facts(
    sentence: str, places: list[tuple[str, str]], anchors: list[tuple[str, int, int]]
) -> list[Fact]:
    facts = []
    for anchor, _, end in anchors:
        if anchor == "departure":
            continue  # "left" names where from, not where it happened
        gap = _PLACE_AFTER.match(sentence, end)
        if not gap:
            continue
        for surface, name in places:
            if sentence.startswith(surface, gap.end()):
                facts.append(
                    {"kind": "place", "anchor": anchor, "value": name, "norm": name.lower()}
                )
                break
    return facts


def _surfaces_by_label(entities: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    surfaces: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entity in entities:
        name = str(entity.get("name", ""))
        label = "TIME" if entity.get("label") in {"DATE", "TIME"} else str(entity.get("label"))
        for surface in {name, *(entity.get("mentions") or [])}:
            if surface:
                surfaces[label].append((str(surface), name))
    for pairs in surfaces.values():
        pairs.sort(key=lambda pair: (-len(pair[0]), pair[0]))  # longest match first
    return surfaces


def _unique(facts: list[Fact]) -> list[Fact]:
    seen: set[str] = set()
    unique = []
    for fact in facts:
        key = f"{fact['kind']}|{fact['anchor']}|{fact['norm']!r}"
        if key not in seen:
            seen.add(key)
            unique.append(fact)
    return unique
