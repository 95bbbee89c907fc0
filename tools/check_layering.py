"""Fail when pipeline/ or schemas/ import a streaming framework or a Kafka client, or when the
consumer library (wirestream/consume) imports Faust, spaCy, the agents or the pipeline."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

FORBIDDEN = {"faust", "aiokafka", "kafka", "mode"}
PURE_PACKAGES = ("pipeline", "schemas")
# what a downstream team imports: kafka-python yes, the worker's stack no
LIBRARY = ("wirestream/consume", {"faust", "aiokafka", "mode", "spacy", "agents", "pipeline"})


def violations(root: Path) -> list[str]:
    """Every forbidden import in the pure packages and the library, as ``file:line: module``."""
    rules = [(package, FORBIDDEN) for package in PURE_PACKAGES] + [LIBRARY]
    found = []
    for package, forbidden in rules:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    if name.split(".")[0] in forbidden:
                        found.append(f"{path.relative_to(root)}:{node.lineno}: imports {name}")
    return found


def main() -> int:
    """Print violations; exit 1 when there are any."""
    root = Path(__file__).resolve().parents[1]
    found = violations(root)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
