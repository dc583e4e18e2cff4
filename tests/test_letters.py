"""Chase-up letters (văn bản đôn đốc) in the Decree 30/2020 layout, as HTML and DOCX, and the
iCalendar feed of an agency's deadlines."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from icalendar import Calendar
from typer.testing import CliRunner

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.cli.main import app as cli
from planflow.notify.docx_letter import render_docx
from planflow.notify.ical import agency_feed
from planflow.notify.letterbox import NothingOverdue, letter_for
from planflow.notify.letters import decree30_date, render_html
from planflow.workflow.loader import LoadedPlan
from test_scheduler_ladder import PLAN, morning


@pytest.fixture
def late(app: PlanflowApp, kien_giang: LoadedPlan) -> PlanflowApp:
    app.load_plan(kien_giang, actor="loader", at=utc(2022, 2, 15))
    return app


def test_dates_follow_decree_30() -> None:
    assert decree30_date(date(2022, 3, 21)) == "ngày 21 tháng 3 năm 2022"
    assert decree30_date(date(2022, 2, 7)) == "ngày 07 tháng 02 năm 2022"


def test_the_html_letter_has_the_decree_30_parts_and_lists_the_overdue_tasks(
    late: PlanflowApp,
) -> None:
    letter = letter_for(late, PLAN, "so-tu-phap", morning(date(2022, 4, 5)))
    html = render_html(letter)
    for part in (
        "ỦY BAN NHÂN DÂN<br>TỈNH KIÊN GIANG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:        /UBND-VP",
        "Kiên Giang, ngày 05 tháng 4 năm 2022",
        "V/v đôn đốc thực hiện nhiệm vụ quá hạn theo Kế hoạch số …/KH-UBND",
        "Kính gửi: Sở Tư pháp.",
        "Nơi nhận:",
        "- Như trên;",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Thanh Nhàn",
        "Giám đốc Sở Tư pháp",
        "chịu trách nhiệm cá nhân",
    ):
        assert part in html, part
    # On 5 Apr: the Q1 report (16 Mar) and the four duties due 31 Mar are late.
    assert [(t.section, t.due, t.working_days_late) for t in letter.tasks] == [
        ("IV.1.a.2", date(2022, 3, 16), 14),
        ("IV.1.a.1", date(2022, 3, 31), 3),
        ("IV.1.a.7", date(2022, 3, 31), 3),
        ("IV.2.b", date(2022, 3, 31), 3),
    ]
    assert letter.reply_by == "13/04/2022"  # 5 working days; Mon 11 Apr (Hùng Kings) is off


def test_the_docx_letter_says_the_same(late: PlanflowApp) -> None:
    letter = letter_for(late, PLAN, "so-tu-phap", morning(date(2022, 3, 18)))
    doc = Document(BytesIO(render_docx(letter)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Kính gửi: Sở Tư pháp." in text
    assert "chịu trách nhiệm cá nhân" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert "Kiên Giang, ngày 18 tháng 3 năm 2022" in cells
    assert "KT. CHỦ TỊCH" in cells and "Nguyễn Thanh Nhàn" in cells
    assert "Quý 1 năm 2022" in cells and "16/03/2022" in cells


def test_no_letter_to_an_agency_that_is_not_late(late: PlanflowApp) -> None:
    with pytest.raises(NothingOverdue):
        letter_for(late, PLAN, "so-tu-phap", morning(date(2022, 3, 10)))


def test_the_letter_command_writes_html_and_docx(late: PlanflowApp, tmp_path: Path) -> None:
    db = late.engine.url.database
    runner = CliRunner()
    for fmt in ("html", "docx"):
        out = tmp_path / f"letter.{fmt}"
        result = runner.invoke(
            cli,
            [
                "--db",
                str(db),
                "letter",
                "--agency",
                "so-tu-phap",
                "--now",
                "2022-03-18",
                "--format",
                fmt,
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    result = runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "letter",
            "--agency",
            "so-tu-phap",
            "--now",
            "2022-03-01",
            "-o",
            str(tmp_path / "x.html"),
        ],
    )
    assert result.exit_code == 4


def test_an_agency_feed_has_one_all_day_event_per_deadline(late: PlanflowApp) -> None:
    feed = Calendar.from_ical(agency_feed(late.engine, "so-tu-phap", morning(date(2022, 3, 1))))
    events = list(feed.walk("VEVENT"))
    # 8 one-off duties (III.4-b among them) and 6 reports (Q1–Q4, H1, year)
    assert len(events) == 14
    q1 = next(e for e in events if "IV.1.a.2 2022-Q1" in str(e["SUMMARY"]))
    assert q1.decoded("DTSTART") == date(2022, 3, 16)
    assert str(q1["UID"]).endswith("@planflow.invalid")


def test_at_level_two_the_outbox_writes_the_letter_and_refreshes_the_feed(
    late: PlanflowApp, tmp_path: Path
) -> None:
    from planflow.notify.ical import FeedChannel
    from planflow.notify.letterbox import LetterChannel
    from planflow.notify.outbox import Outbox
    from planflow.scheduler.tick import Ticker

    ticker = Ticker(late)
    for day in (date(2022, 3, 15), date(2022, 3, 17), date(2022, 3, 21)):
        ticker.tick(morning(day))
    outbox = Outbox(
        late,
        [LetterChannel(late, tmp_path / "letters"), FeedChannel(late.engine, tmp_path / "ical")],
    )
    letters, feeds = outbox.run(morning(date(2022, 3, 21)))
    assert letters.error is None and feeds.error is None
    written = sorted(p.name for p in (tmp_path / "letters").iterdir())
    assert "2022-03-21-kien-giang-2022-tthc-so-tu-phap-don-doc.docx" in written
    assert len(written) == 2 * 36  # one letter (HTML and DOCX) per late agency
    html = tmp_path / "letters" / "2022-03-21-kien-giang-2022-tthc-so-tu-phap-don-doc.html"
    assert "Kiên Giang, ngày 21 tháng 3 năm 2022" in html.read_text(encoding="utf-8")
    assert (tmp_path / "ical" / "so-tu-phap.ics").exists()
