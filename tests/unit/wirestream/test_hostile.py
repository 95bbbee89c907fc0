"""The hostile corpus: generator properties, normalize accounting, and `wirestream process`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.records import Incoming
from pipeline.text.normalize import normalize_batch
from wirestream import hostile
from wirestream.commands import hostile as command
from wirestream.commands.produce import read_lines

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _corpus(tmp_path: Path, count: int, **options: Any) -> tuple[list[bytes], list[str]]:
    path = tmp_path / f"corpus-{count}.jsonl"
    hostile.write_corpus(path, count, **options)
    return read_lines(path), hostile.read_families(path)


@pytest.mark.pure
def test_same_seed_same_lines_other_seed_other_lines() -> None:
    first = list(hostile.generate(300, seed=5, huge=0))
    assert first == list(hostile.generate(300, seed=5, huge=0))
    assert first != list(hostile.generate(300, seed=6, huge=0))


@pytest.mark.pure
def test_one_input_per_line_with_its_family(tmp_path: Path) -> None:
    lines, families = _corpus(tmp_path, 3_000, seed=2, huge=1)
    assert len(lines) == len(families) == 3_000
    generated = [line for _, line in hostile.generate(3_000, seed=2, huge=1)]
    assert lines == generated  # read_lines neither split, merged, dropped nor changed a record
    counts = Counter(families)
    assert set(counts) == set(hostile.ALL_FAMILIES)
    assert counts[hostile.GOOD] == 150 and counts[hostile.HUGE] == 1
    huge = [line for line, family in zip(lines, families, strict=True) if family == hostile.HUGE]
    assert len(huge[0]) >= hostile.HUGE_BYTES


@pytest.mark.pure
def test_line_safe_keeps_records_on_one_non_blank_line() -> None:
    assert hostile.line_safe(b'{"a":\n1}\r') == b'{"a":\\n1}'
    assert hostile.line_safe(b" \t\r").strip()
    assert hostile.line_safe(b"\xff\x00") == b"\xff\x00"


@pytest.mark.pure
def test_normalize_accounts_for_every_hostile_input(tmp_path: Path) -> None:
    lines, families = _corpus(tmp_path, 3_000, seed=3, huge=1)
    messages = [Incoming(line, "raw", 0, i) for i, line in enumerate(lines)]
    articles, deadletters = normalize_batch(messages, now=NOW)
    report = command.tally(
        {(0, i): f for i, f in enumerate(families)},
        [dict(a) for a in articles],
        [dict(d) for d in deadletters],
        article_schema="normalized_article.v1",
    )
    assert report["ok"], {k: report[k] for k in ("missing", "repeated", "unexpected")}
    assert report["articles"] + report["deadletters"] == 3_000
    assert report["by_family"][hostile.GOOD] == {"article": 150}
    assert report["by_family"][hostile.HUGE] == {"too_large": 1}
    assert "internal_error" not in report["deadletters_by_reason"]
    truncated = [d for d in deadletters if d["original_truncated"]]
    assert truncated and all(d["original_size"] > 64 * 1024 for d in truncated)


@pytest.mark.pure
def test_tally_catches_lost_repeated_and_strange_records() -> None:
    families = {(0, 0): hostile.GOOD, (0, 1): "invalid_utf8", (0, 2): "bom"}
    deadletter = _deadletter(offset=1, reason="invalid_utf8")
    report = command.tally(families, [], [deadletter, deadletter, _deadletter(9, "too_large")])
    assert not report["ok"]
    assert report["missing"] == [[0, 0], [0, 2]]
    assert report["repeated"] == [[0, 1]]
    assert report["unknown"] == [[0, 9]]
    wrong = command.tally({(0, 1): "invalid_utf8"}, [], [_deadletter(1, "too_large")])
    assert wrong["unexpected"] == {"invalid_utf8": {"too_large": 1}} and not wrong["ok"]
    broken = command.tally({(0, 1): "bom"}, [], [{**_deadletter(1, "invalid_json"), "stage": 7}])
    assert broken["invalid_records"] == 1 and not broken["ok"]


def _deadletter(offset: int, reason: str) -> dict[str, Any]:
    return {
        "stage": "normalize",
        "reason": reason,
        "message": "test",
        "original": "x",
        "original_b64": None,
        "encoding": "utf-8",
        "original_size": 1,
        "original_truncated": False,
        "source": {"topic": "raw", "partition": 0, "offset": offset},
        "failed_at": "2026-10-01T12:00:00+00:00",
        "article_id": None,
    }


# `process` keeps every input and output in memory until it writes them (by design, see
# docs/hostile.md), so its peak may grow with N by what it holds: measured ~18 KiB per input.
PROCESS_KIB_PER_INPUT = 32
PROCESS_PEAK_MIB = 1_024
# Runs `wirestream process` as a child so its own peak RSS is measured, not the test's.
_MEASURE = """
import resource, subprocess, sys
args = [sys.executable, "-m", "wirestream", "process", sys.argv[1], "--out", sys.argv[2]]
with open(sys.argv[3], "wb") as out, open(sys.argv[4], "wb") as err:
    code = subprocess.run(args, stdout=out, stderr=err).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _process(corpus: Path, out: Path) -> dict[str, Any]:
    stdout, stderr = out.with_suffix(".stdout"), out.with_suffix(".stderr")
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(corpus), str(out), str(stdout), str(stderr)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    code, peak_kib = map(int, measured.stdout.split())
    summary = json.loads(stdout.read_text().splitlines()[-1])
    checker = [sys.executable, "-m", "wirestream.commands.hostile", "check"]
    check = subprocess.run(
        [*checker, str(corpus), "--out", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    return {
        "code": code,
        "summary": summary,
        "stderr": stderr.read_text(errors="replace"),
        "peak_mib": peak_kib / 1024,
        "check_code": check.returncode,
        "report": json.loads(check.stdout),
    }


@pytest.mark.soak
@pytest.mark.timeout(900)
def test_process_command_on_10k_hostile_inputs(tmp_path: Path) -> None:
    runs = {}
    for count in (2_000, 10_000):
        corpus = tmp_path / f"hostile-{count}.jsonl"
        hostile.write_corpus(corpus, count, seed=7)
        runs[count] = _process(corpus, tmp_path / f"out-{count}")
    for count, run in runs.items():
        summary, report = run["summary"], run["report"]
        print(f"process {count}:", json.dumps({**summary, "peak_mib": round(run["peak_mib"])}))
        print("dead letters by reason:", json.dumps(report["deadletters_by_reason"]))
        assert run["code"] == 0, run["stderr"][-3000:]
        assert "Traceback" not in run["stderr"], run["stderr"][-3000:]
        assert summary["inputs"] == count == summary["articles"] + summary["deadletters"]
        assert run["check_code"] == 0 and report["ok"], report
        assert report["invalid_records"] == 0
        assert report["by_family"][hostile.GOOD] == {"article": round(count * 0.05)}
    growth_kib = (runs[10_000]["peak_mib"] - runs[2_000]["peak_mib"]) * 1024
    assert growth_kib / 8_000 < PROCESS_KIB_PER_INPUT, runs
    assert runs[10_000]["peak_mib"] < PROCESS_PEAK_MIB
