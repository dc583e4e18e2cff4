"""A merger in a revised plan: the successor takes the tasks over, and their history goes on."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

from conftest import MINI, utc
from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.sync import Recorded, revise
from planflow.domain.task import Completion, task_id
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
