"""Alias table and name normalization used to give entities one canonical name.

The table maps a normalized surface form (casefolded, dots removed, spaces collapsed)
to the canonical name. It is deliberately small: only forms newswire uses for the same
place or body so often that leaving them apart would split every story. The full table
is `pipeline/models/entities/aliases.json` (documented in the README next to it).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from pipeline.artifacts import MODELS_DIR

ALIASES_PATH = MODELS_DIR / "entities" / "aliases.json"
GAZETTEER_PATH = MODELS_DIR / "entities" / "gazetteer.json"

# Titles stripped before person names are compared ("Mr. Putin" -> "Putin").
HONORIFICS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "president",
        "vice",
        "prime",
        "minister",
        "premier",
        "chancellor",
        "secretary",
        "senator",
        "sen",
        "rep",
        "representative",
        "governor",
        "gov",
        "mayor",
        "judge",
        "justice",
        "gen",
        "general",
        "col",
        "colonel",
        "capt",
        "captain",
        "lt",
        "lieutenant",
        "adm",
        "admiral",
        "sgt",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "rev",
        "reverend",
        "father",
        "sheikh",
        "chairman",
        "chief",
        "executive",
        "ceo",
        "coach",
        "foreign",
        "defence",
        "defense",
        "finance",
        "state",
        "deputy",
        "former",
        "acting",
    }
)

_SPACES = re.compile(r"\s+")
_EDGE_NOISE = re.compile(r"^[\W_]+|[\W_]+$")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def alias_key(name: str) -> str:
    """Return the lookup key for a surface form: casefolded, no dots, single spaces.

    Args:
        name: an entity surface form.
    """
    return _SPACES.sub(" ", name.replace(".", "")).strip().casefold()


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """Return the alias table: normalized surface form -> canonical name."""
    table = json.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    return {
        alias_key(alias): canonical
        for canonical, aliases in table["aliases"].items()
        for alias in [canonical, *aliases]
    }


@lru_cache(maxsize=1)
def gazetteer_places() -> frozenset[str]:
    """The shipped gazetteer's countries, cities, continents and regions, casefolded."""
    table = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    return frozenset(
        phrase.casefold() for label in ("GPE", "LOC") for phrase in table["labels"].get(label, [])
    )


def clean_surface(text: str) -> str:
    """Strip whitespace runs, a leading "the", edge punctuation and a possessive.

    Args:
        text: an entity surface form as found in the text.
    """
    name = _SPACES.sub(" ", text).strip()
    name = _POSSESSIVE.sub("", name)
    if name[:4].casefold() == "the " and len(name) > 4:
        name = name[4:]
    # Keep a trailing dot of abbreviations like "U.S." but drop other edge punctuation.
    core = _EDGE_NOISE.sub("", name)
    if name.endswith(".") and core and "." in core:
        core += "."
    return core


def canonical_alias(name: str) -> str | None:
    """Return the canonical form of a known alias, or None.

    Args:
        name: a cleaned entity surface form.
    """
    return alias_table().get(alias_key(name))


def strip_honorifics(name: str) -> str:
    """Drop leading titles ("Mr.", "President", "Prime Minister") from a person name.

    Args:
        name: a cleaned person name.
    """
    words = name.split(" ")
    while len(words) > 1 and alias_key(words[0]) in HONORIFICS:
        words = words[1:]
    return " ".join(words)
