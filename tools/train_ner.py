"""Fine-tune the small English model's NER on CoNLL-2003 eng.train (see the entities model card).

Usage: python tools/train_ner.py OUT_DIR [EPOCHS] [--data ../shared/data/conll2003]
Gold CoNLL labels are mapped to OntoNotes labels; the stock model's own value labels
(DATE, CARDINAL, ...) are kept as rehearsal targets. The best epoch on eng.testa is saved
to OUT_DIR/best (copy its cfg, model and moves into pipeline/models/entities/ner/).
"""

from __future__ import annotations

import argparse
import json
import random
import warnings
from pathlib import Path
from typing import Any

import spacy
from spacy.training import Example
from spacy.util import minibatch

from pipeline.nlp.entities import entity_mentions
from pipeline.nlp.model import load_model
from pipeline.nlp.truecase import truecase
from wirestream.evaluation.ner import evaluate, iob1_spans, layout, read_conll

MISC = {"NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
LOCS = {"GPE", "LOC", "FAC"}
VALUES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "conll2003"


def gold_texts(documents: list[Any]) -> tuple[list[str], list[list[tuple[int, int, str]]]]:
    """Each CoNLL document as one truecased text with its gold character spans."""
    texts, golds = [], []
    for document in documents:
        text, offsets = layout(document)
        spans = []
        for s, tags in enumerate(document.tags):
            for a, b, kind in iob1_spans(tags):
                spans.append((offsets[s][a][0], offsets[s][b - 1][1], kind))
        texts.append(truecase(text))
        golds.append(spans)
    return texts, golds


def ontonotes_label(kind: str, stock_label: str | None, surface: str) -> str:
    """Map a CoNLL type to an OntoNotes label, keeping the stock model's finer choice."""
    if kind == "PER":
        return "PERSON"
    if kind == "ORG":
        return "ORG"
    if kind == "LOC":
        return stock_label if stock_label in LOCS else "GPE"
    if stock_label in MISC:
        return stock_label
    return "NORP" if " " not in surface else "EVENT"


def examples(nlp: Any, texts: list[str], golds: list[list[tuple[int, int, str]]]) -> list[Any]:
    """Training examples: mapped gold names plus the stock model's non-overlapping values."""
    stock = entity_mentions(nlp, texts, restore_case=False)
    out = []
    for text, spans, predicted in zip(texts, golds, stock, strict=True):
        by_span = {(m["start"], m["end"]): m["label"] for m in predicted}
        ents = [(a, b, ontonotes_label(k, by_span.get((a, b)), text[a:b])) for a, b, k in spans]
        ents += [
            (m["start"], m["end"], m["label"])
            for m in predicted
            if m["label"] in VALUES and not any(m["start"] < b and a < m["end"] for a, b, _ in ents)
        ]
        doc = nlp.make_doc(text)
        ents = [e for e in ents if doc.char_span(e[0], e[1], alignment_mode="expand") is not None]
        try:
            out.append(Example.from_dict(doc, {"entities": ents}))
        except ValueError as error:
            print("skipped a document:", error)
    return out


def main() -> int:
    """Train, keep the best epoch on eng.testa."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("epochs", type=int, nargs="?", default=10)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    random.seed(0)
    spacy.util.fix_random_seed(0)
    warnings.filterwarnings("ignore", message=".*W030.*")
    stock = load_model(gazetteer=False, finetuned=False)
    train = examples(stock, *gold_texts(read_conll(args.data / "eng.train")))
    dev = read_conll(args.data / "eng.testa")
    nlp = load_model(gazetteer=False, finetuned=False)
    optimizer = nlp.resume_training()
    best = -1.0
    for epoch in range(args.epochs):
        random.shuffle(train)
        losses: dict[str, float] = {}
        for batch in minibatch(train, size=8):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        with nlp.use_params(optimizer.averages):
            scores = evaluate(nlp, dev)
            print(epoch, losses, scores["f1"], flush=True)
            if scores["f1"] > best:
                best = scores["f1"]
                nlp.get_pipe("ner").to_disk(args.out / "best")
                (args.out / "best" / "dev.json").write_text(
                    json.dumps({"epoch": epoch, "dev": scores})
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
