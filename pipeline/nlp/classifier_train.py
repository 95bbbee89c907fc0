"""Training the topic classifier: weak labels from seed words, logistic models, thresholds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from pipeline.artifacts import MODELS_DIR
from pipeline.nlp.classifier import FeatureSpec, TopicClassifier, hashed_counts, seed_columns, weigh
from pipeline.nlp.topic_data import Example
from pipeline.nlp.topic_thresholds import calibrate

SEEDS_FILE = MODELS_DIR / "topics" / "seeds.json"
# Codes the shipped model knows: the five with dataset classes and five taught by ECB+ and seeds.
MODEL_CODES = [f"medtop:{n:02d}000000" for n in (1, 2, 3, 4, 6, 7, 11, 13, 15, 16)]
UNKNOWN, NEGATIVE, POSITIVE = -1, 0, 1


def load_seeds(path: Path = SEEDS_FILE) -> dict[str, Any]:
    """Read the seed lexicon (``seeds`` per code, ``prior_codes``, ``definitions``).

    Args:
        path: the JSON file.
    """
    return dict(json.loads(path.read_text()))


def relabel(hits: dict[str, float], candidates: Sequence[str]) -> str:
    """The code a class covering several codes teaches for one text: the preferred one unless
    another candidate's seed words clearly dominate (at least 2 hits, 1 more than any other).

    Args:
        hits: seed-word hits per code in the text.
        candidates: the class's codes, preferred first.
    """
    ranked = sorted(candidates, key=lambda code: -hits.get(code, 0.0))
    best, preferred = ranked[0], candidates[0]
    runner_up = hits.get(ranked[1], 0.0) if len(ranked) > 1 else 0.0
    top = hits.get(best, 0.0)
    if best != preferred and top >= 2 and top - runner_up >= 1 and top > hits.get(preferred, 0):
        return best
    return preferred


def targets(examples: Sequence[Example], codes: Sequence[str], hits: np.ndarray) -> np.ndarray:
    """Training target per example and code: 1, 0 or -1 (unknown, left out of that code's model).

    Editor labels make every listed code positive. A dataset class with several candidate codes
    teaches one of them (:func:`relabel`); its other candidates are unknown.

    Args:
        examples: labelled examples.
        codes: the model's codes.
        hits: seed-word hits per example and code (raw counts), columns as ``codes``.
    """
    index = {code: i for i, code in enumerate(codes)}
    out = np.zeros((len(examples), len(codes)), dtype=np.int8)
    for row, example in enumerate(examples):
        known = [c for c in example.codes if c in index]
        if example.editor or len(known) < 2:
            out[row, [index[c] for c in known]] = POSITIVE
            continue
        taught = relabel(dict(zip(codes, hits[row], strict=True)), known)
        out[row, [index[c] for c in known]] = UNKNOWN
        out[row, index[taught]] = POSITIVE
    return out


def fit(
    counts: sp.csr_matrix, target: np.ndarray, weights: np.ndarray, *, c: float, min_df: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One L2 logistic model per code on tf-idf of the hashed counts, each column scaled by how
    strongly it tells the code's texts from the others (naive Bayes log-count ratio, NB-LR);
    the scale is folded into the weights, so scoring stays one product. Unknowns left out.

    Args:
        counts: hashed counts of the training texts.
        target: ``(texts, codes)`` of 1, 0, -1.
        weights: weight per text.
        c: inverse regularization strength.
        min_df: drop columns seen in fewer texts.

    Returns:
        columns kept, their idf, coefficients ``(codes, columns)``, intercepts.
    """
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    columns = np.flatnonzero(df >= min_df)
    idf = (np.log((1.0 + counts.shape[0]) / (1.0 + df[columns])) + 1.0).astype(np.float32)
    features = weigh(counts[:, columns], idf).tocsr()
    coef = np.zeros((target.shape[1], len(columns)), dtype=np.float32)
    intercept = np.full(target.shape[1], -10.0, dtype=np.float32)  # never taught: never emitted
    for j in range(target.shape[1]):
        known = target[:, j] != UNKNOWN
        labels = target[known, j] == POSITIVE
        if labels.all() or not labels.any():
            continue
        scale = log_count_ratio(features[known], labels)
        model = LogisticRegression(C=c, solver="liblinear")
        model.fit(features[known] @ sp.diags(scale), labels, sample_weight=weights[known])
        coef[j], intercept[j] = model.coef_[0] * scale, model.intercept_[0]
    return columns, idf, coef, intercept


def log_count_ratio(features: sp.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """``|log(p / q)|`` per column: p, q = the share of positive / negative texts' words (add-one
    smoothed, presence only) that fall in that column.

    Args:
        features: the texts' features (only which entries are non-zero matters).
        labels: True for the positive texts.
    """
    present = features.copy()
    present.data[:] = 1.0
    positive = 1.0 + np.asarray(present[labels].sum(axis=0)).ravel()
    negative = 1.0 + np.asarray(present[~labels].sum(axis=0)).ravel()
    ratio = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
    return np.asarray(np.abs(ratio), dtype=np.float32)


def train_examples(
    examples: Sequence[Example],
    *,
    weights: dict[str, float] | None = None,
    c: float = 30.0,
    min_df: int = 2,
    spec: FeatureSpec | None = None,
    seed_weight: float = 2.0,
    calibration_folds: int = 3,
    precision: float = 0.92,
    judge: str = "ecbplus",
    wrong_cost: float = 0.25,
    evidence: float = 1.0,
    seeds: dict[str, Any] | None = None,
) -> TopicClassifier:
    """Train on labelled examples and calibrate each code's threshold on out-of-fold scores.

    Args:
        examples: labelled examples (several datasets; ``group`` keeps twins in one fold).
        weights: optional weight per dataset name (default 1).
        c: inverse regularization strength.
        min_df: drop n-grams seen in fewer texts (keeps the artifact small).
        spec: feature settings.
        seed_weight: logit per ``log(1 + hits)`` of a prior code's seed words.
        calibration_folds: folds for the out-of-fold scores (below 2: thresholds stay 0.5).
        precision: the out-of-fold precision the thresholds hold on ``judge`` (:func:`calibrate`).
        judge: the dataset of real reporting with an editor's labels.
        wrong_cost: what a wrong topic costs next to a right one in the other datasets.
        evidence: a code is published only if the text raises its logit by this much over the
            code's base rate (its score for an empty text): noise and unknown subjects abstain.
        seeds: the seed lexicon (default: ``pipeline/models/topics/seeds.json``).
    """
    spec = spec or FeatureSpec()
    lexicon = seeds if seeds is not None else load_seeds()
    # codes only listed as second choices (one ECB+ cluster's labour) are too rare to learn
    codes = sorted(set(MODEL_CODES) | {e.code for e in examples})
    counts = hashed_counts([e.text for e in examples], spec)
    hits = np.asarray((counts @ seed_columns(lexicon["seeds"], codes, spec)).todense())
    target = targets(examples, codes, hits)
    weight = np.array([(weights or {}).get(e.dataset, 1.0) for e in examples], dtype=np.float64)
    prior = {code: lexicon["seeds"][code] for code in lexicon.get("prior_codes", [])}
    options: dict[str, Any] = {
        "codes": codes,
        "spec": spec,
        "seeds": prior,
        "seed_weight": seed_weight,
    }

    def model_on(rows: np.ndarray) -> TopicClassifier:
        columns, idf, coef, intercept = fit(
            counts[rows], target[rows], weight[rows], c=c, min_df=min_df
        )
        # stored as float16: a round trip through save/load is exact
        coef = coef.astype(np.float16).astype(np.float32)
        return TopicClassifier(columns=columns, idf=idf, coef=coef, intercept=intercept, **options)

    model = model_on(np.arange(len(examples)))
    if calibration_folds >= 2:
        scores = np.zeros((len(examples), len(codes)), dtype=np.float32)
        splitter = GroupKFold(n_splits=calibration_folds)
        for rows, held in splitter.split(counts, groups=[e.group for e in examples]):
            scores[held] = model_on(rows).scores([examples[i].text for i in held])
        floors = 1.0 / (1.0 + np.exp(-(model.intercept + evidence)))
        model.thresholds = calibrate(
            scores,
            examples,
            codes,
            precision=precision,
            judge=judge,
            wrong_cost=wrong_cost,
            floors=floors.astype(np.float32),
        )
    return model
