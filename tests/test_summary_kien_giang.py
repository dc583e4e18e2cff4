"""The Office's consolidated reports on the Kiên Giang plan played through 2022 (summary_year.py):
the 2022-Q1, 2022-H1 and 2022 reports in HTML, PDF, DOCX and XLSX, each opened with its own
library and checked against the board as it stood at the report's moment."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, TaskView, list_tasks
from planflow.application.summary import build_summary, default_moment, summary_period
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.status import TaskStatus
from planflow.reports import render
from planflow.workflow.loader import LoadedPlan
from summary_year import PLAN, play_year, rule_of

WORDS = (
    TaskStatus.DONE_ON_TIME,
    TaskStatus.DONE_LATE,
    TaskStatus.OPEN_IN_TIME,
    TaskStatus.OPEN_OVERDUE,
)
# What each report covers, written out by hand: its own reports and the shorter ones inside it,
# and the one-off duties due within its months.
COVERS = {
    "2022-Q1": ({"2022-Q1"}, datetime(2022, 3, 31).date()),
    "2022-H1": ({"2022-Q1", "2022-Q2", "2022-H1"}, datetime(2022, 6, 30).date()),
    "2022": ({"2022-Q1", "2022-Q2", "2022-H1", "2022-Q3", "2022-Q4", "2022-Y"}, None),
}
NOW = datetime(2023, 1, 10, 12, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory, kien_giang: LoadedPlan) -> Iterator[PlanflowApp]:
    path = tmp_path_factory.mktemp("summary") / "year.db"
    app = PlanflowApp(f"sqlite:///{path}")
    play_year(app, kien_giang)
    yield app
    app.close()


def board_rows(app: PlanflowApp, period: str, moment: datetime) -> list[TaskView]:
    codes, last = COVERS[period]
    views = list_tasks(app.engine, moment, BoardFilter(plan=PLAN, role="lead"), as_of=True)
    return [
        v
        for v in views
        if v.period in codes or (v.period == "2022" and (last is None or v.due <= last))
    ]


def expected_lines(
    app: PlanflowApp, plan: LoadedPlan, period: str, moment: datetime
) -> list[list[object]]:
    """Bảng 1 as the board says: per agency in the file's order, the total, the four statuses,
    the working days late, the on-time share."""
    views = board_rows(app, period, moment)
    lines = []
    for agency in plan.workflow.agencies:
        mine = [v for v in views if v.agency == agency.code]
        if not mine:
            continue
        counts = [sum(v.status is s for v in mine) for s in WORDS]
        late = sum(
            plan.calendar.working_days_between(v.due, local_date(v.completed_at))
            for v in mine
            if v.status is TaskStatus.DONE_LATE and v.completed_at
        )
        judged = len(mine) - counts[2]
        rate = counts[0] / judged if judged else None
        lines.append([agency.name_vi, len(mine), *counts, late, rate])
    return lines


def pct(rate: object) -> str:
    return "—" if rate is None else f"{float(rate) * 100:.1f}%".replace(".", ",")  # type: ignore[arg-type]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2022-Q1", "2022-H1", "2022"])
def test_every_format_says_what_the_board_said_at_the_reports_moment(
    year: PlanflowApp, kien_giang: LoadedPlan, period: str, tmp_path: Path
) -> None:
    wanted = summary_period(period)
    moment = default_moment(year, PLAN, wanted, NOW)
    # The Office's own report on the period falls due 5 working days after the cut-off.
    assert (
        local_date(moment)
        == {
            "2022-Q1": datetime(2022, 3, 21),
            "2022-H1": datetime(2022, 6, 21),
            "2022": datetime(2022, 12, 21),
        }[period].date()
    )
    figures = build_summary(year, PLAN, wanted, moment)
    lines = expected_lines(year, kien_giang, period, moment)
    assert [a.name for a in figures.agencies] == [line[0] for line in lines]
    board = board_rows(year, period, moment)
    assert figures.totals.total == len(board)
    # The agencies that did not report are those whose rule is to never report (rule 3).
    reporting = {v.agency for v in board if v.completion == "report" and v.due < local_date(moment)}
    silent = {a for a in reporting if rule_of(kien_giang, a) == 3}
    assert silent and {m.agency for m in figures.missing} == silent
    names = {a.code: a.name_vi for a in kien_giang.workflow.agencies}

    files = {fmt: render(figures, fmt) for fmt in ("html", "pdf", "docx", "xlsx")}
    for fmt, data in files.items():
        (tmp_path / f"report.{fmt}").write_bytes(data)

    # XLSX: numbers as numbers, one sheet per table, the header row frozen.
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    sheet = book["Tình hình"]
    assert sheet.freeze_panes == "C3"
    got = [[c.value for c in row][1:] for row in sheet.iter_rows(min_row=3)]
    assert got[:-1] == lines
    assert got[-1][1:7] == [
        len(board),
        *(sum(v.status is s for v in board) for s in WORDS),
        sum(line[6] for line in lines),
    ]  # type: ignore[misc]
    reports = book["Báo cáo"]
    accepted = sum(1 for v in board if v.completion == "report" and v.state == "accepted")
    total_row = [c.value for c in list(reports.iter_rows())[-1]]
    assert total_row[3] == accepted
    assert total_row[6] == sum(
        1 for v in board if v.completion == "report" and v.state in ("assigned", "returned")
    )

    # DOCX: Bảng 1 read cell by cell.
    document = docx.Document(io.BytesIO(files["docx"]))
    table = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "STT" and "Tổng số nhiệm vụ" in t.rows[0].cells[2].text
    )
    for row, line in zip(table.rows[1:-1], lines, strict=True):
        cells = [c.text for c in row.cells]
        assert cells[1:8] == [str(x) for x in line[:7]]
        assert cells[8] == pct(line[7])
    text = "\n".join(p.text for p in document.paragraphs)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in "".join(
        c.text for c in document.tables[0].rows[0].cells
    )
    assert "Nơi nhận:" in "".join(c.text for c in document.tables[-1].rows[0].cells)

    # HTML and PDF: each agency's row of Bảng 1, read as text.
    page = flat(html.unescape(re.sub(r"<[^>]+>", " ", files["html"].decode())))
    pdf_text = flat(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages)
    )
    for i, line in enumerate(lines, start=1):
        row = " ".join([str(i), *(str(x) for x in line[:7]), pct(line[7])])
        assert row in page, row
        assert row in pdf_text, row
    for source in (text, page, pdf_text):
        summary = flat(source)
        open_overdue = sum(v.status is TaskStatus.OPEN_OVERDUE for v in board)
        assert f"{len(board)} nhiệm vụ" in summary
        assert f"{open_overdue} quá hạn chưa hoàn thành" in summary
        for code in silent:
            assert names[code] in summary
