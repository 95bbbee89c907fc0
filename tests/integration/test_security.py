"""SASL/SCRAM-SHA-512 and TLS on a real broker: right credentials work, wrong ones fail fast."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from config.security import ClientSecurity
from config.settings import Settings
from deploy import broker
from deploy.config import NodeConfig, free_ports, new_cluster_id, render_properties
from deploy.jars import JarDownloadError, ensure_jars
from deploy.java import JavaNotFoundError, find_java
from deploy.launch import FORMAT_JVM_OPTIONS, LOG_DIR, java_command
from tests.integration.worker_proc import WorkerProcess
from tests.support import SAMPLE
from wirestream.commands.produce import read_lines
from wirestream.kafka import ensure_topics, producer, read_topic
from wirestream.security import BrokerAccessError, check_access

pytestmark = pytest.mark.integration

USER, PASSWORD = "wirestream", "s3cret-for-tests"
STORE_PASSWORD = "test-keystore"
JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required;"


@dataclass(frozen=True)
class SecureBroker:
    """A broker with PLAINTEXT (admin), SASL_PLAINTEXT and SASL_SSL listeners on loopback."""

    plaintext: str
    sasl: str
    sasl_ssl: str
    cafile: str


def _tls_material(folder: Path) -> tuple[Path, Path]:
    # a self-signed broker certificate for 127.0.0.1, and its PEM as the client's CA file
    keystore, cafile = folder / "broker.p12", folder / "ca.pem"
    keytool = ["keytool", "-storepass", STORE_PASSWORD, "-keystore", str(keystore)]
    subprocess.run(
        [
            *keytool,
            "-genkeypair",
            "-alias",
            "broker",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "2",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=IP:127.0.0.1,DNS:localhost",
            "-storetype",
            "PKCS12",
            "-keypass",
            STORE_PASSWORD,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [*keytool, "-exportcert", "-rfc", "-alias", "broker", "-file", str(cafile)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return keystore, cafile


def _listeners(ports: list[int]) -> dict[str, str]:
    port, controller, sasl, sasl_ssl = ports
    advertised = (
        f"PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:{sasl},"
        f"SASL_SSL://127.0.0.1:{sasl_ssl}"
    )
    return {
        "listeners": f"{advertised},CONTROLLER://127.0.0.1:{controller}",
        "advertised.listeners": advertised,
        "listener.security.protocol.map": (
            "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
            "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"
        ),
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": JAAS,
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": JAAS,
    }


def start_scram_broker(
    data_dir: Path,
    *,
    users: tuple[tuple[str, str], ...] = ((USER, PASSWORD),),
    properties: dict[str, str] | None = None,
) -> SecureBroker:
    """Format storage with SCRAM users (StorageTool --add-scram), then start the node.

    Args:
        data_dir: an empty folder.
        users: (name, password) of each SCRAM user.
        properties: more broker properties (an authorizer, say).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    keystore, cafile = _tls_material(data_dir)
    ports = free_ports(4)
    extra = {
        **_listeners(ports),
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": str(keystore),
        "ssl.keystore.password": STORE_PASSWORD,
        "ssl.key.password": STORE_PASSWORD,
        **(properties or {}),
    }
    node = NodeConfig(1, "127.0.0.1", ports[0], ports[1], (), extra)
    cluster_id = new_cluster_id()
    (data_dir / "server.properties").write_text(
        render_properties(node, data_dir / LOG_DIR), encoding="utf-8"
    )
    format_command = [
        *java_command(data_dir, find_java().path, ensure_jars(), FORMAT_JVM_OPTIONS),
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster_id,
        "-c",
        str(data_dir / "server.properties"),
        *(
            argument
            for name, password in users
            for argument in ("--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]")
        ),
    ]
    subprocess.run(format_command, check=True, capture_output=True, timeout=120)
    # storage is formatted already, so start() keeps it and its SCRAM user
    broker.start(
        data_dir,
        port=ports[0],
        controller_port=ports[1],
        cluster_id=cluster_id,
        extra_properties=extra,
        jvm_options=broker.FAST_START_JVM_OPTIONS,
        timeout=180.0,
    )
    return SecureBroker(
        plaintext=f"127.0.0.1:{ports[0]}",
        sasl=f"127.0.0.1:{ports[2]}",
        sasl_ssl=f"127.0.0.1:{ports[3]}",
        cafile=str(cafile),
    )


@pytest.fixture(scope="module")
def scram_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    """One SCRAM-enabled broker for this module."""
    if shutil.which("keytool") is None:
        pytest.skip("keytool (JDK) is needed to make the test certificate")
    data_dir = tmp_path_factory.mktemp("scram-broker")
    try:
        yield start_scram_broker(data_dir)
    except (JavaNotFoundError, JarDownloadError) as error:
        pytest.skip(f"no local Kafka broker possible: {error}")
    finally:
        broker.remove(data_dir)


def _sasl_ssl(scram: SecureBroker, **changes: str) -> ClientSecurity:
    values = {"username": USER, "password": PASSWORD, "cafile": scram.cafile, **changes}
    return ClientSecurity(protocol="SASL_SSL", **values)


def test_right_credentials_produce_and_read_over_sasl_ssl(scram_broker: SecureBroker) -> None:
    security = _sasl_ssl(scram_broker)
    check_access(scram_broker.sasl_ssl, security, timeout_s=10)
    topic = f"secure-{uuid.uuid4().hex[:8]}"
    with producer(scram_broker.sasl_ssl, security=security) as client:
        client.send(topic, key=b"k", value=b"over TLS").get(timeout=30)
    records = read_topic(scram_broker.sasl_ssl, topic, timeout_s=3, security=security)
    assert [(r.key, r.value) for r in records] == [(b"k", b"over TLS")]


def test_right_credentials_over_sasl_plaintext(scram_broker: SecureBroker) -> None:
    security = ClientSecurity(protocol="SASL_PLAINTEXT", username=USER, password=PASSWORD)
    check_access(scram_broker.sasl, security, timeout_s=10)


@pytest.mark.parametrize(
    ("listener", "security"),
    [
        ("sasl", ClientSecurity(protocol="SASL_PLAINTEXT", username=USER, password="wrong")),
        ("sasl", ClientSecurity(protocol="SASL_PLAINTEXT", username="mallory", password=PASSWORD)),
    ],
)
def test_wrong_credentials_fail_fast_with_one_clear_line(
    scram_broker: SecureBroker, listener: str, security: ClientSecurity
) -> None:
    address = getattr(scram_broker, listener)
    began = time.monotonic()
    with pytest.raises(BrokerAccessError) as failure:
        check_access(address, security, timeout_s=10)
    assert time.monotonic() - began < 5.0
    message = str(failure.value)
    assert message == (
        f"wirestream: authentication failed for user {security.username!r} "
        f"(SCRAM-SHA-512 over SASL_PLAINTEXT) at {address}"
    )
    assert PASSWORD not in message and "wrong" not in message


def test_wrong_password_over_tls_fails_fast(scram_broker: SecureBroker) -> None:
    with pytest.raises(BrokerAccessError, match="authentication failed for user"):
        check_access(scram_broker.sasl_ssl, _sasl_ssl(scram_broker, password="nope"), timeout_s=10)


def test_untrusted_certificate_is_refused(scram_broker: SecureBroker) -> None:
    # no cafile: the system CAs do not know the self-signed broker certificate
    with pytest.raises(BrokerAccessError, match=r"TLS handshake .* failed"):
        check_access(scram_broker.sasl_ssl, _sasl_ssl(scram_broker, cafile=""), timeout_s=10)


def test_plaintext_client_on_a_sasl_listener_is_refused(scram_broker: SecureBroker) -> None:
    with pytest.raises(BrokerAccessError, match="does the listener speak PLAINTEXT"):
        check_access(scram_broker.sasl, ClientSecurity(), timeout_s=5)


def test_worker_processes_articles_over_sasl_ssl(
    scram_broker: SecureBroker, tmp_path: Path
) -> None:
    app_id = f"secure-{uuid.uuid4().hex[:8]}"
    env = {
        "WIRESTREAM_TOPIC_NAMESPACE": f"{app_id}.",
        "WIRESTREAM_RAW_PARTITIONS": "1",
        "WIRESTREAM_SECURITY_PROTOCOL": "SASL_SSL",
        "WIRESTREAM_SASL_USERNAME": USER,
        "WIRESTREAM_SASL_PASSWORD": PASSWORD,
        "WIRESTREAM_SSL_CAFILE": scram_broker.cafile,
    }
    settings = Settings.from_env(env, broker=scram_broker.sasl_ssl)
    security = ClientSecurity.from_settings(settings)
    ensure_topics(scram_broker.sasl_ssl, settings)
    lines = read_lines(SAMPLE)[:4]
    worker = WorkerProcess(scram_broker.sasl_ssl, tmp_path / "worker", app_id=app_id, extra_env=env)
    worker.start()
    try:
        with producer(scram_broker.sasl_ssl, security=security) as client:
            for line in lines:
                client.send(settings.topic_names.raw, value=line)
        deadline = time.monotonic() + 180
        while True:
            outputs = [
                *read_topic(
                    scram_broker.sasl_ssl,
                    settings.topic_names.articles,
                    security=security,
                    timeout_s=1.0,
                ),
                *read_topic(
                    scram_broker.sasl_ssl,
                    settings.topic_names.deadletter,
                    security=security,
                    timeout_s=1.0,
                ),
            ]
            if len(outputs) >= len(lines):
                break
            assert time.monotonic() < deadline, f"{len(outputs)}/{len(lines)}\n{worker.tail()}"
            assert worker.proc and worker.proc.poll() is None, worker.tail()
            time.sleep(1.0)
    finally:
        worker.stop()
    # the first sample lines are well-formed: each becomes one article, none a dead letter
    assert sorted(orjson.loads(r.value)["raw_id"] for r in outputs) == sorted(
        orjson.loads(line)["id"] for line in lines
    )


def test_producer_with_wrong_password_fails_fast(scram_broker: SecureBroker) -> None:
    began = time.monotonic()
    with (
        pytest.raises(BrokerAccessError, match="authentication failed"),
        producer(scram_broker.sasl_ssl, security=_sasl_ssl(scram_broker, password="nope")),
    ):
        pass
    assert time.monotonic() - began < 5.0


def test_settings_make_consistent_client_configs() -> None:
    from agents.app import broker_credentials

    settings = Settings.from_env(
        {
            "WIRESTREAM_SECURITY_PROTOCOL": "sasl_plaintext",
            "WIRESTREAM_SASL_USERNAME": "u",
            "WIRESTREAM_SASL_PASSWORD": "hunter2-xyz",
        }
    )
    security = ClientSecurity.from_settings(settings)
    assert security.kafka_python()["sasl_mechanism"] == "SCRAM-SHA-512"
    assert security.aiokafka()["security_protocol"] == "SASL_PLAINTEXT"
    credentials = broker_credentials(security)["broker_credentials"]
    assert (credentials.username, credentials.mechanism.value) == ("u", "SCRAM-SHA-512")
    assert "hunter2" not in repr(security) and "hunter2" not in repr(settings)
    with pytest.raises(ValueError, match="needs sasl_username"):
        ClientSecurity(protocol="SASL_SSL")
    assert broker_credentials(ClientSecurity()) == {}
