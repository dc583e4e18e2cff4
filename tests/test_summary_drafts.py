"""When the Office's own report duty comes due (its reminders and escalations), the outbox's draft
channel writes the consolidated report for that period, as it stands at that moment, beside the
Office's task; no other task's reminders draft anything."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

import docx
import openpyxl

from planflow.application.app import PlanflowApp
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import task_id
from planflow.notify.config import load_config
from planflow.notify.outbox import Outbox
from planflow.reports.drafts import DraftChannel
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import LoadedPlan

PLAN = "kien-giang-2022-tthc"


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def test_each_step_of_the_offices_report_duty_leaves_a_fresher_draft(
    app: PlanflowApp, kien_giang: LoadedPlan, tmp_path: Path
) -> None:
    app.load_plan(kien_giang, actor="loader", at=local(date(2022, 2, 15), 8))
    report = UUID(str(task_id(PLAN, "IV.1.a.2", "so-tu-phap", "2022-Q1")))
    office = str(task_id(PLAN, "IV.1.b.2", "vp-ubnd", "2022-Q1"))
    folder = tmp_path / "drafts"
    outbox = Outbox(app, [DraftChannel(app, folder)])
    ticker = Ticker(app)
    day = date(2022, 2, 16)
    while day <= date(2022, 3, 21):
        ticker.tick(local(day, 7))
        if day == date(2022, 3, 16):
            app.submit_report(report, actor="so-tu-phap", at=local(day, 10), document="q1.pdf")
        if day == date(2022, 3, 17):
            app.accept_report(report, actor="vp-ubnd", at=local(day, 9))
        for run in outbox.run(local(day, 7)):
            assert run.error is None, run.error
        day += timedelta(days=1)

    # The Office's Q1 report is due Mon 21 Mar: reminders 7, 3 and 1 working days before.
    drafts = sorted(folder.glob("*.docx"))
    days = [p.name[:10] for p in drafts]
    assert days == ["2022-03-10", "2022-03-16", "2022-03-18"]
    assert all(f"-2022-Q1-{office[:8]}-du-thao" in p.name for p in drafts)
    assert len(list(folder.glob("*.xlsx"))) == 3

    def accepted_and_named(path: Path) -> tuple[int, str]:
        book = openpyxl.load_workbook(path.with_suffix(".xlsx"))
        total = [c.value for c in list(book["Báo cáo"].iter_rows())[-1]]
        text = " ".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert "quý 1 năm 2022" in text
        return int(total[3] or 0), text

    before, text_before = accepted_and_named(drafts[1])  # 16 Mar, 07:00
    after, text_after = accepted_and_named(drafts[2])  # 18 Mar, 07:00
    assert (before, after) == (0, 1)
    assert "tính đến 07:00 ngày 16/03/2022" in text_before
    assert "tính đến 07:00 ngày 18/03/2022" in text_after
    # On 18 Mar the agencies' Q1 reports (due 16 Mar) are late: all but Sở Tư pháp are named.
    assert "Sở Tư pháp" not in text_after.split("chưa gửi báo cáo đã đến hạn:")[1].split(".")[0]
    assert "Sở Công Thương" in text_after


def test_the_draft_folder_is_configured_like_the_letters_folder(tmp_path: Path) -> None:
    config = load_config({"PLANFLOW_DRAFTS_DIR": str(tmp_path / "d")})
    assert config.drafts_dir == tmp_path / "d"
    assert load_config({}).drafts_dir is None
