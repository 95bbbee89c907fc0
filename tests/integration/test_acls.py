"""The KafkaUser ACLs of deploy/k8s/users.yaml on a real broker with an authorizer.

The worker runs as the worker user with exactly those ACLs and turns raw articles into
articles; it cannot write the raw topic, and the feed poller's user can write nothing else.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from kafka.errors import KafkaError

from config.security import ClientSecurity
from config.settings import Settings
from deploy import broker
from deploy.jars import JarDownloadError
from deploy.java import JavaNotFoundError
from tests.integration.test_security import SecureBroker, start_scram_broker
from tests.integration.worker_proc import WorkerProcess
from tests.support import SAMPLE
from wirestream.commands.produce import read_lines
from wirestream.kafka import admin_client, ensure_topics, producer, read_topic

pytestmark = pytest.mark.integration

USERS = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "users.yaml"
PASSWORDS = {"wirestream-worker": "worker-pass-1", "wirestream-feeds": "feeds-pass-1"}
ADMIN = ClientSecurity()  # the PLAINTEXT listener: ANONYMOUS, a super user here


def _acls(user: str) -> list[Any]:
    from kafka.admin import (
        ACL,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePattern,
        ResourceType,
    )

    spec = next(
        doc for doc in yaml.safe_load_all(USERS.read_text()) if doc["metadata"]["name"] == user
    )
    made = []
    for acl in spec["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        kind = ResourceType[resource["type"].upper()]
        name = resource.get("name", "kafka-cluster")
        pattern = {
            "literal": ACLResourcePatternType.LITERAL,
            "prefix": ACLResourcePatternType.PREFIXED,
        }[resource.get("patternType", "literal")]
        for operation in acl["operations"]:
            op = ACLOperation["_".join(_words(operation)).upper()]
            made.append(
                ACL(
                    principal=f"User:{user}",
                    host="*",
                    operation=op,
                    permission_type=ACLPermissionType.ALLOW,
                    resource_pattern=ResourcePattern(kind, name, pattern),
                )
            )
    return made


def _words(camel: str) -> list[str]:
    # "IdempotentWrite" -> ["Idempotent", "Write"]
    words, current = [], ""
    for char in camel:
        if char.isupper() and current:
            words.append(current)
            current = ""
        current += char
    return [*words, current]


@pytest.fixture(scope="module")
def acl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    if shutil.which("keytool") is None:
        pytest.skip("keytool (JDK) is needed to make the test certificate")
    data_dir = tmp_path_factory.mktemp("acl-broker")
    properties = {
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": "User:ANONYMOUS",
    }
    try:
        started = start_scram_broker(
            data_dir, users=tuple(PASSWORDS.items()), properties=properties
        )
    except (JavaNotFoundError, JarDownloadError) as error:
        pytest.skip(f"no local Kafka broker possible: {error}")
    try:
        admin = admin_client(started.plaintext, security=ADMIN)
        try:
            admin.create_acls([acl for user in PASSWORDS for acl in _acls(user)])
        finally:
            admin.close()
        yield started
    finally:
        broker.remove(data_dir)


def _user(name: str) -> ClientSecurity:
    return ClientSecurity(protocol="SASL_PLAINTEXT", username=name, password=PASSWORDS[name])


def test_the_worker_runs_on_its_literal_acls_alone(
    acl_broker: SecureBroker, tmp_path: Path
) -> None:
    settings = Settings(raw_partitions=1)  # the public topic names the ACLs are written for
    ensure_topics(acl_broker.plaintext, settings, security=ADMIN)  # what KafkaTopic does
    env = {
        "WIRESTREAM_RAW_PARTITIONS": "1",
        "WIRESTREAM_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "WIRESTREAM_SASL_USERNAME": "wirestream-worker",
        "WIRESTREAM_SASL_PASSWORD": PASSWORDS["wirestream-worker"],
    }
    lines = read_lines(SAMPLE)[:3]
    with producer(acl_broker.sasl, security=_user("wirestream-feeds")) as client:
        for line in lines:
            client.send(settings.topic_names.raw, value=line).get(timeout=30)
    worker = WorkerProcess(acl_broker.sasl, tmp_path / "worker", app_id="wirestream", extra_env=env)
    worker.start()
    try:
        deadline = time.monotonic() + 180
        while True:
            articles = read_topic(
                acl_broker.plaintext, settings.topic_names.articles, security=ADMIN, timeout_s=1.0
            )
            if len(articles) >= len(lines):
                break
            assert time.monotonic() < deadline, f"{len(articles)}/{len(lines)}\n{worker.tail()}"
            assert worker.proc and worker.proc.poll() is None, worker.tail()
            time.sleep(1.0)
    finally:
        worker.stop()
    assert sorted(orjson.loads(r.value)["raw_id"] for r in articles) == sorted(
        orjson.loads(line)["id"] for line in lines
    )
    assert "TopicAuthorizationFailed" not in worker.tail(400)


@pytest.mark.parametrize(
    ("user", "topic"),
    [("wirestream-worker", "news.raw.v1"), ("wirestream-feeds", "news.articles.v1")],
)
def test_each_user_is_refused_the_topics_it_must_not_write(
    acl_broker: SecureBroker, user: str, topic: str
) -> None:
    ensure_topics(acl_broker.plaintext, Settings(raw_partitions=1), security=ADMIN)
    with (
        pytest.raises(KafkaError),
        producer(acl_broker.sasl, security=_user(user), max_block_ms=5000) as client,
    ):
        client.send(topic, value=b"{}").get(timeout=10)
