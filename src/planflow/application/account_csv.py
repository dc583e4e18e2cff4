"""Accounts from a CSV file: one row per person (name, e-mail, agency code), checked whole.

The first row may be a header naming the columns (``name``/``họ tên``, ``email``/``e-mail``,
``agency``/``mã cơ quan``, and optionally ``username``/``tên đăng nhập`` and ``role``/``vai trò``);
without a header the columns are name, e-mail, agency code. The username is the e-mail's local
part unless given. Every bad row is reported by its line number, and nothing is written if any
row is bad.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass

from planflow.application.accounts_store import ROLE_LABELS, USERNAME_CHARS, Role
from planflow.domain.errors import InvalidArgument

MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_HEADERS = {
    "name": "name",
    "họ tên": "name",
    "ho ten": "name",
    "họ và tên": "name",
    "email": "email",
    "e-mail": "email",
    "thư điện tử": "email",
    "agency": "agency",
    "agency code": "agency",
    "mã cơ quan": "agency",
    "cơ quan": "agency",
    "username": "username",
    "tên đăng nhập": "username",
    "role": "role",
    "vai trò": "role",
}
_POSITIONAL = ("name", "email", "agency")
_ROLE_WORDS = {
    **{r.value: r for r in Role},
    **{label.lower(): r for r, pair in ROLE_LABELS.items() for label in pair},
}


@dataclass(frozen=True)
class AccountLine:
    """One checked row: the account to create."""

    line: int
    username: str
    full_name: str
    email: str
    agency: str | None
    role: Role


class CsvRejected(InvalidArgument):
    """Some rows are bad: ``problems`` lists them as (line, Vietnamese, English)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        vi = "; ".join(f"dòng {n}: {v}" for n, v, _ in problems[:20])
        en = "; ".join(f"line {n}: {e}" for n, _, e in problems[:20])
        more = len(problems) - 20
        if more > 0:
            vi, en = f"{vi}; … và {more} dòng khác", f"{en}; … and {more} more"
        super().__init__(
            f"Tệp CSV có {len(problems)} dòng sai, chưa tạo tài khoản nào — {vi}",
            f"the CSV has {len(problems)} bad rows; no account was created — {en}",
        )


def _columns(first: list[str]) -> tuple[list[str], bool]:
    """The column names, and whether the first row was a header."""
    keys = [_HEADERS.get(cell.strip().lower().lstrip("\ufeff")) for cell in first]
    if "email" in keys and "name" in keys:
        return [k or "" for k in keys], True
    return list(_POSITIONAL), False


def read_accounts(
    text: str, known_agencies: Collection[str], existing: Collection[str]
) -> list[AccountLine]:
    """The rows of ``text``, checked against the known agency codes and the existing usernames;
    raises CsvRejected naming every bad line."""
    if len(text.encode()) > MAX_BYTES:
        raise InvalidArgument(
            f"Tệp CSV quá lớn (tối đa {MAX_BYTES // 1024} KB)",
            f"the CSV is too large (at most {MAX_BYTES // 1024} KB)",
        )
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise InvalidArgument("Tệp CSV trống", "the CSV is empty")
    columns, header = _columns(rows[0])
    body = list(enumerate(rows, start=1))[1 if header else 0 :]
    if len(body) > MAX_ROWS:
        raise InvalidArgument(
            f"Tệp CSV có quá {MAX_ROWS} dòng", f"the CSV has more than {MAX_ROWS} rows"
        )
    problems: list[tuple[int, str, str]] = []
    out: list[AccountLine] = []
    seen: dict[str, int] = {}
    taken = {u.lower() for u in existing}
    for line, cells in body:
        if not any(c.strip() for c in cells):
            continue  # blank lines are skipped
        row = {k: cells[i].strip() for i, k in enumerate(columns) if k and i < len(cells)}
        bad: list[tuple[str, str]] = []
        name, email, agency = row.get("name", ""), row.get("email", ""), row.get("agency", "")
        if not name:
            bad.append(("thiếu họ tên", "the name is missing"))
        if not EMAIL.match(email):
            bad.append((f"địa chỉ thư điện tử không hợp lệ {email!r}", f"bad e-mail {email!r}"))
        role = _ROLE_WORDS.get(row.get("role", "").lower() or Role.AGENCY_OFFICER.value)
        if role is None:
            bad.append((f"vai trò không hợp lệ {row['role']!r}", f"unknown role {row['role']!r}"))
        elif role.scoped and agency not in known_agencies:
            bad.append((f"không có mã cơ quan {agency!r}", f"unknown agency code {agency!r}"))
        username = (row.get("username") or email.split("@")[0]).strip().lower()
        if not username or not set(username) <= USERNAME_CHARS or len(username) > 64:
            bad.append(
                (
                    f"tên đăng nhập {username!r} chỉ được gồm chữ thường không dấu, số, '.', '_', '-'",
                    f"the username {username!r} may only have a-z, 0-9, '.', '_' or '-'",
                )
            )
        elif username in taken:
            bad.append((f"tài khoản {username!r} đã tồn tại", f"account {username!r} exists"))
        elif username in seen:
            bad.append(
                (
                    f"tên đăng nhập {username!r} trùng với dòng {seen[username]}",
                    f"username {username!r} repeats line {seen[username]}",
                )
            )
        if bad:
            problems.extend((line, vi, en) for vi, en in bad)
            continue
        assert role is not None
        seen[username] = line
        out.append(AccountLine(line, username, name, email, agency if role.scoped else None, role))
    if problems:
        raise CsvRejected(problems)
    if not out:
        raise InvalidArgument("Tệp CSV không có dòng nào", "the CSV has no rows")
    return out
