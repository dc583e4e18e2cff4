"""A merger in a revised plan: the successor takes the tasks over, and their history goes on."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

from conftest import MINI, utc
from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.sync import Recorded, revise
from planflow.domain import clock
from planflow.domain.chasing import (
    Handover,
    Head,
    LadderRule,
    PlanRules,
    Term,
    handover_due,
    handover_on,
)
from planflow.domain.task import Completion, Task, task_id
from planflow.workflow.expand import TaskSpec
from planflow.workflow.loader import load_workflow

MERGER = """
  - code: so-c
    name_vi: Sở C
    kind: department
    head: {title_vi: Giám đốc Sở C}
    valid_from: 2022-07-01
"""


def merged_plan(tmp_path: Path) -> Path:
    """mini.yaml, revised: Sở B ends on 30 Jun 2022 and Sở C takes over from 1 Jul."""
    text = MINI.read_text(encoding="utf-8")
    text = text.replace(
        "    head: {title_vi: Giám đốc Sở B}\n",
        "    head: {title_vi: Giám đốc Sở B}\n    valid_until: 2022-06-30\n    successor: so-c\n"
        + MERGER.lstrip("\n"),
    )
    path = tmp_path / "mini-merged.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_merger_reassigns_the_later_tasks_to_the_successor(
    app: PlanflowApp, tmp_path: Path
) -> None:
    app.load_plan(load_workflow(MINI), actor="loader", at=utc(2022, 2, 15))
    result = app.load_plan(load_workflow(merged_plan(tmp_path)), actor="loader", at=utc(2022, 6, 1))

    # Sở B's Q3 and Q4 reports are due after it ends: they pass to Sở C, not cancelled.
    assert (result.reassigned, result.assigned, result.cancelled) == (2, 0, 0)
    q3 = task_id("mini-2022", "D2", "so-b", "2022-Q3")
    events = app.task_events(q3)
    assert type(events[-1]).__name__ == "Reassigned"
    assert (events[-1].previous_agency, events[-1].new_agency) == ("so-b", "so-c")
    board = list_tasks(app.engine, utc(2022, 6, 2), BoardFilter(agency="so-c"), as_of=False)
    assert sorted(v.period for v in board) == ["2022-Q3", "2022-Q4"]
    still_b = list_tasks(app.engine, utc(2022, 6, 2), BoardFilter(agency="so-b"), as_of=False)
    assert sorted(v.period for v in still_b) == ["2022", "2022-Q1", "2022-Q2"]

    again = app.load_plan(load_workflow(merged_plan(tmp_path)), actor="loader", at=utc(2022, 6, 2))
    assert not again.changed


def spec(agency: str, period: str = "2022-Q3") -> TaskSpec:
    return TaskSpec("p", "D2", agency, period, date(2022, 9, 16), Completion.REPORT, "Báo cáo")


def recorded(agency: str, *, done: bool = False, period: str = "2022-Q3") -> Recorded:
    day = date(2022, 9, 16)
    return Recorded(uuid4(), "D2", agency, period, day, day, False, done)


def test_the_successor_chain_is_followed_to_its_end() -> None:
    revision = revise([spec("c")], [recorded("a")], {"a": "b", "b": "c"})
    assert [(r.agency, heir) for r, heir in revision.reassign] == [("a", "c")]
    assert revision.assign == [] and revision.cancel == []


def test_a_cycle_of_successors_does_not_loop() -> None:
    revision = revise([spec("c")], [recorded("a")], {"a": "b", "b": "a"})
    assert revision.reassign == []
    assert [r.agency for r in revision.cancel] == ["a"]
    assert [s.agency for s in revision.assign] == ["c"]


def test_a_task_done_before_the_merger_is_not_owed_again_by_the_successor() -> None:
    revision = revise([spec("b")], [recorded("a", done=True)], {"a": "b"})
    assert revision.assign == [] and revision.reassign == [] and revision.cancel == []


def test_without_a_successor_the_old_task_is_cancelled_and_the_new_one_assigned() -> None:
    revision = revise([spec("b")], [recorded("a")], {})
    assert [r.agency for r in revision.cancel] == ["a"]
    assert [s.agency for s in revision.assign] == ["b"]


# --- the pure rules: who is in office on a day, who a step names, what a tick hands over ---------

END = date(2022, 6, 30)
RULES = PlanRules(
    plan="p",
    calendar=vietnam_calendar([2022]),
    reminders=(3,),
    ladder=(LadderRule(1, "assignee_head", 0), LadderRule(2, "vp", 3)),
    heads={
        "so-a": Head("Giám đốc Sở A"),
        "so-b": Head("Giám đốc Sở B"),
        "so-c": Head("Giám đốc Sở C", "Lê Văn C"),
        "vp": Head("Chánh Văn phòng"),
        "vp-moi": Head("Chánh Văn phòng (mới)"),
        "x": Head("X"),
        "y": Head("Y"),
    },
    signer=Head("Phó Chủ tịch", "Nguyễn Văn A"),
    terms={
        "so-a": Term(END, "so-b"),
        "so-b": Term(date(2022, 9, 30), "so-c"),
        "vp": Term(END, "vp-moi"),
        "x": Term(END, "y"),
        "y": Term(END, "x"),
    },
)


def test_the_agency_in_office_follows_the_successors_that_have_ended_by_that_day() -> None:
    assert RULES.in_office("so-a", END) == "so-a"
    assert RULES.in_office("so-a", date(2022, 7, 1)) == "so-b"
    assert RULES.in_office("so-a", date(2022, 10, 1)) == "so-c"
    assert RULES.in_office("x", date(2022, 7, 1)) is None  # a cycle of ended bodies


def test_a_step_names_the_head_in_office_on_its_day_never_an_ended_one() -> None:
    assert RULES.recipient("vp", "so-a", END).agency == "vp"
    later = RULES.recipient("vp", "so-a", date(2022, 7, 1))
    assert (later.role, later.agency, later.title) == ("vp-moi", "vp-moi", "Chánh Văn phòng (mới)")
    head = RULES.recipient("assignee_head", "so-a", date(2022, 10, 3))
    assert (head.role, head.agency, head.name) == ("assignee_head", "so-c", "Lê Văn C")
    # Ended without anyone in office: the step goes up to the plan's signer.
    assert RULES.recipient("x", "so-c", date(2022, 7, 1)).role == "signer"


def test_an_open_task_is_handed_over_from_the_day_after_its_agencys_last_day() -> None:
    task = new_task(agency="so-a")
    assert handover_on(task, RULES) == date(2022, 7, 1)
    assert handover_due(task, RULES, END) is None
    assert handover_due(task, RULES, date(2022, 7, 1)) == Handover(date(2022, 7, 1), "so-b")
    assert handover_due(new_task(agency="x"), RULES, date(2022, 7, 1)) == Handover(
        date(2022, 7, 1), None
    )
    assert handover_on(new_task(agency="so-c"), RULES) is None
    with clock.at(utc(2022, 5, 1)):
        task.cancel(actor="vp", reason="không cần / not needed")
    assert handover_due(task, RULES, date(2022, 7, 1)) is None


def new_task(agency: str) -> Task:
    with clock.at(utc(2022, 1, 5)):
        return Task.assign(
            plan="p",
            duty="D1",
            agency=agency,
            period="2022",
            due=date(2022, 6, 15),
            completion=Completion.ACTIVITY,
            title="Việc",
            actor="loader",
        )
