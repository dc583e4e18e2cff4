"""Accounts (tài khoản), their roles, and their sign-in sessions, beside the event store.

- ``planflow_users``: one row per account (argon2 password hash, role, agency).
- ``planflow_sessions``: one row per sign-in (a page session or an API token). The signed cookie or
  token carries a random session id; only its SHA-256 is stored. A session counts while its row is
  not revoked (sign-out, password change) and its signature is younger than its lifetime, so a
  copied cookie dies with its row.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from planflow.application.errors import ApplicationError
from planflow.application.session_cache import SessionCache, sessions_changed
from planflow.application.tables import KEEP_ON_REBUILD, metadata, to_db
from planflow.domain.errors import InvalidArgument

users = Table(
    "planflow_users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("agency", String(64), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    info=KEEP_ON_REBUILD,
)

sessions = Table(
    "planflow_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # "page" or "token"
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Index("planflow_sessions_user_idx", "username"),
    Index("planflow_sessions_expiry_idx", "expires_at"),
    info=KEEP_ON_REBUILD,
)

# Rows no longer needed are deleted as new sessions open (a missing row refuses like a revoked
# one). Expired rows are kept long after their expiry: the clock the web runs on may be a
# rehearsal clock, and a row must not vanish while its signature is still young.
PURGE_REVOKED_AFTER = timedelta(days=1)
PURGE_EXPIRED_AFTER = timedelta(days=366)

# Asked on every API request and signed-in page: built once (a SELECT built per call cost about
# as much as running it).
_SESSION_USER = (
    select(users.c.username, users.c.role, users.c.agency)
    .join(sessions, sessions.c.username == users.c.username)
    .where(
        sessions.c.id_hash == bindparam("id_hash"),
        sessions.c.revoked_at.is_(None),
        users.c.active.is_(True),
    )
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


class AccountExists(ApplicationError):
    def __init__(self, username: str) -> None:
        super().__init__(
            f"Tài khoản {username!r} đã tồn tại", f"the account {username!r} already exists"
        )


_hasher = PasswordHasher()
# One-time passwords are random (about 59 bits, accounts_admin.one_time_password) and replaced at
# the first sign-in: a lighter argon2 cost keeps importing a hundred accounts to seconds instead of
# minutes, while guessing one stays out of reach. Verifying reads the cost from the hash itself.
_one_time_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise InvalidArgument(
            "Mật khẩu phải có ít nhất 8 ký tự", "a password needs at least 8 characters"
        )


def account_row(
    username: str,
    role: Role,
    password: str,
    at: datetime,
    agency: str | None = None,
    *,
    one_time: bool = False,
) -> dict[str, object]:
    """A checked ``planflow_users`` row (the password hashed); refuses a bad name, a short
    password, or an agency role without its agency."""
    username = username.strip().lower()
    if not username or not set(username) <= USERNAME_CHARS or len(username) > 64:
        raise InvalidArgument(
            "Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_', '-'",
            "a username has only lower-case ASCII letters, digits, '.', '_' or '-'",
        )
    _check_password(password)
    if role.scoped and not agency:
        raise InvalidArgument(
            f"Vai trò {role.value} cần mã cơ quan (--agency)",
            f"the role {role.value} needs an agency code (--agency)",
        )
    return {
        "username": username,
        "password_hash": (_one_time_hasher if one_time else _hasher).hash(password),
        "role": role.value,
        "agency": agency if role.scoped else None,
        "active": True,
        "created_at": to_db(at),
    }


def user_of(row: dict[str, object]) -> User:
    agency = row["agency"]
    return User(str(row["username"]), Role(str(row["role"])), str(agency) if agency else None)


class AccountStore:
    """``cache_seconds`` (the web's store): how long an answer of ``session_user`` may be kept
    (application/session_cache.py); 0, the default, asks the database every time."""

    def __init__(self, engine: Engine, *, cache_seconds: float = 0) -> None:
        self.engine = engine
        self.cache: SessionCache[User] = SessionCache(cache_seconds)
        metadata.create_all(engine, tables=[users, sessions])

    def add(
        self, username: str, role: Role, password: str, at: datetime, agency: str | None = None
    ) -> User:
        row = account_row(username, role, password, at, agency)
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(users), row)
        except IntegrityError:
            raise AccountExists(str(row["username"])) from None
        return user_of(row)

    def set_password(
        self, username: str, password: str, at: datetime, *, one_time: bool = False
    ) -> None:
        """A new password; every session and token of the account stops counting."""
        _check_password(password)
        hasher = _one_time_hasher if one_time else _hasher
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=hasher.hash(password))
            ).rowcount
            if not changed:
                raise InvalidArgument(
                    f"Không có tài khoản {username!r}", f"there is no account {username!r}"
                )
            connection.execute(
                update(sessions)
                .where(sessions.c.username == username, sessions.c.revoked_at.is_(None))
                .values(revoked_at=to_db(at))
            )
        sessions_changed()

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
            return int(connection.execute(select(func.count()).select_from(users)).scalar_one())

    def all(self) -> list[User]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(users).order_by(users.c.username)).all()
        return [User(r.username, Role(r.role), r.agency) for r in rows]

    # --- sessions -------------------------------------------------------------------------------

    def open_session(self, username: str, kind: str, at: datetime, max_age: int) -> str:
        """A new session id for ``username`` (to put in a signed cookie or token)."""
        session_id = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                delete(sessions).where(
                    or_(
                        sessions.c.revoked_at < to_db(at - PURGE_REVOKED_AFTER),
                        sessions.c.expires_at < to_db(at - PURGE_EXPIRED_AFTER),
                    )
                )
            )
            connection.execute(
                insert(sessions),
                {
                    "id_hash": _digest(session_id),
                    "username": username,
                    "kind": kind,
                    "created_at": to_db(at),
                    "expires_at": to_db(at + timedelta(seconds=max_age)),
                    "revoked_at": None,
                },
            )
        return session_id

    def kept_session_user(self, session_id: str) -> User | None:
        """``session_user``'s answer if the cache holds it (no database call), else None."""
        return self.cache.get(_digest(session_id))

    def session_user(self, session_id: str) -> User | None:
        """The account of a session that still counts (not revoked), else None.

        How long a session lasts is measured in real time by the signature on its cookie or
        token (web/auth.py); the row says whether it was revoked before that. A positive answer
        may come from ``self.cache`` (application/session_cache.py says how fresh).
        """
        id_hash = _digest(session_id)
        kept = self.cache.get(id_hash)
        if kept is not None:
            return kept
        generation = self.cache.generation()
        with self.engine.connect() as connection:
            row = connection.execute(_SESSION_USER, {"id_hash": id_hash}).first()
        if row is None:
            return None
        user = User(row.username, Role(row.role), row.agency)
        self.cache.keep(id_hash, user, generation)
        return user

    def revoke_session(self, session_id: str, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.id_hash == _digest(session_id), sessions.c.revoked_at.is_(None))
                .values(revoked_at=to_db(at))
            )
        sessions_changed()
