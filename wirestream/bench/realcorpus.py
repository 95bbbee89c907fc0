"""Real articles for `bench cluster`: development texts with their production entities.

The pool holds ECB+ events (their real articles, then articles made of sentences of three of
them, so an event can grow past 50 members) and BBC stories (one article each), every one with
the entities the production NER finds (cached on disk: the NER takes minutes) and the
production `article_features` and `member_snapshot`.

A bench story is a pool template renamed: every rare word (not a stop word, a number or a
word in more than ~2 % of the IDF corpus's documents) gets a story suffix in the words the
MinHash is computed over, in the terms and in the entity keys, and so does each frequent word
or number in three stories of four. Two stories made from one template then share about as
much as two real stories on one subject, while stop words, common words, common entity keys
("g:united states") and the shingles made of them are shared across stories as in a real
stream.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.clustering.features import (
    SHINGLE_SIZE,
    _minhash_of_words,
    article_features,
    default_idf,
    words,
)
from pipeline.events.build import member_snapshot

CACHE_DIR = Path.home() / ".cache" / "wirestream" / "bench"
COMMON_IDF = 5.0  # terms under it are in more than ~2 % of the documents (about 480 terms)
MEMBERS = 64  # articles per ECB+ template: its own, then sentences of three of them
EntityFn = Callable[[list[str]], list[list[dict[str, Any]]]]
_COMMON_NUMBER = re.compile(r"(?:19|20)\d\d|0+|\d{1,2}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class PoolArticle:
    """A pool article: a normalized-article dict with `features` (snapshot inside), and the
    words its MinHash is computed over."""

    article: dict[str, Any]
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Corpus:
    """ECB+ templates (members in order) and BBC single stories."""

    events: tuple[tuple[PoolArticle, ...], ...]
    singles: tuple[PoolArticle, ...]


def cached_entities(
    texts: Sequence[str], *, name: str, extract: EntityFn | None = None, cache: Path = CACHE_DIR
) -> list[list[dict[str, Any]]]:
    """Entities of each text, from `cache` when present, else from `extract` (default: the
    production model), then written to it; the file name hashes the texts, the model and the
    entity rules' version.

    Args:
        texts: the texts.
        name: a name for the cache file.
        extract: texts -> entities; None loads the production model.
        cache: the cache folder.
    """
    from pipeline.nlp.entities import ENTITY_RULES_VERSION
    from pipeline.nlp.model import default_model_name

    digest = hashlib.sha256(f"{default_model_name()}/{ENTITY_RULES_VERSION}".encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode()).digest())
    path = cache / f"{name}-{digest.hexdigest()[:16]}.json"
    if path.is_file():
        found: list[list[dict[str, Any]]] = orjson.loads(path.read_bytes())
        return found
    if extract is None:
        from pipeline.nlp.entities import extract_entities
        from pipeline.nlp.model import load_model

        nlp = load_model()
        found = extract_entities(nlp, list(texts), batch_size=16)
    else:
        found = extract(list(texts))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(found))
    return found


def load_corpus(data: Path, *, extract: EntityFn | None = None, seed: int = 11) -> Corpus:
    """The pool from `data`/ecbplus and `data`/bbc_news, entities cached.

    Args:
        data: the shared data folder.
        extract: texts -> entities (None: the production model, cached).
        seed: recombination seed.
    """
    ecb = _records(data / "ecbplus" / "articles.jsonl")
    bbc = _records(data / "bbc_news" / "articles.jsonl")
    entities = cached_entities([r["text"] for r in ecb + bbc], name="ecbplus-bbc", extract=extract)
    for record, found in zip(ecb + bbc, entities, strict=True):
        record["entities"] = found
    events: dict[str, list[dict[str, Any]]] = {}
    for record in ecb:
        events.setdefault(str(record["cluster_id"]), []).append(record)
    return build_corpus(list(events.values()), bbc, seed=seed)


def build_corpus(
    events: Sequence[Sequence[dict[str, Any]]],
    singles: Sequence[dict[str, Any]],
    *,
    members: int = MEMBERS,
    seed: int = 11,
) -> Corpus:
    """A pool from records with entities (`title`, `text`, `entities`).

    Args:
        events: the articles of each event (two or more each).
        singles: single stories.
        members: articles per event template.
        seed: recombination seed.
    """
    rng = random.Random(seed)
    templates = []
    for records in events:
        made = list(records[:members])
        while len(made) < members:
            made.append(recombine(rng.sample(list(records), min(3, len(records))), rng))
        templates.append(tuple(_pooled(r, f"e{len(templates)}m{n}") for n, r in enumerate(made)))
    lone = tuple(_pooled(r, f"s{n}") for n, r in enumerate(singles))
    return Corpus(tuple(templates), lone)


def recombine(sources: Sequence[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    """Another article on the same event: an equal share of each source's sentences, shuffled;
    the sources' entities whose surface forms it contains, counted in it.

    Args:
        sources: records of one event (`title`, `text`, `entities`).
        rng: random source.
    """
    picked: list[str] = []
    for source in sources:
        sentences = [s for s in _SENTENCE.split(source["text"]) if s.strip()]
        share = max(1, len(sentences) // len(sources))
        picked += rng.sample(sentences, min(share, len(sentences)))
    rng.shuffle(picked)
    text = " ".join(picked)
    entities = {}
    for source in sources:
        for entity in source.get("entities") or []:
            forms = entity.get("mentions") or [entity["name"]]
            count = sum(text.count(form) for form in forms)
            key = (entity["name"], entity["label"])
            if count and key not in entities:
                first = min(text.find(form) for form in forms if form in text)
                entities[key] = {**entity, "count": count, "first_offset": first}
    return {"title": sources[0]["title"], "text": text, "entities": list(entities.values())}


def _pooled(record: dict[str, Any], key: str) -> PoolArticle:
    url = f"https://pool.example/{key}"
    text = str(record["text"])
    article = {
        "article_id": hashlib.sha256(url.encode()).hexdigest()[:24],
        "url": url,
        "canonical_url": url,
        "source": f"pool{len(key) % 7}",
        "title": str(record.get("title") or ""),
        "text": text,
        "published_at": None,
        "language": "en",
        "entities": list(record.get("entities") or []),
        "topics": [],
    }
    features = article_features(article)
    features["snapshot"] = member_snapshot(article)
    article["features"] = features
    return PoolArticle(article, tuple(words(text)))


@functools.cache
def is_common(word: str) -> bool:
    """A stop word, a year, a frequent term, or a number any story may hold ("000", "12").

    Args:
        word: a lower-case token or term ("#2004" for a number term).
    """
    core = word.removeprefix("#")
    if core in STOP_WORDS or _COMMON_NUMBER.fullmatch(core):
        return True
    return core.isalpha() and default_idf().get(core, 99.0) < COMMON_IDF


def renamed(word: str, story: int) -> str:
    """`word` as story `story` spells it: stop words as they are, a common word or number as
    it is in one story in four (so two stories made from one template share about as much
    of their vocabulary as two real stories on one subject), any other word with a story
    suffix.

    Args:
        word: a lower-case token or term.
        story: the story number.
    """
    if word in STOP_WORDS or (is_common(word) and _kept(word, story)):
        return word
    return f"{word}x{story:x}"


def _kept(word: str, story: int) -> bool:
    """Whether a story keeps a common word: two bits of a hash of both (a CRC would tie the
    choices of two stories to each other)."""
    return hashlib.blake2b(f"{word}:{story}".encode(), digest_size=1).digest()[0] & 3 == 0


def story_features(pooled: PoolArticle, *, story: int) -> dict[str, Any]:
    """The pool article's features as story `story` has them: terms and entity keys renamed,
    MinHash computed over the renamed words.

    Args:
        pooled: the pool article.
        story: the story number.
    """
    features = dict(pooled.article["features"])
    features["terms"] = {renamed(t, story): w for t, w in features["terms"].items()}
    features["entities"] = {
        key[:2] + " ".join(renamed(w, story) for w in key[2:].split()): weight
        for key, weight in features["entities"].items()
    }
    tokens = [renamed(w, story) for w in pooled.tokens]
    features["minhash"] = _minhash_of_words(tokens, num_perm=128, shingle_size=SHINGLE_SIZE)
    return features


def _records(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
