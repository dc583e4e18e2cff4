"""The outbox and its channels against real servers: SMTP (aiosmtpd) and a local webhook."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from conftest import MINI, utc
from planflow.application.app import PlanflowApp
from planflow.notify.channels import SIGNATURE_HEADER, SmtpChannel, WebhookChannel
from planflow.notify.config import SmtpConfig, WebhookConfig
from planflow.notify.outbox import Outbox
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import LoadedPlan, load_workflow
from test_scheduler_ladder import morning

SECRET = "bí-mật"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class Hook:
    """A webhook receiver that answers 500 to the first ``failures`` requests."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes, int]] = []


@pytest.fixture
def webhook() -> Iterator[tuple[Hook, str]]:
    hook = Hook(failures=2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = 500 if hook.failures > 0 else 200
            hook.failures -= 1
            hook.requests.append((dict(self.headers), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def with_contacts(tmp_path: Path) -> LoadedPlan:
    text = MINI.read_text(encoding="utf-8")
    text = text.replace(
        "head: {title_vi: Giám đốc Sở A}",
        "head: {title_vi: Giám đốc Sở A, name: Trần Thị Bình, contact: giamdoc@so-a.example.vn}",
    ).replace(
        "head: {title_vi: Chánh Văn phòng}",
        "head: {title_vi: Chánh Văn phòng, contact: cvp@vp.example.vn}",
    )
    path = tmp_path / "mini-contacts.yaml"
    path.write_text(text, encoding="utf-8")
    return load_workflow(path)


def chased(app: PlanflowApp, plan: LoadedPlan | None, *days: date) -> None:
    """Load ``plan`` (None: it is loaded already) on 15 Feb 2022, then tick on each day."""
    if plan is not None:
        app.load_plan(plan, actor="loader", at=utc(2022, 2, 15))
    ticker = Ticker(app)
    for day in days:
        ticker.tick(morning(day))


def test_the_head_gets_a_vietnamese_reminder_naming_deadline_days_left_and_responsibility(
    app: PlanflowApp, with_contacts: LoadedPlan, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    chased(app, with_contacts, date(2022, 3, 15))  # D2's Q1 report is due Wed 16 Mar
    outbox = Outbox(app, [SmtpChannel(SmtpConfig("127.0.0.1", port, sender="vp@example.vn"))])
    [run] = outbox.run(morning(date(2022, 3, 15)))
    assert run.error is None and run.delivered == 2  # so-a (mailed) and so-b (no address)
    [message] = inbox.messages
    assert message["To"] == "giamdoc@so-a.example.vn"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject.startswith("[Nhắc hạn] Còn 1 ngày làm việc")
    body = message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "Kính gửi: Giám đốc Sở A (Trần Thị Bình)" in body
    assert "Báo cáo định kỳ" in body and "16/03/2022" in body
    assert "còn 1 ngày làm việc" in body
    assert "chịu trách nhiệm cá nhân" in body
    assert message["Idempotency-Key"]


def test_a_head_without_an_address_is_skipped_with_a_notice_and_the_event_stays_recorded(
    kg_app: PlanflowApp,
    smtp: tuple[Inbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox, port = smtp
    chased(kg_app, None, date(2022, 3, 15))
    outbox = Outbox(kg_app, [SmtpChannel(SmtpConfig("127.0.0.1", port))])
    with caplog.at_level(logging.INFO):
        [run] = outbox.run(morning(date(2022, 3, 15)))
    assert run.delivered == 37 and inbox.messages == []  # 36 Q1 reports and the Office's
    assert "no e-mail address for Giám đốc Sở Tư pháp" in caplog.text
    assert outbox.run(morning(date(2022, 3, 15)))[0].delivered == 0  # nothing twice


def test_a_failing_webhook_blocks_neither_smtp_nor_recording_and_is_retried_with_backoff(
    app: PlanflowApp,
    with_contacts: LoadedPlan,
    smtp: tuple[Inbox, int],
    webhook: tuple[Hook, str],
) -> None:
    inbox, port = smtp
    hook, url = webhook
    chased(app, with_contacts, date(2022, 3, 15), date(2022, 3, 17))
    outbox = Outbox(
        app,
        [
            WebhookChannel(WebhookConfig(url, SECRET)),
            SmtpChannel(SmtpConfig("127.0.0.1", port)),
        ],
        retry_base_seconds=60,
    )
    t0 = morning(date(2022, 3, 17))
    hooked, mailed = outbox.run(t0)
    assert hooked.error and "500" in hooked.error and hooked.delivered == 0
    assert hooked.retry_at == t0 + timedelta(seconds=60)
    assert mailed.error is None and mailed.delivered == 4  # 2 reminders, 2 level-1 escalations
    assert len(inbox.messages) == 2  # so-a's two: so-b's head has no address
    # Recording goes on while the webhook is down.
    assert Ticker(app).tick(morning(date(2022, 3, 21))).fired
    # Too early to retry: the channel waits.
    assert outbox.run(t0 + timedelta(seconds=30))[0].waiting
    second = outbox.run(t0 + timedelta(seconds=61))[0]
    assert second.error and second.retry_at == t0 + timedelta(seconds=61 + 120)  # doubled
    third = outbox.run(t0 + timedelta(seconds=200))[0]
    assert third.error is None and third.delivered == 6  # 4 + the two level-2 escalations
    statuses = [status for _, _, status in hook.requests]
    assert statuses == [500, 500] + [200] * 6
    first_failed_key = hook.requests[0][0]["Idempotency-Key"]
    assert hook.requests[2][0]["Idempotency-Key"] == first_failed_key  # the same event, again
    for headers, body, _ in hook.requests:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers[SIGNATURE_HEADER], expected)
        payload = json.loads(body)
        assert payload["event_id"] == headers["Idempotency-Key"]
    kinds = {json.loads(body)["type"] for _, body, _ in hook.requests}
    assert kinds == {"planflow.reminder", "planflow.escalation"}
    assert len({h["Idempotency-Key"] for h, _, s in hook.requests if s == 200}) == 6


def test_the_office_director_is_told_at_level_two_that_the_head_bears_personal_responsibility(
    app: PlanflowApp, with_contacts: LoadedPlan, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    chased(app, with_contacts, date(2022, 3, 17), date(2022, 3, 21))
    Outbox(app, [SmtpChannel(SmtpConfig("127.0.0.1", port))]).run(morning(date(2022, 3, 21)))
    to_office = [m for m in inbox.messages if m["To"] == "cvp@vp.example.vn"]
    assert len(to_office) == 2  # the late reports of so-a and so-b
    subjects = {
        str(email.header.make_header(email.header.decode_header(m["Subject"]))) for m in to_office
    }
    assert subjects == {
        "[Quá hạn — cấp 2] Sở A: IV.1.a.2 Quý 1 năm 2022, hạn 16/03/2022",
        "[Quá hạn — cấp 2] Sở B: IV.1.a.2 Quý 1 năm 2022, hạn 16/03/2022",
    }
    body = to_office[0].get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "đã quá hạn 3 ngày làm việc" in body
    assert "chịu trách nhiệm cá nhân" in body


def test_the_english_variant_says_the_same(
    app: PlanflowApp, with_contacts: LoadedPlan, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    chased(app, with_contacts, date(2022, 3, 11))
    Outbox(app, [SmtpChannel(SmtpConfig("127.0.0.1", port), language="en")]).run(
        morning(date(2022, 3, 11))
    )
    [message] = inbox.messages
    body = message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "3 working days left" in body
    assert "bears personal responsibility (chịu trách nhiệm cá nhân)" in body
