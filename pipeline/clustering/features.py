"""Clustering features computed in the process pool: MinHash, weighted terms, entity keys."""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import orjson
from datasketch import MinHash
from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.artifacts import MODELS_DIR

FEATURES_VERSION = 2
# Words per MinHash shingle: 3-word runs survive one word in ten edited (5-word runs do not)
# while independent articles on one event rarely share more than 45 % of them.
SHINGLE_SIZE = 3
# Body words in the lead: news states the event's own who, what and where first, background later.
LEAD_WORDS = 80
IDF_PATH = MODELS_DIR / "cluster" / "idf.json"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A leading lookahead on the first character changes no match; it lets the scan skip faster.
_NUMBER = re.compile(r"(?=\d)(?<![\w.])\d+(?:\.\d+)?(?![\w])")
_MONTHS = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_MONTH_DAY = re.compile(rf"(?=[JFMASOND])\b{_MONTHS}\s+(\d{{1,2}})\b")
_DAY_MONTH = re.compile(rf"\b(?=\d)(\d{{1,2}})\s+{_MONTHS}")
_YEAR = re.compile(r"(?=[12])\b(1[89]\d\d|20\d\d)\b")
# Entity labels that say who / where / what; weights reflect how much a shared name means.
ENTITY_WEIGHTS: dict[str, float] = {
    "PERSON": 1.0,
    "ORG": 0.8,
    "GPE": 0.8,
    "LOC": 0.8,
    "FAC": 0.8,
    "EVENT": 0.8,
    "WORK_OF_ART": 0.6,
    "PRODUCT": 0.6,
    "NORP": 0.3,
    "LAW": 0.6,
}
_ENTITY_PREFIX = {"PERSON": "p", "GPE": "g", "LOC": "g", "FAC": "f", "NORP": "n"}
_LEADING = re.compile(r"^(the|a|an)\s+")


def words(text: str) -> list[str]:
    """Lower-cased word tokens of a text.

    Args:
        text: any text.
    """
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def term_tokens(text: str) -> list[str]:
    """Word tokens without stop words, possessives, short tokens or bare numbers.

    Args:
        text: any text.
    """
    return _content_words(words(text))


def _content_words(tokens: list[str]) -> list[str]:
    """`term_tokens` of a text whose `words` are given."""
    stripped = [word.removesuffix("'s") for word in tokens]
    return [w for w in stripped if len(w) > 2 and w not in STOP_WORDS and not w.isdigit()]


def numbers(text: str) -> list[str]:
    """Numbers of two or more digits (or with decimals), as terms prefixed with "#".

    Args:
        text: any text.
    """
    return [f"#{n}" for n in _NUMBER.findall(text) if len(n) > 1]


def month_days(text: str) -> list[str]:
    """Calendar dates ("Sept. 18", "18 September") as terms like "@sep18".

    Args:
        text: any text.
    """
    found = [f"@{m[:3].lower()}{int(d)}" for m, d in _MONTH_DAY.findall(text)]
    found += [f"@{m[:3].lower()}{int(d)}" for d, m in _DAY_MONTH.findall(text)]
    return found


@functools.cache
def default_idf() -> dict[str, float]:
    """The shipped IDF table (term -> idf), with the key "" holding the idf of unseen terms."""
    table: dict[str, float] = orjson.loads(IDF_PATH.read_bytes())
    return table


def build_idf_table(texts: Iterable[str], *, min_df: int = 2) -> dict[str, float]:
    """Smoothed IDF of content terms over a corpus; "" maps to the idf of an unseen term.

    Args:
        texts: the documents.
        min_df: terms in fewer documents are left out (they get the unseen idf).
    """
    df: Counter[str] = Counter()
    n_docs = 0
    for text in texts:
        n_docs += 1
        df.update(set(term_tokens(text)))
    table = {
        t: round(math.log((1 + n_docs) / (1 + c)) + 1, 3) for t, c in df.items() if c >= min_df
    }
    table[""] = round(math.log(1 + n_docs) + 1, 3)
    return dict(sorted(table.items()))


def minhash_values(
    text: str, *, num_perm: int = 128, shingle_size: int = SHINGLE_SIZE
) -> list[int]:
    """MinHash signature over word shingles of a text, as plain ints, then the shingle count.

    Args:
        text: the article body.
        num_perm: number of permutations.
        shingle_size: words per shingle.
    """
    return _minhash_of_words(words(text), num_perm=num_perm, shingle_size=shingle_size)


def _minhash_of_words(tokens: list[str], *, num_perm: int, shingle_size: int) -> list[int]:
    """`minhash_values` of a text whose `words` are given."""
    size = min(shingle_size, max(len(tokens), 1))
    count = max(len(tokens) - size + 1, 1)
    if tokens and size > 0:
        # Words are ASCII: a shingle (words joined by spaces) is a slice of all words joined.
        joined = " ".join(tokens).encode()
        starts = [0, *itertools.accumulate(len(token) + 1 for token in tokens)]
        shingles = {joined[starts[i] : starts[i + size] - 1] for i in range(count)}
    else:
        shingles = {" ".join(tokens[i : i + size]).encode() for i in range(count)}
    return [*_affine32_minhash([s for s in shingles if s], num_perm), len(shingles)]


_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_EMPTY32 = (1 << 32) - 1


def _affine32_minhash(values: list[bytes], num_perm: int) -> list[int]:
    """The hash values of datasketch's `MinHash(scheme="affine32").update_batch(values)`,
    vectorized: 32-bit SHA-1 of every value, MurmurHash3 finalizer, affine permutations."""
    if not values:
        return [_EMPTY32] * num_perm
    sha1 = hashlib.sha1
    digests = b"".join([sha1(value).digest()[:4] for value in values])
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    shift1, mult1, shift2, mult2 = _FMIX32
    hashes = hashes ^ (hashes >> shift1)
    hashes = hashes * mult1
    hashes = hashes ^ (hashes >> shift2)
    hashes = hashes * mult2
    hashes = hashes ^ (hashes >> shift1)
    a, b = _permutations(num_perm)
    permuted: Any = hashes[:, np.newaxis] * a + b  # uint32 arithmetic wraps: mod 2^32
    values_out: list[int] = permuted.min(axis=0).tolist()
    return values_out


@functools.cache
def _permutations(num_perm: int) -> Any:
    """The permutations `MinHash(num_perm=num_perm)` draws by default (seed 1, affine32)."""
    return MinHash(num_perm=num_perm).permutations


def term_vector(title: str, text: str, *, idf: Mapping[str, float], top_n: int) -> dict[str, float]:
    """L2-normalized sublinear tf-idf vector, title terms and the body's first `LEAD_WORDS`
    words counted twice, top_n terms kept.

    Args:
        title: the headline.
        text: the body.
        idf: term -> idf, "" for unseen terms.
        top_n: number of terms kept.
    """
    return _term_vector(title, text, words(text), idf=idf, top_n=top_n)


def _term_vector(
    title: str, text: str, text_words: list[str], *, idf: Mapping[str, float], top_n: int
) -> dict[str, float]:
    """`term_vector` of a text whose `words` are given."""
    both = f"{title} {text}"
    counts = Counter(term_tokens(title) * 2)
    lead = _content_words(text_words[:LEAD_WORDS])
    counts.update(lead + lead)
    counts.update(_content_words(text_words[LEAD_WORDS:]))
    counts.update(numbers(both))
    counts.update(month_days(both))
    unseen = idf.get("", 10.0)
    # Sorting (-weight, term) pairs orders by weight descending, then term: no key calls.
    ranked = sorted([(-(1 + math.log(c)) * idf.get(t, unseen), t) for t, c in counts.items()])
    top = ranked[:top_n]
    norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
    return {t: round(-w / norm, 4) for w, t in top}


def entity_key(name: str, label: str) -> str | None:
    """Canonical key of an entity mention; people are keyed by surname to join "Reid" and
    "Tara Reid".

    Args:
        name: the entity text.
        label: the spaCy label.
    """
    if label not in ENTITY_WEIGHTS:
        return None
    tokens = words(_LEADING.sub("", name.lower().strip()))
    tokens = [t.removesuffix("'s") for t in tokens if t not in {"'s"}]
    if not tokens:
        return None
    if label == "PERSON":
        tokens = tokens[-1:]
    if len("".join(tokens)) < 2:
        return None
    return f"{_ENTITY_PREFIX.get(label, 'o')}:{' '.join(tokens)}"


def entity_vector(entities: list[dict[str, Any]]) -> dict[str, float]:
    """L2-normalized entity-key vector (label weight x sublinear count).

    Args:
        entities: the article's entities (`name`, `label`, `count`).
    """
    counts: Counter[str] = Counter()
    weights: dict[str, float] = {}
    for entity in entities:
        key = entity_key(str(entity.get("name", "")), str(entity.get("label", "")))
        if key is None:
            continue
        counts[key] += int(entity.get("count", 1) or 1)
        weights[key] = max(weights.get(key, 0.0), ENTITY_WEIGHTS[str(entity["label"])])
    vector = {k: (1 + math.log(c)) * weights[k] for k, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {k: round(w / norm, 4) for k, w in sorted(vector.items())}


def years(text: str) -> list[str]:
    """Distinct four-digit years (1800-2099) a text mentions, sorted.

    Args:
        text: title and body.
    """
    return sorted(set(_YEAR.findall(text)))


def article_features(
    article: Mapping[str, Any],
    *,
    idf: Mapping[str, float] | None = None,
    num_perm: int = 128,
    shingle_size: int = SHINGLE_SIZE,
    top_terms: int = 60,
) -> dict[str, Any]:
    """JSON-able features that clustering needs, computed once per article in the pool.

    Args:
        article: a normalized, enriched article (`title`, `text`, `entities`).
        idf: term -> idf table; the shipped table when None.
        num_perm: MinHash permutations.
        shingle_size: words per MinHash shingle.
        top_terms: number of weighted terms kept.
    """
    title = str(article.get("title") or "")
    text = str(article.get("text") or "")
    table = default_idf() if idf is None else idf
    text_words = words(text)
    shingled = text_words if text else words(title)
    return {
        "v": FEATURES_VERSION,
        "minhash": _minhash_of_words(shingled, num_perm=num_perm, shingle_size=shingle_size),
        "terms": _term_vector(title, text, text_words, idf=table, top_n=top_terms),
        "entities": entity_vector(list(article.get("entities") or [])),
        "years": years(f"{title}\n{text}"),
    }
