"""Days, times and relative spans ("four days after ...") that a sentence ties to an event.

Split out of `pipeline.events.disagreements`, which compares these facts across sources.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.events.sentences import sentence_terms

Fact = dict[str, Any]

NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        str.split(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
}

_ANCHOR_WORDS = {
    **dict.fromkeys(
        ["arrived", "arrives", "arrive", "arriving", "arrival", "landed", "lands"], "arrival"
    ),
    "touched down": "arrival",
    **dict.fromkeys(["departed", "departs", "departure", "left", "leaves"], "departure"),
    **dict.fromkeys(["struck", "quake", "earthquake", "tremor"], "strike"),
    **dict.fromkeys(["crashed", "crash"], "crash"),
    **dict.fromkeys(["exploded", "explosion", "blast"], "explosion"),
    "landfall": "landfall",
}
# Phrases whose words vary: "reached Accra", "flew into Lima", "began his two-day visit".
_PHRASES = {
    "arrival": r"(?:reached|got to)(?=\s+(?:[A-Z]|the\s+(?:[A-Z]|capital|city|airport|island)))"
    r"|flew\s+(?:into|in\s+to|in)\b|stepped\s+off\s+(?:the|his|her|their|a)\s+plane"
    r"|began\s+(?:his|her|their|its|a|the)\s+(?:[\w-]+\s+){0,3}?(?:visit|trip|tour|stay)",
    # "left" and "leaves" only count as departures when a place or "for" follows ("left China").
    "departure": r"(?:left|leaves)(?=\s+(?:[A-Z]|for\b|the\b))",
}
_ANCHOR = re.compile(
    r"\b(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _PHRASES.items())
    + "|touched down|"
    + "|".join(w for w in _ANCHOR_WORDS if w not in {"left", "leaves", "touched down"})
    + r")\b"
)
_NEIGHBOUR = {"evening": "night", "night": "evening"}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
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
    r"(?:\b(?P<q>(?i:less than|more than|fewer than|under|over|nearly|almost|about|around|some"
    r"|just over|just under))\s+)?"
    r"\b(?P<n>\d+|(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+"
    r"(?P<unit>(?i:hour|day|week|month))s?\s+(?P<dir>(?i:after|before))\s+(?P<ref>[^,;.:()]+)"
)
_UNIT_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.0}
# What a qualified span allows, as factors of its amount: "less than a week" is (0, 7) days.
_SPAN_RANGES = {
    "less than": (0.0, 1.0),
    "fewer than": (0.0, 1.0),
    "under": (0.0, 1.0),
    "just under": (0.7, 1.0),
    "nearly": (0.7, 1.0),
    "almost": (0.7, 1.0),
    "more than": (1.0, 1e9),
    "over": (1.0, 1e9),
    "just over": (1.0, 1.3),
    "about": (0.7, 1.3),
    "around": (0.7, 1.3),
    "some": (0.7, 1.3),
}
_GAP_BEFORE, _GAP_AFTER = 6, 4  # words allowed between an anchor and its time expression
_GAP_RELATIVE = 10  # "arrived ... in the capital, four days after" spans a clause


def event_anchors(sentence: str) -> list[tuple[str, int, int]]:
    return [
        (m.lastgroup or _ANCHOR_WORDS[m.group()], m.start(), m.end())
        for m in _ANCHOR.finditer(sentence)
    ]


def time_facts(
    sentence: str,
    surfaces: list[tuple[str, str]],
    *,
    anchors: list[tuple[str, int, int]] | None = None,
) -> list[Fact]:
    anchors = event_anchors(sentence) if anchors is None else anchors
    if not anchors:
        return []
    facts = []
    for start, end, pieces in _time_spans(sentence, surfaces):
        anchor = _attach(sentence, anchors, start, end)
        if anchor:
            facts.append(
                {
                    "kind": "when",
                    "anchor": anchor,
                    "value": sentence[start:end],
                    "norm": _time_norm(pieces),
                }
            )
    for match in _RELATIVE.finditer(sentence):
        ref = " ".join(match.group("ref").split()[:6])
        ref_end = sentence.find(ref, match.start("ref")) + len(ref)
        anchor = _attach(sentence, anchors, match.start(), ref_end, gap=_GAP_RELATIVE)
        if anchor:
            facts.append(
                {
                    "kind": "span",
                    "anchor": anchor,
                    "value": sentence[match.start() : ref_end],
                    "norm": _span_norm(match, ref),
                }
            )
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
    sentence: str,
    anchors: list[tuple[str, int, int]],
    start: int,
    end: int,
    *,
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
    norm: dict[str, Any] = {
        "day": None,
        "day_kind": None,
        "parts": [],
        "clock": None,
        "meridiem": False,
        "tz": None,
        "approx": False,
    }
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


def times_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["day"] and b["day"] and a["day_kind"] == b["day_kind"] and a["day"] != b["day"]:
        apart = _days_apart(a["day"], b["day"]) if a["day_kind"] == "date" else None
        if a["tz"] and b["tz"] and a["tz"] != b["tz"]:
            # Late Monday in GMT is Tuesday in Jakarta: named zones may shift the day by one.
            return _weekdays_apart(a["day"], b["day"]) <= 1 if apart is None else apart <= 1
        # Dates more than two days apart tell of two incidents (an earlier quake), not of
        # sources that disagree on one.
        return apart is not None and apart > 2
    if a["tz"] != b["tz"]:
        return True  # clocks in different time zones cannot be compared by text
    if a["clock"] is not None and b["clock"] is not None and not _clocks_close(a, b):
        return False
    parts_a, parts_b = _day_parts(a), _day_parts(b)
    # "Thursday night" and "Thursday evening" both name 9 p.m.: the two overlap.
    parts_a |= {_NEIGHBOUR[p] for p in parts_a if p in _NEIGHBOUR}
    return not (parts_a and parts_b and not parts_a & parts_b)


def _weekdays_apart(a: str, b: str) -> int:
    gap = abs(_WEEKDAYS.index(a) - _WEEKDAYS.index(b))
    return min(gap, 7 - gap)


def _days_apart(a: str, b: str) -> int:
    (month_a, day_a), (month_b, day_b) = (map(int, key.split("-")) for key in (a, b))
    return abs((month_a - month_b) * 31 + day_a - day_b)


def _clocks_close(a: dict[str, Any], b: dict[str, Any]) -> bool:
    tolerance = 60 if a["approx"] or b["approx"] else 15
    readings_a = {a["clock"]} if a["meridiem"] else {a["clock"], a["clock"] + 720}
    readings_b = {b["clock"]} if b["meridiem"] else {b["clock"], b["clock"] + 720}
    return any(abs(x - y) <= tolerance for x in readings_a for y in readings_b)


def _span_norm(match: re.Match[str], ref: str) -> dict[str, Any]:
    count = match.group("n").lower()
    amount = float(count) if count.isdigit() else float(NUMBER_WORDS.get(count, 1))
    unit = match.group("unit").lower()
    low, high = _SPAN_RANGES.get((match.group("q") or "").lower(), (1.0, 1.0))
    days = amount * _UNIT_DAYS[unit]
    return {
        "days": days,
        "range": [days * low, days * high],
        "unit": unit,
        "dir": match.group("dir").lower(),
        "ref": sorted(sentence_terms(ref)),
    }


def spans_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # Spans only compare when measured from the same thing ("after Trump left").
    if a["dir"] != b["dir"] or not set(a["ref"]) & set(b["ref"]):
        return True
    low_a, high_a = a.get("range") or (a["days"], a["days"])
    low_b, high_b = b.get("range") or (b["days"], b["days"])
    return bool(low_a <= high_b and low_b <= high_a)


def time_field(kind: str, facts: list[Fact]) -> str:
    if kind == "span":
        return "time" if any(f["norm"]["unit"] == "hour" for f in facts) else "date"
    timed = any(f["norm"]["parts"] or f["norm"]["clock"] is not None for f in facts)
    return "time" if timed else "date"
