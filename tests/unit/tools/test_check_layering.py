"""The layering check: it passes on the repository and catches cycles and wrong-way imports."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.pure


def _checker():
    spec = importlib.util.spec_from_file_location(
        "check_layering", ROOT / "tools/check_layering.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the checked packages to plant violations in."""
    for package in _checker().ALLOWED:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("models"))
    return tmp_path


def test_repository_passes() -> None:
    assert _checker().violations(ROOT) == []


def test_planted_cycle_is_reported(tree: Path) -> None:
    keys = tree / "pipeline/clustering/keys.py"
    # a cycle through a function-level import counts as one
    keys.write_text(
        keys.read_text() + "\n\ndef _late():\n    from pipeline.clustering import index\n"
    )
    found = _checker().violations(tree)
    cycle = [line for line in found if line.startswith("import cycle:")]
    assert len(cycle) == 1
    assert "pipeline.clustering.keys" in cycle[0] and "pipeline.clustering.index" in cycle[0]


def test_type_checking_import_counts(tree: Path) -> None:
    config = tree / "pipeline/clustering/config.py"
    text = config.read_text().replace(
        "from datetime import timedelta\n",
        "from datetime import timedelta\nfrom typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n    from pipeline.clustering.decide import cluster_batch\n",
    )
    config.write_text(text)
    assert any(line.startswith("import cycle:") for line in _checker().violations(tree))


def test_agents_may_not_import_the_cli(tree: Path) -> None:
    heap = tree / "agents/heap.py"
    heap.write_text(heap.read_text() + "\nfrom wirestream import cli  # noqa\n")
    found = _checker().violations(tree)
    assert found == [
        "agents/heap.py:"
        + str(len(heap.read_text().splitlines()))
        + ": imports wirestream (agents may not import wirestream)"
    ]


def test_pipeline_may_not_import_a_kafka_client(tree: Path) -> None:
    stages = tree / "pipeline/stages.py"
    stages.write_text(stages.read_text() + "\nimport faust  # noqa\n")
    assert any(
        "pipeline/stages.py" in line and "imports faust" in line
        for line in _checker().violations(tree)
    )
