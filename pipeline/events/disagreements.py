"""Facts that sources state about a story, and the points where sources disagree on them.

A fact is `{"kind", "anchor", "value", "norm"}`: `kind` is `when` (a day or time), `span`
(a relative span such as "four days after ..."), `number` or `place`; `anchor` names what the
fact is about ("arrival", "killed", ...); `value` is the text as the source wrote it and `norm`
its comparable form. Precision beats recall: a value is only taken when it sits right next to
its anchor word, and two sources only disagree when none of their values agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations
from typing import Any

from pipeline.events import timefacts
from pipeline.events.sentences import split_sentences
from pipeline.events.timefacts import NUMBER_WORDS

Fact = dict[str, Any]


def _words(text: str) -> list[str]:
    return text.split()


_TOKEN = re.compile(
    r"\d{1,2}:\d{2}|\d+(?:,\d{3})*(?:\.\d+)?|[A-Za-z]+(?:[-'’][A-Za-z]+)*|[^\sA-Za-z\d]"
)
_SCALES = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_FORWARD_ANCHORS = {
    **dict.fromkeys(_words("killed dead died die deaths fatalities lives"), "killed"),
    **dict.fromkeys(_words("injured wounded hurt injuries"), "injured"),
    "missing": "missing",
    **dict.fromkeys(_words("arrested detained"), "arrested"),
    **dict.fromkeys(_words("evacuated evacuees"), "evacuated"),
    "displaced": "displaced",
    "magnitude": "magnitude",
}
_BACKWARD_ANCHORS = {
    **dict.fromkeys(_words("killed killing kills toll"), "killed"),
    **dict.fromkeys(_words("injured injuring wounded wounding"), "injured"),
    "arrested": "arrested",
    "evacuated": "evacuated",
    "magnitude": "magnitude",
}
_VICTIMS = frozenset(
    _words(
        "people persons person man woman child others civilians soldiers troops children "
        "adults women men residents workers passengers crew members miners police officers "
        "students tourists migrants protesters fighters villagers"
    )
)
# Words allowed between a count and the anchor that follows it ("12 people were killed").
_FORWARD_SKIP = _VICTIMS | frozenset(
    _words("- were was have has had been are is reportedly reported confirmed believed feared now")
)
# Words allowed between an anchor and the count that follows it ("the toll rose to 14").
_BACKWARD_SKIP = frozenset(
    _words(
        "- to of at rose risen climbed reached stood stands now has had is was least more than "
        "over nearly almost about around approximately some up fewer less roughly an estimated "
        "another"
    )
)
_QUALIFIERS = (
    "at least",
    "more than",
    "fewer than",
    "less than",
    "up to",
    "an estimated",
    "nearly",
    "almost",
    "about",
    "around",
    "approximately",
    "roughly",
    "over",
    "some",
)
_APPROXIMATE = frozenset(
    {"an estimated", "nearly", "almost", "about", "around", "approximately", "roughly", "some"}
)
_NOT_COUNTS = frozenset(
    _words(
        "years year days day hours hour minutes minute months month weeks week percent % km "
        "miles mile kilometres kilometers metres meters feet ft am pm times"
    )
)
# Background about earlier events ("killed 600 in February", "in 2003", "years ago") or
# speculation ("might have been two killed") is not what the story reports.
# (The leading lookahead only lets the scan skip faster: every branch starts so.)
_BACKGROUND = re.compile(
    r"(?=[ilsoympcw])\b(?:(?:in|since|of|last)\s+(?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December|19\d\d|20\d\d)\b(?!\s*\d{1,2}\b)"
    r"|(?:years?|months?) ago|last (?:year|month)|previous|might|could have|would have|may have)"
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_AFTER = re.compile(r"\s+(?:[a-z]+\s+){0,2}?(?:in|at)\s+(?:the\s+)?")
_KIND_ORDER = {"when": 0, "span": 1, "number": 2, "place": 3}
_MAX_FACTS = 24
_MAX_SOURCES_PER_FACT = 40


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
    split = split_sentences(text) if sentences is None else sentences
    times = surfaces.get("TIME", [])
    places = [pair for label in _PLACE_LABELS for pair in surfaces.get(label, [])]
    for sentence in split[:max_sentences]:
        if _BACKGROUND.search(sentence):
            continue
        anchors = timefacts.event_anchors(sentence)
        if anchors:
            facts.extend(timefacts.time_facts(sentence, times, anchors=anchors))
        facts.extend(_number_facts(sentence))
        if anchors and places:
            facts.extend(_place_facts(sentence, places, anchors))
    return _unique(facts)[:_MAX_FACTS]


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


def find_disagreements(
    members: list[dict[str, Any]], *, numbers: list[int] | None = None
) -> list[dict[str, Any]]:
    """List the facts on which sources give values that do not agree with each other.

    Args:
        members: member snapshots (with `facts`) in arrival order.
        numbers: each member's source number; computed with `source_numbers` when omitted.
    """
    numbers = numbers if numbers is not None else source_numbers(members)
    grouped: dict[tuple[str, str], dict[int, list[Fact]]] = defaultdict(lambda: defaultdict(list))
    for member, number in zip(members, numbers, strict=True):
        for fact in member.get("facts") or []:
            grouped[(fact["kind"], fact["anchor"])][number].append(fact)
    if not any(len(by_source) > 1 for by_source in grouped.values()):
        return []  # no fact is given by two sources: nothing to compare (nor text to read)
    mentioned = _mentioned_text(members, numbers)
    found = []
    for kind, anchor in sorted(grouped, key=lambda key: (_KIND_ORDER[key[0]], key[1])):
        by_source = dict(sorted(grouped[(kind, anchor)].items())[:_MAX_SOURCES_PER_FACT])
        if _sources_conflict(by_source, mentioned):
            found.append(_disagreement(kind, anchor, by_source))
    return found


def _sources_conflict(by_source: dict[int, list[Fact]], mentioned: dict[int, str]) -> bool:
    for (one, one_facts), (two, two_facts) in combinations(by_source.items(), 2):
        if not any(
            _agree(a, b, mentioned[two], mentioned[one]) for a in one_facts for b in two_facts
        ):
            return True
    return False


def _agree(a: Fact, b: Fact, text_of_b: str, text_of_a: str) -> bool:
    kind = a["kind"]
    if kind == "number":
        return _numbers_agree(a["norm"], b["norm"])
    if kind == "place":
        # A place the other source also names is likely a wider or narrower area of the same.
        return a["norm"] == b["norm"] or a["norm"] in text_of_b or b["norm"] in text_of_a
    if kind == "span":
        return timefacts.spans_agree(a["norm"], b["norm"])
    return timefacts.times_agree(a["norm"], b["norm"])


def _numbers_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["approx"] or b["approx"]:
        return bool(abs(a["n"] - b["n"]) <= 0.1 * max(a["n"], b["n"]))
    return bool(a["n"] == b["n"])


def _disagreement(kind: str, anchor: str, by_source: dict[int, list[Fact]]) -> dict[str, Any]:
    values: dict[str, dict[str, Any]] = {}
    for number, facts in by_source.items():
        for fact in facts:
            key = repr(fact["norm"])
            entry = values.setdefault(key, {"value": fact["value"], "sources": []})
            if number not in entry["sources"]:
                entry["sources"].append(number)
    field, description = _describe(kind, anchor, [f for fs in by_source.values() for f in fs])
    return {"field": field, "description": description, "values": list(values.values())}


def _describe(kind: str, anchor: str, facts: list[Fact]) -> tuple[str, str]:
    if kind == "number":
        what = "magnitude" if anchor == "magnitude" else f"number {anchor}"
        return f"number:{anchor}", f"sources differ on the {what}"
    if kind == "place":
        return "place", f"sources differ on where the {anchor} took place"
    field = timefacts.time_field(kind, facts)
    return field, f"sources differ on the {field} of the {anchor}"


def _mentioned_text(members: list[dict[str, Any]], numbers: list[int]) -> dict[int, str]:
    texts: dict[int, list[str]] = defaultdict(list)
    for member, number in zip(members, numbers, strict=True):
        texts[number].extend(member.get("sentences") or [])
        texts[number].extend(str(e.get("name", "")) for e in member.get("entities") or [])
    return {number: " ".join(parts).lower() for number, parts in texts.items()}


def _number_facts(sentence: str) -> list[Fact]:
    tokens = _TOKEN.findall(sentence)
    lowered = [token.lower() for token in tokens]
    facts = []
    for index, token in enumerate(lowered):
        if not _may_count(token):
            continue
        value = _count_value(lowered, index)
        if value is None:
            continue
        anchor = _anchor_after(lowered, index) or _anchor_before(lowered, index)
        if anchor:
            qualifier = _qualifier(lowered, index)
            following = lowered[index + 1] if index + 1 < len(lowered) else ""
            scale = following if following in _SCALES else ""
            display = " ".join(part for part in (qualifier, tokens[index], scale) if part)
            norm = {"n": value, "approx": qualifier in _APPROXIMATE}
            facts.append({"kind": "number", "anchor": anchor, "value": display, "norm": norm})
    return facts


def _may_count(token: str) -> bool:
    """False when `_count_value` is None whatever surrounds `token` (saves the call)."""
    return token[:1].isdigit() or token.split("-", 1)[0] in NUMBER_WORDS


def _count_value(tokens: list[str], index: int) -> float | None:
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    if following in _NOT_COUNTS or (index and tokens[index - 1] in {"$", "€", "£", "#"}):
        return None
    if token == "one" and following not in _VICTIMS:
        return None  # "one" is mostly a pronoun ("when one is killed") unless a noun follows
    if token[:1].isdigit():
        if ":" in token or (len(token) == 4 and token[:2] in {"19", "20"}):
            return None  # clock times and years
        try:
            value = float(token.replace(",", ""))
        except ValueError:
            return None  # "²", "①": digits to `isdigit`, not numbers to `float`
    elif token in NUMBER_WORDS or (token.count("-") == 1 and token.split("-")[0] in NUMBER_WORDS):
        value = float(sum(NUMBER_WORDS.get(part, 0) for part in token.split("-")))
    else:
        return None
    return value * _SCALES.get(following, 1.0)


def _anchor_after(tokens: list[str], index: int) -> str | None:
    for token in tokens[index + 1 : index + 6]:
        if token in _SCALES:
            continue
        if token in _FORWARD_ANCHORS:
            return _FORWARD_ANCHORS[token]
        if token not in _FORWARD_SKIP:
            return None
    return None


def _anchor_before(tokens: list[str], index: int) -> str | None:
    for token in reversed(tokens[max(0, index - 5) : index]):
        if token in _BACKWARD_ANCHORS:
            return _BACKWARD_ANCHORS[token]
        if token not in _BACKWARD_SKIP:
            return None
    return None


def _qualifier(tokens: list[str], index: int) -> str:
    before = " ".join(tokens[max(0, index - 2) : index])
    return next((q for q in _QUALIFIERS if before == q or before.endswith(" " + q)), "")


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
