"""Typographic gaps left by tokenizing converters: "Lohan ’ s", "“ Hi ”", "3 a. m.".

Text that went through a tokenizer and back often keeps a space on each side of a curly quote
or apostrophe and inside "a.m.". Published titles and summaries would show them, and spaCy
reads "Lohan ’ s" as three tokens. Only gaps that cannot be meant are closed: a curly opening
quote never takes a space after it, a closing one never takes one before it. Such text may
also write double quotes as two marks (``like this'' or ''like this''); they become “ and ”.
"""

from __future__ import annotations

import re

__all__ = ["close_gaps"]

_MARKS = ("’", "“", "”", "‘", " m.", " M.", "``", "''")
# two single marks for a double quote: opening at a start or after a space or bracket
_PAIRED_OPENING = re.compile(r"(?:``|(?:(?<=^)|(?<=[\s(\[]))''(?=\S))", re.MULTILINE)
# "Lohan ’ s", "doesn ’ t", "we ’ re": an apostrophe inside a word
_APOSTROPHE = re.compile(r"(?<=\w) ’ (?=(?:s|t|re|ve|ll|d|m)\b)")
# an opening quote at the start of a text or after a space or bracket, then spaces
_OPENING = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))([“‘]) +(?=\S)", re.MULTILINE)
# spaces before a closing double quote that ends a word or a clause
_CLOSING_DOUBLE = re.compile(r"(?<=[\w.,!?;:)]) +”")
# "Games ’ sequel", "the Colts ’ success": a closing single quote or a plural possessive
_CLOSING_SINGLE = re.compile(r"(?<=[\w.,!?]) ’(?=[\s.,;:!?)\]]|$)", re.MULTILINE)
_MERIDIEM = re.compile(r"\b([aApP])\. ([mM])\.")


def close_gaps(text: str) -> str:
    """The text with spaces inside curly quotes, apostrophes and "a.m." removed, and double
    quotes written as two marks made one.

    Args:
        text: clean text (one line or paragraphs).
    """
    if not any(mark in text for mark in _MARKS):
        return text
    if "``" in text or "''" in text:
        text = _PAIRED_OPENING.sub("“", text).replace("''", "”")
    text = text.replace(" ’ n ’ ", " ’n’ ")  # "rock ’n’ roll"
    text = _APOSTROPHE.sub("’", text)
    text = _OPENING.sub(r"\1", text)
    text = _CLOSING_DOUBLE.sub("”", text)
    text = _CLOSING_SINGLE.sub("’", text)
    return _MERIDIEM.sub(r"\1.\2.", text)
