"""``wirestream bench e2e``: articles/s through a real broker and workers vs the NLP ceiling.

One run starts (or uses) a broker, starts N ``wirestream worker`` processes on a fresh topic
namespace, and interleaves rounds of the same texts through the pipeline (produced at full
speed) and through raw ``nlp.pipe`` + topic classification in as many processes as the
workers' pools hold. Then it produces at half the measured rate for a while and reads the
latency of each article from Kafka record timestamps (raw produce time to its record on
``news.articles.v1``). Peak RSS is each worker's and pool child's ``VmHWM``.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

# (partition, offset) of a raw input record: what articles and dead letters point back to
Origin = tuple[int, int]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile with linear interpolation between ranks (numpy's default).

    Args:
        values: the sample (not empty).
        q: percentile in [0, 100].
    """
    if not values:
        raise ValueError("percentile of an empty sample")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latencies_ms(produced: Mapping[Origin, int], arrived: Mapping[Origin, int]) -> list[float]:
    """Output timestamp minus produce timestamp of each produced input that came out.

    Args:
        produced: produce timestamp (ms) per input.
        arrived: timestamp (ms) of the first output record per input.
    """
    return [float(arrived[o] - ts) for o, ts in produced.items() if o in arrived]


def throughput(produced: Mapping[Origin, int], arrived: Mapping[Origin, int]) -> float:
    """Inputs per second from the first produce to the last of their outputs.

    Args:
        produced: produce timestamp (ms) per input.
        arrived: timestamp (ms) of the first output record per input (all must be there).
    """
    last = max(arrived[o] for o in produced)
    return len(produced) / max((last - min(produced.values())) / 1000, 1e-3)


def record_origin(record: Mapping[str, Any], raw_topic: str) -> Origin | None:
    """The raw input behind an output: ``origin`` of an article, ``source`` of a dead letter.

    Args:
        record: a decoded article or dead letter.
        raw_topic: the raw topic name.
    """
    origin = record.get("origin") or record.get("source")
    if not isinstance(origin, dict) or origin.get("topic") != raw_topic:
        return None
    return int(origin["partition"]), int(origin["offset"])


def vm_hwm_mb(pid: int, proc: Path = Path("/proc")) -> float | None:
    """Peak resident set size (``VmHWM``) of a process in MiB, None if it is gone.

    Args:
        pid: the process.
        proc: the proc file system (a folder of fake status files in tests).
    """
    with contextlib.suppress(OSError):
        for line in (proc / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int, proc: Path = Path("/proc")) -> float | None:
    """User + system CPU seconds a process has used so far, None if it is gone.

    Args:
        pid: the process.
        proc: the proc file system.
    """
    with contextlib.suppress(OSError, IndexError, ValueError):
        # fields after the ")" that closes the command name: utime and stime are the 12th, 13th
        fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


def descendants(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """Every live descendant of a process (children of all its threads, recursively).

    Args:
        pid: the root process.
        proc: the proc file system.
    """
    found: list[int] = []
    for task in (proc / str(pid) / "task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child), proc)]
    return found


# ---- the ceiling: raw nlp.pipe + topic classification in a process pool ----


class _Ceiling:
    resources: Any = None


def _load_ceiling(model: str) -> None:
    from agents.resources import load_resources

    _Ceiling.resources = load_resources(model)


def _nlp_and_topics(texts: list[str], headed: list[str], batch_size: int) -> int:
    for _ in _Ceiling.resources.nlp.pipe(texts, batch_size=batch_size):
        pass
    _Ceiling.resources.classifier.classify(headed)
    return len(texts)


def _shares(items: list[Any], parts: int) -> list[list[Any]]:
    # Equal shares, one per process: the best any scheduler could do with these texts.
    size = math.ceil(len(items) / parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


def ceiling_rate(
    pool: ProcessPoolExecutor, articles: list[dict[str, Any]], processes: int
) -> float:
    """Articles/s of nlp.pipe + classification on the articles' texts, split over the pool.

    Args:
        pool: processes that ran ``_load_ceiling``.
        articles: normalized articles (``title``, ``text``).
        processes: the pool's size.
    """
    texts = [a["text"] for a in articles]
    headed = [f"{a['title']}\n\n{a['text']}" for a in articles]
    began = time.perf_counter()
    futures = [
        pool.submit(_nlp_and_topics, t, h, 32)
        for t, h in zip(_shares(texts, processes), _shares(headed, processes), strict=True)
    ]
    done = sum(f.result() for f in futures)
    return done / (time.perf_counter() - began)


# ---- the cluster under test: broker, workers, producer, output reader ----


@dataclass
class Worker:
    """A ``wirestream worker`` subprocess in its own process group."""

    proc: subprocess.Popen[bytes]
    web_port: int
    log: Path

    def ready(self) -> bool:
        """True once its /ready view answers 200 (model loaded, tables recovered)."""
        url = f"http://127.0.0.1:{self.web_port}/ready"
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            return bool(response.status == 200)
        return False

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL what is left (pool children included)."""
        for sig, wait in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 10.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=wait)

    def tail(self, lines: int = 30) -> str:
        """The end of its log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_worker(bootstrap: str, data_dir: Path, env: Mapping[str, str]) -> Worker:
    """Start one worker with its own data dir and web port.

    Args:
        bootstrap: bootstrap servers.
        data_dir: its table state and log.
        env: ``WIRESTREAM_*`` settings on top of the bench's environment.
    """
    from deploy.config import free_port
    from wirestream.workers import spawn_worker

    port, log = free_port(), data_dir / "worker.log"
    proc = spawn_worker(bootstrap, data_dir, web_port=port, env=env, log=log)
    return Worker(proc, port, log)


def produce(
    client: Any, topic: str, lines: Sequence[bytes], *, partitions: int, rate: float | None = None
) -> dict[Origin, int]:
    """Send lines round-robin over partitions, at full speed or paced; return produce times.

    Args:
        client: a kafka-python producer.
        topic: the raw topic.
        lines: raw records.
        partitions: the raw topic's partitions.
        rate: records per second (None: as fast as possible).
    """
    began = time.monotonic()
    futures = []
    for n, line in enumerate(lines):
        if rate:
            time.sleep(max(0.0, began + n / rate - time.monotonic()))
        futures.append(client.send(topic, value=line, partition=n % partitions))
    client.flush()
    sent = [f.get(timeout=60) for f in futures]
    return {(m.partition, m.offset): m.timestamp for m in sent}


class Arrivals:
    """Reads the output topics from the start and keeps each input's first output time."""

    def __init__(self, bootstrap: str, *, raw: str, outputs: Iterable[str], events: str) -> None:
        """Assign every partition of the output topics (they must exist).

        Args:
            bootstrap: bootstrap servers.
            raw: the raw topic (outputs point back to it).
            outputs: topics where each input ends (articles, dead letters).
            events: the events topic (its records are counted by offsets, never read).
        """
        from kafka import KafkaConsumer, TopicPartition

        from wirestream.kafka import client_security

        self.raw, self.events_topic = raw, events
        self.seen: dict[Origin, int] = {}
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            # kafka-python checks CRCs in pure Python (~1 ms per 10 KB): CPU the pipeline needs
            check_crcs=False,
            # fewer, fuller fetches; arrival times come from record timestamps, not from here
            fetch_min_bytes=65_536,
            fetch_max_wait_ms=200,
            **client_security(),
        )
        assigned = [
            TopicPartition(t, p)
            for t in outputs
            for p in sorted(self._consumer.partitions_for_topic(t) or ())
        ]
        self._consumer.assign(assigned)
        self._consumer.seek_to_beginning(*assigned)

    @property
    def events(self) -> int:
        """Records on the events topic so far (end offsets: the topic is new for each run)."""
        from kafka import TopicPartition

        parts = self._consumer.partitions_for_topic(self.events_topic) or ()
        ends = self._consumer.end_offsets([TopicPartition(self.events_topic, p) for p in parts])
        return sum(ends.values())

    def wait_for(
        self,
        origins: Iterable[Origin],
        *,
        timeout: float,
        workers: Sequence[Worker],
    ) -> dict[Origin, int]:
        """Poll until every origin has an output; return their output timestamps.

        Args:
            origins: the inputs to wait for.
            timeout: seconds before giving up.
            workers: checked for early death.
        """
        wanted = set(origins)
        deadline = time.monotonic() + timeout
        while not wanted <= self.seen.keys():
            dead = [w for w in workers if w.proc.poll() is not None]
            if dead or time.monotonic() > deadline:
                missing = len(wanted - self.seen.keys())
                raise RuntimeError(
                    f"{missing} of {len(wanted)} inputs never came out\n"
                    + (dead or list(workers))[0].tail()
                )
            self._poll()
        return {o: self.seen[o] for o in wanted}

    def _poll(self) -> None:
        for records in self._consumer.poll(timeout_ms=500).values():
            for record in records:
                origin = record_origin(orjson.loads(record.value), self.raw)
                if origin is not None and origin not in self.seen:
                    self.seen[origin] = record.timestamp

    def close(self) -> None:
        """Close the consumer."""
        self._consumer.close()


# ---- one bench run ----


@dataclass(frozen=True)
class Options:
    """What one ``bench e2e`` run measures, and with how many processes."""

    articles: int = 200
    workers: int = 2
    pool_size: int = 1
    partitions: int = 4
    rounds: int = 3
    latency_seconds: float = 20.0
    bootstrap: str = ""
    model: str = ""
    warmup: int = 16
    timeout: float = 300.0

    @property
    def nlp_processes(self) -> int:
        """NLP processes on both sides of the comparison."""
        return self.workers * self.pool_size


def _warm(text: str) -> bool:
    _nlp_and_topics([text], [text], 1)
    time.sleep(1.0)  # holds this process, so every process of the pool gets one warm-up task
    return True


@contextlib.contextmanager
def _broker(bootstrap: str, folder: Path) -> Iterator[tuple[str, int | None]]:
    if bootstrap:
        yield bootstrap, None
        return
    from deploy import broker
    from deploy.config import free_ports

    port, controller_port = free_ports(2)
    info = broker.start(
        folder / "broker", port=port, controller_port=controller_port, timeout=180.0
    )
    try:
        yield info.bootstrap, info.pid
    finally:
        broker.remove(folder / "broker")


@contextlib.contextmanager
def _workers(
    bootstrap: str,
    folder: Path,
    env: Mapping[str, str],
    count: int,
) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    try:
        for n in range(count):
            started.append(start_worker(bootstrap, folder / f"worker{n}", env))
        yield started
    finally:
        for worker in started:
            worker.stop()


def _wait_ready(workers: Sequence[Worker], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not all(w.ready() for w in workers):
        dead = [w for w in workers if w.proc.poll() is not None]
        if dead or time.monotonic() > deadline:
            raise RuntimeError("worker not ready\n" + (dead or list(workers))[0].tail())
        time.sleep(0.5)


def process_names(workers: Sequence[Worker], broker_pid: int | None) -> dict[str, int]:
    """A name per process under test: ``workerN``, ``workerN.childK`` (pool), ``broker``.

    Args:
        workers: the running workers.
        broker_pid: the broker the bench started, if any.
    """
    names = {"broker": broker_pid} if broker_pid else {}
    for n, worker in enumerate(workers):
        for k, pid in enumerate([worker.proc.pid, *descendants(worker.proc.pid)]):
            names[f"worker{n}" + (f".child{k}" if k else "")] = pid
    return names


def peak_rss(names: Mapping[str, int]) -> dict[str, float]:
    """``VmHWM`` in MiB of each named process still alive.

    Args:
        names: name -> pid.
    """
    peaks = {name: vm_hwm_mb(pid) for name, pid in names.items()}
    return {name: round(mb, 1) for name, mb in peaks.items() if mb is not None}


def cpu_used(names: Mapping[str, int], before: Mapping[str, float]) -> dict[str, float]:
    """CPU seconds each named process used since ``before`` was taken.

    Args:
        names: name -> pid.
        before: name -> CPU seconds at the start (missing: 0).
    """
    now = {name: cpu_seconds(pid) for name, pid in names.items()}
    return {n: round(s - before.get(n, 0.0), 2) for n, s in now.items() if s is not None}


def _normalized(lines: Sequence[bytes]) -> list[dict[str, Any]]:
    from pipeline.records import Incoming
    from pipeline.text.normalize import normalize_batch

    messages = [
        Incoming(value=v, topic="bench", partition=0, offset=i) for i, v in enumerate(lines)
    ]
    articles, _ = normalize_batch(messages, now=datetime.now(UTC))
    return [dict(a) for a in articles]


@dataclass
class _Session:
    """What the measured part of a run talks to."""

    options: Options
    client: Any
    arrivals: Arrivals
    workers: list[Worker]
    pool: ProcessPoolExecutor
    raw_topic: str
    # processes to account CPU for, and what they used while only the ceiling ran
    names: dict[str, int] = field(default_factory=dict)
    idle_cpu: dict[str, float] = field(default_factory=dict)
    # what they used during the pipeline rounds, and the ceiling's processes in its rounds
    stage_cpu: dict[str, float] = field(default_factory=dict)
    ceiling_pids: dict[str, int] = field(default_factory=dict)
    ceiling_cpu: dict[str, float] = field(default_factory=dict)
    stage_seconds: float = 0.0

    def stage(
        self, lines: Sequence[bytes], *, rate: float | None = None
    ) -> tuple[dict[Origin, int], dict[Origin, int]]:
        """Produce lines and wait for all their outputs: produce and output times (ms)."""
        options = self.options
        sent = produce(self.client, self.raw_topic, lines, partitions=options.partitions, rate=rate)
        return sent, self.arrivals.wait_for(sent, timeout=options.timeout, workers=self.workers)

    def rounds(
        self, chunks: Sequence[Sequence[bytes]], normalized: Sequence[list[dict[str, Any]]]
    ) -> tuple[list[float], list[float]]:
        """Pipeline and ceiling rates per chunk, alternating which goes first."""
        stages, ceilings = [], []
        for r, (chunk, texts) in enumerate(zip(chunks, normalized, strict=True)):
            for step in ("stage", "ceiling") if r % 2 else ("ceiling", "stage"):
                if step == "stage":
                    with _accounted(self.names, self.stage_cpu):
                        began = time.monotonic()
                        stages.append(throughput(*self.stage(chunk)))
                        self.stage_seconds += time.monotonic() - began
                else:
                    with (
                        _accounted(self.names, self.idle_cpu),
                        _accounted(self.ceiling_pids, self.ceiling_cpu),
                    ):
                        ceilings.append(ceiling_rate(self.pool, texts, self.options.nlp_processes))
        return stages, ceilings


@contextlib.contextmanager
def _accounted(names: Mapping[str, int], into: dict[str, float]) -> Iterator[None]:
    # Adds the CPU seconds each named process uses inside the block to ``into``.
    before = cpu_used(names, {})
    yield
    for name, used in cpu_used(names, before).items():
        into[name] = round(into.get(name, 0.0) + used, 2)


def cpu_per_article(
    stage_cpu: Mapping[str, float], ceiling_cpu: Mapping[str, float], articles: int
) -> dict[str, Any]:
    """CPU ms per article of each process in the pipeline rounds, and the ceiling's.

    Args:
        stage_cpu: CPU seconds per process during the pipeline rounds.
        ceiling_cpu: CPU seconds per ceiling process during the ceiling rounds.
        articles: articles per side (the same texts went through both).
    """
    per = {name: round(1000 * s / articles, 1) for name, s in stage_cpu.items()}
    pipeline, ceiling = sum(stage_cpu.values()), sum(ceiling_cpu.values())
    return {
        "cpu_ms_per_article": per,
        "pipeline_cpu_ms_per_article": round(1000 * pipeline / articles, 1),
        "ceiling_cpu_ms_per_article": round(1000 * ceiling / articles, 1),
        # the ratio two dedicated cores would give: less noisy than the rates on a shared machine
        "cpu_ratio": round(ceiling / pipeline, 3) if pipeline else None,
    }


def _measure(options: Options, folder: Path, run_id: str) -> dict[str, Any]:
    from config.settings import Settings
    from wirestream.bench.corpus import raw_lines
    from wirestream.kafka import ensure_topics, producer

    env = {
        "WIRESTREAM_APP_ID": run_id,
        "WIRESTREAM_TOPIC_NAMESPACE": f"{run_id}.",
        "WIRESTREAM_RAW_PARTITIONS": str(options.partitions),
        "WIRESTREAM_POOL_SIZE": str(options.pool_size),
        "WIRESTREAM_MODEL": options.model,
    }
    warm, per_round = options.warmup, options.articles
    lines = raw_lines(warm + per_round * options.rounds)
    chunks = [lines[warm + r * per_round :][:per_round] for r in range(options.rounds)]
    with (
        _broker(options.bootstrap, folder) as (bootstrap, broker_pid),
        _ceiling_pool(options) as pool,
    ):
        settings = Settings.from_env(env, broker=bootstrap)
        topics = settings.topic_names
        ensure_topics(bootstrap, settings)
        with _workers(bootstrap, folder, env, options.workers) as workers:
            # the ceiling pool loads its models while the workers load theirs
            warming = [pool.submit(_warm, "Warm up.") for _ in range(options.nlp_processes)]
            _wait_ready(workers, options.timeout)
            for future in warming:
                future.result()
            ceiling_pids = {f"ceiling{k}": pid for k, pid in enumerate(ceiling_processes(pool))}
            arrivals = Arrivals(
                bootstrap,
                raw=topics.raw,
                outputs=(topics.articles, topics.deadletter),
                events=topics.events,
            )
            try:
                with producer(bootstrap) as client:
                    run = _Session(options, client, arrivals, workers, pool, topics.raw)
                    run.stage(lines[:warm])
                    names = {**process_names(workers, broker_pid), "bench": os.getpid()}
                    run.names, run.ceiling_pids = names, ceiling_pids
                    # the ceiling's input, prepared before any CPU is accounted
                    normalized = [_normalized(chunk) for chunk in chunks]
                    cpu_before, began = cpu_used(names, {}), time.monotonic()
                    stages, ceilings = run.rounds(chunks, normalized)
                    rate = statistics.median(stages) / 2
                    used = len(lines)
                    paced = raw_lines(used + max(10, round(rate * options.latency_seconds)))
                    latencies = latencies_ms(*run.stage(paced[used:], rate=rate))
                rss = peak_rss({n: p for n, p in names.items() if n.startswith("worker")})
                cpu = {**cpu_used(names, cpu_before), "wall": round(time.monotonic() - began, 1)}
                events = arrivals.events
            finally:
                arrivals.close()
    words = statistics.mean(len(a["text"].split()) for texts in normalized for a in texts)
    return {
        **_summary(options, stages, ceilings, rate, latencies),
        "words_per_article": round(words, 1),
        "peak_rss_mb": max(rss.values()),
        "rss_mb": rss,
        "event_records": events,
        # CPU seconds per process while measuring (the ceiling's pool is not counted)
        "cpu_s": cpu,
        # of which while the pipeline had nothing to do (ceiling rounds)
        "cpu_s_idle": run.idle_cpu,
        **cpu_per_article(run.stage_cpu, run.ceiling_cpu, options.articles * options.rounds),
        # wall time of the pipeline rounds: CPU / this = each process's share of a core
        "stage_s": round(run.stage_seconds, 1),
    }


def ceiling_processes(pool: ProcessPoolExecutor) -> list[int]:
    """Pids of the ceiling pool's processes (all started by the warm-up's submits).

    Args:
        pool: the ceiling's process pool.
    """
    # A warm-up task does not pin one process each (a slow loader lets another take two).
    return sorted(pool._processes or {})


@contextlib.contextmanager
def _ceiling_pool(options: Options) -> Iterator[ProcessPoolExecutor]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        options.nlp_processes,
        mp_context=context,
        initializer=_load_ceiling,
        initargs=(options.model,),
    ) as pool:
        yield pool


def _summary(
    options: Options,
    stages: list[float],
    ceilings: list[float],
    rate: float,
    latencies: list[float],
) -> dict[str, Any]:
    ratios = [s / c for s, c in zip(stages, ceilings, strict=True)]
    return {
        "workers": options.workers,
        "pool_size": options.pool_size,
        "nlp_processes": options.nlp_processes,
        "partitions": options.partitions,
        "articles_per_round": options.articles,
        "rounds": options.rounds,
        "articles_per_s": round(statistics.median(stages), 2),
        "ceiling_articles_per_s": round(statistics.median(ceilings), 2),
        "ratio": round(statistics.median(ratios), 3),
        "latency_rate_per_s": round(rate, 2),
        "latency_articles": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "runs": {
            "stage": [round(s, 2) for s in stages],
            "ceiling": [round(c, 2) for c in ceilings],
            "ratio": [round(r, 3) for r in ratios],
        },
    }


def run_bench(options: Options) -> dict[str, Any]:
    """One full run: broker (unless given), workers, interleaved rounds, latency, RSS.

    Args:
        options: sizes and process counts.
    """
    run_id = f"bench-e2e-{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp(prefix=f"{run_id}-"))
    began = time.monotonic()
    try:
        result = _measure(options, folder, run_id)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {**result, "seconds": round(time.monotonic() - began, 1)}


def add_bench_parser(bench_subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``bench e2e`` on the ``bench`` subcommand's targets.

    Args:
        bench_subparsers: what ``add_subparsers`` returned for ``bench``.
    """
    parser = bench_subparsers.add_parser(
        "e2e", help="articles/s through a broker and workers vs nlp.pipe, latency, RSS"
    )
    defaults = Options()
    parser.add_argument("--articles", type=int, default=defaults.articles, help="per round")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="worker processes")
    parser.add_argument(
        "--pool-size", type=int, default=defaults.pool_size, help="NLP processes per worker"
    )
    parser.add_argument("--partitions", type=int, default=defaults.partitions)
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=defaults.latency_seconds,
        help="how long to produce at half the measured rate",
    )
    parser.add_argument("--bootstrap", default="", help="use this broker instead of starting one")
    parser.add_argument("--model", default="")
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Print a summary, then the figures as one JSON line."""
    options = Options(
        articles=args.articles,
        workers=args.workers,
        pool_size=args.pool_size,
        partitions=args.partitions,
        rounds=args.rounds,
        latency_seconds=args.latency_seconds,
        bootstrap=args.bootstrap,
        model=args.model,
    )
    result = run_bench(options)
    print(
        f"e2e {result['articles_per_s']}/s vs nlp.pipe+topics "
        f"{result['ceiling_articles_per_s']}/s ({options.nlp_processes} NLP processes), "
        f"p50 {result['p50_ms']} ms p99 {result['p99_ms']} ms at "
        f"{result['latency_rate_per_s']}/s, peak RSS {result['peak_rss_mb']} MiB"
    )
    print(orjson.dumps(result).decode())
    return 0
