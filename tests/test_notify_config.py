"""Delivery settings come from a TOML file and environment variables (the environment wins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planflow.notify.config import ConfigError, load_config


def test_nothing_configured_means_no_channel() -> None:
    config = load_config({})
    assert config.smtp is None and config.webhook is None and config.language == "vi"


def test_a_toml_file_with_environment_overrides(tmp_path: Path) -> None:
    file = tmp_path / "planflow.toml"
    file.write_text(
        """
[smtp]
host = "mail.kiengiang.gov.vn"
port = 587
security = "starttls"
sender = "vpubnd@kiengiang.gov.vn"

[webhook]
url = "https://example.invalid/hook"
secret = "file-secret"

[retry]
base_seconds = 10
""",
        encoding="utf-8",
    )
    config = load_config({"PLANFLOW_CONFIG": str(file), "PLANFLOW_WEBHOOK_SECRET": "env-secret"})
    assert config.smtp is not None and config.smtp.port == 587
    assert config.smtp.security == "starttls"
    assert config.webhook is not None and config.webhook.secret == "env-secret"
    assert config.retry_base_seconds == 10


def test_a_webhook_without_a_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="secret"):
        load_config({"PLANFLOW_WEBHOOK_URL": "https://example.invalid/hook"})


def test_an_unknown_mail_language_is_refused() -> None:
    with pytest.raises(ConfigError, match="vi or en"):
        load_config({"PLANFLOW_MAIL_LANGUAGE": "fr"})
