"""Untrusted text for a terminal: control, bidi and invisible characters shown, never obeyed.

Article fields come from strangers. Printed raw, an ESC or OSC sequence would drive the
operator's terminal and a bidi override would reorder what they read; passed to rich as a
markup string, ``[link=…]`` or ``[/bold]`` would be interpreted. `printable` writes such
characters as escapes (``\\x1b``, ``\\u202e``); `plain` wraps the result in a rich `Text`,
which rich never parses as markup.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# Controls, format characters (bidi, zero-width), surrogates, line and paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(value: object) -> str:
    """A string of ``value`` safe to print on one terminal line.

    Args:
        value: anything; converted with ``str``.
    """
    text = str(value)
    if text.isprintable():  # the common case: nothing to escape (this also passes space)
        return text
    return "".join(
        _escape(char) if unicodedata.category(char) in _UNSAFE_CATEGORIES else char for char in text
    )


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object, *, style: str = "") -> Any:
    """A rich `Text` of ``value``: shown literally, never read as markup or emoji codes.

    Args:
        value: anything; passed through `printable`.
        style: a rich style for the whole text (ours, never from the value).
    """
    from rich.text import Text

    return Text(printable(value), style=style)
