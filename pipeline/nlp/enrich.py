"""Enrichment of normalized articles: entities, topics and clustering features, per batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pipeline.clustering.features import article_features
from pipeline.events.build import member_snapshot
from pipeline.nlp.classifier import topic_text
from pipeline.nlp.entities import extract_entities

NLP_LANGUAGES = frozenset({"en"})


class Classifier(Protocol):
    """What enrichment needs from a topic classifier."""

    def classify(self, texts: list[str]) -> list[list[dict[str, Any]]]: ...


Failure = tuple[dict[str, Any], str, str]


def enrich_batch(
    articles: Sequence[dict[str, Any]],
    *,
    nlp: Any,
    classifier: Classifier,
    batch_size: int = 32,
) -> tuple[list[dict[str, Any]], list[Failure]]:
    """Add ``entities``, ``topics`` and ``features`` to each article.

    A failure isolates the article that caused it: the batch is retried one by one.

    Args:
        articles: normalized articles (not modified).
        nlp: a spaCy ``Language`` with an NER component (or an EntityRuler).
        classifier: a topic classifier.
        batch_size: ``nlp.pipe`` batch size.

    Returns:
        The enriched articles and ``(article, reason, detail)`` for those that failed.
    """
    try:
        return _enrich_all(
            list(articles), nlp=nlp, classifier=classifier, batch_size=batch_size
        ), []
    except Exception:
        pass
    enriched: list[dict[str, Any]] = []
    failures: list[Failure] = []
    for article in articles:
        try:
            enriched += _enrich_all([article], nlp=nlp, classifier=classifier, batch_size=1)
        except Exception as exc:
            failures.append((article, "enrich_failed", f"{type(exc).__name__}: {exc}"))
    return enriched, failures


def _enrich_all(
    articles: list[dict[str, Any]], *, nlp: Any, classifier: Classifier, batch_size: int
) -> list[dict[str, Any]]:
    nlp_articles = [a for a in articles if (a.get("language") or "en") in NLP_LANGUAGES]
    texts = [a["text"] for a in nlp_articles]
    entities = dict(
        zip(_ids(nlp_articles), extract_entities(nlp, texts, batch_size=batch_size), strict=True)
    )
    headed = [topic_text(a["title"], a["text"]) for a in nlp_articles]
    topics = dict(
        zip(_ids(nlp_articles), classifier.classify(headed) if headed else [], strict=True)
    )
    out = []
    for article in articles:
        enriched = dict(article)
        enriched["entities"] = entities.get(article["article_id"], [])
        enriched["topics"] = topics.get(article["article_id"], [])
        # The member snapshot depends on the article alone: computed here, off the clusterer.
        enriched["features"] = {**article_features(enriched), "snapshot": member_snapshot(enriched)}
        out.append(enriched)
    return out


def _ids(articles: list[dict[str, Any]]) -> list[str]:
    return [a["article_id"] for a in articles]
