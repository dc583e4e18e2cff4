"""The dry run is the load's own computation: on a merger revision loaded after the end (assigned,
cancelled, reassigned, handed over) it lists exactly the events the real load then records, and
writes nothing. Drafts, kept documents and load records live in tables a rebuild keeps; on SQLite
and PostgreSQL alike."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import func, select

from conftest import FIXTURES
from planflow.application import plan_drafts, plan_records
from planflow.application.app import PlanflowApp
from planflow.application.plan_changes import ChangeKind
from planflow.application.plan_intake import draft_from_upload
from planflow.application.tables import kept_on_rebuild, task_events
from planflow.domain.clock import LOCAL_TZ
from planflow.workflow.loader import load_workflow

BEFORE = FIXTURES / "merger-before.yaml"
AFTER = FIXTURES / "merger-after.yaml"


def morning(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=LOCAL_TZ)


def event_types(app: PlanflowApp) -> Counter[str]:
    with app.engine.connect() as connection:
        rows = connection.execute(select(task_events.c.event_type)).scalars()
        return Counter(rows)


def test_a_dry_run_lists_exactly_what_the_load_then_does_and_writes_nothing(
    any_app: PlanflowApp,
) -> None:
    any_app.load_plan(load_workflow(BEFORE), actor="loader", at=morning(date(2022, 2, 15)))
    revised = load_workflow(AFTER)
    at = morning(date(2022, 8, 15))  # after the merged bodies' last day: hand-overs at load
    before = event_types(any_app)
    dry = any_app.load_plan(revised, actor="loader", at=at, dry_run=True)
    assert event_types(any_app) == before
    kinds = Counter(c.kind for c in dry.changes)
    assert kinds[ChangeKind.REASSIGN] > 0 and kinds[ChangeKind.CANCEL] > 0
    assert any(c.why == "ended" for c in dry.changes)
    real = any_app.load_plan(revised, actor="loader", at=at)
    assert real.changes == dry.changes
    assert (real.assigned, real.cancelled, real.reassigned, real.extended) == (
        dry.assigned,
        dry.cancelled,
        dry.reassigned,
        dry.extended,
    )
    added = event_types(any_app) - before
    assert added["Assigned"] == kinds[ChangeKind.ASSIGN]
    assert added["Cancelled"] == kinds[ChangeKind.CANCEL]
    assert added["Reassigned"] == kinds[ChangeKind.REASSIGN]
    assert added["DeadlineExtended"] == kinds[ChangeKind.MOVE]


def test_a_draft_is_loaded_once_with_who_when_and_the_document_kept(
    any_app: PlanflowApp, tmp_path: Path
) -> None:
    data = BEFORE.read_bytes()
    at = datetime(2022, 2, 15, 1, tzinfo=UTC)
    ref = draft_from_upload(any_app, "ke-hoach.yaml", data, "cvp", at)
    draft = plan_drafts.get_draft(any_app, ref)
    assert draft.origin == "yaml" and plan_drafts.check(draft.yaml_text) == []
    preview = plan_drafts.preview(any_app, draft, "cvp", at)
    assert not preview.in_force and preview.result.assigned > 0
    assert any_app.plan_codes() == []
    result = plan_drafts.load_draft(any_app, draft, "cvp", at, tmp_path)
    assert result.assigned == preview.result.assigned
    (record,) = plan_records.plan_loads(any_app, result.plan)
    digest = hashlib.sha256(data).hexdigest()
    assert (record.loaded_by, record.loaded_at, record.document_sha256) == ("cvp", at, digest)
    assert plan_records.document(any_app, digest) == ("ke-hoach.yaml", "yaml", data)
    any_app.rebuild_read_models()
    assert len(plan_records.plan_loads(any_app, result.plan)) == 1
    assert plan_drafts.get_draft(any_app, ref).status == "loaded"
    assert all(kept_on_rebuild(t) for t in plan_drafts.PLAN_TABLES)
    try:
        plan_drafts.load_draft(any_app, plan_drafts.get_draft(any_app, ref), "cvp", at, tmp_path)
    except plan_drafts.DraftClosed:
        pass
    else:  # pragma: no cover
        raise AssertionError("a loaded draft was loaded again")
    with any_app.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(plan_records.loads)).scalar() == 1
        )
