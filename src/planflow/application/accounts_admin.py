"""Managing accounts (the Office's administrator): who they are, who signed in when, and every
change with its actor. Kept beside ``accounts_store`` (the accounts and their sessions).

- ``planflow_account_details``: a person's name and e-mail, and whether the account still holds
  a one-time password (it must choose its own at the next sign-in).
- ``planflow_signins``: one row per successful sign-in (page, API token or CLI token).
- ``planflow_account_changes``: one row per change (created, imported, password reset or
  changed, deactivated, reactivated) with the account that made it.

All three are kept by ``planflow rebuild`` (they are not derived from task events). A change and
its log row are written in one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from planflow.application.account_csv import AccountLine, read_accounts
from planflow.application.accounts_store import (
    AccountExists,
    AccountStore,
    Role,
    User,
    account_row,
    sessions,
    user_of,
    users,
)
from planflow.application.errors import ApplicationError
from planflow.application.session_cache import sessions_changed
from planflow.application.tables import KEEP_ON_REBUILD, from_db, metadata, to_db
from planflow.domain.errors import InvalidArgument

details = Table(
    "planflow_account_details",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("full_name", Text, nullable=False, default=""),
    Column("email", String(320), nullable=False, default=""),
    Column("must_change_password", Boolean, nullable=False, default=False),
    info=KEEP_ON_REBUILD,
)

signins = Table(
    "planflow_signins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("kind", String(16), nullable=False),  # page, token, cli
    Column("address", String(64), nullable=False, default=""),
    Index("planflow_signins_at_idx", "at"),
    Index("planflow_signins_user_idx", "username"),
    info=KEEP_ON_REBUILD,
)

changes = Table(
    "planflow_account_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Index("planflow_account_changes_at_idx", "at"),
    info=KEEP_ON_REBUILD,
)

ACTIONS: dict[str, tuple[str, str]] = {
    "created": ("Tạo tài khoản", "Account created"),
    "imported": ("Tạo tài khoản từ tệp CSV", "Account created from a CSV"),
    "password_reset": ("Đặt lại mật khẩu (mật khẩu dùng một lần)", "Password reset (one-time)"),
    "password_changed": ("Đổi mật khẩu", "Password changed"),
    "deactivated": ("Khóa tài khoản", "Account deactivated"),
    "reactivated": ("Mở lại tài khoản", "Account reactivated"),
}

# One-time passwords: unambiguous letters and digits, easy to read out over the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password(length: int = 12) -> str:
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(length // 4)
    )


def _utc(value: datetime) -> datetime:
    moment = from_db(value)
    assert moment is not None
    return moment


class AccountRefused(ApplicationError):
    """A change the administrator may not make (their own account, …): nothing is written."""


class NoSuchAccount(ApplicationError):
    def __init__(self, username: str) -> None:
        super().__init__(f"Không có tài khoản {username!r}", f"there is no account {username!r}")


@dataclass(frozen=True)
class AccountInfo:
    username: str
    role: Role
    agency: str | None
    full_name: str
    email: str
    active: bool
    must_change_password: bool
    created_at: datetime
    last_signin: datetime | None


@dataclass(frozen=True)
class SignIn:
    username: str
    at: datetime
    kind: str
    address: str


@dataclass(frozen=True)
class Change:
    at: datetime
    actor: str
    username: str
    action: str
    detail: str


@dataclass(frozen=True)
class Created:
    """An account just made, with its one-time password (shown once, never stored)."""

    user: User
    password: str
    line: int | None = None


class AccountAdmin:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        AccountStore(engine)  # the accounts' own tables
        metadata.create_all(engine, tables=[details, signins, changes])

    # --- changes, each with its log row ---------------------------------------------------------

    def _log(
        self, c: Connection, at: datetime, actor: str, username: str, action: str, detail: str = ""
    ) -> None:
        c.execute(
            insert(changes),
            {
                "at": to_db(at),
                "actor": actor,
                "username": username,
                "action": action,
                "detail": detail,
            },
        )

    def log(self, at: datetime, actor: str, username: str, action: str, detail: str = "") -> None:
        """Record a change made elsewhere (the CLI's ``users add`` and ``users passwd``)."""
        with self.engine.begin() as c:
            self._log(c, at, actor, username, action, detail)

    def create(
        self,
        actor: str,
        at: datetime,
        username: str,
        role: Role,
        agency: str | None,
        full_name: str = "",
        email: str = "",
        known_agencies: Collection[str] = (),
    ) -> Created:
        if role.scoped and agency not in known_agencies:
            raise InvalidArgument(
                f"Không có mã cơ quan {agency!r}", f"there is no agency code {agency!r}"
            )
        line = AccountLine(0, username.strip().lower(), full_name, email, agency, role)
        [made] = self._insert(actor, at, [line], "created")
        return Created(made.user, made.password)

    def import_csv(
        self, actor: str, at: datetime, text: str, known_agencies: Collection[str]
    ) -> list[Created]:
        """Every row or none: bad rows raise CsvRejected naming their lines."""
        with self.engine.connect() as c:
            existing = set(c.execute(select(users.c.username)).scalars())
        return self._insert(actor, at, read_accounts(text, known_agencies, existing), "imported")

    def _insert(
        self, actor: str, at: datetime, lines: Sequence[AccountLine], action: str
    ) -> list[Created]:
        made: list[Created] = []
        rows = []
        for line in lines:
            password = one_time_password()
            row = account_row(line.username, line.role, password, at, line.agency, one_time=True)
            rows.append((line, row))
            made.append(Created(user_of(row), password, line.line or None))
        try:
            with self.engine.begin() as c:
                for line, row in rows:
                    c.execute(insert(users), row)
                    c.execute(
                        insert(details),
                        {
                            "username": row["username"],
                            "full_name": line.full_name,
                            "email": line.email,
                            "must_change_password": True,
                        },
                    )
                    scope = f" ({line.agency})" if line.agency else ""
                    self._log(c, at, actor, str(row["username"]), action, line.role.value + scope)
        except IntegrityError:
            raise AccountExists(", ".join(line.username for line in lines[:3])) from None
        return made

    def reset_password(self, actor: str, at: datetime, username: str) -> str:
        """A new one-time password (returned once); the account's sessions end."""
        if username == actor:
            raise AccountRefused(
                "Hãy đổi mật khẩu của chính mình ở trang Đổi mật khẩu (/password)",
                "change your own password on the password page (/password)",
            )
        password = one_time_password()
        self._set_password(at, username, password, must_change=True)
        with self.engine.begin() as c:
            self._log(c, at, actor, username, "password_reset")
        return password

    def change_own_password(self, username: str, current: str, new: str, at: datetime) -> None:
        """The account chooses its own password (after a one-time one, or any time)."""
        if AccountStore(self.engine).authenticate(username, current) is None:
            raise InvalidArgument("Mật khẩu hiện tại không đúng", "the current password is wrong")
        if new == current:
            raise InvalidArgument(
                "Mật khẩu mới phải khác mật khẩu hiện tại",
                "the new password must differ from the current one",
            )
        self._set_password(at, username, new, must_change=False)
        with self.engine.begin() as c:
            self._log(c, at, username, username, "password_changed")

    def _set_password(self, at: datetime, username: str, password: str, must_change: bool) -> None:
        store = AccountStore(self.engine)
        store.set_password(username, password, at, one_time=must_change)  # sessions end
        with self.engine.begin() as c:
            self._upsert_details(c, username, must_change_password=must_change)

    def _upsert_details(self, c: Connection, username: str, **values: object) -> None:
        found = c.execute(
            update(details).where(details.c.username == username).values(**values)
        ).rowcount
        if not found:
            c.execute(insert(details), {"username": username, **values})

    def set_active(self, actor: str, at: datetime, username: str, active: bool) -> None:
        if username == actor and not active:
            raise AccountRefused(
                "Không thể tự khóa tài khoản của chính mình",
                "you cannot deactivate your own account",
            )
        with self.engine.begin() as c:
            changed = c.execute(
                update(users).where(users.c.username == username).values(active=active)
            ).rowcount
            if not changed:
                raise NoSuchAccount(username)
            if not active:
                c.execute(
                    update(sessions)
                    .where(sessions.c.username == username, sessions.c.revoked_at.is_(None))
                    .values(revoked_at=to_db(at))
                )
            self._log(c, at, actor, username, "reactivated" if active else "deactivated")
        sessions_changed()  # kept answers of session_user forgotten

    # --- sign-ins -------------------------------------------------------------------------------

    def record_signin(self, username: str, kind: str, at: datetime, address: str = "") -> None:
        with self.engine.begin() as c:
            c.execute(
                insert(signins),
                {"username": username, "at": to_db(at), "kind": kind, "address": address[:64]},
            )

    def must_change_password(self, username: str) -> bool:
        with self.engine.connect() as c:
            value = c.execute(
                select(details.c.must_change_password).where(details.c.username == username)
            ).scalar()
        return bool(value)

    # --- reading --------------------------------------------------------------------------------

    def accounts(self) -> list[AccountInfo]:
        last = (
            select(signins.c.username, func.max(signins.c.at).label("last"))
            .group_by(signins.c.username)
            .subquery()
        )
        query = (
            select(users, details.c.full_name, details.c.email, details.c.must_change_password)
            .add_columns(last.c.last)
            .outerjoin(details, details.c.username == users.c.username)
            .outerjoin(last, last.c.username == users.c.username)
            .order_by(users.c.agency, users.c.username)
        )
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        return [
            AccountInfo(
                r.username,
                Role(r.role),
                r.agency,
                r.full_name or "",
                r.email or "",
                bool(r.active),
                bool(r.must_change_password),
                _utc(r.created_at),
                from_db(r.last) if r.last else None,
            )
            for r in rows
        ]

    def signins(self, limit: int = 200, username: str | None = None) -> list[SignIn]:
        query = select(signins).order_by(signins.c.at.desc(), signins.c.id.desc()).limit(limit)
        if username:
            query = query.where(signins.c.username == username)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        return [SignIn(r.username, _utc(r.at), r.kind, r.address) for r in rows]

    def changes(self, limit: int = 200) -> list[Change]:
        query = select(changes).order_by(changes.c.at.desc(), changes.c.id.desc()).limit(limit)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        return [Change(_utc(r.at), r.actor, r.username, r.action, r.detail) for r in rows]
