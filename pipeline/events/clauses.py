"""A long lead sentence cut to a title: asides dropped, then the tail after a clause break.

When no member of an event has a headline, its title is a lead sentence, often 25–50 words.
News leads put the story first ("Crews went back to work on Thursday") and the detail after a
clause break ("after ...", ", the teen accused of ..."), so the head before such a break is
the headline. Only cuts that leave a readable head are made: at least `MIN_WORDS` words, no
comma-delimited phrase or quote left open; otherwise the sentence stays whole but for its asides.
"""

from __future__ import annotations

import re

__all__ = ["main_clause"]

MIN_WORDS = 7
_DASHES = r"(?:--|—|–)"
# "A gang -- two of them in disguise -- stole": a dash-delimited aside
_DASH_ASIDE = re.compile(rf" {_DASHES} [^-—–]{{3,}}? {_DASHES} ")
# "Hansbrough, who came back for his senior season, moved": a relative clause between commas
_RELATIVE = re.compile(r", (?:who|which|whose) [^,]{3,}?, ")
# where a lead's detail starts: a comma, a dash, a semicolon or a subordinating word
_BREAK = re.compile(
    rf", | {_DASHES} |; | (?=(?:after|when|while|because|following|amid|despite|before"
    r"|until|since|but|where|which|who) )"
)


def main_clause(sentence: str, *, max_words: int) -> str:
    """The sentence if short enough; else without its asides, cut at a clause break if one fits.

    Args:
        sentence: a lead sentence.
        max_words: the longest title wanted.
    """
    if len(sentence.split()) <= max_words:
        return sentence
    short = _RELATIVE.sub(" ", _DASH_ASIDE.sub(" ", sentence, count=1), count=1)
    if len(short.split()) <= max_words:
        return short
    for found in reversed(list(_BREAK.finditer(short))):
        head = short[: found.start()].rstrip(" ,;:")
        if MIN_WORDS <= len(head.split()) <= max_words and _closed(head):
            return head
    return short


def _closed(head: str) -> bool:
    # an even number of commas: no appositive ("Timmons, the teen ...") left open
    quotes = head.count('"') % 2 == 0 and head.count("“") == head.count("”")
    return head.count(",") % 2 == 0 and quotes and head.count("(") == head.count(")")
