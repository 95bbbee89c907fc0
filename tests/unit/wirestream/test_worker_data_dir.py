"""``wirestream worker`` with a data dir that does not exist yet, or cannot exist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _worker(data_dir: Path, timeout: float) -> tuple[int | None, str]:
    # No broker listens on port 1: the worker gets as far as connecting, then stops.
    env = {**os.environ, "WIRESTREAM_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "wirestream", "worker", "--broker", "127.0.0.1:1"]
    command += ["--web-port", "16999", "--pool-size", "1"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        return done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        out = (expired.stdout or b"") + (expired.stderr or b"")
        return None, out.decode(errors="replace") if isinstance(out, bytes) else out


@pytest.mark.slow  # the worker loads its spaCy model before it reaches the broker
def test_a_new_nested_data_dir_is_created(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    _, output = _worker(data_dir, timeout=60)
    assert "FileNotFoundError" not in output
    assert "Unable to bootstrap" in output  # it got as far as the broker
    assert (data_dir / "faust").is_dir()


@pytest.mark.pure
def test_an_impossible_data_dir_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, output = _worker(blocker / "data", timeout=60)
    assert code == 2
    assert (
        output.strip()
        == f"wirestream worker: cannot use data dir {blocker / 'data'}: Not a directory"
    )
