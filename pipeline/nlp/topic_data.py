"""Labelled topic data: AG News CSV, BBC News JSONL, labelled JSONL, ECB+ with IPTC labels."""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.nlp.classifier import TOPIC_LABELS, topic_text

POLITICS, CONFLICT, CRIME = "medtop:11000000", "medtop:16000000", "medtop:02000000"
DISASTER, ENVIRONMENT, HEALTH = "medtop:03000000", "medtop:06000000", "medtop:07000000"
SPORT, ECONOMY = "medtop:15000000", "medtop:04000000"
TECH, ARTS = "medtop:13000000", "medtop:01000000"
# A dataset class -> the IPTC codes it covers, preferred first; any of them is right for it.
AG_CODES = {
    # World: international hard news (politics, wars, crime, disasters, environment, health)
    "1": (POLITICS, CONFLICT, CRIME, DISASTER, ENVIRONMENT, HEALTH),
    "2": (SPORT,),
    "3": (ECONOMY,),
    # Sci/Tech: also AG's science stories on health and on the environment
    "4": (TECH, HEALTH, ENVIRONMENT),
}
NAME_CODES = {
    "world": AG_CODES["1"],
    "politics": (POLITICS,),
    "sports": (SPORT,),
    "sport": (SPORT,),
    "business": (ECONOMY,),
    "economy": (ECONOMY,),
    "sci/tech": AG_CODES["4"],
    "tech": (TECH,),
    "science": (TECH,),
    "technology": (TECH,),
    "entertainment": (ARTS,),
    "arts": (ARTS,),
} | {name: (code,) for code, name in TOPIC_LABELS.items()}
BBC_LABELS = frozenset({"business", "entertainment", "politics", "sport", "tech"})
_AG_ENTITY = re.compile(r" ?#(\d+);")
_BACKSLASHES = re.compile(r"\\+")


@dataclass(frozen=True)
class Example:
    """One labelled text.

    ``codes`` are the IPTC codes that count as right, preferred first. ``editor`` means every
    one of them applies (an editor's labels); otherwise they are what a dataset class covers.
    ``group`` ties texts that must stay on one side of a split (duplicates, one ECB+ topic);
    ``event`` names the story the text belongs to, if known.
    """

    text: str
    codes: tuple[str, ...]
    dataset: str
    group: str
    editor: bool = False
    event: str = ""

    @property
    def code(self) -> str:
        """The preferred code."""
        return self.codes[0]


def label_codes(label: str) -> tuple[str, ...]:
    """Map a label (IPTC code, IPTC name, AG or BBC class name) to its IPTC codes.

    Args:
        label: the label as written in a dataset.
    """
    if label.startswith("medtop:"):
        return (label,)
    codes = NAME_CODES.get(label.strip().lower())
    if codes is None:
        raise ValueError(f"unknown topic label: {label!r}")
    return codes


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
            codes = AG_CODES[row[0].strip()]
            examples.append(Example(topic_text(title, body), codes, "ag_news", _digest(body)))
    return examples


def read_labelled_jsonl(path: Path, *, dataset: str | None = None) -> list[Example]:
    """Read JSONL with ``label`` and either ``text`` or ``title`` + ``body``/``text``.

    BBC News (``label``, ``title``, ``text``) is one case of this format. A label that is an
    IPTC code or name is an editor's label; a dataset class name covers its codes.

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
        text = topic_text(str(record.get("title") or ""), body)
        if not text.strip():
            raise ValueError(f"{path}:{number}: empty text")
        rows.append((text, str(record["label"]), _digest(body)))
    # BBC's own label names mark its data wherever the file lives
    bbc = bool(rows) and {label for _, label, _ in rows} <= BBC_LABELS
    name = dataset or ("bbc_news" if bbc else path.parent.name or path.stem)
    return [
        Example(text, label_codes(label), name, group, editor=_is_iptc(label))
        for text, label, group in rows
    ]


def read_ecbplus(path: Path, labels: Path) -> list[Example]:
    """Read ECB+-format JSONL (``doc_id``, ``topic``, ``cluster_id``, ``title``, ``text``) with an
    editor's IPTC codes per event cluster (``{"events": {cluster_id: [codes]}}``).

    Args:
        path: the articles.
        labels: the labels file; articles of unlabelled clusters are skipped.
    """
    events = json.loads(labels.read_text())["events"]
    examples = []
    for number, line in enumerate(_lines(path), start=1):
        record = json.loads(line)
        cluster = record.get("cluster_id")
        if not isinstance(record, dict) or "text" not in record or cluster is None:
            raise ValueError(f"{path}:{number}: an ECB+ record needs 'text' and 'cluster_id'")
        if cluster not in events:
            continue
        text = topic_text(str(record.get("title") or ""), str(record["text"]))
        group = f"topic:{record.get('topic', cluster)}"  # both events of a topic stay together
        codes = tuple(events[cluster])
        examples.append(Example(text, codes, "ecbplus", group, editor=True, event=str(cluster)))
    return examples


def read_examples(path: Path, *, labels: Path | None = None) -> list[Example]:
    """Read any format: ``.csv`` is AG News; JSONL with ``labels`` is ECB+; else labelled JSONL.

    Args:
        path: the data file.
        labels: the IPTC labels per ECB+ event cluster.
    """
    if path.suffix.lower() == ".csv":
        return read_ag_news(path)
    return read_labelled_jsonl(path) if labels is None else read_ecbplus(path, labels)


def _is_iptc(label: str) -> bool:
    return label.startswith("medtop:") or label.strip().lower() in set(TOPIC_LABELS.values())


def _lines(path: Path) -> Iterable[str]:
    with path.open(encoding="utf-8") as handle:
        yield from (line for line in handle if line.strip())


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]
