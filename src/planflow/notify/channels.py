"""Channels deliver a Notice to the outside. A channel raises ``DeliveryFailed`` to be retried
later; it returns a short note when it delivered, or deliberately skipped, the notice."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

import httpx

from planflow.notify.config import SmtpConfig, WebhookConfig
from planflow.notify.notices import Notice, delivery_key
from planflow.notify.templating import environment

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Planflow-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"  # the event's id
DELIVERY_KEY_HEADER = "X-Planflow-Idempotency-Key"  # the event's id and the channel
MESSAGE_ID_DOMAIN = "planflow.invalid"


def message_id(notice: Notice, channel: str) -> str:
    """A mail's Message-ID: derived from the event and the channel only, so a mail re-sent after
    a crash has the same one and the receiver can drop it."""
    return f"<{delivery_key(notice.event_id, channel)}@{MESSAGE_ID_DOMAIN}>"


class DeliveryFailed(Exception):
    """The channel could not deliver now; the outbox retries with backoff."""


class Channel(Protocol):
    name: str

    def deliver(self, notice: Notice) -> str: ...


def render_mail(notice: Notice, language: str) -> tuple[str, str]:
    """(subject, body) of the mail for a notice, in ``language`` (vi or en)."""
    env = environment()
    subject = env.get_template(f"mail/{notice.kind}.{language}.subject.j2").render(n=notice)
    body = env.get_template(f"mail/{notice.kind}.{language}.txt.j2").render(n=notice)
    return " ".join(subject.split()), body


class SmtpChannel:
    name = "email"

    def __init__(self, config: SmtpConfig, language: str = "vi") -> None:
        self.config = config
        self.language = language

    def deliver(self, notice: Notice) -> str:
        address = notice.recipient_contact.strip()
        if "@" not in address:
            log.info(
                "không có địa chỉ e-mail của %s: bỏ qua thư (sự kiện vẫn được ghi) / "
                "no e-mail address for %s: mail skipped (the event is recorded)",
                notice.recipient_title,
                notice.recipient_title,
            )
            return f"skipped: no e-mail address for {notice.recipient_title}"
        subject, body = render_mail(notice, self.language)
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = address
        message["Subject"] = subject
        message["Date"] = format_datetime(notice.fired_at)
        message["Message-ID"] = message_id(notice, self.name)
        message[IDEMPOTENCY_HEADER] = notice.event_id
        message[DELIVERY_KEY_HEADER] = delivery_key(notice.event_id, self.name)
        message.set_content(body, charset="utf-8")
        try:
            self._send(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP {self.config.host}:{self.config.port}: {exc}") from exc
        return f"sent to {address}"

    def _send(self, message: EmailMessage) -> None:
        c = self.config
        server: smtplib.SMTP
        if c.security == "ssl":
            server = smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        with server:
            if c.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if c.user:
                server.login(c.user, c.password)
            server.send_message(message)


def sign(body: bytes, secret: str) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    name = "webhook"

    def __init__(self, config: WebhookConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.transport = transport

    def deliver(self, notice: Notice) -> str:
        payload = {"type": f"planflow.{notice.kind}", **notice.as_json()}
        return post_signed(self.config, self.transport, payload, notice.event_id, self.name)


def post_signed(
    config: WebhookConfig,
    transport: httpx.BaseTransport | None,
    payload: dict[str, object],
    event_id: str,
    channel: str,
) -> str:
    """POST ``payload`` as JSON with its HMAC signature and idempotency keys; DeliveryFailed
    unless the receiver answers 2xx."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(body, config.secret),
        IDEMPOTENCY_HEADER: event_id,
        DELIVERY_KEY_HEADER: delivery_key(event_id, channel),
    }
    try:
        with httpx.Client(timeout=config.timeout, transport=transport) as client:
            response = client.post(config.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"webhook {config.url}: {exc}") from exc
    if not response.is_success:
        raise DeliveryFailed(f"webhook {config.url}: HTTP {response.status_code}")
    return f"HTTP {response.status_code}"
