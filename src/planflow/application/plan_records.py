"""What the Office brought in and who loaded what: the documents plans were read from, kept once by
their SHA-256, and one row per load that changed something (``planflow load`` or the browser),
written in the load's own transaction. Both tables are in the shared read-model ``metadata`` and
kept by ``planflow rebuild`` (they are not derived from events).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    insert,
    select,
)
from sqlalchemy.orm import Session

from planflow.application.app import LoadResult, PlanflowApp
from planflow.application.tables import KEEP_ON_REBUILD, from_db, metadata, to_db
from planflow.workflow.loader import LoadedPlan

documents = Table(
    "planflow_plan_documents",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    info=KEEP_ON_REBUILD,
)

loads = Table(
    "planflow_plan_loads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan", String(64), nullable=False, index=True),
    Column("loaded_by", String(100), nullable=False),
    Column("loaded_at", DateTime, nullable=False),
    Column("workflow_sha256", String(64), nullable=False),
    Column("source", Text, nullable=False),  # the workflow file loaded
    Column("draft", String(36), nullable=True),
    Column("document_sha256", String(64), nullable=True),
    Column("document_name", String(200), nullable=True),
    Column("counts", JSON, nullable=False),  # assigned, cancelled, reassigned, moved
    info=KEEP_ON_REBUILD,
)

RECORD_TABLES = (documents, loads)


@dataclass(frozen=True)
class LoadRecord:
    plan: str
    loaded_by: str
    loaded_at: dt.datetime
    workflow_sha256: str
    source: str
    draft: str | None
    document_sha256: str | None
    document_name: str | None
    counts: dict[str, int]


def ensure_record_tables(app: PlanflowApp) -> None:
    metadata.create_all(app.engine, tables=list(RECORD_TABLES), checkfirst=True)


def utc(value: dt.datetime) -> dt.datetime:
    moment = from_db(value)
    assert moment is not None
    return moment


def keep_document(
    session: Session, name: str, kind: str, data: bytes, actor: str, at: dt.datetime
) -> str:
    digest = hashlib.sha256(data).hexdigest()
    known = session.execute(select(documents.c.sha256).where(documents.c.sha256 == digest))
    if known.first() is None:
        session.execute(
            insert(documents).values(
                sha256=digest,
                name=name[:200],
                kind=kind,
                size=len(data),
                data=data,
                uploaded_by=actor,
                uploaded_at=to_db(at),
            )
        )
    return digest


def document(app: PlanflowApp, sha256: str) -> tuple[str, str, bytes] | None:
    """An uploaded document: (name, kind, bytes)."""
    ensure_record_tables(app)
    query = select(documents.c.name, documents.c.kind, documents.c.data).where(
        documents.c.sha256 == sha256
    )
    with app.engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else (row.name, row.kind, bytes(row.data))


def record_load(
    session: Session,
    loaded: LoadedPlan,
    result: LoadResult,
    actor: str,
    at: dt.datetime,
    *,
    draft: str | None = None,
    document_sha256: str | None = None,
    document_name: str | None = None,
) -> None:
    """One row per load that changed something (call it in the load's transaction)."""
    session.execute(
        insert(loads).values(
            plan=result.plan,
            loaded_by=actor,
            loaded_at=to_db(at),
            workflow_sha256=loaded.sha256,
            source=str(loaded.path),
            draft=draft,
            document_sha256=document_sha256,
            document_name=document_name,
            counts={
                "assigned": result.assigned,
                "cancelled": result.cancelled,
                "reassigned": result.reassigned,
                "moved": result.extended,
            },
        )
    )


def plan_loads(app: PlanflowApp, plan: str) -> list[LoadRecord]:
    ensure_record_tables(app)
    query = select(loads).where(loads.c.plan == plan).order_by(loads.c.id.desc())
    with app.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        LoadRecord(
            r.plan,
            r.loaded_by,
            utc(r.loaded_at),
            r.workflow_sha256,
            r.source,
            r.draft,
            r.document_sha256,
            r.document_name,
            dict(r.counts),
        )
        for r in rows
    ]
