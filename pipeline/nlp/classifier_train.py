"""Labelled topic data: readers for AG News CSV, BBC News JSONL and generic labelled JSONL."""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.nlp.classifier import TOPIC_LABELS, TopicClassifier, train

AG_CODES = {
    "1": "medtop:11000000",  # World: international affairs, mostly politics and conflict
    "2": "medtop:15000000",
    "3": "medtop:04000000",
    "4": "medtop:13000000",
}
NAME_CODES = {
    "world": "medtop:11000000",
    "politics": "medtop:11000000",
    "sports": "medtop:15000000",
    "sport": "medtop:15000000",
    "business": "medtop:04000000",
    "economy": "medtop:04000000",
    "sci/tech": "medtop:13000000",
    "tech": "medtop:13000000",
    "science": "medtop:13000000",
    "technology": "medtop:13000000",
    "entertainment": "medtop:01000000",
    "arts": "medtop:01000000",
} | {name: code for code, name in TOPIC_LABELS.items()}
BBC_LABELS = frozenset({"business", "entertainment", "politics", "sport", "tech"})
_AG_ENTITY = re.compile(r" ?#(\d+);")
_BACKSLASHES = re.compile(r"\\+")


@dataclass(frozen=True)
class Example:
    """One labelled text; ``group`` ties exact duplicates together for cross-validation."""

    text: str
    code: str
    dataset: str
    group: str


def article_text(title: str, body: str) -> str:
    """The classifier's input for an article, as enrichment builds it.

    Args:
        title: the headline.
        body: the article text.
    """
    return f"{title}\n\n{body}" if title else body


def label_code(label: str) -> str:
    """Map a label (IPTC code, IPTC name, AG or BBC class name) to an IPTC code.

    Args:
        label: the label as written in a dataset.
    """
    if label.startswith("medtop:"):
        return label
    code = NAME_CODES.get(label.strip().lower())
    if code is None:
        raise ValueError(f"unknown topic label: {label!r}")
    return code


def clean_ag(field: str) -> str:
    """Undo AG News escapes: a backslash marks a line break, ``' #36;'`` is ``&#36;``.

    Args:
        field: a title or description from the CSV.
    """
    text = _BACKSLASHES.sub(" ", field)
    text = _AG_ENTITY.sub(_entity, text)
    return " ".join(html.unescape(text).split())


def _entity(match: re.Match[str]) -> str:
    number = int(match.group(1))
    # 128-159 were written as Windows-1252 code points (e.g. #151; is an em dash)
    if 128 <= number < 160:
        return bytes([number]).decode("cp1252", errors="replace")
    return chr(number) if number < 0x110000 else ""


def read_ag_news(path: Path) -> list[Example]:
    """Read AG News CSV rows ``"class","title","description"``.

    Args:
        path: the CSV file.
    """
    examples = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if len(row) < 3 or row[0].strip() not in AG_CODES:
                raise ValueError(f"{path}: not an AG News row: {row[:1]!r}")
            title, body = clean_ag(row[1]), clean_ag(row[2])
            code = AG_CODES[row[0].strip()]
            examples.append(Example(article_text(title, body), code, "ag_news", _digest(body)))
    return examples


def read_labelled_jsonl(path: Path, *, dataset: str | None = None) -> list[Example]:
    """Read JSONL with ``label`` and either ``text`` or ``title`` + ``body``/``text``.

    BBC News (``label``, ``title``, ``text``) is one case of this format.

    Args:
        path: the JSONL file.
        dataset: name for the examples (default: ``bbc_news`` for BBC labels, else the
            file's parent folder name).
    """
    rows = []
    for number, line in enumerate(_lines(path), start=1):
        record = json.loads(line)
        if not isinstance(record, dict) or "label" not in record:
            raise ValueError(f"{path}:{number}: a record needs a 'label'")
        body = str(record.get("body") or record.get("text") or "")
        text = article_text(str(record.get("title") or ""), body)
        if not text.strip():
            raise ValueError(f"{path}:{number}: empty text")
        rows.append((text, str(record["label"]), _digest(body)))
    # BBC's own label names mark its data wherever the file lives (its head then applies)
    bbc = bool(rows) and {label for _, label, _ in rows} <= BBC_LABELS
    name = dataset or ("bbc_news" if bbc else path.parent.name or path.stem)
    return [Example(text, label_code(label), name, group) for text, label, group in rows]


def read_examples(path: Path) -> list[Example]:
    """Read either format, chosen by the file extension (``.csv`` is AG News).

    Args:
        path: a ``.csv`` or ``.jsonl`` file.
    """
    return read_ag_news(path) if path.suffix.lower() == ".csv" else read_labelled_jsonl(path)


def _lines(path: Path) -> Iterable[str]:
    with path.open(encoding="utf-8") as handle:
        yield from (line for line in handle if line.strip())


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def train_examples(
    examples: Sequence[Example], *, weights: dict[str, float] | None = None, **options: Any
) -> TopicClassifier:
    """Train on several datasets: one head each, each teaching only the codes it uses.

    Args:
        examples: labelled examples.
        weights: optional weight per dataset name (default 1).
        options: passed to :func:`pipeline.nlp.classifier.train`.
    """
    spaces: dict[str, set[str]] = {}
    for example in examples:
        spaces.setdefault(example.dataset, set()).add(example.code)
    return train(
        [e.text for e in examples],
        [e.code for e in examples],
        datasets=[e.dataset for e in examples],
        label_spaces=[spaces[e.dataset] for e in examples],
        sample_weight=[(weights or {}).get(e.dataset, 1.0) for e in examples],
        **options,
    )
