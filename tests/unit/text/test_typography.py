"""Typographic gaps: curly quotes, apostrophes and "a.m." closed, paired marks made quotes,
nothing else touched."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.text.typography import close_gaps

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("spaced", "closed"),
    [
        ("Lohan ’ s attorney", "Lohan’s attorney"),
        ("He doesn ’ t know, we ’ re told", "He doesn’t know, we’re told"),
        (
            "“ She was not happy with the place, ” her father said.",
            "“She was not happy with the place,” her father said.",
        ),
        ("Arson in Alaska–A Palin “ Pattern ”?", "Arson in Alaska–A Palin “Pattern”?"),
        (
            "to direct ‘ Hunger Games ’ sequel ‘ Catching Fire ’",
            "to direct ‘Hunger Games’ sequel ‘Catching Fire’",
        ),
        ("the Colts ’ success", "the Colts’ success"),
        (
            "a call at 3:33 a. m. from the hotel; 9 P. M. today",
            "a call at 3:33 a.m. from the hotel; 9 P.M. today",
        ),
        ("at 9 P. M. on Friday", "at 9 P.M. on Friday"),
        ("rock ’ n ’ roll", "rock ’n’ roll"),
        ("first line\n“ Second line opens a quote ”", "first line\n“Second line opens a quote”"),
        (
            "According to ''The Hollywood Reporter'', the director of ''The Hunger Games''",
            "According to “The Hollywood Reporter”, the director of “The Hunger Games”",
        ),
        ("known as the ``bagman'' who paid", "known as the “bagman” who paid"),
        ("``Hi,'' she said", "“Hi,” she said"),
    ],
)
def test_gaps_left_by_a_tokenizer_are_closed(spaced: str, closed: str) -> None:
    assert close_gaps(spaced) == closed


@pytest.mark.parametrize(
    "text",
    [
        "It’s “quoted” and ‘single’ already.",
        "Section a. Many people; vitamin A. Most",  # no "m." after the letter
        "Plain ASCII 'quotes' and \"doubles\" stay as they are.",
        "A dash – then ’90s music",
    ],
)
def test_text_without_such_gaps_is_unchanged(text: str) -> None:
    assert close_gaps(text) == text


@given(st.text(alphabet=st.sampled_from(list("ab sm.’“”‘\n"))))
def test_closing_gaps_is_idempotent_and_never_adds_characters(text: str) -> None:
    once = close_gaps(text)
    assert close_gaps(once) == once
    assert len(once) <= len(text)
    assert once.replace(" ", "") == text.replace(" ", "")


@given(st.text(alphabet=st.sampled_from(list("ab .'`’“”\n"))))
def test_paired_marks_always_become_one_quote(text: str) -> None:
    once = close_gaps(text)
    assert close_gaps(once) == once
    assert "``" not in once and "''" not in once
    assert len(once) <= len(text)
