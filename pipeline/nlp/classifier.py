"""Multi-label news topic classifier: hashed word n-grams plus a seed-word prior, one logistic
model and one confidence threshold per IPTC top-level code.

The artifact is JSON + ``.npz`` (nothing pickled): the hashing needs no vocabulary, so the kept
hash columns, their idf, the coefficients and the seed columns rebuild it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from pipeline.artifacts import MODELS_DIR

# IPTC Media Topics top-level codes with their IPTC names (the 17 of the NewsCodes vocabulary).
TOPIC_LABELS: dict[str, str] = {
    "medtop:01000000": "arts, culture, entertainment and media",
    "medtop:02000000": "crime, law and justice",
    "medtop:03000000": "disaster, accident and emergency incident",
    "medtop:04000000": "economy, business and finance",
    "medtop:05000000": "education",
    "medtop:06000000": "environment",
    "medtop:07000000": "health",
    "medtop:08000000": "human interest",
    "medtop:09000000": "labour",
    "medtop:10000000": "lifestyle and leisure",
    "medtop:11000000": "politics",
    "medtop:12000000": "religion",
    "medtop:13000000": "science and technology",
    "medtop:14000000": "society",
    "medtop:15000000": "sport",
    "medtop:16000000": "conflict, war and peace",
    "medtop:17000000": "weather",
}
DEFAULT_MODEL_DIR = MODELS_DIR / "topics"
ARRAYS_FILE = "topics.npz"
CONFIG_FILE = "topics.json"
FORMAT_VERSION = 2
# A second topic must also be more likely than not for its own model.
SECOND_TOPIC_SCORE = 0.5
_WORD_TAIL = re.compile(r"(?<=[A-Za-z]{6})[A-Za-z]+")  # what follows a word's 6th letter


@dataclass(frozen=True)
class FeatureSpec:
    """How a text becomes hashed n-gram counts (stored with the model)."""

    n_bits: int = 20
    word_ngrams: tuple[int, int] = (1, 2)
    max_chars: int = 1100
    stem_chars: int = 6  # words cut to this many letters: a cheap stemmer (0 = off)


def topic_text(title: str, text: str) -> str:
    """The classifier's input for an article, as enrichment builds it.

    Args:
        title: the headline.
        text: the article text.
    """
    return f"{title}\n\n{text}" if title else text


def hashed_counts(texts: Sequence[str], spec: FeatureSpec) -> sp.csr_matrix:
    """Raw word n-gram counts in a hashed space of ``2**n_bits`` columns.

    Args:
        texts: article texts (cut to ``spec.max_chars``: the head of an article says its topic).
        spec: the feature settings.
    """
    heads = [_stem(text[: spec.max_chars], spec.stem_chars) for text in texts]
    vectorizer = HashingVectorizer(
        n_features=2**spec.n_bits, ngram_range=spec.word_ngrams, alternate_sign=False, norm=None
    )
    return vectorizer.transform(heads).tocsr()


def _stem(text: str, stem_chars: int) -> str:
    if not stem_chars:
        return text
    if stem_chars != 6:
        return re.sub(rf"(?<=[A-Za-z]{{{stem_chars}}})[A-Za-z]+", "", text)
    return _WORD_TAIL.sub("", text)


def seed_columns(
    seeds: Mapping[str, Sequence[str]], codes: Sequence[str], spec: FeatureSpec
) -> sp.csr_matrix:
    """A ``(2**n_bits, len(codes))`` 0/1 matrix: which hashed terms are seed words of which code.

    Args:
        seeds: seed terms (one or two words) per code; codes without seeds get an empty column.
        codes: the model's codes, in order.
        spec: the feature settings (the same hashing and stemming as the texts).
    """
    unigrams = HashingVectorizer(n_features=2**spec.n_bits, alternate_sign=False, norm=None)
    bigrams = HashingVectorizer(
        n_features=2**spec.n_bits, ngram_range=(2, 2), alternate_sign=False, norm=None
    )
    rows, cols = [], []
    for index, code in enumerate(codes):
        for term in seeds.get(code, ()):
            # a two-word seed counts as its bigram only
            vectorizer = bigrams if " " in term.strip() else unigrams
            wanted = vectorizer.transform([_stem(term, spec.stem_chars)]).indices
            rows += wanted.tolist()
            cols += [index] * len(wanted)
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(2**spec.n_bits, len(codes)))
    matrix.data[:] = 1.0  # a term listed twice still counts once
    return matrix


def seed_hits(counts: sp.csr_matrix, seeds: sp.csr_matrix) -> np.ndarray:
    """Seed-word occurrences per text and code, ``log(1 + hits)``.

    Args:
        counts: hashed counts of the texts.
        seeds: the matrix from :func:`seed_columns`.
    """
    return np.log1p(np.asarray((counts @ seeds).todense(), dtype=np.float32))


def _kept(counts: sp.csr_matrix, position: np.ndarray, width: int) -> sp.csr_matrix:
    # counts[:, columns] without scipy's fancy indexing (the columns are ascending)
    index = position[counts.indices]
    keep = index >= 0
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=counts.shape[0]))])
    return sp.csr_matrix((counts.data[keep], index[keep], indptr), shape=(counts.shape[0], width))


def weigh(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf times idf, unit length per row.

    Args:
        counts: raw counts of the kept columns.
        idf: idf per kept column.
    """
    weighted = counts.astype(np.float32)
    weighted.data = 1.0 + np.log(weighted.data)
    weighted = weighted @ sp.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return sp.diags(1.0 / np.maximum(norms, 1e-12)) @ weighted


class TopicClassifier:
    """One logistic model per IPTC code over pruned hashed n-grams, plus a seed-word prior.

    ``classify`` publishes nothing unless the best code reaches that code's threshold
    (calibrated on development data); then every code at or above its own threshold.
    """

    def __init__(
        self,
        *,
        codes: list[str],
        columns: np.ndarray,
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        spec: FeatureSpec,
        thresholds: np.ndarray | None = None,
        seeds: Mapping[str, Sequence[str]] | None = None,
        seed_weight: float = 0.0,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Build from arrays.

        Args:
            codes: the IPTC codes, one per row of ``coef``.
            columns: the kept hashed columns, ascending.
            idf: idf per kept column.
            coef: ``(len(codes), len(columns))`` weights.
            intercept: ``(len(codes),)`` biases.
            spec: the feature settings used at training.
            thresholds: the score a code needs to be emitted, per code (default 0.5).
            seeds: seed terms per code (their hits raise that code's logit).
            seed_weight: logit added per ``log(1 + hits)`` of a code's seed terms.
            meta: free-form facts for the model card (data, scores).
        """
        self.codes = list(codes)
        self.columns = np.asarray(columns, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.spec = spec
        default = np.full(len(self.codes), 0.5, dtype=np.float32)
        self.thresholds = default if thresholds is None else np.asarray(thresholds, np.float32)
        self.seeds = {code: list(terms) for code, terms in (seeds or {}).items()}
        self.seed_weight = float(seed_weight)
        self.meta = dict(meta or {})
        self._seed_matrix = seed_columns(self.seeds, self.codes, spec)
        # hashed column -> position among the kept columns (-1: dropped)
        self._position = np.full(2**spec.n_bits, -1, dtype=np.int32)
        self._position[self.columns] = np.arange(len(self.columns), dtype=np.int32)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Probability per text and code, shape ``(len(texts), len(codes))``.

        Args:
            texts: article texts (title and body, see :func:`topic_text`).
        """
        if not texts:
            return np.zeros((0, len(self.codes)), dtype=np.float32)
        counts = hashed_counts(texts, self.spec)
        features = weigh(_kept(counts, self._position, len(self.columns)), self.idf)
        logits = np.asarray(features @ self.coef.T) + self.intercept
        if self.seed_weight:
            logits += self.seed_weight * seed_hits(counts, self._seed_matrix)
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float32)

    def classify(self, texts: list[str], *, top_k: int = 3) -> list[list[dict[str, Any]]]:
        """Confident topics per text, best first: ``[{"code", "label", "score"}, ...]`` or ``[]``.

        Args:
            texts: article texts (title and body, see :func:`topic_text`).
            top_k: at most this many topics per text.
        """
        return [self.emit(row, top_k=top_k) for row in self.scores(texts)]

    def emit(self, row: np.ndarray, *, top_k: int = 3) -> list[dict[str, Any]]:
        """The topics one score row yields: none unless the best code reaches its threshold;
        then the others that reach both their own threshold and ``SECOND_TOPIC_SCORE``.

        Args:
            row: scores of one text, one per code.
            top_k: at most this many topics.
        """
        order = np.argsort(-row, kind="stable")
        if not len(order) or row[order[0]] < self.thresholds[order[0]]:
            return []
        floor = np.maximum(self.thresholds, SECOND_TOPIC_SCORE)
        kept = [int(order[0])] + [int(i) for i in order[1:] if row[i] >= floor[i]]
        return [self._topic(i, float(row[i])) for i in kept[:top_k]]

    def _topic(self, index: int, score: float) -> dict[str, Any]:
        code = self.codes[index]
        return {"code": code, "label": TOPIC_LABELS.get(code, code), "score": round(score, 4)}

    def save(self, path: Path) -> None:
        """Write ``topics.json`` and ``topics.npz`` into the folder ``path``.

        Args:
            path: the folder (created if missing).
        """
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path / ARRAYS_FILE,
            columns=self.columns.astype(np.int32),
            idf=self.idf,
            coef=self.coef.astype(np.float16),  # halves the artifact
            intercept=self.intercept,
        )
        config = {
            "format": FORMAT_VERSION,
            "codes": self.codes,
            "labels": {code: TOPIC_LABELS.get(code, code) for code in self.codes},
            "thresholds": {
                c: round(float(t), 4) for c, t in zip(self.codes, self.thresholds, strict=True)
            },
            "seed_weight": self.seed_weight,
            "seeds": self.seeds,
            "spec": asdict(self.spec),
            "meta": self.meta,
        }
        (path / CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path | None = None) -> TopicClassifier:
        """Read a model folder written by :meth:`save`.

        Args:
            path: the folder (default: the artifact shipped in ``pipeline/models/topics``).
        """
        folder = DEFAULT_MODEL_DIR if path is None else path
        config = json.loads((folder / CONFIG_FILE).read_text())
        if config.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported topic model format: {config.get('format')!r}")
        spec: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in config["spec"].items()
        }
        with np.load(folder / ARRAYS_FILE, allow_pickle=False) as arrays:
            return cls(
                codes=config["codes"],
                columns=arrays["columns"],
                idf=arrays["idf"],
                coef=arrays["coef"],
                intercept=arrays["intercept"],
                spec=FeatureSpec(**spec),
                thresholds=np.array([config["thresholds"][c] for c in config["codes"]]),
                seeds=config.get("seeds", {}),
                seed_weight=float(config.get("seed_weight", 0.0)),
                meta=config.get("meta", {}),
            )
