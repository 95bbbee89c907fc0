"""Summary similarities do not depend on the order a term set iterates in (string hashing)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.events.summary import _cosine, _score, _Sentence

pytestmark = pytest.mark.pure

WEIGHTS = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3),
    st.floats(min_value=0.01, max_value=30.0, allow_nan=False),
    min_size=4,
    max_size=40,
)


def _sentence(terms: frozenset[str], source: int, squares: dict[str, float]) -> _Sentence:
    sentence = _Sentence("text", source, source, 0, terms)
    sentence.squares = squares
    sentence.norm = math.sqrt(math.fsum(squares[t] for t in sorted(terms)))
    return sentence


def _exact(a: _Sentence, b: _Sentence) -> float:
    shared = sorted(a.terms & b.terms)
    return math.fsum(a.squares[t] for t in shared) / (a.norm * b.norm) if shared else 0.0


@given(WEIGHTS, st.data())
def test_cosine_is_the_exact_sum_whatever_the_set_order(
    squares: dict[str, float], data: st.DataObject
) -> None:
    terms = sorted(squares)
    left = frozenset(data.draw(st.lists(st.sampled_from(terms), min_size=1, unique=True)))
    right = frozenset(data.draw(st.lists(st.sampled_from(terms), min_size=1, unique=True)))
    a, b = _sentence(left, 1, squares), _sentence(right, 2, squares)
    assert _cosine(a, b) == _exact(a, b)
    matrix, _ = _score([a, b])
    assert matrix[0][1] == _exact(a, b)
