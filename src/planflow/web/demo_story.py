"""The demo's story: what agencies and the Office did between the plan's start and the demo clock.

``planflow serve --demo`` assigns the Kiên Giang plan at its real start (15/02/2022 08:00, as the
README's ``planflow load … --at 2022-02-15`` does), then plays each day up to the demo's clock: the
scheduler's tick at 08:00 (reminders, overdue marks, escalations on their real days) and a fixed,
deterministic set of agencies' actions. Every view has something to show, the auditor's past
included. It is illustration, not data: the notes say so.

Of the lead tasks due by the clock, taken in (due, agency, duty) order: two in five are done two
working days early and accepted the next day, one is done a day late, one is sent on the eve of
the deadline and awaits review, one is left undone (overdue). The demo agency (Sở Tư pháp) also
raises a difficulty that the Office answers, is chased up, and has its first report returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, TaskView, list_tasks
from planflow.domain.clock import LOCAL_TZ

NOTE = "(dữ liệu minh họa / demo data)"
OFFICE = "director"


@dataclass(frozen=True)
class Step:
    at: datetime
    run: Callable[[datetime], object]


def _on(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def _weekday_back(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _weekday_on(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _task_steps(app: PlanflowApp, v: TaskView, kind: int, demo_agency: str) -> list[Step]:
    ref = UUID(v.id)
    actor = "officer" if v.agency == demo_agency else f"{v.agency}/officer"
    doc = f"bao-cao-{v.duty.lower()}-{v.period.lower()}-{v.agency}.pdf"

    def done(at: datetime) -> None:
        if v.completion == "activity":
            app.execute_activity(ref, actor=actor, at=at, note=f"Đã triển khai {NOTE}")
        else:
            app.submit_report(ref, actor=actor, at=at, document=doc, note=NOTE)

    def accept(at: datetime) -> None:
        app.accept_report(ref, actor=OFFICE, at=at, note=NOTE)

    if kind in (0, 1):  # on time, accepted the next working day
        day = _weekday_back(v.due - timedelta(days=2))
        hour = 9
    elif kind == 2:  # late
        day = _weekday_on(v.due + timedelta(days=1))
        hour = 14
    elif kind == 3:  # sent on the eve of the deadline, awaiting review
        return [Step(_on(_weekday_back(v.due - timedelta(days=1)), 15), done)]
    else:  # left undone
        return []
    out = [Step(_on(day, hour), done)]
    if v.completion == "report":
        out.append(Step(_on(_weekday_on(day + timedelta(days=1)), 10), accept))
    return out


def steps(app: PlanflowApp, start: datetime, now: datetime, demo_agency: str) -> list[Step]:
    """The story's actions between ``start`` and ``now``, in time order. A task whose story
    would begin before ``start`` is left alone."""
    views = list_tasks(app.engine, now, BoardFilter(), as_of=False)
    lead = sorted(
        (v for v in views if not v.is_cooperating and not v.cancelled and v.due <= now.date()),
        key=lambda v: (v.due, v.agency, v.duty),
    )
    out: list[Step] = []
    told = False
    for i, v in enumerate(lead):
        if v.agency == demo_agency and not told and v.completion == "report":
            planned = _demo_agency_story(app, UUID(v.id), v.due)
            told = planned[0].at > start
        else:
            planned = _task_steps(app, v, i % 5, demo_agency)
        if planned and planned[0].at > start:
            out += planned
    return sorted((s for s in out if s.at <= now), key=lambda s: s.at)


def _demo_agency_story(app: PlanflowApp, ref: UUID, due: date) -> list[Step]:
    """Sở Tư pháp's first report: a difficulty and its answer, a chase-up, a returned report."""

    def raise_(at: datetime) -> None:
        app.raise_difficulty(
            ref, actor="officer", at=at, text=f"Chưa nhận được số liệu của các huyện {NOTE}"
        )

    def answer(at: datetime) -> None:
        app.answer_difficulty(
            ref,
            actor=OFFICE,
            at=at,
            number=1,
            answer=f"Tổng hợp số liệu đã có, ghi rõ phần còn thiếu {NOTE}",
        )

    def chase(at: datetime) -> None:
        app.chase_up(ref, actor=OFFICE, at=at, note=f"Đề nghị gửi báo cáo đúng hạn {NOTE}")

    def submit(at: datetime) -> None:
        app.submit_report(ref, actor="officer", at=at, document="bao-cao-quy-1.pdf", note=NOTE)

    def give_back(at: datetime) -> None:
        app.return_report(
            ref, actor=OFFICE, at=at, reason=f"Thiếu số liệu của 2 huyện; đề nghị bổ sung {NOTE}"
        )

    early = _weekday_back(due - timedelta(days=8))
    return [
        Step(_on(early, 9), raise_),
        Step(_on(_weekday_on(early + timedelta(days=1)), 10), answer),
        Step(_on(_weekday_back(due - timedelta(days=3)), 11), chase),
        Step(_on(_weekday_back(due - timedelta(days=1)), 16), submit),
        Step(_on(_weekday_on(due + timedelta(days=1)), 10), give_back),
    ]


def play(
    app: PlanflowApp,
    start: datetime,
    now: datetime,
    demo_agency: str,
    tick: Callable[[datetime], object],
) -> int:
    """Each day from ``start`` to ``now``: the 08:00 tick, then that day's steps. Returns the
    number of story steps played."""
    planned = steps(app, start, now, demo_agency)
    day, played = start.astimezone(LOCAL_TZ).date(), 0
    last = now.astimezone(LOCAL_TZ).date()
    while day <= last:
        morning = _on(day, 8)
        if start < morning <= now:
            tick(morning)
        for step in planned:
            if step.at.astimezone(LOCAL_TZ).date() == day:
                step.run(step.at)  # a refusal is a bug in the story: it stops the demo loudly
                played += 1
        day += timedelta(days=1)
    return played
