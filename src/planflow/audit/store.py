"""The audit's SQL: read the log and its chain, sign and keep checkpoints, record verifications.

Verification itself is ``chain.verify_log`` (no SQL there); this module only reads rows — as they
are, even from a corrupted store — and hands them over.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Table, func, insert, select, text
from sqlalchemy.orm import Session

from planflow.audit import chain as core
from planflow.audit import merkle, writer
from planflow.audit.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    open_checkpoint,
    unverified_text,
)
from planflow.audit.tables import chain, checkpoints, verifications

BATCH = 2000


@dataclass(frozen=True)
class StoredEvent:
    """An event row with its exact state bytes (for exports)."""

    notification_id: int
    stream_id: str
    stream_version: int
    topic: str
    state: bytes


def stored_events(engine: Engine, events: Table) -> Iterator[StoredEvent]:
    """Every event row in notification-id order, read in batches — as raw values, without the
    column types' conversions, so that a row edited by hand (a BLOB turned into TEXT by sqlite3's
    ``replace()``, a malformed UUID) is read and reported rather than crashing the reader."""
    query = text(
        "SELECT id, originator_id, originator_version, topic, state "
        f"FROM {events.name} WHERE id > :last ORDER BY id LIMIT :n"
    )
    last = -1
    while True:
        with engine.connect() as connection:
            rows = connection.execute(query, {"last": last, "n": BATCH}).all()
        if not rows:
            return
        for r in rows:
            yield StoredEvent(
                _int(r.id),
                _uuid(r.originator_id),
                _int(r.originator_version),
                _text(r.topic),
                _bytes(r.state),
            )
        last = _int(rows[-1].id)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | memoryview):
        return bytes(value)
    return ("" if value is None else str(value)).encode("utf-8")


def _uuid(value: Any) -> str:
    if isinstance(value, bytes | memoryview) and len(bytes(value)) == 16:
        return str(UUID(bytes=bytes(value)))
    return _text(value)


def event_rows(engine: Engine, events: Table) -> list[core.EventRow]:
    return [
        core.EventRow(
            e.notification_id,
            e.stream_id,
            e.stream_version,
            e.topic,
            core.state_sha256(e.state),
        )
        for e in stored_events(engine, events)
    ]


def chain_rows(engine: Engine) -> list[core.ChainRow]:
    """The chain in position order, as raw values (see ``stored_events``)."""
    query = text(
        "SELECT position, notification_id, stream_id, stream_version, recorded_at, leaf_hash, "
        f"stream_hash, chain_hash FROM {chain.name} ORDER BY position"
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        core.ChainRow(
            _int(r.position),
            _int(r.notification_id),
            _text(r.stream_id),
            _int(r.stream_version),
            _text(r.recorded_at),
            _text(r.leaf_hash),
            _text(r.stream_hash),
            _text(r.chain_hash),
        )
        for r in rows
    ]


def latest_covers_log(engine: Engine) -> bool:
    """Whether the latest stored checkpoint covers every chain entry."""
    with engine.connect() as connection:
        latest = connection.execute(
            select(checkpoints.c.size).order_by(checkpoints.c.id.desc()).limit(1)
        ).scalar()
        count = connection.execute(select(func.count()).select_from(chain)).scalar()
    return latest is not None and int(latest) == int(count or 0)


def stored_notes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(select(checkpoints.c.note).order_by(checkpoints.c.id)).scalars()
        )


@dataclass(frozen=True)
class Signed:
    note: str
    size: int
    root: str
    head: str


def chain_unchained(session: Session, events: Table, at: str) -> int:
    """Chain every event that has none yet (a store from before the chain). Returns how many."""
    pending = writer.unchained_events(session, events)
    has_chain = session.execute(select(func.count()).select_from(chain)).scalar()
    signed = session.execute(select(func.count()).select_from(checkpoints)).scalar()
    if pending and (has_chain or signed):
        raise NoteError(
            "kho đã có chuỗi nhưng còn sự kiện chưa vào chuỗi — hãy chạy audit verify / "
            f"the store has a chain yet {len(pending)} events outside it: run audit verify"
        )
    writer.append(session, events, pending, at)
    return len(pending)


def sign_checkpoint(session: Session, signer: Signer, at: datetime) -> Signed:
    """Sign the current tree head (in the caller's transaction) and keep the note."""
    rows = session.execute(
        select(chain.c.leaf_hash, chain.c.chain_hash).order_by(chain.c.position)
    ).all()
    leaves = [core.as_hash(r.leaf_hash) for r in rows]
    head = rows[-1].chain_hash if rows else core.ZERO.hex()
    root = merkle.root(leaves)
    checkpoint = Checkpoint(signer.name, len(leaves), root, (f"planflow chain-head {head}",))
    note = signer.sign(checkpoint.text())
    session.execute(
        insert(checkpoints).values(
            size=len(leaves),
            root_hash=root.hex(),
            chain_head=head,
            signed_at=at.isoformat(),
            note=note,
        )
    )
    return Signed(note, len(leaves), root.hex(), head)


def checkpoint_claims(
    notes: Sequence[tuple[str, str]], verifiers: Sequence[Verifier]
) -> tuple[list[tuple[int, bytes, str]], list[core.Finding]]:
    """(size, root, label) of each checkpoint; a bad signature is itself a finding."""
    claims: list[tuple[int, bytes, str]] = []
    problems: list[core.Finding] = []
    for label, note in notes:
        try:
            if verifiers:
                cp = open_checkpoint(note, verifiers)
            else:
                cp = Checkpoint.parse(unverified_text(note))
        except NoteError as exc:
            problems.append(core.Finding("checkpoint rejected", None, f"{label}: {exc}"))
            continue
        claims.append((cp.size, cp.root, f"checkpoint {cp.size} ({label})"))
    return claims, problems


def verify_store(
    engine: Engine,
    events: Table,
    against: Sequence[tuple[str, str]],
    verifiers: Sequence[Verifier],
) -> core.Report:
    """Recompute the chain of the store and check it against its own and the given checkpoints."""
    log = chain_rows(engine)
    report = core.verify_log(event_rows(engine, events), log)
    notes = [(f"stored #{i}", n) for i, n in enumerate(stored_notes(engine), start=1)]
    claims, problems = checkpoint_claims([*notes, *against], verifiers)
    report.findings += core.check_checkpoints(log, claims) + problems
    return report


def record_verification(engine: Engine, report: core.Report, at: datetime) -> None:
    first = report.first
    with engine.begin() as connection:
        connection.execute(
            insert(verifications).values(
                verified_at=at.isoformat(),
                ok=report.ok,
                count=report.count,
                head=report.head,
                root=report.root,
                summary="" if first is None else str(first),
            )
        )


def last_verification(engine: Engine) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = (
            connection.execute(select(verifications).order_by(verifications.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
    return dict(row) if row else None


@dataclass(frozen=True)
class Backdated:
    position: int
    recorded_at: str
    event_time: str
    stream_id: str
    topic: str
    actor: str


def backdated(engine: Engine, events: Table, last: int = 500) -> list[Backdated]:
    """Among the latest ``last`` chain entries, those whose own time is well before recording."""
    from planflow.audit.export import event_time, is_backdated

    e = events.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(chain.c.position, chain.c.recorded_at, chain.c.stream_id, e.topic, e.state)
            .join(events, e.id == chain.c.notification_id)
            .order_by(chain.c.position.desc())
            .limit(last)
        ).all()
    found = []
    for r in rows:
        try:
            state = json.loads(bytes(r.state))
        except ValueError:
            continue
        if isinstance(state, dict) and is_backdated(state, r.recorded_at):
            moment = event_time(state)
            found.append(
                Backdated(
                    int(r.position),
                    r.recorded_at,
                    moment.isoformat() if moment else "",
                    r.stream_id,
                    str(r.topic).rpartition(".")[2],
                    str(state.get("actor", "")),
                )
            )
    return found


def latest_checkpoint(engine: Engine) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = (
            connection.execute(select(checkpoints).order_by(checkpoints.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
    return dict(row) if row else None


def checkpoints_after(engine: Engine, after_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Signed checkpoints with an id above ``after_id``, oldest first (what a channel that
    delivers checkpoints to the auditors has not delivered yet)."""
    with engine.connect() as connection:
        rows = (
            connection.execute(
                select(checkpoints)
                .where(checkpoints.c.id > after_id)
                .order_by(checkpoints.c.id)
                .limit(limit)
            )
            .mappings()
            .all()
        )
    return [dict(row) for row in rows]
