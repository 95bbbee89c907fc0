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
DEFAULT_ECB = DATA_DIR / "ecbplus" / "articles.jsonl"
DEFAULT_ECB_LABELS = DATA_DIR / "ecbplus" / "topics_iptc.json"
# Full articles count more than AG's two-line items (chosen by cross-validation).
DATASET_WEIGHTS = {"ag_news": 1.0, "bbc_news": 4.0, "ecbplus": 2.0}
DEFAULT_C = 30.0
# A published code's logit must exceed its empty-text logit by this much (noise abstains).
DEFAULT_EVIDENCE = 1.0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `topics train [--ag FILE] [--bbc FILE] [--ecb FILE --ecb-labels FILE] --out DIR`.

    Args:
        subparsers: the top-level `add_subparsers()` object.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "topics", help="train the IPTC topic classifier"
    )
    actions = parser.add_subparsers(dest="topics_action", metavar="ACTION", required=True)
    train = actions.add_parser(
        "train",
        help="train on AG News + BBC News + ECB+ (+ your labelled JSONL) and write the model",
        description="Each code gets a logistic model and a confidence threshold calibrated on "
        "out-of-fold scores; JSONL records need 'label' (IPTC code or name) and 'text' or "
        "'title'+'body'.",
    )
    _add_data_options(train)
    train.add_argument(
        "--jsonl", type=Path, action="append", default=[], help="extra labelled JSONL (repeatable)"
    )
    train.add_argument("--out", type=Path, required=True, help="model folder to write")
    train.set_defaults(func=run_train)
    return parser


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ag", type=Path, default=DEFAULT_AG, help="AG News CSV ('' to skip)")
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="BBC JSONL ('' to skip)")
    parser.add_argument("--ecb", type=Path, default=DEFAULT_ECB, help="ECB+ JSONL ('' to skip)")
    parser.add_argument(
        "--ecb-labels", type=Path, default=DEFAULT_ECB_LABELS, help="IPTC codes per ECB+ cluster"
    )
    parser.add_argument("--c", type=float, default=DEFAULT_C, help="inverse regularization")
    parser.add_argument(
        "--evidence",
        type=float,
        default=DEFAULT_EVIDENCE,
        help="logits a published code must gain over its empty-text score",
    )


def add_eval_parser(eval_subparsers: Any) -> argparse.ArgumentParser:
    """Register `eval topics FILE [--labels FILE] [--model DIR | --no-cv] [--within-label-space]`.

    Args:
        eval_subparsers: the `add_subparsers()` object of the `eval` group.
    """
    parser: argparse.ArgumentParser = eval_subparsers.add_parser(
        "topics",
        help="score what the worker publishes as topics (accuracy, precision, coverage)",
        description="By default, grouped K-fold cross-validation on FILE: each fold is "
        "classified by a model trained (thresholds included) with the production code on the "
        "other folds plus the default training sets (minus FILE), and scored on the topics "
        "classify() publishes: every code, abstentions counted. An article is right when its "
        "first topic is one of its gold codes. With --model or --no-cv, score a trained model "
        "as-is. The last line is a JSON object.",
    )
    parser.add_argument("file", type=Path, help="AG News CSV, labelled JSONL or ECB+ JSONL")
    parser.add_argument("--labels", type=Path, default=None, help="IPTC codes per ECB+ cluster")
    parser.add_argument("--model", type=Path, default=None, help="score this model folder as-is")
    parser.add_argument("--no-cv", action="store_true", help="score the shipped model as-is")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument(
        "--within-label-space",
        action="store_true",
        help="dataset-bound view instead: the best code among FILE's own codes, no threshold",
    )
    _add_data_options(parser)
    parser.set_defaults(func=run_eval)
    return parser


def _training_sets(args: argparse.Namespace, *, skip: Path | None = None) -> list[Any]:
    from pipeline.nlp.topic_data import read_ag_news, read_ecbplus, read_labelled_jsonl

    readers = [
        (args.ag, read_ag_news),
        (args.bbc, read_labelled_jsonl),
        (args.ecb, lambda path: read_ecbplus(path, args.ecb_labels)),
        *((path, read_labelled_jsonl) for path in getattr(args, "jsonl", [])),
    ]
    examples: list[Any] = []
    for path, reader in readers:
        if str(path) in {"", "."} or (skip is not None and path.resolve() == skip.resolve()):
            continue
        if not path.is_file():
            raise FileNotFoundError(f"no such training file: {path}")
        examples += reader(path)
    return examples


def run_train(args: argparse.Namespace) -> int:
    """Train on the given files and write the model folder; return the exit code.

    Args:
        args: parsed arguments of `topics train`.
    """
    from pipeline.nlp.classifier_train import train_examples

    try:
        examples = _training_sets(args)
    except (FileNotFoundError, ValueError) as exc:
        sys.stderr.write(f"topics train: {exc}\n")
        return 2
    model = train_examples(examples, c=args.c, evidence=args.evidence, weights=DATASET_WEIGHTS)
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.dataset] = counts.get(example.dataset, 0) + 1
    model.meta = {
        "trained_on": counts,
        "c": args.c,
        "evidence": args.evidence,
        "dataset_weights": DATASET_WEIGHTS,
    }
    model.save(args.out)
    summary = {
        "out": str(args.out),
        "examples": counts,
        "codes": model.codes,
        "thresholds": [round(float(t), 3) for t in model.thresholds],
        "columns": len(model.columns),
    }
    sys.stdout.write(json.dumps(summary, sort_keys=True) + "\n")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    """Evaluate and print a per-code table plus a final JSON line; return the exit code.

    Args:
        args: parsed arguments of `eval topics`.
    """
    from pipeline.nlp.classifier import TopicClassifier
    from pipeline.nlp.topic_data import read_examples
    from wirestream.evaluation import topics as evaluation

    if not args.file.is_file() or (args.labels is not None and not args.labels.is_file()):
        sys.stderr.write(f"eval topics: no such file: {args.file} / {args.labels}\n")
        return 2
    examples = read_examples(args.file, labels=args.labels)
    if args.model is not None or args.no_cv:
        model = TopicClassifier.load(args.model)
        published = model.classify([e.text for e in examples])
        mode = f"model {args.model or 'shipped'}"
    else:
        extra = _training_sets(args, skip=args.file)
        published, model = evaluation.cross_validate(
            examples,
            extra,
            folds=args.folds,
            c=args.c,
            evidence=args.evidence,
            weights=DATASET_WEIGHTS,
        )
        mode = f"{args.folds}-fold grouped cross-validation"
    if args.within_label_space:
        published = evaluation.within_label_space(model, examples)
        mode += ", within FILE's label space, no threshold"
    report = {"task": "topics", "file": str(args.file), "mode": mode}
    report |= evaluation.score(examples, published)
    if any(e.event for e in examples):
        report["events"] = evaluation.score_events(examples, published)
    report["articles_per_s"] = evaluation.articles_per_s(model, [e.text for e in examples])
    _print_table(report)
    sys.stdout.write(json.dumps(report, sort_keys=True) + "\n")
    return 0


def _print_table(report: dict[str, Any]) -> None:
    sys.stdout.write(f"{'code':16} {'label':30} {'first':>6} {'prec':>6} {'gold':>6} {'acc':>6}\n")
    for code, row in report["per_code"].items():
        sys.stdout.write(
            f"{code:16} {row['label'][:30]:30} {row['published']:6} {row['precision']:6.3f} "
            f"{row['gold']:6} {row['accuracy']:6.3f}\n"
        )
    sys.stdout.write(
        f"accuracy {report['accuracy']:.4f}  precision {report['precision']:.4f}  "
        f"coverage {report['coverage']:.4f}  n {report['n']}  ({report['mode']}; "
        f"{report['articles_per_s']} articles/s)\n"
    )
    if "events" in report:
        events = report["events"]
        sys.stdout.write(
            f"events: accuracy {events['accuracy']:.4f}  precision {events['precision']:.4f}  "
            f"coverage {events['coverage']:.4f}  n {events['n']}\n"
        )
