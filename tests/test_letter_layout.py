"""The chase-up letter's layout against Decree 30/2020/NĐ-CP, Appendix I, read back from the DOCX
(python-docx) and the PDF (pypdf): page and margins, fonts and sizes, the short rules under the
issuer's name and the motto, the place-and-date line centred under the motto, justified and
indented body paragraphs, the distribution list, and who signs at each escalation level."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from PIL import ImageFont
from pypdf import PdfReader

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.notify.docx_letter import render_docx
from planflow.notify.letterbox import letter_for
from planflow.notify.letters import MOTTO, Letter, render_pdf
from planflow.workflow.loader import load_workflow
from test_scheduler_ladder import PLAN, morning

KIEN_GIANG = Path(__file__).resolve().parents[1] / "workflows" / "kien-giang-2022.yaml"
TIMES = "Times New Roman"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanflowApp]:
    db = tmp_path_factory.mktemp("letters") / "planflow.sqlite"
    application = PlanflowApp(f"sqlite:///{db}")
    application.load_plan(load_workflow(KIEN_GIANG), actor="loader", at=utc(2022, 2, 15))
    yield application
    application.close()


@pytest.fixture(scope="module")
def at_signer_level(loaded: PlanflowApp) -> Letter:
    """5 Apr 2022: the Q1 report (due 16 Mar) is 14 working days late, past the ladder's level 3
    (the plan's signer, 7 working days)."""
    return letter_for(loaded, PLAN, "so-tu-phap", morning(date(2022, 4, 5)))


@pytest.fixture(scope="module")
def at_office_level(loaded: PlanflowApp) -> Letter:
    """21 Mar 2022: the Q1 report is 3 working days late, the ladder's level 2 (the Office)."""
    return letter_for(loaded, PLAN, "so-tu-phap", morning(date(2022, 3, 21)))


@pytest.fixture(scope="module")
def docx(at_signer_level: Letter) -> DocxDocument:
    return Document(BytesIO(render_docx(at_signer_level)))


def text_width(text: str, style: str, size: float) -> Length:
    """How wide ``text`` is set in the font that stands for Times New Roman here (fontconfig's
    metric-compatible match), measured with its real glyph advances."""
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", f"{TIMES}:{style}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    font = ImageFont.truetype(path, 1000)
    return Pt(font.getlength(text) * size / 1000)


def header_cells(doc: DocxDocument) -> tuple[_Cell, _Cell]:
    left, right = doc.tables[0].rows[0].cells
    return left, right


def bottom_border(paragraph: Paragraph) -> bool:
    borders = paragraph._p.pPr.find(qn("w:pBdr")) if paragraph._p.pPr is not None else None
    bottom = borders.find(qn("w:bottom")) if borders is not None else None
    return bottom is not None and bottom.get(qn("w:val")) == "single"


def rule_length(cell: _Cell, paragraph: Paragraph) -> int:
    """A paragraph border runs from the left indent to the right indent of the cell's text."""
    fmt = paragraph.paragraph_format
    padding = Cm(0.38)  # Word's default cell margins, 0.19 cm on each side
    return int(cell.width - padding - (fmt.left_indent or 0) - (fmt.right_indent or 0))


def test_the_page_is_a4_with_the_decree_margins(docx: DocxDocument) -> None:
    section = docx.sections[0]

    def mm(length: Length | None) -> float:
        assert length is not None
        return round(float(length.mm), 1)  # Word stores twips: 2 cm reads back as 20.0025 mm

    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)

    assert 20 <= mm(section.top_margin) <= 25 and 20 <= mm(section.bottom_margin) <= 25
    assert 30 <= mm(section.left_margin) <= 35 and 15 <= mm(section.right_margin) <= 20


def test_every_run_is_times_new_roman_in_the_decree_sizes(docx: DocxDocument) -> None:
    normal = docx.styles["Normal"].font
    assert (normal.name, normal.size) == (TIMES, Pt(14))
    runs = [r for p in docx.paragraphs for r in p.runs] + [
        r
        for t in docx.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    ]
    assert runs
    for run in runs:
        assert run.font.name in (None, TIMES), run.text
        assert (run.font.size or normal.size).pt in (11, 12, 13, 14), run.text


def test_the_issuer_is_bold_uppercase_with_a_short_rule_under_its_name(
    docx: DocxDocument,
) -> None:
    left, _ = header_cells(docx)
    name, upper, rule = left.paragraphs[1], left.paragraphs[0], left.paragraphs[2]
    assert (upper.text, name.text) == ("ỦY BAN NHÂN DÂN", "TỈNH KIÊN GIANG")
    for line in (upper, name):
        assert line.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold and not r.underline and r.font.size == Pt(13) for r in line.runs)
    assert not bottom_border(name) and bottom_border(rule) and rule.text == ""
    share = rule_length(left, rule) / text_width(name.text, "bold", 13)
    assert 1 / 3 <= share <= 1 / 2, share
    assert left.paragraphs[3].text == "Số:        /UBND-VP"


def test_the_motto_has_a_rule_as_long_as_its_line_and_the_date_is_centred_under_it(
    docx: DocxDocument,
) -> None:
    _, right = header_cells(docx)
    national, motto, rule, place = right.paragraphs
    assert national.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert all(r.bold and r.font.size == Pt(13) for r in national.runs)
    assert motto.text == MOTTO == "Độc lập - Tự do - Hạnh phúc"
    assert all(r.bold and not r.underline and r.font.size == Pt(14) for r in motto.runs)
    assert bottom_border(rule) and rule.text == ""
    ratio = rule_length(right, rule) / text_width(MOTTO, "bold", 14)
    assert 0.97 <= ratio <= 1.03, ratio
    assert rule.paragraph_format.left_indent == rule.paragraph_format.right_indent  # centred
    assert place.text == "Kiên Giang, ngày 05 tháng 4 năm 2022"
    assert place.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(r.italic and not r.bold for r in place.runs)


def test_the_rule_borders_sit_where_word_expects_them_in_the_paragraph_properties(
    docx: DocxDocument,
) -> None:
    for cell in header_cells(docx):
        for paragraph in cell.paragraphs:
            if bottom_border(paragraph):
                tags = [child.tag for child in paragraph._p.pPr]
                assert tags.index(qn("w:pBdr")) < tags.index(qn("w:spacing"))
                assert tags.index(qn("w:pBdr")) < tags.index(qn("w:ind"))


def test_body_paragraphs_are_justified_indented_and_spaced(docx: DocxDocument) -> None:
    body = [p for p in docx.paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY]
    # The introduction, the personal-responsibility sentence (the plan's IV.1.a says so), and the
    # closing request.
    assert len(body) == 3
    assert body[0].text.startswith("Thực hiện Kế hoạch số …/KH-UBND ngày …/…/2022 của Ủy ban nhân")
    assert "của Ủy ban nhân dân tỉnh Kiên Giang về thông tin, truyền thông" in body[0].text
    assert "chịu trách nhiệm cá nhân" in body[1].text
    assert body[-1].text.endswith("nếu để tiếp tục chậm trễ./.")
    for paragraph in body:
        fmt = paragraph.paragraph_format
        assert fmt.first_line_indent is not None
        assert Cm(1) <= fmt.first_line_indent <= Cm(1.27)
        assert fmt.space_after is not None and fmt.space_after >= Pt(6)
        assert isinstance(fmt.line_spacing, float) and 1 <= fmt.line_spacing <= 1.5
    to = next(p for p in docx.paragraphs if p.text.startswith("Kính gửi:"))
    assert to.text == "Kính gửi: Sở Tư pháp."


def test_periods_are_written_in_roman_numerals(docx: DocxDocument) -> None:
    cells = [c.text for row in docx.tables[1].rows for c in row.cells]
    assert "Quý I năm 2022" in cells and "năm 2022" in cells
    assert not any("Quý 1" in c for c in cells)


def test_the_distribution_list_ends_with_the_archive_and_the_drafting_unit(
    docx: DocxDocument,
) -> None:
    recipients = docx.tables[-1].rows[0].cells[0].paragraphs
    label = recipients[0].runs[0]
    assert (label.text, label.bold, label.italic, label.font.size) == (
        "Nơi nhận:",
        True,
        True,
        Pt(12),
    )
    assert all(r.font.size == Pt(11) for p in recipients[1:] for r in p.runs)
    assert recipients[-1].text == "- Lưu: VT, VP."


def signature(letter: Letter) -> list[str]:
    doc = Document(BytesIO(render_docx(letter)))
    cell = doc.tables[-1].rows[0].cells[1]
    assert all(r.bold for p in cell.paragraphs for r in p.runs)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in cell.paragraphs if p.text)
    return [p.text for p in cell.paragraphs if p.text]


def test_at_the_signers_level_the_vice_chairman_signs_for_the_chairman(
    at_signer_level: Letter,
) -> None:
    assert at_signer_level.level == 3
    assert signature(at_signer_level) == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Thanh Nhàn",
    ]


def test_at_the_office_directors_level_the_offices_chief_signs_by_the_chairmans_leave(
    at_office_level: Letter,
) -> None:
    assert at_office_level.level == 2
    assert signature(at_office_level) == ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"]


def test_the_pdf_is_an_a4_letter_in_times_with_the_key_lines(at_signer_level: Letter) -> None:
    reader = PdfReader(BytesIO(render_pdf(at_signer_level)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))
    lines = {line.strip() for line in text.splitlines()}
    for line in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH KIÊN GIANG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kiên Giang, ngày 05 tháng 4 năm 2022",
        "Kính gửi: Sở Tư pháp.",
        "Nơi nhận:",
        "- Lưu: VT, VP.",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Thanh Nhàn",
    ):
        assert line in lines, line
    assert "Quý I năm" in text and "Quý 1" not in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert fonts and all(("Liberation-Serif" in f or "Times" in f) for f in fonts), fonts


def test_pages_are_numbered_at_the_top_from_the_second_page(docx: DocxDocument) -> None:
    section = docx.sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == ""
    number = section.header.paragraphs[0]
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    fields = number._p.findall(qn("w:fldSimple"))
    assert [f.get(qn("w:instr")) for f in fields] == ["PAGE"]
