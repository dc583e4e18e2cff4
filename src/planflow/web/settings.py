"""The web app's settings, passed in whole: nothing below reads the environment.

``from_env`` fails fast: outside ``--demo`` a missing PLANFLOW_SECRET_KEY is an error at start-up,
never a secret invented on the quiet (sign-ins would die on every restart and differ between
processes). Session cookies are ``Secure`` by default outside ``--demo`` (PLANFLOW_SECURE_COOKIES=0
turns that off for a plain-http deployment).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from planflow.domain.errors import InvalidArgument
from planflow.settings import database_url

DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024
ENV_SECRET = "PLANFLOW_SECRET_KEY"
ENV_UPLOAD_DIR = "PLANFLOW_UPLOAD_DIR"
ENV_MAX_UPLOAD = "PLANFLOW_MAX_UPLOAD_BYTES"
ENV_SECURE_COOKIES = "PLANFLOW_SECURE_COOKIES"
ENV_METRICS_TOKEN = "PLANFLOW_METRICS_TOKEN"
ENV_READY_MAX_TICK_LAG = "PLANFLOW_READY_MAX_TICK_LAG"
DEFAULT_READY_MAX_TICK_LAG = 600  # seconds; 10 missed ticks at the default interval
ENV_SESSION_CACHE = "PLANFLOW_SESSION_CACHE_SECONDS"
DEFAULT_SESSION_CACHE = 2  # seconds (application/session_cache.py)
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


class SettingsError(InvalidArgument):
    """A setting that is missing or malformed: the server does not start."""


@dataclass(frozen=True)
class WebSettings:
    """Constructed explicitly (tests) it serves plain http unless ``secure_cookies`` is set."""

    database_url: str
    secret_key: str = ""
    upload_dir: Path = Path("uploads")
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    token_max_age: int = 8 * 3600
    session_max_age: int = 12 * 3600
    secure_cookies: bool = False
    # /metrics: with a token, a request must bear it; without one, only this machine may read
    # them, and not through a proxy (docs/operations.md).
    metrics_token: str = ""
    # /readyz: not ready when the newest scheduler tick is older than this (0: not checked).
    ready_max_tick_lag: int = DEFAULT_READY_MAX_TICK_LAG
    # How long this process may trust that a session still counts: a sign-out or password change
    # made by another process takes effect here within it; one made here at once (0: no memory).
    session_cache_seconds: int = DEFAULT_SESSION_CACHE

    def __post_init__(self) -> None:
        if not self.secret_key:
            raise SettingsError(
                f"Thiếu khóa bí mật: hãy đặt {ENV_SECRET}",
                f"no secret key: set {ENV_SECRET}",
            )

    def __repr__(self) -> str:  # never print the secret
        return f"WebSettings(database_url={self.database_url!r}, upload_dir={self.upload_dir!r})"

    @classmethod
    def from_env(
        cls,
        db_option: str | None,
        environ: Mapping[str, str] = os.environ,
        *,
        demo: bool = False,
    ) -> WebSettings:
        """``--db`` / PLANFLOW_DATABASE_URL as in the CLI; the rest from PLANFLOW_* variables.

        Only ``demo`` (``planflow serve --demo``, plain http on a laptop) may run without a secret
        (a random one, for this process) and defaults to cookies without ``Secure``.
        """
        secret = environ.get(ENV_SECRET, "")
        if not secret and demo:
            secret = secrets.token_urlsafe(32)
        if not secret:
            raise SettingsError(
                f"Chưa đặt {ENV_SECRET}: máy chủ không khởi động khi thiếu khóa bí mật "
                f"(tạo một khóa: python -c 'import secrets; print(secrets.token_urlsafe(32))'; "
                "chạy thử thì dùng --demo)",
                f"{ENV_SECRET} is not set: the server does not start without a secret key "
                "(make one with python -c 'import secrets; print(secrets.token_urlsafe(32))'; "
                "for a trial run use --demo)",
            )
        return cls(
            database_url=database_url(db_option, environ),
            secret_key=secret,
            upload_dir=Path(environ.get(ENV_UPLOAD_DIR, "uploads")).resolve(),
            max_upload_bytes=_integer(environ, ENV_MAX_UPLOAD, DEFAULT_MAX_UPLOAD),
            secure_cookies=_flag(environ, ENV_SECURE_COOKIES, default=not demo),
            metrics_token=environ.get(ENV_METRICS_TOKEN, ""),
            ready_max_tick_lag=_integer(
                environ, ENV_READY_MAX_TICK_LAG, DEFAULT_READY_MAX_TICK_LAG, zero=True
            ),
            session_cache_seconds=_integer(
                environ, ENV_SESSION_CACHE, DEFAULT_SESSION_CACHE, zero=True
            ),
        )


def _integer(environ: Mapping[str, str], name: str, default: int, *, zero: bool = False) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or (int(raw) <= 0 and not zero):
        raise SettingsError(
            f"{name} phải là một số nguyên dương, không phải {raw!r}",
            f"{name} must be a positive whole number, not {raw!r}",
        )
    return int(raw)


def _flag(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise SettingsError(
        f"{name} phải là 1 hoặc 0, không phải {raw!r}", f"{name} must be 1 or 0, not {raw!r}"
    )
