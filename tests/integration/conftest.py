"""Integration fixtures: a real Kafka broker on free loopback ports for the whole session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deploy import broker
from deploy.config import free_ports
from deploy.jars import JarDownloadError
from deploy.java import JavaNotFoundError
from tests.integration.event_service import EventService, sample_outputs, serving

HERE = Path(__file__).resolve().parent

StartBroker = Callable[[Path], broker.BrokerInfo]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration talks to a real broker: mark it `integration`."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


def start_test_broker(data_dir: Path) -> broker.BrokerInfo:
    """Start a broker in data_dir on fresh free ports; skip when Java or the jars are missing.

    Args:
        data_dir: an empty folder for the node.
    """
    port, controller_port = free_ports(2)
    try:
        return broker.start(
            data_dir,
            port=port,
            controller_port=controller_port,
            jvm_options=broker.FAST_START_JVM_OPTIONS,
            timeout=180.0,
        )
    except (JavaNotFoundError, JarDownloadError) as error:
        pytest.skip(f"no local Kafka broker possible: {error}")


@pytest.fixture
def start_broker() -> Iterator[StartBroker]:
    """A function that starts a test broker in a folder; every one started is removed after."""
    started: list[Path] = []

    def start(data_dir: Path) -> broker.BrokerInfo:
        started.append(data_dir)
        return start_test_broker(data_dir)

    yield start
    for data_dir in started:
        broker.remove(data_dir)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """host:port of a broker for the session: $WIRESTREAM_TEST_BOOTSTRAP, else one started here."""
    external = os.environ.get("WIRESTREAM_TEST_BOOTSTRAP")
    if external:
        yield external
        return
    data_dir = tmp_path_factory.mktemp("kafka-session")
    info = start_test_broker(data_dir)
    try:
        yield info.bootstrap
    finally:
        broker.remove(data_dir)


@pytest.fixture(scope="module")
def outputs() -> tuple[list[dict], list[dict]]:
    """The sample through the pipeline functions: (articles, events)."""
    return sample_outputs()


@pytest.fixture(scope="module")
def service(
    request: pytest.FixtureRequest,
    kafka_bootstrap: str,
    tmp_path_factory: pytest.TempPathFactory,
    outputs: tuple[list[dict], list[dict]],
) -> Iterator[EventService]:
    """A ready event service (one per test module) over fresh topics holding the sample."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    with serving(kafka_bootstrap, tmp_path_factory.mktemp(name), outputs, prefix=name) as running:
        yield running
