"""The Task aggregate: one duty (nhiệm vụ), for one agency, for one period.

Its events are the catalogue in docs/events.md. Public methods are commands: they check the rules,
then trigger one event whose ``apply`` changes the state, so replaying events never re-checks rules
or reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from hashlib import sha1
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from planflow.domain import clock
from planflow.domain.chase import ChaseKey, ChaseKind, Recipient
from planflow.domain.difficulties import Difficulties as Difficulties
from planflow.domain.difficulties import Difficulty as Difficulty
from planflow.domain.errors import (
    ClockWentBackwards,
    InvalidArgument,
    InvalidDeadline,
    TaskStateError,
    UnknownDifficulty,
)
from planflow.domain.snapshot import StateSnapshot
from planflow.domain.status import TaskStatus, status_at

TASK_NAMESPACE = uuid5(NAMESPACE_URL, "https://planflow.invalid/task")
EXTENSION_PREFIX = "Đề nghị gia hạn / Extension requested"


class Completion(StrEnum):
    """What counts as done: an activity executed, or a report submitted and accepted."""

    ACTIVITY = "activity"
    REPORT = "report"


class ReportState(StrEnum):
    NONE = "none"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


LEAD = "lead"
"""Chủ trì: the agency that answers for the duty; its task carries the deadline and is chased."""
COOPERATING = "cooperating"
"""Phối hợp: an agency that helps; its task shows the duty and records its contribution only."""
COOPERATING_SUFFIX = "~coop"


def duty_key(duty: str, role: str) -> str:
    """The duty part of a task's id: a cooperating task of an agency is not its lead task."""
    return duty + COOPERATING_SUFFIX if role == COOPERATING else duty


_TASK_NAMESPACE_BYTES = TASK_NAMESPACE.bytes  # ``uuid5`` recomputes a namespace's bytes per call


def task_id(plan: str, duty: str, agency: str, period: str) -> UUID:
    """Deterministic: the same (plan, duty, agency, period) always names the same stream: the
    ``uuid5`` of the name in TASK_NAMESPACE, computed as ``uuid.uuid5`` does (SHA-1 of the
    namespace's bytes and the UTF-8 name, version 5) with the namespace's bytes computed once."""
    name = f"{plan}\x1f{duty}\x1f{agency}\x1f{period}".encode()
    return UUID(
        bytes=sha1(_TASK_NAMESPACE_BYTES + name, usedforsecurity=False).digest()[:16], version=5
    )


class Task(Aggregate):
    """A duty assigned to one agency for one period."""

    Snapshot = StateSnapshot  # enums, sets and dataclasses survive a snapshot (domain/snapshot.py)
    # Version 2: ``difficulties`` is a ``Difficulties`` collection (version 1: a list of records),
    # restored from a snapshot without decoding its records. Snapshots of version 1 are upcast.
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot taken before ``Difficulties``: its list of records becomes the collection."""
        state["difficulties"] = Difficulties(state["difficulties"])

    class Event(Aggregate.Event):
        actor: str
        create_timestamp: ClassVar[Any] = staticmethod(clock.now)

    class Assigned(Aggregate.Created, Event):
        """Giao nhiệm vụ: the task exists, with its deadline."""

        plan: str
        duty: str
        agency: str
        period: str
        due: date
        completion: str
        title: str
        role: str
        recipient: str
        personal_responsibility: bool
        window_start: date | None
        window_end: date | None
        check_ins: list[date]
        check_ins_open: list[date]
        target: str
        products: list[str]
        basis: str

    def __init__(
        self,
        *,
        plan: str,
        duty: str,
        agency: str,
        period: str,
        due: date,
        completion: str,
        title: str,
        actor: str,
        role: str = LEAD,  # events stored before roles existed: every task was a lead task
        recipient: str = "",
        personal_responsibility: bool = False,
        window_start: date | None = None,  # events stored before windows existed: no window
        window_end: date | None = None,
        check_ins: list[date] | None = None,
        check_ins_open: list[date] | None = None,
        target: str = "",
        products: list[str] | None = None,
        basis: str = "",
    ) -> None:
        self.plan = plan
        self.window_start = window_start  # a window (trong quý III): its first and last day
        self.window_end = window_end
        # An ongoing duty (thường xuyên): the due date of each check-in and the day it opens;
        # ``due`` is the next check-in's. Empty for every other task.
        self.check_ins: list[date] = list(check_ins or [])
        self.check_ins_open: list[date] = list(check_ins_open or [])
        self.check_ins_done = 0
        self.target = target  # chỉ tiêu, e.g. "Ít nhất 02 tin, bài/tháng"
        self.products: list[str] = list(products or [])  # sản phẩm
        self.basis = basis  # how an event-relative due date was counted
        self.role = role
        self.recipient = recipient  # the agency that reviews the report ("": the Office)
        self.personal_responsibility = personal_responsibility
        self.duty = duty
        self.agency = agency
        self.original_agency = agency
        self.period = period
        self.due = due
        self.original_due = due
        self.planned_due = due  # the due date the plan file last set
        self.completion = Completion(completion)
        self.title = title
        self.assigned_by = actor
        self.cancelled = False
        self.cancel_reason: str | None = None
        self.activities = 0
        self.completed_at: datetime | None = None
        self.report_state = ReportState.NONE
        self.report_submitted_at: datetime | None = None
        self.report_document: str | None = None
        self.difficulties = Difficulties()
        self.marked_overdue_for: date | None = None
        self.chased: set[ChaseKey] = set()
        self.chase_ups = 0  # manual chase-ups (ChaseUpSent), any number

    @staticmethod
    def create_id(plan: str, duty: str, agency: str, period: str) -> UUID:
        return task_id(plan, duty, agency, period)

    @classmethod
    def assign(
        cls,
        *,
        plan: str,
        duty: str,
        agency: str,
        period: str,
        due: date,
        completion: Completion,
        title: str,
        actor: str,
        role: str = LEAD,
        recipient: str = "",
        personal_responsibility: bool = False,
        window: tuple[date, date] | None = None,
        check_ins: list[tuple[date, date]] | None = None,
        target: str = "",
        products: list[str] | None = None,
        basis: str = "",
    ) -> Task:
        """``check_ins``: an ongoing duty's check-ins, each (opens, due); ``due`` is the first's."""
        _require(actor, "actor")
        if role not in (LEAD, COOPERATING):
            raise InvalidArgument(f"Vai trò không hợp lệ: {role}", f"invalid role: {role}")
        if window is not None and not window[0] <= window[1]:
            raise InvalidDeadline(
                "Khoảng thời gian thực hiện không hợp lệ",
                "invalid window: it ends before it starts",
            )
        # The library's ``_create`` with its generic steps left out (it would look for a TOPIC,
        # pick ``create_id``'s arguments out of these and check the id's type on every call: a
        # large plan load creates tens of thousands of tasks): the same event, the task built
        # from it by its own ``mutate``, the event pending (tests/test_domain_task.py compares
        # the two, field order included). The frozen dataclass's fields are set at once, in
        # its field order (the stored JSON keeps it), without its per-field ``__setattr__`` and
        # its ``__post_init__`` (which checks the id is a UUID: ``task_id`` makes one).
        assigned: Any = cls.Assigned  # a dataclass made by the library's metaclass
        event = object.__new__(assigned)
        object.__setattr__(
            event,
            "__dict__",
            {
                "originator_id": task_id(plan, duty_key(duty, role), agency, period),
                "originator_version": cls.INITIAL_VERSION,
                "timestamp": assigned.create_timestamp(),
                "originator_topic": get_topic(cls),
                "actor": actor,
                "plan": plan,
                "duty": duty,
                "agency": agency,
                "period": period,
                "due": due,
                "completion": completion.value,
                "title": title,
                "role": role,
                "recipient": recipient,
                "personal_responsibility": personal_responsibility,
                "window_start": window[0] if window else None,
                "window_end": window[1] if window else None,
                "check_ins": [d for _, d in check_ins or []],
                "check_ins_open": [o for o, _ in check_ins or []],
                "target": target,
                "products": list(products or []),
                "basis": basis,
            },
        )
        # The event's ``mutate`` without its generic steps (resolving the topic, picking each
        # init's arguments out of the event's fields by signature): the same calls, direct.
        task: Task = cls.__new__(cls)
        task.__base_init__(event.originator_id, event.originator_version, event.timestamp)
        task.__init__(  # type: ignore[misc]
            plan=plan,
            duty=duty,
            agency=agency,
            period=period,
            due=due,
            completion=event.completion,
            title=title,
            actor=actor,
            role=role,
            recipient=recipient,
            personal_responsibility=personal_responsibility,
            window_start=event.window_start,
            window_end=event.window_end,
            check_ins=event.check_ins,
            check_ins_open=event.check_ins_open,
            target=target,
            products=event.products,
            basis=basis,
        )
        event.apply(task)
        task.pending_events.append(event)
        return task

    # --- what the task is now ------------------------------------------------------------

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def review_pending_since(self) -> datetime | None:
        """When the report now awaiting the Office's review was submitted."""
        if self.report_state is ReportState.SUBMITTED:
            return self.report_submitted_at
        return None

    def status(self, moment: datetime) -> TaskStatus:
        return status_at(self.due, self.completed_at, self.review_pending_since, moment)

    # --- commands, each after the event it triggers --------------------------------------

    class ActivityExecuted(Event):
        """Đã thực hiện: the agency carried out the activity."""

        note: str
        evidence: str

        def apply(self, task: Task) -> None:
            task.activities += 1
            if task.is_ongoing:
                return  # an ongoing duty is closed by its last check-in, not by an activity
            if task.completion is Completion.ACTIVITY and task.completed_at is None:
                task.completed_at = self.timestamp

    def execute_activity(self, *, actor: str, note: str = "", evidence: str = "") -> None:
        self._check_command(actor)
        self._check_not_cancelled("đánh dấu đã thực hiện", "mark an activity executed")
        self.trigger_event(self.ActivityExecuted, actor=actor, note=note, evidence=evidence)

    class ReportSubmitted(Event):
        """Đã gửi báo cáo: the agency sent its report to the Office."""

        document: str
        sha256: str
        note: str

        def apply(self, task: Task) -> None:
            task.report_state = ReportState.SUBMITTED
            task.report_submitted_at = self.timestamp
            task.report_document = self.document

    def submit_report(self, *, actor: str, document: str, sha256: str = "", note: str = "") -> None:
        self._check_command(actor)
        self._check_not_cancelled("gửi báo cáo", "submit a report")
        if self.completion is not Completion.REPORT:
            raise TaskStateError(
                "Nhiệm vụ này hoàn thành bằng việc thực hiện hoạt động, không phải báo cáo",
                "this duty is done by executing an activity, not by a report",
            )
        if self.report_state is ReportState.SUBMITTED:
            raise TaskStateError(
                "Báo cáo đã gửi đang chờ Văn phòng xem xét",
                "a submitted report is still awaiting the Office's review",
            )
        if self.report_state is ReportState.ACCEPTED:
            raise TaskStateError(
                "Báo cáo đã được chấp nhận, không thể gửi lại",
                "the report was already accepted: it cannot be submitted again",
            )
        _require(document, "document")
        self.trigger_event(
            self.ReportSubmitted, actor=actor, document=document, sha256=sha256, note=note
        )

    class ReportAccepted(Event):
        """Báo cáo được chấp nhận: the Office accepts the report; the task is done."""

        note: str

        def apply(self, task: Task) -> None:
            task.report_state = ReportState.ACCEPTED
            task.completed_at = task.report_submitted_at

    def accept_report(self, *, actor: str, note: str = "") -> None:
        self._check_command(actor)
        self._check_not_cancelled("chấp nhận báo cáo", "accept a report")
        self._check_report_awaiting_review("chấp nhận", "accept")
        self.trigger_event(self.ReportAccepted, actor=actor, note=note)

    class ReportReturned(Event):
        """Báo cáo bị trả lại: the Office returns the report for correction."""

        reason: str

        def apply(self, task: Task) -> None:
            task.report_state = ReportState.RETURNED

    def return_report(self, *, actor: str, reason: str) -> None:
        self._check_command(actor)
        self._check_not_cancelled("trả lại báo cáo", "return a report")
        self._check_report_awaiting_review("trả lại", "return")
        _require(reason, "reason")
        self.trigger_event(self.ReportReturned, actor=actor, reason=reason)

    class DifficultyRaised(Event):
        """Khó khăn, vướng mắc: the agency reports an obstacle."""

        number: int
        text: str

        def apply(self, task: Task) -> None:
            task.difficulties.append(Difficulty(self.number, self.text, self.actor, self.timestamp))

    def raise_difficulty(self, *, actor: str, text: str) -> int:
        self._check_command(actor)
        self._check_not_cancelled("nêu khó khăn", "raise a difficulty")
        _require(text, "text")
        number = len(self.difficulties) + 1
        self.trigger_event(self.DifficultyRaised, actor=actor, number=number, text=text)
        return number

    def request_extension(self, *, actor: str, new_due: date, reason: str) -> int:
        """Đề nghị gia hạn: recorded as a difficulty the Office answers (and approves by
        extending with ``answers``). Returns the difficulty's number."""
        self._check_command(actor)
        self._check_not_cancelled("đề nghị gia hạn", "ask for an extension")
        self._check_not_done("đề nghị gia hạn", "ask for an extension")
        if new_due <= self.due:
            raise InvalidArgument(
                f"Hạn đề nghị {new_due:%d/%m/%Y} phải sau hạn hiện tại {self.due:%d/%m/%Y}",
                f"the requested deadline {new_due.isoformat()} must be later than the current "
                f"one, {self.due.isoformat()}",
            )
        if not reason.strip():
            raise InvalidArgument("Thiếu lý do đề nghị gia hạn", "the reason must not be empty")
        text = f"{EXTENSION_PREFIX}: {new_due.isoformat()} — {reason.strip()}"
        number = len(self.difficulties) + 1
        self.trigger_event(self.DifficultyRaised, actor=actor, number=number, text=text)
        return number

    class DifficultyAnswered(Event):
        """The Office answers a difficulty."""

        number: int
        answer: str

        def apply(self, task: Task) -> None:
            task.difficulties.answer(
                self.number, answer=self.answer, by=self.actor, at=self.timestamp
            )

    def answer_difficulty(self, *, actor: str, number: int, answer: str) -> None:
        self._check_command(actor)
        self._check_difficulty_open(number)
        _require(answer, "answer")
        self.trigger_event(self.DifficultyAnswered, actor=actor, number=number, answer=answer)

    class DeadlineExtended(Event):
        """Gia hạn: the deadline moves later."""

        previous_due: date
        new_due: date
        reason: str
        by_plan_revision: bool

        def apply(self, task: Task) -> None:
            task.due = self.new_due
            if self.by_plan_revision:
                task.planned_due = self.new_due
            task.marked_overdue_for = None

    def extend_deadline(
        self,
        *,
        actor: str,
        new_due: date,
        reason: str,
        by_plan_revision: bool = False,
        answers: int | None = None,
    ) -> None:
        """Gia hạn. With ``answers``, the extension also answers that extension request: every
        rule of both is checked before either event is triggered."""
        self._check_command(actor)
        self._check_not_cancelled("gia hạn", "extend the deadline")
        self._check_not_done("gia hạn", "extend the deadline")
        if new_due <= self.due:
            raise InvalidDeadline(
                f"Hạn mới {new_due:%d/%m/%Y} phải sau hạn hiện tại {self.due:%d/%m/%Y}",
                f"the new deadline {new_due.isoformat()} must be later than the current "
                f"one, {self.due.isoformat()}",
            )
        _require(reason, "reason")
        if answers is not None:
            self._check_difficulty_open(answers)
        self.trigger_event(
            self.DeadlineExtended,
            actor=actor,
            previous_due=self.due,
            new_due=new_due,
            reason=reason,
            by_plan_revision=by_plan_revision,
        )
        if answers is not None:
            self.trigger_event(
                self.DifficultyAnswered,
                actor=actor,
                number=answers,
                answer=f"Đồng ý gia hạn đến / extension approved to {new_due.isoformat()}",
            )

    class Reassigned(Event):
        """Giao lại: the task passes to another agency (a successor after a merger, …)."""

        previous_agency: str
        new_agency: str
        reason: str

        def apply(self, task: Task) -> None:
            task.agency = self.new_agency

    def reassign(self, *, actor: str, new_agency: str, reason: str) -> None:
        self._check_command(actor)
        self._check_not_cancelled("giao lại", "reassign")
        self._check_not_done("giao lại", "reassign")
        if new_agency == self.agency:
            raise InvalidArgument(
                f"Nhiệm vụ đã được giao cho {new_agency}",
                f"the task is already assigned to {new_agency}",
            )
        _require(new_agency, "new_agency")
        _require(reason, "reason")
        self.trigger_event(
            self.Reassigned,
            actor=actor,
            previous_agency=self.agency,
            new_agency=new_agency,
            reason=reason,
        )

    class Cancelled(Event):
        """Hủy: the task no longer needs doing."""

        reason: str

        def apply(self, task: Task) -> None:
            task.cancelled = True
            task.cancel_reason = self.reason

    def cancel(self, *, actor: str, reason: str) -> None:
        self._check_command(actor)
        self._check_not_cancelled("hủy", "cancel")
        self._check_not_done("hủy", "cancel")
        _require(reason, "reason")
        self.trigger_event(self.Cancelled, actor=actor, reason=reason)

    @property
    def is_ongoing(self) -> bool:
        """A task of an ongoing duty (thường xuyên): due at its check-ins, never at an end."""
        return bool(self.check_ins)

    class CheckInRecorded(Event):
        """Cập nhật tiến độ: the agency reports progress on an ongoing duty for one check-in.
        The task is then due at the next check-in (``next_due``), or done after the last."""

        number: int
        due: date
        next_due: date | None
        note: str
        evidence: str

        def apply(self, task: Task) -> None:
            task.check_ins_done = self.number
            if self.next_due is None:
                task.completed_at = self.timestamp
            else:
                task.due = self.next_due
                task.marked_overdue_for = None

    def check_in(self, *, actor: str, note: str, evidence: str = "") -> int:
        """Cập nhật tiến độ: record the next check-in of an ongoing duty; returns its number.
        Refused before the period it covers has begun."""
        self._check_command(actor)
        if not self.is_ongoing:
            raise TaskStateError(
                "Nhiệm vụ này không phải nhiệm vụ thường xuyên: không có kỳ cập nhật tiến độ",
                "this is not an ongoing duty: it has no check-ins",
            )
        self._check_not_cancelled("cập nhật tiến độ", "record a check-in")
        self._check_not_done("cập nhật tiến độ", "record a check-in")
        _require(note, "note")
        index = self.check_ins_done
        opens = self.check_ins_open[index]
        today = clock.local_date(clock.now())
        if today < opens:
            raise TaskStateError(
                f"Kỳ cập nhật số {index + 1} (hạn {self.check_ins[index]:%d/%m/%Y}) bắt đầu từ "
                f"ngày {opens:%d/%m/%Y}",
                f"check-in {index + 1} (due {self.check_ins[index].isoformat()}) opens on "
                f"{opens.isoformat()}",
            )
        following = self.check_ins[index + 1] if index + 1 < len(self.check_ins) else None
        # An extension granted on the current check-in carries over to no later one.
        self.trigger_event(
            self.CheckInRecorded,
            actor=actor,
            number=index + 1,
            due=self.due,
            next_due=following,
            note=note,
            evidence=evidence,
        )
        return index + 1

    # --- chasing: overdue marks, reminders, escalations, chase-ups -----------------------

    class MarkedOverdue(Event):
        """Quá hạn: the deadline passed with the task open."""

        due: date

        def apply(self, task: Task) -> None:
            task.marked_overdue_for = self.due

    def mark_overdue(self, *, actor: str) -> bool:
        """Record that the deadline passed with the task open; False if there is nothing to mark."""
        self._check_command(actor)
        if self.cancelled or self.marked_overdue_for == self.due:
            return False
        if self.status(clock.now()) is not TaskStatus.OPEN_OVERDUE:
            return False
        self.trigger_event(self.MarkedOverdue, actor=actor, due=self.due)
        return True

    @property
    def is_cooperating(self) -> bool:
        return self.role == COOPERATING

    @property
    def is_chaseable(self) -> bool:
        """A lead task, open and not awaiting the review of a submitted report."""
        return not (
            self.is_cooperating
            or self.cancelled
            or self.is_done
            or self.report_state is ReportState.SUBMITTED
        )

    def has_chased(self, key: ChaseKey) -> bool:
        if key.kind is ChaseKind.OVERDUE:
            return self.marked_overdue_for == key.due
        return key in self.chased

    class NamesHead(Event):
        """Base of the chasing events: the official named, as the plan described them then."""

        recipient_role: str
        recipient_agency: str
        recipient_title: str
        recipient_name: str
        recipient_contact: str

    class ReminderSent(NamesHead):
        """Nhắc hạn: the head was reminded, ``working_days_before`` working days before ``due``."""

        due: date
        working_days_before: int
        fire_on: date

        def apply(self, task: Task) -> None:
            task.chased.add(ChaseKey(ChaseKind.REMINDER, self.working_days_before, self.due))

    def send_reminder(
        self, *, actor: str, working_days_before: int, fire_on: date, recipient: Recipient
    ) -> None:
        """Nhắc hạn: remind the head before the deadline (once per step and deadline)."""
        self._check_command(actor)
        self._check_chase(
            ChaseKey(ChaseKind.REMINDER, working_days_before, self.due),
            fire_on,
            "nhắc hạn",
            "send a reminder",
        )
        if clock.local_date(clock.now()) > self.due:
            raise TaskStateError(
                f"Đã quá hạn {self.due:%d/%m/%Y}: không nhắc hạn nữa",
                f"the deadline {self.due.isoformat()} has passed: no more reminders",
            )
        self.trigger_event(
            self.ReminderSent,
            actor=actor,
            due=self.due,
            working_days_before=working_days_before,
            fire_on=fire_on,
            **_recipient_fields(recipient),
        )

    class Escalated(NamesHead):
        """Báo cáo cấp trên: the task is late; ladder ``level`` names a higher official."""

        due: date
        level: int
        working_days_after_due: int
        fire_on: date
        # The head who bears personal responsibility for the task, when the plan says so and the
        # step names someone else ("" otherwise, and in events stored before this field).
        responsible_title: str = ""
        responsible_name: str = ""

        def apply(self, task: Task) -> None:
            task.chased.add(ChaseKey(ChaseKind.ESCALATION, self.level, self.due))

    def escalate(
        self,
        *,
        actor: str,
        level: int,
        working_days_after_due: int,
        fire_on: date,
        recipient: Recipient,
        responsible: Recipient | None = None,
    ) -> None:
        """Báo cáo cấp trên: the task is late; tell the ladder's next official (once per level).
        ``responsible``: the head who bears personal responsibility, named in the record."""
        self._check_command(actor)
        self._check_chase(
            ChaseKey(ChaseKind.ESCALATION, level, self.due),
            fire_on,
            "báo cáo cấp trên",
            "escalate",
        )
        if clock.local_date(clock.now()) <= self.due:
            raise TaskStateError(
                f"Chưa quá hạn {self.due:%d/%m/%Y}: chưa thể báo cáo cấp trên",
                f"the deadline {self.due.isoformat()} has not passed: nothing to escalate",
            )
        self.trigger_event(
            self.Escalated,
            actor=actor,
            due=self.due,
            level=level,
            working_days_after_due=working_days_after_due,
            fire_on=fire_on,
            **_recipient_fields(recipient),
            **_responsible_fields(responsible),
        )

    class ChaseUpSent(NamesHead):
        """Đôn đốc: the Office chased the head by hand ("send a chase-up now"), outside the ladder.

        ``due`` is the deadline in force at that moment; ``note`` is the Office's own words.
        """

        due: date
        note: str

        def apply(self, task: Task) -> None:
            task.chase_ups += 1

    def chase_up(self, *, actor: str, recipient: Recipient, note: str = "") -> None:
        """Đôn đốc ngay: the Office chases the head now. A manual act, not a ladder step: allowed
        any number of times, on a task that is chaseable (open, not awaiting review)."""
        self._check_command(actor)
        self._check_not_cancelled("đôn đốc", "send a chase-up")
        self._check_not_done("đôn đốc", "send a chase-up")
        if self.report_state is ReportState.SUBMITTED:
            raise TaskStateError(
                "Báo cáo đã gửi đang chờ Văn phòng xem xét: không thể đôn đốc",
                "a submitted report is awaiting the Office's review: cannot send a chase-up",
            )
        _require(recipient.title, "recipient")
        self.trigger_event(
            self.ChaseUpSent,
            actor=actor,
            due=self.due,
            note=note.strip(),
            **_recipient_fields(recipient),
        )

    # --- rules ------------------------------------------------------------------------------

    def _check_chase(self, key: ChaseKey, fire_on: date, action_vi: str, action_en: str) -> None:
        self._check_not_cancelled(action_vi, action_en)
        self._check_not_done(action_vi, action_en)
        if self.has_chased(key):
            raise TaskStateError(
                f"Đã {action_vi} bước {key.step} cho hạn {key.due:%d/%m/%Y}",
                f"step {key.step} ({key.kind.value}) for {key.due.isoformat()} was already "
                "recorded",
            )
        today = clock.local_date(clock.now())
        if today < fire_on:
            raise TaskStateError(
                f"Chưa đến ngày {fire_on:%d/%m/%Y}: chưa thể {action_vi}",
                f"{fire_on.isoformat()} has not come yet: cannot {action_en}",
            )

    def _check_difficulty_open(self, number: int) -> None:
        if not 1 <= number <= len(self.difficulties):
            raise UnknownDifficulty(
                f"Nhiệm vụ không có khó khăn số {number}",
                f"the task has no difficulty number {number}",
            )
        if self.difficulties[number - 1].answer is not None:
            raise TaskStateError(
                f"Khó khăn số {number} đã được trả lời",
                f"difficulty {number} was already answered",
            )

    def _check_command(self, actor: str) -> None:
        _require(actor, "actor")
        moment = clock.now()
        if moment < self.modified_on:
            when, last = (
                f"{m.astimezone(clock.LOCAL_TZ):%d/%m/%Y %H:%M:%S}"
                for m in (moment, self.modified_on)
            )
            raise ClockWentBackwards(
                f"Thời điểm {when} sớm hơn sự kiện cuối của nhiệm vụ ({last}, giờ Việt Nam)",
                f"time {when} is before the task's last event ({last}, Vietnam time)",
            )

    def _check_not_cancelled(self, action_vi: str, action_en: str) -> None:
        if self.cancelled:
            raise TaskStateError(
                f"Nhiệm vụ đã bị hủy ({self.cancel_reason}): không thể {action_vi}",
                f"the task is cancelled ({self.cancel_reason}): cannot {action_en}",
            )

    def _check_not_done(self, action_vi: str, action_en: str) -> None:
        if self.is_done:
            raise TaskStateError(
                f"Nhiệm vụ đã hoàn thành: không thể {action_vi}",
                f"the task is already done: cannot {action_en}",
            )

    def _check_report_awaiting_review(self, action_vi: str, action_en: str) -> None:
        if self.report_state is not ReportState.SUBMITTED:
            state = {
                ReportState.NONE: ("chưa có báo cáo nào được gửi", "no report was submitted"),
                ReportState.ACCEPTED: (
                    "báo cáo đã được chấp nhận",
                    "the report was already accepted",
                ),
                ReportState.RETURNED: ("báo cáo đã bị trả lại", "the report was returned"),
            }[self.report_state]
            raise TaskStateError(
                f"Không thể {action_vi} báo cáo: {state[0]}",
                f"cannot {action_en} the report: {state[1]}",
            )


def _recipient_fields(recipient: Recipient) -> dict[str, str]:
    return {
        "recipient_role": recipient.role,
        "recipient_agency": recipient.agency,
        "recipient_title": recipient.title,
        "recipient_name": recipient.name,
        "recipient_contact": recipient.contact,
    }


def _require(value: str, name: str) -> None:
    if not value or not value.strip():
        raise InvalidArgument(f"Thiếu giá trị cho {name}", f"{name} must not be empty")


def _responsible_fields(head: Recipient | None) -> dict[str, str]:
    if head is None:
        return {}
    return {"responsible_title": head.title, "responsible_name": head.name}
