"""The board's tasks as a spreadsheet (XLSX) or CSV: headers, agencies, periods and statuses in
the reader's language (Vietnamese by default); codes kept in their own columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from planflow.application.queries import TaskView
from planflow.domain import clock
from planflow.web.i18n import pick
from planflow.web.names import Names

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Hạn", "Deadline"),
    ("Cơ quan", "Agency"),
    ("Nhiệm vụ", "Duty"),
    ("Mục", "Section"),
    ("Kỳ báo cáo", "Period"),
    ("Tình trạng", "Status"),
    ("Số ngày làm việc quá hạn", "Working days overdue"),
    ("Hoàn thành lúc", "Completed at"),
    ("Khó khăn chưa trả lời", "Open difficulties"),
    ("Mã cơ quan", "Agency code"),
    ("Mã nhiệm vụ", "Task id"),
)


def headers(lang: str) -> list[str]:
    return [pick(lang, vi, en) for vi, en in COLUMNS]


def row(v: TaskView, names: Names, late_days: Callable[[TaskView], int]) -> list[object]:
    done = (
        v.completed_at.astimezone(clock.LOCAL_TZ).replace(tzinfo=None) if v.completed_at else None
    )
    return [
        v.due,
        names.agency(v.agency),
        names.duty(v.plan, v.duty),
        v.duty,
        names.period(v.period),
        names.status(v.status),
        late_days(v),
        done,
        v.open_difficulties,
        v.agency,
        v.id,
    ]


def xlsx_response(
    views: list[TaskView],
    names: Names,
    late_days: Callable[[TaskView], int],
    moment: datetime,
) -> Response:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = pick(names.lang, "Nhiệm vụ", "Tasks")
    sheet.append(headers(names.lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for v in views:
        sheet.append(row(v, names, late_days))
    for i, width in enumerate((12, 36, 60, 10, 22, 26, 12, 18, 10, 18, 38), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for cells in sheet.iter_rows(min_row=2):
        cells[0].number_format = "DD/MM/YYYY"
        cells[7].number_format = "DD/MM/YYYY HH:MM"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    name = f"planflow-board-{moment:%Y%m%dT%H%M}.xlsx"
    return Response(
        out.getvalue(),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def csv_text(views: list[TaskView], names: Names, late_days: Callable[[TaskView], int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(names.lang))
    for v in views:
        values = row(v, names, late_days)
        values[0] = v.due.strftime("%d/%m/%Y")
        done = values[7]
        values[7] = done.strftime("%d/%m/%Y %H:%M") if isinstance(done, datetime) else ""
        writer.writerow(values)
    return "\ufeff" + out.getvalue()  # a BOM so that spreadsheet programs read UTF-8
