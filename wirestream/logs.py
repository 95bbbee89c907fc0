"""Structured logging: JSON lines with the article id and stage on every line about an article."""

from __future__ import annotations

import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

import orjson

FORMATS = ("text", "json")
# Fields a log call may pass in ``extra`` that belong in the JSON line.
CONTEXT_FIELDS = (
    "article_id",
    "stage",
    "event_id",
    "reason",
    "duplicate_kind",
    "source",
    "topic",
    "partition",
    "offset",
)
LEVELS = {"crit": "CRITICAL", "error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any article context."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a single JSON line."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def logging_config(fmt: str, level: str = "info") -> dict[str, Any] | None:
    """A ``logging.config.dictConfig`` mapping for ``fmt`` (None: keep Faust's own text logs).

    Args:
        fmt: ``text`` or ``json``.
        level: ``crit``, ``error``, ``warn``, ``info`` or ``debug`` (or a logging level name).
    """
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {FORMATS}, not {fmt!r}")
    if fmt == "text":
        return None
    name = LEVELS.get(level, level.upper())
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
                "level": name,
            },
        },
        "root": {"level": name, "handlers": ["json"]},
    }


def setup_logging(fmt: str = "text", level: str = "info") -> None:
    """Configure the root logger for a command that is not a Faust worker.

    Args:
        fmt: ``text`` or ``json``.
        level: as for ``logging_config``.
    """
    config = logging_config(fmt, level)
    if config is None:
        logging.basicConfig(
            level=LEVELS.get(level, level.upper()),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    else:
        logging.config.dictConfig(config)
