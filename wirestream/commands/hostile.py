"""``wirestream hostile``: generate the hostile-input corpus and account for every input.

``hostile generate N --out FILE`` writes N newline-delimited inputs (and ``FILE.families``);
``hostile check FILE --out DIR`` reads what ``wirestream process FILE --out DIR`` wrote and
checks that every input ended in exactly one output, each valid against its schema.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

import schemas
from config.settings import Settings
from wirestream import hostile

Position = tuple[int, int]  # (partition, offset) of an input on the raw topic
MAX_LISTED = 20


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``hostile generate`` and ``hostile check``."""
    parser = subparsers.add_parser("hostile", help="hostile-input corpus: generate, check")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    generate = actions.add_parser("generate", help="write N hostile inputs, one per line")
    generate.add_argument("count", type=int)
    generate.add_argument("--out", type=Path, required=True, help="corpus file (JSONL-ish)")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--good-share", type=float, default=0.05)
    generate.add_argument("--huge", type=int, default=3, help="number of 10 MB records")
    generate.add_argument(
        "--markup",
        action="store_true",
        help="valid articles with markup and terminal tricks in every string field instead",
    )
    generate.set_defaults(func=run_generate)
    check = actions.add_parser("check", help="account for every input of a `process` run")
    check.add_argument("file", type=Path, help="the corpus given to `wirestream process`")
    check.add_argument("--out", type=Path, required=True, help="the `process --out` folder")
    check.set_defaults(func=run_check)


def run_generate(args: argparse.Namespace) -> int:
    """Write the corpus and print its size and family counts as JSON."""
    if args.markup:
        from wirestream import hostile_markup

        counts = hostile_markup.write_corpus(args.out, args.count, seed=args.seed)
    else:
        counts = hostile.write_corpus(
            args.out, args.count, seed=args.seed, good_share=args.good_share, huge=args.huge
        )
    summary = {
        "file": str(args.out),
        "inputs": sum(counts.values()),
        "bytes": args.out.stat().st_size,
        "families": dict(sorted(counts.items())),
    }
    print(json.dumps(summary))
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Print the accounting report of a ``process`` run as JSON; exit 1 when it fails."""
    topics = Settings.from_env().topic_names
    families = hostile.read_families(args.file)
    report = tally(
        {(0, index): family for index, family in enumerate(families)},
        read_jsonl(args.out / f"{topics.articles}.jsonl"),
        read_jsonl(args.out / f"{topics.deadletter}.jsonl"),
    )
    print(json.dumps(report))
    return 0 if report["ok"] else 1


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL file written by ``process``.

    Args:
        path: the file.
    """
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def tally(
    families: Mapping[Position, str],
    articles: Iterable[dict[str, Any]],
    deadletters: Iterable[dict[str, Any]],
    *,
    article_schema: str = "article.v1",
) -> dict[str, Any]:
    """Account for every input: where it ended, how often, and whether outputs are valid.

    Args:
        families: the family of each input, by its (partition, offset) on the raw topic.
        articles: records read from the articles output.
        deadletters: records read from the dead-letter output.
        article_schema: the schema articles must match (``normalized_article.v1`` for
            what ``normalize_batch`` alone returns).
    """
    outcomes: dict[Position, list[str]] = defaultdict(list)
    invalid: list[str] = []
    counts = Counter[str]()
    by_reason = Counter[str]()
    for kind, records, where in (
        ("article", articles, "origin"),
        ("deadletter", deadletters, "source"),
    ):
        schema = article_schema if kind == "article" else "deadletter.v1"
        for record in records:
            counts[kind] += 1
            invalid += _invalid(schema, record)
            origin = record.get(where) or {}
            outcome = "article" if kind == "article" else str(record.get("reason"))
            if kind == "deadletter":
                by_reason[outcome] += 1
            outcomes[(origin.get("partition", -1), origin.get("offset", -1))].append(outcome)
    return _report(families, outcomes, counts, by_reason, invalid)


def _invalid(schema: str, record: dict[str, Any]) -> list[str]:
    try:
        schemas.validate(schema, record)
    except schemas.SchemaError as error:
        return [f"{schema}: {error}"]
    return []


def _report(
    families: Mapping[Position, str],
    outcomes: Mapping[Position, Sequence[str]],
    counts: Counter[str],
    by_reason: Counter[str],
    invalid: list[str],
) -> dict[str, Any]:
    missing = [p for p in families if p not in outcomes]
    repeated = [p for p, seen in outcomes.items() if len(seen) > 1]
    unknown = [p for p in outcomes if p not in families]
    by_family: dict[str, Counter[str]] = defaultdict(Counter)
    unexpected: dict[str, Counter[str]] = defaultdict(Counter)
    for position, family in families.items():
        for outcome in outcomes.get(position, ()):
            by_family[family][outcome] += 1
            want = hostile.EXPECTED_REASON.get(family, outcome)
            if family == hostile.GOOD:
                want = "article"
            if outcome != want:
                unexpected[family][outcome] += 1
    ok = not (missing or repeated or unknown or invalid or unexpected)
    return {
        "ok": ok and counts["article"] + counts["deadletter"] == len(families),
        "inputs": len(families),
        "articles": counts["article"],
        "deadletters": counts["deadletter"],
        "missing": [list(p) for p in missing[:MAX_LISTED]],
        "repeated": [list(p) for p in repeated[:MAX_LISTED]],
        "unknown": [list(p) for p in unknown[:MAX_LISTED]],
        "invalid_records": len(invalid),
        "invalid_examples": invalid[:5],
        "unexpected": {f: dict(c) for f, c in sorted(unexpected.items())},
        "deadletters_by_reason": dict(sorted(by_reason.items())),
        "by_family": {f: dict(sorted(c.items())) for f, c in sorted(by_family.items())},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``hostile`` on its own: ``python -m wirestream.commands.hostile generate ...``.

    Args:
        argv: arguments after ``hostile`` (default ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(prog="wirestream")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["hostile", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
