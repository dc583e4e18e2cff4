"""Logs for the long-running processes (``planflow serve``, ``planflow run``): one line per
record, as text or as JSON (``--log-format json|text``, or PLANFLOW_LOG_FORMAT).

A JSON line carries ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, the
``request_id`` of the HTTP request being served (X-Request-ID; web/observe.py) when there is one,
and any fields passed as ``extra={"fields": {...}}``. docs/operations.md lists them.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
ENV_LOG_FORMAT = "PLANFLOW_LOG_FORMAT"

request_id: ContextVar[str | None] = ContextVar("planflow_request_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            line["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = request_id.get()
        fields = getattr(record, "fields", None)
        extra = (
            " ".join(f"{k}={v}" for k, v in fields.items()) if isinstance(fields, Mapping) else ""
        )
        parts = [text, f"request_id={rid}" if rid else "", extra]
        return " ".join(p for p in parts if p)


def log_format(option: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``--log-format``, else PLANFLOW_LOG_FORMAT, else text; anything else is refused."""
    value = (option or environ.get(ENV_LOG_FORMAT) or "text").lower()
    if value not in FORMATS:
        raise ValueError(value)
    return value


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else TextFormatter()


def dict_config(fmt: str, level: str = "INFO") -> dict[str, Any]:
    """A logging configuration (for ``logging.config.dictConfig`` and uvicorn's ``log_config``):
    everything, uvicorn's own loggers included, to stderr in ``fmt``."""
    handler = {"class": "logging.StreamHandler", "formatter": fmt, "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": f"{__name__}.JsonFormatter"},
            "text": {"()": f"{__name__}.TextFormatter"},
        },
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            **{
                name: {"handlers": [], "level": level, "propagate": True}
                for name in ("uvicorn", "uvicorn.error")
            },
            # planflow.access writes one line per request, with its id; alembic, APScheduler
            # and httpx (a webhook POST each) say only what goes wrong.
            **{
                name: {"handlers": [], "level": "WARNING", "propagate": True}
                for name in ("uvicorn.access", "alembic", "apscheduler", "httpx", "httpcore")
            },
        },
    }


def configure(fmt: str, level: str = "INFO") -> None:
    import logging.config

    logging.config.dictConfig(dict_config(fmt, level))
