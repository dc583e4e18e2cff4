"""The board's duty filter lists the duties of a plan's lead tasks that are not cancelled. The walk
on the duty index is kept per process until such a task is created or cancelled
(application/queries/pageduties.py): the kept list must never outlive a change, on each
database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from conftest import revised_mini
from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks, pageduties
from planflow.application.queries import pages as sql_pages

PLAN = "mini-2022"
AT = datetime(2022, 3, 10, tzinfo=UTC)


def _listed(app: PlanflowApp) -> list[str]:
    """The duties as the board page asks for them: after the request's tally."""
    with sql_pages.reading(app.engine, AT, as_of=False) as reader:
        sql_pages.tally(reader, PLAN)
        return sql_pages.duties(reader, PLAN, "lead")


def _walked(app: PlanflowApp) -> list[str]:
    with app.engine.connect() as connection:
        return pageduties.walk(connection, PLAN, "lead")


def _ids(app: PlanflowApp, duty: str) -> list[UUID]:
    views = list_tasks(app.engine, AT, BoardFilter(plan=PLAN, duty=duty), as_of=False)
    return [UUID(v.id) for v in views if not v.is_cooperating]


def test_the_duty_list_is_walked_once_then_kept_until_a_task_is_cancelled(
    loaded: PlanflowApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks: list[str] = []
    walk = pageduties.walk

    def counted(connection: object, plan: str, role: str) -> list[str]:
        walks.append(plan)
        return walk(connection, plan, role)  # type: ignore[arg-type]

    monkeypatch.setattr(pageduties, "walk", counted)
    assert _listed(loaded) == ["D1", "D2"] == _walked(loaded)
    assert _listed(loaded) == ["D1", "D2"]
    assert len(walks) == 2  # the first listing and the direct walk; the second listing was kept

    # A reassignment moves a task to another agency: the duties are the same, nothing is walked.
    first, *others = _ids(loaded, "D1")
    loaded.reassign(first, actor="director", at=AT, new_agency="so-b", reason="Chuyển")
    assert _listed(loaded) == ["D1", "D2"]
    assert len(walks) == 2

    # Cancelling D1's tasks one by one: the duty stays while one is left, then goes.
    for ref in [first, *others]:
        loaded.cancel(ref, actor="director", at=AT, reason="Không còn cần")
        assert _listed(loaded) == _walked(loaded)
    assert _listed(loaded) == ["D2"]


def test_the_kept_duty_list_follows_a_revision_that_adds_a_duty_and_one_that_removes_one(
    loaded: PlanflowApp, tmp_path: Path
) -> None:
    assert _listed(loaded) == ["D1", "D2"]
    d1 = (
        "  - id: D1\n    section: IV.1.a.1\n    title_vi: Xây dựng kế hoạch\n"
        "    assignees: [cac-so]\n    done_when: activity\n    schedule: {due: 2022-03-31}\n"
    )
    d3 = d1.replace("D1", "D3").replace("IV.1.a.1", "IV.1.a.3").replace("kế hoạch", "quy chế")
    with_d3 = revised_mini(tmp_path, (d1, d1 + d3))
    loaded.load_plan(with_d3, actor="loader", at=datetime(2022, 2, 21, tzinfo=UTC))
    assert _listed(loaded) == _walked(loaded) == ["D1", "D2", "D3"]
    without_d1 = revised_mini(tmp_path, (d1, d3))
    loaded.load_plan(without_d1, actor="loader", at=datetime(2022, 2, 22, tzinfo=UTC))
    assert _listed(loaded) == _walked(loaded) == ["D2", "D3"]
