"""The planflow application: commands on tasks and plans, each saved with its read-model rows.

Methods follow get → command → save and return plain data. Every command runs at an injected time
(``at``) and names its actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import IntegrityError as SQLAlchemyIntegrityError
from sqlalchemy.orm import Session

from planflow.application.errors import (
    ConcurrencyConflict,
    PlanRevisionRefused,
    TaskNotFound,
)
from planflow.application.planrules import rules_from_plan
from planflow.application.readmodels import Projector, RulesFor, board, metadata, plans
from planflow.application.sync import Recorded, Revision, revise
from planflow.domain import clock
from planflow.domain.chase import Recipient
from planflow.domain.chasing import ASSIGNEE_HEAD, DueItem, PlanRules, due_now, record_step
from planflow.domain.errors import InvalidArgument
from planflow.domain.plan import Plan, plan_id
from planflow.domain.task import Task
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan

T = TypeVar("T")

PLAN_REVISED_VI = "Kế hoạch được điều chỉnh"
PLAN_REVISED = f"{PLAN_REVISED_VI} / plan revised"
SUCCESSOR = (
    "Kế hoạch điều chỉnh: cơ quan kế thừa tiếp nhận nhiệm vụ / "
    "plan revised: the successor agency takes the duty over"
)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class LoadResult:
    plan: str
    tasks_in_file: int
    assigned: int
    cancelled: int
    reassigned: int
    extended: int
    unchanged: int
    plan_recorded: bool

    @property
    def changed(self) -> bool:
        return bool(
            self.assigned
            or self.cancelled
            or self.reassigned
            or self.extended
            or self.plan_recorded
        )


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs: the driver installed is psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class PlanflowApp(Application[UUID]):
    name = "planflow"

    def __init__(self, database_url: str) -> None:
        super().__init__(
            env={
                "PERSISTENCE_MODULE": "planflow.adapters.chained_store",
                "SQLALCHEMY_URL": normalize_url(database_url),
            }
        )
        metadata.create_all(self.engine)
        self._rules_cache: dict[str, tuple[int, PlanRules]] = {}

    def close(self) -> None:
        """Release the database connections."""
        super().close()
        self.engine.dispose()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @property
    def engine(self) -> Engine:
        return cast(Engine, self.recorder.datastore.engine)  # type: ignore[attr-defined]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One database transaction for events and read-model rows alike."""
        with self.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
            yield cast(Session, session)

    # --- saving -----------------------------------------------------------------------------

    def _save(self, session: Session, *aggregates: Aggregate) -> None:
        saved_plans = {a.code: a for a in aggregates if isinstance(a, Plan) and a.pending_events}
        rules_for = self._rules_for(session, saved_plans)
        projector = Projector(rules_for)
        revised = [
            p.code for p in saved_plans.values() if p.pending_events[0].originator_version > 1
        ]
        for aggregate in aggregates:
            pending = list(aggregate.pending_events)
            if not pending:
                continue
            if isinstance(aggregate, Task):
                state: Task | None = None
                if not isinstance(pending[0], Task.Assigned):
                    state = self.repository.get(
                        aggregate.id, version=pending[0].originator_version - 1
                    )
                for event in pending:
                    state = event.mutate(state)
                    assert state is not None
                    projector.task_event(cast(Task.Event, event), state)
            elif isinstance(aggregate, Plan):
                projector.plan_event(aggregate)
        try:
            self.save(*aggregates)
        except (IntegrityError, SQLAlchemyIntegrityError):
            # Inside our open transaction the driver's error is not yet wrapped by eventsourcing.
            first = aggregates[0]
            current = self._current_version(first.id)
            raise ConcurrencyConflict(str(first.id), current) from None
        if revised:
            saved = {a.id for a in aggregates}
            for code in revised:
                self._reindex_plan(session, projector, code, skip=saved)
        projector.flush(session)

    def _rules_for(self, session: Session, saved: dict[str, Plan]) -> RulesFor:
        """Plan code → its chasing rules: from a plan being saved, else the store (cached by version)."""
        fresh = {code: rules_from_plan(plan) for code, plan in saved.items()}

        def rules_for(code: str) -> PlanRules | None:
            if code in fresh:
                return fresh[code]
            version = session.execute(select(plans.c.version).where(plans.c.code == code)).scalar()
            if version is None:
                return None
            cached = self._rules_cache.get(code)
            if cached is None or cached[0] != version:
                plan = self.get_plan(code)
                if plan is None:
                    return None
                cached = (int(plan.version), rules_from_plan(plan))
                self._rules_cache[code] = cached
            fresh[code] = cached[1]
            return cached[1]

        return rules_for

    def _reindex_plan(
        self, session: Session, projector: Projector, code: str, skip: set[UUID]
    ) -> None:
        """A revised plan may change reminder days or the calendar: recompute its open tasks."""
        rows = session.execute(
            select(board.c.id).where(
                and_(
                    board.c.plan == code,
                    board.c.cancelled.is_(False),
                    board.c.completed_at.is_(None),
                )
            )
        )
        for row in rows.all():
            ref = UUID(row.id)
            if ref not in skip:
                projector.reindex(self.get_task(ref))

    def _current_version(self, aggregate_id: UUID) -> int:
        """The stored version, read on a fresh connection: the failed transaction cannot be read."""
        record = self.recorder.events_record_cls  # type: ignore[attr-defined]
        query = select(func.max(record.originator_version)).where(
            record.originator_id == aggregate_id
        )
        with self.engine.connect() as connection:
            value = connection.execute(query).scalar()
        return int(value or 0)

    def _task_command(self, ref: UUID, at: datetime, action: Callable[[Task], T]) -> T:
        with clock.at(at), self.transaction() as session:
            task = self.get_task(ref)
            result = action(task)
            self._save(session, task)
            return result

    # --- reading ----------------------------------------------------------------------------

    def get_task(self, ref: UUID, version: int | None = None) -> Task:
        try:
            return cast(Task, self.repository.get(ref, version=version))
        except AggregateNotFoundError:
            raise TaskNotFound(str(ref)) from None

    def get_plan(self, code: str) -> Plan | None:
        try:
            return cast(Plan, self.repository.get(plan_id(code)))
        except AggregateNotFoundError:
            return None

    def task_events(self, ref: UUID) -> list[Any]:
        events = list(self.events.get(ref))
        if not events:
            raise TaskNotFound(str(ref))
        return events

    # --- loading a plan ---------------------------------------------------------------------

    def load_plan(
        self,
        loaded: LoadedPlan,
        *,
        actor: str,
        at: datetime,
        progress: Callable[[int, int], None] | None = None,
    ) -> LoadResult:
        """Apply the workflow file as events: idempotent, and revisions become events."""
        workflow = loaded.workflow
        code = workflow.plan.id
        specs = expand(workflow, loaded.calendar)
        with clock.at(at), self.transaction() as session:
            successors = {a.code: a.successor for a in workflow.agencies if a.successor}
            revision = revise(specs, self._recorded(session, code), successors)
            if revision.moved_earlier:
                raise _moved_earlier(revision)
            plan = self.get_plan(code)
            document = workflow.model_dump(mode="json")
            source = str(loaded.path)
            calendar = loaded.calendar.to_data()
            if plan is None:
                plan = Plan.load(
                    code=code,
                    sha256=loaded.sha256,
                    source=source,
                    document=document,
                    calendar=calendar,
                    actor=actor,
                )
                plan_recorded = True
            else:
                plan_recorded = plan.revise(
                    sha256=loaded.sha256,
                    source=source,
                    document=document,
                    calendar=calendar,
                    actor=actor,
                )
            changed: list[Aggregate] = [plan]
            total = (
                len(revision.assign)
                + len(revision.cancel)
                + len(revision.reassign)
                + len(revision.extend)
            )
            for done, spec in enumerate(revision.assign, start=1):
                changed.append(
                    Task.assign(
                        plan=spec.plan,
                        duty=spec.duty,
                        agency=spec.agency,
                        period=spec.period,
                        due=spec.due,
                        completion=spec.completion,
                        title=spec.title,
                        actor=actor,
                    )
                )
                if progress and done % 100 == 0:
                    progress(done, total)
            touched: dict[UUID, Task] = {}

            def task_of(recorded: Recorded) -> Task:
                if recorded.id not in touched:
                    touched[recorded.id] = self.get_task(recorded.id)
                return touched[recorded.id]

            for recorded in revision.cancel:
                task_of(recorded).cancel(actor=actor, reason=PLAN_REVISED)
            for recorded, heir in revision.reassign:
                task_of(recorded).reassign(actor=actor, new_agency=heir, reason=SUCCESSOR)
            for recorded, new_due in revision.extend:
                task_of(recorded).extend_deadline(
                    actor=actor, new_due=new_due, reason=PLAN_REVISED, by_plan_revision=True
                )
            self._save(session, *changed, *touched.values())
            if progress:
                progress(total, total)
        return LoadResult(
            plan=code,
            tasks_in_file=len(specs),
            assigned=len(revision.assign),
            cancelled=len(revision.cancel),
            reassigned=len(revision.reassign),
            extended=len(revision.extend),
            unchanged=revision.unchanged,
            plan_recorded=plan_recorded,
        )

    def _recorded(self, session: Session, plan_code: str) -> list[Recorded]:
        rows = session.execute(
            select(
                board.c.id,
                board.c.duty,
                board.c.original_agency,
                board.c.agency,
                board.c.period,
                board.c.due,
                board.c.planned_due,
                board.c.cancelled,
                board.c.completed_at,
            ).where(board.c.plan == plan_code)
        )
        return [
            Recorded(
                id=UUID(row.id),
                duty=row.duty,
                agency=row.original_agency,
                period=row.period,
                due=row.due,
                planned_due=row.planned_due,
                cancelled=row.cancelled,
                done=row.completed_at is not None,
                current_agency=row.agency,
            )
            for row in rows
        ]

    # --- the agencies' and the Office's commands -------------------------------------------

    def execute_activity(
        self, ref: UUID, *, actor: str, at: datetime, note: str = "", evidence: str = ""
    ) -> None:
        self._task_command(
            ref, at, lambda t: t.execute_activity(actor=actor, note=note, evidence=evidence)
        )

    def submit_report(
        self,
        ref: UUID,
        *,
        actor: str,
        at: datetime,
        document: str,
        sha256: str = "",
        note: str = "",
    ) -> None:
        self._task_command(
            ref,
            at,
            lambda t: t.submit_report(actor=actor, document=document, sha256=sha256, note=note),
        )

    def accept_report(self, ref: UUID, *, actor: str, at: datetime, note: str = "") -> None:
        self._task_command(ref, at, lambda t: t.accept_report(actor=actor, note=note))

    def return_report(self, ref: UUID, *, actor: str, at: datetime, reason: str) -> None:
        self._task_command(ref, at, lambda t: t.return_report(actor=actor, reason=reason))

    def raise_difficulty(self, ref: UUID, *, actor: str, at: datetime, text: str) -> int:
        return self._task_command(ref, at, lambda t: t.raise_difficulty(actor=actor, text=text))

    def answer_difficulty(
        self, ref: UUID, *, actor: str, at: datetime, number: int, answer: str
    ) -> None:
        self._task_command(
            ref, at, lambda t: t.answer_difficulty(actor=actor, number=number, answer=answer)
        )

    def extend_deadline(
        self, ref: UUID, *, actor: str, at: datetime, new_due: date, reason: str
    ) -> None:
        self._task_command(
            ref, at, lambda t: t.extend_deadline(actor=actor, new_due=new_due, reason=reason)
        )

    def reassign(
        self, ref: UUID, *, actor: str, at: datetime, new_agency: str, reason: str
    ) -> None:
        def act(task: Task) -> None:
            self._check_agency_known(task.plan, new_agency)
            task.reassign(actor=actor, new_agency=new_agency, reason=reason)

        self._task_command(ref, at, act)

    def _check_agency_known(self, plan_code: str, agency: str) -> None:
        plan = self.get_plan(plan_code)
        codes = {a["code"] for a in plan.document.get("agencies", [])} if plan else set()
        if agency not in codes:
            raise InvalidArgument(
                f"Kế hoạch {plan_code} không có cơ quan {agency!r}",
                f"plan {plan_code} has no agency {agency!r}",
            )

    def cancel(self, ref: UUID, *, actor: str, at: datetime, reason: str) -> None:
        self._task_command(ref, at, lambda t: t.cancel(actor=actor, reason=reason))

    def mark_overdue(self, ref: UUID, *, actor: str, at: datetime) -> bool:
        return self._task_command(ref, at, lambda t: t.mark_overdue(actor=actor))

    # --- chasing (the scheduler's command) --------------------------------------------------

    def record_due(
        self,
        ref: UUID,
        *,
        actor: str,
        at: datetime,
        before_commit: Callable[[], None] | None = None,
    ) -> list[DueItem]:
        """Record every reminder, overdue mark and escalation of the task that is due at ``at``.

        One transaction: the events, the due index and the ledger commit together or not at all.
        A concurrent scheduler that recorded the same step first makes this raise
        ConcurrencyConflict, and nothing is recorded twice.
        """
        with clock.at(at), self.transaction() as session:
            task = self.get_task(ref)
            rules = self._rules_for(session, {})(task.plan)
            items = due_now(task, rules, at) if rules else []
            recorded = [i for i in items if rules and record_step(task, i, rules, actor)]
            if task.pending_events:
                self._save(session, task)
            else:
                # Nothing due after all (the rules changed since the row was written): heal the
                # index so the next tick does not look at this task again.
                projector = Projector(self._rules_for(session, {}))
                projector.reindex(task)
                projector.flush(session)
            if before_commit is not None:
                before_commit()
            return recorded

    def chase_up(self, ref: UUID, *, actor: str, at: datetime, note: str = "") -> Recipient:
        """Đôn đốc ngay: chase the head of the task's agency now, by hand. Returns who was named.

        The recipient is resolved from the plan in force, as the scheduler does for a reminder;
        the ledger row is written in the same transaction, and the outbox delivers the event.
        """
        with clock.at(at), self.transaction() as session:
            task = self.get_task(ref)
            rules = self._rules_for(session, {})(task.plan)
            recipient = (
                rules.recipient(ASSIGNEE_HEAD, task.agency)
                if rules
                else Recipient(ASSIGNEE_HEAD, task.agency, f"Thủ trưởng {task.agency}")
            )
            task.chase_up(actor=actor, recipient=recipient, note=note)
            self._save(session, task)
            return recipient

    # --- read models ------------------------------------------------------------------------

    def rebuild_read_models(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop every read model and replay all events into it. Returns the events replayed."""
        with self.transaction() as session:
            connection = session.connection()
            # Delete first: it opens the transaction, so that on SQLite the DDL below is part of
            # it too (pysqlite would otherwise run it in autocommit) and a failed rebuild leaves
            # the read models as they were.
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
            metadata.drop_all(connection)
            metadata.create_all(connection)
            self._rules_cache.clear()
            states: dict[UUID, Any] = {}
            count = 0
            start = 1
            while True:
                notifications = self.recorder.select_notifications(start=start, limit=1000)
                if not notifications:
                    break
                projector = Projector()
                for notification in notifications:
                    event: Any = self.mapper.to_domain_event(notification)
                    state = event.mutate(states.get(event.originator_id))
                    states[event.originator_id] = state
                    if isinstance(state, Task):
                        projector.task_event(cast(Task.Event, event), state)
                    elif isinstance(state, Plan):
                        projector.plan_event(state)
                projector.flush(session)
                count += len(notifications)
                start = notifications[-1].id + 1
                if progress:
                    progress(count)
            # The due index depends on each plan's final rules: compute it once, at the end.
            rules = {s.code: rules_from_plan(s) for s in states.values() if isinstance(s, Plan)}
            projector = Projector(rules.get)
            for done, state in enumerate(states.values(), start=1):
                if isinstance(state, Task):
                    projector.reindex(state)
                if done % 1000 == 0:
                    projector.flush(session)
            projector.flush(session)
            return count


def _moved_earlier(revision: Revision) -> PlanRevisionRefused:
    lines = [
        f"{r.duty} / {r.agency} / {r.period}: {r.planned_due.isoformat()} → {new.isoformat()}"
        for r, new in revision.moved_earlier[:10]
    ]
    more = len(revision.moved_earlier) - len(lines)
    suffix = f" (+{more})" if more > 0 else ""
    detail = "; ".join(lines) + suffix
    return PlanRevisionRefused(
        f"Tệp điều chỉnh đưa hạn sớm hơn; hạn chỉ được lùi về sau: {detail}",
        f"the revised file moves deadlines earlier; deadlines only move later: {detail}",
    )
