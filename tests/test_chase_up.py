"""The Office's "send a chase-up now" (đôn đốc ngay): ChaseUpSent end to end — the Task's rule, the
application and the ledger (SQLite and PostgreSQL), the CLI, and delivery by mail, webhook and
letter."""

from __future__ import annotations

import email
import email.header
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import test_notify_channels
from conftest import KIEN_GIANG, utc
from planflow.application.app import PlanflowApp
from planflow.application.ledger import ledger
from planflow.application.tables import chases
from planflow.cli.main import app as cli
from planflow.domain import clock
from planflow.domain.chase import Recipient
from planflow.domain.errors import TaskStateError
from planflow.domain.task import Completion, Task, task_id
from planflow.notify.channels import SmtpChannel, WebhookChannel
from planflow.notify.config import SmtpConfig, WebhookConfig
from planflow.notify.letterbox import LetterChannel
from planflow.notify.outbox import Outbox
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import LoadedPlan
from test_notify_channels import Inbox
from test_scheduler_ladder import morning

HEAD = Recipient("assignee_head", "so-a", "Giám đốc Sở A", "Trần Văn B", "b@example.vn")
MINI_PLAN = "mini-2022"
A_REPORT = task_id(MINI_PLAN, "D2", "so-a", "2022-Q1")  # due Wed 16 Mar 2022
KG_PLAN = "kien-giang-2022-tthc"
KG_REPORT = task_id(KG_PLAN, "IV.1.a.2", "so-tu-phap", "2022-Q1")

# The SMTP server and the plan with e-mail addresses, shared with the channel tests.
smtp = test_notify_channels.smtp
with_contacts = test_notify_channels.with_contacts


def new_task(completion: Completion = Completion.REPORT) -> Task:
    with clock.at(utc(2022, 2, 1)):
        return Task.assign(
            plan="p",
            duty="D2",
            agency="so-a",
            period="2022-Q1",
            due=date(2022, 3, 16),
            completion=completion,
            title="Báo cáo quý",
            actor="loader",
        )


# --- the Task's rule ---------------------------------------------------------------------------


def test_a_chase_up_is_recorded_with_its_recipient_and_note_any_number_of_times() -> None:
    task = new_task()
    with clock.at(utc(2022, 3, 1)):
        task.chase_up(actor="director", recipient=HEAD, note="  Khẩn trương  ")
    with clock.at(utc(2022, 3, 1, 1)):
        task.chase_up(actor="staff", recipient=HEAD)
    events = [e for e in task.collect_events() if isinstance(e, Task.ChaseUpSent)]
    assert [(e.actor, e.note) for e in events] == [("director", "Khẩn trương"), ("staff", "")]
    first = events[0]
    assert (first.due, first.recipient_role, first.recipient_agency) == (
        date(2022, 3, 16),
        "assignee_head",
        "so-a",
    )
    assert (first.recipient_title, first.recipient_name, first.recipient_contact) == (
        "Giám đốc Sở A",
        "Trần Văn B",
        "b@example.vn",
    )
    assert task.chase_ups == 2
    assert task.chased == set()  # no ladder step: the scheduler's series is untouched


def test_a_chase_up_after_the_deadline_is_allowed() -> None:
    task = new_task()
    with clock.at(utc(2022, 4, 1)):
        task.chase_up(actor="director", recipient=HEAD)
    assert task.chase_ups == 1


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda t: t.cancel(actor="vp", reason="không cần"), "cancelled"),
        (
            lambda t: t.submit_report(actor="so-a", document="bc") or t.accept_report(actor="vp"),
            "already done",
        ),
        (lambda t: t.submit_report(actor="so-a", document="bc"), "awaiting the Office's review"),
    ],
    ids=["cancelled", "done", "awaiting-review"],
)
def test_a_task_that_is_not_chaseable_refuses_a_chase_up(setup: Any, words: str) -> None:
    task = new_task()
    with clock.at(utc(2022, 3, 1)):
        setup(task)
    assert not task.is_chaseable
    version = task.version
    with clock.at(utc(2022, 3, 2)), pytest.raises(TaskStateError, match=words):
        task.chase_up(actor="director", recipient=HEAD)
    assert task.version == version and task.chase_ups == 0


def test_a_returned_report_can_be_chased_again() -> None:
    task = new_task()
    with clock.at(utc(2022, 3, 1)):
        task.submit_report(actor="so-a", document="bc")
        task.return_report(actor="vp", reason="thiếu số liệu")
        task.chase_up(actor="director", recipient=HEAD)
    assert task.chase_ups == 1


# --- the application and the ledger ------------------------------------------------------------


def test_chase_up_names_the_head_from_the_plan_and_enters_the_ledger(
    any_app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    recipient = any_app.chase_up(
        A_REPORT, actor="director", at=utc(2022, 3, 10), note="Gửi báo cáo sớm"
    )
    assert (recipient.role, recipient.agency, recipient.title) == (
        "assignee_head",
        "so-a",
        "Giám đốc Sở A",
    )
    event = any_app.task_events(A_REPORT)[-1]
    assert isinstance(event, Task.ChaseUpSent)
    assert (event.actor, event.note, event.recipient_title) == (
        "director",
        "Gửi báo cáo sớm",
        "Giám đốc Sở A",
    )
    [head] = ledger(any_app.engine, utc(2022, 3, 10), agency="so-a")
    [entry] = head.entries
    assert (entry.kind, entry.step, entry.due, entry.duty) == (
        "chase_up",
        0,
        date(2022, 3, 16),
        "D2",
    )
    assert entry.outcome == "open_in_time"
    assert head.as_json()["chase_ups"] == 1 and head.as_json()["reminders"] == 0


def test_chase_up_follows_a_reassignment_to_the_new_agencys_head(
    any_app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    any_app.reassign(A_REPORT, actor="vp", at=utc(2022, 3, 1), new_agency="so-b", reason="x")
    assert any_app.chase_up(A_REPORT, actor="director", at=utc(2022, 3, 2)).agency == "so-b"


def test_rebuilding_reproduces_the_chase_up_ledger_rows(kg_any_app: PlanflowApp) -> None:
    ticker = Ticker(kg_any_app)
    for day in (date(2022, 3, 7), date(2022, 3, 17)):
        ticker.tick(morning(day))
    kg_any_app.chase_up(KG_REPORT, actor="director", at=morning(date(2022, 3, 18)), note="Lần 1")
    kg_any_app.chase_up(KG_REPORT, actor="staff", at=morning(date(2022, 3, 18)))

    def rows() -> list[tuple[Any, ...]]:
        with kg_any_app.engine.connect() as connection:
            return sorted(tuple(r) for r in connection.execute(select(chases)))

    before = rows()
    assert [r for r in before if r[3] == "chase_up"]
    assert len([r for r in before if r[3] == "chase_up"]) == 2
    kg_any_app.rebuild_read_models()
    assert rows() == before


def test_a_chase_up_on_a_done_task_is_refused_and_records_nothing(
    app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    app.submit_report(A_REPORT, actor="so-a", at=utc(2022, 3, 1), document="bc")
    app.accept_report(A_REPORT, actor="vp", at=utc(2022, 3, 2))
    before = len(app.task_events(A_REPORT))
    with pytest.raises(TaskStateError):
        app.chase_up(A_REPORT, actor="director", at=utc(2022, 3, 3))
    assert len(app.task_events(A_REPORT)) == before
    with app.engine.connect() as connection:
        assert list(connection.execute(select(chases))) == []


# --- the command line ------------------------------------------------------------------------


def test_planflow_chase_records_it_and_the_ledger_shows_it(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "planflow.db")

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, ["--db", db, *args], env={"COLUMNS": "160"})

    assert invoke("load", str(KIEN_GIANG), "--at", "2022-02-15").exit_code == 0
    task = str(KG_REPORT)[:8]
    result = invoke(
        "chase", task, "--actor", "chanh-van-phong", "--note", "Khẩn trương", "--at", "2022-03-10"
    )
    assert result.exit_code == 0, result.output
    assert "Đã đôn đốc / chase-up recorded" in result.output
    assert "Giám đốc Sở Tư pháp" in result.output
    data = json.loads(invoke("ledger", "--agency", "so-tu-phap", "--format", "json").output)
    [head] = data["heads"]
    assert head["chase_ups"] == 1
    assert [(e["kind"], e["due"]) for e in head["entries"]] == [("chase_up", "2022-03-16")]
    assert "Đôn đốc" in invoke("ledger", "--agency", "so-tu-phap").output
    history = json.loads(invoke("history", task, "--format", "json").output)
    assert history["events"][-1]["type"] == "ChaseUpSent"
    # Refused on a cancelled task: exit code 3, nothing recorded.
    assert invoke("cancel", task, "--actor", "vp", "--reason", "bãi bỏ").exit_code == 0
    refused = invoke("chase", task, "--actor", "chanh-van-phong")
    assert refused.exit_code == 3 and "không thể đôn đốc" in refused.output


# --- delivery ----------------------------------------------------------------------------------


def test_a_chase_up_is_mailed_in_vietnamese_with_the_note(
    app: PlanflowApp,
    with_contacts: LoadedPlan,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    app.load_plan(with_contacts, actor="loader", at=utc(2022, 2, 15))
    app.chase_up(A_REPORT, actor="director", at=morning(date(2022, 3, 10)), note="Gửi trước 15/3")
    outbox = Outbox(app, [SmtpChannel(SmtpConfig("127.0.0.1", port, sender="vp@example.vn"))])
    [run] = outbox.run(morning(date(2022, 3, 10)))
    assert run.error is None and run.delivered == 1
    [message] = inbox.messages
    assert message["To"] == "giamdoc@so-a.example.vn"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "[Đôn đốc] Sở A: IV.1.a.2 Quý 1 năm 2022, hạn 16/03/2022"
    body = message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "Kính gửi: Giám đốc Sở A (Trần Thị Bình)" in body
    assert "còn 4 ngày làm việc đến hạn" in body  # Thu 10 → Wed 16 Mar
    assert "Ý kiến của Văn phòng: Gửi trước 15/3" in body
    assert "chịu trách nhiệm cá nhân" in body
    assert message["Idempotency-Key"]
    assert outbox.run(morning(date(2022, 3, 10)))[0].delivered == 0  # nothing twice


def test_the_english_chase_up_mail_counts_the_days_late(
    app: PlanflowApp,
    with_contacts: LoadedPlan,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    app.load_plan(with_contacts, actor="loader", at=utc(2022, 2, 15))
    app.chase_up(A_REPORT, actor="director", at=morning(date(2022, 3, 21)))
    Outbox(app, [SmtpChannel(SmtpConfig("127.0.0.1", port), language="en")]).run(
        morning(date(2022, 3, 21))
    )
    [message] = inbox.messages
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject.startswith("[Chase-up] Sở A: IV.1.a.2 2022-Q1")
    body = message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "3 working days late" in body
    assert "bears personal responsibility (chịu trách nhiệm cá nhân)" in body


def test_a_chase_up_goes_to_the_webhook_and_writes_a_letter(
    kg_app: PlanflowApp, tmp_path: Path
) -> None:
    kg_app.chase_up(
        KG_REPORT, actor="director", at=morning(date(2022, 3, 10)), note="Lưu ý số liệu"
    )
    posted: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200)

    letters = tmp_path / "letters"
    outbox = Outbox(
        kg_app,
        [
            WebhookChannel(
                WebhookConfig("https://hooks.invalid/x", "k"), httpx.MockTransport(handler)
            ),
            LetterChannel(kg_app, letters),
        ],
    )
    hooked, written = outbox.run(morning(date(2022, 3, 10)))
    assert hooked.error is None and written.error is None
    [payload] = posted
    assert payload["type"] == "planflow.chase_up"
    assert (payload["agency"], payload["note"], payload["requested_by"]) == (
        "so-tu-phap",
        "Lưu ý số liệu",
        "director",
    )
    assert payload["working_days_left"] == 4
    names = sorted(p.name for p in letters.iterdir())
    assert len(names) == 2 and all(
        "-kien-giang-2022-tthc-so-tu-phap-don-doc-ngay-" in n for n in names
    )
    assert {Path(n).suffix for n in names} == {".html", ".docx"}
    html = next(letters.glob("*.html")).read_text(encoding="utf-8")
    assert "V/v đôn đốc thực hiện nhiệm vụ theo Kế hoạch số" in html
    assert "Sở Tư pháp chưa hoàn thành nhiệm vụ sau đây:" in html
    assert "Lưu ý số liệu" in html
    assert "chỉ đạo hoàn thành nhiệm vụ nêu trên" in html
    docx = next(letters.glob("*.docx")).read_bytes()
    assert docx.startswith(b"PK")
    assert "Kiên Giang, ngày 10 tháng 3 năm 2022" in html
