"""Whether a sentence can be told on its own in an event summary, in the reporter's voice.

A sentence of a longer quotation is a fragment once taken out: it opens a quote it never
closes ("“She’s in rehab right now."), closes one it never opened, or is a quotation and
nothing else, which names no speaker. A first person ("Personally, I wasn't surprised", "we all
knew") is a columnist's comment or the middle of someone's quote, not report; inside quotation
marks it is a source speaking and stays.
"""

from __future__ import annotations

import re

__all__ = ["open_quote", "own_voice", "stands_alone"]

# whole quotations: double quotes, and curly single ones closed before a non-letter
_QUOTED = re.compile(r"\"[^\"]*\"|“[^“”]*”|‘[^‘’]*’(?!\w)")
_OPENERS = "\"'“‘([ "
# "I", "I’m", ... : a pronoun, not "World War I" or "Elizabeth I" (a capitalized word before)
_I = re.compile(
    r"(?<![\w’'.-])(?P<before>[A-Z][\w’'-]*\s+)?I(?:(?:['’](?:m|ve|d|ll))|(?=\s+[a-z]))"
)
_OTHERS = re.compile(
    r"(?<![\w’'-])(?:me|my|myself|methinks|we|us|our|ours|ourselves)(?![\w’'-])", re.IGNORECASE
)
_ONLY_QUOTED = re.compile(r"^\s*(?:\"[^\"]*\"|“[^“”]*”)\s*$")


def stands_alone(sentence: str) -> bool:
    """True when the sentence is neither a piece of a quotation nor in a first person.

    Args:
        sentence: one sentence of clean text.
    """
    if open_quote(sentence) or _ONLY_QUOTED.match(sentence):
        return False
    return not own_voice(sentence)


def open_quote(sentence: str) -> bool:
    """True when the sentence leaves a double quotation open, or closes one it did not open.

    Args:
        sentence: one sentence of clean text.
    """
    return sentence.count('"') % 2 == 1 or sentence.count("“") != sentence.count("”")


def own_voice(sentence: str) -> bool:
    """True when the writer speaks in the first person outside quotation marks.

    Args:
        sentence: one sentence of clean text.
    """
    outside = _QUOTED.sub(" ", sentence)
    start = len(outside) - len(outside.lstrip(_OPENERS))
    for found in _I.finditer(outside):
        # a capitalized word right before "I" makes a title ("World War I"), unless it opens
        if found.group("before") is None or found.start() == start:
            return True
    for found in _OTHERS.finditer(outside):
        word = found.group()
        if word.islower():
            return True
        # "My client is ..." opens in the first person; "My Chemical Romance" or "US" is a name
        opens = found.start() == start and word[1:].islower()
        if opens and outside[found.end() :].lstrip()[:1].islower():
            return True
    return False
