"""Where the store is: ``--db``, else PLANFLOW_DATABASE_URL, else planflow.db in the working folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

DEFAULT_DATABASE = "planflow.db"
ENV_DATABASE_URL = "PLANFLOW_DATABASE_URL"


def database_url(option: str | None, environ: Mapping[str, str]) -> str:
    value = option or environ.get(ENV_DATABASE_URL) or DEFAULT_DATABASE
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).resolve()}"
