"""Plans brought in by the Office: drafts under review (the browser's plans pages;
docs/ingestion.md, "In the browser").

``planflow_plan_drafts``, in the shared read-model ``metadata`` and kept by ``planflow rebuild``:
a draft workflow file under review — its YAML, the source text shown beside it, each field's
confidence (application/draft_fields.py) and its state (open, loaded). The documents drafts come
from and the record of every load are in plan_records.py.

A draft is checked exactly as ``planflow validate`` checks a file, and loaded by
``PlanflowApp.load_plan`` (a dry run first shows what loading would do).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from planflow.application.app import LoadResult, PlanflowApp
from planflow.application.draft_fields import FieldNote, apply_form, dump, mark_reviewed
from planflow.application.errors import ApplicationError
from planflow.application.plan_diff import DiffLine, diff_documents
from planflow.application.plan_records import (
    documents,
    ensure_record_tables,
    keep_document,
    loads,
    record_load,
    utc,
)
from planflow.application.tables import KEEP_ON_REBUILD, metadata, to_db
from planflow.domain.errors import InvalidArgument
from planflow.workflow.errors import Problem, WorkflowError
from planflow.workflow.loader import LoadedPlan, load_workflow
from planflow.workflow.yamlsource import MAX_FILE_BYTES, read_yaml

drafts = Table(
    "planflow_plan_drafts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("origin", String(16), nullable=False),  # upload, yaml, next-year
    Column("status", String(16), nullable=False),  # open, loaded
    Column("plan", String(64), nullable=False, default=""),
    Column("source_name", String(200), nullable=False),
    Column("document_sha256", String(64), nullable=True),
    Column("source_text", Text, nullable=False),
    Column("yaml_text", Text, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("notes", JSON, nullable=False),  # what the reading or next-year says to review
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    info=KEEP_ON_REBUILD,
)

PLAN_TABLES = (documents, drafts, loads)


class DraftNotFound(ApplicationError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"Không có bản nháp {ref!r}", f"no draft {ref!r}")


class DraftInvalid(InvalidArgument):
    """The draft does not validate: it cannot be previewed or loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(f"{p.field or '(file)'}: {p.message}" for p in problems[:5])
        more = f" (+{len(problems) - 5})" if len(problems) > 5 else ""
        super().__init__(
            f"Bản nháp chưa hợp lệ, chưa thể nạp: {shown}{more}",
            f"the draft does not validate and cannot be loaded: {shown}{more}",
        )


class DraftClosed(InvalidArgument):
    def __init__(self, ref: str) -> None:
        super().__init__(
            f"Bản nháp {ref} đã được nạp; hãy tạo bản nháp mới",
            f"the draft {ref} was loaded already; make a new draft",
        )


@dataclass
class Draft:
    id: str
    origin: str
    status: str
    plan: str
    source_name: str
    document_sha256: str | None
    source_text: str
    yaml_text: str
    fields: list[FieldNote]
    notes: list[str]
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime

    def data(self) -> dict[str, Any]:
        return parse(self.yaml_text)


def parse(text: str) -> dict[str, Any]:
    """The draft's data, read as ``planflow validate`` reads a file (bounded, no alias bombs);
    {} when it is not a YAML mapping."""
    with _materialized(text) as path:
        try:
            data = read_yaml(path).data
        except WorkflowError:
            return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Preview:
    """What loading the draft would do: the same computation as the load, nothing written."""

    result: LoadResult
    in_force: bool  # a plan with this id is loaded: the diff is against it
    diff: list[DiffLine]


def ensure_tables(app: PlanflowApp) -> None:
    ensure_record_tables(app)
    metadata.create_all(app.engine, tables=[drafts], checkfirst=True)


# --- drafts ---------------------------------------------------------------------


def create_draft(
    app: PlanflowApp,
    *,
    origin: str,
    source_name: str,
    source_text: str,
    yaml_text: str,
    fields: list[FieldNote],
    notes: list[str],
    actor: str,
    at: dt.datetime,
    upload: tuple[str, bytes] | None = None,
) -> str:
    """Store a new draft (and the document it was read from, once); its id."""
    ensure_tables(app)
    ref = uuid.uuid4().hex[:12]
    with app.transaction() as session:
        digest = (
            keep_document(session, upload[0], upload[0].rsplit(".", 1)[-1], upload[1], actor, at)
            if upload
            else None
        )
        session.execute(
            insert(drafts).values(
                id=ref,
                origin=origin,
                status="open",
                plan=_plan_id(yaml_text),
                source_name=source_name[:200],
                document_sha256=digest,
                source_text=source_text,
                yaml_text=yaml_text,
                fields=[f.as_json() for f in fields],
                notes=notes,
                created_by=actor,
                created_at=to_db(at),
                updated_by=actor,
                updated_at=to_db(at),
            )
        )
    return ref


def _plan_id(yaml_text: str) -> str:
    plan = parse(yaml_text).get("plan")
    return str(plan.get("id", ""))[:64] if isinstance(plan, dict) else ""


def get_draft(app: PlanflowApp, ref: str) -> Draft:
    ensure_tables(app)
    with app.engine.connect() as connection:
        row = connection.execute(select(drafts).where(drafts.c.id == ref)).first()
    if row is None:
        raise DraftNotFound(ref)
    return _draft(row)


def _draft(row: Any) -> Draft:
    return Draft(
        id=row.id,
        origin=row.origin,
        status=row.status,
        plan=row.plan,
        source_name=row.source_name,
        document_sha256=row.document_sha256,
        source_text=row.source_text,
        yaml_text=row.yaml_text,
        fields=[FieldNote.of(f) for f in row.fields],
        notes=list(row.notes),
        created_by=row.created_by,
        created_at=utc(row.created_at),
        updated_by=row.updated_by,
        updated_at=utc(row.updated_at),
    )


def open_drafts(app: PlanflowApp) -> list[Draft]:
    ensure_tables(app)
    query = select(drafts).where(drafts.c.status == "open").order_by(drafts.c.created_at.desc())
    with app.engine.connect() as connection:
        return [_draft(row) for row in connection.execute(query)]


def edit_draft(
    app: PlanflowApp,
    draft: Draft,
    form: dict[str, str],
    actor: str,
    at: dt.datetime,
) -> list[Problem]:
    """Save the review form's edits (or the whole YAML, ``yaml_text``); the problems left."""
    if draft.status != "open":
        raise DraftClosed(draft.id)
    text = edited_text(draft, form)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InvalidArgument(
            f"Tệp kế hoạch quá lớn; tối đa {MAX_FILE_BYTES} byte",
            f"the workflow file is too large; at most {MAX_FILE_BYTES} bytes",
        )
    notes = draft.fields
    if "yaml_text" not in form:
        mark_reviewed(notes, apply_form(draft.data(), form))
    with app.transaction() as session:
        session.execute(
            update(drafts)
            .where(drafts.c.id == draft.id)
            .values(
                yaml_text=text,
                plan=_plan_id(text),
                fields=[f.as_json() for f in notes],
                updated_by=actor,
                updated_at=to_db(at),
            )
        )
    return check(text)


def edited_text(draft: Draft, form: dict[str, str]) -> str:
    """The draft's YAML as the form would leave it (nothing saved)."""
    if "yaml_text" in form:
        return form["yaml_text"].replace("\r\n", "\n")
    data = draft.data()
    if not data:
        raise InvalidArgument(
            "Tệp kế hoạch của bản nháp không đọc được; hãy sửa trong ô YAML trước",
            "the draft's workflow file cannot be read; fix it in the YAML editor first",
        )
    apply_form(data, form)
    return dump(data)


# --- validating, previewing, loading -----------------------------------------------------------


@contextmanager
def _materialized(text: str, directory: Path | None = None) -> Iterator[Path]:
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / "plan.yaml"
        target.write_text(text, encoding="utf-8")
        yield target
        return
    with tempfile.TemporaryDirectory(prefix="planflow-draft-") as tmp:
        target = Path(tmp) / "plan.yaml"
        target.write_text(text, encoding="utf-8")
        yield target


def check(text: str) -> list[Problem]:
    """What ``planflow validate`` would say of the text (empty: it validates)."""
    with _materialized(text) as path:
        try:
            load_workflow(path)
        except WorkflowError as exc:
            return [Problem(Path("draft"), p.line, p.field, p.message) for p in exc.problems]
    return []


@contextmanager
def _loaded(text: str, directory: Path | None = None) -> Iterator[LoadedPlan]:
    with _materialized(text, directory) as path:
        try:
            loaded = load_workflow(path)
        except WorkflowError as exc:
            raise DraftInvalid(
                [Problem(Path("draft"), p.line, p.field, p.message) for p in exc.problems]
            ) from None
        yield loaded


def preview(app: PlanflowApp, draft: Draft, actor: str, at: dt.datetime) -> Preview:
    """What loading the draft now would do (``load_plan`` in a dry run) and how it differs from
    the plan in force with the same id."""
    with _loaded(draft.yaml_text) as loaded:
        result = app.load_plan(loaded, actor=actor, at=at, dry_run=True)
        in_force = app.get_plan(loaded.workflow.plan.id)
        new = loaded.workflow.model_dump(mode="json")
        diff = diff_documents(in_force.document, new) if in_force else []
        return Preview(result, in_force is not None, diff)


def load_draft(
    app: PlanflowApp, draft: Draft, actor: str, at: dt.datetime, plans_dir: Path
) -> LoadResult:
    """Load the draft: the workflow file is kept under ``plans_dir`` (plan id / its SHA-256), the
    load is recorded with who and when, and the draft is closed, all in one transaction."""
    if draft.status != "open":
        raise DraftClosed(draft.id)
    ensure_tables(app)
    problems = check(draft.yaml_text)
    if problems:
        raise DraftInvalid(problems)
    digest = hashlib.sha256(draft.yaml_text.encode("utf-8")).hexdigest()
    directory = plans_dir / (_plan_id(draft.yaml_text) or "plan") / digest[:16]
    created = not directory.exists()
    try:
        with _loaded(draft.yaml_text, directory) as loaded:

            def record(session: Session, result: LoadResult) -> None:
                record_load(
                    session,
                    loaded,
                    result,
                    actor,
                    at,
                    draft=draft.id,
                    document_sha256=draft.document_sha256,
                    document_name=draft.source_name if draft.document_sha256 else None,
                )
                session.execute(
                    update(drafts).where(drafts.c.id == draft.id).values(status="loaded")
                )

            return app.load_plan(loaded, actor=actor, at=at, on_commit=record)
    except BaseException:
        if created:  # a refused load leaves no file behind
            shutil.rmtree(directory, ignore_errors=True)
        raise
