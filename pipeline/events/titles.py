"""An event's title: the member headline that reads as a headline and best represents the event.

A title is never a dateline, a timestamp or feed boilerplate ("Posted: ...", "Last updated at
..."); such a title is replaced by the headline line that often follows it at the top of the
text. A wire or web tag in front of a headline ("UPDATE 2-", "BREAKING:") is dropped.
Headlines (up to `MAX_WORDS` words, no closing full stop) come first, then short sentences,
and a long lead sentence only when no member has either; it is cut to its main clause where
that reads as a headline (`clauses.main_clause`). Among the best kind, the one whose words the
other members share most wins (summed over its words, divided by the root of their number, so
neither a two-word nor a twenty-word headline wins by length alone), and a headline in capitals
only when no other of its kind is left; then its case is restored. A title drops the closing
full stop of a sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain
from typing import Any

from pipeline.events.clauses import main_clause
from pipeline.events.sentences import sentence_term_list, sentence_terms
from pipeline.nlp.truecase import is_all_caps, truecase

MAX_WORDS = 20
HEADLINE, SENTENCE, LEAD, NONE = 0, 1, 2, 3
_MIN_WORDS = 3  # "Deputy Sheriff" is a label, not a headline
_TEXT_LINES = 3  # lines at the top of a text where a headline may stand under a dateline

_BOILERPLATE = re.compile(
    r"^\W*(?:posted|published|first published|first posted|updated|last updated|edited on"
    r"|article posted|published time|posted on)\b|\blast updated\b",
    re.IGNORECASE,
)
# What a dateline is made of: days, months, numbers, clock and zone words.
_DATE_WORDS = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|\d+(?:st|nd|rd|th|am|pm|h)?\b|\b[ap]\.\s?m\.|\b(?:am|pm|at|on|of|gmt|utc|bst|cest|cet"
    r"|edt|est|et|cdt|cst|mdt|mst|pdt|pst|aest|ist|uk|local time|time)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_LEADING_DATE = re.compile(r"^\s*\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}\s*[-–—:|]\s*")
# A wire or web tag before the headline ("UPDATE 2-", "BREAKING:", "Exclusive | "): a label of
# the copy, not a word of the story. A hyphen counts only in wire form (capitals, no spaces).
_WIRE_TAG = re.compile(
    r"^\s*(?:(?i:update[d]?|breaking(?:\s+news)?|exclusive|urgent|flash|watch|video|live"
    r"|photos?|refiled?|corrected)(?:\s*\d+)?\s*[:|]|(?:UPDATE|REFILE|CORRECTED)(?:\s*\d+)?-"
    r"|(?i:update|breaking)(?:\s*\d+)?\s+[-–—]\s)\s*"
)
_SENTENCE_END = re.compile(r"(?:(?<![A-Z])\.|!)[\"”’')]*$")  # "... she said." but not "... U.S."
# a sentence's closing full stop, not an abbreviation's ("U.S.", "Jr.") nor an ellipsis
_FULL_STOP = re.compile(
    r"(?<![A-Z.])(?<!\b(?:Jr|Sr|Co|St|No|Mr|Dr|Ms|vs))(?<!\bInc|\bLtd|\bMrs)\.(?=[\"”’')]*$)"
)


def without_tag(title: str) -> str:
    """A headline without the wire or web tag in front ("UPDATE 2-", "BREAKING:").

    Args:
        title: a headline.
    """
    stripped = _WIRE_TAG.sub("", title, count=1)
    if not stripped.strip():
        return title
    # "Breaking: man charged ..." -> "Man charged ...": the headline's own first word.
    return stripped[0].upper() + stripped[1:] if stripped[0].islower() else stripped


def is_boilerplate(text: str) -> bool:
    """Whether a title is a dateline, a timestamp or a feed's "Posted/Updated" line.

    Args:
        text: a title or a line of text.
    """
    if _BOILERPLATE.search(text):
        return True
    return len(_WORD.findall(_DATE_WORDS.sub(" ", text))) < 2


def kind(text: str) -> int:
    """`HEADLINE`, `SENTENCE` (a short sentence), `LEAD` (over `MAX_WORDS` words) or `NONE`.

    Args:
        text: a title or a line of text.
    """
    if not text.strip() or is_boilerplate(text):
        return NONE
    words = len(text.split())
    if words > MAX_WORDS or words < _MIN_WORDS:
        return LEAD
    return SENTENCE if _SENTENCE_END.search(text.strip()) else HEADLINE


def member_headline(member: dict[str, Any]) -> dict[str, Any]:
    """What a snapshot keeps for the title: `{kind, text, terms, caps}` of the member's headline
    (`caps`: written in capitals).

    Args:
        member: a member snapshot (`title`, `sentences`).
    """
    found, text = headline(member)
    terms = " ".join(sentence_term_list(text))
    return {"kind": found, "text": text, "terms": terms, "caps": is_all_caps(text)}


def headline(member: dict[str, Any]) -> tuple[int, str]:
    """A member's headline and its kind: its title, or the headline line under a dateline.

    Args:
        member: a member snapshot (`title`, `sentences`).
    """
    title = _LEADING_DATE.sub("", " ".join(str(member.get("title") or "").split()))
    title = without_tag(title)
    found = kind(title)
    if found != NONE:
        return found, title
    for line in member.get("sentences", [])[:_TEXT_LINES]:
        line = " ".join(line.split())
        if line != title and kind(line) == HEADLINE:
            return HEADLINE, line
    return NONE, title


def pick(
    members: list[dict[str, Any]],
    chosen: list[int],
    scores: dict[int, list[float]],
    summary: list[dict[str, Any]],
) -> str:
    """The event's title.

    Args:
        members: member snapshots in arrival order.
        chosen: the members that compete for the summary (one per source first).
        scores: each competing member's sentence centralities (`summarize`).
        summary: the event's summary (its first sentence titles an event with no headline).
    """
    candidates = {i: members[i].get("headline") or member_headline(members[i]) for i in chosen}
    best = min((c["kind"] for c in candidates.values()), default=NONE)
    if best == NONE:
        first = str(summary[0]["text"]) if summary else str(members[0].get("title") or "")
        return _FULL_STOP.sub("", main_clause(first, max_words=MAX_WORDS).rstrip())
    alone = [c["text"] for c in candidates.values() if c["kind"] == best]
    if len(alone) == 1:  # the only one of the best kind: no need to weigh shared words
        return _finished(str(alone[0]), best)
    terms_of = {i: _member_terms(members[i], c["terms"]) for i, c in candidates.items()}
    shared = Counter(chain.from_iterable(terms_of.values()))
    ranked = []
    for i, candidate in candidates.items():
        if candidate["kind"] == best:
            text, terms, own = candidate["text"], candidate["terms"].split(), terms_of[i]
            # A long lead sentence is weighed by its full length: the shorter one reads better.
            length = max(len(terms), 1) ** (1.0 if best == LEAD else 0.5)
            common = sum(shared[t] - (t in own) for t in terms) / length
            # A headline in capitals shouts: another member's of the same kind reads better.
            caps = candidate.get("caps")  # kept in the snapshot; older ones lack it
            caps = is_all_caps(text) if caps is None else caps
            ranked.append((caps, -common, -_mean_top(scores.get(i, [])), i, text))
    return _finished(str(min(ranked)[4]), best)


def _finished(text: str, found: int) -> str:
    # Stored headlines of older snapshots may still carry their tag.
    text = without_tag(text)
    text = main_clause(text, max_words=MAX_WORDS) if found == LEAD else text
    if is_all_caps(text):  # the only kind of headline there is: its case restored
        text = truecase(text)
    return _FULL_STOP.sub("", text.rstrip())  # a headline has no closing full stop


def _member_terms(member: dict[str, Any], headline_terms: str) -> set[str]:
    terms = set(headline_terms.split())
    stored = member.get("terms")
    if stored is None:  # a snapshot from before lead terms were stored
        stored = [" ".join(sentence_terms(s)) for s in member.get("sentences", [])[:6]]
    for lead in stored:
        terms.update(lead.split())
    return terms


def _mean_top(values: list[float], top: int = 3) -> float:
    chosen = sorted(values, reverse=True)[:top]
    return sum(chosen) / len(chosen) if chosen else 0.0
