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
    from pipeline.nlp import load_model

    _Ceiling.nlp = load_model(model or None)


def _pipe(texts: list[str], batch_size: int) -> int:
    for _ in _Ceiling.nlp.pipe(texts, batch_size=batch_size):
        pass
    return len(texts)


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _ceiling_rate(texts: list[str], *, workers: int, model: str, batch: int) -> list[float]:
    context = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_load_ceiling, initargs=(model,)
    ) as pool:
        await asyncio.gather(
            *(loop.run_in_executor(pool, _pipe, texts[:8], 8) for _ in range(workers))
        )
        rates = []
        for _ in range(3):
            began = time.perf_counter()
            await asyncio.gather(
                *(loop.run_in_executor(pool, _pipe, chunk, 32) for chunk in _chunks(texts, batch))
            )
            rates.append(len(texts) / (time.perf_counter() - began))
        return rates


async def _stage_rate(lines: list[bytes], *, workers: int, model: str, batch: int) -> list[float]:
    pool = NlpPool(resource_loader(model), workers=workers, batch_size=32)
    await pool.start()
    messages = [
        Incoming(value=line, topic="bench", partition=0, offset=i) for i, line in enumerate(lines)
    ]
    now = datetime.now(UTC)
    try:
        await pool.prepare(messages[:8], now=now)
        rates = []
        for _ in range(3):
            began = time.perf_counter()
            await asyncio.gather(
                *(pool.prepare(chunk, now=now) for chunk in _chunks(messages, batch))
            )
            rates.append(len(messages) / (time.perf_counter() - began))
        return rates
    finally:
        pool.close()


def run_bench(
    lines: list[bytes], *, workers: int, model: str = "", batch: int = 64
) -> dict[str, Any]:
    """Measure both rates in one run and return the figures.

    Args:
        lines: raw input lines.
        workers: processes for both the stage and the ceiling.
        model: spaCy model name ('' for the default).
        batch: articles per pool task (the agent's batch size).
    """
    from pipeline.normalize import normalize_batch

    messages = [
        Incoming(value=line, topic="bench", partition=0, offset=i) for i, line in enumerate(lines)
    ]
    articles, _ = normalize_batch(messages, now=datetime.now(UTC))
    texts = [a["text"] for a in articles]
    ceiling = asyncio.run(_ceiling_rate(texts, workers=workers, model=model, batch=batch))
    stage = asyncio.run(_stage_rate(lines, workers=workers, model=model, batch=batch))
    words = sum(len(t.split()) for t in texts)
    return {
        "articles": len(lines),
        "workers": workers,
        "words_per_article": round(words / max(len(texts), 1), 1),
        "ceiling_articles_per_s": round(statistics.median(ceiling), 2),
        "enrich_articles_per_s": round(statistics.median(stage), 2),
        "ratio": round(statistics.median(stage) / statistics.median(ceiling), 3),
        "runs": {"ceiling": [round(r, 2) for r in ceiling], "enrich": [round(r, 2) for r in stage]},
    }


def encode(result: dict[str, Any]) -> str:
    """One JSON line."""
    return orjson.dumps(result).decode()
