"""Fast regex sentence splitting and cheap content-word terms for sentence comparison."""

from __future__ import annotations

import functools
import re


def _words(text: str) -> list[str]:
    return text.split()


# Words ending in "." that rarely end a sentence (titles, months, company suffixes, units).
_ABBREVIATIONS = frozenset(
    _words(
        "mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm maj st mt ft rev hon pres supt "
        "det insp messrs jr sr vs etc no nos fig approx dept univ jan feb mar apr jun jul aug sep "
        "sept oct nov dec mon tue tues wed thu thur thurs fri sat sun inc corp ltd co bros"
    )
)
# Abbreviations that do end sentences often enough to split when a sentence starter follows.
_TRAILING_ABBREVIATIONS = frozenset(_words("etc inc corp ltd co bros jr sr"))
# Capitalized words that start sentences after "U.S." or "a.m." but seldom continue a name.
_STARTERS = frozenset(
    _words(
        "the a an he she it they we i you his her its their our this that these those there here "
        "but and or so yet in on at for after before when while as if although though since by "
        "officials police authorities witnesses some many most no none all both"
    )
)
# Words a sentence cannot end on: "she returned with a. 357 Magnum" is a broken ".357".
_NEVER_LAST = frozenset(_words("a an the"))
# An amount whose decimal point lost its digits to a space ("worth £1. 7m", "$2. 6 million").
_BROKEN_AMOUNT = re.compile(r"[£$€¥]\d{1,3}\.$")
_DIGIT_NEXT = re.compile(r"\s+\d")
_BOUNDARY = re.compile(r"(?:[.!?]+|…)[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_NEXT_WORD = re.compile(r"\s+[\"“‘(\[]?([A-Za-z]+)")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_TERM = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# A wire dateline in front of a paragraph's first sentence: "NEW YORK (AP) -- ", "Mannheim,
# Germany (Sports Network) - ", "LONDON: ", "(Tue, 16 Aug 2011) ". Where a story was filed is
# not a sentence of it; a capital must follow, so "NATO-led troops" keeps its "NATO-".
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'-]+(?:,? [A-Z][A-Za-z.'-]+){0,3},? \([A-Za-z .&'-]{2,30}\) ?[-–—:]+"
    r"|[A-Z][A-Z.'-]{2,}(?:,? [A-Z][A-Z.'-]+){0,3}(?: \([A-Za-z .&'-]{2,30}\))? ?(?:[-–—]+|:)"
    r"|\((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? [^()]{4,30}\)) *(?=[\"“‘]?[A-Z])"
)
_STOPWORDS = frozenset(
    _words(
        "a an the and or but if then than so of to in on at by for from with about as into onto "
        "over under after before between during through against without within upon via is are "
        "was were be been being am has have had having do does did will would shall should can "
        "could may might must it its it's this that these those there here he she they we i you "
        "him her them us me his hers their theirs our ours your my who whom whose which what when "
        "where why how not no nor also just only very more most such said says say saying told "
        "tells according while although though since because however other another some any each "
        "all both few many much one new news report reports reported reporting"
    )
)


def split_sentences(text: str) -> list[str]:
    """Split clean text into sentences, paragraph by paragraph, without wire datelines.

    Args:
        text: clean article text; newlines separate paragraphs.
    """
    sentences: list[str] = []
    for paragraph in text.splitlines():
        sentences.extend(_split_paragraph(_DATELINE.sub("", paragraph, count=1)))
    return sentences


def sentence_terms(sentence: str) -> frozenset[str]:
    """Lower-cased content words of a sentence, crudely stemmed so inflections meet.

    Args:
        sentence: one sentence of text.
    """
    return frozenset(sentence_term_list(sentence))


def sentence_term_list(sentence: str) -> list[str]:
    """The terms of `sentence_terms`, once each, in order of first occurrence.

    A frozenset built from this list has the same insertion order, so the same iteration
    order, as `sentence_terms` (sums over it round alike).

    Args:
        sentence: one sentence of text.
    """
    words = [word for word in _TERM.findall(sentence.lower()) if word not in _STOPWORDS]
    return list(dict.fromkeys(map(_stem, words)))


def _split_paragraph(paragraph: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        if _is_boundary(paragraph, start, match):
            pieces.append(paragraph[start : match.end()].strip())
            start = match.end()
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]


def _is_boundary(paragraph: str, start: int, match: re.Match[str]) -> bool:
    if not match.group().startswith("."):
        return True
    word = _last_word(paragraph, start, match.end()).strip("\"“‘'([")
    bare = word.rstrip(".\"”’')]").lower()
    starter = _NEXT_WORD.match(paragraph, match.end())
    next_is_starter = bool(starter and starter.group(1).lower() in _STARTERS)
    if _DOTTED.match(word.rstrip("\"”’')]")):
        return next_is_starter
    if bare in _TRAILING_ABBREVIATIONS:
        return next_is_starter
    if bare in _ABBREVIATIONS or bare in _NEVER_LAST:
        return False
    if _BROKEN_AMOUNT.search(word) and _DIGIT_NEXT.match(paragraph, match.end()):
        return False
    # A lone capital letter is a name initial ("J. Smith"), not a sentence end.
    return not (len(bare) == 1 and word[:1].isupper())


def _last_word(text: str, start: int, end: int) -> str:
    r"""The run of non-space characters ending at `end` (not before `start`), or "".

    In text without newlines, what `re.compile(r"(\S+)$").search(text, start, end)` finds,
    without its scan of every position from `start`.
    """
    words = text[start:end].rsplit(None, 1)
    return words[-1] if words and not text[end - 1 : end].isspace() else ""


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if word.endswith("’s") or word.endswith("'s"):
        word = word[:-2]
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    # "state"/"stated"/"states" all meet at "stat".
    return word[:-1] if word.endswith("e") and len(word) >= 5 else word
