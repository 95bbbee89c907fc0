"""Entity-level NER evaluation on CoNLL-2003 files with the production NER code.

Label mapping from spaCy (OntoNotes) labels to CoNLL-2003 types:
PERSON -> PER; GPE, LOC, FAC -> LOC; ORG -> ORG; NORP, EVENT, PRODUCT,
WORK_OF_ART, LAW, LANGUAGE -> MISC. DATE, TIME, PERCENT, MONEY, QUANTITY,
ORDINAL and CARDINAL have no CoNLL type and are dropped before scoring.

Each CoNLL document is fed as one text (sentences on their own lines, tokens
re-joined with ordinary English spacing) so the model sees the context an article
gives it. Predicted character spans are mapped onto the CoNLL tokens they cover;
a prediction counts only when its tokens and type match a gold entity exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline.nlp.entities import entity_mentions

LABEL_MAP = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
TYPES = ("PER", "LOC", "ORG", "MISC")
NO_SPACE_BEFORE = frozenset(
    {
        ",",
        ".",
        ":",
        ";",
        "!",
        "?",
        ")",
        "]",
        "}",
        "%",
        "'s",
        "'S",
        "n't",
        "N'T",
        "'",
        "'re",
        "'ve",
        "'ll",
        "'m",
        "'d",
    }
)
NO_SPACE_AFTER = frozenset({"(", "[", "{", "$"})

Span = tuple[int, int, int, int, str]  # document, sentence, first token, end token, type


@dataclass
class Document:
    """One CoNLL document: sentences of tokens with their IOB1 NER tags."""

    sentences: list[list[str]] = field(default_factory=list)
    tags: list[list[str]] = field(default_factory=list)


def read_conll(path: Path) -> list[Document]:
    """Read a CoNLL-2003 file into documents (split at -DOCSTART- lines).

    Args:
        path: file with `token POS chunk NER` lines and blank lines between sentences.
    """
    documents: list[Document] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if parts and parts[0] == "-DOCSTART-":
            documents.append(Document())
        elif parts:
            tokens.append(parts[0])
            tags.append(parts[-1])
        elif tokens:
            if not documents:
                documents.append(Document())
            documents[-1].sentences.append(tokens)
            documents[-1].tags.append(tags)
            tokens, tags = [], []
    return [document for document in documents if document.sentences]


def iob1_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Convert IOB1 (or IOB2) tags to `(first token, end token, type)` spans.

    Args:
        tags: one tag per token, e.g. ["I-PER", "I-PER", "O", "B-PER"].
    """
    spans: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for index, tag in enumerate([*tags, "O"]):
        prefix, _, tag_kind = tag.partition("-")
        continues = prefix == "I" and tag_kind == kind
        if start >= 0 and not continues:
            spans.append((start, index, kind))
            start, kind = -1, ""
        if prefix in ("B", "I") and start < 0:
            start, kind = index, tag_kind
    return spans


def layout(document: Document) -> tuple[str, list[list[tuple[int, int]]]]:
    """Join a document into text and return each token's character span.

    Args:
        document: the CoNLL document to lay out.
    """
    parts: list[str] = []
    offsets: list[list[tuple[int, int]]] = []
    position = 0
    for sentence in document.sentences:
        if parts:
            parts.append("\n")
            position += 1
        spans: list[tuple[int, int]] = []
        for index, token in enumerate(sentence):
            if index and token not in NO_SPACE_BEFORE and sentence[index - 1] not in NO_SPACE_AFTER:
                parts.append(" ")
                position += 1
            parts.append(token)
            spans.append((position, position + len(token)))
            position += len(token)
        offsets.append(spans)
    return "".join(parts), offsets


def predicted_spans(
    doc_index: int, mentions: list[dict[str, Any]], offsets: list[list[tuple[int, int]]]
) -> set[Span]:
    """Map predicted character spans onto the CoNLL tokens they overlap.

    Args:
        doc_index: index of the document (part of each span key).
        mentions: `{"start", "end", "label"}` predictions for the document text.
        offsets: token character spans per sentence, from `layout`.
    """
    spans: set[Span] = set()
    for mention in mentions:
        kind = LABEL_MAP.get(mention["label"])
        if kind is None:
            continue
        for sent_index, tokens in enumerate(offsets):
            covered = [
                i
                for i, (start, end) in enumerate(tokens)
                if start < mention["end"] and mention["start"] < end
            ]
            if covered:
                spans.add((doc_index, sent_index, covered[0], covered[-1] + 1, kind))
                break
    return spans


def evaluate(
    nlp: Language,
    documents: list[Document],
    *,
    batch_size: int = 16,
    restore_case: bool = True,
    relabel: bool = True,
) -> dict[str, Any]:
    """Run production NER over documents and score entity-level P/R/F1.

    Args:
        nlp: pipeline from `pipeline.nlp.model.load_model`.
        documents: parsed CoNLL documents.
        batch_size: `nlp.pipe` batch size.
        restore_case: passed to `pipeline.nlp.entities.entity_mentions`.
        relabel: passed to `pipeline.nlp.entities.entity_mentions`.
    """
    laid_out = [layout(document) for document in documents]
    started = time.perf_counter()
    mentions = entity_mentions(
        nlp,
        [text for text, _ in laid_out],
        batch_size=batch_size,
        restore_case=restore_case,
        relabel=relabel,
    )
    seconds = time.perf_counter() - started
    predicted: set[Span] = set()
    for index, ((_, offsets), found) in enumerate(zip(laid_out, mentions, strict=True)):
        predicted |= predicted_spans(index, [dict(m) for m in found], offsets)
    gold = {
        (d, s, start, end, kind)
        for d, document in enumerate(documents)
        for s, tags in enumerate(document.tags)
        for start, end, kind in iob1_spans(tags)
    }
    n_tokens = sum(len(sentence) for document in documents for sentence in document.sentences)
    report = prf(gold, predicted)
    report["per_type"] = {
        kind: prf({g for g in gold if g[4] == kind}, {p for p in predicted if p[4] == kind})
        for kind in TYPES
    }
    report.update(
        n_documents=len(documents),
        n_sentences=sum(len(document.sentences) for document in documents),
        n_tokens=n_tokens,
        seconds=round(seconds, 2),
        tokens_per_s=round(n_tokens / seconds) if seconds else None,
    )
    return report


def prf(gold: set[Span], predicted: set[Span]) -> dict[str, Any]:
    """Return precision, recall and F1 of exact span+type matches.

    Args:
        gold: gold spans.
        predicted: predicted spans.
    """
    hits = len(gold & predicted)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "n_gold": len(gold),
        "n_predicted": len(predicted),
    }
