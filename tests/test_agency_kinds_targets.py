"""Agency kinds for provincial bodies of central ministries, enterprises, mass organisations,
communes, wards and special zones; quantity targets and expected products carried on each task
and shown on the task page, the API and `planflow show`; planflow/v1 files keep their tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import KIEN_GIANG
from planflow.domain.labels import AGENCY_KIND_LABELS, agency_kind_label
from planflow.domain.task import task_id
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan, expand_group, load_workflow
from planflow.workflow.model import AgencyKind
from test_ongoing_duties import FORMS, PRESS, at
from test_web_pages import sign_in
from webkit import WebWorld, make_world, seed_database

CENTRAL = ["ca-tinh", "bhxh", "kbnn", "thue", "nhnn"]
LOCAL = ["xa-a", "phuong-b", "dac-khu-c"]


@pytest.fixture(scope="module")
def forms() -> LoadedPlan:
    return load_workflow(FORMS)


def test_every_agency_kind_has_a_vietnamese_and_an_english_label() -> None:
    assert set(AGENCY_KIND_LABELS) == {k.value for k in AgencyKind}
    assert agency_kind_label("state_bank") == (
        "Ngân hàng Nhà nước chi nhánh tỉnh / State Bank of Vietnam, provincial branch"
    )
    assert agency_kind_label("special_zone").startswith("Ủy ban nhân dân đặc khu")


def test_groups_select_agencies_by_the_new_kinds(forms: LoadedPlan) -> None:
    assert expand_group(forms.workflow, "co-quan-trung-uong") == CENTRAL
    assert expand_group(forms.workflow, "cap-xa") == LOCAL
    specs = [s for s in expand(forms.workflow, forms.calendar) if s.duty == "II.6"]
    assert [s.agency for s in specs] == [*CENTRAL, *LOCAL, "dien-luc", "mttq"]
    assert {s.due for s in specs} == {date(2026, 3, 31)}


def test_the_target_and_products_are_carried_on_each_task(forms: LoadedPlan) -> None:
    press = next(s for s in expand(forms.workflow, forms.calendar) if s.duty == "II.2")
    assert press.target == "Ít nhất 02 tin, bài/tháng"
    assert press.products == ("Tin, bài đăng trên Báo tỉnh", "Chuyên mục cải cách hành chính")
    central = next(s for s in expand(forms.workflow, forms.calendar) if s.duty == "II.6")
    assert (central.target, central.products) == ("", ())


def test_a_planflow_v1_file_without_the_new_fields_makes_the_same_tasks() -> None:
    kg = load_workflow(KIEN_GIANG)
    specs = expand(kg.workflow, kg.calendar)
    assert len(specs) == 515
    assert not [s for s in specs if s.check_ins or s.target or s.products or s.basis]
    assert task_id(kg.workflow.plan.id, "IV.1.a.2", "so-tu-phap", "2022-Q1") in {
        s.id for s in specs
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, forms: LoadedPlan) -> Path:
    folder = tmp_path_factory.mktemp("targets")
    return seed_database(folder / "seed.db", forms, agency_a="bao", agency_b="so-tp")


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, template)


def test_the_task_page_and_the_api_show_the_target_products_and_check_ins(
    world: WebWorld,
) -> None:
    world.clock.set(at(date(2026, 2, 3)))
    api = world.client.get(f"/api/v1/tasks/{PRESS}", headers=world.token("officer-a"))
    assert api.status_code == 200, api.text
    data = api.json()
    assert data["target"] == "Ít nhất 02 tin, bài/tháng"
    assert data["products"] == ["Tin, bài đăng trên Báo tỉnh", "Chuyên mục cải cách hành chính"]
    assert data["ongoing"] is True
    assert data["check_ins"][:2] == ["2026-02-02", "2026-03-02"]
    sign_in(world, "officer-a")
    page = world.client.get(f"/tasks/{PRESS}")
    assert page.status_code == 200
    assert 'data-testid="task-target">Ít nhất 02 tin, bài/tháng<' in page.text
    assert "<li>Chuyên mục cải cách hành chính</li>" in page.text
    assert 'data-testid="next-check-in">02/02/2026<' in page.text
    assert "Cập nhật tiến độ" in page.text  # the check-in form, derived from the declaration
    other = world.client.post(
        f"/api/v1/tasks/{PRESS}/check-in", json={"note": "x"}, headers=world.token("officer-b")
    )
    assert other.status_code == 403
    done = world.client.post(
        f"/api/v1/tasks/{PRESS}/check-in",
        json={"note": "Tháng 1: 03 tin, bài", "evidence": "https://bao.example/cchc"},
        headers=world.token("officer-a"),
    )
    assert done.status_code == 200, done.text
    after = world.client.get(f"/api/v1/tasks/{PRESS}", headers=world.token("officer-a")).json()
    assert (after["check_ins_done"], after["due"]) == (1, "2026-03-02")
