"""The sample through a real broker and worker in three arrival orders gives its events."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.support import SAMPLE, expected
from wirestream.commands.produce import read_lines
from wirestream.evaluation.stream import Item, score
from wirestream.evaluation.stream_broker import broker_order


def _sample_items() -> list[Item]:
    gold = {raw_id: name for name, ids in expected()["events"].items() for raw_id in ids}
    items = []
    for line in read_lines(SAMPLE):
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # the malformed lines are the dead-letter tests' business
        if isinstance(raw, dict) and raw.get("id") in gold:
            items.append(Item(raw, gold[raw["id"]], "file"))
    return items


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_sample_gives_its_events_through_the_broker(
    seed: int, kafka_bootstrap: str, tmp_path: Path
) -> None:
    items = _sample_items()
    assigned = broker_order(
        items, seed=seed, bootstrap=kafka_bootstrap, workdir=tmp_path, timeout_s=240
    )
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(assigned[item.raw["id"]], []).append(item.raw["id"])
    truth = expected()["events"]
    assert sorted(map(sorted, groups.values())) == sorted(map(sorted, truth.values()))
    assert score(items, assigned)["all"]["f1"] == 1.0
