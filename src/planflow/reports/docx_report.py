"""The report as a Word document (python-docx), laid out per Decree 30/2020/NĐ-CP, Appendix I:
the issuer and the national title side by side, each with a short rule under it, the number left
for the clerk, place and date under the motto, the title and summary line centred, the body
justified with a first-line indent, then "Nơi nhận:" and the signature block."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from planflow.reports.content import MOTTO, NATIONAL_TITLE, Report, Table, percent

FONT = "Times New Roman"
BAR_STEPS = 10
TEXT_WIDTH = 16.5  # cm: A4 less the 3 cm and 1.5 cm margins


def render_docx(report: Report) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(header, [6.5, 10.0])
    left, right = header.rows[0].cells
    _line(left, report.issuer_lines[0], size=12.5, first=True)
    _line(left, report.issuer_lines[1], bold=True, size=12.5)
    _rule(left, Cm(1.8))
    _line(left, report.number, size=12.5)
    _line(right, NATIONAL_TITLE, bold=True, size=12.5, first=True)
    _line(right, MOTTO, bold=True, size=13)
    _rule(right, Cm(2.3))
    _line(right, report.place_date, italic=True, size=13)

    title = _centred(doc, report.title, bold=True, size=14)
    title.paragraph_format.space_before = Pt(18)
    _centred(doc, report.summary_line, bold=True)
    _rule_paragraph(doc.add_paragraph(), Cm(6.5))

    _body(doc, report.opening)
    for part in report.sections:
        if part.heading:
            heading = doc.add_paragraph()
            heading.paragraph_format.space_before = Pt(6)
            heading.add_run(part.heading).bold = True
        for text in part.paragraphs:
            _body(doc, text)
        for item in part.items:
            _body(doc, f"- {item}")
        if part.table is not None:
            _table(doc, part.table)
        if part.chart:
            _bars(doc, report.trend)
    _body(doc, report.closing)

    footer = doc.add_table(rows=1, cols=2)
    _widths(footer, [8.0, 8.5])
    recipients, signature = footer.rows[0].cells
    label = _line(recipients, "Nơi nhận:", bold=True, size=12, first=True)
    label.alignment = WD_ALIGN_PARAGRAPH.LEFT
    label.runs[0].italic = True
    for line in report.recipients:
        _line(recipients, f"- {line}", size=11).alignment = WD_ALIGN_PARAGRAPH.LEFT
    _line(signature, report.signs_as, bold=True, size=13, first=True)
    name = _line(signature, report.signer_name or " ", bold=True, size=13)
    name.paragraph_format.space_before = Pt(72)

    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _data_widths(columns: int) -> list[float]:
    """STT narrow, the agency's name wide, the rest share what is left."""
    rest = (TEXT_WIDTH - 1.2 - 4.2) / max(columns - 2, 1)
    return [1.2, 4.2] + [rest] * (columns - 2)


def _widths(table: DocxTable, widths: list[float]) -> None:
    """Fixed column widths (Word reads the cells', LibreOffice the grid's)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _body(doc: DocumentObject, text: str) -> Paragraph:
    paragraph = doc.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(4)
    return paragraph


def _centred(doc: DocumentObject, text: str, *, bold: bool = False, size: float = 13) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    return paragraph


def _line(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 13,
    first: bool = False,
) -> Paragraph:
    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    return paragraph


def _rule(cell: _Cell, indent: Cm) -> None:
    _rule_paragraph(cell.add_paragraph(), indent)


def _rule_paragraph(paragraph: Paragraph, indent: Cm) -> None:
    """A short horizontal rule: the paragraph's bottom border, narrowed by equal indents."""
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_after = Pt(4)
    run = paragraph.add_run()
    run.font.size = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(doc: DocumentObject, table: Table) -> None:
    caption = _centred(doc, table.title, bold=True, size=11)
    caption.paragraph_format.space_before = Pt(6)
    rows = [*table.rows, *([table.total] if table.total else [])]
    grid = doc.add_table(rows=1 + len(rows), cols=len(table.headers))
    grid.style = "Table Grid"
    _widths(grid, _data_widths(len(table.headers)))
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
        _cell(cell, text, bold=True)
    for r, values in enumerate(rows, start=1):
        total = table.total is not None and r == len(rows)
        for c, value in enumerate(values):
            if c in table.percent_columns:
                text = percent(value if isinstance(value, float) else None)
            else:
                text = "" if value is None else str(value)
            _cell(grid.rows[r].cells[c], text, bold=total, number=isinstance(value, int | float))


def _cell(cell: _Cell, text: str, *, bold: bool = False, number: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    if number:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(9.5)


def _bars(doc: DocumentObject, trend: Table) -> None:
    """Hình 1 as a table of bars: ten blocks stand for 100%."""
    caption = _centred(doc, trend.title, bold=True, size=11)
    caption.paragraph_format.space_before = Pt(6)
    grid = doc.add_table(rows=1 + len(trend.rows), cols=len(trend.headers))
    grid.style = "Table Grid"
    _widths(grid, _data_widths(len(trend.headers)))
    for cell, text in zip(grid.rows[0].cells, trend.headers, strict=True):
        _cell(cell, text, bold=True)
    for r, values in enumerate(trend.rows, start=1):
        for c, value in enumerate(values):
            cell = grid.rows[r].cells[c]
            if c not in trend.percent_columns:
                _cell(cell, str(value), number=isinstance(value, int))
                continue
            rate = value if isinstance(value, float) else None
            filled = 0 if rate is None else round(rate * BAR_STEPS)
            paragraph = cell.paragraphs[0]
            bar = paragraph.add_run("█" * filled)
            bar.font.size = Pt(7)
            rest = paragraph.add_run("░" * (BAR_STEPS - filled) if rate is not None else "")
            rest.font.size = Pt(7)
            label = paragraph.add_run(f" {percent(rate)}")
            label.font.size = Pt(9)
