"""`wirestream bench e2e`: the measurement helpers (percentiles, latency and rate bookkeeping)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from wirestream.bench import e2e

pytestmark = pytest.mark.pure


@pytest.mark.parametrize("q", [0, 1, 25, 50, 90, 99, 100])
@pytest.mark.parametrize("size", [1, 2, 7, 100, 1001])
def test_percentile_agrees_with_numpy(q: float, size: int) -> None:
    values = list(np.random.default_rng(size).exponential(300.0, size))
    assert e2e.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        e2e.percentile([], 50)


def test_latency_is_output_time_minus_produce_time_for_inputs_that_came_out() -> None:
    produced = {(0, 0): 1_000, (1, 0): 1_010, (0, 1): 1_020}
    arrived = {(0, 0): 1_900, (1, 0): 2_510, (3, 9): 5_000}
    assert sorted(e2e.latencies_ms(produced, arrived)) == [900.0, 1500.0]


def test_throughput_runs_from_first_produce_to_last_output() -> None:
    produced = {(p, o): 10_000 + 10 * o for p in range(2) for o in range(5)}
    arrived = {origin: ts + 500 for origin, ts in produced.items()}
    arrived[(1, 4)] = 12_000  # the slowest one decides: 10 inputs in 2 s
    arrived[(9, 9)] = 99_000  # an output of some other phase does not count
    assert e2e.throughput(produced, arrived) == pytest.approx(5.0)


def test_throughput_needs_every_output() -> None:
    with pytest.raises(KeyError):
        e2e.throughput({(0, 0): 1, (0, 1): 2}, {(0, 0): 3})


def test_record_origin_reads_articles_and_dead_letters_of_the_raw_topic() -> None:
    article = {"article_id": "a", "origin": {"topic": "ns.raw", "partition": 2, "offset": 17}}
    dead = {"stage": "normalize", "source": {"topic": "ns.raw", "partition": 0, "offset": 3}}
    other = {"origin": {"topic": "elsewhere", "partition": 0, "offset": 1}}
    assert e2e.record_origin(article, "ns.raw") == (2, 17)
    assert e2e.record_origin(dead, "ns.raw") == (0, 3)
    assert e2e.record_origin(other, "ns.raw") is None
    assert e2e.record_origin({"event_id": "e"}, "ns.raw") is None


def test_vm_hwm_is_read_from_the_status_file(tmp_path: Path) -> None:
    (tmp_path / "42").mkdir()
    status = "Name:\tpython\nVmPeak:\t 900 kB\nVmHWM:\t  524288 kB\n"
    (tmp_path / "42" / "status").write_text(status)
    assert e2e.vm_hwm_mb(42, tmp_path) == 512.0
    assert e2e.vm_hwm_mb(43, tmp_path) is None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_vm_hwm_of_this_process_is_at_least_its_current_rss() -> None:
    status = Path("/proc/self/status").read_text()
    rss_kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])
    peak = e2e.vm_hwm_mb(os.getpid())
    assert peak is not None and peak >= rss_kb / 1024 * 0.99


def test_cpu_seconds_add_user_and_system_time(tmp_path: Path) -> None:
    (tmp_path / "7").mkdir()
    ticks = os.sysconf("SC_CLK_TCK")
    # a command name with spaces and a ")" must not shift the fields
    fields = ["S", *["0"] * 10, str(3 * ticks), str(ticks), *["0"] * 30]
    (tmp_path / "7" / "stat").write_text("7 (odd) name) " + " ".join(fields) + "\n")
    assert e2e.cpu_seconds(7, tmp_path) == pytest.approx(4.0)
    assert e2e.cpu_seconds(8, tmp_path) is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_cpu_used_counts_only_what_ran_since_the_snapshot() -> None:
    names = {"me": os.getpid(), "gone": 2**22 + 1}
    before = e2e.cpu_used(names, {})
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    used = e2e.cpu_used(names, before)
    assert set(used) == {"me"} and 0.2 <= used["me"] <= 2.0


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_descendants_finds_children_and_grandchildren() -> None:
    # a child that starts a grandchild, then both sleep
    script = "import subprocess,sys,time; subprocess.Popen(['sleep','30']); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 10
        grandchildren: list[int] = []
        while time.monotonic() < deadline and not grandchildren:
            grandchildren = e2e.descendants(child.pid)
            time.sleep(0.05)
        found = e2e.descendants(os.getpid())  # other tests may have left children: fine
        assert child.pid in found
        assert len(grandchildren) == 1 and grandchildren[0] in found
    finally:
        for pid in e2e.descendants(child.pid):
            os.kill(pid, 9)
        child.kill()
        child.wait()


class _Recorder:
    """A stand-in Kafka client that records sends and hands out offsets per partition."""

    def __init__(self) -> None:
        self.sends: list[tuple[float, int]] = []
        self.offsets: dict[int, int] = {}

    def send(self, topic: str, *, value: bytes, partition: int) -> Any:
        now = time.time()
        # the span is measured on the clock the pacing uses: the wall clock may be slewed
        self.sends.append((time.monotonic(), partition))
        offset = self.offsets.get(partition, 0)
        self.offsets[partition] = offset + 1
        meta = SimpleNamespace(partition=partition, offset=offset, timestamp=int(now * 1000))
        return SimpleNamespace(get=lambda timeout: meta)

    def flush(self) -> None:
        pass


def test_produce_spreads_lines_round_robin_and_returns_each_produce_time() -> None:
    client = _Recorder()
    sent = e2e.produce(client, "raw", [b"x"] * 10, partitions=4)
    assert sorted(sent) == sorted(
        [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (3, 0), (3, 1)]
    )
    assert [p for _, p in client.sends] == [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]


def test_paced_produce_holds_the_rate() -> None:
    client = _Recorder()
    e2e.produce(client, "raw", [b"x"] * 11, partitions=1, rate=100.0)
    times = [t for t, _ in client.sends]
    # 11 sends at 100/s cannot span less than 0.1 s, however late the first one was
    assert times[-1] - times[0] >= 0.095


def test_shares_split_evenly_and_keep_every_item() -> None:
    items = list(range(301))
    shares = e2e._shares(items, 2)
    assert [len(s) for s in shares] == [151, 150]
    assert [x for s in shares for x in s] == items


def test_bench_e2e_registers_on_the_bench_targets() -> None:
    parser = argparse.ArgumentParser()
    targets = parser.add_subparsers(dest="target", required=True)
    e2e.add_bench_parser(targets)
    args = parser.parse_args(["e2e", "--workers", "1", "--pool-size", "2", "--rounds", "5"])
    assert args.func is e2e.run_command
    assert (args.workers, args.pool_size, args.rounds) == (1, 2, 5)
    assert e2e.Options(workers=args.workers, pool_size=args.pool_size).nlp_processes == 2


def test_cpu_per_article_compares_all_pipeline_processes_with_the_ceiling() -> None:
    stage = {"worker0": 2.0, "worker0.child1": 8.0, "broker": 1.0, "bench": 1.0}
    figures = e2e.cpu_per_article(stage, {"ceiling0": 4.5, "ceiling1": 4.5}, 200)
    assert figures["cpu_ms_per_article"] == {
        "worker0": 10.0,
        "worker0.child1": 40.0,
        "broker": 5.0,
        "bench": 5.0,
    }
    assert figures["pipeline_cpu_ms_per_article"] == 60.0
    assert figures["ceiling_cpu_ms_per_article"] == 45.0
    assert figures["cpu_ratio"] == 0.75


def test_ceiling_processes_are_every_process_of_the_pool() -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        # one task may run both times in one process; the accounting must still see both
        assert sorted(pool.map(abs, [-1, -2])) == [1, 2]
        pids = e2e.ceiling_processes(pool)
        assert len(pids) == 2 and os.getpid() not in pids
        assert all(e2e.cpu_seconds(pid) is not None for pid in pids)
