"""The chase-up letter as a Word document (python-docx), same content as the HTML template, laid
out per Decree 30/2020/NĐ-CP, Appendix I: A4; margins 20 mm top and bottom, 30 mm left, 20 mm right;
Times New Roman; the issuer's block on the left with a short solid rule (2/5 of its name's line)
under the name; the national title and motto on the right with a solid rule as long as the motto
under it, and the place and date centred below; body paragraphs justified, first line indented
1.27 cm, 6 pt apart, line spacing 1.15; "Nơi nhận:" bold italic 12 pt, its list 11 pt; page numbers
centred at the top from page 2.

The rules are empty paragraphs with a bottom border (w:pBdr/w:bottom), indented so the border is as
long as the rule must be: Word draws a paragraph border from the left to the right indent.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from planflow.notify.letters import MOTTO, NATIONAL_TITLE, Letter
from planflow.notify.templating import vndate

FONT = "Times New Roman"
BODY_PT = 14
FIRST_LINE_INDENT = Cm(1.27)
ISSUER_COLUMN, MOTTO_COLUMN = Cm(6), Cm(10)  # 16 cm of text: 21 − 3 (left) − 2 (right)
CELL_PADDING = Cm(0.38)  # Word's default left and right cell margins, 0.19 cm each
MOTTO_WIDTH = Cm(6.04)  # "Độc lập - Tự do - Hạnh phúc", Times New Roman bold 14 pt
UPPER_BOLD_13_PER_CHAR = Cm(0.275)  # mean width of an uppercase bold 13 pt letter or space
SHORT_RULE_SHARE = 0.4  # of the issuer name's line: Decree 30 asks for 1/3 to 1/2


# The elements that follow w:pBdr in w:pPr (ECMA-376 CT_PPrBase): Word refuses them out of order.
_AFTER_PBDR = tuple(
    f"w:{name}"
    for name in [
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)


def render_docx(letter: Letter) -> bytes:
    doc = Document()
    _page_and_fonts(doc)

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(header, (ISSUER_COLUMN, MOTTO_COLUMN))
    left, right = header.rows[0].cells
    for i, line in enumerate(letter.issuer_lines):
        _centered(left, line, bold=True, size=13, first=i == 0)
    name_line = Emu(UPPER_BOLD_13_PER_CHAR * len(letter.issuer_lines[-1]))
    _rule(left, ISSUER_COLUMN, Emu(int(name_line * SHORT_RULE_SHARE)))
    _centered(left, letter.number, size=13).paragraph_format.space_before = Pt(6)
    _centered(left, letter.subject, size=12).paragraph_format.space_before = Pt(3)
    _centered(right, NATIONAL_TITLE, bold=True, size=13, first=True)
    _centered(right, MOTTO, bold=True, size=14)
    _rule(right, MOTTO_COLUMN, MOTTO_WIDTH)
    place = _centered(right, f"{letter.place}, {letter.dated}", italic=True)
    place.paragraph_format.space_before = Pt(6)

    to = doc.add_paragraph()
    to.alignment = WD_ALIGN_PARAGRAPH.CENTER
    to.paragraph_format.space_before = Pt(12)
    to.paragraph_format.space_after = Pt(6)
    to.add_run(f"Kính gửi: {letter.addressee}.")

    _body(
        doc,
        f"Thực hiện {letter.plan_citation} về {letter.plan_subject}; đến ngày {letter.as_of}, "
        f"{letter.agency_name} {letter.intro_tail}",
    )
    _tasks(doc, letter)
    if letter.personal_responsibility_line:
        _body(doc, letter.personal_responsibility_line)
    if letter.note:
        _body(doc, letter.note)
    _body(
        doc,
        f"Ủy ban nhân dân tỉnh yêu cầu {letter.head_title} khẩn trương chỉ đạo hoàn thành "
        f"{letter.tasks_named}, báo cáo kết quả về Ủy ban nhân dân tỉnh (qua Văn phòng Ủy ban nhân "
        f"dân tỉnh) trước ngày {letter.reply_by}; người đứng đầu cơ quan, đơn vị chịu trách nhiệm "
        f"cá nhân trước Chủ tịch Ủy ban nhân dân tỉnh nếu để {letter.delay}./.",
    )
    _footer(doc, letter)

    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _page_and_fonts(doc: DocxDocument) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    normal = style.paragraph_format
    normal.space_before, normal.space_after, normal.line_spacing = Pt(0), Pt(0), 1.0
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    # Page numbers: Arabic, centred at the top, 14 pt, from page 2 (none on the first page).
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    number._p.append(field)


def _body(doc: DocxDocument, text: str) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = FIRST_LINE_INDENT
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    _run(paragraph, text, size=BODY_PT)
    return paragraph


def _tasks(doc: DocxDocument, letter: Letter) -> None:
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    headings = ("STT", "Nhiệm vụ", "Kỳ", "Hạn hoàn thành", "Số ngày làm việc quá hạn")
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        _cell(cell, text, bold=True)
    repeat = OxmlElement("w:tblHeader")  # the heading row repeats on every page the table spans
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
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
    _widths(table, (Cm(1.2), Cm(7.4), Cm(2.6), Cm(2.4), Cm(2.4)))
    for row in table.rows:
        for i in (0, 3, 4):
            row.cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _footer(doc: DocxDocument, letter: Letter) -> None:
    footer = doc.add_table(rows=1, cols=2)
    _widths(footer, (Cm(7), Cm(9)))
    recipients, signature = footer.rows[0].cells
    label = _run(recipients.paragraphs[0], "Nơi nhận:", size=12)
    label.bold, label.italic = True, True
    for line in letter.recipients:
        _run(recipients.add_paragraph(), f"- {line}", size=11)
    for i, line in enumerate(letter.signs_as):
        _centered(signature, line, bold=True, first=i == 0)
    for _ in range(4):
        signature.add_paragraph()
    _centered(signature, letter.signer_name, bold=True)


def _widths(table: Table, widths: tuple[int, ...]) -> None:
    """Fixed column widths, in the grid (LibreOffice reads it) and in every cell (Word does)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _rule(cell: _Cell, column: int, length: int) -> Paragraph:
    """A solid rule ``length`` long, centred in the cell: an empty paragraph's bottom border."""
    paragraph: Paragraph = cell.add_paragraph()
    side = Emu(max((column - CELL_PADDING - length) // 2, 0))
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = side
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.insert_element_before(borders, *_AFTER_PBDR)
    return paragraph


def _run(paragraph: Paragraph, text: str, *, size: int) -> Run:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = FONT
    return run


def _centered(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = BODY_PT,
    first: bool = False,
) -> Paragraph:
    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    run.font.name = FONT
    return paragraph


def _cell(cell: _Cell, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(12)
    run.font.name = FONT
