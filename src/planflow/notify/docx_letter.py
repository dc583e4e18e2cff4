"""The chase-up letter as a Word document (python-docx), same content as the HTML template."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from planflow.notify.letters import MOTTO, NATIONAL_TITLE, Letter
from planflow.notify.templating import vndate

FONT = "Times New Roman"


def render_docx(letter: Letter) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    _centered(left, "\n".join(letter.issuer_lines), bold=True, size=13, first=True)
    _centered(left, letter.number, size=13)
    _centered(left, letter.subject, size=12)
    _centered(right, NATIONAL_TITLE, bold=True, size=13, first=True)
    _centered(right, MOTTO, bold=True, underline=True)
    place = _centered(right, f"{letter.place}, {letter.dated}", italic=True)
    place.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    to = doc.add_paragraph()
    to.alignment = WD_ALIGN_PARAGRAPH.CENTER
    to.add_run(f"Kính gửi: {letter.addressee}.")

    doc.add_paragraph(
        f"Thực hiện Kế hoạch số {letter.plan_number} của Ủy ban nhân dân tỉnh về "
        f"{letter.plan_subject}; đến ngày {letter.as_of}, {letter.agency_name} "
        f"{letter.intro_tail}"
    )
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    headings = ("STT", "Nhiệm vụ", "Kỳ", "Hạn hoàn thành", "Số ngày làm việc quá hạn")
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        _cell(cell, text, bold=True)
    for task in letter.tasks:
        cells = table.add_row().cells
        values = (
            str(task.number),
            f"{task.section}. {task.title}",
            task.period_label,
            vndate(task.due),
            str(task.working_days_late),
        )
        for cell, text in zip(cells, values, strict=True):
            _cell(cell, text)

    if letter.personal_responsibility_line:
        doc.add_paragraph(letter.personal_responsibility_line)
    if letter.note:
        doc.add_paragraph(letter.note)
    doc.add_paragraph(
        f"Ủy ban nhân dân tỉnh yêu cầu {letter.head_title} khẩn trương chỉ đạo hoàn thành "
        f"{letter.tasks_named}, báo cáo kết quả về Ủy ban nhân dân tỉnh (qua Văn phòng Ủy ban nhân "
        f"dân tỉnh) trước ngày {letter.reply_by}; người đứng đầu cơ quan, đơn vị chịu trách nhiệm "
        f"cá nhân trước Chủ tịch Ủy ban nhân dân tỉnh nếu để {letter.delay}./."
    )

    footer = doc.add_table(rows=1, cols=2)
    recipients, signature = footer.rows[0].cells
    label = recipients.paragraphs[0].add_run("Nơi nhận:")
    label.bold, label.italic = True, True
    label.font.size = Pt(12)
    for line in letter.recipients:
        run = recipients.add_paragraph().add_run(f"- {line}")
        run.font.size = Pt(11)
    for i, line in enumerate(letter.signs_as):
        _centered(signature, line, bold=True, first=i == 0)
    for _ in range(3):
        signature.add_paragraph()
    _centered(signature, letter.signer_name, bold=True)

    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _centered(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: int = 14,
    first: bool = False,
) -> Paragraph:
    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    return paragraph


def _cell(cell: _Cell, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(12)
