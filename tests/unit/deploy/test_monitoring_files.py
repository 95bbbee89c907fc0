"""deploy/monitoring: rules, scrape config and dashboard parse, and name only metrics that exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.metrics import Metrics

pytestmark = pytest.mark.pure

MONITORING = Path(__file__).resolve().parents[3] / "deploy" / "monitoring"
METRIC_NAME = re.compile(r"\bwirestream_[a-z_]+\b")
SUFFIXES = ("_total", "_bucket", "_sum", "_count", "_created")


def _yaml(name: str) -> Any:
    return yaml.safe_load((MONITORING / name).read_text(encoding="utf-8"))


def _exported_names() -> set[str]:
    names = set()
    for family in Metrics().registry.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in SUFFIXES)
    return names


def _dashboard() -> dict[str, Any]:
    return dict(json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8")))


def _rules() -> list[dict[str, Any]]:
    return [rule for group in _yaml("alerts.yml")["groups"] for rule in group["rules"]]


def test_alert_rules_cover_lag_dead_letters_and_worker_down() -> None:
    rules = _rules()
    names = {rule["alert"] for rule in rules}
    assert {
        "WirestreamWorkerDown",
        "WirestreamConsumerLagGrowing",
        "WirestreamDeadLetterRateHigh",
    } <= names
    for rule in rules:
        assert rule["expr"].strip() and re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_scrape_config_scrapes_metrics_and_loads_the_rules() -> None:
    config = _yaml("prometheus.yml")
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "wirestream")
    assert job["metrics_path"] == "/metrics"
    assert all(":" in target for static in job["static_configs"] for target in static["targets"])
    for rule_file in config["rule_files"]:
        assert (MONITORING / rule_file).is_file()


def test_dashboard_panels_are_well_formed() -> None:
    dashboard = _dashboard()
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "instance"} <= variables
    for panel in panels:
        assert panel["targets"] and all(t["expr"] for t in panel["targets"])
        assert panel["datasource"]["uid"] == "${datasource}"
    titles = " ".join(p["title"].lower() for p in panels)
    for topic in ("throughput", "lag", "latency", "dead letters", "duplicates", "memory"):
        assert topic in titles


def test_rules_and_dashboard_name_only_metrics_the_worker_exports() -> None:
    exported = _exported_names()
    used = set(METRIC_NAME.findall((MONITORING / "alerts.yml").read_text(encoding="utf-8")))
    for panel in _dashboard()["panels"]:
        for target in panel["targets"]:
            used.update(METRIC_NAME.findall(target["expr"]))
    assert used, "no wirestream metric referenced"
    assert used <= exported, f"not exported: {sorted(used - exported)}"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
@pytest.mark.parametrize(
    "args",
    [
        ["check", "rules", "alerts.yml"],
        ["check", "config", "prometheus.yml"],
        ["test", "rules", "alerts.test.yml"],
    ],
)
def test_promtool_accepts_the_files(args: list[str]) -> None:
    result = subprocess.run(
        ["promtool", *args], cwd=MONITORING, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
