"""The pool's faster feature code gives exactly what the plain code it replaced gives."""

from __future__ import annotations

import math
import re
from collections import Counter

import orjson
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clustering import features
from pipeline.events import counts, factcontext, sentences
from pipeline.events.disagreements import extract_facts
from pipeline.events.sentences import split_sentences
from tests.support import SAMPLE
from wirestream.commands.produce import read_lines

pytestmark = pytest.mark.pure

WORDS = ["storm", "hit", "the", "coast", "it's", "42", "7.5", "o'neill", "a", "x", "éclair", "UN"]


def _sample_texts() -> list[str]:
    """Bodies and titles of the sample feed's records, in pairs (body, title)."""
    texts = []
    for line in read_lines(SAMPLE):
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(record, dict):
            texts += [str(record.get("body") or ""), str(record.get("title") or "")]
    return texts


def _datasketch_minhash(text: str, num_perm: int, shingle_size: int) -> list[int]:
    """What `minhash_values` computed before: datasketch's MinHash (affine32, seed 1)."""
    tokens = features.words(text)
    size = min(shingle_size, max(len(tokens), 1))
    shingles = {" ".join(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 1))}
    minhash = MinHash(num_perm=num_perm)
    minhash.update_batch([s.encode() for s in shingles if s])
    return [*(int(v) for v in minhash.hashvalues), len(shingles)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=40),
    st.sampled_from([16, 128]),
    st.integers(min_value=0, max_value=7),
)
def test_minhash_is_datasketchs(words: list[str], num_perm: int, shingle_size: int) -> None:
    text = " ".join(words)
    expected = _datasketch_minhash(text, num_perm, shingle_size)
    assert features.minhash_values(text, num_perm=num_perm, shingle_size=shingle_size) == expected


def test_minhash_is_datasketchs_on_the_sample() -> None:
    for text in _sample_texts():
        assert features.minhash_values(text) == _datasketch_minhash(
            text, 128, features.SHINGLE_SIZE
        )


def _plain_term_vector(
    title: str, text: str, idf: dict[str, float], top_n: int
) -> dict[str, float]:
    body = features.words(text)
    lead, rest = body[: features.LEAD_WORDS], body[features.LEAD_WORDS :]
    counts = Counter(
        features.term_tokens(title) * 2
        + features.term_tokens(" ".join(lead)) * 2
        + features.term_tokens(" ".join(rest))
        + features.numbers(f"{title} {text}")
        + features.month_days(f"{title} {text}")
    )
    unseen = idf.get("", 10.0)
    weights = {t: (1 + math.log(c)) * idf.get(t, unseen) for t, c in counts.items()}
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {t: round(w / norm, 4) for t, w in top}


def test_term_vector_and_features_match_the_plain_computation() -> None:
    idf = features.default_idf()
    texts = _sample_texts()
    for title, text in zip(texts[1::2], texts[0::2], strict=True):
        expected = _plain_term_vector(title, text, idf, 60)
        assert features.term_vector(title, text, idf=idf, top_n=60) == expected
        found = features.article_features({"title": title, "text": text, "entities": []})
        assert found["terms"] == expected
        assert found["minhash"] == _datasketch_minhash(text or title, 128, features.SHINGLE_SIZE)


# The patterns as they were before a leading lookahead made their scans faster.
PLAIN_PATTERNS = {
    "_NUMBER": (features, r"(?<![\w.])\d+(?:\.\d+)?(?![\w])"),
    "_MONTH_DAY": (features, rf"\b{features._MONTHS}\s+(\d{{1,2}})\b"),
    "_DAY_MONTH": (features, rf"\b(\d{{1,2}})\s+{features._MONTHS}"),
    "_YEAR": (features, r"\b(1[89]\d\d|20\d\d)\b"),
    "_BACKGROUND": (
        factcontext,
        r"\b(?:(?i:in|of|last)\s+(?:January|February|March|April|May|June|July|August"
        r"|September|October|November|December|19\d\d|20\d\d)\b(?!\s*\d{1,2}\b)"
        r"|(?i:since)\b|(?:years?|months?|decades?) ago|last (?:year|month)"
        r"|earlier this (?:year|month)|previous|might|could|would|may have|can\b)",
    ),
}
PIECES = [
    "Jan",
    "Sept.",
    "September",
    "12",
    "3",
    "1999",
    "2024",
    "in",
    "In ",
    "since",
    "Since",
    "the ",
    "The ",
    "decades",
    "earlier this ",
    "can",
    "could",
    "last ",
    "year",
    " ago",
    " ",
    ".",
    "x",
    "é",
    "_",
    "might",
    "previous",
    "could have",
    "7.5",
    "\n",
    "months",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_fast_patterns_match_like_the_plain_ones(pieces: list[str]) -> None:
    text = "".join(pieces)
    for name, (module, plain) in PLAIN_PATTERNS.items():
        fast = getattr(module, name)
        assert [m.span() for m in fast.finditer(text)] == [
            m.span() for m in re.finditer(plain, text)
        ], name
        assert fast.findall(text) == re.findall(plain, text), name


SPACED = list("ab.A \u00a0\u2003\x1c\t\"“')(")  # letters, dots, quotes and unicode spaces


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(SPACED), max_size=16), st.data())
def test_last_word_is_what_the_regex_finds(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(text)))
    end = data.draw(st.integers(min_value=start, max_value=len(text)))
    match = re.compile(r"(\S+)$").search(text, start, end)
    assert sentences._last_word(text, start, end) == (match.group(1) if match else "")


NUMBERISH = [
    "one",
    "Two",
    "twenty-one",
    "dozen",
    "12",
    "3,000",
    "²",
    "five-year",
    "people",
    "were",
    "killed",
    "at",
    "least",
    "-",
    "$",
    "1999",
    "10:30",
    "ones",
    "oneself",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NUMBERISH), min_size=1, max_size=8), st.data())
def test_tokens_that_may_not_count_never_do(tokens: list[str], data: st.DataObject) -> None:
    lowered = [token.lower() for token in tokens]
    index = data.draw(st.integers(min_value=0, max_value=len(lowered) - 1))
    if not counts.may_count(lowered[index]):
        assert counts.count_value(lowered, index) is None


def test_facts_from_given_sentences_are_the_same() -> None:
    entities = [
        {"name": "Paris", "label": "GPE", "mentions": ["Paris"]},
        {"name": "Monday", "label": "DATE", "mentions": ["Monday"]},
    ]
    texts = [
        *_sample_texts(),
        "Twelve people were killed in Paris on Monday. The plane crashed in Paris.",
    ]
    for text in texts:
        expected = extract_facts(text, entities)
        assert extract_facts(text, entities, sentences=split_sentences(text)) == expected
