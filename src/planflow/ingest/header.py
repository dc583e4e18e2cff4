"""The document's header and signature: issuer, number, date, title, legal bases, signer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from planflow.ingest.fold import fold, loose_re, strip_marks
from planflow.ingest.sections import Document


@dataclass(frozen=True)
class Field:
    value: str
    lines: tuple[int, ...]
    confidence: str
    note: str = ""


@dataclass
class Header:
    number: Field | None = None
    date: dt.date | None = None
    date_field: Field | None = None
    year: int | None = None
    year_lines: tuple[int, ...] = ()
    title: Field | None = None
    legal_bases: list[tuple[str, dt.date | None, int]] = field(default_factory=list)
    signs_as: Field | None = None
    signer_name: Field | None = None
    issuer_line: Field | None = None


_NUMBER = re.compile(r"\bS[oốôố6ố]?\S?\s*:?\s*(\S{0,8}?)\s*/\s*(KH-[A-Z]{2,8})")
_DATE = re.compile(r"ng\w{0,2}y\s+(\S{1,3})\s+th\w{0,3}ng\s+(\S{1,3})\s+n\w{0,2}m\s+(\d{4})")
_REF = re.compile(r"\b(\d{1,4})/(?:(\d{4})/)?([A-Za-zĐđ]{1,3})-([A-Za-z]{2,6})\b")
_KE_HOACH = loose_re("ke hoach")
_PREAMBLE_END = loose_re("can cu", "thuc hien", "uy ban nhan dan tinh ban hanh")
_KT = loose_re("kt chu tich", "k chu tich")
_TM = loose_re("tm uy ban nhan dan")
_PHO = loose_re("pho chu tich")
_NAME = re.compile(r"^[A-ZĐ][^\s\d]{0,7}(?: [A-ZĐ][^\s\d]{0,7}){1,4}$")
_NOT_NAME = (
    "noi nhan",
    "uy ban",
    "chu tich",
    "co quan",
    "nguoi ky",
    "email",
    "nhu tren",
    "kiem tra",
)
_KINDS = {"ND": "NĐ", "QD": "QĐ", "QB": "QĐ", "Q": "QĐ", "TT": "TT", "NQ": "NQ", "CT": "CT"}


def _plain(line: str) -> str:
    return strip_marks(line.replace("&", "e"))


def read_header(doc: Document) -> Header:
    header = Header()
    lines = doc.header
    title_at = next(
        (n for n in lines if _KE_HOACH.fullmatch(fold(doc.line(n)))), lines[-1] if lines else 0
    )
    for n in [k for k in lines if k < title_at]:
        text = _plain(doc.line(n))
        if header.number is None and (m := _NUMBER.search(text)):
            digits = m.group(1)
            ok = digits.isdigit()
            value = f"{digits}/{m.group(2)}" if ok else f"…/{m.group(2)}"
            note = "" if ok else f"the number reads {digits!r}: not restored"
            header.number = Field(value, (n,), "high" if ok else "low", note)
        if header.date_field is None and (m := _DATE.search(text.lower())):
            day, month, year = m.group(1), m.group(2), int(m.group(3))
            header.year, header.year_lines = year, (n,)
            if day.isdigit() and month.isdigit():
                try:
                    header.date = dt.date(year, int(month), int(day))
                    header.date_field = Field(header.date.isoformat(), (n,), "high")
                except ValueError:
                    header.date_field = Field("", (n,), "low", f"no such date {day}/{month}/{year}")
            else:
                header.date_field = Field("", (n,), "low", f"the day reads {day!r}: not restored")
    title_lines: list[int] = []
    for i, n in enumerate(lines):
        if _KE_HOACH.fullmatch(fold(doc.line(n))):
            for k in lines[i + 1 :]:
                line = doc.line(k).strip()
                if not line:
                    if title_lines:
                        break
                    continue
                if _PREAMBLE_END.match(fold(line)):
                    break
                title_lines.append(k)
            break
    if title_lines:
        title = " ".join(doc.line(k).strip() for k in title_lines)
        header.title = Field(title, tuple(title_lines), "high")
        years = re.findall(r"\b(20\d\d)\b", title)
        if years:
            header.year, header.year_lines = int(years[-1]), tuple(title_lines)
    start = title_lines[-1] if title_lines else 0
    preamble = [n for n in lines if n > start]
    text = ""
    offsets: list[tuple[int, int]] = []
    for n in preamble:
        offsets.append((len(text), n))
        text += _plain(doc.line(n)) + " "
    for m in _REF.finditer(text):
        n = max(k for start_at, k in offsets if start_at <= m.start())
        kind = _KINDS.get(fold(m.group(3)).upper())
        if kind is None or m.group(4).upper().startswith("KH"):
            continue
        body = f"{m.group(1)}/{m.group(2)}/{kind}-{m.group(4)}" if m.group(2) else ""
        ref = body or f"{m.group(1)}/{kind}-{m.group(4)}"
        ref = ref.replace("-TTG", "-TTg")
        after = " ".join(text[m.end() : m.end() + 60].split())
        date = None
        if d := _DATE.search(after.lower()):
            try:
                date = dt.date(int(d.group(3)), int(d.group(2)), int(d.group(1)))
            except ValueError:
                date = None
        if ref not in [r for r, _, _ in header.legal_bases]:
            header.legal_bases.append((ref, date, n))
    _signature(doc, header)
    return header


def _signature(doc: Document, header: Header) -> None:
    kt = [n for n in doc.tail if _KT.search(fold(doc.line(n)))]
    tm = [n for n in doc.tail if _TM.search(fold(doc.line(n)))]
    pho = [n for n in doc.tail if _PHO.search(fold(doc.line(n)))]
    if kt or pho:
        header.signs_as = Field("KT. CHỦ TỊCH — PHÓ CHỦ TỊCH", tuple(kt + pho), "medium")
    elif tm:
        header.signs_as = Field("TM. ỦY BAN NHÂN DÂN — CHỦ TỊCH", tuple(tm), "medium")
    for n in doc.tail:
        line = doc.line(n).strip()
        folded = fold(line)
        if _NAME.match(line) and not any(p in folded for p in _NOT_NAME) and len(line.split()) >= 2:
            header.signer_name = Field(line, (n,), "medium")
