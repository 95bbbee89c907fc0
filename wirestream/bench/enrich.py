"""``wirestream bench enrich``: the enrich stage vs raw ``nlp.pipe``, same texts, same cores."""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import orjson

from agents.pool import NlpPool
from agents.resources import resource_loader
from pipeline.records import Incoming


class _Ceiling:
    nlp: Any = None


def _load_ceiling(model: str) -> None:
    from pipeline.nlp.model import load_model

    _Ceiling.nlp = load_model(model or None)


def _pipe(texts: list[str], batch_size: int) -> int:
    for _ in _Ceiling.nlp.pipe(texts, batch_size=batch_size):
        pass
    return len(texts)


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _rate(run_once: Any, count: int) -> float:
    began = time.perf_counter()
    await run_once()
    return count / (time.perf_counter() - began)


async def _measure(
    lines: list[bytes], texts: list[str], *, workers: int, model: str, batch: int, rounds: int
) -> tuple[list[float], list[float]]:
    """Interleave ceiling and stage rounds, so a noisy neighbour hurts both alike."""
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    messages = [
        Incoming(value=line, topic="bench", partition=0, offset=i) for i, line in enumerate(lines)
    ]
    now = datetime.now(UTC)
    pool = NlpPool(resource_loader(model), workers=workers, batch_size=32)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_load_ceiling, initargs=(model,)
    ) as ceiling_pool:

        async def ceiling() -> None:
            await asyncio.gather(
                *(
                    loop.run_in_executor(ceiling_pool, _pipe, chunk, 32)
                    for chunk in _chunks(texts, batch)
                )
            )

        async def stage() -> None:
            await asyncio.gather(
                *(pool.prepare(chunk, now=now) for chunk in _chunks(messages, batch))
            )

        try:
            await pool.start()
            await asyncio.gather(
                *(loop.run_in_executor(ceiling_pool, _pipe, texts[:8], 8) for _ in range(workers))
            )
            await pool.prepare(messages[:8], now=now)
            ceilings, stages = [], []
            for round_ in range(rounds):
                order = (ceiling, stage) if round_ % 2 == 0 else (stage, ceiling)
                for run_once in order:
                    rate = await _rate(run_once, len(texts))
                    (ceilings if run_once is ceiling else stages).append(rate)
            return ceilings, stages
        finally:
            pool.close()


def run_bench(
    lines: list[bytes], *, workers: int, model: str = "", batch: int = 64, rounds: int = 5
) -> dict[str, Any]:
    """Measure both rates in one run, interleaved, and return the figures.

    Args:
        lines: raw input lines.
        workers: processes for both the stage and the ceiling.
        model: spaCy model name ('' for the default).
        batch: articles per pool task (the agent's batch size).
        rounds: measured rounds of each.
    """
    from pipeline.text.normalize import normalize_batch

    messages = [
        Incoming(value=line, topic="bench", partition=0, offset=i) for i, line in enumerate(lines)
    ]
    articles, _ = normalize_batch(messages, now=datetime.now(UTC))
    texts = [a["text"] for a in articles]
    ceiling, stage = asyncio.run(
        _measure(lines, texts, workers=workers, model=model, batch=batch, rounds=rounds)
    )
    words = sum(len(t.split()) for t in texts)
    ratios = [s / c for s, c in zip(stage, ceiling, strict=True)]
    topics = _topic_rates(articles, batch=batch, rounds=rounds)
    return {
        "articles": len(lines),
        "workers": workers,
        "words_per_article": round(words / max(len(texts), 1), 1),
        "ceiling_articles_per_s": round(statistics.median(ceiling), 2),
        "enrich_articles_per_s": round(statistics.median(stage), 2),
        "ratio": round(statistics.median(ratios), 3),
        # the topic step alone, in this process (one core): its share of the enrich cost
        "topics_articles_per_s": round(statistics.median(topics), 1),
        "runs": {
            "ceiling": [round(r, 2) for r in ceiling],
            "enrich": [round(r, 2) for r in stage],
            "ratio": [round(r, 3) for r in ratios],
        },
    }


def _topic_rates(articles: list[Any], *, batch: int, rounds: int) -> list[float]:
    from pipeline.nlp.classifier import TopicClassifier, topic_text

    classifier = TopicClassifier.load()
    headed = [topic_text(a["title"], a["text"]) for a in articles]
    rates = []
    for _ in range(rounds):
        began = time.perf_counter()
        for chunk in _chunks(headed, batch):
            classifier.classify(chunk)
        rates.append(len(headed) / max(time.perf_counter() - began, 1e-9))
    return rates


def encode(result: dict[str, Any]) -> str:
    """One JSON line."""
    return orjson.dumps(result).decode()
