"""Signed checkpoints delivered to the auditors, so copies exist outside the database.

Each checkpoint planflow signs (``planflow audit checkpoint``, ``audit init``, the day's first
tick) is a row of ``planflow_checkpoints``. The auditors' channels follow that table by its id the
way the reminder channels follow the event log: one position, lease and delivery record per channel
in the outbox's own tables (channel names ``audit-email`` and ``audit-webhook``), so a checkpoint is
delivered once per channel whatever the number of processes, and a failing channel retries with
the same backoff. A checkpoint's delivery key is derived from its size and root, so a receiver can
drop a copy re-sent after a crash.

An auditor keeps the notes received and later runs ``planflow audit verify --against NOTE…``: a
history rewritten after a delivered checkpoint no longer hashes to the root the auditor holds.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol
from uuid import NAMESPACE_URL, uuid5

import httpx

from planflow.application.outbox_store import Delivery, OutboxStore
from planflow.audit import store as audit_store
from planflow.notify.channels import (
    DELIVERY_KEY_HEADER,
    IDEMPOTENCY_HEADER,
    MESSAGE_ID_DOMAIN,
    DeliveryFailed,
    SmtpChannel,
    post_signed,
)
from planflow.notify.config import SmtpConfig, WebhookConfig
from planflow.notify.notices import delivery_key
from planflow.notify.outbox import ChannelRun, record_failed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckpointNotice:
    id: int
    size: int
    root_hash: str
    chain_head: str
    signed_at: str
    note: str

    @property
    def event_id(self) -> str:
        """Stable across processes and re-sends: the checkpoint's size and root."""
        return str(uuid5(NAMESPACE_URL, f"planflow:checkpoint:{self.size}:{self.root_hash}"))

    def as_json(self) -> dict[str, Any]:
        return {
            "type": "planflow.checkpoint",
            "event_id": self.event_id,
            "size": self.size,
            "root_hash": self.root_hash,
            "chain_head": self.chain_head,
            "signed_at": self.signed_at,
            "note": self.note,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CheckpointNotice:
        return cls(
            int(row["id"]),
            int(row["size"]),
            str(row["root_hash"]),
            str(row["chain_head"]),
            str(row["signed_at"]),
            str(row["note"]),
        )


class CheckpointChannel(Protocol):
    name: str

    def deliver(self, notice: CheckpointNotice) -> str: ...


class CheckpointMail(SmtpChannel):
    """One mail per checkpoint to every auditor's address, the note attached as a file."""

    name = "audit-email"

    def __init__(self, config: SmtpConfig, recipients: Sequence[str]) -> None:
        super().__init__(config)
        self.recipients = list(recipients)

    def deliver(self, notice: CheckpointNotice) -> str:  # type: ignore[override]
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = ", ".join(self.recipients)
        message["Subject"] = (
            f"Điểm kiểm nhật ký planflow: {notice.size} sự kiện / "
            f"planflow log checkpoint: {notice.size} events"
        )
        message["Date"] = format_datetime(datetime.fromisoformat(notice.signed_at))
        key = delivery_key(notice.event_id, self.name)
        message["Message-ID"] = f"<{key}@{MESSAGE_ID_DOMAIN}>"
        message[IDEMPOTENCY_HEADER] = notice.event_id
        message[DELIVERY_KEY_HEADER] = key
        message.set_content(
            "Điểm kiểm đã ký của nhật ký sự kiện planflow. Hãy lưu tệp đính kèm; khi kiểm toán, "
            "chạy: planflow audit verify --against checkpoint.txt --public-key KHÓA.pub\n\n"
            "A signed checkpoint of planflow's event log. Keep the attachment; to audit, run: "
            "planflow audit verify --against checkpoint.txt --public-key KEY.pub\n\n"
            f"size {notice.size}\nroot {notice.root_hash}\nchain head {notice.chain_head}\n"
            f"signed at {notice.signed_at}\n\n{notice.note}",
            charset="utf-8",
        )
        message.add_attachment(
            notice.note.encode("utf-8"),
            maintype="text",
            subtype="plain",
            filename=f"checkpoint-{notice.size}.txt",
        )
        try:
            self._send(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP {self.config.host}:{self.config.port}: {exc}") from exc
        return f"sent to {', '.join(self.recipients)}"


class CheckpointWebhook:
    """A POST of the checkpoint as JSON, signed with the webhook's secret (HMAC-SHA256)."""

    name = "audit-webhook"

    def __init__(self, config: WebhookConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.transport = transport

    def deliver(self, notice: CheckpointNotice) -> str:
        return post_signed(
            self.config, self.transport, notice.as_json(), notice.event_id, self.name
        )


class CheckpointOutbox:
    """Delivers the checkpoints table on the auditors' channels, once per channel."""

    def __init__(
        self,
        store: OutboxStore,
        channels: Sequence[CheckpointChannel],
        *,
        retry_base_seconds: float = 30.0,
        retry_max_seconds: float = 3600.0,
    ) -> None:
        self.store = store
        self.channels = list(channels)
        self.retry_base = retry_base_seconds
        self.retry_max = retry_max_seconds

    def run(self, now: datetime) -> list[ChannelRun]:
        return [self._run_channel(channel, now) for channel in self.channels]

    def _run_channel(self, channel: CheckpointChannel, now: datetime) -> ChannelRun:
        self.store.ensure(channel.name)
        if self.store.acquire(channel.name) is None:
            holder, until = self.store.holder_of(channel.name)
            return ChannelRun(channel.name, 0, [], retry_at=until, busy=True, holder=holder)
        try:
            return self._deliver(channel, now)
        finally:
            self.store.release(channel.name)

    def _deliver(self, channel: CheckpointChannel, now: datetime) -> ChannelRun:
        name = channel.name
        state = self.store.state(name)
        if state.next_attempt_at is not None and now < state.next_attempt_at:
            return ChannelRun(name, 0, [], state.last_error, state.next_attempt_at, waiting=True)
        attempts, delivered = state.attempts, 0
        notes: list[str] = []
        for row in audit_store.checkpoints_after(self.store.engine, state.position):
            notice = CheckpointNotice.from_row(row)
            try:
                note = channel.deliver(notice)
            except DeliveryFailed as exc:
                retry = record_failed(
                    self.store, name, exc, attempts + 1, now, self.retry_base, self.retry_max
                )
                return ChannelRun(name, delivered, notes, str(exc), retry)
            record = Delivery(notice.id, notice.event_id, delivery_key(notice.event_id, name), note)
            if self.store.record_delivery(name, record) is None:
                holder, until = self.store.holder_of(name)
                return ChannelRun(name, delivered, notes, retry_at=until, busy=True, holder=holder)
            delivered += 1
            notes.append(note)
        return ChannelRun(name, delivered, notes)
