"""``feeds run --metrics-host``: the metrics server binds where it is told (a pod IP, 0.0.0.0)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

CONFIG = '[[feeds]]\nname = "a"\nurl = "https://news.example/rss.xml"\nsource = "A"\n'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _metrics(host: str, port: int) -> bytes | None:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=1) as reply:
            return bytes(reply.read())
    except OSError:
        return None


@pytest.mark.parametrize("how", ["flag", "env"])
def test_metrics_bind_the_given_address(tmp_path: Path, how: str) -> None:
    # 127.0.0.2 stands in for a pod IP: a server bound to 127.0.0.1 does not answer there.
    config = tmp_path / "feeds.toml"
    config.write_text(CONFIG)
    port = _free_port()
    command = [sys.executable, "-m", "wirestream", "feeds", "run", str(config), "--once"]
    command += ["--broker", "127.0.0.1:1", "--metrics-port", str(port)]
    env = {**os.environ, "WIRESTREAM_DATA_DIR": str(tmp_path / "data")}
    if how == "flag":
        command += ["--metrics-host", "127.0.0.2"]
    else:
        env["WIRESTREAM_METRICS_HOST"] = "127.0.0.2"
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, body = time.monotonic() + 15, None
        while body is None and time.monotonic() < deadline and process.poll() is None:
            body = _metrics("127.0.0.2", port)
            time.sleep(0.2)
        assert body is not None and b"wirestream_feed_next_poll_timestamp_seconds" in body
        assert _metrics("127.0.0.1", port) is None
    finally:
        process.kill()
        process.wait(timeout=10)
