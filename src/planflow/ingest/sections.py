"""The section tree of a plan: I/II/III… headings, 1/2… items, a/b/c/d/đ/e… items, dashes.

Labels are counted, not read: an English OCR model reads "I." as "1." and "II." as "IL.", so a
heading is known by its shape (a numeral and an upper-case line) and numbered by its position.
Lines without a marker continue the item above them, across blank lines and page breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planflow.ingest.docx_text import roman
from planflow.ingest.fold import fold, loose_re

LETTERS = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q"]
RANK = {"roman": 1, "number": 2, "number2": 2.3, "number3": 2.6, "letter": 3, "dash": 4}

_ROMAN_LINE = re.compile(r"^\s*([IVXLl1]{1,4})\s*[.,:]\s*(\S.*)$")
_DOTTED_LINE = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){1,2})(?:\.\s*|\s+(?=[A-ZÀ-ỸĐ]))(\S.*)$")
_NUMBER_LINE = re.compile(r"^\s*(\d{1,2})\s*[.)]\s+(\S.*)$")
_LETTER_LINE = re.compile(r"^\s*([a-zđ¢])\)\s*(\S.*)$")
_DASH_LINE = re.compile(r"^\s*[-–—•+]\s*(\S.*)$")
_CLOSING = loose_re("tren day la", "noi nhan", "trong qua trinh thuc hien neu co kho khan")
_APPENDIX = loose_re("phu luc")
_TITLE = loose_re("ke hoach")


@dataclass
class Node:
    kind: str  # roman, number, letter, dash, root
    label: str
    path: tuple[str, ...]
    first_line: int
    last_line: int
    text: str = ""
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None

    @property
    def section(self) -> str:
        return ".".join(self.path)

    def walk(self) -> list[Node]:
        out: list[Node] = []
        for child in self.children:
            out.append(child)
            out.extend(child.walk())
        return out


@dataclass
class Document:
    lines: list[str]
    header: list[int]  # line numbers (1-based) before the body
    root: Node
    tail: list[int]  # closing, signature, distribution list
    tables: list[list[tuple[int, list[str]]]]  # rows of '|' tables, with their line numbers

    def line(self, n: int) -> str:
        return self.lines[n - 1]


def _upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _marker(line: str) -> tuple[str, str] | None:
    if m := _ROMAN_LINE.match(line):
        rest = m.group(2)
        if _upper_ratio(rest) > 0.7 and len(rest.split()) >= 2:
            return "roman", rest
    if m := _DOTTED_LINE.match(line):
        depth = m.group(1).count(".") + 1
        return f"number{depth}", m.group(2)
    if m := _NUMBER_LINE.match(line):
        return "number", m.group(2)
    if m := _LETTER_LINE.match(line):
        return "letter", m.group(2)
    if m := _DASH_LINE.match(line):
        return "dash", m.group(1)
    return None


def _label(kind: str, index: int) -> str:
    if kind == "roman":
        return roman(index)
    if kind == "letter":
        return LETTERS[min(index - 1, len(LETTERS) - 1)]
    return str(index)


def _body_start(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        marker = _marker(line)
        if marker and marker[0] == "roman":
            return i
    seen_title = False
    for i, line in enumerate(lines):
        if _TITLE.match(fold(line)):
            seen_title = True
        elif seen_title and _marker(line) and _marker(line)[0] == "number":  # type: ignore[index]
            return i
    return len(lines)


def parse(text: str) -> Document:
    lines = text.splitlines()
    start = _body_start(lines)
    root = Node("root", "", (), 0, 0)
    stack: list[Node] = [root]
    tail: list[int] = []
    tables: list[list[tuple[int, list[str]]]] = []
    in_tail = False
    current: Node = root
    for i in range(start, len(lines)):
        number, line = i + 1, lines[i].strip()
        if not line:
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if tables and tables[-1] and tables[-1][-1][0] >= number - 2:
                tables[-1].append((number, cells))
            else:
                tables.append([(number, cells)])
            continue
        folded = fold(line)
        if _CLOSING.match(folded) or _APPENDIX.match(folded):
            in_tail = True
        if in_tail:
            tail.append(number)
            continue
        marker = _marker(line)
        if marker is None:
            if current is not root:
                current.text += " " + line
                current.last_line = number
            continue
        kind, rest = marker
        while len(stack) > 1 and RANK[stack[-1].kind] >= RANK[kind]:
            stack.pop()
        parent = stack[-1]
        index = sum(1 for c in parent.children if c.kind == kind) + 1
        label = _label(kind, index)
        node = Node(kind, label, (*parent.path, label), number, number, rest, parent=parent)
        parent.children.append(node)
        stack.append(node)
        current = node
    return Document(lines, list(range(1, start + 1)), root, tail, tables)
