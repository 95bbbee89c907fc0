"""`wirestream eval ner FILE`: entity-level P/R/F1 of the production NER on CoNLL-2003."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_eval_parser(eval_subparsers: Any) -> argparse.ArgumentParser:
    """Register `eval ner FILE [--model NAME] [--stock] [--batch-size N]`.

    Args:
        eval_subparsers: the object returned by `add_subparsers()` of the `eval` group.
    """
    parser: argparse.ArgumentParser = eval_subparsers.add_parser(
        "ner",
        help="score NER on a CoNLL-2003 file (entity-level precision/recall/F1)",
        description="Run the production NER over a CoNLL-2003 file, map spaCy labels to "
        "CoNLL types (PERSON->PER; GPE/LOC/FAC->LOC; ORG->ORG; NORP/EVENT/PRODUCT/"
        "WORK_OF_ART/LAW/LANGUAGE->MISC; value labels dropped) and print a summary; the "
        "last line is a JSON object.",
    )
    parser.add_argument(
        "file", type=Path, help="CoNLL-2003 file, e.g. ../shared/data/conll2003/eng.testb"
    )
    parser.add_argument("--model", default=None, help="installed spaCy model (default: settings)")
    parser.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch size")
    parser.add_argument(
        "--stock",
        action="store_true",
        help="score the stock model alone: no gazetteer, no fine-tuned NER, no case restoration",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Evaluate and write a summary plus a final JSON line to stdout; return the exit code.

    Args:
        args: parsed arguments of `eval ner`.
    """
    from pipeline.nlp.model import default_model_name, load_model
    from wirestream.evaluation.ner import evaluate, read_conll

    if not args.file.is_file():
        sys.stderr.write(f"eval ner: no such file: {args.file}\n")
        return 2
    model_name = args.model or default_model_name()
    improved = not args.stock
    nlp = load_model(model_name, gazetteer=improved, finetuned=improved)
    report = evaluate(nlp, read_conll(args.file), batch_size=args.batch_size, restore_case=improved)
    report = {
        "task": "ner",
        "file": str(args.file),
        "model": model_name,
        "improvements": improved,
        **report,
    }
    for kind, scores in report["per_type"].items():
        sys.stdout.write(
            f"{kind:5} P {scores['precision']:.3f}  R {scores['recall']:.3f}  "
            f"F1 {scores['f1']:.3f}  gold {scores['n_gold']}\n"
        )
    sys.stdout.write(
        f"ALL   P {report['precision']:.3f}  R {report['recall']:.3f}  "
        f"F1 {report['f1']:.3f}  ({report['n_sentences']} sentences, "
        f"{report['tokens_per_s']} tokens/s)\n"
    )
    sys.stdout.write(json.dumps(report, sort_keys=True) + "\n")
    return 0
