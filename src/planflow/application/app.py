"""The planflow application: commands on tasks and plans, each saved with its read-model rows.

Methods follow get → command → save and return plain data. Every command runs at an injected time
(``at``) and names its actor.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording, Transcoding
from sqlalchemy import Connection, Engine, and_, func, select
from sqlalchemy.exc import IntegrityError as SQLAlchemyIntegrityError
from sqlalchemy.orm import Session

from planflow.adapters.connections import connection_of
from planflow.application import schema
from planflow.application.bulk import paused_gc, roomy_cache
from planflow.application.commands import CommandInput, TaskCommand
from planflow.application.errors import (
    ConcurrencyConflict,
    PlanNotFound,
    PlanRevisionRefused,
    TaskNotFound,
)
from planflow.application.facts import FactResult, assign_spec, calendar_of, check_fact
from planflow.application.inputs import command_named, parse_input
from planflow.application.loading import TaskLoader
from planflow.application.plan_changes import TaskChange, describe
from planflow.application.planrules import rules_from_plan, rules_from_workflow
from planflow.application.readmodels import Projector, RulesFor
from planflow.application.rebuild import interrupted_at, rebuild
from planflow.application.revision_index import only_reminders_changed, reindex_reminders
from planflow.application.storage import lock_tasks, store_errors, tune_engine, writing
from planflow.application.sync import Recorded, Revision, handovers_due, revise
from planflow.application.tables import board, plans
from planflow.domain import clock
from planflow.domain.chase import Recipient
from planflow.domain.chasing import (
    ASSIGNEE_HEAD,
    DueItem,
    PlanRules,
    due_now,
    handover_due,
    record_step,
)
from planflow.domain.errors import InvalidArgument
from planflow.domain.plan import Plan, plan_id
from planflow.domain.task import Difficulties, Task
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan
from planflow.workflow.model import Workflow

COMMAND_RETRIES = 5  # a command without an expected version, retried on a concurrent write

PLAN_REVISED_VI = "Kế hoạch được điều chỉnh"
PLAN_REVISED = f"{PLAN_REVISED_VI} / plan revised"
SUCCESSOR = (
    "Kế hoạch điều chỉnh: cơ quan kế thừa tiếp nhận nhiệm vụ / "
    "plan revised: the successor agency takes the duty over"
)
MERGED = (
    "Cơ quan đã kết thúc hoạt động: cơ quan kế thừa tiếp nhận nhiệm vụ / "
    "the agency has ended: its successor takes the task over"
)
DISSOLVED = (
    "Cơ quan đã kết thúc hoạt động, không có cơ quan kế thừa / "
    "the agency has ended without a successor"
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
    changes: tuple[TaskChange, ...] = ()  # task by task (plan_changes.py)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.assigned
            or self.cancelled
            or self.reassigned
            or self.extended
            or self.plan_recorded
        )


@dataclass(frozen=True)
class CommandOutcome:
    """What a task command did: the task's new version, the number it gave (a difficulty's),
    and the task's state after it."""

    task: str
    command: str
    version: int
    number: int | None
    state: Task
    named: str | None = None  # the official a chase-up named


class _Services:
    """What a command may consult besides its task (commands.CommandServices)."""

    def __init__(self, app: PlanflowApp, session: Session) -> None:
        self._app = app
        self._session = session

    def recipient(self, task: Task) -> Recipient:
        today = clock.local_date(clock.now())
        return _recipient(self._app._rules_for(self._session, {})(task.plan), task, today)

    def check_agency_known(self, plan: str, agency: str) -> None:
        self._app._check_agency_known(self._session, plan, agency)


def _named(event: Task.NamesHead) -> str:
    return Recipient(
        event.recipient_role,
        event.recipient_agency,
        event.recipient_title,
        event.recipient_name,
        event.recipient_contact,
    ).label


def _recipient(rules: PlanRules | None, task: Task, on: date | None = None) -> Recipient:
    if rules is None:
        return Recipient(ASSIGNEE_HEAD, task.agency, f"Thủ trưởng {task.agency}")
    return rules.recipient(ASSIGNEE_HEAD, task.agency, on)


def hand_over(task: Task, rules: PlanRules, today: date, actor: str) -> bool:
    """Pass an open task whose agency has ended to its successor, or cancel it (the clock is
    set). True if an event was recorded."""
    handover = handover_due(task, rules, today)
    if handover is None:
        return False
    if handover.to is None:
        task.cancel(actor=actor, reason=DISSOLVED)
    else:
        task.reassign(actor=actor, new_agency=handover.to, reason=MERGED)
    return True


def _state_copy(task: Task) -> Task:
    """The task as it is, kept apart from the command about to change it: its attributes copied
    one level down (lists of records, sets, dicts), which is what an event's ``apply`` mutates.
    The difficulties' records are immutable: their collection copies one list of references.
    Several times cheaper than ``copy.deepcopy`` on a long history."""
    kept = copy.copy(task)
    state = dict(vars(task))
    for name, value in state.items():
        if isinstance(value, list):
            state[name] = [_record_copy(item) for item in value]
        elif isinstance(value, set | dict | Difficulties):
            state[name] = value.copy()
    object.__setattr__(kept, "__dict__", state)
    return kept


def _record_copy(item: Any) -> Any:
    """A copy of one record of a task's list (a difficulty): its attributes, one level."""
    if not hasattr(item, "__dict__"):
        return copy.copy(item)
    kept = object.__new__(type(item))
    kept.__dict__.update(item.__dict__)
    return kept


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs: the driver installed is psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


SNAPSHOT_INTERVAL = 50  # a task is snapshotted every 50 events: a load replays at most 49


class PlanflowApp(Application[UUID]):
    name = "planflow"
    # A task with a long history loads from its latest snapshot plus the events after it
    # (domain/snapshot.py); a store from before snapshots simply has none and replays.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Task: SNAPSHOT_INTERVAL}

    def __init__(self, database_url: str) -> None:
        super().__init__(
            env={
                "PERSISTENCE_MODULE": "planflow.application.persistence:Factory",  # pool_pre_ping
                "SQLALCHEMY_URL": normalize_url(database_url),
            }
        )
        # WAL is set per connection by tune_engine, outside any transaction.
        self.recorder.datastore._tried_init_sqlite_wal_mode = True  # type: ignore[attr-defined]
        tune_engine(self.engine)
        schema.prepare(self.engine)  # a fresh store is created at the migrations' head
        self._rules_cache: dict[str, tuple[int, PlanRules]] = {}
        self._task_loader: TaskLoader | None = None

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot a task from the aggregate in hand when its new version is a multiple of the
        interval (the library would load it again for that); a multiple crossed in the middle of
        several new events is snapshotted the library's way."""
        if self.snapshots is None:
            return
        # One pass over the events (a plan load saves tens of thousands of aggregates at once).
        intervals: dict[UUID, int] = {}
        for aggregate in processing_event.aggregates.values():
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is not None:
                intervals[aggregate.id] = interval
        crossing: dict[UUID, list[int]] = {}
        for e in processing_event.events:
            interval = intervals.get(e.originator_id, 0)
            if interval and e.originator_version % interval == 0:
                crossing.setdefault(e.originator_id, []).append(e.originator_version)
        for originator_id, crossed in crossing.items():
            aggregate = processing_event.aggregates[originator_id]
            for version in crossed:
                if version == aggregate.version:
                    self.snapshots.put([Task.Snapshot.take(aggregate)])
                else:
                    self.take_snapshot(aggregate.id, version=version)

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
        with store_errors(), self.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
            yield cast(Session, session)

    @contextmanager
    def write_transaction(self) -> Iterator[Session]:
        """A transaction that writes: on SQLite it begins IMMEDIATE, so the write lock is held
        before anything is read and concurrent processes wait (busy timeout) instead of failing
        or reading a state that is stale by the time they write."""
        with writing(), self.transaction() as session:
            yield session

    # --- saving -----------------------------------------------------------------------------

    def _save(
        self, session: Session, *aggregates: Aggregate, before: Mapping[UUID, Task] | None = None
    ) -> list[Recording[UUID]]:
        """Write the aggregates' pending events and their read-model rows in ``session``; the
        recordings of the events (their notification ids), in order.

        A task's rows are computed from its state after each pending event: the aggregate itself
        after the last, and ``before`` (the task as loaded, a copy) replayed for earlier ones, so
        nothing is loaded a second time."""
        saved_plans = {a.code: a for a in aggregates if isinstance(a, Plan) and a.pending_events}
        rules_for = self._rules_for(session, saved_plans)
        projector = Projector(rules_for)
        revised = [
            p.code for p in saved_plans.values() if p.pending_events[0].originator_version > 1
        ]
        # The rules in force before the revision, read before its events are saved.
        in_force = self._rules_for(session, {})
        earlier_rules = {code: in_force(code) for code in revised}
        known_before: Mapping[UUID, Task] = before or {}
        for aggregate in aggregates:
            pending = aggregate.pending_events
            if not pending:
                continue
            if isinstance(aggregate, Task):
                if len(pending) == 1:
                    earlier = known_before.get(aggregate.id) if known_before else None
                    projector.task_event(cast(Task.Event, pending[0]), aggregate, earlier)
                    continue
                state: Task | None = None
                if not isinstance(pending[0], Task.Assigned):
                    known = known_before.get(aggregate.id)
                    state = (
                        _state_copy(known)
                        if known is not None
                        else self.repository.get(
                            aggregate.id, version=pending[0].originator_version - 1
                        )
                    )
                for event in pending:
                    state = event.mutate(state)
                    assert state is not None
                    projector.task_event(cast(Task.Event, event), state)
            elif isinstance(aggregate, Plan):
                projector.plan_event(aggregate)
        try:
            recordings = self._store(aggregates)
        except (IntegrityError, SQLAlchemyIntegrityError):
            # Inside our open transaction the driver's error is not yet wrapped by eventsourcing.
            first = aggregates[0]
            current = self._current_version(first.id)
            raise ConcurrencyConflict(str(first.id), current) from None
        if revised:
            saved = {a.id for a in aggregates}
            for code in revised:
                old, new = earlier_rules[code], rules_for(code)
                if new is not None and old is not None and only_reminders_changed(old, new):
                    for ref in map(UUID, reindex_reminders(session, code, old, new)):
                        if ref not in saved:
                            projector.reindex(self.get_task(ref))
                else:
                    self._reindex_plan(session, projector, code, skip=saved)
        projector.flush(session)
        return recordings

    def _store(self, aggregates: Sequence[Aggregate]) -> list[Recording[UUID]]:
        """``Application.save`` for our aggregates: their pending events collected directly.
        The library's ``ProcessingEvent.collect_events`` asks two ``runtime_checkable``
        protocols about every object (``isinstance`` on a protocol walks its members each time:
        a fifth of a large plan load's Python time); ours are all ``Aggregate``s. Then the same
        steps as ``save``: record, snapshot, notify."""
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        events = processing.events
        for aggregate in aggregates:
            events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        self.notify(events)  # the library's deprecated hook, as ``save`` calls it
        return recordings

    def _rules_for(self, session: Session | Connection, saved: dict[str, Plan]) -> RulesFor:
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

    def plan_codes(self) -> list[str]:
        """The codes of the plans loaded, in order."""
        with self.engine.connect() as connection:
            return sorted(str(c) for c in connection.execute(select(plans.c.code)).scalars())

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
        dry_run: bool = False,
        on_commit: Callable[[Session, LoadResult], None] | None = None,
    ) -> LoadResult:
        """Apply the workflow file as events: idempotent, and revisions become events.

        ``dry_run`` computes the same result, task by task, and writes nothing. ``on_commit``
        writes its own rows (who loaded what) in the load's transaction, when something changed."""
        workflow = loaded.workflow
        code = workflow.plan.id
        opened = self.transaction() if dry_run else self.write_transaction()
        with paused_gc(), clock.at(at), opened as session:
            known = self.get_plan(code)
            specs = expand(
                workflow,
                loaded.calendar,
                known.occurred if known else None,
                known.resolved if known else None,
            )
            successors = {a.code: a.successor for a in workflow.agencies if a.successor}
            recorded_tasks = self._recorded(session, code)
            revision = revise(specs, recorded_tasks, successors)
            if revision.moved_earlier:
                raise _moved_earlier(revision)
            plan = known  # read once: a revision replays the plan's events (its documents)
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
                changed.append(assign_spec(spec, actor))
                if progress and done % 100 == 0:
                    progress(done, total)
            touched: dict[UUID, Task] = {}

            def task_of(recorded: Recorded) -> Task:
                if recorded.id not in touched:
                    touched[recorded.id] = self.get_task(recorded.id)
                return touched[recorded.id]

            if not dry_run:
                lock_tasks(
                    session,
                    [r.id for r in revision.cancel]
                    + [r.id for r, _ in revision.reassign]
                    + [r.id for r, _ in revision.extend],
                )
            for recorded in revision.cancel:
                task_of(recorded).cancel(actor=actor, reason=PLAN_REVISED)
            for recorded, heir in revision.reassign:
                task_of(recorded).reassign(actor=actor, new_agency=heir, reason=SUCCESSOR)
            for recorded, new_due in revision.extend:
                task_of(recorded).extend_deadline(
                    actor=actor, new_due=new_due, reason=PLAN_REVISED, by_plan_revision=True
                )
            # Agencies that have ended by the load day hand their open tasks over now.
            rules = rules_from_workflow(workflow, loaded.calendar)
            today = clock.local_date(at)
            new_tasks = [a for a in changed if isinstance(a, Task)]
            ending = handovers_due(revision, recorded_tasks, rules, today)
            if not dry_run:
                lock_tasks(session, [r.id for r in ending if r.id not in touched])
            candidates = [(t, t.agency) for t in [*map(task_of, ending), *new_tasks]]
            handed = [(t, was) for t, was in candidates if hand_over(t, rules, today, actor)]
            reassigned_later = sum(1 for t, _ in handed if not t.cancelled)
            result = LoadResult(
                plan=code,
                tasks_in_file=len(specs),
                assigned=len(revision.assign),
                cancelled=len(revision.cancel) + len(handed) - reassigned_later,
                reassigned=len(revision.reassign) + reassigned_later,
                extended=len(revision.extend),
                unchanged=revision.unchanged,
                plan_recorded=plan_recorded,
                changes=describe(revision, handed),
                dry_run=dry_run,
            )
            if not dry_run:
                with roomy_cache(session):
                    self._save(session, *changed, *touched.values())
                if on_commit is not None and result.changed:
                    on_commit(session, result)
            if progress:
                progress(total, total)
        return result

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
                board.c.role,
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
                role=row.role,
            )
            for row in rows
        ]

    # --- facts the file cannot know: events that happened, groups a person resolved --------

    def record_event(
        self, code: str, event: str, day: date, *, actor: str, at: datetime
    ) -> FactResult:
        """The Office records the date of ``event``: the duties counted from it get their tasks.
        Idempotent; an unknown event is refused naming the valid ones; another date for a
        recorded event is a conflict."""

        def change(plan: Plan, workflow: Workflow) -> bool:
            check_fact(workflow, event=event, day=day)
            return plan.record_event(event=event, day=day, actor=actor)

        return self._plan_fact(code, change, actor=actor, at=at)

    def resolve_group(
        self, code: str, group: str, members: list[str], *, actor: str, at: datetime
    ) -> FactResult:
        """A person names the members of a group the plan defines by a condition: its duties get
        their tasks. Idempotent; other members for a resolved group are a conflict."""

        def change(plan: Plan, workflow: Workflow) -> bool:
            check_fact(workflow, group=group, members=members)
            return plan.resolve_group(group=group, members=members, actor=actor)

        return self._plan_fact(code, change, actor=actor, at=at)

    def _plan_fact(
        self,
        code: str,
        change: Callable[[Plan, Workflow], bool],
        *,
        actor: str,
        at: datetime,
    ) -> FactResult:
        try:
            return self._plan_fact_once(code, change, actor=actor, at=at)
        except _NoSuchPlan:
            pass
        # Named outside the write transaction, which a second connection would wait on.
        raise PlanNotFound(code, self.plan_codes())

    def _plan_fact_once(
        self,
        code: str,
        change: Callable[[Plan, Workflow], bool],
        *,
        actor: str,
        at: datetime,
    ) -> FactResult:
        with clock.at(at), self.write_transaction() as session:
            plan = self.get_plan(code)
            if plan is None:
                raise _NoSuchPlan
            workflow = Workflow.model_validate(plan.document)
            if not change(plan, workflow):
                return FactResult(code, recorded=False, assigned=0)
            calendar = calendar_of(plan, workflow)
            specs = expand(workflow, calendar, plan.occurred, plan.resolved)
            successors = {a.code: a.successor for a in workflow.agencies if a.successor}
            revision = revise(specs, self._recorded(session, code), successors)
            new_tasks = [assign_spec(spec, actor) for spec in revision.assign]
            rules = rules_from_workflow(workflow, calendar)
            for task in new_tasks:
                hand_over(task, rules, clock.local_date(at), actor)
            self._save(session, plan, *new_tasks)
        return FactResult(code, recorded=True, assigned=len(new_tasks))

    # --- the one door for task commands ------------------------------------------------------

    def run_command(
        self,
        name: str,
        ref: UUID,
        data: CommandInput | Mapping[str, Any],
        *,
        actor: str,
        at: datetime | Callable[[], datetime],
        expected_version: int | None = None,
        authorize: Callable[[Task], None] | None = None,
        retries: int = COMMAND_RETRIES,
    ) -> CommandOutcome:
        """Run one declared task command (application/commands.py): validate the input, take the
        task's write lock, load the task once, check access and the expected version, take the
        time, call the domain method and save once, all in one transaction.

        ``at`` is a moment, or a clock read after the lock is held (so a command never carries a
        time earlier than the event it waited for). Without ``expected_version``, a concurrent
        write is retried up to ``retries`` times before ConcurrencyConflict reaches the caller.
        """
        spec = command_named(name)
        inputs = data if isinstance(data, CommandInput) else parse_input(spec, data)
        attempt = 0
        while True:
            try:
                return self._run_once(spec, ref, inputs, actor, at, expected_version, authorize)
            except ConcurrencyConflict:
                if expected_version is not None or attempt >= retries:
                    raise
                attempt += 1

    def _run_once(
        self,
        spec: TaskCommand,
        ref: UUID,
        inputs: CommandInput,
        actor: str,
        at: datetime | Callable[[], datetime],
        expected_version: int | None,
        authorize: Callable[[Task], None] | None,
    ) -> CommandOutcome:
        with self.write_transaction() as session:
            task = self._load_for_write(session, ref)
            if authorize is not None:
                authorize(task)
            if expected_version is not None and expected_version != task.version:
                raise ConcurrencyConflict(str(ref), task.version)
            moment = at() if callable(at) else at
            services = _Services(self, session)
            before = _state_copy(task)
            with clock.at(moment):
                number = spec.run(task, inputs, actor, services)
                events = list(task.pending_events)
                recordings = self._save(session, task, before={task.id: before})
        # Committed: the loader keeps a copy of the task for this process's next command on it.
        if recordings and self._task_loader is not None:
            self._task_loader.keep(_state_copy(task), recordings[-1].notification.id)
        last = events[-1] if events else None
        named = _named(last) if isinstance(last, Task.NamesHead) else None
        return CommandOutcome(str(ref), spec.name.value, task.version, number, task, named)

    def preview_command(
        self,
        name: str,
        ref: UUID,
        data: CommandInput | Mapping[str, Any],
        *,
        actor: str,
        at: datetime,
        expected_version: int | None = None,
        authorize: Callable[[Task], None] | None = None,
    ) -> list[Any]:
        """The events ``run_command`` would record now, with the same checks (input, access,
        expected version, the domain's rules), recording nothing: what a confirmation shows."""
        spec = command_named(name)
        inputs = data if isinstance(data, CommandInput) else parse_input(spec, data)
        with self.transaction() as session:
            task = self.get_task(ref)
            if authorize is not None:
                authorize(task)
            if expected_version is not None and expected_version != task.version:
                raise ConcurrencyConflict(str(ref), task.version)
            with clock.at(at):
                spec.run(task, inputs, actor, _Services(self, session))
            return list(task.pending_events)

    def _load_for_write(self, session: Session, ref: UUID) -> Task:
        """The task, loaded once, with its write lock held for this transaction: its latest
        snapshot and the events after it read with one statement on the transaction's
        connection (application/loading.py), replayed without the repository's layers."""
        if self._task_loader is None:
            self._task_loader = TaskLoader(self)
        task = self._task_loader.load(connection_of(session), ref, lock=True)
        if task is None:
            raise TaskNotFound(str(ref))
        return task

    def task_agency(self, ref: UUID) -> str:
        """The task's current agency from the board (no aggregate load): for early checks."""
        with self.engine.connect() as connection:
            value = connection.execute(
                select(board.c.agency).where(board.c.id == str(ref))
            ).scalar()
        if value is None:
            raise TaskNotFound(str(ref))
        return str(value)

    def recipient_for(self, task: Task, on: date | None = None) -> Recipient:
        """The head a chase-up of ``task`` on ``on`` names, from the plan in force."""
        with self.engine.connect() as connection:
            rules = self._rules_for(connection, {})(task.plan)
        return _recipient(rules, task, on)

    # Typed shorthands for the declared commands (tests, scripts and the loader use them).

    def execute_activity(
        self, ref: UUID, *, actor: str, at: datetime, note: str = "", evidence: str = ""
    ) -> None:
        self.run_command("execute", ref, {"note": note, "evidence": evidence}, actor=actor, at=at)

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
        data = {"document": document, "sha256": sha256, "note": note}
        self.run_command("report", ref, data, actor=actor, at=at)

    def accept_report(self, ref: UUID, *, actor: str, at: datetime, note: str = "") -> None:
        self.run_command("accept", ref, {"note": note}, actor=actor, at=at)

    def return_report(self, ref: UUID, *, actor: str, at: datetime, reason: str) -> None:
        self.run_command("return", ref, {"reason": reason}, actor=actor, at=at)

    def raise_difficulty(self, ref: UUID, *, actor: str, at: datetime, text: str) -> int:
        outcome = self.run_command("raise", ref, {"text": text}, actor=actor, at=at)
        assert outcome.number is not None
        return outcome.number

    def answer_difficulty(
        self, ref: UUID, *, actor: str, at: datetime, number: int, answer: str
    ) -> None:
        data = {"number": number, "answer": answer}
        self.run_command("answer", ref, data, actor=actor, at=at)

    def extend_deadline(
        self, ref: UUID, *, actor: str, at: datetime, new_due: date, reason: str
    ) -> None:
        data = {"new_due": new_due, "reason": reason}
        self.run_command("extend", ref, data, actor=actor, at=at)

    def reassign(
        self, ref: UUID, *, actor: str, at: datetime, new_agency: str, reason: str
    ) -> None:
        data = {"new_agency": new_agency, "reason": reason}
        self.run_command("reassign", ref, data, actor=actor, at=at)

    def cancel(self, ref: UUID, *, actor: str, at: datetime, reason: str) -> None:
        self.run_command("cancel", ref, {"reason": reason}, actor=actor, at=at)

    def chase_up(self, ref: UUID, *, actor: str, at: datetime, note: str = "") -> Recipient:
        """Đôn đốc ngay: chase the head of the task's agency now, by hand. Returns who was named
        (resolved from the plan in force, as the scheduler does for a reminder)."""
        outcome = self.run_command("chase", ref, {"note": note}, actor=actor, at=at)
        return self.recipient_for(outcome.state, clock.local_date(at))

    def mark_overdue(self, ref: UUID, *, actor: str, at: datetime) -> bool:
        """The scheduler's overdue mark, by hand (not a user command)."""
        with self.write_transaction() as session:
            task = self._load_for_write(session, ref)
            before = _state_copy(task)
            with clock.at(at):
                marked = task.mark_overdue(actor=actor)
                if marked:
                    self._save(session, task, before={task.id: before})
            return marked

    def _check_agency_known(
        self, session: Session | Connection, plan_code: str, agency: str
    ) -> None:
        rules = self._rules_for(session, {})(plan_code)
        if rules is None or agency not in rules.heads:
            raise InvalidArgument(
                f"Kế hoạch {plan_code} không có cơ quan {agency!r}",
                f"plan {plan_code} has no agency {agency!r}",
            )

    # --- chasing (the scheduler's command) --------------------------------------------------

    def record_due(
        self,
        ref: UUID,
        *,
        actor: str,
        at: datetime,
    ) -> list[DueItem]:
        """Record every reminder, overdue mark and escalation of the task that is due at ``at``.

        One transaction: the events, the due index and the ledger commit together or not at all.
        A concurrent scheduler that recorded the same step first makes this raise
        ConcurrencyConflict, and nothing is recorded twice.
        """
        with clock.at(at), self.write_transaction() as session:
            task = self._load_for_write(session, ref)
            before = _state_copy(task)
            rules = self._rules_for(session, {})(task.plan)
            if rules is not None:
                # An agency that has ended first hands the task over (any day, working or not).
                hand_over(task, rules, clock.local_date(at), actor)
            items = due_now(task, rules, at) if rules else []
            recorded = [i for i in items if rules and record_step(task, i, rules, actor)]
            if task.pending_events:
                self._save(session, task, before={task.id: before})
            else:
                # Nothing due after all (the rules changed since the row was written): heal the
                # index so the next tick does not look at this task again.
                projector = Projector(self._rules_for(session, {}))
                projector.reindex(task)
                projector.flush(session)
            return recorded

    # --- read models ------------------------------------------------------------------------

    def rebuild_read_models(
        self, progress: Callable[[int], None] | None = None, *, resume: bool = False
    ) -> int:
        """Drop every read model and replay all events into it, committing as it goes
        (application/rebuild.py); ``resume`` goes on from where an interrupted rebuild stopped.
        Returns the events replayed; ``progress`` is told how many so far."""
        self._rules_cache.clear()
        return rebuild(self, progress, resume=resume)

    def rebuild_state(self) -> tuple[int, int | None]:
        """(the events stored, the position of an interrupted rebuild or None)."""
        return self.recorder.max_notification_id() or 0, interrupted_at(self.engine)


class _NoSuchPlan(Exception):
    """Inside a write transaction: the plan is not there (named once the transaction is over)."""


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
