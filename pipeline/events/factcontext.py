"""Which sentences state facts about the story's own incident, and which report a change.

A sentence is skipped when it gives background (other years, earlier disasters, "since ..."),
another incident (aftershocks, "a second quake", "killed by a storm in ..." after the lead),
a wider total (a war, "this year") or speculation ("could", "might"). A sentence right after
background that goes on about it ("It killed 612 people") is background too, and so is a
sentence that names a year outside a full date ("the 2004 tsunami"). A sentence that
says a figure changed ("the toll rose to 14", "revised") marks its counts as updates.
"""

from __future__ import annotations

import re

SKIP, OTHER, CUE, PLAIN = "skip", "other", "cue", ""

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# (The leading lookahead only lets the scan skip faster: every branch starts so.)
_BACKGROUND = re.compile(
    r"(?=[iIoOlLsSymdpcwetT])\b(?:(?i:in|of|last)\s+(?:" + _MONTHS + r"|19\d\d|20\d\d)\b"
    r"(?!\s*\d{1,2}\b)|(?i:since)\b|(?:years?|months?|decades?) ago|last (?:year|month)"
    r"|earlier this (?:year|month)|previous|might|could|would|may have|can\b)"
)
# A year that is not part of a full date ("the 2004 tsunami", not "May 5, 2010").
_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d])")
_DATED = re.compile(
    r"(?i:\b(?:" + _MONTHS + r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{1,2}"
    r"(?:st|nd|rd|th)?,?\s*|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r")\s*,?\s*"
    r"|/\s*)$"
)
_WIDER = re.compile(
    r"\b(?:war|conflict|uprising|insurgency|in total|overall|altogether|this year)\b"
)
_INCIDENTS = "quake|earthquake|tremor|temblor|attack|blast|explosion|bombing|shooting|crash"
_OTHER_INCIDENT = re.compile(
    r"\b(?i:aftershocks?|foreshocks?|(?:second|another|earlier|separate)\s+(?:one\b|(?:[\w-]+\s+)?"
    rf"(?:{_INCIDENTS}))|(?:after|before)\s+an?\s+(?:[\w.-]+\s+){{0,2}}?(?:{_INCIDENTS}))\b"
)
# After the lead, "killed by a storm in ..." tells of some other incident.
_INDEFINITE = re.compile(rf"\b(?:by|in)\s+an?\s+(?:[\w-]+\s+){{0,2}}?(?:{_INCIDENTS}|storm|fire)\b")
_LEAD = 3
_ANAPHOR = re.compile(r"[\"“]?(?:It|That|This|Those|These|They|Its|The same)\b")
_TOLL = re.compile(r"\btoll\b")
_CUE = re.compile(
    r"\b(?i:rose|risen|rises|rising|climbed|climbs|jumped|increased|raising|raised|revised"
    r"|upgraded|downgraded|up from|new (?:death )?toll|latest toll|updated)\b"
)


class Context:
    """Sentence kinds of one text, worked out only for the sentences that are asked about
    (most sentences state no fact and need none)."""

    def __init__(self, sentences: list[str]) -> None:
        self.sentences = sentences
        self.background: dict[int, bool] = {}

    def kind(self, position: int) -> str:
        """`SKIP`, `OTHER`, `CUE` or `PLAIN` for one sentence. `OTHER` (an aftershock, another
        incident) keeps only a changed toll ("aftershocks as the death toll rose to 10").

        Args:
            position: the sentence's index.
        """
        sentence = self.sentences[position]
        if self._background(position) or _WIDER.search(sentence):
            return SKIP
        cue = _CUE.search(sentence) is not None
        if _OTHER_INCIDENT.search(sentence) or (position >= _LEAD and _INDEFINITE.search(sentence)):
            return OTHER if cue and _TOLL.search(sentence) else SKIP
        return CUE if cue else PLAIN

    def _background(self, position: int) -> bool:
        # A sentence that goes on about the background before it ("It killed 612") is
        # background: walk back over such sentences to the first that is not.
        first = position
        while first > 0 and first not in self.background and _ANAPHOR.match(self.sentences[first]):
            first -= 1
        for index in range(first, position + 1):
            if index not in self.background:
                carried = (
                    index > 0
                    and self.background.get(index - 1, False)
                    and _ANAPHOR.match(self.sentences[index]) is not None
                )
                sentence = self.sentences[index]
                found = _BACKGROUND.search(sentence) is not None or _other_year(sentence)
                self.background[index] = carried or found
        return self.background[position]


def _other_year(sentence: str) -> bool:
    return any(
        not _DATED.search(sentence, max(0, year.start() - 20), year.start())
        for year in _YEAR.finditer(sentence)
    )
