"""Multi-label news topic classifier: hashed word + character n-grams, one logistic model per label.

Labels are IPTC Media Topics top-level codes. The artifact is JSON + ``.npz`` (nothing pickled): the
hashing needs no vocabulary, so the kept hash columns, their idf and the coefficients rebuild it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from pipeline.artifacts import MODELS_DIR

TOPIC_LABELS: dict[str, str] = {
    "medtop:01000000": "arts, culture, entertainment and media",
    "medtop:04000000": "economy, business and finance",
    "medtop:11000000": "politics",
    "medtop:13000000": "science and technology",
    "medtop:15000000": "sport",
}
DEFAULT_MODEL_DIR = MODELS_DIR / "topics"
ARRAYS_FILE = "topics.npz"
CONFIG_FILE = "topics.json"
FORMAT_VERSION = 1
SHARED_HEAD = "shared"


@dataclass(frozen=True)
class FeatureSpec:
    """How a text becomes hashed n-gram counts (stored with the model)."""

    n_bits: int = 20
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = None  # (2, 5) adds ~0.5 pt on AG at 1/10 the speed
    max_chars: int = 1100


def hashed_counts(texts: Sequence[str], spec: FeatureSpec) -> sp.csr_matrix:
    """Raw word and char n-gram counts in one hashed space of ``2 * 2**n_bits`` columns.

    Args:
        texts: article texts (cut to ``spec.max_chars``: the head of an article says its topic).
        spec: the feature settings.
    """
    heads = [text[: spec.max_chars] for text in texts]
    common: dict[str, Any] = {"n_features": 2**spec.n_bits, "alternate_sign": False, "norm": None}
    words = HashingVectorizer(ngram_range=spec.word_ngrams, **common).transform(heads)
    if spec.char_ngrams is None:
        chars = sp.csr_matrix((len(heads), 2**spec.n_bits), dtype=words.dtype)
    else:
        chars = HashingVectorizer(analyzer="char_wb", ngram_range=spec.char_ngrams, **common)
        chars = chars.transform(heads)
    return sp.hstack([words, chars], format="csr")


def _weigh(counts: sp.csr_matrix, idf: np.ndarray, n_word_columns: int) -> sp.csr_matrix:
    # sublinear tf * idf, then unit length per block so words and chars weigh the same
    weighted = counts.astype(np.float32)
    weighted.data = 1.0 + np.log(weighted.data)
    weighted = weighted @ sp.diags(idf)
    blocks = [weighted[:, :n_word_columns], weighted[:, n_word_columns:]]
    blocks = [b for b in blocks if b.shape[1]]
    normed = [sp.diags(1.0 / np.maximum(_row_norms(b), 1e-12)) @ b for b in blocks]
    return sp.hstack(normed, format="csr") * np.float32(np.sqrt(1.0 / len(blocks)))


def _row_norms(matrix: sp.csr_matrix) -> np.ndarray:
    squares = np.asarray(matrix.multiply(matrix).sum(axis=1), dtype=np.float64)
    return np.sqrt(squares.ravel())


class TopicClassifier:
    """One logistic model per IPTC code over a pruned hashed n-gram space.

    Weights come in heads: ``shared`` (the default, for any text) and one per training dataset
    (shared plus that dataset's own adjustments), for scoring text from that same source.
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
        heads: list[str] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Build from arrays.

        Args:
            codes: the IPTC codes, one per row of each head.
            columns: the kept hashed columns, ascending (word columns first).
            idf: idf per kept column.
            coef: ``(len(heads), len(codes), len(columns))`` weights.
            intercept: ``(len(heads), len(codes))`` biases.
            spec: the feature settings used at training.
            heads: head names, ``shared`` first (default: only ``shared``).
            meta: free-form facts for the model card (data, scores).
        """
        self.codes = list(codes)
        self.columns = np.asarray(columns, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.spec = spec
        self.heads = list(heads or [SHARED_HEAD])
        self.meta = dict(meta or {})
        self._n_word_columns = int(np.searchsorted(self.columns, 2**spec.n_bits))

    def scores(self, texts: Sequence[str], *, head: str = SHARED_HEAD) -> np.ndarray:
        """Probability per text and code, shape ``(len(texts), len(codes))``.

        Args:
            texts: article texts (title and body).
            head: which weights (``shared``, or a training dataset's name; unknown = shared).
        """
        if not texts:
            return np.zeros((0, len(self.codes)), dtype=np.float32)
        index = self.heads.index(head) if head in self.heads else 0
        counts = hashed_counts(texts, self.spec)[:, self.columns]
        features = _weigh(counts, self.idf, self._n_word_columns)
        logits = np.asarray(features @ self.coef[index].T) + self.intercept[index]
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float32)

    def classify(
        self,
        texts: list[str],
        *,
        top_k: int = 3,
        min_score: float = 0.1,
        head: str = SHARED_HEAD,
    ) -> list[list[dict[str, Any]]]:
        """Topics per text, best first: ``[{"code", "label", "score"}, ...]``.

        Args:
            texts: article texts (title and body).
            top_k: at most this many topics per text.
            min_score: drop topics scoring below this.
            head: which weights (``shared`` unless the texts come from a training source).
        """
        results = []
        for row in self.scores(texts, head=head):
            order = np.argsort(-row, kind="stable")[:top_k]
            kept = [int(i) for i in order if row[i] >= min_score]
            results.append([self._topic(i, float(row[i])) for i in kept])
        return results

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
            "heads": self.heads,
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
                heads=config.get("heads"),
                meta=config.get("meta", {}),
            )


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    datasets: Sequence[str] | None = None,
    label_spaces: Sequence[Collection[str]] | None = None,
    sample_weight: Sequence[float] | None = None,
    c: float = 30.0,
    min_df: int = 2,
    spec: FeatureSpec | None = None,
) -> TopicClassifier:
    """Fit one logistic model per code; a text only teaches the codes its label space holds.

    With ``datasets``, features are augmented per dataset (a shared copy plus its own copy), so
    each dataset gets a head and the shared head keeps what holds across sources.

    Args:
        texts: training texts.
        labels: one IPTC code per text.
        datasets: optional source name per text (one head each).
        label_spaces: per text, the codes its source could have given (others are unknown,
            not negative); default: every code seen.
        sample_weight: optional weight per text.
        c: inverse regularization strength.
        min_df: drop n-grams seen in fewer texts (keeps the artifact small).
        spec: feature settings.
    """
    spec = spec or FeatureSpec()
    codes = sorted(set(labels))
    spaces = [set(codes)] * len(texts) if label_spaces is None else [set(s) for s in label_spaces]
    weights = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, float)
    sources = np.asarray(list(datasets) if datasets is not None else [SHARED_HEAD] * len(texts))
    names = sorted(set(sources.tolist()) - {SHARED_HEAD})
    counts = hashed_counts(texts, spec)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    columns = np.flatnonzero(df >= min_df)
    idf = (np.log((1.0 + len(texts)) / (1.0 + df[columns])) + 1.0).astype(np.float32)
    features = _weigh(counts[:, columns], idf, int(np.searchsorted(columns, 2**spec.n_bits)))
    own = [sp.diags((sources == name).astype(np.float32)) @ features for name in names]
    augmented = sp.hstack([features, *own], format="csr")
    target = np.asarray(labels)
    coef = np.zeros((1 + len(names), len(codes), len(columns)), dtype=np.float32)
    intercept = np.zeros((1 + len(names), len(codes)), dtype=np.float32)
    for row, code in enumerate(codes):
        known = np.array([code in space for space in spaces])
        model = LogisticRegression(C=c, solver="liblinear")
        model.fit(augmented[known], target[known] == code, sample_weight=weights[known])
        blocks = model.coef_[0].reshape(1 + len(names), len(columns))
        coef[:, row] = blocks + blocks[0] * (np.arange(1 + len(names)) > 0)[:, None]
        intercept[:, row] = model.intercept_[0]
    return TopicClassifier(
        codes=codes,
        columns=columns,
        idf=idf,
        coef=coef.astype(np.float16).astype(np.float32),  # as saved: a round trip is exact
        intercept=intercept,
        spec=spec,
        heads=[SHARED_HEAD, *names],
    )
