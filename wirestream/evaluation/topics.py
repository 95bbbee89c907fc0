"""Topic classifier evaluation: what the worker publishes, scored with abstentions counted.

An article is right when its first (best) published topic is one of its gold codes; an article
with ``topics: []`` is an abstention. accuracy = right / all, precision = right / emitted,
coverage = emitted / all.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sklearn.model_selection import GroupKFold

from pipeline.events.build import event_topics
from pipeline.nlp.classifier import TOPIC_LABELS, TopicClassifier
from pipeline.nlp.classifier_train import train_examples
from pipeline.nlp.topic_data import Example

Topics = list[dict[str, Any]]


def cross_validate(
    examples: Sequence[Example],
    extra: Sequence[Example],
    *,
    folds: int = 5,
    **options: Any,
) -> tuple[list[Topics], TopicClassifier]:
    """Out-of-fold published topics (and the last fold's model): each fold is classified by a
    model trained, thresholds included, on the other folds plus ``extra``.

    Folds are grouped (duplicates, or an ECB+ topic, stay on one side), so a story never scores
    its twin.

    Args:
        examples: the dataset under test.
        extra: other training data, always on the training side.
        folds: number of folds.
        options: passed to :func:`pipeline.nlp.classifier_train.train_examples`.
    """
    groups = [e.group for e in examples]
    folds = min(folds, len(set(groups)))
    published: list[Topics] = [[] for _ in examples]
    model: TopicClassifier | None = None
    for train_index, test_index in GroupKFold(n_splits=folds).split(examples, groups=groups):
        model = train_examples([examples[i] for i in train_index] + list(extra), **options)
        topics = model.classify([examples[i].text for i in test_index])
        for i, found in zip(test_index, topics, strict=True):
            published[i] = found
    if model is None:
        raise ValueError("cross-validation needs at least one fold")
    return published, model


def within_label_space(model: TopicClassifier, examples: Sequence[Example]) -> list[Topics]:
    """The best code among the codes the file uses, no threshold: a dataset-bound view.

    Args:
        model: a trained classifier.
        examples: what to label (their gold codes define the label space).
    """
    allowed = [i for i, code in enumerate(model.codes) if code in {e.code for e in examples}]
    scores = model.scores([e.text for e in examples])
    best = [allowed[int(i)] for i in scores[:, allowed].argmax(axis=1)]
    return [
        [{"code": model.codes[b], "label": "", "score": float(row[b])}]
        for b, row in zip(best, scores, strict=True)
    ]


def score(examples: Sequence[Example], published: Sequence[Topics]) -> dict[str, Any]:
    """Accuracy, precision and coverage of the first published topic, overall and per code.

    Args:
        examples: the gold examples.
        published: what was published for each, in order.
    """
    first = [topics[0]["code"] if topics else None for topics in published]
    right = [code is not None and code in e.codes for code, e in zip(first, examples, strict=True)]
    every = [t["code"] for topics in published for t in topics]
    every_right = sum(
        t["code"] in e.codes for topics, e in zip(published, examples, strict=True) for t in topics
    )
    return {
        **_rates(sum(right), sum(c is not None for c in first), len(examples)),
        "topics_per_emitted": round(len(every) / max(sum(c is not None for c in first), 1), 3),
        "every_topic_precision": round(every_right / max(len(every), 1), 4),
        "per_code": _per_code(examples, first, right),
    }


def _rates(right: int, emitted: int, total: int) -> dict[str, Any]:
    return {
        "accuracy": round(right / max(total, 1), 4),
        "precision": round(right / max(emitted, 1), 4),
        "coverage": round(emitted / max(total, 1), 4),
        "n": total,
        "emitted": emitted,
        "right": right,
    }


def _per_code(
    examples: Sequence[Example], first: Sequence[str | None], right: Sequence[bool]
) -> dict[str, Any]:
    """Per code: how often it was the first topic and right (precision), and, for the texts
    whose preferred code it is, accuracy and coverage."""
    table = {}
    for code in sorted({e.code for e in examples} | {c for c in first if c}):
        as_first = [ok for c, ok in zip(first, right, strict=True) if c == code]
        gold = [i for i, e in enumerate(examples) if e.code == code]
        table[code] = {
            "label": TOPIC_LABELS.get(code, code),
            "published": len(as_first),
            "precision": round(sum(as_first) / max(len(as_first), 1), 4),
            "gold": len(gold),
            "accuracy": round(sum(right[i] for i in gold) / max(len(gold), 1), 4),
            "coverage": round(sum(first[i] is not None for i in gold) / max(len(gold), 1), 4),
        }
    return table


def score_events(examples: Sequence[Example], published: Sequence[Topics]) -> dict[str, Any]:
    """The same rates for events: members grouped by ``event``, topics by the event rule.

    Args:
        examples: the gold examples (with ``event`` set).
        published: the members' published topics.
    """
    members: dict[str, list[Topics]] = defaultdict(list)
    gold: dict[str, tuple[str, ...]] = {}
    for example, topics in zip(examples, published, strict=True):
        if example.event:
            members[example.event].append(topics)
            gold[example.event] = example.codes
    firsts = [event_topics([{"topics": t} for t in members[e]])[:1] for e in sorted(members)]
    right = sum(
        bool(t) and t[0]["code"] in gold[e] for t, e in zip(firsts, sorted(members), strict=True)
    )
    return _rates(right, sum(bool(t) for t in firsts), len(members))


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
