"""``wirestream chaos``: crash workers and brokers mid-stream; print the loss/recovery figures."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import traceback
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``chaos``."""
    from wirestream.chaos.scenarios import FULL, QUICK

    parser = subparsers.add_parser(
        "chaos", help="fault-injection runs on loopback brokers (JSON figures on the last line)"
    )
    parser.add_argument("--quick", action="store_true", help="CI form: one kill, one restart")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted({**FULL, **QUICK}),
        help="run only these (repeatable)",
    )
    parser.add_argument("--work-dir", type=Path, default=None, help="scratch folder (kept)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the scenarios one after another; exit 1 if any lost input or failed a check."""
    from wirestream.chaos.scenarios import FULL, QUICK, run_scenario

    names = args.scenario or list(QUICK if args.quick else FULL)
    root = args.work_dir or Path(tempfile.mkdtemp(prefix="wirestream-chaos-"))
    results = []
    try:
        for name in names:
            try:
                figures = run_scenario(name, root / name)
            except Exception as error:  # one broken scenario must not hide the others' figures
                where = traceback.extract_tb(error.__traceback__)[-4:]
                trail = " <- ".join(f"{f.name}:{f.lineno}" for f in reversed(where))
                figures = {"scenario": name, "ok": False, "error": f"{error} ({trail})"[:2000]}
            results.append(figures)
            print(json.dumps(figures), file=sys.stderr)
    finally:
        if args.work_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    table = {
        r["scenario"]: {k: r.get(k) for k in ("inputs", "lost", "duplicated_resends", "recovery_s")}
        for r in results
    }
    print(json.dumps({"chaos": table, "ok": all(r.get("ok") for r in results)}))
    return 0 if all(r.get("ok") for r in results) else 1
