"""The Task aggregate's rules: every command's happy path and its refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from planflow.domain import clock
from planflow.domain.errors import (
    ClockWentBackwards,
    DomainError,
    InvalidArgument,
    InvalidDeadline,
    TaskStateError,
    UnknownDifficulty,
)
from planflow.domain.task import Completion, ReportState, Task, task_id

ASSIGNED_AT = datetime(2022, 2, 15, 1, 0, tzinfo=UTC)
DUE = date(2022, 3, 16)


def at(day: int, hour: int = 3, month: int = 3) -> datetime:
    return datetime(2022, month, day, hour, 0, tzinfo=UTC)


def new_task(completion: Completion = Completion.REPORT, due: date = DUE) -> Task:
    with clock.at(ASSIGNED_AT):
        return Task.assign(
            plan="mini-2022",
            duty="D2" if completion is Completion.REPORT else "D1",
            agency="so-a",
            period="2022-Q1" if completion is Completion.REPORT else "2022",
            due=due,
            completion=completion,
            title="Báo cáo định kỳ",
            actor="loader",
        )


def run(moment: datetime, command: Callable[[], object]) -> object:
    with clock.at(moment):
        return command()


def report_state(task: Task) -> ReportState:
    return task.report_state


def new_events(task: Task) -> list[Task.Event]:
    return list(task.collect_events())  # type: ignore[arg-type]


# --- assignment --------------------------------------------------------------------------


def test_assigning_a_task_records_who_and_when_and_names_it_deterministically() -> None:
    task = new_task()
    [event] = new_events(task)
    assert isinstance(event, Task.Assigned)
    assert event.actor == "loader"
    assert event.timestamp == ASSIGNED_AT
    assert task.id == task_id("mini-2022", "D2", "so-a", "2022-Q1")
    assert task.due == task.original_due == task.planned_due == DUE
    assert task.report_state is ReportState.NONE and not task.is_done


def test_assigning_builds_the_same_event_and_task_as_the_librarys_create() -> None:
    """Task.assign skips the library's generic ``_create`` steps (a plan load's speed): the event,
    its stored field order and the task it builds stay what ``_create`` makes of them."""
    fields = {
        "plan": "mini-2022",
        "duty": "D2",
        "agency": "so-a",
        "period": "2022-Q1",
        "due": DUE,
        "completion": Completion.REPORT.value,
        "title": "Báo cáo định kỳ",
        "actor": "loader",
        "role": "lead",
        "recipient": "so-b",
        "personal_responsibility": True,
        "window_start": date(2022, 3, 1),
        "window_end": DUE,
        "check_ins": [date(2022, 3, 10), DUE],
        "check_ins_open": [date(2022, 3, 1), date(2022, 3, 11)],
        "target": "02 tin",
        "products": ["Báo cáo"],
        "basis": "",
    }
    with clock.at(ASSIGNED_AT):
        shaped = ("completion", "window_start", "window_end", "check_ins", "check_ins_open")
        ours = Task.assign(
            **{k: v for k, v in fields.items() if k not in shaped},
            completion=Completion.REPORT,
            window=(date(2022, 3, 1), DUE),
            check_ins=[(date(2022, 3, 1), date(2022, 3, 10)), (date(2022, 3, 11), DUE)],
        )
        theirs = Task._create(
            Task.Assigned, id=task_id("mini-2022", "D2", "so-a", "2022-Q1"), **fields
        )
    [mine], [library] = ours.pending_events, theirs.pending_events
    assert type(mine) is type(library)
    assert list(vars(mine).items()) == list(vars(library).items())
    assert vars(ours) == vars(theirs)


def test_task_ids_are_the_uuid5_of_plan_duty_agency_and_period() -> None:
    from uuid import NAMESPACE_URL, uuid5

    namespace = uuid5(NAMESPACE_URL, "https://planflow.invalid/task")
    for parts in [("kh-2022", "I.1", "so-a", "2022-Q1"), ("kế-hoạch", "Đ~coop", "sở", "")]:
        assert task_id(*parts) == uuid5(namespace, "\x1f".join(parts))
        assert task_id(*parts).version == 5


def test_assigning_without_an_actor_is_refused() -> None:
    with clock.at(ASSIGNED_AT), pytest.raises(InvalidArgument):
        Task.assign(
            plan="p",
            duty="d",
            agency="a",
            period="2022",
            due=DUE,
            completion=Completion.ACTIVITY,
            title="t",
            actor="  ",
        )


def test_a_command_outside_an_injected_clock_is_a_programming_error() -> None:
    task = new_task(Completion.ACTIVITY)
    with pytest.raises(clock.ClockNotSet):
        task.execute_activity(actor="so-a")


def test_the_injected_time_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError), clock.at(datetime(2022, 3, 1, 8, 0)):
        pass


# --- activities --------------------------------------------------------------------------


def test_executing_an_activity_completes_an_activity_duty_at_that_time() -> None:
    task = new_task(Completion.ACTIVITY)
    run(at(10), lambda: task.execute_activity(actor="so-a", note="xong", evidence="kh.pdf"))
    assert task.is_done and task.completed_at == at(10)
    assert task.activities == 1
    run(at(12), lambda: task.execute_activity(actor="so-a"))
    assert task.completed_at == at(10), "a second execution does not move the completion"
    assert task.activities == 2


def test_executing_an_activity_on_a_report_duty_does_not_complete_it() -> None:
    task = new_task(Completion.REPORT)
    run(at(10), lambda: task.execute_activity(actor="so-a"))
    assert task.activities == 1
    assert not task.is_done


def test_no_activity_on_a_cancelled_task() -> None:
    task = new_task(Completion.ACTIVITY)
    run(at(1), lambda: task.cancel(actor="vp", reason="không còn cần"))
    with clock.at(at(2)), pytest.raises(TaskStateError):
        task.execute_activity(actor="so-a")


# --- reports -----------------------------------------------------------------------------


def test_a_report_submitted_then_accepted_is_done_at_its_submission_time() -> None:
    task = new_task()
    run(at(15), lambda: task.submit_report(actor="so-a", document="bc-q1.pdf", sha256="ab"))
    assert report_state(task) is ReportState.SUBMITTED and not task.is_done
    run(at(20), lambda: task.accept_report(actor="vp", note="đạt"))
    assert report_state(task) is ReportState.ACCEPTED
    assert task.completed_at == at(15)
    assert task.report_document == "bc-q1.pdf"


def test_a_returned_report_can_be_submitted_again_and_then_counts_from_the_new_submission() -> None:
    task = new_task()
    run(at(15), lambda: task.submit_report(actor="so-a", document="v1"))
    run(at(16), lambda: task.return_report(actor="vp", reason="thiếu số liệu"))
    assert task.report_state is ReportState.RETURNED and not task.is_done
    run(at(18), lambda: task.submit_report(actor="so-a", document="v2"))
    run(at(21), lambda: task.accept_report(actor="vp"))
    assert task.completed_at == at(18)
    assert task.report_document == "v2"


def test_no_report_on_a_cancelled_task() -> None:
    task = new_task()
    run(at(1), lambda: task.cancel(actor="vp", reason="điều chỉnh"))
    with clock.at(at(2)), pytest.raises(TaskStateError, match="cancelled"):
        task.submit_report(actor="so-a", document="bc.pdf")


def test_no_report_on_an_activity_duty() -> None:
    task = new_task(Completion.ACTIVITY)
    with clock.at(at(2)), pytest.raises(TaskStateError, match="activity"):
        task.submit_report(actor="so-a", document="bc.pdf")


def test_no_second_submission_while_one_awaits_review() -> None:
    task = new_task()
    run(at(2), lambda: task.submit_report(actor="so-a", document="v1"))
    with clock.at(at(3)), pytest.raises(TaskStateError, match="awaiting"):
        task.submit_report(actor="so-a", document="v2")


def test_no_submission_after_acceptance() -> None:
    task = new_task()
    run(at(2), lambda: task.submit_report(actor="so-a", document="v1"))
    run(at(3), lambda: task.accept_report(actor="vp"))
    with clock.at(at(4)), pytest.raises(TaskStateError, match="accepted"):
        task.submit_report(actor="so-a", document="v2")


def test_a_report_needs_a_document() -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(InvalidArgument, match="document"):
        task.submit_report(actor="so-a", document="")


@pytest.mark.parametrize("command", ["accept", "return"])
def test_no_acceptance_or_return_of_a_report_never_submitted(command: str) -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(TaskStateError, match="no report was submitted"):
        if command == "accept":
            task.accept_report(actor="vp")
        else:
            task.return_report(actor="vp", reason="x")


@pytest.mark.parametrize("command", ["accept", "return"])
def test_no_acceptance_or_return_of_a_report_already_returned(command: str) -> None:
    task = new_task()
    run(at(2), lambda: task.submit_report(actor="so-a", document="v1"))
    run(at(3), lambda: task.return_report(actor="vp", reason="sai"))
    with clock.at(at(4)), pytest.raises(TaskStateError, match="returned"):
        if command == "accept":
            task.accept_report(actor="vp")
        else:
            task.return_report(actor="vp", reason="x")


def test_an_accepted_report_cannot_be_accepted_again() -> None:
    task = new_task()
    run(at(2), lambda: task.submit_report(actor="so-a", document="v1"))
    run(at(3), lambda: task.accept_report(actor="vp"))
    with clock.at(at(4)), pytest.raises(TaskStateError, match="already accepted"):
        task.accept_report(actor="vp")


def test_no_acceptance_of_a_report_on_a_cancelled_task() -> None:
    task = new_task()
    run(at(2), lambda: task.submit_report(actor="so-a", document="v1"))
    run(at(3), lambda: task.cancel(actor="vp", reason="điều chỉnh"))
    with clock.at(at(4)), pytest.raises(TaskStateError, match="cancelled"):
        task.accept_report(actor="vp")


def test_returning_a_report_needs_a_reason() -> None:
    task = new_task()
    run(at(2), lambda: task.submit_report(actor="so-a", document="v1"))
    with clock.at(at(3)), pytest.raises(InvalidArgument, match="reason"):
        task.return_report(actor="vp", reason=" ")
    assert task.report_state is ReportState.SUBMITTED


# --- difficulties ------------------------------------------------------------------------


def test_difficulties_are_numbered_and_answered() -> None:
    task = new_task()
    assert run(at(2), lambda: task.raise_difficulty(actor="so-a", text="thiếu kinh phí")) == 1
    assert run(at(3), lambda: task.raise_difficulty(actor="so-a", text="thiếu người")) == 2
    run(at(4), lambda: task.answer_difficulty(actor="vp", number=2, answer="bổ sung biên chế"))
    first, second = task.difficulties
    assert first.answer is None
    assert (second.answer, second.answered_by, second.answered_at) == (
        "bổ sung biên chế",
        "vp",
        at(4),
    )
    assert (second.raised_by, second.raised_at) == ("so-a", at(3))


@pytest.mark.parametrize("number", [0, 2, -1])
def test_answering_an_unknown_difficulty_is_refused(number: int) -> None:
    task = new_task()
    run(at(2), lambda: task.raise_difficulty(actor="so-a", text="thiếu kinh phí"))
    with clock.at(at(3)), pytest.raises(UnknownDifficulty):
        task.answer_difficulty(actor="vp", number=number, answer="x")


def test_answering_an_already_answered_difficulty_is_refused() -> None:
    task = new_task()
    run(at(2), lambda: task.raise_difficulty(actor="so-a", text="thiếu kinh phí"))
    run(at(3), lambda: task.answer_difficulty(actor="vp", number=1, answer="đã bố trí"))
    with clock.at(at(4)), pytest.raises(TaskStateError, match="already answered"):
        task.answer_difficulty(actor="vp", number=1, answer="lần hai")
    assert task.difficulties[0].answer == "đã bố trí"


def test_a_difficulty_needs_text_and_an_answer_needs_words() -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(InvalidArgument, match="text"):
        task.raise_difficulty(actor="so-a", text="")
    run(at(2), lambda: task.raise_difficulty(actor="so-a", text="x"))
    with clock.at(at(3)), pytest.raises(InvalidArgument, match="answer"):
        task.answer_difficulty(actor="vp", number=1, answer="")


def test_no_difficulty_on_a_cancelled_task() -> None:
    task = new_task()
    run(at(2), lambda: task.cancel(actor="vp", reason="điều chỉnh"))
    with clock.at(at(3)), pytest.raises(TaskStateError):
        task.raise_difficulty(actor="so-a", text="x")


# --- deadlines ---------------------------------------------------------------------------


def test_extending_moves_the_deadline_later_and_keeps_the_planned_one() -> None:
    task = new_task()
    run(at(2), lambda: task.extend_deadline(actor="vp", new_due=date(2022, 3, 25), reason="lý do"))
    assert task.due == date(2022, 3, 25)
    assert task.planned_due == DUE and task.original_due == DUE
    run(
        at(3),
        lambda: task.extend_deadline(
            actor="loader", new_due=date(2022, 3, 30), reason="plan", by_plan_revision=True
        ),
    )
    assert task.due == task.planned_due == date(2022, 3, 30)
    events = new_events(task)
    assert isinstance(events[-1], Task.DeadlineExtended)
    assert events[-1].previous_due == date(2022, 3, 25)
    assert events[-1].by_plan_revision is True


@pytest.mark.parametrize("new_due", [DUE, DUE - timedelta(days=1)])
def test_no_extension_to_an_earlier_or_equal_date(new_due: date) -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(InvalidDeadline):
        task.extend_deadline(actor="vp", new_due=new_due, reason="lý do")
    assert task.due == DUE


def test_no_extension_of_a_done_task() -> None:
    task = new_task(Completion.ACTIVITY)
    run(at(2), lambda: task.execute_activity(actor="so-a"))
    with clock.at(at(3)), pytest.raises(TaskStateError, match="done"):
        task.extend_deadline(actor="vp", new_due=date(2022, 4, 1), reason="lý do")


def test_no_extension_of_a_cancelled_task() -> None:
    task = new_task()
    run(at(2), lambda: task.cancel(actor="vp", reason="điều chỉnh"))
    with clock.at(at(3)), pytest.raises(TaskStateError, match="cancelled"):
        task.extend_deadline(actor="vp", new_due=date(2022, 4, 1), reason="lý do")


def test_an_extension_needs_a_reason() -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(InvalidArgument, match="reason"):
        task.extend_deadline(actor="vp", new_due=date(2022, 4, 1), reason="")


# --- reassignment ------------------------------------------------------------------------


def test_reassigning_passes_the_task_to_another_agency_and_remembers_the_first() -> None:
    task = new_task()
    run(at(2), lambda: task.reassign(actor="vp", new_agency="so-b", reason="sáp nhập"))
    assert task.agency == "so-b"
    assert task.original_agency == "so-a"
    event = new_events(task)[-1]
    assert isinstance(event, Task.Reassigned)
    assert (event.previous_agency, event.new_agency) == ("so-a", "so-b")


def test_no_reassignment_to_the_same_agency() -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(InvalidArgument, match="already assigned"):
        task.reassign(actor="vp", new_agency="so-a", reason="x")


def test_no_reassignment_of_a_done_task() -> None:
    task = new_task(Completion.ACTIVITY)
    run(at(2), lambda: task.execute_activity(actor="so-a"))
    with clock.at(at(3)), pytest.raises(TaskStateError, match="done"):
        task.reassign(actor="vp", new_agency="so-b", reason="x")


@pytest.mark.parametrize(("agency", "reason"), [("", "x"), ("so-b", "")])
def test_reassignment_needs_an_agency_and_a_reason(agency: str, reason: str) -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(InvalidArgument):
        task.reassign(actor="vp", new_agency=agency, reason=reason)
    assert task.agency == "so-a"


# --- cancellation ------------------------------------------------------------------------


def test_cancelling_records_the_reason_and_cannot_be_repeated() -> None:
    task = new_task()
    run(at(2), lambda: task.cancel(actor="vp", reason="điều chỉnh"))
    assert task.cancelled and task.cancel_reason == "điều chỉnh"
    with clock.at(at(3)), pytest.raises(TaskStateError):
        task.cancel(actor="vp", reason="lần hai")


def test_cancelling_needs_a_reason() -> None:
    task = new_task()
    with clock.at(at(2)), pytest.raises(InvalidArgument, match="reason"):
        task.cancel(actor="vp", reason="")
    assert not task.cancelled


# --- overdue -----------------------------------------------------------------------------


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.LOCAL_TZ)


def test_marking_overdue_happens_once_per_due_and_again_after_an_extension_passes() -> None:
    task = new_task()
    assert run(local(DUE, 23, 30), lambda: task.mark_overdue(actor="scheduler")) is False
    assert run(local(date(2022, 3, 17), 0, 30), lambda: task.mark_overdue(actor="scheduler"))
    assert task.marked_overdue_for == DUE
    assert run(local(date(2022, 3, 18), 9), lambda: task.mark_overdue(actor="scheduler")) is False
    new_due = date(2022, 3, 25)
    run(
        local(date(2022, 3, 18), 10),
        lambda: task.extend_deadline(actor="vp", new_due=new_due, reason="x"),
    )
    assert task.marked_overdue_for is None
    assert run(local(new_due, 17), lambda: task.mark_overdue(actor="scheduler")) is False
    assert run(local(date(2022, 3, 26), 8), lambda: task.mark_overdue(actor="scheduler")) is True
    assert task.marked_overdue_for == new_due
    marks = [e for e in new_events(task) if isinstance(e, Task.MarkedOverdue)]
    assert [m.due for m in marks] == [DUE, new_due]


def test_a_done_or_cancelled_task_is_never_marked_overdue() -> None:
    done = new_task(Completion.ACTIVITY)
    run(at(1), lambda: done.execute_activity(actor="so-a"))
    cancelled = new_task()
    run(at(1), lambda: cancelled.cancel(actor="vp", reason="x"))
    for task in (done, cancelled):
        assert run(at(30), lambda t=task: t.mark_overdue(actor="scheduler")) is False  # type: ignore[misc]
        assert task.marked_overdue_for is None


# --- actors and clocks -------------------------------------------------------------------

COMMANDS: dict[str, Callable[[Task, str], object]] = {
    "execute": lambda t, who: t.execute_activity(actor=who),
    "submit": lambda t, who: t.submit_report(actor=who, document="d"),
    "accept": lambda t, who: t.accept_report(actor=who),
    "return": lambda t, who: t.return_report(actor=who, reason="r"),
    "raise": lambda t, who: t.raise_difficulty(actor=who, text="x"),
    "answer": lambda t, who: t.answer_difficulty(actor=who, number=1, answer="a"),
    "extend": lambda t, who: t.extend_deadline(actor=who, new_due=date(2022, 4, 1), reason="r"),
    "reassign": lambda t, who: t.reassign(actor=who, new_agency="so-b", reason="r"),
    "cancel": lambda t, who: t.cancel(actor=who, reason="r"),
    "mark_overdue": lambda t, who: t.mark_overdue(actor=who),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("actor", ["", "   "])
def test_every_command_refuses_an_empty_actor(name: str, actor: str) -> None:
    task = new_task()
    run(at(10), lambda: task.raise_difficulty(actor="so-a", text="x"))
    version = task.version
    with clock.at(at(20)), pytest.raises(InvalidArgument, match="actor"):
        COMMANDS[name](task, actor)
    assert task.version == version


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_refuses_a_clock_that_went_backwards(name: str) -> None:
    task = new_task()
    run(at(10), lambda: task.raise_difficulty(actor="so-a", text="x"))
    version = task.version
    with clock.at(at(9)), pytest.raises(ClockWentBackwards):
        COMMANDS[name](task, "vp")
    assert task.version == version


def test_a_command_at_the_same_instant_as_the_last_event_is_allowed() -> None:
    task = new_task()
    run(ASSIGNED_AT, lambda: task.raise_difficulty(actor="so-a", text="x"))
    assert len(task.difficulties) == 1


def test_every_event_records_its_actor_and_the_injected_time() -> None:
    task = new_task()
    script: list[tuple[datetime, str, Callable[[], object]]] = [
        (at(1), "so-a", lambda: task.execute_activity(actor="so-a")),
        (at(2), "so-a", lambda: task.raise_difficulty(actor="so-a", text="x")),
        (at(3), "vp", lambda: task.answer_difficulty(actor="vp", number=1, answer="y")),
        (at(4), "so-a", lambda: task.submit_report(actor="so-a", document="v1")),
        (at(5), "vp", lambda: task.return_report(actor="vp", reason="sai")),
        (
            at(6),
            "vp",
            lambda: task.extend_deadline(actor="vp", new_due=date(2022, 3, 30), reason="r"),
        ),
        (at(7), "vp", lambda: task.reassign(actor="vp", new_agency="so-b", reason="r")),
        (at(8), "so-b", lambda: task.submit_report(actor="so-b", document="v2")),
        (at(9), "vp", lambda: task.accept_report(actor="vp")),
    ]
    expected: list[tuple[str, str, datetime]] = [("Assigned", "loader", ASSIGNED_AT)]
    for moment, _actor, command in script:
        run(moment, command)
    names = [
        "ActivityExecuted",
        "DifficultyRaised",
        "DifficultyAnswered",
        "ReportSubmitted",
        "ReportReturned",
        "DeadlineExtended",
        "Reassigned",
        "ReportSubmitted",
        "ReportAccepted",
    ]
    for name, (moment, actor, _) in zip(names, script, strict=True):
        expected.append((name, actor, moment))
    other = new_task()
    run(at(1), lambda: other.cancel(actor="vp", reason="r"))
    overdue = new_task()
    run(at(20), lambda: overdue.mark_overdue(actor="scheduler"))
    recorded = [(type(e).__name__, e.actor, e.timestamp) for e in new_events(task)]
    assert recorded == expected
    assert [(type(e).__name__, e.actor, e.timestamp) for e in new_events(other)][-1] == (
        "Cancelled",
        "vp",
        at(1),
    )
    assert [(type(e).__name__, e.actor, e.timestamp) for e in new_events(overdue)][-1] == (
        "MarkedOverdue",
        "scheduler",
        at(20),
    )


def test_domain_errors_speak_vietnamese_then_english() -> None:
    task = new_task(Completion.ACTIVITY)
    with clock.at(at(2)), pytest.raises(DomainError) as info:
        task.submit_report(actor="so-a", document="d")
    assert str(info.value) == f"{info.value.vi} / {info.value.en}"
    assert "báo cáo" in info.value.vi
