"""Delivery settings: a TOML file (``--config`` or $PLANFLOW_CONFIG), overridden by environment
variables. Read once at the edge and passed in; nothing deeper reads the environment.

| Variable | TOML key | Meaning |
|---|---|---|
| PLANFLOW_SMTP_HOST | smtp.host | SMTP server; no host = no e-mail channel |
| PLANFLOW_SMTP_PORT | smtp.port | default 25 (587 with STARTTLS, 465 with SSL) |
| PLANFLOW_SMTP_USER / PLANFLOW_SMTP_PASSWORD | smtp.user / smtp.password | login, if any |
| PLANFLOW_SMTP_SENDER | smtp.sender | From: address |
| PLANFLOW_SMTP_SECURITY | smtp.security | none, starttls or ssl (default none) |
| PLANFLOW_MAIL_LANGUAGE | mail.language | vi (default) or en |
| PLANFLOW_WEBHOOK_URL | webhook.url | POST target; no URL = no webhook channel |
| PLANFLOW_WEBHOOK_SECRET | webhook.secret | HMAC-SHA256 key of the signature header |
| PLANFLOW_ICAL_DIR | ical.dir | folder of per-agency .ics feeds, rewritten as events arrive |
| PLANFLOW_LETTERS_DIR | letters.dir | folder of chase-up letters: escalation level 2+, manual chase-ups |
| PLANFLOW_AUDIT_MAIL_TO | audit.mail_to | auditors' addresses (comma-separated; a TOML list too): each signed checkpoint is mailed to them (needs smtp.host) |
| PLANFLOW_AUDIT_WEBHOOK_URL / PLANFLOW_AUDIT_WEBHOOK_SECRET | audit.webhook_url / audit.webhook_secret | the auditors' webhook: each signed checkpoint POSTed, HMAC-signed |
| PLANFLOW_DIGEST_HOUR | digest.hour | from what hour (Vietnam time) of a working day the daily inbox digests go out (default 7; needs smtp.host; each account opts in) |
| PLANFLOW_RETRY_BASE_SECONDS | retry.base_seconds | first retry delay (default 30), doubled each time |
| PLANFLOW_RETRY_MAX_SECONDS | retry.max_seconds | longest delay (default 3600) |
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_CONFIG = "PLANFLOW_CONFIG"


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "planflow@localhost"
    security: str = "none"  # none | starttls | ssl
    timeout: float = 10.0


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    timeout: float = 10.0


@dataclass(frozen=True)
class NotifyConfig:
    smtp: SmtpConfig | None = None
    webhook: WebhookConfig | None = None
    language: str = "vi"
    ical_dir: Path | None = None
    letters_dir: Path | None = None
    drafts_dir: Path | None = None  # the Office's consolidated-report drafts
    audit_mail_to: tuple[str, ...] = ()  # the auditors' channel: signed checkpoints by mail
    audit_webhook: WebhookConfig | None = None  # … and by webhook
    digest_hour: int = 7  # the daily inbox digests, from this hour (Vietnam time)
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0


_ENV = {
    "PLANFLOW_SMTP_HOST": ("smtp", "host"),
    "PLANFLOW_SMTP_PORT": ("smtp", "port"),
    "PLANFLOW_SMTP_USER": ("smtp", "user"),
    "PLANFLOW_SMTP_PASSWORD": ("smtp", "password"),
    "PLANFLOW_SMTP_SENDER": ("smtp", "sender"),
    "PLANFLOW_SMTP_SECURITY": ("smtp", "security"),
    "PLANFLOW_MAIL_LANGUAGE": ("mail", "language"),
    "PLANFLOW_WEBHOOK_URL": ("webhook", "url"),
    "PLANFLOW_WEBHOOK_SECRET": ("webhook", "secret"),
    "PLANFLOW_ICAL_DIR": ("ical", "dir"),
    "PLANFLOW_LETTERS_DIR": ("letters", "dir"),
    "PLANFLOW_DRAFTS_DIR": ("drafts", "dir"),
    "PLANFLOW_AUDIT_MAIL_TO": ("audit", "mail_to"),
    "PLANFLOW_AUDIT_WEBHOOK_URL": ("audit", "webhook_url"),
    "PLANFLOW_AUDIT_WEBHOOK_SECRET": ("audit", "webhook_secret"),
    "PLANFLOW_DIGEST_HOUR": ("digest", "hour"),
    "PLANFLOW_RETRY_BASE_SECONDS": ("retry", "base_seconds"),
    "PLANFLOW_RETRY_MAX_SECONDS": ("retry", "max_seconds"),
}


def load_config(environ: Mapping[str, str], path: Path | None = None) -> NotifyConfig:
    """The file (``path``, else $PLANFLOW_CONFIG, else none), then the environment on top."""
    data: dict[str, dict[str, Any]] = {}
    file = path or (Path(environ[ENV_CONFIG]) if environ.get(ENV_CONFIG) else None)
    if file is not None:
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"tệp cấu hình lỗi / bad config file {file}: {exc}") from None
        data = {k: dict(v) for k, v in raw.items() if isinstance(v, dict)}
    for variable, (section, key) in _ENV.items():
        if environ.get(variable):
            data.setdefault(section, {})[key] = environ[variable]
    return _build(data)


def _build(data: dict[str, dict[str, Any]]) -> NotifyConfig:
    smtp = data.get("smtp", {})
    webhook = data.get("webhook", {})
    language = str(data.get("mail", {}).get("language", "vi"))
    if language not in ("vi", "en"):
        raise ConfigError(f"ngôn ngữ thư không hợp lệ / mail language must be vi or en: {language}")
    security = str(smtp.get("security", "none"))
    if security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"smtp.security must be none, starttls or ssl, not {security!r}")
    if webhook.get("url") and not webhook.get("secret"):
        raise ConfigError(
            "webhook cần khóa bí mật / a webhook needs a secret (PLANFLOW_WEBHOOK_SECRET)"
        )
    retry = data.get("retry", {})
    audit = data.get("audit", {})
    mail_to = _addresses(audit.get("mail_to", ()))
    if mail_to and not smtp.get("host"):
        raise ConfigError(
            "gửi điểm kiểm cho kiểm toán viên cần máy chủ SMTP / audit.mail_to needs smtp.host "
            "(PLANFLOW_SMTP_HOST)"
        )
    if audit.get("webhook_url") and not audit.get("webhook_secret"):
        raise ConfigError(
            "webhook của kiểm toán viên cần khóa bí mật / the auditors' webhook needs a secret "
            "(PLANFLOW_AUDIT_WEBHOOK_SECRET)"
        )
    ical = data.get("ical", {}).get("dir")
    letters = data.get("letters", {}).get("dir")
    drafts = data.get("drafts", {}).get("dir")
    try:
        return NotifyConfig(
            smtp=SmtpConfig(
                host=str(smtp["host"]),
                port=int(smtp.get("port", 465 if security == "ssl" else 25)),
                user=str(smtp.get("user", "")),
                password=str(smtp.get("password", "")),
                sender=str(smtp.get("sender", "planflow@localhost")),
                security=security,
            )
            if smtp.get("host")
            else None,
            webhook=WebhookConfig(str(webhook["url"]), str(webhook["secret"]))
            if webhook.get("url")
            else None,
            language=language,
            ical_dir=Path(str(ical)) if ical else None,
            letters_dir=Path(str(letters)) if letters else None,
            drafts_dir=Path(str(drafts)) if drafts else None,
            audit_mail_to=mail_to,
            audit_webhook=WebhookConfig(str(audit["webhook_url"]), str(audit["webhook_secret"]))
            if audit.get("webhook_url")
            else None,
            digest_hour=_hour(data.get("digest", {}).get("hour", 7)),
            retry_base_seconds=float(retry.get("base_seconds", 30)),
            retry_max_seconds=float(retry.get("max_seconds", 3600)),
        )
    except ValueError as exc:
        raise ConfigError(f"cấu hình không hợp lệ / invalid configuration: {exc}") from None


def _addresses(value: Any) -> tuple[str, ...]:
    """A comma-separated string or a list of e-mail addresses; each must hold an @."""
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    addresses = tuple(item.strip() for item in items if item.strip())
    bad = [a for a in addresses if "@" not in a]
    if bad:
        raise ConfigError(
            f"địa chỉ e-mail không hợp lệ / not an e-mail address in audit.mail_to: {', '.join(bad)}"
        )
    return addresses


def _hour(value: Any) -> int:
    hour = int(value)
    if not 0 <= hour <= 23:
        raise ConfigError(f"digest.hour phải từ 0 đến 23 / digest.hour must be 0–23, not {hour}")
    return hour
