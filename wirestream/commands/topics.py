"""`wirestream topics train` and `wirestream eval topics FILE`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / ".." / "shared" / "data"
DEFAULT_AG = DATA_DIR / "ag_news" / "test_part.csv"
DEFAULT_BBC = DATA_DIR / "bbc_news" / "articles.jsonl"
DEFAULT_C = 30.0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `topics train --ag FILE --bbc FILE [--jsonl FILE ...] --out DIR`.

    Args:
        subparsers: the top-level `add_subparsers()` object.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "topics", help="train the IPTC topic classifier"
    )
    actions = parser.add_subparsers(dest="topics_action", metavar="ACTION", required=True)
    train = actions.add_parser(
        "train",
        help="train on AG News + BBC News (+ your labelled JSONL) and write the model folder",
        description="Each dataset teaches only the IPTC codes its labels can express and gets "
        "its own head; JSONL records need 'label' (IPTC code or name) and 'text' or "
        "'title'+'body'.",
    )
    train.add_argument("--ag", type=Path, default=DEFAULT_AG, help="AG News CSV ('' to skip)")
    train.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="BBC News JSONL ('' to skip)")
    train.add_argument(
        "--jsonl", type=Path, action="append", default=[], help="extra labelled JSONL (repeatable)"
    )
    train.add_argument("--out", type=Path, required=True, help="model folder to write")
    train.add_argument("--c", type=float, default=DEFAULT_C, help="inverse regularization")
    train.set_defaults(func=run_train)
    return parser


def add_eval_parser(eval_subparsers: Any) -> argparse.ArgumentParser:
    """Register `eval topics FILE [--model DIR | --no-cv] [--folds K]`.

    Args:
        eval_subparsers: the `add_subparsers()` object of the `eval` group.
    """
    parser: argparse.ArgumentParser = eval_subparsers.add_parser(
        "topics",
        help="score the topic classifier on AG News CSV or labelled JSONL (accuracy, macro F1)",
        description="By default, K-fold cross-validation on FILE: each fold is predicted by a "
        "model trained with the production code on the other folds plus the default training "
        "sets (minus FILE). With --model or --no-cv, score a trained model as-is. Predictions "
        "are taken within FILE's own label space. The last line is a JSON object.",
    )
    parser.add_argument("file", type=Path, help="AG News CSV or labelled JSONL (BBC format)")
    parser.add_argument("--model", type=Path, default=None, help="score this model folder as-is")
    parser.add_argument("--no-cv", action="store_true", help="score the shipped model as-is")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--ag", type=Path, default=DEFAULT_AG, help="extra training data (CV)")
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="extra training data (CV)")
    parser.add_argument("--c", type=float, default=DEFAULT_C, help="inverse regularization (CV)")
    parser.add_argument(
        "--head", default=None, help="model head, e.g. shared (default: FILE's dataset)"
    )
    parser.set_defaults(func=run_eval)
    return parser


def _training_sets(paths: list[Path], *, skip: Path | None = None) -> list[Any]:
    from pipeline.nlp.classifier_train import read_examples

    examples: list[Any] = []
    for path in paths:
        if str(path) in {"", "."} or (skip is not None and path.resolve() == skip.resolve()):
            continue
        if not path.is_file():
            raise FileNotFoundError(f"no such training file: {path}")
        examples += read_examples(path)
    return examples


def run_train(args: argparse.Namespace) -> int:
    """Train on the given files and write the model folder; return the exit code.

    Args:
        args: parsed arguments of `topics train`.
    """
    from pipeline.nlp.classifier_train import train_examples

    try:
        examples = _training_sets([args.ag, args.bbc, *args.jsonl])
    except (FileNotFoundError, ValueError) as exc:
        sys.stderr.write(f"topics train: {exc}\n")
        return 2
    model = train_examples(examples, c=args.c)
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.dataset] = counts.get(example.dataset, 0) + 1
    model.meta = {"trained_on": counts, "c": args.c, "heads": model.heads}
    model.save(args.out)
    summary = {
        "out": str(args.out),
        "examples": counts,
        "codes": model.codes,
        "heads": model.heads,
        "columns": len(model.columns),
    }
    sys.stdout.write(json.dumps(summary, sort_keys=True) + "\n")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    """Evaluate and print a summary plus a final JSON line; return the exit code.

    Args:
        args: parsed arguments of `eval topics`.
    """
    from pipeline.nlp.classifier import TopicClassifier
    from pipeline.nlp.classifier_train import read_examples
    from wirestream.evaluation.topics import articles_per_s, cross_validate, predict, score

    if not args.file.is_file():
        sys.stderr.write(f"eval topics: no such file: {args.file}\n")
        return 2
    examples = read_examples(args.file)
    head = args.head or examples[0].dataset
    if args.model is not None or args.no_cv:
        model = TopicClassifier.load(args.model)
        predicted = predict(model, examples, head=head)
        mode = f"model {args.model or 'shipped'}"
    else:
        extra = _training_sets([args.ag, args.bbc], skip=args.file)
        predicted, model = cross_validate(
            examples, extra, folds=args.folds, c=args.c, head=args.head
        )
        mode = f"{args.folds}-fold cross-validation"
    report = {
        "task": "topics",
        "file": str(args.file),
        "mode": mode,
        "head": head,
        **score([e.code for e in examples], predicted),
    }
    report["articles_per_s"] = articles_per_s(model, [e.text for e in examples])
    for code, scores in report["per_label"].items():
        sys.stdout.write(
            f"{code} {scores['label'][:28]:28} P {scores['precision']:.3f}  "
            f"R {scores['recall']:.3f}  F1 {scores['f1']:.3f}  n {scores['n']}\n"
        )
    sys.stdout.write(
        f"accuracy {report['accuracy']:.4f}  macro F1 {report['macro_f1']:.4f}  "
        f"n {report['n']}  ({mode}; {report['articles_per_s']} articles/s)\n"
    )
    sys.stdout.write(json.dumps(report, sort_keys=True) + "\n")
    return 0
