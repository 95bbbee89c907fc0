"""deploy/k8s and deploy/compose parse, hang together and match the settings the code reads."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings import ENV_PREFIX, Settings, TopicNames

pytestmark = pytest.mark.pure

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
K8S = DEPLOY / "k8s"


def _documents(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if d]


def _all() -> list[dict[str, Any]]:
    return [
        doc
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in _documents(path.name)
    ]


def _kind(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in _all() if d["kind"] == kind and d["metadata"]["name"] == name)


def _setting_names() -> set[str]:
    return {ENV_PREFIX + spec.name.upper() for spec in fields(Settings)}


def test_every_manifest_has_kind_name_and_namespace() -> None:
    for doc in _all():
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"]
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "wirestream"


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk


def test_kafka_cluster_is_replicated_and_secured() -> None:
    kafka = _kind("Kafka", "wirestream")
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3 and config["min.insync.replicas"] == 2
    assert config["unclean.leader.election.enable"] is False
    listener = kafka["spec"]["kafka"]["listeners"][0]
    assert listener["tls"] is True and listener["authentication"]["type"] == "scram-sha-512"
    pool = _kind("KafkaNodePool", "combined")
    assert pool["spec"]["replicas"] >= 3 and set(pool["spec"]["roles"]) == {"broker", "controller"}


def test_every_topic_exists_with_its_contract() -> None:
    topics = {d["metadata"]["name"]: d["spec"] for d in _all() if d["kind"] == "KafkaTopic"}
    names = TopicNames()
    assert set(topics) == {
        names.raw,
        names.enriched,
        names.articles,
        names.events,
        names.deadletter,
    }
    assert topics[names.enriched]["partitions"] == 1
    assert topics[names.events]["config"]["cleanup.policy"] == "compact"
    for spec in topics.values():
        assert spec["replicas"] == 3 and spec["config"]["min.insync.replicas"] == 2
    worker_env = _kind("ConfigMap", "wirestream-worker")["data"]
    assert int(worker_env["WIRESTREAM_RAW_PARTITIONS"]) == topics[names.raw]["partitions"]


def test_worker_probes_hit_the_health_endpoints_and_env_names_are_settings() -> None:
    deployment = _kind("Deployment", "wirestream-worker")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    requests = container["resources"]["requests"]
    assert requests["cpu"] and requests["memory"]
    config = _kind("ConfigMap", "wirestream-worker")["data"]
    env_names = set(config) | {e["name"] for e in container["env"]}
    ours = {name for name in env_names if name.startswith(ENV_PREFIX)}
    assert ours <= _setting_names() | {"WIRESTREAM_LOG_FORMAT"}
    assert env_names - ours == {"HOME"}  # a writable home on the read-only root
    assert config["WIRESTREAM_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["WIRESTREAM_WEB_HOST"] == "0.0.0.0"
    assert int(config["WIRESTREAM_WEB_PORT"]) == container["ports"][0]["containerPort"]
    # the settings the manifest sets really build a valid client configuration
    settings = Settings.from_env({**config, "WIRESTREAM_SASL_PASSWORD": "x"})
    from config.security import ClientSecurity

    assert ClientSecurity.from_settings(settings).uses_tls


def test_secrets_come_from_the_user_operator_not_the_manifests() -> None:
    users = {d["metadata"]["name"] for d in _all() if d["kind"] == "KafkaUser"}
    for name in ("wirestream-worker", "wirestream-feeds"):
        deployment = _kind("Deployment", name)
        env = deployment["spec"]["template"]["spec"]["containers"][0].get("env", [])
        password = next(e for e in env if e["name"] == "WIRESTREAM_SASL_PASSWORD")
        assert password["valueFrom"]["secretKeyRef"]["name"] in users
    text = "\n".join(p.read_text() for p in K8S.glob("*.yaml"))
    assert "password:" not in text.replace("key: password", "")


def test_feeds_deployment_runs_the_feeds_command_with_mounted_config() -> None:
    container = _kind("Deployment", "wirestream-feeds")["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:3] == ["wirestream", "feeds", "run"]
    toml_text = _kind("ConfigMap", "wirestream-feeds")["data"]["feeds.toml"]
    import tomllib

    assert tomllib.loads(toml_text)["feeds"]


def test_compose_runs_three_brokers_with_replication_three() -> None:
    compose = yaml.safe_load((DEPLOY / "compose" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"kafka-1", "kafka-2", "kafka-3"}
    ports = set()
    for name, service in services.items():
        env = service["environment"]
        assert env["KAFKA_NODE_ID"] == name[-1]
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert len(env["CLUSTER_ID"]) == 22
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].count("@") == 3
        ports.add(service["ports"][0])
    assert len(ports) == 3


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (d["metadata"]["name"], d["spec"]["template"]["spec"])
        for d in _all()
        if d["kind"] == "Deployment"
    ]


def test_every_pod_runs_unprivileged_on_a_read_only_root() -> None:
    specs = _pod_specs()
    assert {name for name, _ in specs} == {"wirestream-worker", "wirestream-feeds"}
    for name, spec in specs:
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, name
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context.get("privileged", False) is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert "add" not in context["capabilities"], name
            # a read-only root needs a writable /tmp of bounded size
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            volumes = {v["name"]: v for v in spec["volumes"]}
            assert volumes[mounts["/tmp"]]["emptyDir"]["sizeLimit"], name


def test_every_empty_dir_has_a_size_limit() -> None:
    for name, spec in _pod_specs():
        for volume in spec["volumes"]:
            if "emptyDir" in volume:
                assert volume["emptyDir"].get("sizeLimit"), (name, volume["name"])


def test_network_policies_cover_every_pod_both_ways() -> None:
    policies = [d for d in _all() if d["kind"] == "NetworkPolicy"]
    for name, _ in _pod_specs():
        labels = _kind("Deployment", name)["spec"]["template"]["metadata"]["labels"]
        covering = [
            p for p in policies if p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
        ]
        assert covering, name
        assert {t for p in covering for t in p["spec"]["policyTypes"]} == {"Ingress", "Egress"}
    worker = _kind("NetworkPolicy", "wirestream-worker")["spec"]
    worker_ports = {port["port"] for rule in worker["egress"] for port in rule["ports"]}
    assert worker_ports == {9093, 53}  # brokers and DNS: nothing else leaves a worker
    feeds = _kind("NetworkPolicy", "wirestream-feeds")["spec"]
    blocks = [
        peer["ipBlock"] for rule in feeds["egress"] for peer in rule["to"] if "ipBlock" in peer
    ]
    closed = {cidr for block in blocks for cidr in block["except"]}
    for inner in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7"):
        assert inner in closed


def test_feeds_probe_and_scrape_reach_a_metrics_server_bound_beyond_loopback() -> None:
    container = _kind("Deployment", "wirestream-feeds")["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    port = int(args[args.index("--metrics-port") + 1])
    env = {e["name"]: e.get("value") for e in container["env"]}
    host = args[args.index("--metrics-host") + 1] if "--metrics-host" in args else None
    assert (host or env.get("WIRESTREAM_METRICS_HOST")) == "0.0.0.0"
    assert container["ports"][0]["containerPort"] == port
    assert container["livenessProbe"]["tcpSocket"]["port"] == container["ports"][0]["name"]
    annotations = _kind("Deployment", "wirestream-feeds")["spec"]["template"]["metadata"]
    assert int(annotations["annotations"]["prometheus.io/port"]) == port


def test_worker_acls_are_literal_and_read_only_on_the_raw_topic() -> None:
    acls = _kind("KafkaUser", "wirestream-worker")["spec"]["authorization"]["acls"]
    topics = {
        acl["resource"]["name"]: (acl["resource"]["patternType"], set(acl["operations"]))
        for acl in acls
        if acl["resource"]["type"] == "topic"
    }
    names = TopicNames()
    assert topics[names.raw] == ("literal", {"Describe", "Read"})
    for output in (names.articles, names.events, names.deadletter):
        assert topics[output] == ("literal", {"Describe", "Write"})
    assert topics[names.enriched][0] == "literal"
    prefixes = [name for name, (kind, _) in topics.items() if kind == "prefix"]
    # Faust's own topics are named "<app id>-…"; no prefix may cover a public topic.
    assert prefixes == [Settings().app_id + "-"]
    for name in (names.raw, names.articles, names.events, names.deadletter, names.enriched):
        assert not any(name.startswith(prefix) for prefix in prefixes)
    feeds = _kind("KafkaUser", "wirestream-feeds")["spec"]["authorization"]["acls"]
    feed_topics = [acl["resource"] for acl in feeds if acl["resource"]["type"] == "topic"]
    assert feed_topics == [{"type": "topic", "name": names.raw, "patternType": "literal"}]
