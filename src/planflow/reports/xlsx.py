"""The report's tables as a workbook (openpyxl): one sheet per table, Vietnamese headers, the
header row frozen, numbers stored as numbers and shares as percentages."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planflow.reports.content import Cell, Report, Table

HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def render_xlsx(report: Report) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    info = book.create_sheet("Thông tin")
    for line in (
        report.issuer_lines[0],
        report.issuer_lines[1],
        report.title,
        report.summary_line,
        report.place_date,
        report.opening,
    ):
        info.append([line])
    info.column_dimensions["A"].width = 120
    for table in [*report.tables, report.trend]:
        _sheet(book.create_sheet(table.key), table)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet: Worksheet, table: Table) -> None:
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(table.headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append([_value(v) for v in row])
    if table.total:
        sheet.append([_value(v) for v in table.total])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for index in table.percent_columns:
        for (cell,) in sheet.iter_rows(min_row=3, min_col=index + 1, max_col=index + 1):
            cell.number_format = "0.0%"
    sheet.freeze_panes = "C3"
    for i, header in enumerate(table.headers, start=1):
        wide = 40 if i == 2 or header in ("Nội dung", "Trả lời") else max(10, len(header) // 2 + 4)
        sheet.column_dimensions[get_column_letter(i)].width = wide


def _value(value: Cell) -> Cell:
    return None if value == "" else value
