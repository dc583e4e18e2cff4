"""An agency register read from CSV: a province's agencies, kept once and referenced by plan files.

Columns: ``code,name_vi,name_en,kind,head_title_vi`` (required: code, name_vi, kind) and optionally
``head_title_en, head_name, valid_from, valid_until, successor, aliases`` (aliases separated by
``;``). ``../shared/data/kien-giang-agencies-2022.csv`` is such a file. Registers shipped with
planflow are in ``planflow/data/registers/`` (docs/agencies.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from planflow.ingest.errors import UnsupportedFile
from planflow.ingest.fold import fold

KINDS = ("office", "department", "board", "district", "commune", "press", "committee")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class RegisteredAgency:
    code: str
    name_vi: str
    kind: str
    name_en: str = ""
    head_title_vi: str = ""
    head_title_en: str = ""
    head_name: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    successor: str = ""
    aliases: tuple[str, ...] = ()

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class Register:
    name: str
    agencies: tuple[RegisteredAgency, ...] = field(default_factory=tuple)

    def by_code(self, code: str) -> RegisteredAgency | None:
        return next((a for a in self.agencies if a.code == code), None)

    @property
    def province(self) -> str:
        """The province's name, read from its committee ('Ủy ban nhân dân tỉnh Kiên Giang')."""
        for agency in self.agencies:
            if agency.kind == "committee" and " tỉnh " in f" {agency.name_vi} ":
                return agency.name_vi.split(" tỉnh ", 1)[1].strip()
        return ""

    def valid_on(self, day: dt.date) -> list[RegisteredAgency]:
        return [a for a in self.agencies if a.is_valid_on(day)]


def _date(value: str, where: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UnsupportedFile(
            f"{where}: ngày không hợp lệ {value!r} (YYYY-MM-DD)",
            f"{where}: invalid date {value!r} (YYYY-MM-DD)",
        ) from None


def parse_register(text: str, name: str) -> Register:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"code", "name_vi", "kind"} - set(reader.fieldnames or [])
    if missing:
        raise UnsupportedFile(
            f"{name}: thiếu cột {', '.join(sorted(missing))}",
            f"{name}: missing columns {', '.join(sorted(missing))}",
        )
    agencies: list[RegisteredAgency] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        where = f"{name}:{number}"
        code = (row.get("code") or "").strip()
        kind = (row.get("kind") or "").strip()
        if not _CODE.match(code) or code in seen:
            raise UnsupportedFile(
                f"{where}: mã không hợp lệ hoặc trùng {code!r}",
                f"{where}: invalid or duplicate code {code!r}",
            )
        if kind not in KINDS:
            raise UnsupportedFile(
                f"{where}: loại không hợp lệ {kind!r}",
                f"{where}: unknown kind {kind!r} (one of {', '.join(KINDS)})",
            )
        seen.add(code)
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
        agencies.append(
            RegisteredAgency(
                code=code,
                name_vi=(row.get("name_vi") or "").strip(),
                kind=kind,
                name_en=(row.get("name_en") or "").strip(),
                head_title_vi=(row.get("head_title_vi") or "").strip(),
                head_title_en=(row.get("head_title_en") or "").strip(),
                head_name=(row.get("head_name") or "").strip(),
                valid_from=_date(row.get("valid_from") or "", where),
                valid_until=_date(row.get("valid_until") or "", where),
                successor=(row.get("successor") or "").strip(),
                aliases=aliases,
            )
        )
    if not agencies:
        raise UnsupportedFile(f"{name}: sổ đăng ký trống", f"{name}: the register is empty")
    return Register(name, tuple(agencies))


def read_register(path: Path) -> Register:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnsupportedFile(
            f"không đọc được sổ đăng ký {path}: {exc}", f"cannot read register {path}: {exc}"
        ) from None
    return parse_register(text, str(path))


def bundled_registers() -> list[Register]:
    folder = resources.files("planflow.data").joinpath("registers")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".csv"):
            out.append(parse_register(entry.read_text(encoding="utf-8"), entry.name))
    return out


def register_for(text: str, year: int | None) -> Register | None:
    """The bundled register whose province the text names, valid in the plan's year."""
    folded = fold(text[:3000])
    best: tuple[int, Register] | None = None
    for register in bundled_registers():
        province = fold(register.province)
        if not province or province not in folded:
            continue
        valid = len(register.valid_on(dt.date(year, 7, 1))) if year else 0
        if best is None or valid > best[0]:
            best = (valid, register)
    return best[1] if best else None
