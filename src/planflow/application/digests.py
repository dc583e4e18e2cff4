"""The inbox by e-mail, once a working day: who asked for it, and which day each was sent.

- ``planflow_digest_prefs``: one row per account that chose (``enabled``) or declined the digest.
- ``planflow_digests``: one row per account and Vietnam calendar day. A delivery process *claims*
  the row (an insert, or taking over a claim older than the lease), sends, then marks it sent. Two
  processes cannot both claim a day; a process killed between the send and the mark leaves a claim
  that another takes over after the lease, so a digest may — rarely — arrive twice, with the same
  Message-ID for the receiver to drop, but is never lost.

Both tables are kept on ``planflow rebuild``: they record choices and deliveries, not events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    and_,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from planflow.application.accounts_admin import details
from planflow.application.accounts_store import Role, User, user_of, users
from planflow.application.queries.inbox import (
    AGENCY_EVENTS,
    OFFICE_EVENTS,
    Audience,
)
from planflow.application.tables import KEEP_ON_REBUILD, from_db, metadata, to_db

prefs = Table(
    "planflow_digest_prefs",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    info=KEEP_ON_REBUILD,
)

digests = Table(
    "planflow_digests",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("claimed_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),
    Column("items", Integer, nullable=False, default=0),
    info=KEEP_ON_REBUILD,
)

TABLES = [prefs, digests]


def audience_of(user: User) -> Audience | None:
    """Whose inbox an account reads: the Office's roles hear of what the agencies send; an
    agency's accounts, of what happens to its tasks. Auditors and administrators have none."""
    if user.role in (Role.OFFICE_DIRECTOR, Role.OFFICE_STAFF):
        return Audience(user.username, None, OFFICE_EVENTS)
    if user.role.scoped and user.agency:
        return Audience(user.username, user.agency, AGENCY_EVENTS)
    return None


@dataclass(frozen=True)
class Subscriber:
    user: User
    email: str
    audience: Audience
    last_sent: datetime | None


class DigestStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=TABLES, checkfirst=True)

    def set_enabled(self, username: str, enabled: bool, at: datetime) -> None:
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(prefs)
                .where(prefs.c.username == username)
                .values(enabled=enabled, changed_at=to_db(at))
            ).rowcount
            if not changed:
                connection.execute(
                    insert(prefs).values(username=username, enabled=enabled, changed_at=to_db(at))
                )

    def enabled(self, username: str) -> bool:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(prefs.c.enabled).where(prefs.c.username == username)
            ).scalar()
        return bool(value)

    def subscribers(self) -> list[Subscriber]:
        """Active accounts with an inbox, an e-mail address and the digest chosen."""
        query = (
            select(users, details.c.email)
            .join(prefs, prefs.c.username == users.c.username)
            .join(details, details.c.username == users.c.username)
            .where(prefs.c.enabled.is_(True), users.c.active.is_(True), details.c.email != "")
            .order_by(users.c.username)
        )
        found: list[Subscriber] = []
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            for row in rows:
                user = user_of(dict(row._mapping))
                who = audience_of(user)
                if who is None:
                    continue
                last = connection.execute(
                    select(digests.c.sent_at)
                    .where(digests.c.username == row.username, digests.c.sent_at.is_not(None))
                    .order_by(digests.c.day.desc())
                    .limit(1)
                ).scalar()
                found.append(Subscriber(user, row.email, who, from_db(last)))
        return found

    def claim(self, username: str, day: date, holder: str, now: datetime, lease: timedelta) -> bool:
        """Take ``username``'s digest of ``day``: True if it is ours to send now."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(digests).values(
                        username=username, day=day, holder=holder, claimed_at=to_db(now), items=0
                    )
                )
            return True
        except IntegrityError:
            pass
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(digests)
                .where(
                    and_(
                        digests.c.username == username,
                        digests.c.day == day,
                        digests.c.sent_at.is_(None),
                        or_(digests.c.holder == holder, digests.c.claimed_at < to_db(now - lease)),
                    )
                )
                .values(holder=holder, claimed_at=to_db(now))
            ).rowcount
        return taken == 1

    def sent(self, username: str, day: date, holder: str, now: datetime, items: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(digests)
                .where(
                    digests.c.username == username,
                    digests.c.day == day,
                    digests.c.holder == holder,
                )
                .values(sent_at=to_db(now), items=items)
            )

    def release(self, username: str, day: date, holder: str) -> None:
        """Give the claim back after a failed send: the next pass tries again."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(digests).where(
                    digests.c.username == username,
                    digests.c.day == day,
                    digests.c.holder == holder,
                    digests.c.sent_at.is_(None),
                )
            )

    def sent_count(self, username: str) -> int:
        with self.engine.connect() as connection:
            return len(
                connection.execute(
                    select(digests.c.day).where(
                        digests.c.username == username, digests.c.sent_at.is_not(None)
                    )
                ).all()
            )
