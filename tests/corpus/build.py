"""Make the corpus's DOCX, PDF and scanned PDF from its text sources (run by the tests)."""

from __future__ import annotations

import copy
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_LEVELS = [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)")]


def _numbering(document) -> str:  # type: ignore[no-untyped-def]
    """Add a real multi-level list (I. / 1. / a)) to numbering.xml; return its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    part = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text) in enumerate(_LEVELS)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{levels}</w:abstractNum>'
    )
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    first_num = part.find(num.tag)
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        part.append(abstract)
    part.append(num)
    return "90"


def make_docx(source: Path, target: Path) -> Path:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = Document()
    num_id = _numbering(document)
    table = None
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if table is None:
                table = document.add_table(rows=0, cols=len(cells))
            row = table.add_row()
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
            continue
        level = None
        if line.startswith("#") and line[1:2].isdigit():
            level, line = int(line[1]) - 1, line[3:]
        paragraph = document.add_paragraph(line.strip())
        if level is not None:
            ppr = paragraph._p.get_or_add_pPr()
            numpr = OxmlElement("w:numPr")
            ilvl = OxmlElement("w:ilvl")
            ilvl.set(qn("w:val"), str(level))
            nid = OxmlElement("w:numId")
            nid.set(qn("w:val"), num_id)
            numpr.append(ilvl)
            numpr.append(nid)
            ppr.append(copy.deepcopy(numpr))
    document.save(str(target))
    return target


def make_pdf(source: Path, target: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", str(FONT)))
    pdf = canvas.Canvas(str(target), pagesize=A4)
    pdf.setFont("DejaVu", 10)
    y = A4[1] - 50
    for line in source.read_text(encoding="utf-8").splitlines():
        for chunk in _wrap(line, 95):
            if y < 50:
                pdf.showPage()
                pdf.setFont("DejaVu", 10)
                y = A4[1] - 50
            pdf.drawString(50, y, chunk)
            y -= 14
    pdf.save()
    return target


def make_scan(source: Path, target: Path) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 30)
    lines = [c for line in source.read_text(encoding="utf-8").splitlines() for c in _wrap(line, 80)]
    image = Image.new("L", (1654, 60 + 44 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((60, 30 + 44 * i), line, font=font, fill=0)
    image.save(str(target), "PDF", resolution=200.0)
    return target


def _wrap(line: str, width: int) -> list[str]:
    words, out, current = line.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*out, current] if current or not out else out
