"""DOCX to text, with Word's automatic list numbers put back.

python-docx leaves automatic numbering ("1.", "a)", "IV.") out of ``paragraph.text``: it lives in the
paragraph's ``w:numPr`` (or its style's) and in numbering.xml. We rebuild it: one counter per
abstract numbering and level, lower levels reset when a higher one advances, the level's ``lvlText``
filled with each level's number in its ``numFmt``. Tables become ``| cell | cell |`` lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L")]
_ROMAN += [(40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = "abcdefghijklmnopqrstuvwxyz"
        s = letters[(n - 1) % 26] * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("upperRoman", "lowerRoman"):
        return roman(n) if fmt == "upperRoman" else roman(n).lower()
    return str(n)


def _val(el: Any, tag: str) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return None if child is None else child.get(qn("w:val"))


class _Numbering:
    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                fmt = _val(lvl, "w:numFmt") or "decimal"
                text = _val(lvl, "w:lvlText") or ""
                start = int(_val(lvl, "w:start") or "1")
                levels[int(lvl.get(qn("w:ilvl")))] = (fmt, text, start)
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            abstract_id = _val(num, "w:abstractNumId")
            if abstract_id is not None:
                self.abstract_of[num.get(qn("w:numId"))] = abstract_id

    def label(self, num_id: str, ilvl: int) -> str:
        abstract = self.abstract_of.get(num_id)
        levels = self.levels.get(abstract or "", {})
        if abstract is None or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""
        out = text
        for level in range(ilvl + 1):
            lvl_fmt, _, lvl_start = levels.get(level, ("decimal", "", 1))
            number = counters.get(level, lvl_start)
            out = out.replace(f"%{level + 1}", _format(number, lvl_fmt))
        return out


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    style = paragraph.style
    while num_pr is None and style is not None:
        style_ppr = style.element.pPr
        num_pr = style_ppr.numPr if style_ppr is not None else None
        style = style.base_style
    if num_pr is None or num_pr.numId is None:
        return None
    ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), int(ilvl)


def docx_text(path: Path) -> str:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    numbering = _Numbering(document)
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            paragraph = Paragraph(block, document)
            text = paragraph.text.strip()
            num = _num_pr(paragraph)
            label = numbering.label(*num) if num else ""
            if text:
                lines.append(f"{label} {text}" if label else text)
        elif block.tag == qn("w:tbl"):
            table = Table(block, document)
            for row in table.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
