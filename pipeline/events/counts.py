"""Counted facts ("at least 12 people were killed", "a magnitude 6.1 quake") and what they allow.

A count's `norm` is `{"n": value, "q": qualifier}` with `q` one of `exact`, `min` ("at least",
"more than"), `max` ("up to"), `near` ("nearly") or `approx` ("about"); two counts are
compatible when the ranges they allow overlap, so "at least 5" and "7" agree.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pipeline.events.timefacts import NUMBER_WORDS

Fact = dict[str, Any]


def _words(text: str) -> list[str]:
    return text.split()


TOKEN = re.compile(
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
# Words that may follow a count that follows its anchor ("killing 12 people on Monday").
_AFTER = _VICTIMS | frozenset(
    _words(
        "on in at and by after as when since more others so including with of were was have had "
        "has who while from during across near"
    )
)
# Words allowed between an anchor and the count that follows it ("the toll rose to 14").
_BACKWARD_SKIP = frozenset(
    _words(
        "- to of at rose risen rises climbed climbs reached stood stands now has had is was least "
        "more than over nearly almost about around approximately some up fewer less roughly an "
        "estimated another as many"
    )
)
_QUALIFIERS = {
    "at least": "min",
    "more than": "min",
    "upwards of": "min",
    "over": "min",
    "fewer than": "max",
    "less than": "max",
    "up to": "max",
    "as many as": "max",
    "nearly": "near",
    "almost": "near",
    "an estimated": "approx",
    "about": "approx",
    "around": "approx",
    "approximately": "approx",
    "roughly": "approx",
    "some": "approx",
}
_LONGEST_FIRST = sorted(_QUALIFIERS, key=lambda q: -len(q.split()))
_NOT_COUNTS = frozenset(
    _words(
        "years year days day hours hour minutes minute months month weeks week percent % km "
        "miles mile kilometres kilometers metres meters feet ft am pm times"
    )
)
_RICHTER = ("on", "the", "richter")
_MAX_MAGNITUDE = 10.0


def number_facts(sentence: str) -> list[Fact]:
    """The counts in a sentence that sit next to an anchor word ("killed", "magnitude", ...).

    Args:
        sentence: one sentence of clean text.
    """
    tokens = TOKEN.findall(sentence)
    lowered = [token.lower() for token in tokens]
    facts = []
    for index, token in enumerate(lowered):
        if not may_count(token):
            continue
        value = count_value(lowered, index)
        if value is None:
            continue
        if index > 1 and lowered[index - 1] == "and" and lowered[index - 2] in _VICTIMS:
            continue  # a part of a list ("two women and one man died"), not the count
        anchor = _anchor_after(lowered, index) or _anchor_before(lowered, index)
        if not anchor or (anchor == "magnitude" and value >= _MAX_MAGNITUDE):
            continue
        qualifier, start = _qualifier(lowered, index)
        following = lowered[index + 1] if index + 1 < len(lowered) else ""
        scale = following if following in _SCALES else ""
        display = " ".join([*tokens[start:index], tokens[index], *([scale] if scale else [])])
        norm = {"n": value, "q": _QUALIFIERS.get(qualifier, "exact")}
        facts.append({"kind": "number", "anchor": anchor, "value": display, "norm": norm})
    return facts


def compatible(a: dict[str, Any], b: dict[str, Any], *, anchor: str) -> bool:
    """Whether two counts can both be true ("at least 5" and "7": yes).

    Args:
        a: one count's `norm`.
        b: the other's.
        anchor: what is counted (magnitudes get an absolute tolerance).
    """
    low_a, high_a = interval(a, anchor=anchor)
    low_b, high_b = interval(b, anchor=anchor)
    return low_a <= high_b and low_b <= high_a


def replaces(earlier: dict[str, Any], later: dict[str, Any], *, anchor: str) -> bool:
    """Whether a later count says something the earlier did not (not a looser restatement).

    Args:
        earlier: the earlier count's `norm`.
        later: the later count's `norm`.
        anchor: what is counted.
    """
    low_e, high_e = interval(earlier, anchor=anchor)
    low_l, high_l = interval(later, anchor=anchor)
    return not (low_l <= low_e and high_e <= high_l)


def interval(norm: dict[str, Any], *, anchor: str) -> tuple[float, float]:
    """The range of values a count allows.

    Args:
        norm: the count's `norm`.
        anchor: what is counted.
    """
    n, qualifier = float(norm["n"]), norm.get("q", "exact")
    slack = 0.25 if anchor == "magnitude" else 0.15 * n
    if qualifier == "min":
        return n, math.inf
    if qualifier == "max":
        return n - slack if anchor == "magnitude" else 0.0, n
    if qualifier == "near":
        return n - (slack if anchor == "magnitude" else 0.2 * n), n
    if qualifier == "approx":
        return n - slack, n + slack
    return n, n


def may_count(token: str) -> bool:
    """False when `count_value` is None whatever surrounds `token` (saves the call)."""
    if token in NUMBER_WORDS or token[:1].isdigit():
        return True
    return "-" in token and token.split("-", 1)[0] in NUMBER_WORDS


def count_value(tokens: list[str], index: int) -> float | None:
    """The number that token `index` of a lowered token list stands for, if it is a count.

    Args:
        tokens: lowered tokens of a sentence.
        index: the candidate token.
    """
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
    following = tokens[index + 1 : index + 6]
    if tuple(following[:3]) == _RICHTER:
        return "magnitude"  # "measuring 5.6 on the Richter scale"
    for token in following:
        if token in _SCALES:
            continue
        if token in _FORWARD_ANCHORS:
            return _FORWARD_ANCHORS[token]
        if token not in _FORWARD_SKIP:
            return None
    return None


def _anchor_before(tokens: list[str], index: int) -> str | None:
    after = index + 2 if index + 1 < len(tokens) and tokens[index + 1] in _SCALES else index + 1
    following = tokens[after] if after < len(tokens) else ""
    for token in reversed(tokens[max(0, index - 5) : index]):
        if token in _BACKWARD_ANCHORS:
            anchor = _BACKWARD_ANCHORS[token]
            # "arrested five buildings away": the count must end there or name who.
            counted = anchor == "magnitude" or not following.isalpha() or following in _AFTER
            return anchor if counted else None
        if token not in _BACKWARD_SKIP:
            return None
    return None


def _qualifier(tokens: list[str], index: int) -> tuple[str, int]:
    """The qualifier before token `index` and where its words start (`index` when none)."""
    end = index - 1 if index and tokens[index - 1] in {"a", "an"} else index  # "more than a dozen"
    before = " ".join(tokens[max(0, end - 3) : end])
    for qualifier in _LONGEST_FIRST:
        if before == qualifier or before.endswith(" " + qualifier):
            return qualifier, end - len(qualifier.split())
    return "", index
