"""Fail when an import goes the wrong way between the project's packages or forms a cycle,
or when the consumer library (``wirestream.consume``) imports the worker's stack.

Every import counts: module level, inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

# package -> the project packages it may import (besides itself)
ALLOWED = {
    "schemas": set(),
    "config": set(),
    "deploy": set(),
    "pipeline": {"schemas"},
    "agents": {"pipeline", "schemas", "config"},
    "wirestream": {"agents", "pipeline", "schemas", "config", "deploy"},
}
# third-party packages a pure package never imports
FORBIDDEN = {
    "pipeline": {"faust", "aiokafka", "kafka", "mode"},
    "schemas": {"faust", "aiokafka", "kafka", "mode", "spacy"},
    "config": {"faust", "aiokafka", "kafka", "mode", "spacy"},
}

# what a downstream team imports: kafka-python, orjson, schemas and settings, nothing heavier
LIBRARY = "wirestream.consume"
LIBRARY_FORBIDDEN = {"faust", "aiokafka", "mode", "spacy", "aiohttp", "agents", "pipeline"}


def modules(root: Path) -> dict[str, Path]:
    """Every module of the checked packages, by dotted name.

    Args:
        root: the repository root.
    """
    found = {}
    for package in ALLOWED:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_names(path: Path, name: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, imported module, names that may be its submodules) of every import in a module.

    Args:
        path: the module's file.
        name: its dotted name.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base, [f"{base}.{alias.name}" for alias in node.names]


def graph(root: Path) -> tuple[dict[str, set[str]], list[str]]:
    """The import graph among project modules, and every layering violation found on the way.

    Args:
        root: the repository root.
    """
    known = modules(root)
    edges: dict[str, set[str]] = {name: set() for name in known}
    problems = []
    for name, path in known.items():
        top = name.split(".")[0]
        where = path.relative_to(root)
        for line, target, submodules in imported_names(path, name):
            first = target.split(".")[0]
            if first in FORBIDDEN.get(top, ()):
                problems.append(f"{where}:{line}: imports {target}")
            if first in ALLOWED and first != top and first not in ALLOWED[top]:
                problems.append(f"{where}:{line}: imports {target} ({top} may not import {first})")
            if (name + ".").startswith(LIBRARY + ".") and first in LIBRARY_FORBIDDEN:
                problems.append(f"{where}:{line}: imports {target} ({LIBRARY} may not)")
            edges[name].update(m for m in (target, *submodules) if m in known and m != name)
    return edges, sorted(set(problems))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted.

    Args:
        edges: module -> the modules it imports.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def violations(root: Path) -> list[str]:
    """Every wrong-way import and every import cycle, one line each.

    Args:
        root: the repository root.
    """
    edges, problems = graph(root)
    return problems + [f"import cycle: {' -> '.join(group)}" for group in cycles(edges)]


def main() -> int:
    """Print violations; exit 1 when there are any."""
    sys.setrecursionlimit(10_000)
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    found = violations(root)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
