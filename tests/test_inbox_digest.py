"""The inbox by e-mail once a working day (issue 10): an officer turns it on from the inbox page;
the delivery pass then mails what is new — to a real SMTP server — once per working day from the
configured hour, never on a day off, nothing when nothing is new, once whatever the processes."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import insert

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.application.accounts_admin import details
from planflow.application.digests import DigestStore
from planflow.notify.config import SmtpConfig
from planflow.notify.digest import DigestSender
from planflow.workflow.loader import LoadedPlan
from test_notify_channels import Inbox, smtp  # noqa: F401  (the SMTP fixture)
from test_web_pages import sign_in
from webkit import WebWorld, make_world, seed_database


@pytest.fixture
def world(tmp_path: Path, mini_plan: LoadedPlan) -> Iterator[WebWorld]:
    (tmp_path / "seed").mkdir()
    template = seed_database(tmp_path / "seed" / "seed.db", mini_plan)
    yield from make_world(tmp_path, template)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time, in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def turn_on(world: WebWorld, username: str, email: str) -> None:
    sign_in(world, username)
    page = world.client.get("/inbox").text
    assert 'data-testid="digest-on"' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    response = world.client.post(
        "/inbox/digest",
        data={"csrf_token": csrf.group(1), "enabled": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert 'data-testid="digest-off"' in world.client.get("/inbox").text
    with world.app.engine.begin() as connection:
        connection.execute(insert(details).values(username=username, email=email))


def sender(world: WebWorld, port: int, holder: str = "node-1") -> DigestSender:
    return DigestSender(
        DigestStore(world.app.engine),
        SmtpConfig("127.0.0.1", port),
        lambda year: vietnam_calendar([year]),
        hour=7,
        holder=holder,
    )


def test_the_officer_gets_one_digest_a_working_day_with_what_is_new(
    world: WebWorld,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    turn_on(world, "officer-a", "vanthu.soa@example.gov.vn")
    task = UUID(world.task_id("D1", "so-a"))
    world.app.chase_up(task, actor="staff", at=vn(2022, 3, 24, 15), note="Đề nghị khẩn trương")
    digests = sender(world, port)
    assert digests.run(vn(2022, 3, 25, 6, 30)) == []  # Friday, before 07:00
    notes = digests.run(vn(2022, 3, 25, 7, 5))
    assert notes == ["digest officer-a: 1 → vanthu.soa@example.gov.vn"]
    assert digests.run(vn(2022, 3, 25, 15)) == []  # once a day
    [mail] = inbox.messages
    assert mail["To"] == "vanthu.soa@example.gov.vn"
    body = mail.get_payload(decode=True).decode()
    assert "Đôn đốc / Chase-up sent" in body and "D1" in body and "25/03/2022" in body
    # Saturday: no digest, even with something new; Monday: only what came after Friday's.
    world.app.chase_up(task, actor="director", at=vn(2022, 3, 26, 9))
    assert digests.run(vn(2022, 3, 26, 8)) == []
    assert digests.run(vn(2022, 3, 28, 8)) == ["digest officer-a: 1 → vanthu.soa@example.gov.vn"]
    assert len(inbox.messages) == 2
    # Tuesday: nothing new → no mail.
    assert digests.run(vn(2022, 3, 29, 8)) == []
    assert len(inbox.messages) == 2


def test_an_account_that_did_not_choose_it_or_has_no_address_gets_nothing(
    world: WebWorld,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    with world.app.engine.begin() as connection:  # an address, but the digest not chosen
        connection.execute(insert(details).values(username="officer-a", email="a@example.gov.vn"))
    DigestStore(world.app.engine).set_enabled("officer-b", True, vn(2022, 3, 1))  # no address
    world.app.chase_up(UUID(world.task_id("D1", "so-a")), actor="staff", at=vn(2022, 3, 24, 15))
    world.app.chase_up(UUID(world.task_id("D1", "so-b")), actor="staff", at=vn(2022, 3, 24, 15))
    assert sender(world, port).run(vn(2022, 3, 25, 8)) == []
    assert inbox.messages == []


def test_two_delivery_processes_send_one_digest(
    world: WebWorld,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    turn_on(world, "officer-a", "vanthu.soa@example.gov.vn")
    world.app.chase_up(UUID(world.task_id("D1", "so-a")), actor="staff", at=vn(2022, 3, 24, 15))
    senders = [sender(world, port, f"node-{i}") for i in range(3)]
    threads = [threading.Thread(target=s.run, args=(vn(2022, 3, 25, 8),)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(inbox.messages) == 1
    assert DigestStore(world.app.engine).sent_count("officer-a") == 1


def test_a_failed_send_is_retried_on_the_next_pass(
    world: WebWorld,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    turn_on(world, "officer-a", "vanthu.soa@example.gov.vn")
    world.app.chase_up(UUID(world.task_id("D1", "so-a")), actor="staff", at=vn(2022, 3, 24, 15))
    closed = sender(world, 9)  # nothing listens on port 9
    [note] = closed.run(vn(2022, 3, 25, 8))
    assert "lỗi / failed" in note
    assert sender(world, port).run(vn(2022, 3, 25, 9)) == [
        "digest officer-a: 1 → vanthu.soa@example.gov.vn"
    ]
    assert len(inbox.messages) == 1
