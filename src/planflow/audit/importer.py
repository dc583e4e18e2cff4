"""``planflow audit import``: a verified bundle into an empty database, byte for byte.

The events keep their notification ids and exact state bytes, the chain rows are copied, the
bundle's checkpoint is kept: the new store has the same chain head and Merkle root. The read models
are then rebuilt from the events, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from planflow.audit import bundle, planbundle
from planflow.audit.note import Verifier
from planflow.audit.tables import chain, checkpoints


class ImportRefused(ValueError):
    """The bundle does not verify, or the database is not empty. Nothing was written."""


def import_bundle(
    session: Session,
    events: Table,
    files: dict[str, bytes],
    verifiers: Sequence[Verifier],
    *,
    at: datetime,
    rebuild: Callable[[], int],
) -> bundle.BundleCheck:
    if planbundle.is_plan_bundle(files):
        raise ImportRefused(
            "gói của một kế hoạch chỉ chứa một phần nhật ký, không nhập được: cần gói toàn bộ "
            "nhật ký (planflow export không có --plan-only) / a per-plan bundle holds part of the "
            "log and cannot be imported: use a whole-log bundle (planflow export without --plan-only)"
        )
    check = bundle.verify_bundle(files, verifiers)
    if not check.report.ok:
        raise ImportRefused(
            "gói xuất không toàn vẹn, không nhập gì / the bundle does not verify, nothing imported: "
            f"{check.report.first}"
        )
    if check.checkpoint.size != check.report.count:
        raise ImportRefused(
            "điểm kiểm của gói không phủ toàn bộ nhật ký / the bundle's checkpoint does not cover "
            f"the whole log ({check.checkpoint.size} of {check.report.count})"
        )
    _lock(session, events)
    present = session.execute(select(func.count()).select_from(events)).scalar()
    chained = session.execute(select(func.count()).select_from(chain)).scalar()
    if present or chained:
        raise ImportRefused(
            f"cơ sở dữ liệu không trống ({present} sự kiện) / the database is not empty "
            f"({present} events): import only into an empty one"
        )
    entries = sorted(check.entries, key=lambda e: e.row.position)
    for start in range(0, len(entries), 1000):
        batch = entries[start : start + 1000]
        session.execute(
            insert(events),
            [
                {
                    "id": e.row.notification_id,
                    "originator_id": UUID(e.row.stream_id),
                    "originator_version": e.row.stream_version,
                    "topic": e.topic,
                    "state": e.state,
                }
                for e in batch
            ],
        )
        session.execute(
            insert(chain),
            [
                {
                    "position": e.row.position,
                    "notification_id": e.row.notification_id,
                    "stream_id": e.row.stream_id,
                    "stream_version": e.row.stream_version,
                    "recorded_at": e.row.recorded_at,
                    "leaf_hash": e.row.leaf_hash,
                    "stream_hash": e.row.stream_hash,
                    "chain_hash": e.row.chain_hash,
                }
                for e in batch
            ],
        )
    session.execute(
        insert(checkpoints).values(
            size=check.report.count,
            root_hash=check.report.root,
            chain_head=check.report.head,
            signed_at=at.isoformat(),
            note=files[bundle.CHECKPOINT].decode(),
        )
    )
    if session.get_bind().dialect.name == "postgresql" and entries:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{events.name}', 'id'), MAX(id)) FROM {events.name}"
            )
        )
    session.flush()
    rebuild()
    return check


def _lock(session: Session, events: Table) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"LOCK TABLE {events.name} IN EXCLUSIVE MODE"))
