"""The application's read queries — the catalogue of plans and agencies, and the due index — give
the entry points plain data, the same on each database."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from conftest import MINI
from planflow.application import queries
from planflow.application.app import PlanflowApp
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import task_id
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import LoadedPlan, load_workflow


def vn(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2022, month, day, hour, minute, tzinfo=LOCAL_TZ)


def other_plan(tmp_path: Path) -> LoadedPlan:
    """A second plan, coded before mini-2022, that names so-a differently and adds so-c."""
    text = MINI.read_text(encoding="utf-8")
    text = text.replace("id: mini-2022", "id: alpha-2022")
    text = text.replace("name_vi: Sở A\n", "name_vi: Sở A (tên cũ)\n")
    text = text.replace(
        "groups:",
        "  - code: so-c\n    name_vi: Sở C\n    kind: department\n"
        "    head: {title_vi: Giám đốc Sở C}\ngroups:",
    )
    text = text.replace("title_vi: Xây dựng kế hoạch", "title_vi: Lập kế hoạch")
    path = tmp_path / "alpha.yaml"
    path.write_text(text, encoding="utf-8")
    return load_workflow(path)


def test_the_catalogue_lists_the_stored_plans_by_code_with_their_documents(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    assert queries.list_plans(any_app.engine) == []
    assert queries.plan_codes(any_app.engine) == []
    any_app.load_plan(mini_plan, actor="loader", at=vn(2, 15))
    any_app.load_plan(other_plan(tmp_path), actor="loader", at=vn(2, 15))

    found = queries.list_plans(any_app.engine)
    assert [p.code for p in found] == ["alpha-2022", "mini-2022"]
    assert queries.plan_codes(any_app.engine) == ["alpha-2022", "mini-2022"]
    mini = found[1]
    assert mini.as_json() == {
        "code": "mini-2022",
        "title_vi": "Kế hoạch thử nghiệm năm 2022",
        "title_en": None,
        "number": "1/KH-UBND",
        "year": 2022,
        "sha256": mini_plan.sha256,
        "version": 1,
    }
    assert Path(mini.source).name == "mini.yaml"
    assert Path(found[0].source) == tmp_path / "alpha.yaml"
    assert mini.document["plan"]["id"] == "mini-2022"
    assert queries.get_plan(any_app.engine, "mini-2022") == mini
    assert queries.get_plan(any_app.engine, "khong-co") is None


def test_agencies_come_in_the_file_order_and_the_first_plan_mentioning_one_names_it(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=vn(2, 15))
    any_app.load_plan(other_plan(tmp_path), actor="loader", at=vn(2, 15))

    every = queries.agencies(any_app.engine)
    assert [(a.code, a.name_vi) for a in every] == [
        ("vp", "Văn phòng Ủy ban nhân dân tỉnh"),
        ("so-a", "Sở A (tên cũ)"),  # alpha-2022 comes first
        ("so-b", "Sở B"),
        ("so-c", "Sở C"),
    ]
    mini = queries.agencies(any_app.engine, "mini-2022")
    assert [(a.code, a.name_vi) for a in mini] == [
        ("vp", "Văn phòng Ủy ban nhân dân tỉnh"),
        ("so-a", "Sở A"),
        ("so-b", "Sở B"),
    ]
    assert mini[1].as_json() == {
        "code": "so-a",
        "name_vi": "Sở A",
        "name_en": None,
        "kind": "department",
        "head_title_vi": "Giám đốc Sở A",
        "valid_until": None,
    }
    assert queries.agency_codes(any_app.engine, "alpha-2022") == {"vp", "so-a", "so-b", "so-c"}
    assert queries.agency_codes(any_app.engine, "khong-co") == set()
    assert queries.duty_titles(any_app.engine) == {
        "alpha-2022": {"D1": "Lập kế hoạch", "D2": "Báo cáo định kỳ"},
        "mini-2022": {"D1": "Xây dựng kế hoạch", "D2": "Báo cáo định kỳ"},
    }


def test_the_due_index_gives_the_longest_waiting_tasks_first_and_only_once_due(
    any_app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=vn(2, 15))
    q1 = {a: task_id("mini-2022", "D2", a, "2022-Q1") for a in ("so-a", "so-b")}  # due 16 Mar
    d1 = {a: task_id("mini-2022", "D1", a, "2022") for a in ("so-a", "so-b")}  # due 31 Mar
    by_id = sorted(q1.values(), key=str)  # equal waits: the task id decides

    # The first reminder (seven working days before 16 Mar) falls due at local midnight on 7 Mar.
    assert queries.due_tasks(any_app.engine, vn(3, 7) - timedelta(seconds=1)) == []
    at_midnight = queries.due_tasks(any_app.engine, vn(3, 7))
    assert [t.id for t in at_midnight] == by_id
    assert {(t.plan, t.duty, t.period) for t in at_midnight} == {("mini-2022", "D2", "2022-Q1")}
    assert {t.agency for t in at_midnight} == {"so-a", "so-b"}

    later = queries.due_tasks(any_app.engine, vn(3, 30, 8))
    assert [t.id for t in later[:2]] == by_id
    assert {t.id for t in later[2:]} == set(d1.values())
    assert queries.due_tasks(any_app.engine, vn(3, 30, 8), limit=1) == later[:1]

    # Recording the steps consumes the index rows: nothing is due again at the same moment.
    Ticker(any_app).tick(vn(3, 7, 8))
    assert queries.due_tasks(any_app.engine, vn(3, 7, 8)) == []
    assert [t.id for t in queries.due_tasks(any_app.engine, vn(3, 11))] == by_id
