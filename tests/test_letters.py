"""Chase-up letters (văn bản đôn đốc) in the Decree 30/2020 layout, as HTML and DOCX, and the
iCalendar feed of an agency's deadlines."""

from __future__ import annotations

import unicodedata
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from icalendar import Calendar
from pypdf import PdfReader
from typer.testing import CliRunner

from planflow.application.app import PlanflowApp
from planflow.cli.main import app as cli
from planflow.notify.docx_letter import render_docx
from planflow.notify.ical import agency_feed
from planflow.notify.letterbox import NothingOverdue, letter_for
from planflow.notify.letters import (
    build_letter,
    decree30_date,
    level_reached,
    plan_citation,
    render_html,
    signature_for,
)
from planflow.workflow.loader import LoadedPlan
from test_scheduler_ladder import PLAN, morning


@pytest.fixture
def late(kg_app: PlanflowApp) -> PlanflowApp:
    """The Kiên Giang plan, loaded by ``loader`` on 15 Feb 2022 (a copy of the session's store)."""
    return kg_app


def test_dates_follow_decree_30() -> None:
    assert decree30_date(date(2022, 3, 21)) == "ngày 21 tháng 3 năm 2022"
    assert decree30_date(date(2022, 2, 7)) == "ngày 07 tháng 02 năm 2022"


def test_the_html_letter_has_the_decree_30_parts_and_lists_the_overdue_tasks(
    late: PlanflowApp,
) -> None:
    letter = letter_for(late, PLAN, "so-tu-phap", morning(date(2022, 4, 5)))
    html = render_html(letter)
    for part in (
        '<div>ỦY BAN NHÂN DÂN</div><div>TỈNH KIÊN GIANG</div><div class="rule short"></div>',
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:        /UBND-VP",
        "Kiên Giang, ngày 05 tháng 4 năm 2022",
        'V/v đôn đốc thực hiện nhiệm vụ quá hạn theo Kế hoạch số <span class="nowrap">…/KH-UBND</span>',
        "Kính gửi: Sở Tư pháp.",
        "Thực hiện Kế hoạch số …/KH-UBND ngày …/…/2022 của Ủy ban nhân dân tỉnh Kiên Giang về",
        "Quý I năm 2022",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT, VP.",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Thanh Nhàn",
        "Giám đốc Sở Tư pháp",
        "chịu trách nhiệm cá nhân",
    ):
        assert part in html, part
    # The layout: the date centred under the motto, rules rather than underlining, body justified
    # with its first line indented, the A4 page with the decree's margins.
    assert ".place-date { font-style: italic; text-align: center;" in html
    assert "underline" not in html and "border-bottom: 1px solid #000" in html
    assert "p.body { text-align: justify; text-indent: 1.27cm;" in html
    assert "@page { size: A4; margin: 20mm 20mm 20mm 30mm;" in html
    assert "Quý 1" not in html
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
    # Two working days late: below the Office's step, so the Office's chief signs, not the signer.
    assert "TL. CHỦ TỊCH" in cells and "CHÁNH VĂN PHÒNG" in cells
    assert "KT. CHỦ TỊCH" not in cells and "Nguyễn Thanh Nhàn" not in cells
    assert "Quý I năm 2022" in cells and "16/03/2022" in cells
    assert "Thực hiện Kế hoạch số …/KH-UBND ngày …/…/2022 của Ủy ban nhân dân tỉnh" in text


def test_the_ladder_level_decides_who_signs(kien_giang: LoadedPlan) -> None:
    document = kien_giang.workflow.model_dump(mode="json")
    # Ladder: 1 the late head (0 days), 2 the Office (3 days), 3 the plan's signer (7 days).
    assert [level_reached(document, d) for d in (0, 2, 3, 6, 7, 30)] == [1, 1, 2, 2, 3, 3]
    office = (("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"), "")
    assert signature_for(document, 0) == office
    assert signature_for(document, 1) == office
    assert signature_for(document, 2) == office
    assert signature_for(document, 3) == (
        ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
        "Nguyễn Thanh Nhàn",
    )


def test_the_plan_is_cited_with_its_number_date_and_issuer() -> None:
    plan = {"number": "35/KH-UBND", "issuer": "Ủy ban nhân dân tỉnh Kiên Giang", "year": 2022}
    assert plan_citation({**plan, "date": "2022-02-18"}) == (
        "Kế hoạch số 35/KH-UBND ngày 18/02/2022 của Ủy ban nhân dân tỉnh Kiên Giang"
    )
    # Unknown in the source: left as dots for the Office to fill in, like an unknown number.
    assert plan_citation(plan) == (
        "Kế hoạch số 35/KH-UBND ngày …/…/2022 của Ủy ban nhân dân tỉnh Kiên Giang"
    )


def test_the_offices_note_is_escaped_in_the_html_letter(kien_giang: LoadedPlan) -> None:
    chased = build_letter(
        kien_giang.workflow.model_dump(mode="json"),
        "so-tu-phap",
        [],
        kien_giang.calendar,
        morning(date(2022, 3, 18)),
        chase_up=True,
        note="<script>alert(1)</script> & số liệu",
    )
    html = render_html(chased)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; số liệu" in html


def test_no_letter_to_an_agency_that_is_not_late(late: PlanflowApp) -> None:
    with pytest.raises(NothingOverdue):
        letter_for(late, PLAN, "so-tu-phap", morning(date(2022, 3, 10)))


def test_the_letter_command_writes_html_docx_and_pdf(late: PlanflowApp, tmp_path: Path) -> None:
    db = late.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    for fmt in ("html", "docx", "pdf"):
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
    assert (tmp_path / "letter.pdf").read_bytes().startswith(b"%PDF-")
    pdf = PdfReader(tmp_path / "letter.pdf")
    assert "Kiên Giang, ngày 18 tháng 3 năm 2022" in "".join(p.extract_text() for p in pdf.pages)
    base = ["--db", str(db), "letter", "--agency", "so-tu-phap", "--now", "2022-03-18"]
    # --level names the step the letter is written at: at 3 the Vice-Chairman signs.
    out = tmp_path / "level3.html"
    result = runner.invoke(cli, [*base, "--level", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "KT. CHỦ TỊCH" in out.read_text(encoding="utf-8")
    result = runner.invoke(cli, [*base, "--format", "odt", "-o", str(tmp_path / "x.odt")])
    assert result.exit_code == 2 and not (tmp_path / "x.odt").exists()
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
    written_html = html.read_text(encoding="utf-8")
    assert "Kiên Giang, ngày 21 tháng 3 năm 2022" in written_html
    # Written at the Office's step (level 2): the Office's chief signs.
    assert "<div>TL. CHỦ TỊCH</div><div>CHÁNH VĂN PHÒNG</div>" in written_html
    assert (tmp_path / "ical" / "so-tu-phap.ics").exists()


def test_the_configured_letters_channel_also_writes_the_pdf(
    late: PlanflowApp, tmp_path: Path
) -> None:
    from planflow.bootstrap import outbox_for
    from planflow.domain.task import task_id
    from planflow.notify.config import NotifyConfig

    # Q1 report, due 16 Mar, chased on 25 Mar: 7 working days late, the signer's step.
    report = task_id(PLAN, "IV.1.a.2", "so-tu-phap", "2022-Q1")
    late.chase_up(report, actor="director", at=morning(date(2022, 3, 25)), note="Khẩn trương")
    letters = tmp_path / "letters"
    outbox = outbox_for(late, NotifyConfig(letters_dir=letters))
    [written] = outbox.run(morning(date(2022, 3, 25)))
    assert written.error is None
    assert sorted(p.suffix for p in letters.iterdir()) == [".docx", ".html", ".pdf"]
    pdf = PdfReader(next(letters.glob("*.pdf")))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    text = unicodedata.normalize("NFC", text)
    assert "Khẩn trương" in text and "KT. CHỦ TỊCH" in text and "Quý I năm 2022" in text
