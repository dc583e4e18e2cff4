"""Each notification is mailed once per channel across processes and crashes (docs/scheduler.md).

Real delivery processes (tests/outbox_worker.py, or ``planflow notify``) over one store, SQLite
and PostgreSQL, and a real SMTP server (aiosmtpd) in the test that counts what it receives, by the
mails' ``X-Planflow-Idempotency-Key``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from conftest import KIEN_GIANG, utc
from planflow.application.app import PlanflowApp
from planflow.application.outbox_store import deliveries
from planflow.notify.channels import DELIVERY_KEY_HEADER
from planflow.notify.notices import delivery_key, event_id
from planflow.notify.outbox import TOPICS
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import load_workflow
from test_notify_channels import free_port
from test_scheduler_ladder import morning

WORKER = Path(__file__).resolve().parent / "outbox_worker.py"
CLI = [sys.executable, "-c", "from planflow.cli.main import main; main()"]
KEY = re.compile(rf"^{DELIVERY_KEY_HEADER}: (\S+)", re.MULTILINE | re.IGNORECASE)


class Counting:
    """An SMTP server's handler counting the mails received per idempotency key."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = KEY.search(envelope.content.decode("utf-8", "replace"))
        with self.lock:
            self.keys[found.group(1) if found else "?"] += 1
        return "250 OK"

    def report(self, expected: set[str]) -> tuple[int, int, int]:
        """(expected, received, duplicates); fails if one is missing or unexpected."""
        with self.lock:
            keys = Counter(self.keys)
        assert set(keys) == expected
        received = sum(keys.values())
        return len(expected), received, received - len(keys)


@pytest.fixture
def smtp() -> Iterator[tuple[Counting, int]]:
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def chased_store(url: str, tmp_path: Path, last: date) -> set[str]:
    """The Kiên Giang plan, every head with an e-mail address, chased every morning until
    ``last``; returns the e-mail idempotency keys of the notifications to deliver."""
    text = KIEN_GIANG.read_text(encoding="utf-8")
    text = re.sub(
        r"(  - code: (\S+)\n(?:    .*\n)*?    head:\n)",
        r"\1      contact: \2@kg.example.vn\n",
        text,
    ).replace("  signer:\n", "  signer:\n    contact: pct@kg.example.vn\n")
    shutil.copy(KIEN_GIANG.parent / "calendar-vn-overrides.yaml", tmp_path)
    path = tmp_path / "kg-contacts.yaml"
    path.write_text(text, encoding="utf-8")
    app = PlanflowApp(url)
    try:
        app.load_plan(load_workflow(path), actor="loader", at=utc(2022, 2, 15))
        ticker = Ticker(app)
        day = date(2022, 3, 14)
        while day <= last:
            ticker.tick(morning(day))
            day += timedelta(days=1)
        keys = set()
        for n in app.recorder.select_notifications(start=1, limit=100_000, topics=TOPICS):
            event = app.mapper.to_domain_event(n)
            assert "@" in event.recipient_contact  # type: ignore[attr-defined]
            keys.add(delivery_key(event_id(event.originator_id, event.originator_version), "email"))
        return keys
    finally:
        app.close()


def recorded(url: str) -> Counter[str]:
    app = PlanflowApp(url)
    try:
        with app.engine.connect() as connection:
            return Counter(row.key for row in connection.execute(deliveries.select()))
    finally:
        app.close()


def worker(url: str, port: int, expected: int, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, str(port), str(expected), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_delivery_processes_over_one_store_mail_every_notification_exactly_once(
    database_url: str, tmp_path: Path, smtp: tuple[Counting, int]
) -> None:
    handler, port = smtp
    keys = chased_store(database_url, tmp_path, date(2022, 3, 25))
    options = ("--per-run", "5", "--delay", "0.005", "--lease", "10")
    processes = [worker(database_url, port, len(keys), *options) for _ in range(2)]
    shares = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        shares.append(int(out.split()[-1]))
    expected, received, duplicates = handler.report(keys)
    print(
        f"two processes: expected {expected}, received {received}, duplicates {duplicates}, "
        f"shares {shares}"
    )
    assert duplicates == 0 and received == expected > 100
    assert sum(shares) == expected and min(shares) > 0  # both took turns with the lease
    assert set(recorded(database_url).values()) == {1} and len(recorded(database_url)) == expected


def test_two_notify_commands_at_once_mail_each_notification_once(
    database_url: str, tmp_path: Path, smtp: tuple[Counting, int]
) -> None:
    handler, port = smtp
    keys = chased_store(database_url, tmp_path, date(2022, 3, 17))
    env = dict(os.environ, PLANFLOW_SMTP_HOST="127.0.0.1", PLANFLOW_SMTP_PORT=str(port))
    env["COLUMNS"] = "200"
    env.pop("PLANFLOW_CONFIG", None)
    processes = [
        subprocess.Popen(
            [*CLI, "--db", database_url, "notify"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outputs.append(out)
    expected, received, duplicates = handler.report(keys)
    assert duplicates == 0 and received == expected
    # Whichever came second found the lease taken, or nothing left to deliver.
    assert any("being delivered by another process" in o or " 0 đã chuyển" in o for o in outputs)


def test_a_delivery_process_killed_mid_batch_again_and_again_resends_at_most_one_mail_per_kill(
    database_url: str, tmp_path: Path, smtp: tuple[Counting, int]
) -> None:
    handler, port = smtp
    keys = chased_store(database_url, tmp_path, date(2022, 3, 25))
    # Each mail is followed by 0.2 s before its record: the kill lands between send and record.
    options = ("--delay", "0.2", "--lease", "1")
    kills = 0
    for _ in range(5):
        process = worker(database_url, port, len(keys), *options)
        assert process.stdout is not None
        sent = 0
        while sent < 7:
            line = process.stdout.readline()
            assert line.startswith("sent "), (line, process.stderr.read())  # type: ignore[union-attr]
            sent += 1
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()  # type: ignore[union-attr]
        kills += 1
    last = worker(database_url, port, len(keys), "--lease", "1")
    _, err = last.communicate(timeout=300)
    assert last.returncode == 0, err
    expected, received, duplicates = handler.report(keys)
    print(f"{kills} kills: expected {expected}, received {received}, duplicates {duplicates}")
    assert duplicates <= kills and received == expected + duplicates
    assert set(recorded(database_url).values()) == {1} and len(recorded(database_url)) == expected
