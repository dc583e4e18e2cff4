"""The web app's settings, passed in whole: nothing below reads the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from planflow.settings import database_url

DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024
ENV_SECRET = "PLANFLOW_SECRET_KEY"
ENV_UPLOAD_DIR = "PLANFLOW_UPLOAD_DIR"
ENV_MAX_UPLOAD = "PLANFLOW_MAX_UPLOAD_BYTES"


@dataclass(frozen=True)
class WebSettings:
    database_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    upload_dir: Path = Path("uploads")
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    token_max_age: int = 8 * 3600
    session_max_age: int = 12 * 3600
    secure_cookies: bool = False

    @classmethod
    def from_env(
        cls, db_option: str | None, environ: Mapping[str, str] = os.environ
    ) -> WebSettings:
        """``--db`` / PLANFLOW_DATABASE_URL as in the CLI; the rest from PLANFLOW_* variables."""
        secret = environ.get(ENV_SECRET) or secrets.token_urlsafe(32)
        upload = Path(environ.get(ENV_UPLOAD_DIR, "uploads")).resolve()
        size = int(environ.get(ENV_MAX_UPLOAD, str(DEFAULT_MAX_UPLOAD)))
        return cls(
            database_url=database_url(db_option, environ),
            secret_key=secret,
            upload_dir=upload,
            max_upload_bytes=size,
        )
