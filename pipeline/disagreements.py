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

from pipeline.sentences import content_terms, split_sentences

Fact = dict[str, Any]


def _words(text: str) -> list[str]:
    return text.split()


_TOKEN = re.compile(
    r"\d{1,2}:\d{2}|\d+(?:,\d{3})*(?:\.\d+)?|[A-Za-z]+(?:[-'’][A-Za-z]+)*|[^\sA-Za-z\d]"
)
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        _words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
     "ninety": 90, "dozen": 12}
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
_QUALIFIERS = ("at least", "more than", "fewer than", "less than", "up to", "an estimated",
               "nearly", "almost", "about", "around", "approximately", "roughly", "over", "some")
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
_BACKGROUND = re.compile(
    r"\b(?:(?:in|since|of|last)\s+(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December|19\d\d|20\d\d)\b(?!\s*\d{1,2}\b)|(?:years?|months?) ago"
    r"|last (?:year|month)|previous|might|could have|would have|may have)"
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_AFTER = re.compile(r"\s+(?:[a-z]+\s+){0,2}?(?:in|at)\s+(?:the\s+)?")
_KIND_ORDER = {"when": 0, "span": 1, "number": 2, "place": 3}
_MAX_FACTS = 24
_MAX_SOURCES_PER_FACT = 40


def extract_facts(
    text: str, entities: list[dict[str, Any]], *, max_sentences: int = 40
) -> list[Fact]:
    """Extract the dated, counted and placed facts a text states next to their anchor words.

    Args:
        text: clean article text.
        entities: the article's entities (`name`, `label`, optional `mentions`).
        max_sentences: only the first sentences are read, which bounds the cost.
    """
    surfaces = _surfaces_by_label(entities)
    facts: list[Fact] = []
    for sentence in split_sentences(text)[:max_sentences]:
        if _BACKGROUND.search(sentence):
            continue
        facts.extend(_time_facts(sentence, surfaces.get("TIME", [])))
        facts.extend(_number_facts(sentence))
        facts.extend(_place_facts(sentence, surfaces))
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
        return _spans_agree(a["norm"], b["norm"])
    return _times_agree(a["norm"], b["norm"])


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
    field = _time_field(kind, facts)
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
    for index in range(len(lowered)):
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
        value = float(token.replace(",", ""))
    elif token in _NUMBER_WORDS or (token.count("-") == 1 and token.split("-")[0] in _NUMBER_WORDS):
        value = float(sum(_NUMBER_WORDS.get(part, 0) for part in token.split("-")))
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


def _place_facts(sentence: str, surfaces: dict[str, list[tuple[str, str]]]) -> list[Fact]:
    places = [pair for label in _PLACE_LABELS for pair in surfaces.get(label, [])]
    if not places:
        return []
    facts = []
    for anchor, _, end in _event_anchors(sentence, places=True):
        gap = _PLACE_AFTER.match(sentence, end)
        if not gap:
            continue
        for surface, name in places:
            if sentence.startswith(surface, gap.end()):
                facts.append({"kind": "place", "anchor": anchor, "value": name,
                              "norm": name.lower()})
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



# --- days and times -----------------------------------------------------------------------

_ANCHOR_WORDS = {
    **dict.fromkeys(_words("arrived arrives arrive arriving arrival landed lands"), "arrival"),
    "touched down": "arrival",
    **dict.fromkeys(_words("departed departs departure left leaves"), "departure"),
    **dict.fromkeys(_words("struck quake earthquake tremor"), "strike"),
    **dict.fromkeys(_words("crashed crash"), "crash"),
    **dict.fromkeys(_words("exploded explosion blast"), "explosion"),
    "landfall": "landfall",
}
# "left" and "leaves" only count as departures when a place or "for" follows ("left China").
_ANCHOR = re.compile(
    r"\b(?:(?:left|leaves)(?=\s+(?:[A-Z]|for\b|the\b))|touched down|"
    + "|".join(w for w in _ANCHOR_WORDS if w not in {"left", "leaves", "touched down"})
    + r")\b"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November"
          r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_MERIDIEM = r"(?i:a\.m\.|p\.m\.|am\b|pm\b)"
_TIME_PIECE = re.compile(
    rf"(?P<date>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"{_MONTH}(?![a-z]))"
    r"|(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    rf"|(?P<clock>(?<![\d:.])\d{{1,2}}(?:[:.]\d{{2}})?\s*{_MERIDIEM}|(?<![\d:.])\d{{1,2}}:\d{{2}}"
    r"(?![\d:]))(?P<tz>\s+\(?(?:GMT|UTC|BST|CEST|CET|EDT|EST|ET|PDT|PST|local time"
    r"|[A-Z][a-z]+ time)\)?)?"
    r"|(?P<noon>\b(?i:noon|midday|midnight)\b)"
    r"|(?P<part>\b(?i:morning|afternoon|evening|night|tonight|overnight|dawn|dusk)\b)"
    r"|(?P<mod>\b(?i:early|late)(?=\s))"
    r"|(?P<approx>\b(?i:about|around|approximately|shortly after|shortly before|just after"
    r"|just before)(?=\s))"
)
_JOINER = re.compile(r"\s*,?\s*(?:(?:on|at|in|the|of|this|local)\s+)*")
_PARTS = {"tonight": "night", "overnight": "night", "dawn": "morning", "dusk": "evening"}
_MOD_PARTS = {"early": ["morning", "night"], "late": ["afternoon", "evening", "night"]}
_RELATIVE = re.compile(
    r"\b(?P<n>\d+|(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+"
    r"(?P<unit>(?i:hour|day|week|month))s?\s+(?P<dir>(?i:after|before))\s+(?P<ref>[^,;.:()]+)"
)
_UNIT_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.0}
_GAP_BEFORE, _GAP_AFTER = 6, 4  # words allowed between an anchor and its time expression
_GAP_RELATIVE = 10  # "arrived ... in the capital, four days after" spans a clause


def _event_anchors(sentence: str, *, places: bool = False) -> list[tuple[str, int, int]]:
    anchors = [(_ANCHOR_WORDS[m.group()], m.start(), m.end()) for m in _ANCHOR.finditer(sentence)]
    return [a for a in anchors if a[0] != "departure"] if places else anchors


def _time_facts(sentence: str, surfaces: list[tuple[str, str]]) -> list[Fact]:
    anchors = _event_anchors(sentence)
    if not anchors:
        return []
    facts = []
    for start, end, pieces in _time_spans(sentence, surfaces):
        anchor = _attach(sentence, anchors, start, end)
        if anchor:
            facts.append({"kind": "when", "anchor": anchor, "value": sentence[start:end],
                          "norm": _time_norm(pieces)})
    for match in _RELATIVE.finditer(sentence):
        ref = " ".join(match.group("ref").split()[:6])
        ref_end = sentence.find(ref, match.start("ref")) + len(ref)
        anchor = _attach(sentence, anchors, match.start(), ref_end, gap=_GAP_RELATIVE)
        if anchor:
            facts.append({"kind": "span", "anchor": anchor,
                          "value": sentence[match.start() : ref_end],
                          "norm": _span_norm(match, ref)})
    return facts


def _time_spans(
    sentence: str, surfaces: list[tuple[str, str]]
) -> list[tuple[int, int, list[re.Match[str]]]]:
    spans: list[tuple[int, int, list[re.Match[str]]]] = []
    for piece in _TIME_PIECE.finditer(sentence):
        if spans and _JOINER.fullmatch(sentence, spans[-1][1], piece.start()):
            start, _, pieces = spans[-1]
            spans[-1] = (start, piece.end(), [*pieces, piece])
        else:
            spans.append((piece.start(), piece.end(), [piece]))
    kept = [s for s in spans if any(p.lastgroup not in {"mod", "approx"} for p in s[2])]
    return [_widen(span, sentence, surfaces) for span in kept]


def _widen(
    span: tuple[int, int, list[re.Match[str]]], sentence: str, surfaces: list[tuple[str, str]]
) -> tuple[int, int, list[re.Match[str]]]:
    start, end, pieces = span
    # The model's DATE/TIME entity, when it covers the span, gives the fuller wording.
    for surface, _ in surfaces:
        at = sentence.find(surface, max(0, end - len(surface)))
        if -1 < at <= start and at + len(surface) >= end:
            return at, at + len(surface), pieces
    return span


def _attach(
    sentence: str, anchors: list[tuple[str, int, int]], start: int, end: int, *,
    gap: int = _GAP_BEFORE,
) -> str | None:
    """The anchor an expression at [start, end) belongs to: the nearest before it, else after."""
    before = [a for a in anchors if a[2] <= start and _near(sentence[a[2] : start], gap)]
    if before:
        return max(before, key=lambda a: a[2])[0]
    after = [a for a in anchors if a[1] >= end and _near(sentence[end : a[1]], _GAP_AFTER)]
    return min(after, key=lambda a: a[1])[0] if after else None


def _near(gap: str, words: int) -> bool:
    return ";" not in gap and len(gap.split()) <= words


def _time_norm(pieces: list[re.Match[str]]) -> dict[str, Any]:
    norm: dict[str, Any] = {"day": None, "day_kind": None, "parts": [], "clock": None,
                            "meridiem": False, "tz": None, "approx": False}
    for piece in pieces:
        kind = piece.lastgroup if piece.lastgroup != "tz" else "clock"
        text = piece.group().strip().lower()
        if kind == "weekday":
            norm.update(day=text, day_kind="weekday")
        elif kind == "date":
            norm.update(day=_date_key(text), day_kind="date")
        elif kind == "clock":
            tz = piece.group("tz")
            norm.update(_clock(piece.group("clock").lower()), tz=_squash(tz) if tz else None)
        elif kind == "noon":
            norm.update(clock=0 if text == "midnight" else 720, meridiem=True)
        elif kind == "part":
            norm["parts"] = [_PARTS.get(text, text)]
        elif kind == "mod" and not norm["parts"]:
            norm["parts"] = _MOD_PARTS[text]
        elif kind == "approx":
            norm["approx"] = True
    return norm


def _squash(text: str) -> str:
    return " ".join(text.strip(" ()").lower().split())


def _date_key(text: str) -> str:
    day = int(re.search(r"\d+", text).group())  # type: ignore[union-attr]
    month = next(i for i, m in enumerate(_MONTHS, 1) if re.search(rf"\b{m}", text))
    return f"{month:02d}-{day:02d}"


def _clock(text: str) -> dict[str, Any]:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    hour, minute = numbers[0], (numbers[1] if len(numbers) > 1 else 0)
    if "p" in text and hour < 12:
        hour += 12
    elif "a" in text and hour == 12:
        hour = 0
    explicit = "m" in text or hour == 0 or hour > 12 or text.startswith("0")
    return {"clock": hour * 60 + minute, "meridiem": explicit}


def _day_parts(norm: dict[str, Any]) -> set[str]:
    if norm["parts"]:
        return set(norm["parts"])
    if norm["clock"] is None or not norm["meridiem"]:
        return set()
    hour = norm["clock"] // 60
    if 5 <= hour < 12:
        return {"morning"}
    if 12 <= hour < 17:
        return {"afternoon"}
    return {"evening"} if 17 <= hour < 21 else {"night"}


def _times_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["day"] and b["day"] and a["day_kind"] == b["day_kind"] and a["day"] != b["day"]:
        return False
    if a["tz"] != b["tz"]:
        return True  # clocks in different time zones cannot be compared by text
    if a["clock"] is not None and b["clock"] is not None and not _clocks_close(a, b):
        return False
    parts_a, parts_b = _day_parts(a), _day_parts(b)
    return not (parts_a and parts_b and not parts_a & parts_b)


def _clocks_close(a: dict[str, Any], b: dict[str, Any]) -> bool:
    tolerance = 60 if a["approx"] or b["approx"] else 15
    readings_a = {a["clock"]} if a["meridiem"] else {a["clock"], a["clock"] + 720}
    readings_b = {b["clock"]} if b["meridiem"] else {b["clock"], b["clock"] + 720}
    return any(abs(x - y) <= tolerance for x in readings_a for y in readings_b)


def _span_norm(match: re.Match[str], ref: str) -> dict[str, Any]:
    count = match.group("n").lower()
    amount = float(count) if count.isdigit() else float(_NUMBER_WORDS.get(count, 1))
    unit = match.group("unit").lower()
    return {"days": amount * _UNIT_DAYS[unit], "unit": unit, "dir": match.group("dir").lower(),
            "ref": sorted(content_terms(ref))}


def _spans_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # Spans only compare when measured from the same thing ("after Trump left").
    if a["dir"] != b["dir"] or not set(a["ref"]) & set(b["ref"]):
        return True
    return bool(a["days"] == b["days"])


def _time_field(kind: str, facts: list[Fact]) -> str:
    if kind == "span":
        return "time" if any(f["norm"]["unit"] == "hour" for f in facts) else "date"
    timed = any(f["norm"]["parts"] or f["norm"]["clock"] is not None for f in facts)
    return "time" if timed else "date"
