"""A long lead sentence cut to a title: asides dropped, then the tail after a clause break.

When no member of an event has a headline, its title is a lead sentence, often 25–50 words.
News leads put the story first ("Crews went back to work on Thursday") and the detail after a
clause break ("after ...", ", killing two", ", police said", ", the teen accused of ..." after
a name, ", which ...", "a deputy who was ...", "an election portrayed by ..."), so the head
before such a break is the headline. Only cuts that leave a readable head are made: at least
`MIN_WORDS` words, no comma phrase, quote or bracket left open, no lone introductory phrase, no
subject whose verb comes after a later comma, no last word that needs the rest ("and", "the",
"have"); otherwise the sentence stays whole but for its asides.
"""

from __future__ import annotations

import re

__all__ = ["main_clause"]

MIN_WORDS = 7
_DASHES = r"(?:--|—|–)"
# "A gang -- two of them in disguise -- stole": a dash-delimited aside
_DASH_ASIDE = re.compile(rf" {_DASHES} [^-—–]{{3,}}? {_DASHES} ")
# "Hansbrough, who came back for his senior season, moved": a relative clause between commas
_RELATIVE = re.compile(r", (?:who|which|whose) [^,\"“”]{3,}?, (?=[a-z])")
# where a lead's detail starts: a participle (", killing two"), an attribution (", police
# said"), a subordinate clause (" after ...", ", when ...", " -- even if ..."), or ";"
_BREAK = re.compile(
    r"; |, (?=[a-z]+ing\b)"
    r"|, (?=(?:said|says|according to|(?:police|officials|authorities|sources|witnesses|he|she"
    r"|they) (?:said|say|says|reported|announced|confirmed))\b)"
    r"|,? (?=(?:after|when|while|because|following|amid|despite|before|until|since) )"
    rf"| {_DASHES} (?=(?:even|after|when|while|because|though|although|but|and) )"
    r"|, (?=which )"
    r"| (?=who (?:was|were|is|are|had|has|have)\b)"
)
# "an election portrayed by the council as ...": a participle with its agent after a noun
_PARTICIPLE = re.compile(r"(?<=[a-z]) (?=[a-z]+ed by )")
# words before a participle that make it part of the verb ("was released by", "has been")
_VERBAL = frozenset(
    {"be", "been", "being", "is", "are", "was", "were", "am", "has", "have", "had", "get", "gets"}
    | {"got", "getting", "become", "became", "also", "not", "never", "already", "just", "still"}
    | {"then", "now", "only", "all", "both", "each", "it", "they", "he", "she", "we", "who"}
    | {"there", "here", "once"}
)
# a head never ends on a word that needs the rest ("... in democracy but", "... they have")
_DANGLING = frozenset(
    {"but", "and", "or", "nor", "the", "a", "an", "of", "once", "those", "these", "that", "than"}
    | {"be", "been", "is", "are", "was", "were", "has", "have", "had", "will", "would"}
)
# ", the teen accused of ..." or ", who starred in ...": detail about the name just before
_APPOSITIVE = re.compile(r"(?<=\w), (?=(?:the|a|an|who|whose) )")
# a head that opens with a subordinate clause or a phrase must also hold the main clause
_INTRODUCTORY = re.compile(
    r"^(?:as|if|when|while|although|though|because|since|unless|once|whether|here's|here is"
    r"|in|at|on|with|after|before|despite|amid|during|for|following|from|by|under|within)\b",
    re.IGNORECASE,
)
# "30 years after he tipped off ...": a time expression, not a clause break
_TIME_WORDS = frozenset(
    {"years", "year", "months", "month", "weeks", "week", "days", "day", "hours", "hour"}
    | {"minutes", "decades", "shortly", "soon", "long", "just", "moments"}
)
_TIMED = ("after", "before", "since", "until")  # what a time word may stand before
# "... destroyed by arsonists -- all": the stub of a dash phrase the cut broke off
_DASH_STUB = re.compile(rf" {_DASHES} \S+(?: \S+)?$")
# "The official who ... 30 years after he ..., has died": the main verb is still to come
_LATE_VERB = re.compile(r", (?:has|have|had|is|are|was|were|will|would|died|dies)\b")


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
    cuts = [m.start() for m in _BREAK.finditer(short)]
    cuts += [m.start() for m in _PARTICIPLE.finditer(short) if _after_noun(short, m.start())]
    cuts += [m.start() for m in _APPOSITIVE.finditer(short) if _after_name(short, m.start())]
    verb = _LATE_VERB.search(short)
    for cut in sorted(cuts, reverse=True):
        if verb and cut < verb.start():
            break
        head = _head(short, cut)
        words = head.split()
        if MIN_WORDS <= len(words) <= max_words and _closed(head) and not _dangles(words):
            return head
    return short


def _head(text: str, cut: int) -> str:
    # "" when the break is a time expression ("30 years after he ...")
    head = _DASH_STUB.sub("", text[:cut].rstrip(" ,;:"))
    last = head.rsplit(None, 1)[-1:]
    if text[cut] == " " and text[cut + 1 :].startswith(_TIMED) and set(last) & _TIME_WORDS:
        return ""
    return head


def _after_name(text: str, comma: int) -> bool:
    # "Jermayne Timmons, the teen" qualifies a name; "is over, the" does not
    word = text[:comma].rsplit(None, 1)[-1]
    return word[:1].isupper()


def _dangles(words: list[str]) -> bool:
    return words[-1].lower().strip("'\"‘’“”") in _DANGLING


def _after_noun(text: str, space: int) -> bool:
    word = text[:space].rsplit(None, 1)[-1].lower()
    return word not in _VERBAL and not word.endswith("ly")


def _closed(head: str) -> bool:
    # an even number of commas: no appositive ("Timmons, the teen ...") left open
    quotes = head.count('"') % 2 == 0 and head.count("“") == head.count("”")
    if _INTRODUCTORY.match(head) and "," not in head:
        return False
    return head.count(",") % 2 == 0 and quotes and head.count("(") == head.count(")")
