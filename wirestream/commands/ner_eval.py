"""`wirestream eval ner FILE`: entity-level P/R/F1 of the production NER on CoNLL-2003, or
its recall of the names annotated in ECB+ news (an out-of-domain check)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_eval_parser(eval_subparsers: Any) -> argparse.ArgumentParser:
    """Register `eval ner FILE [--format conll|ecbplus] [--model NAME] [--stock] [--batch-size N]`.

    Args:
        eval_subparsers: the object returned by `add_subparsers()` of the `eval` group.
    """
    parser: argparse.ArgumentParser = eval_subparsers.add_parser(
        "ner",
        help="score NER on a CoNLL-2003 file (P/R/F1) or on ECB+ name mentions (recall)",
        description="Run the production NER over a CoNLL-2003 file, map spaCy labels to "
        "CoNLL types (PERSON->PER; GPE/LOC/FAC->LOC; ORG->ORG; NORP/EVENT/PRODUCT/"
        "WORK_OF_ART/LAW/LANGUAGE->MISC; value labels dropped) and print a summary; or, with "
        "an ECB+ articles.jsonl (--format ecbplus, the default for .jsonl files), the recall "
        "of its named people, organisations, places and facilities by type (out of the "
        "model's training domain; see wirestream/evaluation/ner_ecbplus.py for the type "
        "mapping). The last line is a JSON object.",
    )
    parser.add_argument(
        "file",
        type=Path,
        help="CoNLL-2003 file (../shared/data/conll2003/eng.testb) or ECB+ articles.jsonl",
    )
    parser.add_argument(
        "--format",
        choices=["conll", "ecbplus"],
        default=None,
        help="the file's format (default: ecbplus for .jsonl, else conll)",
    )
    parser.add_argument("--model", default=None, help="installed spaCy model (default: settings)")
    parser.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch size")
    parser.add_argument(
        "--stock",
        action="store_true",
        help="score the stock model alone: no gazetteer, no fine-tuned NER, no case restoration, "
        "no labels fixed by a name's last word",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Evaluate and write a summary plus a final JSON line to stdout; return the exit code.

    Args:
        args: parsed arguments of `eval ner`.
    """
    from pipeline.nlp.model import default_model_name, load_model

    if not args.file.is_file():
        sys.stderr.write(f"eval ner: no such file: {args.file}\n")
        return 2
    model_name = args.model or default_model_name()
    improved = not args.stock
    nlp = load_model(model_name, gazetteer=improved, finetuned=improved)
    fmt = args.format or ("ecbplus" if args.file.suffix == ".jsonl" else "conll")
    if fmt == "ecbplus":
        return _run_ecbplus(args, nlp, model_name, improved)
    from wirestream.evaluation.ner import evaluate, read_conll

    report = evaluate(
        nlp,
        read_conll(args.file),
        batch_size=args.batch_size,
        restore_case=improved,
        relabel=improved,
    )
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


def _run_ecbplus(args: argparse.Namespace, nlp: Any, model_name: str, improved: bool) -> int:
    """Recall on ECB+ name mentions by type; a summary, then a JSON line."""
    from wirestream.evaluation import ner_ecbplus

    records = ner_ecbplus.read_records(args.file)
    found = ner_ecbplus.evaluate(
        nlp, records, batch_size=args.batch_size, restore_case=improved, relabel=improved
    )
    report = {
        "task": "ner_ecbplus",
        "file": str(args.file),
        "model": model_name,
        "improvements": improved,
        **found,
    }
    for kind, scores in [*report["per_type"].items(), ("ALL", found)]:
        sys.stdout.write(
            f"{kind:15} recall {scores['recall']:.3f}  lenient {scores['recall_lenient']:.3f}  "
            f"detected {scores['detected']:.3f}  gold {scores['n_gold']}\n"
        )
    sys.stdout.write(json.dumps(report, sort_keys=True) + "\n")
    return 0
