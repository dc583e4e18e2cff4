"""The outbox: each channel follows the event log from its own position, delivered once.

Recording never waits for delivery: the scheduler records ReminderSent and Escalated events, the
Office's "send a chase-up now" records ChaseUpSent; the outbox reads them back in commit order (the
notification log) and hands each to every channel.

Any number of processes may run the outbox over one store (docs/scheduler.md): a channel is
delivered by whoever holds its lease (``OutboxStore.acquire``, a short compare-and-set
transaction), and each send is followed by one short transaction that checks the lease is still
ours, records the delivery and advances the position. No lock is held during a send. A process
killed between a send and its record leaves that one message to be sent again by the next holder
(once its lease expired); every message carries a deterministic idempotency key for the receiver
to drop it. A failing channel stops at its failed event and waits ``base × 2^(attempts-1)`` seconds
(capped) before trying again; the other channels go on.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic

from planflow.application.app import PlanflowApp
from planflow.application.outbox_store import Delivery, OutboxStore
from planflow.application.planrules import rules_from_plan
from planflow.application.readmodels import ChaseEvent
from planflow.domain.chasing import PlanRules
from planflow.domain.task import Task
from planflow.notify.channels import Channel, DeliveryFailed
from planflow.notify.notices import Notice, build_notice, delivery_key

log = logging.getLogger(__name__)

TOPICS = (get_topic(Task.ReminderSent), get_topic(Task.Escalated), get_topic(Task.ChaseUpSent))


def system_clock() -> datetime:
    """The default lease clock (the entry points pass their own)."""
    return datetime.now(UTC)


def default_holder() -> str:
    """Names this outbox in the lease table: host, process and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"


@dataclass(frozen=True)
class ChannelRun:
    channel: str
    delivered: int
    notes: list[str]
    error: str | None = None
    retry_at: datetime | None = None
    waiting: bool = False
    busy: bool = False  # another process holds the channel's lease
    holder: str | None = None

    def summary(self) -> str:
        if self.waiting:
            return f"{self.channel}: chờ thử lại / waiting to retry at {self.retry_at:%Y-%m-%d %H:%M:%S}"
        if self.busy:
            return (
                f"{self.channel}: tiến trình khác đang chuyển / being delivered by another "
                f"process ({self.holder})"
            )
        text = f"{self.channel}: {self.delivered} đã chuyển / delivered"
        if self.error:
            text += (
                f"; lỗi / failed ({self.error}), thử lại lúc / retry at {self.retry_at:%H:%M:%S}"
            )
        return text


def record_failed(
    store: OutboxStore,
    channel: str,
    exc: DeliveryFailed,
    attempts: int,
    now: datetime,
    base: float,
    cap: float,
) -> datetime:
    """Note the ``attempts``-th failure of ``channel``; returns when to try again
    (``base × 2^(attempts-1)`` seconds, at most ``cap``)."""
    retry = now + timedelta(seconds=min(base * 2 ** (attempts - 1), cap))
    log.warning("%s: %s (attempt %d)", channel, exc, attempts)
    store.record_failure(channel, attempts, retry, str(exc))
    return retry


class Outbox:
    """Delivers the notification log on ``channels``.

    ``clock`` is the real time, for leases (``run`` is given the delivery time, which may be
    simulated); ``lease_seconds`` must exceed the longest single send (the SMTP/webhook timeout).
    ``per_run`` bounds what one ``run`` delivers per channel (None: everything pending).
    """

    def __init__(
        self,
        app: PlanflowApp,
        channels: Sequence[Channel],
        *,
        retry_base_seconds: float = 30.0,
        retry_max_seconds: float = 3600.0,
        batch: int = 100,
        lease_seconds: float = 120.0,
        clock: Callable[[], datetime] = system_clock,
        holder: str | None = None,
        per_run: int | None = None,
    ) -> None:
        self.app = app
        self.channels = list(channels)
        self.retry_base = retry_base_seconds
        self.retry_max = retry_max_seconds
        self.batch = batch
        self.per_run = per_run
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.store = OutboxStore(app.engine, holder or default_holder(), clock, lease_seconds)
        self._ready: set[str] = set()
        self._documents: dict[tuple[str, int], tuple[dict[str, Any], PlanRules | None]] = {}

    def run(self, now: datetime) -> list[ChannelRun]:
        """Deliver what each channel has not delivered yet, as far as it can."""
        return [self._run_channel(channel, now) for channel in self.channels]

    def position(self, channel: str) -> int:
        self._ensure(channel)
        return self.store.state(channel).position

    def _ensure(self, channel: str) -> None:
        if channel not in self._ready:
            self.store.ensure(channel)
            self._ready.add(channel)

    def _run_channel(self, channel: Channel, now: datetime) -> ChannelRun:
        self._ensure(channel.name)
        expires = self.store.acquire(channel.name)
        holder, until = (None, None) if expires else self.store.holder_of(channel.name)
        if expires is None and holder is None:  # no lease row (tables recreated): make it
            self.store.ensure(channel.name)
            expires = self.store.acquire(channel.name)
        if expires is None:
            return ChannelRun(channel.name, 0, [], retry_at=until, busy=True, holder=holder)
        try:
            return self._deliver(channel, now, expires)
        finally:
            self.store.release(channel.name)

    def _deliver(self, channel: Channel, now: datetime, expires: datetime) -> ChannelRun:
        name = channel.name
        state = self.store.state(name)
        if state.next_attempt_at is not None and now < state.next_attempt_at:
            return ChannelRun(name, 0, [], state.last_error, state.next_attempt_at, waiting=True)
        position, attempts = state.position, state.attempts
        delivered = 0
        notes: list[str] = []
        margin = timedelta(seconds=self.lease_seconds / 2)
        while self.per_run is None or delivered < self.per_run:
            left = self.batch if self.per_run is None else min(self.batch, self.per_run - delivered)
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=left, topics=TOPICS
            )
            if not notifications:
                break
            for notification in notifications:
                if self.clock() + margin >= expires:
                    renewed = self.store.acquire(name)
                    if renewed is None:
                        return self._lost(name, delivered, notes)
                    expires = renewed
                event: Any = self.app.mapper.to_domain_event(notification)
                notice = self.notice(event)
                try:
                    note = channel.deliver(notice)
                except DeliveryFailed as exc:
                    retry = record_failed(
                        self.store, name, exc, attempts + 1, now, self.retry_base, self.retry_max
                    )
                    return ChannelRun(name, delivered, notes, str(exc), retry)
                record = Delivery(
                    notification.id, notice.event_id, delivery_key(notice.event_id, name), note
                )
                renewed = self.store.record_delivery(name, record)
                if renewed is None:
                    return self._lost(name, delivered, notes)
                expires, position, attempts = renewed, notification.id, 0
                delivered += 1
                notes.append(note)
        return ChannelRun(name, delivered, notes)

    def _lost(self, channel: str, delivered: int, notes: list[str]) -> ChannelRun:
        holder, until = self.store.holder_of(channel)
        log.warning(
            "%s: quyền chuyển đã hết hạn và bị %s tiếp quản / lease expired, taken over by %s",
            channel,
            holder,
            holder,
        )
        return ChannelRun(channel, delivered, notes, retry_at=until, busy=True, holder=holder)

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
