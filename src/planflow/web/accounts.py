"""Accounts (tài khoản) and their roles, stored in their own table beside the event store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from planflow.domain.errors import DomainError, InvalidArgument

user_metadata = MetaData()

users = Table(
    "planflow_users",
    user_metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("agency", String(64), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)


class Role(StrEnum):
    OFFICE_DIRECTOR = "office_director"
    OFFICE_STAFF = "office_staff"
    AGENCY_OFFICER = "agency_officer"
    AGENCY_HEAD = "agency_head"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def scoped(self) -> bool:
        """Agency roles act on their own agency's tasks only."""
        return self in (Role.AGENCY_OFFICER, Role.AGENCY_HEAD)

    @property
    def label_vi(self) -> str:
        return ROLE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return ROLE_LABELS[self][1]


ROLE_LABELS = {
    Role.OFFICE_DIRECTOR: ("Chánh Văn phòng", "Office director"),
    Role.OFFICE_STAFF: ("Chuyên viên Văn phòng", "Office staff"),
    Role.AGENCY_OFFICER: ("Cán bộ cơ quan", "Agency officer"),
    Role.AGENCY_HEAD: ("Thủ trưởng cơ quan", "Agency head"),
    Role.AUDITOR: ("Kiểm tra, giám sát", "Auditor"),
    Role.ADMIN: ("Quản trị", "Administrator"),
}


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    agency: str | None = None


class AccountExists(DomainError):
    def __init__(self, username: str) -> None:
        super().__init__(
            f"Tài khoản {username!r} đã tồn tại", f"the account {username!r} already exists"
        )


_hasher = PasswordHasher()
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        user_metadata.create_all(engine)

    def add(
        self, username: str, role: Role, password: str, at: datetime, agency: str | None = None
    ) -> User:
        username = username.strip().lower()
        if not username or not set(username) <= USERNAME_CHARS or len(username) > 64:
            raise InvalidArgument(
                "Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_', '-'",
                "a username has only lower-case ASCII letters, digits, '.', '_' or '-'",
            )
        if len(password) < 8:
            raise InvalidArgument(
                "Mật khẩu phải có ít nhất 8 ký tự", "a password needs at least 8 characters"
            )
        if role.scoped and not agency:
            raise InvalidArgument(
                f"Vai trò {role.value} cần mã cơ quan (--agency)",
                f"the role {role.value} needs an agency code (--agency)",
            )
        if not role.scoped:
            agency = None
        row = {
            "username": username,
            "password_hash": _hasher.hash(password),
            "role": role.value,
            "agency": agency,
            "active": True,
            "created_at": at.replace(tzinfo=None),
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(users), row)
        except IntegrityError:
            raise AccountExists(username) from None
        return User(username, role, agency)

    def set_password(self, username: str, password: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=_hasher.hash(password))
            )

    def get(self, username: str) -> User | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username.strip().lower())
            ).first()
        if row is None or not row.active:
            return None
        return User(row.username, Role(row.role), row.agency)

    def authenticate(self, username: str, password: str) -> User | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username.strip().lower())
            ).first()
        if row is None or not row.active:
            _hasher.hash(password)  # spend the same time whether or not the account exists
            return None
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return User(row.username, Role(row.role), row.agency)

    def count(self) -> int:
        with self.engine.connect() as connection:
            return len(connection.execute(select(users.c.username)).all())

    def all(self) -> list[User]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(users).order_by(users.c.username)).all()
        return [User(r.username, Role(r.role), r.agency) for r in rows]
