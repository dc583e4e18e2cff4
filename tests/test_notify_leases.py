"""The outbox's per-channel lease and idempotency keys, in one process with a controlled clock.

The same guarantees with real processes, kills and both databases: tests/test_outbox_once.py.
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from conftest import MINI, utc
from planflow.application.app import PlanflowApp
from planflow.application.outbox_store import TABLES, Delivery, OutboxStore
from planflow.application.tables import metadata
from planflow.notify.channels import DELIVERY_KEY_HEADER, SmtpChannel, WebhookChannel
from planflow.notify.config import SmtpConfig, WebhookConfig
from planflow.notify.notices import delivery_key
from planflow.notify.outbox import Outbox
from planflow.workflow.loader import load_workflow
from test_notify_channels import Inbox, chased, free_port
from test_scheduler_ladder import morning

T0 = utc(2026, 11, 27, 9)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def mailbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def chased_app(app: PlanflowApp, tmp_path: Path) -> PlanflowApp:
    """The mini plan, so-a's head with an address, chased on Tue 15 and Thu 17 Mar 2022."""
    text = MINI.read_text(encoding="utf-8").replace(
        "head: {title_vi: Giám đốc Sở A}",
        "head: {title_vi: Giám đốc Sở A, contact: giamdoc@so-a.example.vn}",
    )
    path = tmp_path / "mini-contacts.yaml"
    path.write_text(text, encoding="utf-8")
    chased(app, load_workflow(path), date(2022, 3, 15), date(2022, 3, 17))
    return app


def outbox(app: PlanflowApp, port: int, clock: Clock, holder: str) -> Outbox:
    channel = SmtpChannel(SmtpConfig("127.0.0.1", port))
    return Outbox(app, [channel], clock=clock, holder=holder, lease_seconds=60)


def test_the_outbox_tables_live_in_the_shared_metadata() -> None:
    assert all(table.metadata is metadata for table in TABLES)
    assert {t.name for t in TABLES} <= set(metadata.tables)


def test_while_one_process_holds_a_channel_another_sends_nothing_until_the_lease_expires(
    chased_app: PlanflowApp, mailbox: tuple[Inbox, int]
) -> None:
    inbox, port = mailbox
    clock = Clock()
    first, second = outbox(chased_app, port, clock, "A"), outbox(chased_app, port, clock, "B")
    first.store.ensure("email")
    assert first.store.acquire("email") is not None  # A took the lease, then died
    [run] = second.run(morning(date(2022, 3, 17)))
    assert run.busy and run.holder == "A" and run.delivered == 0 and inbox.messages == []
    assert "being delivered by another process (A)" in run.summary()
    clock.now += timedelta(seconds=61)  # A's lease has expired: B takes over
    [run] = second.run(morning(date(2022, 3, 17)))
    assert not run.busy and run.delivered == 4 and len(inbox.messages) == 2
    # B released the lease when done: A may deliver again at once, and finds nothing left.
    assert first.run(morning(date(2022, 3, 17)))[0].delivered == 0
    assert len(inbox.messages) == 2


def test_a_process_whose_lease_was_taken_over_records_nothing_and_leaves_the_position(
    chased_app: PlanflowApp,
) -> None:
    clock = Clock()
    stale = OutboxStore(chased_app.engine, "A", clock, lease_seconds=60)
    fresh = OutboxStore(chased_app.engine, "B", clock, lease_seconds=60)
    stale.ensure("email")
    assert stale.acquire("email") is not None
    clock.now += timedelta(seconds=30)
    assert fresh.acquire("email") is None  # still A's
    clock.now += timedelta(seconds=31)
    assert fresh.acquire("email") is not None  # expired: B's now
    assert stale.record_delivery("email", Delivery(7, "e", "k", "sent")) is None
    assert stale.record_failure("email", 1, T0, "boom") is None
    state = fresh.state("email")
    assert (state.position, state.attempts, state.delivered) == (0, 0, 0)
    assert fresh.delivered_count("email") == 0
    assert fresh.record_delivery("email", Delivery(7, "e", "k", "sent")) is not None
    assert fresh.state("email").position == 7 and fresh.delivered_count("email") == 1


def test_a_mail_sent_again_carries_the_same_message_id_and_idempotency_key(
    chased_app: PlanflowApp, mailbox: tuple[Inbox, int]
) -> None:
    inbox, port = mailbox
    box = outbox(chased_app, port, Clock(), "A")
    box.run(morning(date(2022, 3, 17)))
    chased_app.rebuild_read_models()  # keeps the outbox's rows: nothing is sent again
    [run] = box.run(morning(date(2022, 3, 17)))
    assert not run.busy and run.delivered == 0 and box.position("email") > 0
    first = list(inbox.messages)
    assert len(first) == 2
    # A crash between send and record: the same event is mailed again by a new process.
    again = outbox(chased_app, port, Clock(), "B")
    with again.store.engine.begin() as connection:
        for table in TABLES:
            connection.execute(table.delete())
    again.run(morning(date(2022, 3, 17)))
    resent = inbox.messages[2:]
    assert [m["Message-ID"] for m in resent] == [m["Message-ID"] for m in first]
    assert [m[DELIVERY_KEY_HEADER] for m in resent] == [m[DELIVERY_KEY_HEADER] for m in first]
    key = first[0][DELIVERY_KEY_HEADER]
    assert first[0]["Message-ID"] == f"<{key}@planflow.invalid>"
    assert key == delivery_key(first[0]["Idempotency-Key"], "email")
    assert delivery_key(first[0]["Idempotency-Key"], "webhook") != key  # one key per channel
    assert SmtpChannel.name == "email" and WebhookChannel(WebhookConfig("u", "s")).name == "webhook"
    assert email.utils.parseaddr(first[0]["To"])[1] == "giamdoc@so-a.example.vn"
