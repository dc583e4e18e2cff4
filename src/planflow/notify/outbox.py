"""The outbox: each channel follows the event log from its own tracking position.

Recording never waits for delivery: the scheduler records ReminderSent and Escalated events, the
Office's "send a chase-up now" records ChaseUpSent; the outbox reads them back in commit order (the notification log) and hands each to every channel.
A channel's position moves past an event only once the channel delivered it, so delivery is
at-least-once; every delivery carries the event's id as idempotency key. A failing channel stops at
its failed event and waits ``base × 2^(attempts-1)`` seconds (capped) before trying again; the other
channels go on. Positions live in ``planflow_outbox``, which a read-model rebuild leaves alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy import update as sql_update

from planflow.application.app import PlanflowApp
from planflow.application.planrules import rules_from_plan
from planflow.application.readmodels import ChaseEvent, from_db, to_db
from planflow.domain.chasing import PlanRules
from planflow.domain.task import Task
from planflow.notify.channels import Channel, DeliveryFailed
from planflow.notify.notices import Notice, build_notice

log = logging.getLogger(__name__)

TOPICS = (get_topic(Task.ReminderSent), get_topic(Task.Escalated), get_topic(Task.ChaseUpSent))

outbox_metadata = MetaData()
tracking = Table(
    "planflow_outbox",
    outbox_metadata,
    Column("channel", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered", Integer, nullable=False),
)


@dataclass(frozen=True)
class ChannelRun:
    channel: str
    delivered: int
    notes: list[str]
    error: str | None = None
    retry_at: datetime | None = None
    waiting: bool = False

    def summary(self) -> str:
        if self.waiting:
            return f"{self.channel}: chờ thử lại / waiting to retry at {self.retry_at:%Y-%m-%d %H:%M:%S}"
        text = f"{self.channel}: {self.delivered} đã chuyển / delivered"
        if self.error:
            text += (
                f"; lỗi / failed ({self.error}), thử lại lúc / retry at {self.retry_at:%H:%M:%S}"
            )
        return text


class Outbox:
    def __init__(
        self,
        app: PlanflowApp,
        channels: Sequence[Channel],
        *,
        retry_base_seconds: float = 30.0,
        retry_max_seconds: float = 3600.0,
        batch: int = 100,
    ) -> None:
        self.app = app
        self.channels = list(channels)
        self.retry_base = retry_base_seconds
        self.retry_max = retry_max_seconds
        self.batch = batch
        outbox_metadata.create_all(app.engine)
        self._documents: dict[tuple[str, int], tuple[dict[str, Any], PlanRules | None]] = {}

    def run(self, now: datetime) -> list[ChannelRun]:
        """Deliver what each channel has not delivered yet, as far as it can."""
        return [self._run_channel(channel, now) for channel in self.channels]

    def position(self, channel: str) -> int:
        return int(self._state(channel)["position"])

    def _state(self, channel: str) -> dict[str, Any]:
        with self.app.engine.begin() as connection:
            row = connection.execute(select(tracking).where(tracking.c.channel == channel)).first()
            if row is None:
                state = {
                    "channel": channel,
                    "position": 0,
                    "attempts": 0,
                    "next_attempt_at": None,
                    "last_error": None,
                    "delivered": 0,
                }
                connection.execute(insert(tracking), state)
                return state
            return dict(row._mapping)

    def _update(self, channel: str, **values: Any) -> None:
        with self.app.engine.begin() as connection:
            connection.execute(
                sql_update(tracking).where(tracking.c.channel == channel).values(**values)
            )

    def _run_channel(self, channel: Channel, now: datetime) -> ChannelRun:
        state = self._state(channel.name)
        retry_at = from_db(state["next_attempt_at"])
        if retry_at is not None and now < retry_at:
            return ChannelRun(channel.name, 0, [], state["last_error"], retry_at, waiting=True)
        position = int(state["position"])
        delivered = 0
        notes: list[str] = []
        while True:
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=self.batch, topics=TOPICS
            )
            if not notifications:
                return ChannelRun(channel.name, delivered, notes)
            for notification in notifications:
                event: Any = self.app.mapper.to_domain_event(notification)
                notice = self.notice(event)
                try:
                    notes.append(channel.deliver(notice))
                except DeliveryFailed as exc:
                    attempts = int(state["attempts"]) + 1
                    delay = min(self.retry_base * 2 ** (attempts - 1), self.retry_max)
                    retry = now + timedelta(seconds=delay)
                    log.warning("%s: %s (attempt %d)", channel.name, exc, attempts)
                    self._update(
                        channel.name,
                        attempts=attempts,
                        next_attempt_at=to_db(retry),
                        last_error=str(exc),
                    )
                    return ChannelRun(channel.name, delivered, notes, str(exc), retry)
                position = notification.id
                delivered += 1
                state["attempts"] = 0
                self._update(
                    channel.name,
                    position=position,
                    attempts=0,
                    next_attempt_at=None,
                    last_error=None,
                    delivered=int(state["delivered"]) + delivered,
                )

    def notice(self, event: ChaseEvent) -> Notice:
        task = self.app.get_task(UUID(str(event.originator_id)), version=event.originator_version)
        document, rules = self._plan(task.plan)
        return build_notice(event, task, document, rules)

    def _plan(self, code: str) -> tuple[dict[str, Any], PlanRules | None]:
        plan = self.app.get_plan(code)
        if plan is None:
            return {}, None
        key = (code, int(plan.version))
        if key not in self._documents:
            self._documents[key] = (plan.document, rules_from_plan(plan))
        return self._documents[key]
