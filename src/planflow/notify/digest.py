"""The inbox by e-mail: once a working day, each account that chose it gets one mail listing what
is new for it since its last digest (the same items as its inbox page, unread ones only).

Sent by the delivery pass (``planflow notify``, ``run``, ``serve``) on a working day from
``hour`` o'clock Vietnam time, never on a weekend or holiday; nothing is sent when nothing is new.
Once per account and day whatever the number of processes (``application/digests.py``).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from uuid import NAMESPACE_URL, uuid5

from planflow.application.digests import DigestStore, Subscriber
from planflow.application.queries import inbox
from planflow.application.queries.inbox import InboxItem
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.labels import EVENT_LABELS
from planflow.notify.channels import MESSAGE_ID_DOMAIN, SmtpChannel
from planflow.notify.config import SmtpConfig

MOST_ITEMS = 100


def digest_text(subscriber: Subscriber, items: list[InboxItem], day_text: str) -> str:
    lines = [
        f"Xin chào {subscriber.user.username},",
        "",
        f"Hộp thư planflow của bạn có {len(items)} việc mới (ngày {day_text}):",
        "",
    ]
    for item in items:
        vi, en = EVENT_LABELS.get(item.event_type, (item.event_type, item.event_type))
        when = item.timestamp.astimezone(LOCAL_TZ)
        lines.append(
            f"- {when:%d/%m/%Y %H:%M} {vi} / {en}: {item.plan} {item.duty}, {item.agency}, "
            f"{item.period} (hạn / due {item.due:%d/%m/%Y}) — /tasks/{item.task_id}"
        )
    lines += [
        "",
        "Mở hộp thư / open your inbox: /inbox. Tắt bản tin này trên trang hộp thư.",
        f"Your planflow inbox has {len(items)} new items; turn this digest off on the inbox page.",
    ]
    return "\n".join(lines) + "\n"


class DigestSender:
    """One delivery pass of the daily digests."""

    def __init__(
        self,
        store: DigestStore,
        smtp: SmtpConfig,
        calendar: Callable[[int], WorkingCalendar],
        *,
        hour: int = 7,
        holder: str,
        lease: timedelta = timedelta(minutes=10),
    ) -> None:
        self.store = store
        self.mailer = SmtpChannel(smtp)
        self.calendar = calendar
        self.hour = hour
        self.holder = holder
        self.lease = lease

    def run(self, now: datetime) -> list[str]:
        day = local_date(now)
        if now.astimezone(LOCAL_TZ).hour < self.hour:
            return []
        if not self.calendar(day.year).is_working_day(day):
            return []
        notes: list[str] = []
        for subscriber in self.store.subscribers():
            note = self._one(subscriber, now)
            if note:
                notes.append(note)
        return notes

    def _one(self, subscriber: Subscriber, now: datetime) -> str | None:
        name, day = subscriber.user.username, local_date(now)
        if not self.store.claim(name, day, self.holder, now, self.lease):
            return None
        items = [
            item
            for item in inbox(
                self.store.engine, subscriber.audience, now, unread_only=True, limit=MOST_ITEMS
            )
            if subscriber.last_sent is None or item.timestamp > subscriber.last_sent
        ]
        if not items:
            self.store.sent(name, day, self.holder, now, 0)
            return None
        message = EmailMessage()
        message["From"] = self.mailer.config.sender
        message["To"] = subscriber.email
        message["Subject"] = (
            f"planflow: {len(items)} việc mới trong hộp thư / {len(items)} new in your inbox "
            f"({day:%d/%m/%Y})"
        )
        message["Date"] = format_datetime(now)
        key = uuid5(NAMESPACE_URL, f"planflow:digest:{name}:{day.isoformat()}")
        message["Message-ID"] = f"<{key}@{MESSAGE_ID_DOMAIN}>"
        message.set_content(digest_text(subscriber, items, f"{day:%d/%m/%Y}"), charset="utf-8")
        try:
            self.mailer._send(message)
        except (OSError, smtplib.SMTPException) as exc:
            self.store.release(name, day, self.holder)
            return f"digest {name}: lỗi / failed ({exc}), thử lại lần sau / retried next pass"
        self.store.sent(name, day, self.holder, now, len(items))
        return f"digest {name}: {len(items)} → {subscriber.email}"
