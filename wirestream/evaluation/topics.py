"""Topic classifier evaluation: k-fold cross-validation, accuracy, macro F1, speed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from pipeline.nlp.classifier import TOPIC_LABELS, TopicClassifier
from pipeline.nlp.classifier_train import Example, train_examples


def predict(model: TopicClassifier, examples: Sequence[Example], *, head: str) -> list[str]:
    """Best code per example, chosen among the codes of the examples' own label space.

    Args:
        model: a trained classifier.
        examples: what to label (their gold codes define the label space).
        head: the model head to use (a dataset name or ``shared``).
    """
    allowed = [i for i, code in enumerate(model.codes) if code in {e.code for e in examples}]
    scores = model.scores([e.text for e in examples], head=head)[:, allowed]
    return [model.codes[allowed[i]] for i in scores.argmax(axis=1)]


def cross_validate(
    examples: Sequence[Example],
    extra: Sequence[Example],
    *,
    folds: int = 5,
    seed: int = 0,
    head: str | None = None,
    **options: Any,
) -> tuple[list[str], TopicClassifier]:
    """Out-of-fold predictions (and the last fold's model): train on the other folds + ``extra``.

    Exact duplicate bodies stay in one fold, so a copy never scores its twin.

    Args:
        examples: the dataset under test.
        extra: other training data, always in the training side.
        folds: number of folds.
        seed: fold shuffling seed.
        head: the head that predicts (default: the examples' own dataset head).
        options: passed to :func:`pipeline.nlp.classifier_train.train_examples`.
    """
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    codes = [e.code for e in examples]
    predictions = [""] * len(examples)
    model: TopicClassifier | None = None
    for train_index, test_index in splitter.split(codes, codes, [e.group for e in examples]):
        model = train_examples([examples[i] for i in train_index] + list(extra), **options)
        held_out = [examples[i] for i in test_index]
        codes_out = predict(model, held_out, head=head or held_out[0].dataset)
        for i, code in zip(test_index, codes_out, strict=True):
            predictions[i] = code
    if model is None:
        raise ValueError("cross-validation needs at least one fold")
    return predictions, model


def score(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro F1 and per-label precision/recall/F1.

    Args:
        gold: true codes.
        predicted: predicted codes, same order.
    """
    per_label = {}
    for code in sorted(set(gold)):
        tp = sum(g == p == code for g, p in zip(gold, predicted, strict=True))
        n_pred = sum(p == code for p in predicted)
        n_gold = sum(g == code for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        per_label[code] = {
            "label": TOPIC_LABELS.get(code, code),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "n": n_gold,
        }
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1)
    macro_f1 = float(np.mean([s["f1"] for s in per_label.values()])) if per_label else 0.0
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(macro_f1, 4),
        "n": len(gold),
        "per_label": per_label,
    }


def articles_per_s(model: TopicClassifier, texts: Sequence[str], *, batch_size: int = 256) -> float:
    """Throughput of ``classify`` in this process (one core; it reads ~1,100 chars per text).

    Args:
        model: a trained classifier.
        texts: sample texts (title + body).
        batch_size: texts per call, as a worker batch would send them.
    """
    heads = list(texts)
    start = time.perf_counter()
    for offset in range(0, len(heads), batch_size):
        model.classify(heads[offset : offset + batch_size])
    return round(len(heads) / max(time.perf_counter() - start, 1e-9), 1)
