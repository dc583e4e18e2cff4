"""Signed checkpoints reach the auditors outside the database: mailed (a real SMTP server) and
POSTed to their webhook (a real HTTP server), each once per channel whatever the processes, with
retries; the note an auditor received then checks the store. ``serve``'s background job signs the
day's checkpoint too."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from conftest import MINI
from planflow.application.app import PlanflowApp
from planflow.application.outbox_store import OutboxStore
from planflow.audit import store
from planflow.bootstrap import background, clock_starting_at
from planflow.cli.main import app as cli
from planflow.notify.channels import SIGNATURE_HEADER
from planflow.notify.checkpoints import CheckpointMail, CheckpointOutbox, CheckpointWebhook
from planflow.notify.config import SmtpConfig, WebhookConfig
from test_audit_tamper import keys
from test_notify_channels import SECRET, Hook, Inbox, smtp, webhook  # noqa: F401  (fixtures)

AUDITORS = "kiemtoan@angiang.gov.vn, thanhtra@angiang.gov.vn"


class Store:
    """A mini store with two signed checkpoints (two days' first ticks)."""

    def __init__(self, tmp_path: Path) -> None:
        self.key, self.public = keys(tmp_path)
        self.db = str(tmp_path / "planflow.db")
        self.url = f"sqlite:///{self.db}"
        self.env = {"PLANFLOW_AUDIT_KEY": str(self.key), "COLUMNS": "200"}
        self.run("load", str(MINI), "--at", "2022-02-15")
        self.run("tick", "--now", "2022-03-14T08:00")
        self.run("tick", "--now", "2022-03-15T08:00")

    def run(self, *args: str, env: dict[str, str] | None = None, code: int = 0) -> Any:
        result = CliRunner().invoke(cli, ["--db", self.db, *args], env={**self.env, **(env or {})})
        assert result.exit_code == code, result.output
        return result

    def notes(self) -> list[str]:
        app = PlanflowApp(self.url)
        try:
            return store.stored_notes(app.engine)
        finally:
            app.close()


@pytest.fixture
def signed(tmp_path: Path) -> Store:
    return Store(tmp_path)


def checkpoint_mails(inbox: Inbox) -> list[Any]:
    return [
        m for m in inbox.messages if "Điểm kiểm" in str(make_header(decode_header(m["Subject"])))
    ]


def delivery_env(smtp_port: int, hook_url: str) -> dict[str, str]:
    return {
        "PLANFLOW_SMTP_HOST": "127.0.0.1",
        "PLANFLOW_SMTP_PORT": str(smtp_port),
        "PLANFLOW_AUDIT_MAIL_TO": AUDITORS,
        "PLANFLOW_AUDIT_WEBHOOK_URL": hook_url,
        "PLANFLOW_AUDIT_WEBHOOK_SECRET": SECRET,
    }


def test_each_checkpoint_is_mailed_and_posted_to_the_auditors_once(
    signed: Store,
    smtp: tuple[Inbox, int],  # noqa: F811
    webhook: tuple[Hook, str],  # noqa: F811
) -> None:
    inbox, port = smtp
    hook, url = webhook
    hook.failures = 0
    env = delivery_env(port, url)
    signed.run("notify", "--now", "2022-03-15T09:00", env=env)
    signed.run("notify", "--now", "2022-03-15T10:00", env=env)  # nothing new: nothing re-sent
    notes = signed.notes()
    assert len(notes) == 2
    assert [m["To"] for m in checkpoint_mails(inbox)] == [AUDITORS] * 2
    mails = checkpoint_mails(inbox)
    attached = [
        part.get_payload(decode=True).decode()
        for m in mails
        for part in m.walk()
        if part.get_filename()
    ]
    assert attached == notes
    posted = [json.loads(body) for _, body, status in hook.requests if status == 200]
    assert [p["note"] for p in posted] == notes
    assert {p["type"] for p in posted} == {"planflow.checkpoint"}
    for headers, body, _ in hook.requests:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers[SIGNATURE_HEADER] == expected


def test_the_note_an_auditor_received_checks_the_store_and_catches_a_rewrite(
    signed: Store,
    smtp: tuple[Inbox, int],  # noqa: F811
    webhook: tuple[Hook, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    _, port = smtp
    hook, url = webhook
    hook.failures = 0
    signed.run("notify", "--now", "2022-03-15T09:00", env=delivery_env(port, url))
    received = tmp_path / "received.txt"
    received.write_text(json.loads(hook.requests[-1][1])["note"], encoding="utf-8")
    signed.run("audit", "verify", "--against", str(received), "--public-key", str(signed.public))
    # The whole history rewritten and re-signed inside the database: the copy outside says so.
    app = PlanflowApp(signed.url)
    with app.engine.begin() as connection:
        connection.execute(text("DELETE FROM planflow_checkpoints"))
        connection.execute(text("DELETE FROM planflow_chain WHERE position > 3"))
        connection.execute(text("DELETE FROM planflow_events WHERE id > 3"))
    app.close()
    result = signed.run(
        "audit",
        "verify",
        "--against",
        str(received),
        "--public-key",
        str(signed.public),
        code=1,
    )
    assert "history cut off" in result.output


def test_a_failing_auditors_webhook_is_retried_and_the_mail_still_goes(
    signed: Store,
    smtp: tuple[Inbox, int],  # noqa: F811
    webhook: tuple[Hook, str],  # noqa: F811
) -> None:
    inbox, port = smtp
    hook, url = webhook  # answers 500 twice
    env = {**delivery_env(port, url), "PLANFLOW_RETRY_BASE_SECONDS": "60"}
    first = signed.run("notify", "--now", "2022-03-15T09:00", env=env)
    assert "audit-webhook" in first.output and "HTTP 500" in first.output
    assert len(checkpoint_mails(inbox)) == 2
    signed.run("notify", "--now", "2022-03-15T09:00:30", env=env)  # still waiting: not tried
    assert len(hook.requests) == 1
    signed.run("notify", "--now", "2022-03-15T09:01", env=env)  # 500 again, waits 120 s
    signed.run("notify", "--now", "2022-03-15T09:03", env=env)
    delivered = [json.loads(b)["size"] for _, b, status in hook.requests if status == 200]
    assert delivered == [int(n.split("\n")[1]) for n in signed.notes()]
    assert len(checkpoint_mails(inbox)) == 2


def test_two_delivery_processes_send_each_checkpoint_once_per_channel(
    signed: Store,
    smtp: tuple[Inbox, int],  # noqa: F811
    webhook: tuple[Hook, str],  # noqa: F811
) -> None:
    inbox, port = smtp
    hook, url = webhook
    hook.failures = 0
    app = PlanflowApp(signed.url)
    outboxes = [
        CheckpointOutbox(
            OutboxStore(app.engine, f"node-{i}", lambda: datetime.now(UTC)),
            [
                CheckpointMail(SmtpConfig("127.0.0.1", port), ["kiemtoan@angiang.gov.vn"]),
                CheckpointWebhook(WebhookConfig(url, SECRET)),
            ],
        )
        for i in range(2)
    ]
    now = datetime(2022, 3, 15, 2, tzinfo=UTC)
    threads = [
        threading.Thread(target=lambda o=o: [o.run(now) for _ in range(5)]) for o in outboxes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.close()
    assert len(checkpoint_mails(inbox)) == 2
    assert len(hook.requests) == 2


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"PLANFLOW_AUDIT_MAIL_TO": AUDITORS}, "smtp.host"),
        ({"PLANFLOW_AUDIT_WEBHOOK_URL": "http://127.0.0.1:9/x"}, "PLANFLOW_AUDIT_WEBHOOK_SECRET"),
        (
            {"PLANFLOW_SMTP_HOST": "127.0.0.1", "PLANFLOW_AUDIT_MAIL_TO": "kiemtoan"},
            "kiemtoan",
        ),
    ],
    ids=["mail without smtp", "webhook without secret", "not an address"],
)
def test_a_bad_auditors_channel_setting_is_bad_input(
    signed: Store, env: dict[str, str], words: str
) -> None:
    result = signed.run("notify", "--now", "2022-03-15T09:00", env=env, code=2)
    assert words in result.output


@pytest.fixture
def no_ambient_delivery(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("PLANFLOW_SMTP_HOST", "PLANFLOW_WEBHOOK_URL", "PLANFLOW_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    yield


def test_the_background_job_of_serve_signs_the_days_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_ambient_delivery: None
) -> None:
    key, _ = keys(tmp_path)
    db = tmp_path / "planflow.db"
    CliRunner().invoke(cli, ["--db", str(db), "load", str(MINI), "--at", "2022-02-15"])
    monkeypatch.setenv("PLANFLOW_AUDIT_KEY", str(key))
    app = PlanflowApp(f"sqlite:///{db}")
    stop = background(app, clock_starting_at(datetime(2022, 3, 14, 1, tzinfo=UTC)), 0.2)
    try:
        deadline = time.monotonic() + 20
        while not store.stored_notes(app.engine) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop()
    notes = store.stored_notes(app.engine)
    assert len(notes) == 1  # one per day, however many ticks
    assert int(notes[0].split("\n")[1]) == len(store.chain_rows(app.engine))
    app.close()
