"""Case restoration for ALL-CAPS lines (headlines, datelines) before NER.

The small English model reads capitalization as the strongest name cue, so a line in
capitals makes every word look like a name. A line is restored when most of its
letters are capitals: words usually written in lower case (a shipped word list) go
lower case, short all-capital words stay (likely acronyms: UN, UAE, NFL), other words
get an initial capital. The result has exactly the length of the input, so entity
offsets found on it index the original text.

`restore_opening_caps` does the same for a summary sentence that opens in capitals, the way
tabloids start a story ("ARMED robbers ...").
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from pipeline.artifacts import MODELS_DIR

LOWERCASE_WORDS_PATH = MODELS_DIR / "entities" / "lowercase_words.json"
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
MIN_CAPS_WORDS = 1
MIN_CAPS_SHARE = 0.5
ACRONYM_MAX_LEN = 3
# Common words that open place names: "NEW YORK" -> "New York", not "new York".
NAME_PREFIXES = frozenset(
    {
        "new",
        "san",
        "santa",
        "los",
        "las",
        "st",
        "fort",
        "port",
        "mount",
        "lake",
        "north",
        "south",
        "east",
        "west",
        "upper",
        "lower",
        "great",
        "little",
        "united",
        "el",
        "la",
        "le",
        "de",
        "hong",
        "sri",
        "costa",
        "puerto",
    }
)


@lru_cache(maxsize=1)
def lowercase_words() -> frozenset[str]:
    """Return the words usually written in lower case (the shipped word list)."""
    table = json.loads(LOWERCASE_WORDS_PATH.read_text(encoding="utf-8"))
    return frozenset(table["words"])


def truecase(text: str) -> str:
    """Return `text` with its ALL-CAPS lines restored to likely case; same length.

    Args:
        text: cleaned text, lines separated by newlines.
    """
    if not any(char.isupper() for char in text):
        return text
    return _LINE.sub(lambda match: _restore_line(match.group()), text)


def is_all_caps(line: str) -> bool:
    """Return True when most alphabetic words of `line` are written in capitals.

    Args:
        line: one line of text.
    """
    words = [word for word in _WORD.findall(line) if len(word) > 1]
    upper = sum(1 for word in words if word.isupper())
    return upper >= MIN_CAPS_WORDS and upper >= MIN_CAPS_SHARE * len(words)


def _restore_line(line: str) -> str:
    if not is_all_caps(line):
        return line
    matches = list(_WORD.finditer(line))
    restored = [_restore_word(match.group()) for match in matches]
    for index, match in enumerate(matches):
        word = match.group()
        following = restored[index + 1] if index + 1 < len(restored) else ""
        # A line opens with a capital; a name prefix takes one when a name follows.
        opens_name = word.lower() in NAME_PREFIXES and following[:1].isupper()
        opens_line = index == 0 and restored[index].islower()
        if word.isupper() and (opens_line or opens_name):
            restored[index] = word[0] + word[1:].lower()
    pieces, last = [], 0
    for match, word in zip(matches, restored, strict=True):
        pieces += [line[last : match.start()], word]
        last = match.end()
    return "".join([*pieces, line[last:]])


def _restore_word(word: str) -> str:
    if not word.isupper():
        return word
    lower = word.lower()
    if lower in lowercase_words():
        return lower
    if len(word) <= ACRONYM_MAX_LEN and lower not in NAME_PREFIXES:
        return word
    return word[0] + lower[1:]


# "ARMED robbers ...", "A HUGE fire ...": a tabloid's opening words in capitals
_OPENING_CAPS = re.compile(r"^(?:A |An |The )?(?:[A-Z]{2,}(?:-[A-Z]{2,})*(?: |$)){1,3}")


def restore_opening_caps(sentence: str) -> str:
    """A sentence whose first words are in capitals, with those that are ordinary words in lower
    case ("ARMED robbers" -> "Armed robbers", "A FIRE-BOMB attack" -> "A fire-bomb attack");
    acronyms and names stay ("FBI agents", "NASA scientists").

    Args:
        sentence: a sentence.
    """
    opening = _OPENING_CAPS.match(sentence)
    if opening is None or is_all_caps(sentence):
        return sentence
    if not sentence[opening.end() :][:1].islower():  # "BREAKING NEWS-3 DEAD": no opening run
        return sentence
    common = lowercase_words()
    restored: list[str] = []
    for word in opening.group().split(" "):
        ordinary = word.isupper() and all(p.lower() in common for p in word.split("-"))
        # a short word is an acronym ("US troops") unless it follows a restored word ("TO")
        if ordinary and (len(word) > ACRONYM_MAX_LEN or (restored and restored[-1].islower())):
            word = word.lower()
        elif not restored and word in ("THE", "AN"):  # "THE FBI said" -> "The FBI said"
            word = word.capitalize()
        restored.append(word)
    text = " ".join(restored) + sentence[opening.end() :]
    return text[:1].upper() + text[1:]
